"""Pages the generators never drew (bench/ocr_unseen_bench.py): regressions found on them."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocr import OcrEngine
from ocr.colour import dropout_gray

from .conftest import metrics

FONT = "/usr/share/fonts/truetype/freefont/FreeSansBold.ttf"


def _page_with_dark_red_heading_and_seal() -> np.ndarray:
    img = Image.new("RGB", (1600, 1000), (250, 244, 225))
    d = ImageDraw.Draw(img)
    d.text((560, 120), "QUYẾT ĐỊNH", font=ImageFont.truetype(FONT, 64), fill=(120, 20, 20))
    d.text(
        (200, 300),
        "Điều 1. Quyết định này có hiệu lực thi hành.",
        font=ImageFont.truetype(FONT, 44),
        fill=(20, 20, 20),
    )
    # A red round seal elsewhere on the page, so that colour dropout is at work.
    seal = Image.new("RGB", img.size, (255, 255, 255))
    ImageDraw.Draw(seal).ellipse((1100, 500, 1500, 900), outline=(215, 40, 45), width=10)
    page = np.asarray(img, np.float32) * (np.asarray(seal, np.float32) / 255.0)
    return cv2.cvtColor(page.clip(0, 255).astype(np.uint8), cv2.COLOR_RGB2BGR)


def test_a_heading_printed_in_dark_red_is_kept_while_the_seal_is_dropped() -> None:
    page = _page_with_dark_red_heading_and_seal()
    out = dropout_gray(page)
    heading = out[120:200, 560:1000]
    ring = out[500:520, 1250:1350]  # the seal's top edge
    assert np.count_nonzero(heading < 128) > 0.5 * np.count_nonzero(
        cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)[120:200, 560:1000] < 128
    )
    assert np.count_nonzero(ring < 128) == 0


def test_a_dark_red_heading_on_a_sealed_page_is_read(engine: OcrEngine) -> None:
    result = engine.read_document([_page_with_dark_red_heading_and_seal()])
    assert result.pages[0].quality.ok, result.pages[0].quality
    assert result.fields["seal"] == "present"
    assert "QUYẾT ĐỊNH" in result.text, result.text
    assert metrics.cer(result.text, "QUYẾT ĐỊNH\nĐiều 1. Quyết định này có hiệu lực thi hành.") < 5.0
