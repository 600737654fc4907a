"""ocr.perspective: a phone photo of a page becomes a flat, evenly lit, upright scan."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kiosk.samples.cases import phone_photo
from kiosk.samples.documents import make_document
from ocr.perspective import find_page_quad, flatten_photo


@pytest.mark.parametrize("seed", [1, 2])
def test_phone_photo_is_flattened_to_the_sheet(seed: int) -> None:
    page = make_document("other", seed=seed).image
    photo = phone_photo(page, seed=seed)
    flat = flatten_photo(cv2.cvtColor(photo, cv2.COLOR_BGR2RGB))
    h, w = flat.shape[:2]
    assert abs(h / w - 3508 / 2480) < 0.04, "the sheet keeps its A4 proportions"
    assert 0.6 * 2480 < w < 1.05 * 2480
    gray = cv2.cvtColor(flat, cv2.COLOR_RGB2GRAY)
    # No desk left at the edges, and the paper is evenly lit: its brightness varies little across the sheet.
    paper = cv2.dilate(gray, np.ones((41, 41), np.uint8))[20:-20:40, 20:-20:40]  # the paper between print
    corners = [paper[1, 1], paper[1, -2], paper[-2, 1], paper[-2, -2]]
    assert min(corners) > 200
    assert float(np.percentile(paper, 98) - np.percentile(paper, 2)) < 20
    # The print lines up with the original's: the motto's line sits near the same relative height.
    rows_flat = (gray < 128).mean(axis=1)
    rows_page = (cv2.cvtColor(page, cv2.COLOR_BGR2GRAY) < 128).mean(axis=1)
    assert abs(np.argmax(rows_flat > 0.01) / h - np.argmax(rows_page > 0.01) / 3508) < 0.02


def test_a_flatbed_scan_has_no_quadrilateral_and_keeps_its_geometry() -> None:
    page = make_document("birth_certificate", seed=3).image
    assert find_page_quad(page) is None
    flat = flatten_photo(page)
    assert flat.shape == page.shape


def test_flatten_photo_refuses_what_is_not_an_image() -> None:
    with pytest.raises(ValueError, match="8-bit image"):
        flatten_photo(np.zeros((10, 10), np.float32))
