"""Screen settings: the `[ui]` table."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class UiConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    language: Literal["vi", "en"] = "vi"
    # Seconds without a touch before the countdown overlay, then seconds of countdown before the reset.
    idle_timeout_s: float = Field(default=90.0, gt=0)
    countdown_s: float = Field(default=15.0, gt=0, le=120)
    # Screen geometry when not fullscreen (`kiosk run --windowed`) and for screenshots.
    orientation: Literal["landscape", "portrait"] = "landscape"
    large_text: bool = False
    high_contrast: bool = False
    voice: bool = False  # voice prompts on at the start of each visit
    espeak_command: str = "espeak-ng"
    # scrypt hash of the technician PIN (`kiosk maintenance-pin` prints one). Empty: maintenance is closed,
    # except on the simulated profile, where the development PIN 123456 opens it.
    maintenance_pin_hash: str = ""
    # Frames the camera takes for one liveness + face check.
    frames_per_check: int = Field(default=5, ge=1, le=30)
