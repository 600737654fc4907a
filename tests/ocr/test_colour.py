"""Colour ink: a red seal and a blue signature are dropped before reading, and reported as present."""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from kiosk.samples.cases import make_case
from kiosk.samples.documents import make_document
from ocr import OcrEngine
from ocr.colour import detect_marks, dropout_gray

from .conftest import metrics
from .own_pages import font_path


def test_text_under_a_seal_and_a_signature_is_read_and_both_are_reported(engine: OcrEngine) -> None:
    for seed in (3, 4):
        doc = make_case("seal", seed)
        result = engine.read_document([doc.image])
        assert result.pages[0].quality.ok, result.pages[0].quality
        assert result.fields["seal"] == "present" and result.fields["signature"] == "present"
        assert metrics.cer(result.text, doc.text) < 3.0
        # The signer's title and name, under the seal and the signature, are read.
        signer = doc.text.splitlines()[-3:]
        assert metrics.cer("\n".join(result.text.splitlines()[-3:]), "\n".join(signer)) < 10.0, signer


def test_a_page_without_colour_ink_has_neither(engine: OcrEngine) -> None:
    result = engine.read_document([make_document("birth_certificate", seed=5).image])
    assert result.fields["seal"] == "absent" and result.fields["signature"] == "absent"


def test_a_gray_scan_cannot_show_colour_marks() -> None:
    doc = make_case("seal", 5)
    gray = cv2.cvtColor(cv2.cvtColor(doc.image, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    assert detect_marks(doc.image, 300)["seal"] == 1.0
    assert detect_marks(gray, 300) == {
        "seal": 0.0,
        "signature": 0.0,
        "seal_inches": 0.0,
        "signature_inches": 0.0,
    }


def _stamped_page() -> tuple[np.ndarray, str]:
    """Drawn here (not by the generator): a few lines in Liberation Serif with a violet-red ring over them."""
    img = Image.new("RGB", (2480, 1400), (250, 248, 240))
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(font_path("liberation-sans"), 50)
    lines = ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Lương Thế Vinh"]
    for k, line in enumerate(lines):
        draw.text((1300, 300 + k * 260), line, fill=(15, 15, 15), font=font)
    page = np.asarray(img).astype(np.float32)
    ring = np.zeros(page.shape[:2], np.uint8)
    cv2.circle(ring, (1330, 560), 260, 255, 16)
    cv2.circle(ring, (1330, 560), 180, 255, 6)
    strength = ring.astype(np.float32)[..., None] / 255.0 * 0.9
    red = np.array([200, 40, 80], np.float32) / 255.0  # RGB: a crimson, slightly violet seal ink
    page *= 1.0 - strength * (1.0 - red)
    bgr = cv2.cvtColor(np.clip(page, 0, 255).astype(np.uint8), cv2.COLOR_RGB2BGR)
    return bgr, "\n".join(lines)


def test_dropout_keeps_black_print_and_lifts_the_seal() -> None:
    page, _ = _stamped_page()
    gray = dropout_gray(page)
    ring_only = (1330 + 260, 560)  # on the ring, right of the text
    assert gray[ring_only[1], ring_only[0]] > 200
    plain = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    dark = plain < 80
    assert np.percentile(gray[dark], 99) < 140, "black print, under the seal too, stays dark"
    assert detect_marks(page, 300)["seal"] == 1.0


def test_a_stamped_page_drawn_elsewhere_is_read(engine: OcrEngine) -> None:
    page, truth = _stamped_page()
    result = engine.read_document([page])
    assert result.fields["seal"] == "present"
    assert metrics.cer(result.text, truth) < 5.0, result.text


def test_the_simulated_scanner_delivers_colour_to_the_ocr(engine: OcrEngine) -> None:
    from drivers.simulated import SimulatedScanner

    doc = make_case("seal", 6)
    with SimulatedScanner("scanner") as scanner:
        scanner.place(doc.image)
        scanned = scanner.scan(dpi=300)
    assert scanned.ndim == 3 and not np.array_equal(scanned[:, :, 0], scanned[:, :, 2]), "still in colour"
    result = engine.read_document([scanned])
    assert result.fields["seal"] == "present"


def test_a_page_printed_in_blue_ink_is_read_not_dropped(engine: OcrEngine) -> None:
    from .own_pages import LINES, render

    image, truth = render(LINES[:6], "noto-sans", left=300, top=500, size=46)
    ink = (255.0 - image.astype(np.float32)) / 255.0
    blue = np.array([170, 50, 20], np.float32)  # BGR of a blue print
    printed = np.clip(255.0 - ink * (255.0 - blue), 0, 255).astype(np.uint8)
    page = engine.read_page(printed)
    assert page.quality.ok, page.quality
    assert metrics.cer(page.text, truth) < 3.0


def _navy_heading_page(signature: bool) -> Image.Image:
    """Drawn here: a bold navy heading (its letters touch once JPEG or a blur joins them), black body lines,
    and, if asked, one blue pen curve where the signer signs."""
    img = Image.new("RGB", (2480, 1400), (250, 248, 240))
    draw = ImageDraw.Draw(img)
    heading = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf", 64)
    for k, line in enumerate(["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT"]):
        draw.text((300, 200 + 120 * k), line, fill=(10, 40, 120), font=heading)
    body = ImageFont.truetype(font_path("liberation-sans"), 40)
    for k in range(5):
        draw.text(
            (300, 500 + 70 * k), "Họ và tên người sử dụng đất: Nguyễn Văn An", fill=(15, 15, 15), font=body
        )
    if signature:
        t = np.linspace(0, 1, 400)
        xs, ys = 1500 + 450 * t, 1150 - 60 * np.sin(t * 9) - 40 * t
        draw.line(
            list(zip(xs.tolist(), ys.tolist(), strict=True)), fill=(30, 60, 200), width=6, joint="curve"
        )
    return img


def _degraded(img: Image.Image) -> dict[str, np.ndarray]:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=60)
    versions = {
        "clean": img,
        "jpeg q60": Image.open(io.BytesIO(buf.getvalue())).convert("RGB"),
        "blur 1.0": img.filter(ImageFilter.GaussianBlur(1.0)),
    }
    return {name: cv2.cvtColor(np.asarray(v), cv2.COLOR_RGB2BGR) for name, v in versions.items()}


def test_a_navy_heading_is_not_a_signature_even_jpeg_or_blurred() -> None:
    for name, page in _degraded(_navy_heading_page(signature=False)).items():
        assert detect_marks(page, 300)["signature"] == 0.0, name
    for name, page in _degraded(_navy_heading_page(signature=True)).items():
        marks = detect_marks(page, 300)
        assert marks["signature"] == 1.0, name
        assert 1.3 < marks["signature_inches"] < 2.0, (name, marks)  # the curve (1.5 in), not the heading
