"""Titles read again on their own: a line in capitals read with doubt is cut out and read as one line.

Read as part of one uniform block (page segmentation mode 6, which keeps the two header blocks of an
official paper in reading order), a title in large bold capitals often loses its diacritics ("PHIEU THONG
TIN" for "PHIẾU THÔNG TIN"): Tesseract sizes its line model on the body text. Cut out and read as a single
line (mode 7) it comes back whole. Only lines in capitals with a doubtful word are read again, in
parallel, so this costs a few tenths of a second on the pages that need it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from ocr import tesseract

DOUBT = 96.0  # a capitals line with a word read below this confidence is read again (marks go first)
MAX_LINES = 8


def _lines(words: Sequence[tesseract.TessWord]) -> list[list[tesseract.TessWord]]:
    out: list[list[tesseract.TessWord]] = []
    key = None
    for w in words:
        k = (w.block, w.par, w.line)
        if k != key:
            out.append([])
            key = k
        out[-1].append(w)
    return out


def _doubtful_capitals(line: Sequence[tesseract.TessWord]) -> bool:
    letters = [ch for w in line for ch in w.text if ch.isalpha()]
    long_words = sum(1 for w in line if sum(ch.isalpha() for ch in w.text) >= 2)
    return (
        long_words >= 2
        and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)
        and min(w.confidence for w in line) < DOUBT
    )


def _letters(words: Sequence[tesseract.TessWord]) -> int:
    return sum(ch.isalnum() for w in words for ch in w.text)


def _weighted(words: Sequence[tesseract.TessWord]) -> float:
    total = sum(len(w.text) for w in words)
    return sum(w.confidence * len(w.text) for w in words) / max(1, total)


def reread_large_lines(
    gray: np.ndarray, words: list[tesseract.TessWord], *, dpi: int, deadline: float, languages: str
) -> list[tesseract.TessWord]:
    """`words` with each doubtful line in capitals (not a table row) replaced by its own reading, when
    that is read with at least the confidence of the original."""
    lines = _lines(words)
    large = [k for k, line in enumerate(lines) if line[0].block < 100_000 and _doubtful_capitals(line)][
        :MAX_LINES
    ]
    if not large:
        return words
    h, w = gray.shape[:2]
    jobs = []
    for k in large:
        line = lines[k]
        x0, y0 = min(x.left for x in line), min(x.top for x in line)
        x1, y1 = max(x.left + x.width for x in line), max(x.top + x.height for x in line)
        pad = max(8, int(0.4 * (y1 - y0)))
        box = (max(0, x0 - pad), max(0, y0 - pad), min(w, x1 + pad), min(h, y1 + pad))
        crop = gray[box[1] : box[3], box[0] : box[2]]
        jobs.append((k, box, tesseract.start(crop, languages=languages, psm=7, dpi=dpi)))
    try:
        for k, box, proc in jobs:
            try:
                found = tesseract.parse_tsv(tesseract.finish(proc, deadline), dx=box[0], dy=box[1])
            except (RuntimeError, tesseract.TesseractTimeout):
                continue
            found = [x for x in found if x.text.strip()]
            old = lines[k]
            if (
                found
                and abs(len(found) - len(old)) <= 1
                and _letters(found) >= _letters(old)  # marks come back; no letter may go
                and _weighted(found) >= _weighted(old) - 2
            ):
                first = old[0]
                lines[k] = [
                    dataclasses.replace(x, block=first.block, par=first.par, line=first.line) for x in found
                ]
    finally:
        for _, _, proc in jobs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    return [x for line in lines for x in line]
