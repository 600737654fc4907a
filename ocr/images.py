"""Loading page images safely: every way a file can be wrong becomes one clear ImageError.

The header is read first (Pillow opens lazily), so a file that claims 20000 x 20000 pixels is refused or
decoded reduced (JPEG) before any pixel is allocated. Truncated and corrupt files are refused, not
half-decoded.
"""

from __future__ import annotations

import io
import logging
import os
import warnings
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ocr.errors import ImageError

log = logging.getLogger(__name__)

MIN_SIDE = 64  # pixels; smaller than this cannot hold a readable page
MAX_DECODE_PIXELS = 80_000_000  # refuse to decode more than this (a 600 dpi A4 is 35 Mpx)
JPEG_DRAFT_PIXELS = 40_000_000  # JPEGs above this are decoded reduced by the DCT (cheap)
MAX_FILE_BYTES = 200 * 1024 * 1024


def _read_source(source: str | os.PathLike[str] | bytes) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), "<bytes>"
    path = Path(source)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ImageError(f"{path}: file not found") from None
    except OSError as exc:
        raise ImageError(f"{path}: cannot read file: {exc.strerror or exc}") from None
    if path.is_dir():
        raise ImageError(f"{path}: is a folder, not an image file")
    if size > MAX_FILE_BYTES:
        raise ImageError(
            f"{path}: file too large ({size // (1024 * 1024)} MB, limit {MAX_FILE_BYTES >> 20} MB)"
        )
    try:
        return path.read_bytes(), str(path)
    except OSError as exc:
        raise ImageError(f"{path}: cannot read file: {exc.strerror or exc}") from None


def _to_8bit_rgb(img: Image.Image) -> np.ndarray:
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img, dtype=np.uint32)
        top = max(1, int(arr.max()))
        gray = (arr * 255 // top).astype(np.uint8) if top > 255 else arr.astype(np.uint8)
        return cv2.cvtColor(gray, cv2.COLOR_GRAY2RGB)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(white, rgba).convert("RGB"))
    return np.asarray(img.convert("RGB"))


def load_image(source: str | os.PathLike[str] | bytes) -> np.ndarray:
    """Decode an image file or bytes to a BGR uint8 array; ImageError names what is wrong."""
    data, name = _read_source(source)
    if not data:
        raise ImageError(f"{name}: empty file, not an image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise ImageError(f"{name}: not an image (unrecognised file format)") from None
    except Image.DecompressionBombError as exc:
        # Pillow refuses from the header alone: "Image size (400000000 pixels) exceeds limit ..."
        raise ImageError(f"{name}: image too large to decode safely ({exc}); scan at 300 dpi") from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise ImageError(f"{name}: not a readable image: {exc}") from None
    width, height = img.size
    if width < MIN_SIDE or height < MIN_SIDE:
        raise ImageError(
            f"{name}: image too small ({width}x{height} pixels; a page needs at least {MIN_SIDE})"
        )
    pixels = width * height
    if pixels > JPEG_DRAFT_PIXELS and img.format == "JPEG":
        factor = 1
        while pixels / (factor * factor) > JPEG_DRAFT_PIXELS and factor < 8:
            factor *= 2
        img.draft("RGB", (width // factor, height // factor))
        log.info("large JPEG %dx%d decoded at 1/%d", width, height, factor)
    elif pixels > MAX_DECODE_PIXELS:
        raise ImageError(
            f"{name}: image too large ({width}x{height} pixels, limit {MAX_DECODE_PIXELS // 1_000_000} megapixels);"
            " scan at 300 dpi"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img.load()
            upright: Image.Image = ImageOps.exif_transpose(img) or img
            rgb = _to_8bit_rgb(upright)
    except Image.DecompressionBombError:
        raise ImageError(f"{name}: image too large to decode safely") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ImageError(f"{name}: truncated or corrupt image ({exc})") from None
    except MemoryError:
        raise ImageError(f"{name}: image too large to decode in memory") from None
    return np.ascontiguousarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
