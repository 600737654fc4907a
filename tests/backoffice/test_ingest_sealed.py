"""Issue 24: ingest trusts only what is sealed. A record's requester (name, ID), issue time, document type,
pages, kiosk and code must be what the PDF's seal carries; otherwise 422 naming the field (never its
values), nothing stored, and an audit entry. The attack of the issue: a record whose holder says
"NGUYEN VAN KHAC" beside a sealed page that reads "ĐỖ THỊ MINH NHUNG" was accepted as fact."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from backoffice.services import auth
from tests.backoffice.helpers import BackOffice, len_pages, record_body

SEALED_NAME = "ĐỖ THỊ MINH NHUNG"


def sealed_copy(office: BackOffice) -> tuple[str, bytes]:
    return office.kiosks.issue("HN-001", holder_name=SEALED_NAME, doc_number="337/KS", doc_date="2001-05-14")


def upload(office: BackOffice, code: str, pdf: bytes, **over: Any) -> tuple[int, str]:
    body = record_body(code, pdf, pages=len_pages(pdf), **{"holder_name": SEALED_NAME, **over})
    answer = office.upload(body)
    return answer.status_code, answer.text


def refusals(office: BackOffice, code: str) -> list[dict[str, Any]]:
    assert office.db is not None
    return [e for e in auth.audit_trail(office.db, code) if e["action"] == "ingest_refused"]


def test_the_genuine_record_is_stored(office: BackOffice) -> None:
    code, pdf = sealed_copy(office)
    status, text = upload(office, code, pdf)
    assert status == 201, text
    assert refusals(office, code) == []


@pytest.mark.parametrize(
    ("field", "over"),
    [
        ("holder_name", {"holder_name": "NGUYEN VAN KHAC"}),  # the issue's attack
        ("holder_name", {"holder_name": "ĐỖ THỊ MINH NHUNGG"}),
        ("holder_id", {"holder_id": "001090009999"}),  # another person's ID
        ("holder_id", {"holder_id": "0010900012345"}),  # same shown digits, one more hidden
    ],
)
def test_a_record_the_seal_contradicts_is_refused_naming_the_field(
    office: BackOffice, field: str, over: dict[str, str]
) -> None:
    code, pdf = sealed_copy(office)
    status, text = upload(office, code, pdf, **over)
    assert status == 422, text
    assert f"seal_mismatch:{field}" in text
    for value in over.values():  # the refusal names the field, never the personal data
        assert value not in text
    assert office.db is not None and office.db.get_record(code) is None
    (entry,) = refusals(office, code)
    assert entry["actor"] == "kiosk:HN-001" and f"seal_mismatch:{field}" in entry["detail"]
    # The kiosk cannot then slip the genuine record in under a fixed body either: it is checked the same.
    status, _ = upload(office, code, pdf)
    assert status == 201


def test_a_record_dated_otherwise_than_its_seal_is_refused(office: BackOffice) -> None:
    code, pdf = sealed_copy(office)
    sealed_at = datetime.fromisoformat(record_body(code, pdf)["created_at"])
    for moved in (timedelta(hours=1), timedelta(days=-1), timedelta(seconds=1)):
        status, text = upload(office, code, pdf, created_at=(sealed_at + moved).isoformat())
        assert status == 422 and "seal_mismatch:created_at" in text, (moved, text)
    # The same instant written in another zone is the same time.
    status, text = upload(office, code, pdf, created_at=sealed_at.astimezone().isoformat())
    assert status == 201, text


def test_type_pages_and_kiosk_are_held_to_the_seal(office: BackOffice) -> None:
    code, pdf = sealed_copy(office)
    status, text = upload(office, code, pdf, doc_type="diploma")
    assert status == 422 and "document type" in text
    body = record_body(code, pdf, pages=2, holder_name=SEALED_NAME)
    assert office.upload(body).status_code == 422
    body = record_body(code, pdf, pages=1, kiosk="HN-002", holder_name=SEALED_NAME)
    assert office.upload(body, kiosk="HN-002").status_code == 403  # another kiosk's code and seal
    assert len(refusals(office, code)) == 3
