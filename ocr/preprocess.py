"""Page preprocessing that measures each page and applies only what it needs.

The measurements (background evenness, noise, sharpness, contrast, ink) are cheap: they run on a
reduced copy, and the ones about the print (sharpness, contrast) are taken where the ink is, wherever
it lies on the page. From them the page gets, in order and only when called for: the sheet found and
its perspective undone (ocr.perspective), colour ink dropped (ocr.colour), illumination flattening,
denoising, contrast stretch, deskew, binarisation, pictures masked, and ruled lines erased. A clean page
passes through as plain grayscale, because Tesseract reads clean grayscale best.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import cv2
import numpy as np

from ocr import colour, perspective, tables

log = logging.getLogger(__name__)

NOISE_SIGMA_DENOISE = 5.0  # estimated noise sigma (grey levels) above which the page is denoised
UNEVEN_LIGHT_SPREAD = 0.08  # (p95 - p5) / p95 of the background above which it is flattened
LOW_CONTRAST = 150.0  # background minus ink (grey levels) under which contrast is stretched
SHARPEN_BELOW = 4.0  # ink sharpness under which a page is sharpened (blur sigma ~3 px and more)
SHARPEN_AMOUNT = 2.5
MIN_DESKEW_DEGREES = 0.25
MAX_DESKEW_DEGREES = 12.0


@dataclass
class Prepared:
    """A page ready for Tesseract, and how it got there."""

    upright: np.ndarray  # BGR page after crop and rotation: what word boxes refer to
    ocr_gray: np.ndarray  # the 8-bit image given to Tesseract, same geometry as `upright`
    metrics: dict[str, float] = field(default_factory=dict)
    steps: list[str] = field(default_factory=list)
    tables: list[tables.Table] = field(default_factory=list)  # ruled tables, in `ocr_gray` pixels


def to_gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def estimate_background(gray: np.ndarray) -> np.ndarray:
    """The paper's brightness at each point (text removed), at a quarter of the size."""
    h, w = gray.shape
    small = cv2.resize(gray, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (11, 11))
    bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    return cv2.medianBlur(bg, 21 if min(bg.shape) > 21 else 3)


def estimate_noise(gray: np.ndarray) -> float:
    """Noise sigma by Immerkaer's operator, with a median so that text edges do not count."""
    h, w = gray.shape
    cy, cx, r = h // 2, w // 2, min(600, h // 2, w // 2)
    crop = gray[cy - r : cy + r, cx - r : cx + r].astype(np.float32)
    if crop.size < 9:
        return 0.0
    kernel = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)
    response = cv2.filter2D(crop, -1, kernel)
    return float(np.median(np.abs(response)) / 0.6745 / 6.0)


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """Where the print is: Otsu's dark class (uint8 0/255), or nothing when the page holds no contrast."""
    _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return binary


def sharpness(gray: np.ndarray, ink: np.ndarray | None = None) -> float:
    """Steepest edges of the print relative to its contrast: ~4 sharp, ~2 at blur sigma 2, <1 unreadable.

    Measured where the ink is (the pixels next to the print's connected components, wherever they lie on
    the page), so that a sparse page, a single column off to one side or a page turned a few degrees is
    judged by its letters and not by empty paper. NaN when the page has too little ink to judge.
    """
    if ink is None:
        ink = ink_mask(gray)
    factor = 2 if max(gray.shape) > 2000 else 1  # half size is plenty for the steepest edges
    if factor > 1:
        gray = gray[::factor, ::factor]
        ink = ink[::factor, ::factor]
    near = cv2.dilate(ink, np.ones((5, 5), np.uint8)) > 0
    if np.count_nonzero(ink) < 300 or np.count_nonzero(near) < 1000:
        return float("nan")
    g32 = gray.astype(np.float32)
    magnitude = cv2.magnitude(cv2.Sobel(g32, cv2.CV_32F, 1, 0), cv2.Sobel(g32, cv2.CV_32F, 0, 1))
    paper = float(np.percentile(g32[near & (ink == 0)], 90)) if np.any(near & (ink == 0)) else 255.0
    dark = float(np.percentile(g32[ink > 0], 2))
    return float(np.percentile(magnitude[near], 95) * factor / max(8.0, paper - dark))


def skew_angle(binary_text: np.ndarray) -> float:
    """Angle (degrees, counter-clockwise positive) that makes text lines horizontal.

    Projection-profile search on the text pixels of a reduced image: the angle whose row histogram is
    most peaked wins. Coarse 0.5 degree steps, then 0.05 degree steps around the best.
    """
    h, w = binary_text.shape
    factor = max(1, round(max(h, w) / 1000))
    small = cv2.resize(binary_text, (max(1, w // factor), max(1, h // factor)), interpolation=cv2.INTER_AREA)
    ys, xs = np.nonzero(small > 64)
    if len(xs) < 200:
        return 0.0
    if len(xs) > 60000:
        pick = np.random.default_rng(0).choice(len(xs), 60000, replace=False)
        xs, ys = xs[pick], ys[pick]
    xs = xs.astype(np.float32) - small.shape[1] / 2
    ys = ys.astype(np.float32)

    def score(angle: float) -> float:
        t = np.deg2rad(angle)
        rows = ys * np.cos(t) + xs * np.sin(t)
        hist = np.bincount((rows - rows.min()).astype(np.int32))
        return float(np.dot(hist, hist))

    coarse = np.arange(-MAX_DESKEW_DEGREES, MAX_DESKEW_DEGREES + 0.01, 0.5)
    best = float(coarse[int(np.argmax([score(a) for a in coarse]))])
    fine = np.arange(best - 0.5, best + 0.51, 0.05)
    best = float(fine[int(np.argmax([score(a) for a in fine]))])
    return best


def is_sideways(binary_text: np.ndarray) -> bool:
    """Whether the print's lines run down the page rather than across (a page laid a quarter turn off).

    Letter-sized blobs only (rules, frames and pictures left out): the print gathers in the few rows of
    its lines, so its row profile is far more concentrated than its column profile; a page turned a
    quarter shows the opposite.
    """
    h, w = binary_text.shape
    factor = max(1, round(max(h, w) / 1000))
    small = cv2.resize(binary_text, (max(1, w // factor), max(1, h // factor)), interpolation=cv2.INTER_AREA)
    ink = (small > 64).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink)
    limit = 0.03 * max(small.shape)
    letters = np.zeros(count, bool)
    letters[1:] = (stats[1:, cv2.CC_STAT_WIDTH] <= limit) & (stats[1:, cv2.CC_STAT_HEIGHT] <= limit)
    mask = letters[labels]
    if np.count_nonzero(mask) < 300:
        return False

    def concentration(profile: np.ndarray) -> float:
        p = profile.astype(np.float64)
        return float(np.dot(p, p) / max(p.sum() ** 2, 1e-9))

    return concentration(mask.sum(axis=0)) > 1.5 * concentration(mask.sum(axis=1))


def rotate(image: np.ndarray, angle: float, fill: int | tuple[int, ...]) -> np.ndarray:
    """Rotate about the centre by `angle` degrees (counter-clockwise), keeping the size."""
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=fill)


def rotate_quarter(image: np.ndarray, quarter_turns_cw: int) -> np.ndarray:
    turns = quarter_turns_cw % 4
    if turns == 0:
        return image
    code = (cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_180, cv2.ROTATE_90_COUNTERCLOCKWISE)[turns - 1]
    return cv2.rotate(image, code)


def text_height(binary: np.ndarray) -> float:
    """Median height (px) of the letter-sized ink blobs of a black-on-white page; 0 when there are none."""
    h, w = binary.shape
    small = cv2.resize(binary, (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_AREA)
    count, _, stats, _ = cv2.connectedComponentsWithStats((small < 128).astype(np.uint8))
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    widths = stats[1:, cv2.CC_STAT_WIDTH]
    letters = heights[(heights >= 4) & (heights <= 100) & (widths <= 150)]
    return float(2 * np.median(letters)) if count > 1 and len(letters) else 0.0


def remove_specks(binary: np.ndarray, max_area: int) -> np.ndarray:
    """Drop tiny black blobs (noise) from a black-on-white binary image, keeping dots of i, j and accents."""
    ink = (binary == 0).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    small = np.zeros(count, bool)
    small[1:] = stats[1:, cv2.CC_STAT_AREA] <= max_area
    out = binary.copy()
    out[small[labels]] = 255
    return out


def ink_contrast(gray: np.ndarray) -> tuple[float, float]:
    """(ink, paper) grey levels: the darkest 0.05 % of the page and its 90th percentile.

    The darkest sliver, not the darkest percent: a sparse page holds well under 1 % ink, and a
    percentile that lands on paper would call it blank (or stretch the paper into noise).
    """
    ink, paper = (float(v) for v in np.percentile(gray[::3, ::3], [0.05, 90]))
    return ink, paper


def find_photos(gray: np.ndarray, dpi: int) -> list[tuple[int, int, int, int]]:
    """Boxes (x, y, w, h) of pictures on the page (a portrait in its frame): regions larger than any
    letter where nearly every row and column holds something darker than paper (mid-greys too). A block
    of text, however bold, has blank rows between its lines; rules, frames and tables are mostly blank."""
    factor = max(1, round(dpi / 75))  # work at about 75 dpi
    small = cv2.resize(gray, (max(1, gray.shape[1] // factor), max(1, gray.shape[0] // factor)),
                       interpolation=cv2.INTER_AREA)  # fmt: skip
    ink = (small < float(np.median(small)) - 40).astype(np.uint8)
    joined = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    _, _, stats, _ = cv2.connectedComponentsWithStats(joined)
    inch = dpi / factor
    boxes = []
    for x, y, w, h, _area in stats[1:]:
        if w < 0.5 * inch or h < 0.5 * inch:
            continue
        region = ink[y : y + h, x : x + w]
        fill = float(np.count_nonzero(region)) / (w * h)
        blank_rows = float(np.mean(region.sum(axis=1) <= 0.02 * w))
        blank_cols = float(np.mean(region.sum(axis=0) <= 0.02 * h))
        if fill > 0.3 and blank_rows < 0.05 and blank_cols < 0.05:
            boxes.append(
                _grown((int(x), int(y), int(x + w), int(y + h)), stats[1:], max(1, int(inch * 0.05)))
            )
    return [(x0 * factor, y0 * factor, (x1 - x0) * factor, (y1 - y0) * factor) for x0, y0, x1, y1 in boxes]


def _grown(box: tuple[int, int, int, int], stats: np.ndarray, pad: int) -> tuple[int, int, int, int]:
    """A picture's box grown over the ink that touches it: its light parts' edges, and its frame."""
    x0, y0, x1, y1 = box
    for _ in range(3):
        touching = (
            (stats[:, 0] <= x1 + pad)
            & (stats[:, 0] + stats[:, 2] >= x0 - pad)
            & (stats[:, 1] <= y1 + pad)
            & (stats[:, 1] + stats[:, 3] >= y0 - pad)
            # a line of text beside the picture is not part of it: only marks smaller than it or around it
            & ((stats[:, 2] <= (x1 - x0) * 1.3) | (stats[:, 3] >= (y1 - y0) * 0.9))
        )
        if not touching.any():
            break
        nx0 = min(x0, int(stats[touching, 0].min()))
        ny0 = min(y0, int(stats[touching, 1].min()))
        nx1 = max(x1, int((stats[touching, 0] + stats[touching, 2]).max()))
        ny1 = max(y1, int((stats[touching, 1] + stats[touching, 3]).max()))
        if (nx0, ny0, nx1, ny1) == (x0, y0, x1, y1):
            break
        x0, y0, x1, y1 = nx0, ny0, nx1, ny1
    return x0, y0, x1, y1


def prepare(image: np.ndarray, dpi: int) -> Prepared:
    """Measure the page, then find the sheet, drop colour ink, flatten, denoise, stretch, deskew and
    binarise as needed."""
    steps: list[str] = []
    metrics: dict[str, float] = {}
    upright = image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)

    # The sheet: a photo or a page laid crooked shows a darker surround; undo the perspective.
    quad = perspective.find_page_quad(upright)
    metrics["page_coverage"] = 1.0
    if quad is not None:
        area = float(cv2.contourArea(quad))
        metrics["page_coverage"] = area / (upright.shape[0] * upright.shape[1])
        if metrics["page_coverage"] < 0.97:
            # A photographed sheet: flat, and lit evenly in every channel (a lamp's tint hides colour ink).
            upright = perspective.flatten_light(perspective.warp_page(upright, quad))
            steps.append("perspective")

    # Colour ink (seal, signature): reported, then dropped from what Tesseract reads.
    metrics["colour_fraction"] = colour.colour_fraction(upright)
    if metrics["colour_fraction"] < colour.MAX_COLOUR_FRACTION:
        metrics.update(colour.detect_marks(upright, dpi))
    else:  # a colour picture or a tinted background all over: no ink to tell apart
        metrics.update(seal=0.0, signature=0.0)
    if metrics["seal"] or metrics["signature"]:
        gray = colour.dropout_gray(upright)
        steps.append("colour_dropout")
        plain = to_gray(upright)
        _, spread = colour.top_and_spread(np.ascontiguousarray(upright[::4, ::4]))
        black = np.count_nonzero((plain[::4, ::4] < 128) & (spread < 24))
        if np.count_nonzero(gray[::4, ::4] < 128) < 0.5 * black:  # a safety net: black print must stay
            gray = plain
            steps[-1] = "colour_kept"
    else:  # no stamp, no pen: colour on the page is print (a navy ink, a logo), read as it is
        gray = to_gray(upright)

    background = estimate_background(gray)
    bg5, bg50, bg95 = (float(v) for v in np.percentile(background, [5, 50, 95]))
    metrics["background"] = bg50
    metrics["light_spread"] = (bg95 - bg5) / max(bg95, 1.0)
    metrics["noise_sigma"] = estimate_noise(gray)
    noisy = metrics["noise_sigma"] > NOISE_SIGMA_DENOISE

    work = gray
    if metrics["light_spread"] > UNEVEN_LIGHT_SPREAD or bg50 < 200:
        bg_full = cv2.resize(background, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
        work = cv2.divide(gray, np.maximum(bg_full, 1), scale=255)
        steps.append("flatten")
    if noisy:
        # Gaussian smoothing scaled to the noise: fast on a full page, and what the binarisation needs.
        sigma = float(np.clip(metrics["noise_sigma"] / 22.0, 0.8, 1.6)) * dpi / 300
        work = cv2.GaussianBlur(work, (0, 0), sigma)
        steps.append("denoise")

    ink, paper = ink_contrast(work)
    metrics["contrast"] = paper - ink
    if metrics["contrast"] < LOW_CONTRAST and metrics["contrast"] > 10:
        lo = ink
        work = cv2.convertScaleAbs(
            work, alpha=255.0 / max(1.0, paper - lo), beta=-lo * 255.0 / max(1.0, paper - lo)
        )
        steps.append("stretch")

    # Text mask for deskew and the ink measures: Otsu on the (flattened) page.
    _, binary = cv2.threshold(work, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ink_fraction = float(np.count_nonzero(binary == 0)) / binary.size
    metrics["ink_fraction"] = ink_fraction
    metrics["sharpness"] = sharpness(work, 255 - binary) if 0.0002 < ink_fraction < 0.5 else float("nan")
    if not noisy and metrics["sharpness"] < SHARPEN_BELOW:
        # A soft scan (page off the glass, a shaky photo): unsharp masking at about the blur's own width
        # gives Tesseract back most letters (blur sigma 5 px: 22 % -> 3 % CER).
        radius = float(np.clip(12.0 / metrics["sharpness"], 1.5, 8.0))
        soft = cv2.GaussianBlur(work, (0, 0), radius).astype(np.float32)
        work = np.clip(work.astype(np.float32) * (1 + SHARPEN_AMOUNT) - SHARPEN_AMOUNT * soft, 0, 255).astype(
            np.uint8
        )
        _, binary = cv2.threshold(work, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        metrics["sharpened"] = 1.0
        steps.append("sharpen")

    if 0.0002 < ink_fraction < 0.4 and is_sideways(255 - binary):
        # Lines of print run down the page: turn it a quarter first, so that deskew measures the real
        # lines (the engine asks Tesseract which way up it is then).
        upright, work, binary = (rotate_quarter(a, 1) for a in (upright, work, binary))
        metrics["pre_turns"] = 1.0
        steps.append("quarter_turn")
    angle = skew_angle(255 - binary) if 0.0002 < ink_fraction < 0.4 else 0.0
    metrics["skew_degrees"] = angle
    if abs(angle) >= MIN_DESKEW_DEGREES:
        paper_bgr = tuple(int(v) for v in np.median(upright[::16, ::16].reshape(-1, 3), axis=0))
        upright = rotate(upright, -angle, paper_bgr)
        work = rotate(work, -angle, 255)
        binary = rotate(binary, -angle, 255)
        steps.append("deskew")

    metrics["text_height"] = text_height(binary)

    if noisy or "flatten" in steps:
        # Binarise where it helps: a noisy or shadowed page reads far better as clean black on white.
        if not noisy:
            _, binary = cv2.threshold(work, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        work = remove_specks(binary, max_area=max(4, int(12 * (dpi / 300) ** 2)))
        steps.append("binarise")

    if "binarise" not in steps:
        # Paper to pure white: Tesseract thresholds each image by itself, and on a stretch of empty paper
        # with grain (a phone photo, a JPEG) it would turn the grain into hundreds of specks.
        level = float(np.median(work[::4, ::4]))
        margin = max(14.0, 4.0 * metrics["noise_sigma"])
        work = np.where(work > level - margin, np.uint8(255), work)

    photos = find_photos(work, dpi) if ink_fraction < 0.35 else []
    metrics["photos"] = float(len(photos))
    if photos:
        work = work.copy()
        pad = max(4, dpi // 30)
        for x, y, w, h in photos:
            work[max(0, y - pad) : y + h + pad, max(0, x - pad) : x + w + pad] = 255
        steps.append("mask_photos")

    masks = rule_masks(work, dpi)
    found = tables.find_tables(masks[1], masks[2], dpi)
    metrics["tables"] = float(len(found))
    removed = remove_rules(work, dpi, masks)
    if removed is not None:
        work = removed
        steps.append("remove_rules")
    return Prepared(upright=upright, ocr_gray=work, metrics=metrics, steps=steps, tables=found)


def rule_masks(gray: np.ndarray, dpi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ink, horizontal, vertical) masks (uint8 0/255): the print, and its ruled lines longer than half an
    inch (no letter stroke is)."""
    length = max(40, int(dpi * 0.5))
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    # Vertical frame lines broken by noise are joined first (a short vertical close cannot chain letters).
    joined = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 9)))
    vertical = cv2.morphologyEx(
        joined, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length))
    )
    vertical = cv2.bitwise_and(vertical, ink)
    return ink, horizontal, vertical


def remove_rules(
    gray: np.ndarray, dpi: int, masks: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
) -> np.ndarray | None:
    """Erase long ruled lines (underlines, frames, card borders, table grids), which Tesseract reads as
    dashes. Returns None when the page has none."""
    ink, horizontal, vertical = masks if masks is not None else rule_masks(gray, dpi)
    rules = cv2.bitwise_or(horizontal, vertical)
    if not rules.any():
        return None
    # Whole shapes that are mostly rule (a frame with rounded corners, a box) go entirely, so that no
    # corner is left behind to be read as a letter; text touching a rule keeps its letters.
    out = gray.copy()
    out[cv2.dilate(rules, np.ones((5, 5), np.uint8)) > 0] = 255
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    on_rule = np.bincount(labels[rules > 0], minlength=count)
    shapes = np.nonzero(on_rule > 0.5 * np.maximum(stats[:, cv2.CC_STAT_AREA], 1))[0]
    for label in shapes[shapes > 0]:
        x, y, w, h = (int(v) for v in stats[label, :4])
        x0, y0 = max(0, x - 2), max(0, y - 2)
        box = labels[y0 : y + h + 2, x0 : x + w + 2] == label
        grown = cv2.dilate(box.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
        out[y0 : y + h + 2, x0 : x + w + 2][grown] = 255
    return out
