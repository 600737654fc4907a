"""The quality gate never refuses a page that can be read (issue 13): sparse, off-centre, turned, small print.

The pages are drawn here (tests/ocr/own_pages.py) in several fonts and layouts, not by the bench's
generator. A page refused as blurred must really be unreadable: raw Tesseract cannot read it either.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocr import OcrEngine
from ocr.preprocess import sharpness, to_gray

from .conftest import metrics
from .own_pages import FONTS, LINES, raw_tesseract, render


@pytest.mark.parametrize("font", sorted(FONTS))
def test_one_column_at_the_left_with_wide_margins_is_read(engine: OcrEngine, font: str) -> None:
    image, truth = render(LINES[:5], font, left=260, top=700, size=44)
    page = engine.read_page(image)
    assert page.quality.ok, page.quality
    assert metrics.cer(page.text, truth) < 3.0
    assert page.quality.metrics["sharpness"] > 3.0, "a crisp page measures crisp, wherever its ink is"


@pytest.mark.parametrize(
    ("font", "turn"), [("noto-sans", 4.0), ("freefont-serif", -4.0), ("dejavu-serif", 3.0)]
)
def test_sparse_page_turned_a_few_degrees_is_read(engine: OcrEngine, font: str, turn: float) -> None:
    image, truth = render(LINES[1:6], font, left=300, top=1200, size=48, turn=turn)
    page = engine.read_page(image)
    assert page.quality.ok, page.quality
    assert abs(abs(page.quality.metrics["skew_degrees"]) - abs(turn)) < 0.5
    assert metrics.cer(page.text, truth) < 3.0


def test_two_short_lines_on_an_empty_page_are_read(engine: OcrEngine) -> None:
    image, truth = render(LINES[:2], "liberation-sans", left=1300, top=2900, size=50)
    page = engine.read_page(image)
    assert page.quality.ok, page.quality
    assert metrics.cer(page.text, truth) < 3.0


@pytest.mark.parametrize("font", ["dejavu-sans-condensed", "noto-sans"])
def test_small_print_is_read(engine: OcrEngine, font: str) -> None:
    lines = [LINES[k % len(LINES)] for k in range(24)]
    image, truth = render(lines, font, left=200, top=250, size=30, gap=1.5)  # 7 pt at 300 dpi
    page = engine.read_page(image)
    assert page.quality.ok, page.quality
    assert metrics.cer(page.text, truth) < 3.0


def test_sharpness_is_measured_on_the_ink_not_on_empty_paper() -> None:
    sparse, _ = render(LINES[:3], "noto-sans", left=250, top=300, size=44)
    full, _ = render([LINES[k % len(LINES)] for k in range(40)], "noto-sans", left=250, top=300, size=44)
    a, b = sharpness(to_gray(sparse)), sharpness(to_gray(full))
    assert a > 3.0 and abs(a - b) < 0.25 * b, (a, b)
    blurred = sharpness(cv2.GaussianBlur(to_gray(sparse), (0, 0), 4))
    assert blurred < 0.6 * a
    assert np.isnan(sharpness(np.full((800, 600), 250, np.uint8))), "no ink: nothing to judge"


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sigma=st.floats(min_value=3.0, max_value=16.0),
    font=st.sampled_from(sorted(FONTS)),
    size=st.integers(min_value=36, max_value=56),
)
def test_a_page_refused_as_blurred_is_unreadable_by_raw_tesseract(
    engine: OcrEngine, sigma: float, font: str, size: int
) -> None:
    image, truth = render(list(LINES), font, left=300, top=600, size=size)
    blurred = cv2.GaussianBlur(image, (0, 0), sigma)
    page = engine.read_page(blurred)
    if page.quality.reason == "blurred":
        raw = raw_tesseract(blurred)
        assert metrics.cer(raw, truth) > 25.0, f"refused as blurred, yet raw Tesseract reads it: {raw!r}"
    else:
        assert page.quality.ok or page.quality.reason in ("unreadable", "no_text"), page.quality
        if page.quality.ok:
            assert metrics.cer(page.text, truth) < 10.0, "a page accepted is read"


def test_print_no_word_covers_is_found_as_lost() -> None:
    from ocr import tesseract
    from ocr.reread import lost_segments

    image, _ = render(LINES[:4], "liberation-sans", left=300, top=400, size=46)
    gray = to_gray(image)
    words = tesseract.run(gray, languages="vie", psm=6, dpi=300, timeout=30)
    third = sorted({(w.block, w.par, w.line) for w in words})[2]
    kept = [w for w in words if (w.block, w.par, w.line) != third]
    assert lost_segments(gray, words) == []
    lost = lost_segments(gray, kept)
    assert len(lost) == 1
    y = 400 + 2 * int(46 * 1.8)  # where the third line was drawn
    assert lost[0][1] <= y + 46 and lost[0][3] >= y
