"""Issue 22, the paper half: the seal carries the document's fields in full, and a printed page whose fields
read otherwise than sealed is refused as ``page_mismatch`` naming the field.

The genuine copy is made as the kiosk makes it (the original read by Tesseract at 300 dpi, its key fields
sealed with the page they sit on, a verify address and an access token in the QR). The forgeries are made
from its printout, the way someone holding one genuine copy would: a sealed field's value painted over and
printed anew (in another font, size and place than the generator's), at 150 dpi and photographed at an
angle; the body replaced under the genuine header; a page of another copy of the same type and kiosk under
this copy's QR.
"""

from __future__ import annotations

import datetime as dt
import shutil

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from kiosk.copy_check.verify import ocr_words, upright_page, verify_image
from kiosk.pipeline.copy_fields import copy_fields
from kiosk.samples.documents import available_fonts, make_document
from signing.certify import issue_certified_copy
from signing.code import make_code
from signing.model import CopyMeta
from signing.seal import decode_seal
from signing.seal_qr import access_token_sha256, read_seal_qr
from tests.signing.sign_helpers import AUTHORITY, KIOSK
from tests.signing.test_paper_check import _read, phone_photo, printout

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("tesseract") is None or shutil.which("pdftoppm") is None,
        reason="needs Tesseract (OCR) and pdftoppm (poppler-utils)",
    ),
]

VERIFY_URL = "https://tracuu.hanoi.example.vn"


@pytest.fixture(scope="module")
def engine():
    from ocr import OcrEngine
    from ocr.config import OcrConfig

    return OcrEngine(OcrConfig())


def _issue(engine, signer, doc_type: str, seed: int, sequence: int):
    original = make_document(doc_type, seed=seed)
    page = _read(engine, original.image)
    sealed = copy_fields(doc_type, [engine.read_page(original.image, dpi=300).text])
    meta = CopyMeta(
        code=make_code("HN", KIOSK, sequence),
        issued_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        authority=AUTHORITY,
        kiosk_id=KIOSK,
        doc_type=doc_type,
        holder_masked_id="001******567",
        holder_name="Phạm Văn Người Yêu Cầu",  # the requester, not the subject
        fields=sealed.fields,
        field_pages=sealed.field_pages,
        verify_base_url=VERIFY_URL,
        access_token=sealed.access_token,
    )
    return issue_certified_copy([page], meta, signer), original, sealed


@pytest.fixture(scope="module")
def birth(engine, signer, tmp_path_factory):
    copy, original, sealed = _issue(engine, signer, "birth_certificate", 31, 1201)
    tmp = tmp_path_factory.mktemp("birth")
    return {"copy": copy, "original": original, "sealed": sealed, "printed": printout(copy.pdf, 1, 150, tmp)}


def _check(image, trust, engine):
    return verify_image(image, trust, ocr_words(lambda: engine))


def _line_box(engine, image: np.ndarray, value: str) -> tuple[int, int, int, int] | None:
    """Where the page shows ``value`` (the words of it that OCR finds, as one box), in pixels."""
    from signing.field_match import fold

    want = set(fold(value).replace("/", " ").replace("-", " ").split())
    boxes = []
    for word in engine.read_page(image, dpi=150).words:
        if fold(word.text).strip(".,:;") in want or fold(word.text) == fold(value):
            boxes.append((word.left, word.top, word.left + word.width, word.top + word.height))
    if not boxes:
        return None
    # The longest run on one line: the value, not a stray match elsewhere.
    boxes.sort(key=lambda b: (round(b[1] / 20), b[0]))
    best = max(
        ({b[1] // 20: [c for c in boxes if abs(c[1] - b[1]) < 20]} for b in boxes),
        key=lambda g: len(next(iter(g.values()))),
    )
    row = next(iter(best.values()))
    return (
        int(min(b[0] for b in row)),
        int(min(b[1] for b in row)),
        int(max(b[2] for b in row)),
        int(max(b[3] for b in row)),
    )


def _date_line(engine, image: np.ndarray) -> tuple[int, int, int, int] | None:
    """The box of the words after the place on the "<place>, ngày d tháng m năm yyyy" line."""
    from signing.field_match import fold

    words = engine.read_page(image, dpi=150).words
    month = next((w for w in words if fold(w.text) == "THANG"), None)
    if month is None:
        return None
    row = [w for w in words if abs(w.top - month.top) < 15]
    start = next((w for w in row if fold(w.text) == "NGAY"), row[0])
    row = [w for w in row if w.left >= start.left]
    return (
        int(start.left),
        int(min(w.top for w in row)),
        int(max(w.left + w.width for w in row)),
        int(max(w.top + w.height for w in row)),
    )


def _paint(image: np.ndarray, box: tuple[int, int, int, int], text: str, font_index: int) -> np.ndarray:
    """White out ``box`` and print ``text`` there in another font (the forger's own)."""
    fonts = available_fonts()
    regular = fonts[font_index % len(fonts)][0]
    x0, y0, x1, y1 = box
    out = image.copy()
    out[y0 - 2 : y1 + 3, x0 - 2 : x1 + 4] = 255
    pil = Image.fromarray(cv2.cvtColor(out, cv2.COLOR_BGR2RGB))
    size = max(12, int((y1 - y0) * (1.05 + 0.1 * (font_index % 2))))
    ImageDraw.Draw(pil).text((x0, y0 - 1), text, font=ImageFont.truetype(regular, size), fill=(20, 20, 30))
    return cv2.cvtColor(np.array(pil), cv2.COLOR_RGB2BGR)


# What a forger writes instead of each sealed field of the birth certificate.
FORGED = {
    "full_name": "Lê Thị Giả Mạo",
    "date_of_birth": "14/09/1988",
    "sex": "Nam",
    "ethnicity": "Tày",
    "place_of_birth": "Bệnh viện Bạch Mai Quảng Ninh",
    "id_number": "038188004321",
    "mother_name": "Ngô Thị Hồng Nhung",
    "father_name": "Đinh Quốc Khánh",
    "document_number": "337/KS",
    "issue_date": "ngày 02 tháng 01 năm 2011",
}


def test_the_seal_holds_every_key_field_and_the_requester_apart_from_the_subject(birth, trust):
    sealed = birth["sealed"].fields
    assert list(sealed) == [
        "full_name", "date_of_birth", "sex", "ethnicity", "place_of_birth", "id_number", "mother_name",
        "father_name", "document_number", "issue_date",
    ]  # fmt: skip
    truth = birth["original"].fields
    for key in ("date_of_birth", "id_number", "document_number", "issue_date"):
        assert sealed[key] == truth[key], key
    reading = read_seal_qr(birth["copy"].seal, trust)
    assert reading.valid, reading.reason
    claims = reading.claims
    assert claims.fields == sealed and set(claims.field_pages.values()) == {1}
    assert claims.requester_name == "Phạm Văn Người Yêu Cầu" and claims.requester_masked_id == "001******567"
    assert claims.verify_url == f"{VERIFY_URL}/v/{claims.code}?t={claims.access_token}"
    assert birth["copy"].seal.startswith(claims.verify_url + "#VNC2:")
    assert len(claims.access_token_bytes) == 16
    assert access_token_sha256(claims.access_token) == birth["sealed"].access_token_sha256


def test_a_phishing_address_in_front_of_a_genuine_seal_is_refused(birth, trust):
    text = birth["copy"].seal
    seal = text[text.index("#") + 1 :]
    code = decode_seal(text).claims.code
    token = decode_seal(text).claims.access_token
    for forged in (
        f"https://tracuu-hanoi.example.com/v/{code}?t={token}#{seal}",  # another host
        f"{VERIFY_URL}/v/{make_code('HN', KIOSK, 1202)}?t={token}#{seal}",  # another copy's code
        f"{VERIFY_URL}/v/{code}?t={'a' * 26}#{seal}",  # another token
        seal,  # the address cut off
    ):
        reading = read_seal_qr(forged, trust)
        assert not reading.valid and reading.reason_key in ("seal_edited", "seal_untrusted"), forged


def test_the_genuine_page_passes_at_150_dpi_and_in_a_photo(birth, trust, engine):
    for image in (birth["printed"], phone_photo(birth["printed"])):
        result = _check(image, trust, engine)
        assert result.valid, result.reason
        assert result.checks.get("fields") is True, result.reason
        assert result.fields == birth["sealed"].fields and result.page == 1


@pytest.mark.parametrize("field", list(FORGED))
def test_each_sealed_field_changed_on_paper_is_refused_naming_it(birth, trust, engine, field):
    printed = birth["printed"]
    value = birth["sealed"].fields[field]
    shown = value
    if field in ("date_of_birth", "issue_date"):
        y, m, d = value.split("-")
        shown = f"{d}/{m}/{y}"
    box = _line_box(engine, printed, shown) if field != "issue_date" else _date_line(engine, printed)
    assert box is not None, f"the test cannot find {field} on the page"
    forgery = FORGED[field]
    if field == "sex":
        forgery = "Nam" if value == "Nữ" else "Nữ"
    forged = _paint(printed, box, forgery, font_index=len(field))
    for image, how in ((forged, "150 dpi"), (phone_photo(forged), "photo")):
        result = _check(image, trust, engine)
        assert not result.valid, f"{field} changed ({how}) passed: {result.reason}"
        assert result.reason_key == "page_mismatch", result.reason
        assert field in result.mismatched_fields, (how, result.mismatched_fields, result.reason)


def test_a_body_replaced_under_the_genuine_header_is_refused(birth, trust, engine):
    printed = birth["printed"]
    diploma = cv2.resize(
        make_document("diploma", seed=5).image,
        (printed.shape[1], printed.shape[0]),
        interpolation=cv2.INTER_AREA,
    )
    forged = printed.copy()
    top, bottom = int(0.30 * printed.shape[0]), int(0.78 * printed.shape[0])
    forged[top:bottom] = diploma[int(0.28 * printed.shape[0]) : int(0.28 * printed.shape[0]) + bottom - top]
    for image in (forged, phone_photo(forged)):
        result = _check(image, trust, engine)
        assert not result.valid and result.reason_key == "page_mismatch", result.reason
        assert {"mother_name", "father_name"} <= set(result.mismatched_fields), result.reason


def test_a_page_of_another_copy_of_the_same_type_and_kiosk_is_refused(birth, engine, signer, trust, tmp_path):
    other, _original, _sealed = _issue(engine, signer, "birth_certificate", 44, 1203)
    other_page = printout(other.pdf, 1, 150, tmp_path)
    printed = birth["printed"]
    side = int(0.24 * printed.shape[1])
    forged = other_page.copy()
    forged[-side:, -side:] = printed[-side:, -side:]  # this copy's QR on the other copy's page
    result = _check(forged, trust, engine)
    assert not result.valid and result.reason_key == "page_mismatch", result.reason
    assert "full_name" in result.mismatched_fields, result.reason


def test_the_photo_is_put_upright_before_reading(birth):
    photo = phone_photo(birth["printed"])
    assert upright_page(photo).shape != photo.shape
