"""Is the face shown on a screen? The moire of a display's pixel grid, seen by the camera.

A phone or tablet replaying a video of the citizen gives a face with a real head's depth, so the
parallax test (liveness_planarity) cannot refuse it. What it cannot hide is the display: its pixel grid,
sampled by the camera's own pixel grid, beats into a moire, a fine periodic pattern across the face. Skin,
hair, a printed photo and sensor noise have a smooth or white spectrum at those frequencies; a grating has
a sharp peak.

`moire_score` takes the face's central region (eyes to mouth, from the 68 landmarks), removes its mean and
its smooth shading, and looks at the spectrum over periods of `MIN_PERIOD_PX`-`MAX_PERIOD_PX` pixels: each
frequency's magnitude over the median of the frequencies at the same radius (a natural picture's spectrum
falls with frequency), and the score is the strongest such ratio. White noise gives ~3-5; a moire gives
tens. A frame counts as a screen when its score reaches `SCREEN_MOIRE_SCORE`; a challenge whose frames
mostly do fails with `screen_replay` (liveness.py).

Limits: a display whose pixels are too fine for the camera (no moire at the kiosk's distance), a screen
held out of focus, or a camera whose image processing smooths the moire away. Calibrated on synthetic
gratings (kiosk.identity.generated_attacks), not on photographs of real screens; see docs/LIVENESS.md.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

MIN_PERIOD_PX = 1.8
MAX_PERIOD_PX = 6.0
CROP_PX = 96
# Peak over the ring's median above which a frame shows a periodic pattern (see the module doc).
SCREEN_MOIRE_SCORE = 14.0
# Share of the challenge's face frames that must show it.
SCREEN_FRAME_SHARE = 0.5


def _face_region(grey: np.ndarray, points: np.ndarray) -> np.ndarray | None:
    """The face's central square (eyes to mouth, the width between the outer eye corners), not resized:
    resizing would change the moire's period and smooth it."""
    left, right = float(points[36, 0]), float(points[45, 0])
    top, bottom = float(points[[37, 38, 43, 44], 1].min()), float(points[[57, 8], 1].min())
    cx, cy = (left + right) / 2, (top + bottom) / 2
    half = max(8, round(min(right - left, bottom - top) / 2))
    half = min(half, CROP_PX // 2)
    height, width = grey.shape[:2]
    x0, y0 = round(cx) - half, round(cy) - half
    if x0 < 0 or y0 < 0 or x0 + 2 * half > width or y0 + 2 * half > height:
        return None
    return grey[y0 : y0 + 2 * half, x0 : x0 + 2 * half]


def moire_score(grey: np.ndarray, points: np.ndarray) -> float:
    """The strongest periodic component of the face's centre over the ring median (module doc); 0.0 when
    the face is too close to the frame's edge to measure."""
    region = _face_region(grey, points)
    if region is None or region.shape[0] < 16:
        return 0.0
    patch = region.astype(np.float32)
    # Smooth shading out (a blur at 3x the longest period keeps the fine pattern), then a Hann window.
    patch = patch - cv2.GaussianBlur(patch, (0, 0), MAX_PERIOD_PX)
    size = patch.shape[0]
    window = np.outer(np.hanning(size), np.hanning(size)).astype(np.float32)
    spectrum = np.abs(np.fft.fftshift(np.fft.fft2(patch * window)))
    ys, xs = np.mgrid[0:size, 0:size]
    radius = np.hypot(xs - size // 2, ys - size // 2)
    low, high = size / MAX_PERIOD_PX, size / MIN_PERIOD_PX
    rings = np.round(radius).astype(np.int32)
    best = 0.0
    for ring in range(max(2, int(np.ceil(low))), int(np.floor(high)) + 1):
        values = spectrum[rings == ring]
        if values.size < 8:
            continue
        median = float(np.median(values))
        if median > 0:
            best = max(best, float(values.max()) / median)
    return best


def shows_a_screen(scores: Sequence[float]) -> bool:
    """Most measured frames show a moire (`scores` from `moire_score`, 0.0 for frames not measured)."""
    measured = [s for s in scores if s > 0]
    if len(measured) < 3:
        return False
    return sum(s >= SCREEN_MOIRE_SCORE for s in measured) >= SCREEN_FRAME_SHARE * len(measured)
