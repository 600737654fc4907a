"""The dlib models that face verification and liveness share, and the one lock that guards them.

face_recognition's HOG face detector, its 5-point and 68-point shape predictors and its ResNet encoder
are loaded once, on first use (about 100 MB, ~0.5 s). `face` (is it the card's holder?) and `liveness`
(is the person there?) both use them through this module, so neither imports the other.
"""

from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from PIL import ImageFile

from kiosk.identity.errors import FaceError

# dlib's detector, shape predictors and network keep internal buffers: one call at a time, whichever
# thread (the UI's preview box and a verification may run on different workers).
DLIB_LOCK = threading.Lock()

_RIGHT_EYE = slice(36, 42)  # the citizen's right eye: the left one in the image
_LEFT_EYE = slice(42, 48)


@dataclass(frozen=True)
class FaceBox:
    """A face rectangle in full-frame pixels (top, right, bottom, left: face_recognition's order)."""

    top: int
    right: int
    bottom: int
    left: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top


def models() -> Any:
    """face_recognition's dlib models, loaded once on first use (about 100 MB, ~0.5 s)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # face_recognition_models imports the deprecated pkg_resources
        from face_recognition import api  # heavy: dlib and its 100 MB of models, loaded on the first face
    # face_recognition turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process at import, which
    # would make every later image load accept half a file. The kiosk never loads images through it.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return api


def to_rgb(image: np.ndarray, what: str) -> np.ndarray:
    if not isinstance(image, np.ndarray) or image.size == 0 or image.ndim not in (2, 3):
        raise FaceError(f"{what} is not an image", reason="bad_image", subject=what)
    if image.dtype != np.uint8:
        image = np.clip(image, 0, 255).astype(np.uint8)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2RGB)
    if image.shape[2] == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    raise FaceError(f"{what} has {image.shape[2]} channels", reason="bad_image", subject=what)


def detect_faces(rgb: np.ndarray, detection_width_px: int, *, upsample: int = 0) -> list[FaceBox]:
    """Faces in a full-resolution RGB image, detected on a copy downscaled to `detection_width_px`."""
    api = models()
    height, width = rgb.shape[:2]
    scale = min(1.0, detection_width_px / width)
    small = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else rgb
    boxes = []
    with DLIB_LOCK:
        rects = list(api.face_detector(small, upsample))
    for rect in rects:
        boxes.append(
            FaceBox(
                top=max(0, round(rect.top() / scale)),
                right=min(width, round(rect.right() / scale)),
                bottom=min(height, round(rect.bottom() / scale)),
                left=max(0, round(rect.left() / scale)),
            )
        )
    return boxes


def dlib_rectangle(box: FaceBox) -> Any:
    """`box` as the dlib rectangle that the landmark predictors and the encoder take."""
    import dlib  # heavy native library: loaded with the models, on the first face

    return dlib.rectangle(box.left, box.top, box.right, box.bottom)


def encode_face(rgb: np.ndarray, box: FaceBox, *, jitters: int = 1) -> np.ndarray:
    """The 128-d encoding of the face in `box`, computed on the full-resolution image."""
    api = models()
    rect = dlib_rectangle(box)
    with DLIB_LOCK:
        shape = api.pose_predictor_5_point(rgb, rect)
        descriptor = api.face_encoder.compute_face_descriptor(rgb, shape, jitters)
    return np.asarray(descriptor, dtype=np.float64)


@dataclass(frozen=True)
class FaceLandmarks:
    """68 (x, y) points of one face in one frame, as float array shape (68, 2)."""

    points: np.ndarray

    def eye_aspect_ratio(self) -> float:
        return (_ear(self.points[_RIGHT_EYE]) + _ear(self.points[_LEFT_EYE])) / 2

    def nose_ratio(self) -> float:
        """Nose tip between the jaw ends: 0.5 frontal, towards 1 when the nose is at the image's right."""
        left, right, nose = self.points[0, 0], self.points[16, 0], self.points[30, 0]
        return float((nose - left) / max(1e-6, right - left))

    def face_width(self) -> float:
        return float(np.linalg.norm(self.points[16] - self.points[0]))


def _ear(eye: np.ndarray) -> float:
    vertical = float(np.linalg.norm(eye[1] - eye[5]) + np.linalg.norm(eye[2] - eye[4]))
    horizontal = 2 * float(np.linalg.norm(eye[0] - eye[3]))
    return float(vertical / max(1e-6, horizontal))


def landmarks_of(frame: np.ndarray, detection_width_px: int = 427) -> list[FaceLandmarks]:
    """68-point landmarks of every face of a BGR frame (detection on a downscaled copy, as face.py)."""
    rgb = to_rgb(frame, "live frame")
    boxes = detect_faces(rgb, detection_width_px) or detect_faces(rgb, detection_width_px, upsample=1)
    return [landmarks_in(rgb, box) for box in boxes]


def landmarks_in(rgb: np.ndarray, box: FaceBox) -> FaceLandmarks:
    """The 68 landmarks of the face in `box` of an RGB image (dlib's predictor, about 2 ms)."""
    rect = dlib_rectangle(box)
    with DLIB_LOCK:
        shape = models().pose_predictor_68_point(rgb, rect)
    return FaceLandmarks(np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64))
