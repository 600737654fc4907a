"""Issue 24: ingest trusts only what is sealed, the subject's fields included. A record's ``fields`` must be
exactly the fields its PDF's seal carries (same keys, same strings): a subject name, a date of birth or a
number that differs, a field the seal does not carry and a sealed field left out are each refused with 422
``seal_mismatch:fields.<key>`` (the key, never a value), nothing stored, and an audit entry. What OCR read
travels apart (``ocr_fields``, ``ocr_low_words``) and is not held to the seal.

A record from a kiosk before this change (no ``ocr_fields``: its ``fields`` were its OCR reading) still
syncs, byte for byte, but a sealed field it names must still be the sealed value."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest

from backoffice.services import auth
from tests.backoffice.helpers import BackOffice, len_pages, record_body

SEALED = {
    "full_name": "ĐỖ THỊ MINH NHUNG",
    "date_of_birth": "1992-12-14",
    "sex": "Nữ",
    "mother_name": "PHẠM THU MAI",
    "document_number": "337/KS",
    "issue_date": "2017-02-08",
}
# What OCR read on the page: a misread name, a field the seal does not carry, the paper's marks.
OCR = {
    **SEALED,
    "mother_name": "PHẠM THỦ MAI",
    "issuing_authority": "ỦY BAN NHÂN DÂN PHƯỜNG VĂN MIẾU",
    "seal": "present",
    "signature": "present",
}
LOW_WORDS = ["THỦ", "1964"]


def sealed_copy(office: BackOffice) -> tuple[str, bytes]:
    return office.kiosks.issue("HN-001", fields=SEALED)


def upload(office: BackOffice, code: str, pdf: bytes, **over: Any) -> tuple[int, str]:
    body = record_body(code, pdf, pages=len_pages(pdf), **over)
    for key in [k for k, v in over.items() if v is None]:
        body.pop(key)
    answer = office.upload(body)
    return answer.status_code, answer.text


def genuine(**over: Any) -> dict[str, Any]:
    return {"fields": dict(SEALED), "ocr_fields": dict(OCR), "ocr_low_words": list(LOW_WORDS), **over}


def refusals(office: BackOffice, code: str) -> list[dict[str, Any]]:
    assert office.db is not None
    return [e for e in auth.audit_trail(office.db, code) if e["action"] == "ingest_refused"]


def assert_refused(office: BackOffice, code: str, status: int, text: str, field: str, *secrets: str) -> None:
    assert status == 422, text
    assert f"seal_mismatch:fields.{field}" in text, text
    assert office.db is not None and office.db.get_record(code) is None
    entries = refusals(office, code)
    assert entries and entries[0]["actor"] == "kiosk:HN-001"
    assert f"seal_mismatch:fields.{field}" in entries[0]["detail"]
    for secret in secrets:  # the refusal and the audit name the field, never the personal data
        assert secret not in text and secret not in entries[0]["detail"]


def test_the_genuine_record_is_stored_with_its_ocr_apart(office: BackOffice) -> None:
    code, pdf = sealed_copy(office)
    status, text = upload(office, code, pdf, **genuine())
    assert status == 201, text
    assert refusals(office, code) == []
    assert office.db is not None
    body = office.db.record_body(code)
    assert body is not None
    assert body["fields"] == SEALED
    assert body["ocr_fields"] == OCR and body["ocr_low_words"] == LOW_WORDS


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("full_name", "NGUYỄN VĂN KHẮC"),  # another subject under a genuine seal
        ("full_name", "ĐỖ THỊ MINH NHUNG "),  # not the sealed string: "exact" means exact
        ("full_name", _nfd("ĐỖ THỊ MINH NHUNG")),  # the same letters, decomposed: not the sealed bytes
        ("date_of_birth", "1992-12-15"),
        ("date_of_birth", "14/12/1992"),
        ("document_number", "999/1999"),
        ("mother_name", "PHẠM THỦ MAI"),  # the OCR misread passed off as the confirmed value
    ],
)
def test_a_subject_field_other_than_the_sealed_one_is_refused(
    office: BackOffice, field: str, value: str
) -> None:
    code, pdf = sealed_copy(office)
    status, text = upload(office, code, pdf, **genuine(fields={**SEALED, field: value}))
    secrets = [value] if value.strip() != SEALED[field] else []
    assert_refused(office, code, status, text, field, *secrets)
    # The genuine record is then stored: the refusal held nothing back.
    status, text = upload(office, code, pdf, **genuine())
    assert status == 201, text


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({**SEALED, "id_number": "001090009999"}, "id_number"),  # a field the seal does not carry
        ({**SEALED, "seal": "present"}, "seal"),  # an OCR mark passed off as a sealed fact
        ({k: v for k, v in SEALED.items() if k != "mother_name"}, "mother_name"),  # a sealed field left out
        ({}, "full_name"),  # no field at all: the first sealed one is missing
    ],
)
def test_an_extra_or_a_missing_field_is_refused(
    sqlite_office: BackOffice, fields: dict[str, str], named: str
) -> None:
    office = sqlite_office
    code, pdf = sealed_copy(office)
    status, text = upload(office, code, pdf, **genuine(fields=fields))
    assert_refused(office, code, status, text, named, "001090009999")


def test_a_crafted_field_key_is_not_echoed(sqlite_office: BackOffice) -> None:
    """A key is the kiosk's text too: one holding a name and an ID number is refused without repeating it
    (nor letting it break the log line)."""
    office = sqlite_office
    code, pdf = sealed_copy(office)
    key = "NGUYỄN VĂN KHẮC 001090009999\nrefused upload HN001-0000099"
    status, text = upload(office, code, pdf, **genuine(fields={**SEALED, key: "x"}))
    assert_refused(office, code, status, text, "(unnamed)", "NGUYỄN VĂN KHẮC", "001090009999", "\n")


def test_ocr_fields_and_low_words_are_not_held_to_the_seal(sqlite_office: BackOffice) -> None:
    """OCR is allowed to have misread: what it read is shown as OCR, not compared at ingest."""
    office = sqlite_office
    code, pdf = sealed_copy(office)
    ocr = {"full_name": "ĐỖ THI MINH NHUNG", "date_of_birth": "1992-12-11"}
    status, text = upload(office, code, pdf, **genuine(ocr_fields=ocr, ocr_low_words=["THI", "11"]))
    assert status == 201, text


def test_a_record_of_a_kiosk_before_the_change_still_syncs_but_not_against_its_seal(
    office: BackOffice,
) -> None:
    """An old kiosk's record (its OCR reading in ``fields``, no ``ocr_fields``): the fields its OCR found
    beyond the seal's and the sealed ones it missed are its OCR; a field it names must be the sealed value."""
    code, pdf = sealed_copy(office)
    old_fields = {k: v for k, v in OCR.items() if k != "mother_name"}  # as a kiosk before issue 24 sent them
    status, text = upload(office, code, pdf, fields={**old_fields, "full_name": "NGUYỄN VĂN KHẮC"})
    assert_refused(office, code, status, text, "full_name", "NGUYỄN VĂN KHẮC")
    status, text = upload(office, code, pdf, fields=old_fields)
    assert status == 201, text
    assert office.db is not None
    body = office.db.record_body(code)
    assert body is not None and body.get("ocr_fields") is None and body["fields"] == old_fields
