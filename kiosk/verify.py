"""Checking a certified copy: a signed PDF, or a photo or scan of a printed page (its QR seal alone)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from kiosk.errors import BadInputError


def verify_image(image: np.ndarray, trust: Any) -> Any:
    """Find the QR seal on a picture of a printed page and verify it offline."""
    import signing
    from ocr.barcodes import decode_qr_codes

    results = []
    for payload in decode_qr_codes(image):
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError:
            continue
        result = signing.verify_seal_text(text, trust)
        if result.valid:
            return result
        results.append(result)
    if results:
        return results[0]
    # Nothing zbar could read: signing's own search (OpenCV's detector, small rotations) has the last
    # word, and its verdict says how to take a better picture when it finds nothing either.
    return signing.verify_printed_page(image, trust)


def read_copy_file(path: Path) -> bytes:
    """The bytes of a file to check, or a BadInputError that names it."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise BadInputError("file not found", subject=str(path)) from None
    except OSError as exc:
        raise BadInputError(f"cannot read the file: {exc.strerror}", subject=str(path)) from None


def verify_copy(source: Path | bytes | np.ndarray, trust: Any, *, subject: str = "input") -> Any:
    """Verify a PDF (signature, chain, seal, page hashes) or a page image (its seal).

    A forgery is a negative verdict in the result, never an exception; only unusable input raises.
    """
    import signing
    from ocr import ImageError, load_image

    if isinstance(source, np.ndarray):
        return verify_image(source, trust)
    if isinstance(source, Path):
        subject, data = str(source), read_copy_file(source)
    else:
        data = source
    if data.lstrip()[:5] == b"%PDF-":
        return signing.verify_pdf(data, trust)
    try:
        image = load_image(data)
    except ImageError as exc:
        raise BadInputError(f"neither a PDF nor a readable image: {exc}", subject=subject) from None
    return verify_image(image, trust)
