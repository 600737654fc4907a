"""Colour ink on official papers: red seals and blue signatures, taken apart from the black print.

Almost every Vietnamese official paper carries a red round seal over the signer's title and name and a
blue (sometimes violet) signature. Read in grayscale, both turn into grey strokes over the letters and the
lines under them come out as garbage. On a colour scan they are told apart by hue:

* :func:`dropout_gray` is the page in grey with coloured ink dropped: where a pixel is saturated, its
  brightest channel (red ink is bright in the red channel, blue ink in the blue one), lifted by its
  saturation, stands for it, so a seal fades into the paper while black print, under the seal too,
  stays black;
* :func:`detect_marks` says whether a seal (a large round red mark) and a signature (blue or violet pen
  strokes) are on the page, for the officer's post-check.

A gray scan has no hue: nothing is dropped, and no seal or signature is reported from colour.
"""

from __future__ import annotations

import cv2
import numpy as np

SATURATED = 30  # max - min channel (grey levels) above which a pixel is coloured ink, not print or paper
FULLY_SATURATED = 70  # from here on the brightest channel alone stands for the pixel
MIN_COLOUR_FRACTION = 0.0003  # less coloured ink than this on the page: leave the page alone
MAX_COLOUR_FRACTION = 0.15  # more than this is a colour picture or a tinted paper, not ink on a page
SEAL_MIN_INCH, SEAL_MAX_INCH = 0.5, 2.6  # a round seal's diameter
SIGNATURE_MIN_INCH = 0.4  # a signature's width
BRIGHT_INK = (130, 180)  # brightest channel: seal red and pen blue are above the top, coloured print below
STROKE_INCHES = (0.35, 0.1)  # a pen stroke of a signature spans this much; no printed letter does
PEN_CORE = 138  # a pen stroke's core (its darker quarter) stays this bright in blue; navy print is darker
TEXT_LINE_PIECES = 4  # this many similar pieces on one baseline are a printed line, not a signature


def _printed_line(pieces: np.ndarray, k: int) -> bool:
    """Whether piece `k` (a row of connectedComponentsWithStats) sits in a printed text line: at least
    TEXT_LINE_PIECES pieces (itself included) of about its height, standing on about its baseline."""
    h = max(1, int(pieces[k, cv2.CC_STAT_HEIGHT]))
    bottom = int(pieces[k, cv2.CC_STAT_TOP]) + h
    heights = pieces[1:, cv2.CC_STAT_HEIGHT]
    bottoms = pieces[1:, cv2.CC_STAT_TOP] + heights
    alike = (heights >= 0.5 * h) & (heights <= 1.6 * h) & (np.abs(bottoms - bottom) <= max(2, 0.2 * h))
    return int(np.count_nonzero(alike)) >= TEXT_LINE_PIECES


def _channels(bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    b, g, r = (bgr[:, :, k].astype(np.int16) for k in range(3))
    return b, g, r


def top_and_spread(bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each pixel's brightest channel, and its saturation as brightest minus darkest channel (uint8)."""
    b, g, r = cv2.split(bgr[:, :, :3])
    top = cv2.max(cv2.max(b, g), r)
    spread = cv2.subtract(top, cv2.min(cv2.min(b, g), r))
    return top, spread


def colour_fraction(bgr: np.ndarray) -> float:
    """The share of the page's pixels that are clearly coloured ink (checked on a reduced copy)."""
    if bgr.ndim != 3:
        return 0.0
    _, spread = top_and_spread(np.ascontiguousarray(bgr[::4, ::4]))
    return float(np.count_nonzero(spread > FULLY_SATURATED)) / max(1, spread.size)


def _bright(top: np.ndarray) -> np.ndarray:
    """0 where the brightest channel is at most BRIGHT_INK[0], rising to 1 at BRIGHT_INK[1] (float32)."""
    low, high = BRIGHT_INK
    return np.clip((top.astype(np.float32) - float(low)) * (1.0 / (high - low)), 0.0, 1.0)


def dropout_gray(bgr: np.ndarray) -> np.ndarray:
    """The page in grey with red, blue and violet ink faded into the paper; black print stays."""
    top, spread = top_and_spread(bgr)
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    weight = np.clip(
        (spread.astype(np.float32) - float(SATURATED)) * (1.0 / (FULLY_SATURATED - SATURATED)), 0.0, 1.0
    )
    # The halo where a coloured stroke meets paper is lighter than the stroke: widen the weight over it.
    weight = cv2.dilate(weight, np.ones((3, 3), np.uint8))
    # Seal and pen ink is bright in its own channel; a dark coloured pixel (a heading printed in dark red
    # or green) is print and stays.
    weight = cv2.multiply(weight, _bright(top))
    # Pure seal red or pen blue lifts to paper white; a black letter under the ink (dark in every channel)
    # stays dark, and the edge where a letter meets the ink keeps about its own darkness.
    lifted = cv2.scaleAdd(spread.astype(np.float32), 0.6, top.astype(np.float32))
    gray32 = gray.astype(np.float32)
    out32 = cv2.add(gray32, cv2.multiply(cv2.subtract(lifted, gray32), weight))
    out = np.clip(out32, 0, 255).astype(np.uint8)
    # Where red and blue cross they print almost black, but still tinted, and inside bright strokes; a
    # letter is not tinted (or, printed in a navy ink, lies on paper, away from any bright stroke).
    tinted = spread > 24
    bright = (spread > FULLY_SATURATED) & (top >= BRIGHT_INK[1])
    strokes = cv2.dilate(bright.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    crossing = (tinted & strokes).astype(np.uint8)
    dark = (out < 128).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    if count > 1:
        inside = np.bincount(labels[crossing > 0], minlength=count)
        drop = inside / np.maximum(stats[:, cv2.CC_STAT_AREA], 1) > 0.6
        drop[0] = False
        if drop.any():
            out[cv2.dilate(drop[labels].astype(np.uint8), np.ones((3, 3), np.uint8)) > 0] = 255
    return out


def ink_masks(bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(red, blue) masks (uint8 0/255) of seal-red and pen-blue/violet ink."""
    b, g, r = _channels(bgr)
    red = (r - np.maximum(g, b) > 50) & (r > 90)
    blue = (b - np.maximum(r, g) > 35) & (b > 70) | ((b - g > 40) & (r - g > 25) & (b > 90))  # blue, violet
    return red.astype(np.uint8) * 255, blue.astype(np.uint8) * 255


def detect_marks(bgr: np.ndarray, dpi: int) -> dict[str, float]:
    """``seal`` and ``signature`` (1.0 present, 0.0 absent) and the size of each mark, from colour."""
    if bgr.ndim != 3:
        return {"seal": 0.0, "signature": 0.0}
    factor = 4
    small = cv2.resize(
        bgr, (max(1, bgr.shape[1] // factor), max(1, bgr.shape[0] // factor)), interpolation=cv2.INTER_AREA
    )
    px_per_inch = dpi / factor
    red, blue = ink_masks(small)
    out = {"seal": 0.0, "signature": 0.0, "seal_inches": 0.0, "signature_inches": 0.0}
    # A seal: red ink that, joined up, makes a roughly round blob of a seal's size with a ring's share of ink.
    joined = cv2.morphologyEx(red, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7)))
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined)
    for label in range(1, count):
        x, y, w, h, _area = stats[label]
        side = max(w, h) / px_per_inch
        if not (SEAL_MIN_INCH <= side <= SEAL_MAX_INCH) or not 0.7 <= w / max(1, h) <= 1.4:
            continue
        ink = np.count_nonzero(red[y : y + h, x : x + w])
        if ink >= 0.06 * w * h:
            out["seal"] = 1.0
            out["seal_inches"] = max(out["seal_inches"], float(side))
    # A signature: blue or violet pen strokes, at least one running on wider than any letter.
    if np.count_nonzero(blue) >= 0.002 * px_per_inch**2:
        joined = cv2.dilate(blue, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9)))
        count, _, stats, _ = cv2.connectedComponentsWithStats(joined)
        for label in range(1, count):
            x, y, w, h, _area = stats[label]
            ink = np.count_nonzero(blue[y : y + h, x : x + w])
            if w / px_per_inch < SIGNATURE_MIN_INCH or ink < 0.01 * px_per_inch**2:
                continue
            # A pen stroke runs on, wider than any letter: look at full size for one such stroke.
            # Printed text in navy or dark blue, once JPEG or a blur joins its letters, makes wide pieces
            # too: a pen stroke is bright blue at its core and is not one of a row of letters on a line.
            region = bgr[y * factor : (y + h) * factor, x * factor : (x + w) * factor]
            top, _ = top_and_spread(region)
            _, labels, pieces, _ = cv2.connectedComponentsWithStats(ink_masks(region)[1])
            wide = (pieces[:, cv2.CC_STAT_WIDTH] >= STROKE_INCHES[0] * dpi) & (
                pieces[:, cv2.CC_STAT_HEIGHT] >= STROKE_INCHES[1] * dpi
            )
            wide[0] = False
            strokes = [
                k
                for k in np.flatnonzero(wide)
                if np.percentile(top[labels == k], 25) >= PEN_CORE and not _printed_line(pieces, int(k))
            ]
            if strokes:
                out["signature"] = 1.0
                out["signature_inches"] = max(out["signature_inches"], float(w / px_per_inch))
    return out
