"""Face verification: is the person at the camera the person on the card?

Faces are found by face_recognition's (dlib) HOG frontal face detector. The matcher that turns a face
into an embedding is chosen by ``[identity] face_model`` (kiosk.identity.face_models): ``dlib`` (the
default: the 5-point pose predictor and the ResNet that maps a face to a 128-d encoding; two encodings
closer than ``face_threshold`` (Euclidean) are taken as the same person), or an ONNX embedding network
with 5-point ArcFace alignment, cosine distance and its own calibrated threshold (docs/FACE_MODELS.md).
Distances below are dlib's; the k-of-n rule across frames is the same for every matcher.

Speed (budget: detection + encoding <= 150 ms per 640x480 frame on 2 cores). face_recognition's default
call, ``face_locations(img)`` then ``face_encodings(img, locations)``, runs the HOG detector with one 2x
upsampling, i.e. over a 1280x960 pyramid. Here the detector runs on the frame downscaled to
``detection_width_px`` (427 px: HOG's 80 px window then finds faces from ~120 px in the full frame, a
citizen at arm's length); only when that finds nothing does it look again with one upsampling (faces
from ~60 px), so a face too far away is reported as such rather than as "no face". The box is mapped back
and the encoding is computed on the full-resolution frame, so accuracy is that of the default call.
bench/face_bench.py prints both side by side.

Decision over several frames: at most ``max_frames`` faces are compared, within ``face_time_limit_s``;
it is a match when ``min_matching_frames`` of them (k of n) are within the threshold. Frontal, open-eyed
faces go first (the frames of a liveness challenge include turned heads and closed eyes, which raise
the distance by 0.1-0.3); a frame with no face, two faces or a face too small is skipped with that
reason; the reported distance is the median over the compared faces.

Threshold calibration (CALIBRATION below, reproduced by ``bench/face_bench.py``): on ../shared/faces
(face_recognition's public test photos of two people), with the HOG detector and the 5-point encoder as
here, the 15 genuine pairs (same person, photos years apart, a 320x240 still, a half-cut face) lie at
0.09-0.44 and the 12 impostor pairs at 0.80-0.88; through a card portrait (the photo cropped ID-style,
composed into a 300 dpi card front, found and encoded there) genuine pairs lie at 0.08-0.45 and
impostors at 0.80-0.87. Any threshold in the gap
separates them; dlib's published operating point is 0.6 (99.38 % on LFW). We take 0.55: inside the gap
with a margin of ~0.12 for genuine pairs under worse light and ageing, and stricter than 0.6 because a
false accept (someone certifying with another person's card) costs more than a false reject, which the
citizen can retry or take to staff. dlib's model is known to give lower impostor distances on some
populations (e.g. East Asian faces) than on the mostly Western faces of LFW; the threshold must be
re-checked on a local sample before deployment (the config makes it a setting, not a constant).
"""

from __future__ import annotations

import logging
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

import cv2
import numpy as np

from kiosk.identity.config import IdentityConfig
from kiosk.identity.dlib_models import (
    FaceBox,
    detect_faces,
    landmarks_in,
    models,
    to_rgb,
)
from kiosk.identity.errors import CardPortraitError
from kiosk.identity.face_models import FaceMatcher, matcher_for

log = logging.getLogger(__name__)

CALIBRATION = {
    "data": "../shared/faces: 7 photos of person A, 2 of person B (face_recognition test images)",
    "genuine_distance_range": (0.08, 0.45),
    "impostor_distance_range": (0.80, 0.88),
    "chosen_threshold": 0.55,
    "reproduce": "python bench/face_bench.py --calibrate",
}
# A face narrower than this fraction of the largest one is someone in the background, not a second user.
BACKGROUND_FACE_RATIO = 0.5
# At most this many frames of one check are looked at (a liveness challenge gives ~10-25).
MAX_EXAMINED_FRAMES = 40
# A face whose nose tip is further than this from the middle of its outline is turned (liveness.py).
FRONTAL_MAX_NOSE_OFFSET = 0.07
# Eyes more closed than this (eye aspect ratio) are mid-blink.
EYES_OPEN_MIN_EAR = 0.18
# Faces of the challenge (turned, blinking) checked against the matched frontal ones; the extra distance
# allowed for their pose is the matcher's ``consistency_margin`` (dlib: 0.10).
CONSISTENCY_FRAMES = 2
# Card fronts are normalised to about this width before the portrait is searched (a 300 dpi card is 1011).
_CARD_WIDTH_PX = 1000


class FrameStatus(StrEnum):
    ok = "ok"
    no_face = "no_face"
    two_faces = "two_faces"
    face_too_small = "face_too_small"


@dataclass(frozen=True)
class FrameFace:
    """One live frame's face: the status, the box, and (in memory only) its encoding."""

    status: FrameStatus
    box: FaceBox | None = None
    faces: int = 0
    encoding: np.ndarray | None = None
    # Facing the camera with open eyes (not mid-turn or mid-blink): compared first.
    frontal: bool = True
    pose: float = 0.0


@dataclass(frozen=True)
class FaceDecision:
    """The verdict of one face check. ``reason`` is None on a match, else a machine code:
    not_same_person, different_people, no_face, two_faces, face_too_small, no_frames, timeout.
    ``frames_used`` is the number of faces compared with the card (or of frames looked at, when no face
    could be compared)."""

    match: bool
    distance: float
    frames_used: int
    reason: str | None
    frames_matched: int = 0
    # The threshold the distance was decided against, in the model's own scale (dlib's Euclidean 0.55, an
    # ONNX model's cosine distance): the back office's near-threshold flag reads the two together.
    threshold: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "match": self.match,
            "distance": round(self.distance, 4),
            "frames_used": self.frames_used,
            "frames_matched": self.frames_matched,
            "reason": self.reason,
        }


def face_distance(a: np.ndarray, b: np.ndarray) -> float:
    """dlib's distance (Euclidean); a FaceVerifier compares with its matcher's ``distance``."""
    return float(np.linalg.norm(a - b))


def _pose_offset(rgb: np.ndarray, box: FaceBox) -> float:
    """How far from frontal and open-eyed the face is (<= 1: frontal; > 1: turned or mid-blink), judged
    from the 68 landmarks (about 2 ms)."""
    face = landmarks_in(rgb, box)
    turn = abs(face.nose_ratio() - 0.5) / FRONTAL_MAX_NOSE_OFFSET
    closed = EYES_OPEN_MIN_EAR / max(1e-6, face.eye_aspect_ratio())
    return max(turn, closed)


def _largest(boxes: Sequence[FaceBox]) -> FaceBox:
    return max(boxes, key=lambda b: b.width * b.height)


def _locate_card_face(card_image: np.ndarray) -> tuple[np.ndarray, FaceBox]:
    """The card front as RGB and the box of its one portrait face; CardPortraitError otherwise."""
    rgb = to_rgb(card_image, "card image")
    width = rgb.shape[1]
    detection_width = min(width, _CARD_WIDTH_PX)
    boxes = detect_faces(rgb, detection_width)
    if not boxes:
        boxes = detect_faces(rgb, detection_width, upsample=1)
    if not boxes:
        raise CardPortraitError(
            "no face found on the card: place the front of the card, with the portrait, on the glass",
            reason="no_portrait",
            subject="card",
        )
    if len(boxes) > 1:
        # A real card front has one portrait; a second, much smaller "face" is a detector false positive
        # on the card's artwork, but two faces of similar size means this is not a card front.
        ordered = sorted(boxes, key=lambda b: b.width * b.height, reverse=True)
        if ordered[1].width * ordered[1].height > 0.25 * ordered[0].width * ordered[0].height:
            raise CardPortraitError(
                "more than one face on the card image: place only the ID card on the glass",
                reason="two_portraits",
                subject="card",
            )
    return rgb, _largest(boxes)


def find_card_portrait(image: np.ndarray) -> np.ndarray:
    """The portrait on a card front: the face with some margin, cropped (BGR); CardPortraitError if none."""
    rgb, box = _locate_card_face(image)
    height, width = rgb.shape[:2]
    margin_x, margin_top, margin_bottom = (
        round(box.width * 0.5),
        round(box.height * 0.7),
        round(box.height * 0.6),
    )
    top, bottom = max(0, box.top - margin_top), min(height, box.bottom + margin_bottom)
    left, right = max(0, box.left - margin_x), min(width, box.right + margin_x)
    source = image if image.ndim == 3 and image.shape[2] == 3 else cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    return np.ascontiguousarray(source[top:bottom, left:right])


class FaceVerifier:
    """Compares live frames with the card portrait; everything stays in memory (see module docstring)."""

    def __init__(
        self,
        config: IdentityConfig,
        *,
        clock: Callable[[], float] = time.monotonic,
        matcher: FaceMatcher | None = None,
    ) -> None:
        self.config = config
        self._clock = clock
        # The face model of ``[identity] face_model`` (ConfigError, naming the key, if unknown).
        self.matcher = matcher if matcher is not None else matcher_for(config)

    @property
    def threshold(self) -> float:
        """The largest distance still taken as the same person, on the matcher's own scale."""
        return self.matcher.threshold

    def warm_up(self) -> None:
        """Load the models now (at start-up), so the first citizen does not wait for them."""
        models()
        self.matcher.warm_up()

    def card_encoding(self, card_image: np.ndarray) -> np.ndarray:
        """The encoding of the card's portrait; FaceError (a CardPortraitError) when there is no one face."""
        rgb, box = _locate_card_face(card_image)
        return self.matcher.encode(rgb, box)

    def analyse_frame(self, frame: np.ndarray, *, encode: bool = True) -> FrameFace:
        """Find the one face of a live frame and encode it; say why not when there is no usable face."""
        rgb = to_rgb(frame, "live frame")
        boxes = detect_faces(rgb, self.config.detection_width_px)
        if not boxes:
            # Nothing at arm's length: look for a smaller face, to tell "too far" from "nobody".
            boxes = detect_faces(rgb, self.config.detection_width_px, upsample=1)
        if not boxes:
            return FrameFace(FrameStatus.no_face)
        box = _largest(boxes)
        # Someone far behind (a face less than half as wide) is not a second person at the kiosk.
        near = [b for b in boxes if b.width >= BACKGROUND_FACE_RATIO * box.width]
        if len(near) > 1:
            return FrameFace(FrameStatus.two_faces, faces=len(near))
        if box.width < self.config.min_face_px:
            return FrameFace(FrameStatus.face_too_small, box=box, faces=1)
        pose = _pose_offset(rgb, box)
        encoding = self.matcher.encode(rgb, box) if encode else None
        return FrameFace(FrameStatus.ok, box=box, faces=1, encoding=encoding, frontal=pose <= 1.0, pose=pose)

    def _someone_else_in(
        self, deferred: Sequence[tuple[float, int, np.ndarray, FaceBox]], matched: Sequence[np.ndarray]
    ) -> bool:
        """Whether the most turned or blinking faces (the liveness challenge's action) belong to someone
        other than the frontal faces that matched the card: a photo of the card holder held up for the
        frontal frames while someone else performs the challenge."""
        for _, _, frame, box in sorted(deferred, key=lambda d: d[0], reverse=True)[:CONSISTENCY_FRAMES]:
            encoding = self.matcher.encode(to_rgb(frame, "live frame"), box)
            nearest = min(self.matcher.distance(encoding, m) for m in matched)
            encoding.fill(0.0)
            if nearest > self.threshold + self.matcher.consistency_margin:
                log.info("face check: a challenge frame shows another face (distance %.3f)", nearest)
                return True
        return False

    def verify(self, card_image: np.ndarray, live_frames: Sequence[np.ndarray]) -> FaceDecision:
        """k-of-n decision of the live frames against the card portrait (module docstring).

        Frames are looked at in order; frontal, open-eyed faces are compared first, and turned or blinking
        ones (the liveness challenge's frames) only when too few frontal ones are left. At most
        ``max_frames`` faces are compared. When frontal faces decided a match, the two most turned or
        blinking faces must be the same person as them (``different_people`` otherwise), which binds the
        liveness challenge to the face that matched. Raises FaceError for a card without one face;
        frames without a usable face are reasons, not errors.
        """
        started = self._clock()
        card = self.card_encoding(card_image)
        frames = list(live_frames)[:MAX_EXAMINED_FRAMES]
        if not frames:
            card.fill(0.0)
            return FaceDecision(False, self.matcher.worst_distance, 0, "no_frames")
        needed = min(self.config.min_matching_frames, len(frames))
        distances: list[float] = []
        skipped: list[FrameStatus] = []
        deferred: list[tuple[float, int, np.ndarray, FaceBox]] = []
        matched_encodings: list[np.ndarray] = []
        examined = matched = 0
        timed_out = False
        inconsistent = False

        def decided() -> bool:
            return matched >= needed or len(distances) >= self.config.max_frames

        def compare(frame: np.ndarray, box: FaceBox) -> None:
            nonlocal matched
            encoding = self.matcher.encode(to_rgb(frame, "live frame"), box)
            distance = self.matcher.distance(card, encoding)
            distances.append(distance)
            if distance <= self.threshold:
                matched += 1
                matched_encodings.append(encoding)
            else:
                encoding.fill(0.0)

        def out_of_time() -> bool:
            nonlocal timed_out
            timed_out = timed_out or self._clock() - started > self.config.face_time_limit_s
            return timed_out

        try:
            for index, frame in enumerate(frames):
                if out_of_time():
                    break
                examined += 1
                face = self.analyse_frame(frame, encode=False)
                if face.status is not FrameStatus.ok or face.box is None:
                    skipped.append(face.status)
                elif not face.frontal:
                    deferred.append((face.pose, index, frame, face.box))
                elif not decided():
                    compare(frame, face.box)
                # Once decided, the rest is only looked at (~20 ms a frame) for the challenge's faces.
            fallback = [] if decided() else sorted(deferred, key=lambda d: d[1])
            for _, _, frame, box in fallback:
                if decided() or out_of_time():
                    break
                compare(frame, box)
            if matched >= needed and not fallback and deferred:
                inconsistent = self._someone_else_in(deferred, matched_encodings)
        finally:
            card.fill(0.0)
            for encoding in matched_encodings:
                encoding.fill(0.0)
            deferred.clear()
        used = len(distances) or examined
        median = statistics.median(distances) if distances else self.matcher.worst_distance
        if matched >= needed and inconsistent:
            decision = FaceDecision(False, median, used, "different_people", matched)
        elif matched >= needed:
            decision = FaceDecision(True, median, used, None, matched)
        elif timed_out:
            decision = FaceDecision(False, median, used, "timeout", matched)
        elif any(d > self.threshold for d in distances):
            decision = FaceDecision(False, median, used, "not_same_person", matched)
        else:
            # Too few frames had a usable face: the most common reason is the one to tell the citizen.
            reason = Counter(skipped).most_common(1)[0][0].value if skipped else "no_face"
            decision = FaceDecision(False, median, used, reason, matched)
        decision = replace(decision, threshold=self.threshold)
        log.info(
            "face check: match=%s distance=%.3f frames_used=%d matched=%d reason=%s",
            decision.match,
            decision.distance,
            decision.frames_used,
            decision.frames_matched,
            decision.reason,
        )
        return decision
