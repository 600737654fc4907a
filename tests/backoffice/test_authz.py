"""A second kiosk's certificate cannot squat codes, upload a non-copy, or read another kiosk's copies,
records or logs; personal data is sealed at rest; bodies are bounded. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import stat
import uuid
from datetime import UTC, datetime

from signing.code import make_code
from tests.backoffice.helpers import BackOffice, record_body


def _log_line(kiosk: str) -> dict:
    return {
        "id": uuid.uuid4().hex,
        "time": datetime.now(UTC).isoformat(),
        "kiosk": kiosk,
        "outcome": "synced",
    }


def test_another_kiosk_cannot_squat_a_code(office: BackOffice) -> None:
    code, pdf = office.kiosks.issue("HN-001")
    # HN-002 registers HN-001's next code (right check character) with a junk PDF, then with the real one.
    junk = b"%PDF-1.7 junk"
    squat = office.upload(record_body(code, junk, kiosk="HN-002"), "HN-002")
    assert squat.status_code == 403 and "not a valid code of kiosk HN-002" in squat.json()["error"]
    stolen = office.upload(record_body(code, pdf, kiosk="HN-002"), "HN-002")
    assert stolen.status_code == 403
    # Lying about the kiosk id in the body does not help either.
    lie = office.upload(record_body(code, junk, kiosk="HN-001"), "HN-002")
    assert lie.status_code == 403
    # HN-001's genuine upload still goes through.
    genuine = office.upload(record_body(code, pdf), "HN-001")
    assert genuine.status_code == 201, genuine.text
    assert office.db is not None and office.db.all_codes() == [code]


def test_only_well_formed_own_codes_with_a_real_copy(office: BackOffice) -> None:
    own = make_code("HN", "HN-002", 77)
    wrong_check = own[:-1] + ("0" if own[-1] != "0" else "1")
    not_pdf = office.upload(record_body(own, b"not a pdf at all", kiosk="HN-002"), "HN-002")
    assert not_pdf.status_code == 422 and "not a valid certified copy" in not_pdf.json()["error"]
    bad_check = office.upload(record_body(wrong_check, b"%PDF-1.7", kiosk="HN-002"), "HN-002")
    assert bad_check.status_code == 403
    # A real copy of HN-001, uploaded by HN-002 under HN-002's own (valid) code: the seal names another code.
    code1, pdf1 = office.kiosks.issue("HN-001")
    borrowed = office.upload(record_body(own, pdf1, kiosk="HN-002"), "HN-002")
    assert borrowed.status_code in (403, 422)
    # The record must match its seal: pages and document type.
    code2, pdf2 = office.kiosks.issue("HN-002")
    pages = office.upload(record_body(code2, pdf2, kiosk="HN-002", pages=3), "HN-002")
    assert pages.status_code == 422 and "page" in pages.json()["error"]
    kind = office.upload(record_body(code2, pdf2, kiosk="HN-002", doc_type="diploma"), "HN-002")
    assert kind.status_code == 422 and "document type" in kind.json()["error"]
    assert office.upload(record_body(code2, pdf2, kiosk="HN-002"), "HN-002").status_code == 201
    # Batches are checked record by record.
    with office.kiosk("HN-002") as c:
        batch = c.post(
            "/v1/records/batch",
            json={
                "records": [
                    record_body(code1, pdf1, kiosk="HN-002"),
                    record_body(code2, pdf2, kiosk="HN-002"),
                ]
            },
        )
    assert [r["status"] for r in batch.json()["results"]] == [403, 201]
    assert office.db is not None and office.db.all_codes() == [code2]


def test_a_kiosk_reads_back_only_its_own(office: BackOffice) -> None:
    code = office.upload_copy("HN-001")
    with office.kiosk("HN-001") as own, office.kiosk("HN-002") as other:
        assert own.get(f"/v1/records/{code}").status_code == 200
        pdf = own.get(f"/v1/records/{code}/pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert other.get(f"/v1/records/{code}").status_code == 404
        assert other.get(f"/v1/records/{code}/pdf").status_code == 404
        # Log lines and the fleet view: only its own.
        assert own.post("/v1/sync-logs", json={"entries": [_log_line("HN-001")]}).status_code == 200
        assert other.post("/v1/sync-logs", json={"entries": [_log_line("HN-002")]}).status_code == 200
        assert other.get("/v1/sync-logs", params={"kiosk": "HN-001"}).status_code == 403
        mine = other.get("/v1/sync-logs").json()["entries"]
        assert mine and {e["kiosk"] for e in mine} == {"HN-002"}
        fleet = other.get("/v1/fleet").json()["kiosks"]
        assert [k["kiosk_id"] for k in fleet] == ["HN-002"]
    from backoffice.services.auth import audit_trail

    assert office.db is not None
    assert [(a["actor"], a["action"]) for a in audit_trail(office.db, code)] == [("kiosk:HN-001", "read_pdf")]


def test_personal_data_is_sealed_at_rest(sqlite_office: BackOffice) -> None:
    office = sqlite_office
    code = office.upload_copy("HN-001", holder_name="Phạm Thị Riêng Tư")
    db_file = office.data / "backend.sqlite3"
    assert stat.S_IMODE(os.stat(db_file).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(office.data).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(office.data / "backend.key").st_mode) == 0o600
    blobs = list((office.data / "blobs").rglob("*.pdf"))
    assert blobs
    for blob in blobs:
        assert stat.S_IMODE(os.stat(blob).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(blob.parent).st_mode) == 0o700
        assert b"%PDF" not in blob.read_bytes()[:64]  # AES-GCM sealed
    raw = b"".join(p.read_bytes() for p in office.data.glob("backend.sqlite3*"))
    assert "Phạm Thị Riêng Tư".encode() not in raw and b"001090001234" not in raw
    assert office.db is not None and office.db.record_body(code)["holder_name"] == "Phạm Thị Riêng Tư"


def test_a_chunked_body_is_refused_past_its_bound(sqlite_office: BackOffice) -> None:
    from backoffice.api.kiosk_app import MAX_SMALL_BODY_BYTES

    sent = 0

    def chunks():
        nonlocal sent
        yield b'{"heartbeats": ["'
        while sent < MAX_SMALL_BODY_BYTES * 4:
            sent += 1 << 20
            yield b"x" * (1 << 20)

    with sqlite_office.kiosk("HN-001") as c:
        try:
            answer = c.post("/v1/heartbeats", content=chunks(), headers={"Content-Type": "application/json"})
            status = answer.status_code
        except Exception:  # the server may close the connection while we are still sending
            status = 413
    assert status == 413
