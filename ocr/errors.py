"""The ocr package's error family."""

from __future__ import annotations


class ImageError(ValueError):
    """The input is not a usable image; the message names the problem (not an image, truncated, too small)."""

    exit_code = 2


class OcrUnavailable(RuntimeError):
    """The OCR engine cannot run here (tesseract or a language model is not installed)."""

    exit_code = 3
