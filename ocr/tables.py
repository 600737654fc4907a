"""Ruled tables: their grid found from the page's long rules, so that each column is read on its own.

Read as one block, a table's wide gaps between columns confuse Tesseract's word spacing ("LýNgọcAn") and a
cell's text can slide into its neighbour's line. Once the grid is known, each column is read as a strip of
its own and the words are put back row by row: the row's cells left to right, rows top to bottom.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MIN_TABLE_INCHES = (1.5, 0.5)  # a table's smallest width and height


@dataclass(frozen=True)
class Table:
    """A ruled grid: x of its vertical rules and y of its horizontal rules (pixels, left to right, top down)."""

    columns: tuple[int, ...]
    rows: tuple[int, ...]

    @property
    def box(self) -> tuple[int, int, int, int]:
        return self.columns[0], self.rows[0], self.columns[-1], self.rows[-1]

    def row_of(self, y: float) -> int:
        """The row (0 = the top one) that holds height `y`."""
        return max(0, min(len(self.rows) - 2, int(np.searchsorted(self.rows, y)) - 1))


def _centres(profile: np.ndarray, threshold: float) -> list[int]:
    """Centres of the runs where `profile` is at or above `threshold`."""
    on = np.concatenate([[False], profile >= threshold, [False]])
    edges = np.flatnonzero(on[1:] != on[:-1])
    return [int((a + b - 1) // 2) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _merge(lines: list[int], gap: int) -> list[int]:
    out: list[int] = []
    for line in lines:
        if out and line - out[-1] < gap:
            continue
        out.append(line)
    return out


def find_tables(horizontal: np.ndarray, vertical: np.ndarray, dpi: int) -> list[Table]:
    """The ruled tables of a page, from its masks of horizontal and vertical rules (uint8 0/255).

    A table needs at least three vertical rules (two columns) and three horizontal ones (two rows) that
    span it; a frame around the page or a box has only two of either.
    """
    grid = cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((5, 5), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(grid)
    found = []
    for x, y, w, h, _area in stats[1:count]:
        if w < MIN_TABLE_INCHES[0] * dpi or h < MIN_TABLE_INCHES[1] * dpi:
            continue
        v = vertical[y : y + h, x : x + w] > 0
        hz = horizontal[y : y + h, x : x + w] > 0
        # A double frame's two rules count as one line.
        columns = _merge(_centres(v.sum(axis=0), 0.8 * h), dpi // 8)
        rows = _merge(_centres(hz.sum(axis=1), 0.8 * w), dpi // 8)
        if len(columns) < 3 or len(rows) < 3:
            continue
        found.append(Table(tuple(int(x + c) for c in columns), tuple(int(y + r) for r in rows)))
    return found
