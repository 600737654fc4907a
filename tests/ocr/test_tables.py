"""Ruled tables: the grid is found, each column read on its own, and the rows come back in order."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from kiosk.samples.cases import make_case
from kiosk.samples.documents import make_document
from ocr import OcrEngine, preprocess

from .conftest import metrics
from .own_pages import font_path

ROWS = (
    ("TT", "Tên hàng", "Đơn vị", "Số lượng"),
    ("1", "Gạo tẻ loại một", "kg", "120"),
    ("2", "Dầu ăn Tường An", "chai", "36"),
    ("3", "Nước mắm Phú Quốc", "thùng", "4"),
    ("4", "Đường kính trắng", "kg", "25"),
    ("5", "Muối i-ốt", "gói", "60"),
)


def _drawn_table(font: str) -> tuple[np.ndarray, str]:
    img = Image.new("L", (2480, 1600), 255)
    draw = ImageDraw.Draw(img)
    face = ImageFont.truetype(font_path(font), 42)
    columns = (200, 380, 1300, 1700, 2200)
    top, height = 200, 110
    for r, row in enumerate(ROWS):
        for c, text in enumerate(row):
            draw.text((columns[c] + 20, top + r * height + 30), text, fill=0, font=face)
    for r in range(len(ROWS) + 1):
        draw.line((columns[0], top + r * height, columns[-1], top + r * height), fill=0, width=3)
    for x in columns:
        draw.line((x, top, x, top + len(ROWS) * height), fill=0, width=3)
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_GRAY2BGR), "\n".join(" ".join(row) for row in ROWS)


def test_a_table_drawn_elsewhere_is_read_row_by_row(engine: OcrEngine) -> None:
    for font in ("dejavu-serif", "noto-sans"):
        image, truth = _drawn_table(font)
        page = engine.read_page(image)
        assert page.quality.ok, page.quality
        assert page.quality.metrics["tables"] == 1
        assert metrics.word_recall(page.text, truth) >= 95.0, page.text
        lines = page.text.splitlines()
        for row in ROWS:  # each row on one line, its cells left to right
            assert any(metrics.cer(line, " ".join(row)) < 15 for line in lines), (row, lines)


def test_generated_tables_keep_their_words(engine: OcrEngine) -> None:
    for seed in (7, 8):
        doc = make_case("table", seed)
        result = engine.read_document([doc.image])
        assert metrics.word_recall(result.text, doc.text) >= 95.0
        assert metrics.cer(result.text, doc.text) < 3.0


def test_a_page_frame_is_not_a_table() -> None:
    for seed in range(4):
        doc = make_document("diploma", seed)
        assert preprocess.prepare(doc.image, 300).tables == []
