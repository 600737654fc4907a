"""Two-column parts of a page: found by a vertical gutter, so that each column is read on its own.

Tesseract (psm 6, one uniform block) reads a line straight across a gutter: two columns of body text come
out interleaved line by line, and the header block of an official paper (agency name on the left, the
national motto on the right) mixes both halves. A run of consecutive text lines whose ink leaves the same
tall blank column in the middle of the page, with ink on both sides in at least two of those lines, is a
two-column region; it is read left column then right column, which is what a person reads. Parts above
and below stay single pieces, in page order.

The header block at the top of an official paper (agency name and number on the left, "CỘNG HÒA XÃ HỘI CHỦ
NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh phúc" on the right) is deliberately NOT split: a region that starts
at the page's first text line is read row by row across, as before, because the project's reference
reading order (kiosk.samples.documents._reading_order, the OCR benches' truth) and the field extraction
are built on that order. Reading it left block then right block is a change of that contract, not of
this module.
"""

from __future__ import annotations

import numpy as np

MIN_BOTH_SIDED = 3  # lines with ink on both sides of the gutter that a region needs (see above)
GUTTER_LINE_HEIGHTS = 1.5  # a gutter is at least this many median line heights wide (word gaps are < 1)


def _lines(ink: np.ndarray) -> list[tuple[int, int]]:
    rows = ink.sum(axis=1) > max(1, ink.shape[1] // 1000)
    spans: list[tuple[int, int]] = []
    start = None
    for y, on in enumerate(rows):
        if on and start is None:
            start = y
        elif not on and start is not None:
            spans.append((start, y))
            start = None
    if start is not None:
        spans.append((start, len(rows)))
    return spans


def _gutter(blank: np.ndarray, lo: int, hi: int, width: int) -> tuple[int, int] | None:
    """The widest run of blank columns at least `width` wide whose centre lies in [lo, hi)."""
    best: tuple[int, int] | None = None
    x, n = 0, len(blank)
    while x < n:
        if not blank[x]:
            x += 1
            continue
        end = x
        while end < n and blank[end]:
            end += 1
        if end - x >= width and lo <= (x + end) // 2 < hi and (best is None or end - x > best[1] - best[0]):
            best = (x, end)
        x = end
    return best


def regions(gray: np.ndarray) -> list[tuple[int, int, int]]:
    """(top, bottom, gutter x) of each two-column region of a grey image (ink is < 128)."""
    ink = gray < 128
    spans = _lines(ink)
    if len(spans) < MIN_BOTH_SIDED:
        return []
    heights = sorted(b - a for a, b in spans)
    typical = heights[len(heights) // 2]
    cols: np.ndarray = np.asarray(ink.any(axis=0))
    if not cols.any():
        return []
    left_ink, right_ink = int(np.argmax(cols)), len(cols) - int(np.argmax(cols[::-1]))
    span = right_ink - left_ink
    lo, hi = left_ink + span // 5, right_ink - span // 5
    width = max(8, round(GUTTER_LINE_HEIGHTS * typical))
    line_ink: list[np.ndarray] = [np.asarray(ink[a:b].any(axis=0)) for a, b in spans]
    found: list[tuple[int, int, int]] = []
    i = 0
    while i < len(spans):
        blank: np.ndarray = ~line_ink[i]
        gut = _gutter(blank, lo, hi, width)
        if gut is None:
            i += 1
            continue
        j = i + 1
        while j < len(spans):
            trial = blank & ~line_ink[j]
            g = _gutter(trial, lo, hi, width)
            if g is None:
                break
            blank, gut, j = trial, g, j + 1
        both = 0
        for k in range(i, j):
            tall = spans[k][1] - spans[k][0] >= typical // 2
            if tall and line_ink[k][: gut[0]].any() and line_ink[k][gut[1] :].any():
                both += 1
        if both >= MIN_BOTH_SIDED and i > 0:  # i == 0: the page's header block, read across (see above)
            found.append((spans[i][0], spans[j - 1][1], (gut[0] + gut[1]) // 2))
        i = j
    return found


def pieces(gray: np.ndarray) -> list[tuple[int, int, int, int, np.ndarray]]:
    """The image cut into (order, column, x, y, image) pieces: single-column parts (column -1) and each
    region's left (0) and right (1) columns. Lines sorted by `sort_key` come in reading order."""
    h = gray.shape[0]
    out: list[tuple[int, int, int, int, np.ndarray]] = []
    y = 0
    for first, last, x in regions(gray):
        top, bottom = max(y, first - 2), min(h, last + 2)
        if top > y:
            out.append((y, -1, 0, y, gray[y:top]))
        out.append((top, 0, 0, top, gray[top:bottom, :x]))
        out.append((top, 1, x, top, gray[top:bottom, x:]))
        y = bottom
    if y < h:
        out.append((y, -1, 0, y, gray[y:h]))
    return [piece for piece in out if piece[4].size and (piece[4] < 128).any()]


def sort_key(order: int, column: int, top: int) -> tuple[int, int, int]:
    """A line's place in reading order: a region's lines come at the region's top, left column first."""
    return (top, 0, top) if column < 0 else (order, column, top)
