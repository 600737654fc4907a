"""Two-column parts of a page are read column by column (ocr.columns), on pages drawn here with PIL."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocr import columns

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"
LEFT = ["Điều 1. Phê duyệt kế hoạch", "sửa chữa trụ sở làm việc", "của Ủy ban nhân dân xã."]
RIGHT = ["Điều 2. Giao Văn phòng chủ", "trì, phối hợp với các đơn", "vị liên quan thi hành."]


def _page(rows: list[tuple[str, str | None]], bold: bool = False) -> np.ndarray:
    """A300-dpi-like grey page; each row is (left text, right text or None for a full-width line)."""
    img = Image.new("L", (2000, 300 + 70 * len(rows)), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(BOLD if bold else FONT, 40)
    y = 150
    for left, right in rows:
        draw.text((150, y), left, font=font, fill=0)
        if right is not None:
            draw.text((1080, y), right, font=font, fill=0)
        y += 70
    return np.asarray(img)


def _lines_in_order(gray: np.ndarray) -> list[tuple[int, int]]:
    return [(column, y) for order, column, _x, y, _img in columns.pieces(gray)]


def test_two_columns_of_body_text_are_one_region_read_left_then_right() -> None:
    title = ("QUYẾT ĐỊNH VỀ VIỆC PHÊ DUYỆT KẾ HOẠCH SỬA CHỮA TRỤ SỞ LÀM VIỆC NĂM 2026", None)
    rows = [title, *zip(LEFT, RIGHT, strict=True), ("Nơi nhận: như Điều 2 và lưu văn thư của xã.", None)]
    gray = _page(rows)
    found = columns.regions(gray)
    assert len(found) == 1
    top, bottom, x = found[0]
    assert top + 5 >= 150 + 70 and bottom <= 150 + 4 * 70 + 5  # the three two-column rows only
    left_edge = int(np.nonzero((gray[top:bottom, :1080] < 128).any(axis=0))[0].max())
    assert left_edge < x < 1080  # the gutter lies between the columns' ink
    parts = _lines_in_order(gray)
    assert [c for c, _ in parts] == [-1, 0, 1, -1]  # title, left column, right column, closing line
    keys = [columns.sort_key(o, c, y + 10) for o, c, _x, y, _i in columns.pieces(gray)]
    assert keys == sorted(keys)


def test_two_column_header_at_the_top_is_read_across_as_before() -> None:
    # Decision (see ocr.columns): the header block keeps the row-by-row order of the project's reference
    # reading order (kiosk.samples.documents._reading_order) and of the field extraction.
    rows = [
        ("ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("XÃ HÒA BÌNH", "Độc lập - Tự do - Hạnh phúc"),
        ("Số: 12/QĐ-UBND", "Hòa Bình, ngày 3 tháng 4 năm 2026"),
        ("QUYẾT ĐỊNH VỀ VIỆC CẤP GIẤY XÁC NHẬN CHO ÔNG NGUYỄN VĂN AN", None),
    ]
    gray = _page(rows, bold=True)
    assert columns.regions(gray) == []
    assert [c for _o, c, _x, _y, _i in columns.pieces(gray)] == [-1]


def test_the_same_block_below_the_page_top_is_split() -> None:
    rows = [
        ("QUYẾT ĐỊNH VỀ VIỆC CẤP GIẤY XÁC NHẬN CHO ÔNG NGUYỄN VĂN AN", None),
        ("ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("XÃ HÒA BÌNH", "Độc lập - Tự do - Hạnh phúc"),
        ("Số: 12/QĐ-UBND", "Hòa Bình, ngày 3 tháng 4 năm 2026"),
    ]
    pieces = columns.pieces(_page(rows, bold=True))
    assert [c for _o, c, _x, _y, _i in pieces] == [-1, 0, 1]
    assert pieces[1][4].shape[0] > 3 * 60  # the left block's three lines are one piece
    assert pieces[2][2] <= 1080  # the right piece starts before the right block's ink


def test_single_column_page_with_wide_word_spacing_is_not_split() -> None:
    img = Image.new("L", (2000, 800), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 40)
    for k in range(6):  # a justified paragraph: words spread with gaps of about one line height
        words = ["Công", "dân", "có", "nghĩa", "vụ", "cung", "cấp", "thông", "tin"]
        x = 150 + 13 * k
        for word in words:
            draw.text((x, 150 + 70 * k), word, font=font, fill=0)
            x += round(draw.textlength(word, font=font)) + 45
    gray = np.asarray(img)
    assert columns.regions(gray) == []
    assert [c for _o, c, _x, _y, _i in columns.pieces(gray)] == [-1]


def test_blank_page_has_no_region() -> None:
    assert columns.regions(np.full((400, 400), 255, np.uint8)) == []


def test_engine_reads_two_columns_one_after_the_other(engine) -> None:
    left = [
        "Phê duyệt kế hoạch sửa",
        "chữa trụ sở làm việc của",
        "Ủy ban nhân dân xã năm",
        "hai nghìn hai mươi sáu.",
    ]
    right = [
        "Kinh phí thực hiện được",
        "bố trí từ nguồn ngân sách",
        "địa phương theo quy định",
        "hiện hành của nhà nước.",
    ]
    rows = [("QUYẾT ĐỊNH VỀ VIỆC PHÊ DUYỆT KẾ HOẠCH SỬA CHỮA TRỤ SỞ", None), *zip(left, right, strict=True)]
    gray = _page(rows)
    page = engine.read_page(np.ascontiguousarray(gray), dpi=300)
    text = page.text
    assert page.quality.ok, page.quality
    # every left-column line comes before the first right-column line
    assert text.index("Kinh phí") > text.index("hai mươi sáu")
    assert text.index("QUYẾT") < text.index("Phê duyệt")
    assert "sửa Kinh" not in text and "sửa\nKinh" not in text
