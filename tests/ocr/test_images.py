"""load_image: every kind of bad file is one clear ImageError; good files decode to BGR."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from ocr import ImageError, load_image

from .conftest import png_bytes


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width x height pixels but holds almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def _page() -> np.ndarray:
    img = np.full((300, 200, 3), 255, np.uint8)
    cv2.putText(img, "Test 123", (10, 150), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 2)
    return img


def test_good_png_round_trips_as_bgr() -> None:
    img = _page()
    img[0, 0] = (255, 0, 0)  # blue in BGR
    out = load_image(png_bytes(img))
    assert out.shape == img.shape and out.dtype == np.uint8
    assert np.array_equal(out, img)


def test_grayscale_and_alpha_become_three_channel_bgr(tmp_path: Path) -> None:
    gray = cv2.cvtColor(_page(), cv2.COLOR_BGR2GRAY)
    path = tmp_path / "gray.png"
    cv2.imwrite(str(path), gray)
    assert load_image(path).shape == (300, 200, 3)
    rgba = np.zeros((100, 100, 4), np.uint8)  # fully transparent: composited onto white paper
    assert load_image(png_bytes(rgba)).min() == 255


def test_not_an_image() -> None:
    with pytest.raises(ImageError, match="not an image"):
        load_image(b"%PDF-1.7 this is not a picture at all" * 10)
    with pytest.raises(ImageError, match="empty"):
        load_image(b"")


def test_truncated_png_and_jpeg() -> None:
    img = np.random.default_rng(0).integers(0, 255, (400, 400, 3), dtype=np.uint8)
    png = png_bytes(img)
    with pytest.raises(ImageError, match="truncated or corrupt"):
        load_image(png[: len(png) // 2])
    ok, jpg = cv2.imencode(".jpg", img)
    assert ok
    with pytest.raises(ImageError, match="truncated or corrupt"):
        load_image(jpg.tobytes()[: len(jpg) // 2])


def test_one_pixel_image() -> None:
    with pytest.raises(ImageError, match=r"too small \(1x1"):
        load_image(png_bytes(np.zeros((1, 1, 3), np.uint8)))


def test_20000_by_20000_header_is_refused_before_decoding() -> None:
    with pytest.raises(ImageError, match=r"too large.*400000000 pixels"):
        load_image(_png_header_only(20000, 20000))
    # Under Pillow's own bomb limit but over ours: refused by our check, naming the size.
    with pytest.raises(ImageError, match=r"too large \(12000x9000"):
        load_image(_png_header_only(12000, 9000))


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="file not found"):
        load_image(tmp_path / "nope.png")
    with pytest.raises(ImageError, match="folder"):
        load_image(tmp_path)


def test_truncated_files_stay_refused_after_the_face_models_load() -> None:
    """face_recognition switches Pillow to accept truncated files process-wide; the kiosk switches it back."""
    from kiosk.identity.dlib_models import models

    models()
    img = np.random.default_rng(1).integers(0, 255, (300, 300, 3), dtype=np.uint8)
    png = png_bytes(img)
    with pytest.raises(ImageError, match="truncated or corrupt"):
        load_image(png[: len(png) // 2])
