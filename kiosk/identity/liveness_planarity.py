"""Is a head turn made by a head? The nose tip's depth parallax across the challenge frames.

A head that turns moves its landmarks by different amounts according to their depth: the nose tip, in
front, moves further sideways than everything around it. A picture cannot:

* a flat print (held up, tilted in perspective, brought closer) moves all its landmarks by one
  homography, whatever the angle: the turn test's nose ratio can change (perspective is not affine), but
  the points keep their plane;
* a print bent, about any axis, is a developable surface: a cylinder whose depth off the plane is a
  function of ONE coordinate across the sheet (u = the position across the fold), close to a parabola in
  u. Bent about a vertical axis, the nose tip, the nasion and the chin share one depth; bent about a
  horizontal axis, the nose tip and the cheeks at its height do. A head is curved both ways at once: the
  nose tip stands out of every such cylinder.

So the measure, between the turn step's first frame and each later frame of the turn, is:

1. follow the first frame's landmarks into the later frame by texture (`track_points`: dlib's own
   landmarks on a foreshortened print sit where a turned head's would, and hide the flatness);
2. fit one homography (least squares, `cv2.findHomography`) from the first frame's stable landmarks
   (outline, brows, eye corners, nose, mouth corners: not the eyelids nor the lips, which blink and talk)
   to the tracked ones, and take each point's residual along the face's horizontal axis, as a fraction of
   the face width: the sideways motion that one plane does not explain (plane + parallax: for a rigid
   surface it is proportional to each point's depth off the plane);
3. `bulge` (one degree of freedom more than the homography, a bent sheet): for every direction of the
   fold (every 10 degrees), fit the residuals of the points off the nose (outline, brows, nasion, eye and
   mouth corners) with a parabola in u, predict the nose tip's, and keep the direction that explains the
   nose best. The nose tip's residual minus that prediction is what no bent sheet can give;
   `row` = the nose tip's residual minus the mean of two points of cheek skin at its height;
4. both are fitted against dlib's nose-ratio change over the turn's frames (least squares through 0,
   signed in the turn's direction): the shares of the nose's motion within the outline that come from
   its depth.

A turn is a head's (`TurnShape.head`) when it spans `MIN_TURN_FRAMES` moving frames, the bulge's share is at
least `MIN_BULGE_SHARE` and the cheeks' share at least `MIN_ROW_SHARE` (a sheet bent about a horizontal
axis through the nose's row fits its bulge least well, and keeps the cheeks' parallax near 0). Calibrated
on generated frames, with a tuned and a held-out set of attacks and genuine performances
(bench/liveness_bench.py, docs/LIVENESS.md). Not covered: a picture on a doubly-curved form (a mask), a
screen replaying a video of the real person (kiosk.identity.screen_replay looks for its moire).
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
# The points a bent sheet's parabola is fitted to: the stable ones off the nose (the nasion stays).
SHEET_REFERENCE = [*range(0, 27), 27, 36, 39, 42, 45, 48, 54]
# Two points of cheek skin at about the nose tip's height, inside the outline (`with_cheeks` appends them
# as points 68 and 69): the outline itself is an edge against the background, which texture tracking
# follows badly in dim or noisy frames.
CHEEK_LEFT, CHEEK_RIGHT = 68, 69
ROW_REFERENCE = [1, 2, 3, 13, 14, 15]  # the cheeks' outline at about the nose tip's height
FOLD_DIRECTIONS_DEG = range(0, 180, 10)

# Shares of the nose ratio change that must come from depth parallax, and the frames a turn must span
# before it is judged. On the tuned generated set (texture-tracked, at the first judged frame): genuine
# turns (14-21 degrees, heads 0.8-1.2x the generic depth) gave bulge shares 0.10-0.63 and cheeks' shares
# 0.36-0.92; flat, tilted, cut-out and screen sheets bulge shares <= 0.08; sheets bent about a vertical
# axis <= 0.02; bent about a horizontal axis up to 0.18, with cheeks' shares <= 0.24 (docs/LIVENESS.md).
MIN_BULGE_SHARE = 0.08
MIN_ROW_SHARE = 0.28
# Clearly a picture: below these the turn is flat at once; between, the checker waits one more frame.
FLAT_BULGE_SHARE = 0.04
FLAT_ROW_SHARE = 0.14
MIN_TURN_FRAMES = 3
# Tracking: a point is lost when the backward flow misses its start by this many pixels, or when it lands
# this far (face widths) from dlib's landmark; a frame is used only when this many stable points are left.
TRACK_BACK_PX = 1.5
TRACK_OFF_LANDMARK = 0.08
MIN_STABLE_TRACKED = 24
# A frame counts toward MIN_TURN_FRAMES when the nose ratio has moved this far (either way) from the
# turn's first frame: a citizen still coming closer from the step before, or not yet turning, gives
# frames with no parallax to measure, and a turn judged on one moving frame is judged on noise.
TURN_MOVING_CHANGE = 0.03


class TurnShape(StrEnum):
    head = "head"  # the nose moved in front of both its midline and its cheeks
    flat = "flat"  # a picture: one plane, or a sheet bent about one axis
    undecided = "undecided"


@dataclass(frozen=True)
class TurnParallax:
    """The nose tip's parallax out of the best bent sheet and against its cheeks, as shares of the nose
    ratio change (least squares over the turn's frames, signed in the turn's direction)."""

    bulge_share: float
    row_share: float
    ratio_change: float
    frames: int

    @property
    def shape(self) -> TurnShape:
        bulge, row = self.bulge_share, self.row_share
        if bulge >= MIN_BULGE_SHARE and row >= MIN_ROW_SHARE:
            return TurnShape.head
        if bulge < FLAT_BULGE_SHARE or row < FLAT_ROW_SHARE:
            return TurnShape.flat
        return TurnShape.undecided

    def describe(self) -> str:
        return f"nose parallax: out of a bent sheet {self.bulge_share:.2f}, cheeks {self.row_share:.2f} of the turn"


def with_cheeks(points: np.ndarray) -> np.ndarray:
    """The 68 landmarks and two points of cheek skin (68: the face's left side in the image, 69: its
    right), each 40 % of the way from the outline at the nose's height (jaw 2-3, 13-14) to the nose wing
    (31, 35)."""
    left = (points[2] + points[3]) / 2
    right = (points[13] + points[14]) / 2
    cheeks = [left + 0.4 * (points[31] - left), right + 0.4 * (points[35] - right)]
    return np.vstack([points[:68], cheeks])


def _nose_ratio(points: np.ndarray) -> float:
    left, right = points[0, 0], points[16, 0]
    return float((points[NOSE_TIP, 0] - left) / max(1e-6, right - left))


def sideways_residuals(first: np.ndarray, later: np.ndarray) -> np.ndarray:
    """Each landmark's sideways motion from `first` to `later` (N x 2 each; NaN where a point was lost)
    that one homography of the stable points does not explain, as a fraction of the face width (along
    the jaw-end axis); NaN for a lost point, all NaN when too few stable points are left to fit."""
    usable = [i for i in STABLE_POINTS if np.isfinite(later[i]).all()]
    if len(usable) < MIN_STABLE_TRACKED:
        return np.full(len(first), np.nan)
    homography, _ = cv2.findHomography(first[usable].astype(np.float64), later[usable].astype(np.float64), 0)
    if homography is None:
        return np.full(len(first), np.nan)
    predicted = cv2.perspectiveTransform(first[None].astype(np.float64), homography)[0]
    axis = predicted[16] - predicted[0]
    width = max(1e-6, float(np.linalg.norm(axis)))
    return np.asarray((later - predicted) @ (axis / width) / width)


def _matched_exposure(image: np.ndarray, reference: np.ndarray, points: np.ndarray) -> np.ndarray:
    """`image` with the mean and contrast of `reference` over the face's box: the camera's exposure
    changes from frame to frame, and optical flow assumes the brightness stays."""
    height, width = reference.shape[:2]
    x0, y0 = np.clip(np.floor(np.nanmin(points[:68], axis=0)).astype(int), 0, [width - 1, height - 1])
    x1, y1 = np.clip(np.ceil(np.nanmax(points[:68], axis=0)).astype(int) + 1, 1, [width, height])
    box_image = image[y0:y1, x0:x1].astype(np.float32)
    box_reference = reference[y0:y1, x0:x1].astype(np.float32)
    if box_image.size < 16:
        return image
    gain = float(box_reference.std()) / max(1.0, float(box_image.std()))
    out = (image.astype(np.float32) - float(box_image.mean())) * gain + float(box_reference.mean())
    return np.clip(out, 0, 255).astype(np.uint8)


def _flow(
    from_grey: np.ndarray, to_grey: np.ndarray, from_points: np.ndarray, to_landmarks: np.ndarray
) -> np.ndarray:
    """`from_points` (NaN: unknown) followed into `to_grey` by texture; NaN where lost (see track_points)."""
    found = np.full(to_landmarks.shape, np.nan)
    stable = [i for i in STABLE_POINTS if np.isfinite(from_points[i]).all()]
    if len(stable) < MIN_STABLE_TRACKED:
        return found
    homography, _ = cv2.findHomography(
        from_points[stable].astype(np.float64), to_landmarks[stable].astype(np.float64), 0
    )
    if homography is None:
        return found
    known = np.flatnonzero(np.isfinite(from_points).all(axis=1))
    height, width = to_grey.shape[:2]
    warped = cv2.warpPerspective(from_grey, homography, (width, height), borderMode=cv2.BORDER_REPLICATE)
    start = cv2.perspectiveTransform(from_points[known][None].astype(np.float64), homography)[0]
    start = start.astype(np.float32)
    face_width = max(1.0, float(np.linalg.norm(to_landmarks[16] - to_landmarks[0])))
    warped = _matched_exposure(warped, to_grey, to_landmarks)
    window = int(np.clip(face_width * 0.12, 9, 41)) | 1
    size = (window, window)
    tracked, status, _ = cv2.calcOpticalFlowPyrLK(
        warped, to_grey, start[:, None, :], None, winSize=size, maxLevel=2
    )
    back, back_status, _ = cv2.calcOpticalFlowPyrLK(to_grey, warped, tracked, None, winSize=size, maxLevel=2)
    moved = tracked.reshape(-1, 2).astype(np.float64)
    returned = np.linalg.norm(back.reshape(-1, 2) - start, axis=1)
    off = np.linalg.norm(moved - to_landmarks[known], axis=1) / face_width
    lost = (
        (status.reshape(-1) == 0)
        | (back_status.reshape(-1) == 0)
        | (returned > TRACK_BACK_PX)
        | (off > TRACK_OFF_LANDMARK)
    )
    moved[lost] = np.nan
    found[known] = moved
    return found


def track_points(
    first_grey: np.ndarray,
    later_grey: np.ndarray,
    first_points: np.ndarray,
    later_points: np.ndarray,
    previous: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Where the skin (or paper) under `first_points` went in `later_grey`, followed by its texture; NaN
    for a point the tracking lost.

    dlib places landmarks with a prior learnt on real heads: on a print foreshortened by a tilt it puts
    them where a turned head's would be, which hides the print's flatness. Texture does not: the first
    frame is warped by the landmarks' homography onto the later one, and pyramidal Lucas-Kanade optical
    flow finds the remaining shift of each point. A point is lost when the flow says so, when tracking
    it back does not return within `TRACK_BACK_PX` of where it started (forward-backward check), or when
    it lands further than `TRACK_OFF_LANDMARK` face widths from dlib's own landmark (a jump to other
    texture, e.g. the outline's edge in dim light: dlib's prior shifts a print's points by a few pixels,
    not by a tenth of the face). A quick, wide turn changes the skin's look too much between the first
    frame and a later one: the points lost that way are followed from `previous` (the frame before and
    where its points were tracked), a smaller step."""
    found = _flow(first_grey, later_grey, first_points, later_points)
    if previous is not None and np.isnan(found).any():
        chained = _flow(previous[0], later_grey, previous[1], later_points)
        lost = np.isnan(found).any(axis=1)
        found[lost] = chained[lost]
    return np.asarray(found)


def moving_frames(ratio_changes: Sequence[float]) -> int:
    """How many of a turn's frames have the nose ratio moved by `TURN_MOVING_CHANGE` from its first."""
    return sum(abs(change) >= TURN_MOVING_CHANGE for change in ratio_changes)


def nose_bulge(first: np.ndarray, residual: np.ndarray) -> float:
    """The nose tip's residual beyond what a sheet bent about one axis explains (module doc, step 3):
    `residual` from `sideways_residuals`, `first` the baseline's 68 points (which give u)."""
    half = max(1e-6, float(np.linalg.norm(first[16] - first[0])) / 2)
    centred = (first - first[[0, 16]].mean(axis=0)) / half
    reference = [i for i in SHEET_REFERENCE if np.isfinite(residual[i])]
    if not np.isfinite(residual[NOSE_TIP]) or len(reference) < MIN_STABLE_TRACKED // 2:
        return float("nan")
    targets = residual[reference]
    best: float | None = None
    for degrees in FOLD_DIRECTIONS_DEG:
        across = centred @ np.array([np.cos(np.radians(degrees)), np.sin(np.radians(degrees))])
        u = across[reference]
        design = np.c_[np.ones_like(u), u, u * u]
        coefficients, *_ = np.linalg.lstsq(design, targets, rcond=None)
        tip = across[NOSE_TIP]
        bulge = float(residual[NOSE_TIP] - coefficients @ np.array([1.0, tip, tip * tip]))
        if best is None or abs(bulge) < abs(best):
            best = bulge
    return 0.0 if best is None else best


def turn_parallax(
    first: np.ndarray,
    later_frames: Sequence[np.ndarray],
    ratio_changes: Sequence[float] | None = None,
) -> TurnParallax:
    """The parallax of the nose tip over a turn: from the baseline points `first` to each later frame's
    (see the module doc); the shares are the least-squares slopes against the nose ratio change
    (`ratio_changes`, dlib's, when the later points were tracked by texture; else from the points)."""
    if len(first) == 68:  # dlib's landmarks alone: add the cheek points (from the same landmarks)
        first, later_frames = with_cheeks(first), [with_cheeks(later) for later in later_frames]
    changes, bulges, rows = [], [], []
    for index, later in enumerate(later_frames):
        residual = sideways_residuals(first, later)
        bulge = nose_bulge(first, residual)
        cheeks = residual[ROW_REFERENCE]
        if not np.isfinite(bulge) or not np.isfinite(cheeks).any():
            continue  # the nose or the cheeks were lost in this frame: it tells nothing
        changes.append(
            ratio_changes[index] if ratio_changes is not None else _nose_ratio(later) - _nose_ratio(first)
        )
        bulges.append(bulge)
        rows.append(residual[NOSE_TIP] - float(np.nanmean(cheeks)))
    if not changes:
        return TurnParallax(0.0, 0.0, 0.0, 0)
    change = np.array(changes)
    energy = max(1e-9, float(change @ change))
    # Signed by the turn's direction: a slope against the (signed) ratio change.
    return TurnParallax(
        float(np.array(bulges) @ change / energy),
        float(np.array(rows) @ change / energy),
        float(change[-1]),
        len(changes),
    )
