"""Identity settings: the `[identity]` table."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

# The built-in face model: dlib's ResNet (face_recognition_models), threshold `face_threshold`.
DLIB_FACE_MODEL = "dlib"


class EmbeddingModelConfig(BaseModel):
    """One `[identity.face_models.NAME]` table: a face-embedding network in an ONNX file (docs/FACE_MODELS.md).

    The face is aligned on 5 landmarks (eye centres, nose tip, mouth corners) to the ArcFace template,
    scaled to `input_size`, normalised as (pixel - mean) / std in `channels` order, and embedded; two
    embeddings are compared by cosine distance (1 - cosine similarity, 0 same direction, 2 opposite).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    # The back-end (kiosk.identity.face_models registry): "onnx" runs the file through OpenCV's DNN
    # module or onnxruntime.
    type: Literal["onnx"] = "onnx"
    # The model file, an absolute path (the deployment's own licensed model; nothing is downloaded).
    path: str
    # Side of the square aligned face the network takes: 112 for ArcFace/SFace-style networks.
    input_size: int = Field(default=112, ge=32, le=512)
    channels: Literal["rgb", "bgr"] = "rgb"
    # Per-pixel normalisation: ArcFace (insightface) models take (x - 127.5) / 127.5; SFace takes raw
    # 0-255 pixels (mean 0, std 1).
    mean: float = 127.5
    std: float = Field(default=127.5, gt=0)
    # Largest cosine distance still taken as the same person: set it from `kiosk face calibrate`.
    threshold: float = Field(gt=0, lt=2)
    # Extra distance allowed for a turned or blinking challenge face against the matched frontal ones.
    consistency_margin: float = Field(default=0.10, ge=0, lt=1)
    runtime: Literal["opencv", "onnxruntime"] = "opencv"
    # Free text for the audit trail and the calibration report: where the model and its licence come from.
    source: str = ""

    @field_validator("path")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not Path(value).expanduser().is_absolute():
            raise ValueError("must be an absolute path to the model file")
        return value


class IdentityConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Largest face distance (dlib 128-d encodings, Euclidean) still taken as the same person.
    # Calibrated on ../shared/faces, see kiosk/identity/face.py (CALIBRATION) and bench/face_bench.py.
    face_threshold: float = Field(default=0.55, gt=0, lt=1)
    # Which face matcher compares the live face with the card: "dlib" (built in) or the name of a
    # `[identity.face_models.NAME]` table (kiosk/identity/face_models, docs/FACE_MODELS.md).
    face_models: dict[str, EmbeddingModelConfig] = Field(default_factory=dict)
    face_model: str = DLIB_FACE_MODEL
    # k of n: a match needs this many live frames within the threshold (fewer if fewer frames are given)...
    min_matching_frames: int = Field(default=2, ge=1)
    # ...out of at most this many frames...
    max_frames: int = Field(default=5, ge=1, le=30)
    # ...decided within this many seconds of machine time, else "timeout".
    face_time_limit_s: float = Field(default=6.0, gt=0, le=60)
    # Live frames are downscaled to this width for detection; encoding runs at full resolution.
    detection_width_px: int = Field(default=427, ge=160, le=1920)
    # A face narrower than this (pixels of the full frame) is too far from the camera to compare.
    min_face_px: int = Field(default=80, ge=40, le=400)
    # Liveness: seconds to perform the challenge, and attempts before the citizen is sent to staff.
    liveness_time_limit_s: float = Field(default=10.0, gt=0, le=60)
    liveness_max_attempts: int = Field(default=3, ge=1, le=10)
    # Steps per challenge: 2 means e.g. "turn left, then blink" (move-closer never comes alone).
    liveness_steps: int = Field(default=2, ge=1, le=3)
    # Every challenge has a head turn, judged by the nose's depth parallax (identity/liveness_planarity.py):
    # a printed face with cut-out eyes blinks and comes closer; only a head turns with depth. False only
    # for a deployment with another presentation-attack check (it re-opens the cut-out-eyes print).
    liveness_require_turn: bool = True
    # The chip (ICAO 9303, kiosk.identity.chip). CSCA certificates (PEM or DER files, relative to the data
    # folder) that a chip's Document Signer must chain to. Empty with the simulated chip reader: the
    # simulated chip's own test CSCA, made at run time. Empty with a real reader: every chip is refused.
    chip_csca: list[str] = Field(default_factory=list)
    # A whole chip read (BAC, DG1, DG2, DG13, SOD, Active Authentication), and how long a visit waits for
    # the card on the reader before it goes on from the QR (flagged).
    chip_time_limit_s: float = Field(default=20.0, gt=0, le=120)
    chip_wait_s: float = Field(default=3.0, ge=0, le=60)

    @field_validator("face_models")
    @classmethod
    def _not_builtin(cls, value: dict[str, EmbeddingModelConfig]) -> dict[str, EmbeddingModelConfig]:
        if DLIB_FACE_MODEL in value:
            raise ValueError(f"'{DLIB_FACE_MODEL}' is the built-in model: give yours another name")
        return value

    @field_validator("face_model")
    @classmethod
    def _known_face_model(cls, value: str, info: ValidationInfo) -> str:
        models = info.data.get("face_models") or {}
        if value != DLIB_FACE_MODEL and value not in models:
            known = ", ".join([DLIB_FACE_MODEL, *sorted(models)])
            raise ValueError(
                f"unknown face model {value!r} (known: {known}); "
                f"define it in [identity.face_models.{value}] with its path and threshold"
            )
        return value
