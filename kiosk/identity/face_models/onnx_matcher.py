"""An embedding matcher from an ONNX file: a deployment's own licensed model as a config change.

    [identity]
    face_model = "sface"
    [identity.face_models.sface]
    type = "onnx"
    path = "/opt/kiosk/models/face_recognition_sface_2021dec.onnx"
    input_size = 112
    channels = "rgb"
    mean = 0.0
    std = 1.0
    threshold = 0.63            # from `kiosk face calibrate PAIRS.json --model sface`

The face is aligned on five points to the ArcFace template (alignment.py), normalised as configured,
run through the network (OpenCV's DNN module, which opencv-python-headless already brings, or
onnxruntime when installed), and the output is L2-normalised; two faces are compared by cosine distance
(1 - cosine similarity). Nothing is downloaded: the file is the deployment's (docs/FACE_MODELS.md).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from kiosk.errors import ConfigError
from kiosk.identity.config import EmbeddingModelConfig, IdentityConfig
from kiosk.identity.dlib_models import FaceBox
from kiosk.identity.errors import FaceError
from kiosk.identity.face_models.alignment import align_face, five_points
from kiosk.identity.face_models.base import FaceMatcher, register

# Models are loaded once per (file, runtime) and shared by every verifier of the process; a network
# object runs one face at a time.
_LOADED: dict[tuple[str, str], _Runner] = {}
_LOADED_LOCK = threading.Lock()


class _Runner:
    """One loaded network: ``run(blob)`` gives its first output for a (1, 3, S, S) float32 blob."""

    def __init__(self, path: Path, runtime: str, key: str) -> None:
        self.lock = threading.Lock()
        self.runtime = runtime
        self._session: Any = None
        self._input_name = ""
        if not path.is_file():
            raise ConfigError(f"{key}: the model file {path} does not exist")
        try:
            if runtime == "onnxruntime":
                try:
                    import onnxruntime  # optional heavy runtime, loaded only when the config asks for it
                except ImportError:
                    raise ConfigError(
                        f'{key.rsplit(".", 1)[0]}.runtime: onnxruntime is not installed; use runtime = "opencv"'
                    ) from None
                options = onnxruntime.SessionOptions()
                options.intra_op_num_threads = 2
                self._session = onnxruntime.InferenceSession(
                    str(path), options, providers=["CPUExecutionProvider"]
                )
                self._input_name = self._session.get_inputs()[0].name
            else:
                self._session = cv2.dnn.readNetFromONNX(str(path))
        except ConfigError:
            raise
        except Exception as exc:  # a file that is not an ONNX model, or uses operators the runtime lacks
            first_line = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
            raise ConfigError(f"{key}: cannot load the model {path} with {runtime}: {first_line}") from None

    def run(self, blob: np.ndarray) -> np.ndarray:
        with self.lock:
            if self.runtime == "onnxruntime":
                return np.asarray(self._session.run(None, {self._input_name: blob})[0])
            self._session.setInput(blob)
            return np.asarray(self._session.forward())


def _runner(path: Path, runtime: str, key: str) -> _Runner:
    with _LOADED_LOCK:
        cache_key = (str(path), runtime)
        if cache_key not in _LOADED:
            _LOADED[cache_key] = _Runner(path, runtime, key)
        return _LOADED[cache_key]


class OnnxEmbeddingMatcher(FaceMatcher):
    kind = "onnx"
    metric = "cosine"
    worst_distance = 2.0  # cosine distance of opposite embeddings

    def __init__(self, name: str, model: EmbeddingModelConfig) -> None:
        super().__init__(name, model.threshold, model.consistency_margin)
        self.model = model
        self.path = Path(model.path).expanduser()
        self._checked = False

    def _loaded(self) -> _Runner:
        runner = _runner(self.path, self.model.runtime, f"identity.face_models.{self.name}.path")
        if not self._checked:
            # A grey face must give a finite vector: otherwise the file is not an embedding model or its
            # input size is not the one configured.
            size = self.model.input_size
            try:
                probe = self._embedding(runner, np.full((size, size, 3), 128, dtype=np.uint8))
            except ConfigError:
                raise
            except Exception as exc:
                raise ConfigError(
                    f"identity.face_models.{self.name}: the model does not take a {size}x{size} face "
                    f"(input_size): {str(exc).strip().splitlines()[-1] if str(exc).strip() else exc!r}"
                ) from None
            if probe.size < 2:
                raise ConfigError(f"identity.face_models.{self.name}: the model's output is not an embedding")
            self._checked = True
        return runner

    def warm_up(self) -> None:
        self._loaded()

    def blob(self, aligned_rgb: np.ndarray) -> np.ndarray:
        """The network's input for an aligned RGB face: (1, 3, S, S) float32, normalised as configured."""
        size = self.model.input_size
        return cv2.dnn.blobFromImage(
            aligned_rgb,
            scalefactor=1.0 / self.model.std,
            size=(size, size),
            mean=(self.model.mean, self.model.mean, self.model.mean),
            swapRB=self.model.channels == "bgr",
            crop=False,
        ).astype(np.float32)

    def _embedding(self, runner: _Runner, aligned_rgb: np.ndarray) -> np.ndarray:
        raw = runner.run(self.blob(aligned_rgb))
        return np.asarray(raw, dtype=np.float64).reshape(-1)

    def embed_aligned(self, aligned_rgb: np.ndarray) -> np.ndarray:
        """The unit-length embedding of a face already aligned to the template."""
        vector = self._embedding(self._loaded(), aligned_rgb)
        norm = float(np.linalg.norm(vector))
        if not np.isfinite(norm) or norm == 0.0:
            raise FaceError("the face model gave no usable embedding for this face", reason="no_embedding")
        return vector / norm

    def encode(self, rgb: np.ndarray, box: FaceBox) -> np.ndarray:
        aligned = align_face(rgb, five_points(rgb, box), self.model.input_size)
        try:
            return self.embed_aligned(aligned)
        finally:
            aligned.fill(0)

    def distance(self, a: np.ndarray, b: np.ndarray) -> float:
        return float(1.0 - np.dot(a, b))


@register("onnx")
def onnx_matcher(name: str, config: IdentityConfig) -> FaceMatcher:
    return OnnxEmbeddingMatcher(name, config.face_models[name])
