"""Scoring helpers for bench/ocr_bench.py and tests/ocr: character error rate and field comparison."""

from __future__ import annotations

import unicodedata

import numpy as np


def normalise(text: str) -> str:
    """NFC, with every run of whitespace (line breaks, form feeds) as one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def levenshtein(a: str, b: str) -> int:
    """Edit distance, one numpy row per character of `a` (fast enough for whole pages)."""
    if not a:
        return len(b)
    if not b:
        return len(a)
    codes_b = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    idx = np.arange(len(b) + 1, dtype=np.int64)
    prev = idx.copy()
    for i, ch in enumerate(a, 1):
        sub = prev[:-1] + (codes_b != ord(ch))
        x = np.empty_like(prev)
        x[0] = i
        x[1:] = np.minimum(prev[1:] + 1, sub)
        # insertions along the row: cur[j] = min_k<=j (x[k] + j - k)
        prev = np.minimum.accumulate(x - idx) + idx
    return int(prev[-1])


def cer(recognised: str, truth: str) -> float:
    """Character error rate of `recognised` against `truth`, in percent (whitespace normalised)."""
    ref = normalise(truth)
    return 100.0 * levenshtein(normalise(recognised), ref) / max(1, len(ref))


def same_field(found: str | None, expected: str) -> bool:
    if found is None:
        return False
    return normalise(found).casefold() == normalise(expected).casefold()


def _words(text: str) -> list[str]:
    return [w.strip(".,;:()\"'") for w in normalise(text).split() if w.strip(".,;:()\"'")]


def word_recall(recognised: str, truth: str) -> float:
    """Percent of the truth's words (punctuation at their ends ignored) found in the recognised text,
    counted with multiplicity: a word printed twice must be read twice."""
    found: dict[str, int] = {}
    for word in _words(recognised):
        found[word] = found.get(word, 0) + 1
    expected = _words(truth)
    hits = 0
    for word in expected:
        if found.get(word, 0) > 0:
            found[word] -= 1
            hits += 1
    return 100.0 * hits / max(1, len(expected))
