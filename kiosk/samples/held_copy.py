"""What the simulated camera sees when a citizen holds a printed certified copy up to it.

A real citizen holds the sheet a little tilted in front of the kiosk's camera; `held_copy_photo` makes
that picture from a scan of the printout (the newest copy on the simulated glass): the page in
perspective over a darker surround, as the check-by-camera screen receives it. The kiosk puts it upright
again (kiosk.copy_check.verify.upright_page, ocr.perspective) before reading its QR seal and its text.
"""

from __future__ import annotations

import cv2
import numpy as np

PHOTO_SIZE = (2400, 1800)  # width, height: a 4 MP still from the kiosk's document camera


def held_copy_photo(printed: np.ndarray, *, tilt: float = 0.05) -> np.ndarray:
    """`printed` (a page at about 150 dpi) held up to the camera: tilted by `tilt` of the picture's size."""
    width, height = PHOTO_SIZE
    page = printed if printed.ndim == 3 else cv2.cvtColor(printed, cv2.COLOR_GRAY2BGR)
    ph, pw = page.shape[:2]
    scale = min(0.92 * height / ph, 0.92 * width / pw)
    w, h = pw * scale, ph * scale
    x0, y0 = (width - w) / 2, (height - h) / 2
    dx, dy = tilt * width, tilt * height
    source = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], dtype=np.float32)
    target = np.array(
        [
            [x0 + dx, y0],
            [x0 + w - dx * 0.4, y0 + dy * 0.5],
            [x0 + w, y0 + h],
            [x0 - dx * 0.3, y0 + h - dy * 0.4],
        ],
        dtype=np.float32,
    )
    matrix = cv2.getPerspectiveTransform(source, target)
    surround = np.full((height, width, 3), 70, np.uint8)
    return cv2.warpPerspective(
        page, matrix, (width, height), dst=surround, borderMode=cv2.BORDER_TRANSPARENT, flags=cv2.INTER_AREA
    )
