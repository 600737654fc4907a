"""Generated motion of a 3-D head and of flat or bent pictures, for the simulated subject, tests and benches.

The kiosk sees a face only as dlib's 68 landmarks in 2-D frames. To generate what a camera sees when a
real head turns (genuine) or when a picture is tilted or bent (attacks), this module gives each landmark
a depth from a generic head and projects the points with a pinhole camera:

* `landmark_depths`: depth of each of the 68 landmarks behind the nose tip, in units of half the face
  width (jaw 0-16 from 0.45 at the chin to 1.45 at the ear end; eyebrows 0.45-0.8; nasion 0.38, nose
  tip 0; nostrils 0.36; eye corners 0.45 inner to 0.75 outer; mouth 0.32-0.62). These are rounded
  anthropometric proportions written for this project (nose tip to tragus ~10 cm for a ~14 cm wide face),
  NOT a measured 3-D model: a real head differs, and dlib's jaw points on a turned head slide along the
  silhouette instead of staying on one point of skin.
* `head_pose_landmarks`: the landmarks of a frontal face after the head turns (yaw about the neck, ~10 cm
  behind the nose tip), nods, tilts or comes closer.
* `picture_pose_landmarks`: the same face printed on a sheet, flat or bent into a cylinder about a
  vertical or horizontal axis, turned about the sheet's own vertical axis, brought closer.
* `warp_to_landmarks`: a piecewise-affine warp of an image so that its landmarks land on new positions
  (Delaunay triangles over the landmarks, a ring around the face and the image border), used to make
  camera frames of a head that moves in 3-D from a single frontal photo.

No face image is ever written to disk here; everything stays in memory.
"""

from __future__ import annotations

import cv2
import numpy as np

# Distance from the camera to the nose tip, in half face widths (~7 x 7 cm = 50 cm: a kiosk's distance).
HEAD_DISTANCE = 7.0
# The head turns about the neck, this far behind the nose tip (half face widths, ~10 cm).
NECK_BEHIND_NOSE = 1.4


def _half_width(points: np.ndarray) -> float:
    return max(1e-6, float(points[16, 0] - points[0, 0]) / 2)


def landmark_depths(points: np.ndarray) -> np.ndarray:
    """Depth of each landmark behind the nose tip (positive numbers: further from the camera), in pixels
    of the frontal face `points` (68 x 2). See the module doc for the proportions."""
    half = _half_width(points)
    centre_x = (points[0, 0] + points[16, 0]) / 2
    across = (points[:, 0] - centre_x) / half  # -1 .. 1 across the face
    depth = np.zeros(68)
    jaw = (np.arange(17) - 8) / 8
    depth[0:17] = 0.45 + 1.0 * np.abs(jaw) ** 1.6
    depth[17:27] = 0.45 + 0.35 * across[17:27] ** 2
    depth[27:31] = [0.38, 0.26, 0.13, 0.0]
    depth[31:36] = [0.36, 0.28, 0.22, 0.28, 0.36]
    depth[36:48] = 0.45 + 0.3 * across[36:48] ** 2
    depth[48:68] = 0.32 + 0.3 * across[48:68] ** 2
    return depth * half


def _rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:
    cy, sy = np.cos(yaw), np.sin(yaw)
    cp, sp = np.cos(pitch), np.sin(pitch)
    cr, sr = np.cos(roll), np.sin(roll)
    about_vertical = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    about_horizontal = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    in_plane = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
    return np.asarray(in_plane @ about_horizontal @ about_vertical)


def _project(
    points: np.ndarray,
    toward_camera: np.ndarray,
    *,
    yaw: float,
    pitch: float,
    roll: float,
    closer: float,
    distance: float,
    pivot_behind: float,
    centre: np.ndarray | None = None,
    half: float | None = None,
) -> np.ndarray:
    """Rotate 3-D points (x, y from the frontal image, z toward the camera) about a vertical axis
    `pivot_behind` half widths behind the nose plane, bring them `closer`, and project them with the
    focal length that makes the unmoved frontal points land where they were."""
    half = _half_width(points) if half is None else half
    centre = points.mean(axis=0) if centre is None else centre
    xyz = np.c_[points - centre, toward_camera]
    pivot = np.array([0.0, 0.0, -pivot_behind * half])
    moved = (xyz - pivot) @ _rotation(yaw, pitch, roll).T + pivot
    focal = distance * half
    depth = np.maximum(1e-3 * half, focal / closer - moved[:, 2])
    return np.asarray(centre + focal * moved[:, :2] / depth[:, None])


def head_pose_landmarks(
    points: np.ndarray,
    *,
    yaw: float = 0.0,
    pitch: float = 0.0,
    roll: float = 0.0,
    closer: float = 1.0,
    distance: float = HEAD_DISTANCE,
    depth_scale: float = 1.0,
) -> np.ndarray:
    """Where the 68 landmarks of the frontal face `points` go when the head turns by `yaw` radians (positive:
    the nose moves to the image's right, i.e. the citizen's left in a raw camera frame), nods by `pitch`,
    tilts by `roll` and comes `closer` (1.3: 30 % closer to the camera). `depth_scale` makes the head
    flatter (<1) or deeper (>1) than the generic one."""
    return _project(
        points,
        -landmark_depths(points) * depth_scale,
        yaw=yaw,
        pitch=pitch,
        roll=roll,
        closer=closer,
        distance=distance,
        pivot_behind=NECK_BEHIND_NOSE * depth_scale,
    )


def picture_pose_landmarks(
    points: np.ndarray,
    *,
    yaw: float = 0.0,
    pitch: float = 0.0,
    closer: float = 1.0,
    distance: float = HEAD_DISTANCE,
    bend_radius: float | None = None,
    bend_axis: str = "vertical",
    face: np.ndarray | None = None,
    bend_centre: np.ndarray | None = None,
) -> np.ndarray:
    """The landmarks of a face printed on a sheet held `distance` half face widths from the camera, turned
    by `yaw` (and `pitch`) about the sheet's own axis and brought `closer`. `bend_radius` (half face widths)
    bends the sheet into a cylinder (bulging toward the camera) about a vertical or horizontal axis.
    `points` may be any points of the sheet when `face` gives the printed face's 68 landmarks; the
    cylinder's axis passes through `bend_centre` (default: the face's centre)."""
    face = points if face is None else face
    half = _half_width(face)
    centre = face.mean(axis=0)
    flat = points - centre
    on_sheet = flat.copy()
    toward_camera = np.zeros(len(points))
    if bend_radius is not None:
        radius = bend_radius * half
        along = 0 if bend_axis == "vertical" else 1
        axis_at = 0.0 if bend_centre is None else float(bend_centre[along] - centre[along])
        angle = (flat[:, along] - axis_at) / radius
        on_sheet[:, along] = axis_at + radius * np.sin(angle)
        toward_camera = radius * np.cos(angle) - radius
    return _project(
        on_sheet + centre,
        toward_camera,
        yaw=yaw,
        pitch=pitch,
        roll=0.0,
        closer=closer,
        distance=distance,
        pivot_behind=0.0,
        centre=centre,
        half=half,
    )


def _control_points(points: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The landmarks, a ring of 16 points around the face (hair, ears, neck) and 8 points on the border."""
    height, width = size
    centre = points.mean(axis=0)
    radius = 1.5 * max(np.ptp(points[:, 0]), np.ptp(points[:, 1])) / 2 * 1.25
    angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    ring = centre + radius * np.c_[np.cos(angles), np.sin(angles)]
    border = np.array(
        [
            [0, 0],
            [width / 2, 0],
            [width - 1, 0],
            [width - 1, height / 2],
            [width - 1, height - 1],
            [width / 2, height - 1],
            [0, height - 1],
            [0, height / 2],
        ]
    )
    return np.vstack([points, ring, border])


def _triangles(points: np.ndarray, size: tuple[int, int]) -> list[tuple[int, int, int]]:
    height, width = size
    subdiv = cv2.Subdiv2D((-2, -2, width + 4, height + 4))
    index = {}
    for i, (x, y) in enumerate(points):
        px, py = float(np.clip(x, -1, width)), float(np.clip(y, -1, height))
        index[(round(px, 3), round(py, 3))] = i
        subdiv.insert((px, py))
    found = []
    for tri in subdiv.getTriangleList():
        corners = [(round(float(tri[k]), 3), round(float(tri[k + 1]), 3)) for k in (0, 2, 4)]
        if all(c in index for c in corners):
            found.append((index[corners[0]], index[corners[1]], index[corners[2]]))
    return found


def piecewise_warp(
    image: np.ndarray,
    source: np.ndarray,
    target: np.ndarray,
    triangles: list[tuple[int, int, int]],
    *,
    outside: tuple[int, int, int] | None = None,
) -> np.ndarray:
    """`image` warped so that each triangle of `source` points lands on the same triangle of `target`;
    pixels outside every target triangle keep their place, or take the colour `outside`."""
    height, width = image.shape[:2]
    labels = np.full((height, width), -1, np.int32)
    maps = np.zeros((max(1, len(triangles)), 2, 3), np.float64)
    for k, (a, b, c) in enumerate(triangles):
        maps[k] = cv2.getAffineTransform(
            target[[a, b, c]].astype(np.float32), source[[a, b, c]].astype(np.float32)
        )
        cv2.fillConvexPoly(labels, np.round(target[[a, b, c]]).astype(np.int32), k)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)
    chosen = maps[np.maximum(labels, 0)]
    map_x = chosen[..., 0, 0] * xs + chosen[..., 0, 1] * ys + chosen[..., 0, 2]
    map_y = chosen[..., 1, 0] * xs + chosen[..., 1, 1] * ys + chosen[..., 1, 2]
    uncovered = labels < 0
    if outside is None:
        map_x[uncovered], map_y[uncovered] = xs[uncovered], ys[uncovered]
        border = cv2.BORDER_REFLECT
    else:
        map_x[uncovered], map_y[uncovered] = -10.0, -10.0
        border = cv2.BORDER_CONSTANT
    return cv2.remap(
        image,
        map_x.astype(np.float32),
        map_y.astype(np.float32),
        cv2.INTER_LINEAR,
        borderMode=border,
        borderValue=outside or (0, 0, 0),
    )


def warp_to_landmarks(image: np.ndarray, source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """`image` warped piecewise-affinely so that its landmarks `source` (68 x 2) land on `target`.

    The ring around the face follows the mean motion of the jaw line; the image border stays."""
    height, width = image.shape[:2]
    src = _control_points(source, (height, width))
    shift = (target[0:17] - source[0:17]).mean(axis=0)
    dst = src.copy()
    dst[:68] = target
    dst[68:84] += shift
    return piecewise_warp(image, src, dst, _triangles(dst, (height, width)))


def grid_triangles(columns: int, rows: int) -> list[tuple[int, int, int]]:
    """Two triangles per cell of a grid of `columns` x `rows` points numbered row by row."""
    found = []
    for row in range(rows - 1):
        for col in range(columns - 1):
            a = row * columns + col
            found += [(a, a + 1, a + columns), (a + 1, a + columns + 1, a + columns)]
    return found
