"""How page images are embedded in the certified copy, and the hash the seal keeps of each.

A page image is embedded as one image XObject, unscaled (its pixel size and dpi give the page size):

* JPEG (``DCTDecode``) at ``jpeg_quality`` for photos and ordinary greyscale or colour scans;
* lossless (``FlateDecode`` over the raw samples) when the page is nearly black-and-white text and that
  is smaller than the JPEG.

Colour scans whose channels agree (a grey document scanned in colour) are embedded as greyscale.

The page hash (``page_image_digest``) is SHA-256 over the ASCII header
``"VNC1-IMG <width> <height> <DeviceGray|DeviceRGB> 8 <DCTDecode|FlateDecode>\\n"`` followed by the image
stream's bytes exactly as stored in the PDF (the JPEG file, or the Flate-compressed samples). A verifier
recomputes it from the embedded stream without decoding anything, so no decoder difference can change it.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass

import cv2
import numpy as np

from signing.errors import SigningError

GREY_TOLERANCE = 10  # max channel spread (0-255) still treated as grey, for scanner colour noise
BILEVEL_SHARE = 0.93  # share of near-white or near-black pixels for a page to be tried losslessly
_SAMPLE_STEP = 7


@dataclass(frozen=True)
class EmbeddedImage:
    width: int
    height: int
    color_space: str  # "DeviceGray" or "DeviceRGB"
    filter: str  # "DCTDecode" or "FlateDecode"
    data: bytes

    @property
    def digest(self) -> bytes:
        return page_image_digest(
            width=self.width,
            height=self.height,
            color_space=self.color_space,
            bits=8,
            filter_name=self.filter,
            data=self.data,
        )


def page_image_digest(
    *, width: int, height: int, color_space: str, bits: int, filter_name: str, data: bytes
) -> bytes:
    header = f"VNC1-IMG {width} {height} {color_space} {bits} {filter_name}\n".encode("ascii")
    return hashlib.sha256(header + data).digest()


def _check_image(image: np.ndarray) -> None:
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8:
        raise SigningError("a page image must be a uint8 numpy array")
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (1, 3, 4)):
        raise SigningError(f"a page image must be greyscale or BGR, got shape {image.shape}")
    if image.shape[0] < 16 or image.shape[1] < 16:
        raise SigningError(f"a page image of {image.shape[1]}x{image.shape[0]} pixels is too small")


def as_grey_if_grey(image: np.ndarray) -> np.ndarray:
    """2-D greyscale when the image is grey (or its colour channels agree), else 3-channel BGR."""
    if image.ndim == 2:
        return image
    if image.shape[2] == 1:
        return image[:, :, 0]
    if image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    sample = image[::_SAMPLE_STEP, ::_SAMPLE_STEP].astype(np.int16)
    spread = sample.max(axis=2) - sample.min(axis=2)
    if float(np.percentile(spread, 99.5)) <= GREY_TOLERANCE:
        return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    return image


def _looks_bilevel(grey: np.ndarray) -> bool:
    sample = grey[::_SAMPLE_STEP, ::_SAMPLE_STEP]
    extreme = np.count_nonzero((sample >= 235) | (sample <= 30))
    return bool(extreme >= BILEVEL_SHARE * sample.size)


def encode_page_image(image: np.ndarray, jpeg_quality: int = 85) -> EmbeddedImage:
    """The smallest sensible encoding of a page image for the PDF (see the module docstring)."""
    _check_image(image)
    pixels = np.ascontiguousarray(as_grey_if_grey(image))
    height, width = pixels.shape[:2]
    ok, jpeg = cv2.imencode(
        ".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality, cv2.IMWRITE_JPEG_OPTIMIZE, 1]
    )
    if not ok:
        raise SigningError("the page image could not be encoded as JPEG")
    grey = pixels.ndim == 2
    color_space = "DeviceGray" if grey else "DeviceRGB"
    best = EmbeddedImage(width, height, color_space, "DCTDecode", jpeg.tobytes())
    if grey and _looks_bilevel(pixels):
        flate = zlib.compress(pixels.tobytes(), 6)
        if len(flate) < len(best.data):
            best = EmbeddedImage(width, height, color_space, "FlateDecode", flate)
    return best
