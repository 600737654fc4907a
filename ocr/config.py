"""OCR settings: the `[ocr]` table of the kiosk config."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class OcrConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Tesseract language models, joined by "+". "vie" alone reads the Latin of bilingual cards well; adding
    # "eng" lets the English model win words and drop their diacritics (CER 0.7 % -> 1.6 % on clean pages).
    languages: str = Field(default="vie", pattern=r"^[A-Za-z_]+(\+[A-Za-z_]+)*$")
    # Hard bound on one page, preprocessing and every Tesseract run included.
    page_timeout_s: float = Field(default=15.0, gt=0, le=120)
    # Tesseract page segmentation mode: 6 (one block, read row by row) suits forms and certificates.
    psm: int = Field(default=6, ge=3, le=13)
    # Horizontal bands of one page read by parallel Tesseract processes (one core each).
    parallel_bands: int = Field(default=2, ge=1, le=8)
    # Pages of one document read at the same time.
    parallel_pages: int = Field(default=1, ge=1, le=8)
    # Pages scanned finer than this are reduced for Tesseract (word boxes are scaled back): ~210 dpi
    # reads 12 pt Vietnamese as well as 300 dpi does (bench/ocr_bench.py) in about two thirds of the time.
    ocr_dpi: int = Field(default=210, ge=100, le=600)
