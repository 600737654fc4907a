"""5-point alignment to the ArcFace template: the crop that ArcFace/SFace-style networks are trained on.

The five points are the two eye centres, the nose tip and the two mouth corners, in image order (the
citizen's right eye is at the image's left). They come from dlib's 68-point shape predictor (already
loaded for liveness): the mean of each eye's six points, point 30 (nose tip), points 48 and 54 (outer
mouth corners). dlib's own 5-point predictor gives eye corners and the base of the nose, not the mouth,
so it cannot place the template's mouth points.

A similarity transform (rotation, uniform scale, translation; least squares, Umeyama 1991) maps the
points onto the template, and the face is warped into a ``size`` x ``size`` square.
"""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.identity.dlib_models import FaceBox, landmarks_in

# insightface's arcface_torch template for a 112x112 crop: left eye, right eye, nose tip, left and right
# mouth corners (image left/right). SFace and OpenCV's FaceRecognizerSF.alignCrop use the same points.
ARCFACE_TEMPLATE_112 = np.array(
    [
        [38.2946, 51.6963],
        [73.5318, 51.5014],
        [56.0252, 71.7366],
        [41.5493, 92.3655],
        [70.7299, 92.2041],
    ],
    dtype=np.float64,
)


def template(size: int) -> np.ndarray:
    """The ArcFace template scaled to a ``size`` x ``size`` crop."""
    return ARCFACE_TEMPLATE_112 * (size / 112.0)


def five_points_from_68(points: np.ndarray) -> np.ndarray:
    """The template's five points from dlib's 68 landmarks (shape (68, 2)), as shape (5, 2)."""
    return np.array(
        [
            points[36:42].mean(axis=0),
            points[42:48].mean(axis=0),
            points[30],
            points[48],
            points[54],
        ],
        dtype=np.float64,
    )


def five_points(rgb: np.ndarray, box: FaceBox) -> np.ndarray:
    """The five alignment points of the face in `box` (dlib's 68-point predictor, about 2 ms)."""
    return five_points_from_68(landmarks_in(rgb, box).points)


def similarity_transform(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """The 2x3 similarity transform that maps `src` points onto `dst` in the least-squares sense."""
    src = np.asarray(src, dtype=np.float64)
    dst = np.asarray(dst, dtype=np.float64)
    src_mean, dst_mean = src.mean(axis=0), dst.mean(axis=0)
    src_c, dst_c = src - src_mean, dst - dst_mean
    covariance = dst_c.T @ src_c / len(src)
    u, singular, vt = np.linalg.svd(covariance)
    sign = np.eye(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        sign[1, 1] = -1.0  # a reflection is not a similarity: flip the weakest axis
    rotation = u @ sign @ vt
    variance = float((src_c**2).sum() / len(src))
    scale = float(np.trace(np.diag(singular) @ sign)) / variance if variance > 0 else 1.0
    matrix = np.empty((2, 3), dtype=np.float64)
    matrix[:, :2] = scale * rotation
    matrix[:, 2] = dst_mean - scale * rotation @ src_mean
    return matrix


def align_face(rgb: np.ndarray, points: np.ndarray, size: int = 112) -> np.ndarray:
    """The face warped so that its five points land on the template, as a ``size`` x ``size`` image."""
    matrix = similarity_transform(points, template(size))
    return cv2.warpAffine(rgb, matrix, (size, size), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))
