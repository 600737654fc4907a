"""Phone photos of a page: find the sheet's four corners, undo the perspective, and even out the light.

A photo taken by a citizen (check-a-copy by camera) or a page laid crooked on the glass shows a light
sheet on a darker surround, seen at an angle and lit unevenly. :func:`find_page_quad` finds the sheet as
the largest light region and fits a quadrilateral to its outline; :func:`warp_page` maps that
quadrilateral to an upright rectangle of the sheet's own size; :func:`flatten_light` divides out the
paper's brightness so that the page is evenly white. :func:`flatten_photo` does the three in a row.

Every function keeps the channel order it is given (RGB stays RGB, BGR stays BGR) and works on 8-bit
images with 1, 3 or 4 channels.
"""

from __future__ import annotations

import cv2
import numpy as np

WORK_SIDE = 1000  # the corner search runs on a copy whose longer side is this many pixels
MIN_PAGE_AREA = 0.15  # a sheet covers at least this fraction of the photo
MIN_SURROUND_CONTRAST = 25.0  # grey levels between the sheet and what lies around it


def _gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    if image.shape[2] == 4:
        image = image[:, :, :3]
    # Channel order does not matter for the mean of the three channels.
    return np.asarray(image.mean(axis=2), dtype=np.uint8)


def order_corners(points: np.ndarray) -> np.ndarray:
    """Four (x, y) points as top-left, top-right, bottom-right, bottom-left (float32, shape 4x2)."""
    pts = np.asarray(points, np.float32).reshape(4, 2)
    s = pts.sum(axis=1)
    d = pts[:, 1] - pts[:, 0]
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]], np.float32)


def find_page_quad(image: np.ndarray) -> np.ndarray | None:
    """The sheet's corners (4x2 float32, pixels of `image`, ordered) or None when no sheet stands out.

    None means the photo is all paper (a flatbed scan), or no light region is large and contrasted
    enough to be a page.
    """
    gray = _gray(image)
    h, w = gray.shape
    scale = min(1.0, WORK_SIDE / max(h, w))
    small = cv2.resize(
        gray, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA
    )
    # Remove the print, so that only paper against surround is left.
    small = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9)))
    small = cv2.GaussianBlur(small, (5, 5), 0)
    sh, sw = small.shape
    border = np.concatenate(
        [small[:3].ravel(), small[-3:].ravel(), small[:, :3].ravel(), small[:, -3:].ravel()]
    )
    threshold, mask = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    inside = small[mask > 0]
    outside = small[mask == 0]
    if inside.size == 0 or outside.size == 0:
        return None
    if float(np.median(inside)) - float(np.median(outside)) < MIN_SURROUND_CONTRAST:
        return None
    if float(np.mean(border > threshold)) > 0.9:
        return None  # the whole border is paper: a scan of the sheet alone
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(contour)
    if area < MIN_PAGE_AREA * sh * sw:
        return None
    hull = cv2.convexHull(contour)
    quad = None
    perimeter = cv2.arcLength(hull, True)
    for eps in (0.01, 0.02, 0.03, 0.05, 0.08):
        approx = cv2.approxPolyDP(hull, eps * perimeter, True)
        if len(approx) == 4:
            quad = approx.reshape(4, 2).astype(np.float32)
            break
    if quad is None:
        quad = cv2.boxPoints(cv2.minAreaRect(hull)).astype(np.float32)
    if cv2.contourArea(quad) < 0.8 * area:
        return None
    quad = order_corners(quad)
    if not _sharp_outline(small, quad):
        return None  # a shadow fading across the paper, not a sheet's edge against a desk
    return quad / scale


def _sample(small: np.ndarray, points: np.ndarray) -> np.ndarray:
    h, w = small.shape
    xs = np.clip(points[:, 0].astype(int), 0, w - 1)
    ys = np.clip(points[:, 1].astype(int), 0, h - 1)
    return small[ys, xs].astype(np.float32)


def _sharp_outline(small: np.ndarray, quad: np.ndarray) -> bool:
    """Whether each side of `quad` that lies inside the picture is a step from paper to surround.

    A sheet on a desk has a sharp edge; a shadow on the paper fades over a long way, so a few pixels
    either side of where Otsu cut it look alike.
    """
    h, w = small.shape
    centre = quad.mean(axis=0)
    checked = 0
    for k in range(4):
        a, b = quad[k], quad[(k + 1) % 4]
        t = np.linspace(0.1, 0.9, 25)[:, None]
        points = a + t * (b - a)
        on_border = (points[:, 0] < 6) | (points[:, 0] > w - 7) | (points[:, 1] < 6) | (points[:, 1] > h - 7)
        if on_border.mean() > 0.5:
            continue  # the sheet runs off the picture here
        normal = np.array([-(b - a)[1], (b - a)[0]], np.float32)
        normal /= max(1e-6, float(np.linalg.norm(normal)))
        if np.dot(centre - (a + b) / 2, normal) < 0:
            normal = -normal  # pointing into the sheet
        inside = points + 6 * normal
        outside = points - 6 * normal
        keep = (
            ~on_border
            & (outside[:, 0] >= 0)
            & (outside[:, 0] < w)
            & (outside[:, 1] >= 0)
            & (outside[:, 1] < h)
        )
        if keep.sum() < 5:
            continue

        step = float(np.median(_sample(small, inside[keep]) - _sample(small, outside[keep])))
        if step < MIN_SURROUND_CONTRAST:
            return False
        checked += 1
    return checked > 0


def warp_page(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The quadrilateral `quad` (ordered corners) of `image` mapped onto an upright rectangle."""
    tl, tr, br, bl = order_corners(quad)
    width = round(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = round(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    width, height = max(16, width), max(16, height)
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], np.float32)
    matrix = cv2.getPerspectiveTransform(np.array([tl, tr, br, bl], np.float32), target)
    return cv2.warpPerspective(
        image, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
    )


def paper_brightness(gray: np.ndarray) -> np.ndarray:
    """The paper's brightness at every pixel (print closed over), same size as `gray`, float32."""
    h, w = gray.shape
    factor = max(1, round(max(h, w) / 800))
    small = cv2.resize(gray, (max(1, w // factor), max(1, h // factor)), interpolation=cv2.INTER_AREA)
    side = max(3, (max(small.shape) // 60) | 1)
    bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side)))
    bg = cv2.medianBlur(bg, min(21, max(3, (side * 2 + 1) | 1)))
    bg = cv2.GaussianBlur(bg, (0, 0), side / 2)
    return cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)


def flatten_light(image: np.ndarray) -> np.ndarray:
    """The image with the paper's uneven light divided out, channel by channel: the paper becomes evenly
    white (a warm lamp's tint goes too), ink keeps its colour and its depth."""
    if image.ndim == 2:
        bg = np.maximum(paper_brightness(image), 1.0)
        return np.clip(image.astype(np.float32) * (245.0 / bg), 0, 255).astype(np.uint8)
    out = image.astype(np.float32)
    for c in range(3):
        bg = np.maximum(paper_brightness(image[:, :, c]), 1.0)
        out[:, :, c] *= 245.0 / bg
    return np.clip(out, 0, 255).astype(np.uint8)


def flatten_photo(image: np.ndarray) -> np.ndarray:
    """A photo of a page made into a flat scan: sheet found, perspective corrected, light evened out.

    Input and output are 8-bit images in the same channel order (RGB in, RGB out). When no sheet
    stands out from its surround (a flatbed scan, a close-up), only the light is flattened.
    """
    if not isinstance(image, np.ndarray) or image.ndim not in (2, 3) or image.dtype != np.uint8:
        raise ValueError("flatten_photo needs an 8-bit image array (H x W or H x W x C)")
    quad = find_page_quad(image)
    page = warp_page(image, quad) if quad is not None else image
    return flatten_light(page)
