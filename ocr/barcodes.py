"""QR decoding for scans and camera photos: every QR payload in an image, as raw bytes.

zbar (through pyzbar) is fast and exact on a clean, upright code, but a card photographed at an angle,
a slightly blurred scan or a QR only ~1.5 px per module wide defeats a single call. So the decoder tries a
short ladder of variants and stops at the first that yields anything:

1. the grey image as it is;
2. a local (adaptive) threshold and an unsharp mask, which restore module edges smeared by blur;
3. the same at 2x, and 3x, when the image is small (zbar needs ~3 px per module);
4. rotated by +-22.5 degrees (zbar reads a clean QR at any angle; this is a last try for a skewed one
   that is also degraded).

A card with no readable QR costs the whole ladder, ~0.3-0.7 s for a 300 dpi card.

Plain numpy in, bytes out: this module knows nothing of what the payload means.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from types import ModuleType

import cv2
import numpy as np

log = logging.getLogger(__name__)

# Below these many pixels on the short side, a card's QR may have too few pixels per module for zbar:
# try the image at 2x (a 300 dpi card is 638 px high), and at 3x when it is really small.
_UPSCALE_X2_BELOW_PX = 1400
_UPSCALE_X3_BELOW_PX = 420
# Above this, downscale first: zbar's time grows with the pixel count, and a 300 dpi A4 page is plenty.
_MAX_SIDE_PX = 3600
_ROTATIONS_DEG = (22.5, -22.5)


def _to_grey(image: np.ndarray) -> np.ndarray:
    if not isinstance(image, np.ndarray) or image.size == 0:
        raise ValueError("decode_qr_codes needs a non-empty numpy image")
    if image.dtype != np.uint8:
        image = np.clip(image, 0, 255).astype(np.uint8)
    if image.ndim == 2:
        return image
    if image.ndim == 3 and image.shape[2] == 1:
        return image[:, :, 0]
    if image.ndim == 3 and image.shape[2] == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    if image.ndim == 3 and image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    raise ValueError(f"decode_qr_codes: unsupported image shape {image.shape}")


def zbar() -> ModuleType:
    """pyzbar's reader over libzbar."""
    from pyzbar import pyzbar  # heavy: loading libzbar runs ldconfig in a child process; first code read

    return pyzbar


def _decode(grey: np.ndarray) -> list[bytes]:
    reader = zbar()
    symbols = reader.decode(grey, symbols=[reader.ZBarSymbol.QRCODE])
    return [s.data for s in symbols if s.data]


def _rotate(grey: np.ndarray, angle: float) -> np.ndarray:
    h, w = grey.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(h * sin + w * cos), int(h * cos + w * sin)
    matrix[0, 2] += new_w / 2 - w / 2
    matrix[1, 2] += new_h / 2 - h / 2
    return cv2.warpAffine(grey, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR, borderValue=255)


def _sharpen(grey: np.ndarray, sigma: float, amount: float) -> np.ndarray:
    blurred = cv2.GaussianBlur(grey, (0, 0), sigma)
    return cv2.addWeighted(grey, 1.0 + amount, blurred, -amount, 0)


def _otsu(grey: np.ndarray) -> np.ndarray:
    _, binary = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return binary


def _adaptive(grey: np.ndarray, block: int) -> np.ndarray:
    """Local threshold: restores module edges that blur has smeared, and evens out shadows."""
    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block | 1, 2)


def _scaled(grey: np.ndarray, factor: float) -> np.ndarray:
    return cv2.resize(grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)


def _variants(grey: np.ndarray) -> Iterator[tuple[str, np.ndarray]]:
    """Cheap variants first; the ladder stops at the first variant that decodes."""
    yield "as-is", grey
    yield "adaptive", _adaptive(grey, 15)
    yield "sharpened", _sharpen(grey, 3.0, 2.0)
    short = min(grey.shape)
    scales = [
        factor
        for factor, below in ((2.0, _UPSCALE_X2_BELOW_PX), (3.0, _UPSCALE_X3_BELOW_PX))
        if short < below
    ]
    for factor in scales:
        up = _scaled(grey, factor)
        yield f"x{factor:.0f}", up
        yield f"x{factor:.0f} adaptive", _adaptive(up, round(15 * factor))
        yield f"x{factor:.0f} sharpened", _otsu(_sharpen(up, 1.0 * factor, 2.0))
    # zbar finds a QR at any angle on a clean image; these are a last try for a skewed code that is
    # also degraded (cheap: at the image's own size).
    for angle in _ROTATIONS_DEG:
        rotated = _rotate(grey, angle)
        yield f"rotated {angle:+.0f}", rotated
        yield f"rotated {angle:+.0f} adaptive", _adaptive(rotated, 15)


def decode_qr_codes(image: np.ndarray) -> list[bytes]:
    """Every QR payload found in `image` (BGR, BGRA or grey uint8), in reading order, without duplicates.

    Returns an empty list when there is no readable QR. Raises ValueError for something that is not an
    image (empty, wrong shape).
    """
    grey = _to_grey(image)
    if max(grey.shape) > _MAX_SIDE_PX:
        factor = _MAX_SIDE_PX / max(grey.shape)
        grey = cv2.resize(grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    for name, variant in _variants(grey):
        found = _decode(variant)
        if found:
            log.debug("QR decoded on the %s variant (%d code(s))", name, len(found))
            return list(dict.fromkeys(found))
    log.debug("no QR code found in a %dx%d image", grey.shape[1], grey.shape[0])
    return []
