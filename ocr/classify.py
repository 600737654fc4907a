"""Document classification by weighted key phrases, matched without diacritics.

Matching on folded text (no accents, lower case) makes the classifier indifferent to the diacritic
errors OCR makes most. Title phrases weigh most, and count double near the top of the page; body
phrases add evidence. A few phrases veto a type they resemble (a marital status confirmation is not a
marriage certificate). The phrases of each type are in its `ocr.doctypes` entry.
"""

from __future__ import annotations

import re

from ocr.doctypes import DOC_TYPES, REGISTRY
from ocr.text import fold, nfc

__all__ = ["DOC_TYPES", "MIN_SCORE", "classify", "scores"]

MIN_SCORE = 5.0  # a type needs at least one title phrase, or several body phrases


def scores(text: str) -> dict[str, float]:
    """Evidence for each type (title phrases in the first third count double)."""
    folded = " ".join(fold(nfc(text)).split())
    head = folded[: max(300, len(folded) // 3)]
    result: dict[str, float] = {}
    for kind in REGISTRY:
        if not kind.phrases:
            continue
        if kind.veto and re.search(kind.veto, head):
            result[kind.key] = 0.0
            continue
        total = 0.0
        for pattern, weight in kind.phrases:
            if re.search(pattern, folded):
                total += weight
                if weight >= 6 and re.search(pattern, head):
                    total += weight
        result[kind.key] = total
    return result


def classify(text: str) -> str:
    """One of DOC_TYPES for the OCR text of a document; "other" when no type has enough evidence."""
    found = scores(text)
    best = max(found, key=lambda k: found[k])
    return best if found[best] >= MIN_SCORE else "other"
