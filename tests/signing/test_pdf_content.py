"""What is inside the copy: page sizes from pixels and dpi, embedded Vietnamese fonts, the statement,
the watermark, the invisible OCR layer where the words are, and a visible signature widget."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from signing.certify import issue_certified_copy
from signing.model import CopyPage, TextWord
from signing.render import STATEMENT_VI
from signing.verify import verify_pdf
from tests.signing.sign_helpers import copy_meta, copy_page, make_page


def _tool(args: list[str]) -> str:
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=True).stdout


@pytest.fixture(scope="module")
def copy_file(signer, tmp_path_factory):
    folder = tmp_path_factory.mktemp("content")
    image, words = make_page(31)
    small, small_words = make_page(32, size=(1240, 1754), lines=12)  # A4 at 150 dpi
    pages = [CopyPage(image, 300, words), CopyPage(small, 150, small_words)]
    copy = issue_certified_copy(pages, copy_meta(3100, watermark_text="BẢN SAO KIỂM THỬ"), signer)
    path = folder / "copy.pdf"
    path.write_bytes(copy.pdf)
    return path, words, small_words


def test_page_size_follows_pixels_and_dpi(copy_file):
    path, _, _ = copy_file
    reader = PdfFileReader(io.BytesIO(path.read_bytes()))
    boxes = [[float(v) for v in p.get_object()["/MediaBox"]] for p in reader.root["/Pages"]["/Kids"]]
    for box in boxes:  # 2480x3508 px at 300 dpi and 1240x1754 px at 150 dpi are both A4
        assert box[2] == pytest.approx(2480 * 72 / 300)
        assert box[3] == pytest.approx(3508 * 72 / 300)


def test_fonts_are_embedded_and_render_vietnamese(copy_file):
    path, _, _ = copy_file
    fonts = _tool(["pdffonts", str(path)])
    rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert rows
    for row in rows:
        if "DejaVu" in row:
            assert re.search(r"\byes\s+yes\s+yes\b", row), row  # embedded, subset, ToUnicode
    last_page = _tool(["pdftotext", "-f", "2", "-l", "2", str(path), "-"])
    assert STATEMENT_VI.upper() in last_page
    assert "Trang 2/2" in last_page
    assert "Đã ký số" in last_page
    assert "Trung tâm Phục vụ Hành chính công" in last_page
    first_page = _tool(["pdftotext", "-f", "1", "-l", "1", str(path), "-"])
    assert "Trang 1/2" in first_page
    assert copy_meta(3100).code in first_page
    raw = _tool(["pdftotext", "-raw", "-f", "1", "-l", "1", str(path), "-"])
    assert "BẢNSAOKIỂMTHỬ" in "".join(raw.split())  # the configurable diagonal watermark


def test_invisible_text_layer_sits_on_the_words(copy_file):
    path, words, _ = copy_file
    html = _tool(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"])
    found = {
        m.group(5): tuple(float(m.group(i)) for i in range(1, 5))
        for m in re.finditer(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)</word>', html
        )
    }
    scale = 72 / 300
    checked = 0
    for word in words[:10]:
        # The last token of each generated line is a random number: find its box.
        number = word.text.split()[-1]
        assert number in found
        _, _, x_max, y_max = found[number]
        assert x_max == pytest.approx((word.left + word.width) * scale, abs=3)
        assert y_max == pytest.approx((word.top + word.height) * scale, abs=4)
        checked += 1
    assert checked == 10
    first_word = found[words[0].text.split()[0]]
    assert first_word[0] == pytest.approx(words[-1].left * scale, abs=2)


def test_visible_signature_widget_on_the_last_page(copy_file):
    path, _, _ = copy_file
    reader = PdfFileReader(io.BytesIO(path.read_bytes()))
    last = reader.root["/Pages"]["/Kids"][-1].get_object()
    widgets = [a.get_object() for a in last.get("/Annots", []) if a.get_object().get("/FT") == "/Sig"]
    assert len(widgets) == 1
    x1, y1, x2, y2 = (float(v) for v in widgets[0]["/Rect"])
    assert x2 - x1 > 100 and y2 - y1 > 50
    assert "/AP" in widgets[0]


def test_word_boxes_outside_the_page_do_not_break_rendering(signer, trust):
    image, _ = make_page(33, lines=2)
    words = (TextWord("ngoài", 5000, 5000, 10, 10), TextWord("", 1, 1, 1, 1), TextWord("x", 1, 1, 0, 0))
    copy = issue_certified_copy([CopyPage(image, 300, words)], copy_meta(3101), signer)
    assert verify_pdf(copy.pdf, trust).valid


def test_odd_page_inputs_are_refused_clearly(signer):
    from signing.errors import SigningError

    image, _ = make_page(34, lines=1)
    with pytest.raises(SigningError, match="dpi"):
        issue_certified_copy([CopyPage(image, 10)], copy_meta(1), signer)
    with pytest.raises(SigningError, match="too small"):
        issue_certified_copy([CopyPage(image[:8, :8], 300)], copy_meta(1), signer)
    with pytest.raises(SigningError, match="uint8"):
        issue_certified_copy([CopyPage(image.astype("float32"), 300)], copy_meta(1), signer)
    with pytest.raises(SigningError, match="timezone"):
        issue_certified_copy(
            [copy_page(1, lines=1)],
            copy_meta(1, issued_at=copy_meta(1).issued_at.replace(tzinfo=None)),
            signer,
        )
