"""Is this page one the citizen has already scanned? (issue 25: an identical page was accepted as page 2)

Two signals, both cheap next to the OCR that already ran:

* **what the page says**: the OCR words of the two pages, compared in order (difflib's ratio over the
  word sequences). A re-scan of the same page reads almost the same words (OCR noise changes a few); two
  pages of the same form (two birth certificates, page 1 and page 2 of one diploma) share the form's words
  but not the names, numbers and dates, which are a good part of a page.
* **what the page looks like**: a 256-bit perceptual hash (the signs of the low-frequency DCT of the page at
  64x64, as in pHash), which survives a small shift, rotation, noise or exposure change, while a different
  filling of the same form moves enough of the page's ink to change many bits.

A page is a duplicate when both agree: the words are near-identical (ratio >= `TEXT_SAME`) and the
pictures close (Hamming distance <= `HASH_NEAR`). A page with too few words to compare (a photo, a stamp
page) is judged by the picture alone, with a stricter distance (`HASH_SAME`).

Measured on the sample documents through Tesseract (birth certificate, diploma, residence confirmation), a
re-scan shifted by a few pixels, turned 0.4° and with noise: hash distance 0.016-0.047, words 0.99-1.0;
another document of the same type: hash 0.21-0.28, words 0.57-0.69. tests/kiosk/test_duplicate_page.py
keeps both sides.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np

HASH_SIDE, HASH_KEEP = 64, 16  # the page at 64x64; the 16x16 lowest frequencies (256 bits)
TEXT_SAME = 0.9  # difflib ratio of the word sequences
HASH_NEAR = 0.15  # share of differing bits when the words agree
HASH_SAME = 0.08  # share of differing bits when there are too few words to compare
MIN_WORDS = 12
_WORD = re.compile(r"\w{2,}", re.UNICODE)


def page_hash(image: np.ndarray) -> np.ndarray:
    """The page's perceptual hash: 256 booleans (DCT low frequencies above their median)."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    small = cv2.resize(grey, (HASH_SIDE, HASH_SIDE), interpolation=cv2.INTER_AREA).astype(np.float32)
    low = cv2.dct(small)[:HASH_KEEP, :HASH_KEEP].flatten()
    low[0] = np.median(low[1:])  # the DC term says how bright the page is, not what is on it
    return np.asarray(low > np.median(low))


def hash_distance(a: np.ndarray, b: np.ndarray) -> float:
    """The share of bits that differ (0 = same picture, about 0.5 = unrelated)."""
    return float(np.count_nonzero(a != b)) / float(a.size)


def words_of(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def text_similarity(a: Sequence[str], b: Sequence[str]) -> float:
    """difflib's ratio of two word sequences (1.0: the same words in the same order)."""
    if not a and not b:
        return 1.0
    return difflib.SequenceMatcher(None, list(a), list(b), autojunk=False).ratio()


def same_page(a: Any, b: Any) -> bool:
    """Whether pages `a` and `b` (ocr.PageResult: `image` and `text`) show the same content."""
    image_a, image_b = getattr(a, "image", None), getattr(b, "image", None)
    if image_a is None or image_b is None:
        return False
    distance = hash_distance(page_hash(image_a), page_hash(image_b))
    words_a, words_b = words_of(str(getattr(a, "text", ""))), words_of(str(getattr(b, "text", "")))
    if min(len(words_a), len(words_b)) < MIN_WORDS:
        return distance <= HASH_SAME
    return distance <= HASH_NEAR and text_similarity(words_a, words_b) >= TEXT_SAME


def find_duplicate(page: Any, earlier: Sequence[Any]) -> int | None:
    """The index in `earlier` of a page with the same content as `page`, or None."""
    for index, other in enumerate(earlier):
        if same_page(page, other):
            return index
    return None
