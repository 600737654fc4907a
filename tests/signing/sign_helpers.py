"""Helpers for the signing tests: generated page images with their OCR words, and copy facts."""

from __future__ import annotations

import datetime as dt

import cv2
import numpy as np

from signing.code import make_code
from signing.model import CopyMeta, CopyPage, TextWord

AUTHORITY = "Trung tâm Phục vụ Hành chính công Thành phố Hà Nội"
KIOSK = "HN-001"


def make_page(seed: int = 0, *, lines: int = 40, color: bool = False, size: tuple[int, int] = (2480, 3508)):
    """A 300 dpi page with lines of text and the OCR words (exact boxes) that match it."""
    rng = np.random.default_rng(seed)
    width, height = size
    image = np.full((height, width, 3), 255, np.uint8)
    if color:
        image[:, :] = (220, 235, 245)
        cv2.circle(image, (width // 2, height // 3), width // 6, (40, 60, 200), -1)
    words: list[TextWord] = []
    for i in range(lines):
        text = f"GIAY KHAI SINH {seed} dong {i} so {int(rng.integers(1000, 9999))}"
        y = 250 + i * 75
        if y > height - 400:
            break
        cv2.putText(image, text, (200, y), cv2.FONT_HERSHEY_SIMPLEX, 1.3, (25, 25, 25), 3)
        (w, h), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 1.3, 3)
        words.append(TextWord(text, 200, y - h, w, h))
    return image, tuple(words)


def copy_page(seed: int = 0, **kwargs) -> CopyPage:
    image, words = make_page(seed, **kwargs)
    return CopyPage(image=image, dpi=300, words=words)


def copy_meta(sequence: int = 123, **overrides) -> CopyMeta:
    values = {
        "code": make_code("HN", KIOSK, sequence),
        "issued_at": dt.datetime.now(dt.UTC).replace(microsecond=0),
        "authority": AUTHORITY,
        "kiosk_id": KIOSK,
        "doc_type": "birth_certificate",
        "holder_masked_id": "001******567",
    }
    values.update(overrides)
    return CopyMeta(**values)
