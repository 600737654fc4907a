"""The OCR tolerance of the field check (signing.field_match), per field kind; and the seal's field format:
every doc type's key field has a seal number, fields survive the round trip in order, and a seal with
its fields edited does not verify."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os

import pytest

from ocr.doctypes import REGISTRY
from signing.field_match import field_matches, number_form
from signing.seal import SealClaims, decode_seal, make_seal
from signing.seal_fields import FIELDS
from signing.seal_qr import access_token_sha256, read_seal_qr, verify_url
from signing.verify import verify_seal_text
from tests.signing.sign_helpers import KIOSK


@pytest.mark.parametrize(
    ("sealed", "read", "ok"),
    [
        ("Nguyễn Thị Lan", "NGUYEN THI LAN", True),  # accents lost
        ("Đặng Bảo Nhung", "DANG BAO NHUNG", True),  # đ reads d
        ("Nguyễn Thị Lan", "NGUYFN THI LAN", True),  # one slip in a long word
        ("Nguyễn Thị Lan", "NGUYEN THI LAM", False),  # the given name changed by one letter
        ("Nguyễn Thị Lan", "NGUYEN THI LAN ANH", False),  # a word added
        ("Nguyễn Thị Lan", "TRAN THI LAN", False),  # the family name swapped
        ("Hoàng Hữu Minh Phong", "HOANG HUU MINH PHONQ", True),
        ("Hoàng Hữu Minh Phong", "HOANG HUU MINH PHUNG", True),  # 1 edit in a 5-letter word: forgiven
        ("Hoàng Hữu Minh Phong", "HOANG HUU MINH KHANG", False),
    ],
)
def test_names(sealed, read, ok):
    assert field_matches("name", sealed, read) is ok


@pytest.mark.parametrize(
    ("sealed", "read", "ok"),
    [
        ("2019-03-14", "14/03/2019", True),
        ("2019-03-14", "14-3-2019", True),
        ("2019-03-14", "14.03.2019", True),
        ("2019-03-14", "ngày 14 tháng 3 năm 2019", True),
        ("2019-03-14", "2019-03-14", True),
        ("2019-03-14", "14/03/2018", False),
        ("2019-03-14", "15/03/2019", False),
        ("2019-03-14", "03/14/2019", False),  # not a date in Vietnamese order
        ("2019-03-14", "", False),
    ],
)
def test_dates(sealed, read, ok):
    assert field_matches("date", sealed, read) is ok


@pytest.mark.parametrize(
    ("sealed", "read", "ok"),
    [
        ("337/KS", "337/KS", True),
        ("307/KS", "3O7/KS", True),  # O read for 0 among digits
        ("101/ĐKKH", "1O1/DKKH", True),
        ("001097243835", "0010972438 35", True),  # a space OCR put in
        ("001097243835", "OO1O97243835", True),  # 3 misread letters among 9 digits
        ("001097243835", "OOLOI7243835", False),  # more letters than half the digits: not a number
        ("001097243835", "001097243836", False),
        ("QH9294948", "QH9294948", True),
        ("QH9294948", "OH9294948", False),  # a letter group is never "fixed"
        ("568,6 m2", "568.6 m2", True),
        ("568,6 m2", "586,6 m2", False),
        ("337/KS", "338/KS", False),
    ],
)
def test_numbers(sealed, read, ok):
    assert field_matches("number", sealed, read) is ok


def test_number_form_fixes_only_where_a_digit_must_stand():
    assert number_form("1l5/TLKS-BS") == "115/TLKS-BS"  # one letter among digits
    assert number_form("1lO/KS") == "1LO/KS"  # two letters, one digit: not a misread number
    assert number_form("CS54759") == "CS54759"  # letters outside O, Q, D, I, L stay


@pytest.mark.parametrize(
    ("kind", "sealed", "read", "ok"),
    [
        ("sex", "Nữ", "Nu", True),
        ("sex", "Nữ", "Nam", False),
        ("year", "2019", "2O19", True),
        ("year", "2019", "2018", False),
        ("text", "Bệnh viện Đa khoa Bắc Ninh", "Benh vien Da khoa Bac Ninh", True),
        ("text", "Bệnh viện Đa khoa Bắc Ninh", "Benh vien Da khoa Bac Ninb", True),
        ("text", "Bệnh viện Đa khoa Bắc Ninh", "Benh vien Da khoa Ha Noi", False),
        ("text", "Kinh", "Tày", False),
        ("text", "Khá", "Giỏi", False),
        ("name", "Nguyễn Văn An", None, False),  # not found on the page
    ],
)
def test_other_kinds(kind, sealed, read, ok):
    assert field_matches(kind, sealed, read) is ok


def test_every_doc_types_key_fields_have_a_seal_number():
    for kind in REGISTRY:
        assert kind.key_fields, kind.key
        assert set(kind.key_fields) <= set(FIELDS), kind.key
    assert len({f.number for f in FIELDS.values()}) == len(FIELDS)


def _claims(**overrides) -> SealClaims:
    fields = {"full_name": "Quách Thu Trang", "date_of_birth": "1995-08-23", "document_number": "167/TLKS-BS"}
    base = SealClaims(
        code="HN001-000123-" + "X",
        issued_at=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        authority="HN",
        kiosk_id=KIOSK,
        doc_type="birth_certificate",
        pages=1,
        content_digest=bytes(16),
        holder="001******567",
        holder_name="Phạm Văn Hỏi",
        fields=fields,
        field_pages=dict.fromkeys(fields, 1),
        verify_base_url="https://tracuu.example.vn",
        access_token_bytes=os.urandom(16),
        fingerprints=(b"\x01\x02",),
    )
    return dataclasses.replace(base, **overrides)


def test_fields_round_trip_in_order_and_the_address_is_signed_not_repeated():
    claims = _claims()
    text = make_seal(claims, b"k" * 8, lambda _m: bytes(64))
    url = verify_url(claims.verify_base_url, claims.code, claims.access_token)
    assert text.startswith(url + "#VNC2:")
    decoded = decode_seal(text).claims
    assert list(decoded.fields.items()) == list(claims.fields.items())
    assert decoded.field_pages == claims.field_pages
    assert decoded.access_token == claims.access_token and len(claims.access_token) == 26
    assert decoded.requester_name == "Phạm Văn Hỏi" and decoded.requester_masked_id == "001******567"
    assert len(access_token_sha256(claims.access_token)) == 64


def test_a_seal_with_a_field_edited_does_not_verify(issued_two_pages, trust):
    # A genuine seal from the shared copy, its payload re-encoded with one field changed, signature kept.
    import zlib

    import base45
    import cbor2

    text = issued_two_pages.seal
    assert verify_seal_text(text, trust).valid
    address, _, seal = text.rpartition("#")
    cose = cbor2.loads(zlib.decompress(base45.b45decode(seal[5:])))
    protected, unprotected, payload, signature = cose.value
    claims = cbor2.loads(payload)
    claims[-65537][8] = [[1, "Lê Văn Giả", 1]]
    forged_cose = cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected, cbor2.dumps(claims), signature]))
    forged = (
        (address + "#" if address else "") + "VNC2:" + base45.b45encode(zlib.compress(forged_cose)).decode()
    )
    reading = read_seal_qr(forged, trust)
    assert reading.claims is not None and reading.claims.fields["full_name"] == "Lê Văn Giả"
    assert not reading.valid and reading.reason_key == "seal_edited"
