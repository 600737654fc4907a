"""Lines read again on their own: titles in capitals read with doubt, and print that no word covers.

Read as part of one uniform block (page segmentation mode 6, which keeps the two header blocks of an
official paper in reading order), a title in large bold capitals often loses its diacritics ("PHIEU THONG
TIN" for "PHIẾU THÔNG TIN"): Tesseract sizes its line model on the body text. Cut out and read as a single
line (mode 7) it comes back whole. Only lines in capitals with a doubtful word are read again, in
parallel, so this costs a few tenths of a second on the pages that need it.

Tesseract also skips a line now and then (a soft scan, a header block beside another), with no sign in
its confidence. :func:`recover_lost_lines` finds print that no word box covers and reads it alone.
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


def _runs(profile: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """(start, end) of the runs where `profile` is set, runs closer than `gap` joined."""
    on = np.concatenate([[False], profile, [False]])
    edges = np.flatnonzero(on[1:] != on[:-1])
    runs: list[tuple[int, int]] = []
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        if runs and a - runs[-1][1] < gap:
            runs[-1] = (runs[-1][0], int(b))
        else:
            runs.append((int(a), int(b)))
    return runs


def lost_segments(gray: np.ndarray, words: Sequence[tesseract.TessWord]) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) of print on the page that no word covers: lines Tesseract skipped.

    The print is cut into text rows by its row profile and each row into pieces at wide gaps; a piece
    with at least a few letters' worth of ink and no word box over it was lost.
    """
    heights = sorted(w.height for w in words if sum(ch.isalnum() for ch in w.text) >= 2)
    if len(heights) < 3:
        return []
    typical = heights[len(heights) // 2]
    f = 2  # half size is plenty to find rows of print
    ink = gray[::f, ::f] < 160
    found = []
    for top, bottom in _runs(ink.sum(axis=1) >= 2, max(1, int(0.3 * typical / f))):
        if not 0.5 * typical <= (bottom - top) * f <= 2.5 * typical:
            continue
        band = ink[top:bottom]
        for left, right in _runs(band.sum(axis=0) > 0, max(2, int(1.5 * typical / f))):
            if np.count_nonzero(band[:, left:right]) * f * f < 1.5 * typical * typical * 0.25:
                continue  # a speck or a stray mark, not a few letters
            x0, y0, x1, y1 = left * f, top * f, right * f, bottom * f
            covered = any(
                w.left < x1 and w.left + w.width > x0 and w.top < y1 and w.top + w.height > y0 for w in words
            )
            if not covered:
                found.append((x0, y0, x1, y1))
    return found[:MAX_LINES]


def recover_lost_lines(
    gray: np.ndarray, words: list[tesseract.TessWord], *, dpi: int, deadline: float, languages: str
) -> list[tesseract.TessWord]:
    """`words` with the print no word covers (see :func:`lost_segments`) read as single lines and put in
    its place: on the line it sits beside, or as a line of its own, in order from the top."""
    segments = lost_segments(gray, words)
    if not segments:
        return words
    h, w = gray.shape[:2]
    jobs = []
    for x0, y0, x1, y1 in segments:
        pad = max(8, (y1 - y0) // 2)
        box = (max(0, x0 - pad), max(0, y0 - pad), min(w, x1 + pad), min(h, y1 + pad))
        crop = gray[box[1] : box[3], box[0] : box[2]]
        # Mode 13 (raw line): the line finder that lost this print would likely turn it down again.
        jobs.append((box, tesseract.start(crop, languages=languages, psm=13, dpi=dpi)))
    lines = _lines(words)
    added: list[list[tesseract.TessWord]] = []
    try:
        for k, (box, proc) in enumerate(jobs):
            try:
                found = tesseract.parse_tsv(tesseract.finish(proc, deadline), dx=box[0], dy=box[1])
            except (RuntimeError, tesseract.TesseractTimeout):
                continue
            found = [x for x in found if x.text.strip()]
            if not found or _weighted(found) < 60 or max(_letters([x]) for x in found) < 3:
                continue  # not text after all (a stamp's rim, a smudge)
            top, bottom = min(x.top for x in found), max(x.top + x.height for x in found)
            beside = next(
                (
                    line
                    for line in lines
                    if min(bottom, max(x.top + x.height for x in line)) - max(top, min(x.top for x in line))
                    > 0.5 * (bottom - top)
                ),
                None,
            )
            if beside is not None:
                first = beside[0]
                beside += [
                    dataclasses.replace(x, block=first.block, par=first.par, line=first.line) for x in found
                ]
                beside.sort(key=lambda x: x.left)
            else:
                added.append([dataclasses.replace(x, block=300_000 + k, par=0, line=0) for x in found])
    finally:
        for _, proc in jobs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    # A new line goes before the first line below it; the others keep their order (two columns are read
    # one after the other, see ocr.columns, so the page's lines need not run from the top down).
    for line in sorted(added, key=lambda line: min(x.top for x in line)):
        top = min(x.top for x in line)
        at = next((i for i, old in enumerate(lines) if min(x.top for x in old) > top), len(lines))
        lines.insert(at, line)
    return [x for line in lines for x in line]
