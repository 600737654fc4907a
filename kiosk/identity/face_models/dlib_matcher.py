"""The built-in matcher: face_recognition's dlib ResNet, 128-d encodings, Euclidean distance.

dlib aligns the face itself (its 5-point shape predictor and a 150x150 chip); the threshold is
``[identity] face_threshold`` (0.55, kiosk/identity/face.py CALIBRATION). Weights: the PyPI package
face_recognition_models (CC0 1.0), see docs/FACE_MODELS.md.
"""

from __future__ import annotations

import numpy as np

from kiosk.identity.config import DLIB_FACE_MODEL, IdentityConfig
from kiosk.identity.dlib_models import FaceBox, encode_face, models
from kiosk.identity.face_models.base import FaceMatcher, register

# The same person turned or mid-blink is ~0.2-0.47 from their frontal face (face.py).
DLIB_CONSISTENCY_MARGIN = 0.10


class DlibMatcher(FaceMatcher):
    kind = DLIB_FACE_MODEL
    metric = "euclidean"
    worst_distance = 1.0  # dlib distances of faces are < 1

    @property
    def threshold_key(self) -> str:
        return "identity.face_threshold"

    def warm_up(self) -> None:
        models()

    def encode(self, rgb: np.ndarray, box: FaceBox) -> np.ndarray:
        return encode_face(rgb, box)

    def distance(self, a: np.ndarray, b: np.ndarray) -> float:
        return float(np.linalg.norm(a - b))


@register(DLIB_FACE_MODEL)
def dlib_matcher(name: str, config: IdentityConfig) -> FaceMatcher:
    return DlibMatcher(name, config.face_threshold, DLIB_CONSISTENCY_MARGIN)
