"""The paper check: a printed page verifies only with its own seal, at 150 dpi and in a phone photo taken at
an angle; a genuine seal pasted onto another document is refused as ``page_mismatch``.

The copy is made the way the kiosk makes it: the originals are read by the real OCR (Tesseract), whose
words become the copy's text layer and its seal's page fingerprints; the printout is poppler's rendering
of the signed PDF; the check reads it again with the same OCR.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import cv2
import numpy as np
import pytest

from kiosk.copy_check.verify import ocr_words, upright_page, verify_image
from kiosk.samples.documents import make_document
from signing.certify import issue_certified_copy
from signing.code import make_code
from signing.content import make_qr
from signing.fingerprint import identity_tokens, matches, normalise, page_fingerprint
from signing.model import CopyMeta, CopyPage, TextWord
from tests.signing.sign_helpers import AUTHORITY, KIOSK
from tests.signing.test_tamper import NOW, _signer_with

pytestmark = pytest.mark.skipif(
    shutil.which("tesseract") is None or shutil.which("pdftoppm") is None,
    reason="needs Tesseract (OCR) and pdftoppm (poppler-utils)",
)


@pytest.fixture(scope="module")
def engine():
    from ocr import OcrEngine
    from ocr.config import OcrConfig

    return OcrEngine(OcrConfig())


def _read(engine, image, dpi=300) -> CopyPage:
    page = engine.read_page(image, dpi=dpi)
    words = tuple(TextWord(w.text, w.left, w.top, w.width, w.height) for w in page.words if w.text)
    return CopyPage(page.image, dpi, words)


def _meta(sequence: int) -> CopyMeta:
    return CopyMeta(
        code=make_code("HN", KIOSK, sequence),
        issued_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        authority=AUTHORITY,
        kiosk_id=KIOSK,
        doc_type="birth_certificate",
        holder_masked_id="001******567",
        holder_name="Nguyễn Thị Lan",
        doc_number="125/2019",
        doc_date="2019-03-14",
    )


def printout(pdf: bytes, page: int, dpi: int, tmp_path) -> np.ndarray:
    path = tmp_path / "copy.pdf"
    path.write_bytes(pdf)
    png = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", str(path)],
        capture_output=True,
        timeout=120,
        check=True,
    ).stdout
    return cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)


def phone_photo(page: np.ndarray) -> np.ndarray:
    """The page photographed from above at an angle: a keystoned sheet on a dark desk, light falling off
    to one side, a little blur and JPEG."""
    h, w = page.shape[:2]
    out_h, out_w = int(h * 1.2), int(w * 1.25)
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32(
        [
            [0.10 * out_w, 0.07 * out_h],
            [0.88 * out_w, 0.11 * out_h],
            [0.94 * out_w, 0.94 * out_h],
            [0.05 * out_w, 0.90 * out_h],
        ]
    )
    matrix = cv2.getPerspectiveTransform(src, dst)
    photo = cv2.warpPerspective(
        page, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderValue=(55, 62, 70)
    )
    light = (0.82 + 0.18 * np.arange(out_w, dtype=np.float32) / out_w)[None, :, None]
    photo = np.clip(photo.astype(np.float32) * light, 0, 255).astype(np.uint8)
    photo = cv2.GaussianBlur(photo, (3, 3), 0)
    return cv2.imdecode(cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 88])[1], cv2.IMREAD_COLOR)


def transplant(printed: np.ndarray, other: np.ndarray) -> np.ndarray:
    """The QR seal cut from a printed page and pasted at the same place on an image of another document."""
    other = cv2.resize(other, (printed.shape[1], printed.shape[0]), interpolation=cv2.INTER_AREA)
    if other.ndim == 2:
        other = cv2.cvtColor(other, cv2.COLOR_GRAY2BGR)
    side = int(0.22 * printed.shape[1])
    other[-side:, -side:] = printed[-side:, -side:]
    return other


@pytest.fixture(scope="module")
def paper(engine, signer):
    originals = [make_document("birth_certificate", seed=s).image for s in (31, 32)]
    pages = [_read(engine, image) for image in originals]
    copy = issue_certified_copy(pages, _meta(900), signer)
    stranger = make_document("birth_certificate", seed=77).image  # same kind of document, another person
    return {"copy": copy, "pages": pages, "stranger": stranger}


def test_the_genuine_page_at_150_dpi_verifies_and_says_which_page_it_is(paper, trust, engine, tmp_path):
    printed = printout(paper["copy"].pdf, 2, 150, tmp_path)
    result = verify_image(printed, trust, ocr_words(lambda: engine))
    assert result.valid, result.reason
    assert (result.page, result.pages) == (2, 2)
    assert result.holder_name == "Nguyễn Thị Lan"
    assert (result.doc_type, result.doc_number, result.doc_date) == (
        "birth_certificate",
        "125/2019",
        "2019-03-14",
    )
    assert result.checks["page_content"] is True


def test_a_seal_pasted_onto_another_document_at_150_dpi_is_refused(paper, trust, engine, tmp_path):
    printed = printout(paper["copy"].pdf, 1, 150, tmp_path)
    forged = transplant(printed, paper["stranger"])
    result = verify_image(forged, trust, ocr_words(lambda: engine))
    assert (result.valid, result.reason_key) == (False, "page_mismatch"), result.reason


def test_the_genuine_page_in_a_perspective_phone_photo_verifies(paper, trust, engine, tmp_path):
    photo = phone_photo(printout(paper["copy"].pdf, 1, 200, tmp_path))
    assert upright_page(photo).shape != photo.shape, "the sheet was found and put upright"
    result = verify_image(photo, trust, ocr_words(lambda: engine))
    assert result.valid, result.reason
    assert result.page == 1


def test_a_transplanted_seal_in_a_perspective_phone_photo_is_refused(paper, trust, engine, tmp_path):
    forged = transplant(printout(paper["copy"].pdf, 1, 200, tmp_path), paper["stranger"])
    result = verify_image(phone_photo(forged), trust, ocr_words(lambda: engine))
    assert (result.valid, result.reason_key) == (False, "page_mismatch"), result.reason


def test_a_seal_pasted_onto_a_page_without_text_is_refused_as_unreadable(paper, trust, engine, tmp_path):
    printed = printout(paper["copy"].pdf, 1, 150, tmp_path)
    blank = np.full_like(printed, 250)
    result = verify_image(transplant(printed, blank), trust, ocr_words(lambda: engine))
    assert (result.valid, result.reason_key) == (False, "page_unreadable"), result.reason


def test_a_page_flooded_with_numbers_does_not_match_by_chance(paper, trust):
    from signing.paper import verify_paper_page

    flood = [str(n) for n in range(100_000, 130_000)]  # every 16-bit hash is hit about once
    result = verify_paper_page([paper["copy"].seal], flood, trust)
    assert (result.valid, result.reason_key) == (False, "page_mismatch"), result.reason
    genuine = [w.text for w in paper["pages"][0].words]
    assert verify_paper_page([paper["copy"].seal], genuine, trust).valid


def test_a_seal_from_another_kiosks_key_is_refused_on_paper(dev_keys, trust, paper, tmp_path):
    # A kiosk key this verifier does not know (its certificate is not in the fleet list).
    other = _signer_with(dev_keys, NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=30))
    copy = issue_certified_copy(paper["pages"][:1], _meta(901), other)
    result = verify_image(printout(copy.pdf, 1, 150, tmp_path), trust, None)
    assert (result.valid, result.reason_key) == (False, "seal_untrusted"), result.reason


def test_fingerprints_forgive_ocr_noise_but_not_another_page():
    words = [
        "GIẤY",
        "KHAI",
        "SINH",
        "Số:",
        "125/2019",
        "Họ",
        "và",
        "tên:",
        "NGUYỄN",
        "THỊ",
        "LAN",
        "sinh",
        "ngày",
        "14/03/2019",
        "tại",
        "Hà",
        "Nội",
        "0123456789",
    ]
    print_ = page_fingerprint(words)
    noisy = [w.replace("1", "l", 1) if w[0].isdigit() else w.lower() for w in words]  # OCR reads 1 as l
    assert normalise("125/2019") == normalise("l25/2O19")
    assert matches(print_, noisy)
    other = [
        "GIẤY",
        "KHAI",
        "SINH",
        "Số:",
        "88/2021",
        "Họ",
        "và",
        "tên:",
        "TRẦN",
        "VĂN",
        "BÌNH",
        "sinh",
        "ngày",
        "02/11/2020",
        "tại",
        "Huế",
        "0987654321",
    ]
    assert not matches(print_, other)


def test_a_slash_read_as_a_letter_still_shows_the_number_but_another_number_does_not():
    """A genuine copy held up tilted read "Số: 337/KS" as "337IKS" (the slash as I): the number is on the
    paper, and the page matches; "338IKS" or "337IKT" is another number and does not."""
    words = [
        "TRÍCH",
        "LỤC",
        "KHAI",
        "SINH",
        "Số:",
        "337/KS",
        "Họ",
        "và",
        "tên:",
        "ĐỖ",
        "THỊ",
        "MINH",
        "NHUNG",
        "sinh",
        "ngày",
        "14/12/1992",
    ]
    words += ["Nơi", "sinh", "Bệnh", "viện", "Phụ", "sản", "Hà", "Nội", "001192989530", "Khmer"]
    identity = identity_tokens("ĐỖ THỊ MINH NHUNG", "337/KS", "2017-02-08")
    print_ = page_fingerprint(words, identity=identity)
    assert matches(print_, words, identity)
    for misread in ("337IKS", "337lKS", "337|KS"):
        assert matches(print_, [misread if w == "337/KS" else w for w in words], identity), misread
    for changed in ("338IKS", "337IKT", "3371KS"):
        assert not matches(print_, [changed if w == "337/KS" else w for w in words], identity), changed


@pytest.mark.parametrize("pages", [1, 5, 20])
def test_the_seal_stays_legible_at_150_dpi(signer, trust, pages, tmp_path, engine):
    """The QR of a long copy still decodes from a 150 dpi rendering (modules of at least 0.45 mm)."""
    from signing.render import QR_MIN_MODULE, qr_layout
    from tests.signing.sign_helpers import copy_page

    copy = issue_certified_copy([copy_page(i, lines=12) for i in range(pages)], _meta(910 + pages), signer)
    _qr, module = qr_layout(copy.seal, int(make_qr(copy.seal).version))
    assert module >= QR_MIN_MODULE
    result = verify_image(printout(copy.pdf, pages, 150, tmp_path), trust, None)
    assert result.valid and result.pages == pages, result.reason


def test_without_ocr_the_paper_check_is_unavailable_not_valid(paper, trust, tmp_path):
    from kiosk.errors import UnavailableError
    from ocr import OcrUnavailable

    class NoTesseract:
        def read_page(self, image, dpi=300):
            raise OcrUnavailable("tesseract is not installed")

    printed = printout(paper["copy"].pdf, 1, 150, tmp_path)
    with pytest.raises(UnavailableError) as caught:
        verify_image(printed, trust, ocr_words(NoTesseract))
    assert caught.value.exit_code == 3


def test_key_words_under_the_footer_band_are_not_in_the_fingerprint():
    """The footer, the QR and the certification block are drawn over the bottom of the page: words there
    are not on the printed copy, so they cannot be key words."""
    from signing.certify import visible_words

    image = np.full((3508, 2480), 255, np.uint8)
    top = TextWord("1234567", 200, 300, 300, 40)
    bottom = TextWord("7654321", 200, 3508 - 300, 300, 40)  # 25 mm from the bottom edge
    above_last_block = TextWord("5550001", 200, 3508 - 900, 300, 40)  # 76 mm up
    page = CopyPage(image, 300, (top, bottom, above_last_block))
    assert visible_words(page) == ["1234567", "5550001"]
    assert visible_words(page, last=True) == ["1234567"]
