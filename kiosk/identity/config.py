"""Identity settings: the `[identity]` table."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class IdentityConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Largest face distance (dlib 128-d encodings, Euclidean) still taken as the same person.
    # Calibrated on ../shared/faces, see kiosk/identity/face.py (CALIBRATION) and bench/face_bench.py.
    face_threshold: float = Field(default=0.55, gt=0, lt=1)
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
    # The chip (ICAO 9303, kiosk.identity.chip). CSCA certificates (PEM or DER files, relative to the data
    # folder) that a chip's Document Signer must chain to. Empty with the simulated chip reader: the
    # simulated chip's own test CSCA, made at run time. Empty with a real reader: every chip is refused.
    chip_csca: list[str] = Field(default_factory=list)
    # A whole chip read (BAC, DG1, DG2, DG13, SOD, Active Authentication), and how long a visit waits for
    # the card on the reader before it goes on from the QR (flagged).
    chip_time_limit_s: float = Field(default=20.0, gt=0, le=120)
    chip_wait_s: float = Field(default=3.0, ge=0, le=60)
