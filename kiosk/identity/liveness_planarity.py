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

So the measure, between the turn step's first frame and the frame that completes the turn, is:

1. fit one homography (least squares, `cv2.findHomography`) from the first frame's stable landmarks
   (outline, brows, eye corners, nose, mouth corners: not the eyelids nor the lips, which blink and talk)
   to the later frame's;
2. take each landmark's residual along the face's horizontal axis, as a fraction of the face width: the
   sideways motion that one plane does not explain (plane + parallax);
3. `midline` = the nose tip's residual minus the mean of the nasion's and the chin's; `row` = the nose
   tip's residual minus the mean of the cheeks' (jaw 1-3 and 13-15). Both are signed in the turn's
   direction (positive: the nose went further than the point behind it);
4. over all the turn's frames so far, fit both against the nose-ratio change (least squares through 0):
   a real head's parallax grows with the turn, and what matters is which share of the nose's motion
   within the outline comes from its depth. Several frames average out the landmarks' jitter.

The turn counts only when it spans `MIN_TURN_FRAMES` frames and both shares are at least
`MIN_MIDLINE_SHARE` and `MIN_ROW_SHARE`, the cheeks' share at least the midline's (the cheeks are further
back). A flat print has ~0 for both, a vertically bent print ~0 midline, a horizontally bent one a
midline share far above its row share.
Calibration (`bench/liveness_bench.py`, `tests/identity/test_liveness_planarity.py`): generated landmarks of
the generic 3-D head of `kiosk.identity.head_motion` (depth x0.7-1.3, yaw 5-25 degrees, landmark noise)
against flat and bent prints turned up to 55 degrees at 2-8 half face widths from the camera; see
docs/LIVENESS.md for the figures and for what this does not cover (a picture on a doubly-curved form,
i.e. a mask; a screen replaying a video of the real person).
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
# before it is judged (calibrated in bench/liveness_bench.py on the generic head with landmark noise of
# up to 2 px on a 200 px face: genuine midline share p5 0.22, row p5 0.38; vertically bent prints midline
# p95 0.22, horizontally bent ones midline 0.6-1.7 with row 0.07-0.39). A head's cheeks are further
# behind its nose than its nasion and chin are, so the row share must also be at least the midline share.
MIN_MIDLINE_SHARE = 0.20
MIN_ROW_SHARE = 0.30
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
        if mid < MIN_MIDLINE_SHARE / 2 or row < MIN_ROW_SHARE / 2 or mid > 2 * row:
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
