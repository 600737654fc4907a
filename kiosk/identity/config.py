"""Identity settings: the `[identity]` table."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class IdentityConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    face_threshold: float = Field(default=0.5, gt=0, lt=1)
    min_matching_frames: int = Field(default=2, ge=1)
