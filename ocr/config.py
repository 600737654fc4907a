"""OCR settings: the `[ocr]` table of the kiosk config."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class OcrConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    languages: str = "vie+eng"
    page_timeout_s: float = Field(default=15.0, gt=0, le=120)
