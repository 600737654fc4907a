"""Checking a printed copy from a photo or scan: find the QR seal on the page and verify it."""

from __future__ import annotations

import logging

import cv2
import numpy as np
from pyzbar import pyzbar

from signing.model import Verification
from signing.seal import PREFIX
from signing.trust import TrustStore
from signing.verify import verify_seal_text

log = logging.getLogger(__name__)


def find_seal_texts(image: np.ndarray) -> list[str]:
    """Every QR seal text (``VNC1:...``) on a page image (BGR or grey), trying a few scales if needed."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim not in (2, 3):
        return []
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    seen: list[str] = []
    for attempt in ("plain", "upscaled", "binarised"):
        candidate = grey
        if attempt == "upscaled":
            candidate = cv2.resize(grey, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
        elif attempt == "binarised":
            candidate = cv2.adaptiveThreshold(
                grey, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, 31, 10
            )
        for symbol in pyzbar.decode(candidate, symbols=[pyzbar.ZBarSymbol.QRCODE]):
            text = symbol.data.decode("ascii", errors="replace")
            if text.startswith(PREFIX) and text not in seen:
                seen.append(text)
        if seen:
            break
    return seen


def verify_printed_page(image: np.ndarray, trust: TrustStore) -> Verification:
    """The verdict on a photo or scan of a printed page, from its QR seal alone."""
    texts = find_seal_texts(image)
    if not texts:
        return Verification(
            valid=False,
            code=None,
            reason="no certified-copy QR seal was found on the image; scan the page again, flat and in focus",
            issued_at=None,
            pages=None,
            holder=None,
            doc_type=None,
            reason_key="no_seal",
        )
    results = [verify_seal_text(text, trust) for text in texts]
    return next((r for r in results if r.valid), results[0])
