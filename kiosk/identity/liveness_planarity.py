"""Is a head turn made by a head? The nose tip's depth parallax across the challenge frames.

A head that turns moves its landmarks by different amounts according to their depth: the nose tip, in
front, moves further sideways than the face outline and the facial midline behind it. A picture does not:

* a flat print (held up, tilted in perspective, brought closer) moves all its landmarks by one
  homography, whatever the angle: the turn test's nose ratio can change (perspective is not affine), but
  the points keep their plane;
* a print bent into a cylinder about a vertical axis (the usual way to curve a sheet toward a camera)
  keeps the midline straight: the nose tip, the nasion (27) and the chin (8) lie on one straight ruling of
  the cylinder, so the nose never leaves the nasion-chin line. It does move away from the cheeks;
* a print bent about a horizontal axis keeps each row at one depth: the nose tip and the cheeks at its
  height (jaw 1-3, 13-15) move together. It does move away from the midline.

So the measure, between the turn step's first frame and each later frame of the turn, is:

1. follow the first frame's landmarks into the later frame by texture (`track_points`: dlib's own
   landmarks on a foreshortened print sit where a turned head's would, and hide the flatness);
2. fit one homography (least squares, `cv2.findHomography`) from the first frame's stable landmarks
   (outline, brows, eye corners, nose, mouth corners: not the eyelids nor the lips, which blink and talk)
   to the tracked ones;
3. take each point's residual along the face's horizontal axis, as a fraction of the face width: the
   sideways motion that one plane does not explain (plane + parallax);
4. `row` = the nose tip's residual minus the mean of the cheeks' (jaw 1-3 and 13-15); `midline` = the
   nose tip's minus the mean of the nasion's and the chin's (7-9). Both are fitted against dlib's nose-ratio
   change over the turn's frames (least squares through 0, signed in the turn's direction): the shares of
   the nose's motion within the outline that come from its depth.

A turn is a head's (`TurnShape.head`) when it spans `MIN_TURN_FRAMES` frames, the cheeks' share is at
least `MIN_ROW_SHARE` and the midline's at least `MIN_MIDLINE_SHARE` but not above the cheeks'. A flat
print has ~0 for both; a horizontally bent one a midline share far above its cheeks'. A sheet bent about
a vertical axis keeps its midline straight (midline share ~0), but the chin's edge cannot be tracked
sideways, so the midline bound is loose and such a sheet is refused by its cheeks' share only, with a thin
margin (docs/LIVENESS.md, "gaps"). Calibrated on generated frames: the generic 3-D head of
`kiosk.identity.head_motion` against the attacks of `kiosk.identity.generated_attacks`
(bench/liveness_bench.py). Not covered: a picture on a doubly-curved form (a mask), a screen replaying a
video of the real person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np

# Outline, brows, nose, eye corners and mouth corners: the points that move with the skull.
STABLE_POINTS = [*range(0, 27), *range(27, 36), 36, 39, 42, 45, 48, 54]
NOSE_TIP = 30
MIDLINE_REFERENCE = [27, 7, 8, 9]  # nasion, chin
ROW_REFERENCE = [1, 2, 3, 13, 14, 15]  # the cheeks' outline at about the nose tip's height

# Shares of the nose ratio change that must come from depth parallax, and the frames a turn must span
# before it is judged. Texture-tracked, the tilted, cut-out-eyes and horizontally bent prints and the
# tilted screen kept their cheeks' share below ~0.15, prints bent about a vertical axis (radius 1.6) at
# 0.19-0.39, the simulated 3-D head at 0.40-0.95 (generated frames, docs/LIVENESS.md).
MIN_MIDLINE_SHARE = -0.15
MIN_ROW_SHARE = 0.40
MIN_TURN_FRAMES = 3


class TurnShape(StrEnum):
    head = "head"  # the nose moved in front of both its midline and its cheeks
    flat = "flat"  # a picture: one plane, or a sheet bent about one axis
    undecided = "undecided"


@dataclass(frozen=True)
class TurnParallax:
    """The nose tip's parallax against the midline and against the cheeks, as shares of the nose ratio
    change (least squares over the turn's frames, signed in the turn's direction)."""

    midline_share: float
    row_share: float
    ratio_change: float
    frames: int

    @property
    def shape(self) -> TurnShape:
        mid, row = self.midline_share, self.row_share
        if mid >= MIN_MIDLINE_SHARE and row >= MIN_ROW_SHARE and mid <= row:
            return TurnShape.head
        if mid < 2 * MIN_MIDLINE_SHARE or row < MIN_ROW_SHARE / 2 or mid > 2 * row:
            return TurnShape.flat
        return TurnShape.undecided

    def describe(self) -> str:
        return f"nose parallax: midline {self.midline_share:.2f}, cheeks {self.row_share:.2f} of the turn"


def _nose_ratio(points: np.ndarray) -> float:
    left, right = points[0, 0], points[16, 0]
    return float((points[NOSE_TIP, 0] - left) / max(1e-6, right - left))


def sideways_residuals(first: np.ndarray, later: np.ndarray) -> np.ndarray:
    """Each landmark's sideways motion from `first` to `later` (68 x 2 each) that one homography of the
    stable points does not explain, as a fraction of the later face width (along the jaw-end axis)."""
    src = first[STABLE_POINTS].astype(np.float64)
    dst = later[STABLE_POINTS].astype(np.float64)
    homography, _ = cv2.findHomography(src, dst, 0)
    if homography is None:
        return np.zeros(len(first))
    predicted = cv2.perspectiveTransform(first[None].astype(np.float64), homography)[0]
    axis = later[16] - later[0]
    width = max(1e-6, float(np.linalg.norm(axis)))
    return np.asarray((later - predicted) @ (axis / width) / width)


def track_points(
    first_grey: np.ndarray, later_grey: np.ndarray, first_points: np.ndarray, later_points: np.ndarray
) -> np.ndarray:
    """Where the skin (or paper) under `first_points` went in `later_grey`, followed by its texture.

    dlib places landmarks with a prior learnt on real heads: on a print foreshortened by a tilt it puts
    them where a turned head's would be, which hides the print's flatness. Texture does not: the first
    frame is warped by the landmarks' homography onto the later one, and pyramidal Lucas-Kanade optical
    flow finds the remaining shift of each point (a point it loses keeps the homography's guess)."""
    homography, _ = cv2.findHomography(
        first_points[STABLE_POINTS].astype(np.float64), later_points[STABLE_POINTS].astype(np.float64), 0
    )
    if homography is None:
        return later_points.copy()
    height, width = later_grey.shape[:2]
    warped = cv2.warpPerspective(first_grey, homography, (width, height), borderMode=cv2.BORDER_REPLICATE)
    start = cv2.perspectiveTransform(first_points[None].astype(np.float64), homography)[0].astype(np.float32)
    face_width = max(1.0, float(np.linalg.norm(later_points[16] - later_points[0])))
    window = int(np.clip(face_width * 0.12, 9, 41)) | 1
    tracked, status, _ = cv2.calcOpticalFlowPyrLK(
        warped, later_grey, start[:, None, :], None, winSize=(window, window), maxLevel=2
    )
    found = tracked.reshape(-1, 2).astype(np.float64)
    lost = status.reshape(-1) == 0
    found[lost] = start[lost]
    return np.asarray(found)


def turn_parallax(
    first: np.ndarray,
    later_frames: Sequence[np.ndarray],
    ratio_changes: Sequence[float] | None = None,
) -> TurnParallax:
    """The parallax of the nose tip over a turn: from the baseline points `first` to each later frame's
    (see the module doc); the shares are the least-squares slopes against the nose ratio change
    (`ratio_changes`, dlib's, when the later points were tracked by texture; else from the points)."""
    changes, midlines, rows = [], [], []
    for index, later in enumerate(later_frames):
        residual = sideways_residuals(first, later)
        changes.append(
            ratio_changes[index] if ratio_changes is not None else _nose_ratio(later) - _nose_ratio(first)
        )
        midlines.append(residual[NOSE_TIP] - float(residual[MIDLINE_REFERENCE].mean()))
        rows.append(residual[NOSE_TIP] - float(residual[ROW_REFERENCE].mean()))
    if not changes:
        return TurnParallax(0.0, 0.0, 0.0, 0)
    change = np.array(changes)
    energy = max(1e-9, float(change @ change))
    # Signed by the turn's direction: a slope against the (signed) ratio change.
    return TurnParallax(
        float(np.array(midlines) @ change / energy),
        float(np.array(rows) @ change / energy),
        float(change[-1]),
        len(changes),
    )
