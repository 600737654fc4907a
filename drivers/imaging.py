"""Small image helpers shared by the devices: every device hands out BGR uint8 arrays."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from drivers.errors import ScanFailed


def as_bgr(image: np.ndarray) -> np.ndarray:
    """A 3-channel uint8 BGR view of a gray, BGR or BGRA image (16-bit input is scaled down)."""
    if not isinstance(image, np.ndarray) or image.ndim not in (2, 3) or image.size == 0:
        raise ValueError(f"not an image: {type(image).__name__} {getattr(image, 'shape', '')}")
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    elif image.dtype != np.uint8:
        image = np.clip(image, 0, 255).astype(np.uint8)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    channels = image.shape[2]
    if channels == 1:
        return cv2.cvtColor(image[:, :, 0], cv2.COLOR_GRAY2BGR)
    if channels == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if channels == 3:
        return image
    raise ValueError(f"unsupported channel count {channels}")


def scale_to_dpi(image: np.ndarray, source_dpi: int, dpi: int) -> np.ndarray:
    if dpi <= 0:
        raise ValueError(f"dpi must be positive, got {dpi}")
    if dpi == source_dpi:
        return image
    factor = dpi / source_dpi
    size = (max(1, round(image.shape[1] * factor)), max(1, round(image.shape[0] * factor)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC)


def decode_image_bytes(data: bytes, what: str) -> np.ndarray:
    """Decode PNM, TIFF, PNG or JPEG bytes (8 or 16 bit, gray or colour) into BGR uint8."""
    if not data:
        raise ScanFailed(f"{what}: empty image", category="scanner", detail=f"{what}: no image data")
    buffer = np.frombuffer(data, np.uint8)
    image = cv2.imdecode(buffer, cv2.IMREAD_UNCHANGED | cv2.IMREAD_ANYDEPTH)
    if image is None and data[:2] in (b"P4", b"P1"):
        image = _decode_bitmap_pnm(data)
    if image is None:
        raise ScanFailed(
            f"{what}: cannot decode image",
            category="scanner",
            detail=f"{what}: {len(data)} bytes, head {data[:16]!r}",
        )
    return as_bgr(image)


def _decode_bitmap_pnm(data: bytes) -> np.ndarray | None:
    """P4 (binary bitmap) with a lineart scan: 1 is black."""
    if data[:2] != b"P4":
        return None
    fields: list[bytes] = []
    pos = 2
    while len(fields) < 2:
        while pos < len(data) and data[pos : pos + 1].isspace():
            pos += 1
        if data[pos : pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        start = pos
        while pos < len(data) and not data[pos : pos + 1].isspace():
            pos += 1
        fields.append(data[start:pos])
    pos += 1
    width, height = int(fields[0]), int(fields[1])
    row = (width + 7) // 8
    bits = np.unpackbits(np.frombuffer(data[pos : pos + row * height], np.uint8).reshape(height, row), axis=1)
    return np.where(bits[:, :width] == 1, 0, 255).astype(np.uint8)


def load_image_file(path: Path) -> np.ndarray:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScanFailed(f"cannot read {path.name}", category="scanner", detail=f"{path}: {exc}") from exc
    return decode_image_bytes(data, path.name)
