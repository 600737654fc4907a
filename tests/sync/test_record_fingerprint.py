"""A record's fingerprint is what "the same body" means for the backend's idempotency: an optional field
added to the protocol later must not change the fingerprint of a record that does not carry it, or every
kiosk's replay after an upgrade becomes a 422 conflict."""

from __future__ import annotations

from datetime import UTC, datetime

from offline_sync.protocol import RecordUpload

OLD_BODY = {
    "code": "HN001-000001-B",
    "kiosk_id": "HN-001",
    "created_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    "doc_type": "birth_certificate",
    "pages": 1,
    "pdf_sha256": "0" * 64,
    "pdf": "",
    "holder_id": "001099012345",
    "holder_name": "NGUYỄN VĂN AN",
    "ocr_text": "GIẤY KHAI SINH",
    "fields": {"document_number": "12/KS"},
    "face_match": True,
    "face_distance": 0.31,
    "liveness": "passed:blink+turn_left",
}
# The fingerprint of OLD_BODY as computed by the protocol before this session's fields were added (commit
# 385dc7b): pinned, so a new optional field that leaks into the canonical form fails here.
OLD_FINGERPRINT = "2d8b68d1d30df09dbfb5bec1724be0abf329c3989f2446db76dd7526664e28e9"


def test_every_optional_field_left_absent_keeps_the_old_fingerprint() -> None:
    optional = [name for name, spec in RecordUpload.model_fields.items() if spec.default is None]
    assert "access_token_sha256" in optional and "ocr_fields" in optional
    explicit_none = RecordUpload.model_validate({**OLD_BODY, **dict.fromkeys(optional)})
    assert explicit_none.fingerprint() == OLD_FINGERPRINT


def test_an_old_body_keeps_the_fingerprint_it_had_before() -> None:
    assert RecordUpload.model_validate(OLD_BODY).fingerprint() == OLD_FINGERPRINT


def test_a_present_optional_field_changes_the_fingerprint() -> None:
    with_token = RecordUpload.model_validate({**OLD_BODY, "access_token_sha256": "a" * 64})
    assert with_token.fingerprint() != OLD_FINGERPRINT
