"""What `kiosk verify` prints for a checker (issue 22): every sealed field of the subject, then who asked
for the copy, the page, the code and the issue time; JSON keeps its keys and adds fields and requester."""

from __future__ import annotations

import datetime as dt

from kiosk.commands.verify import checker_lines
from signing.model import Verification


def _verdict() -> Verification:
    return Verification(
        valid=True,
        code="HN001-000001-B",
        reason="valid",
        issued_at=dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC),
        pages=2,
        holder="001******345",
        doc_type="birth_certificate",
        holder_name="Nguyễn Thị Minh Anh",
        page=1,
        fields={"full_name": "Đỗ Thị Minh Nhung", "date_of_birth": "1992-12-14", "document_number": "337/KS"},
        field_pages={"full_name": 1, "date_of_birth": 1, "document_number": 1},
    )


def test_the_subjects_fields_come_first_then_the_requester_page_code_and_time():
    lines = [line.strip() for line in checker_lines(_verdict())]
    order = [
        "NAME             ĐỖ THỊ MINH NHUNG",
        "DATE OF BIRTH    1992-12-14",
        "NUMBER           337/KS",
        "REQUESTED BY     NGUYỄN THỊ MINH ANH (ID 001******345)",
        "PAGE             1 of 2",
        "CODE             HN001-000001-B",
        "ISSUED           2026-01-02 03:04 UTC",
    ]
    positions = [lines.index(line) for line in order]
    assert positions == sorted(positions)


def test_json_has_fields_and_the_requester_apart_and_keeps_its_keys():
    data = _verdict().to_json()
    assert data["fields"]["full_name"] == "Đỗ Thị Minh Nhung"
    assert data["requester"] == {"name": "Nguyễn Thị Minh Anh", "masked_id": "001******345"}
    for key in ("valid", "code", "reason", "issued_at", "pages"):
        assert key in data
