"""Screen settings: the `[ui]` table."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class UiConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    language: Literal["vi", "en"] = "vi"
    idle_timeout_s: float = Field(default=90.0, gt=0)
