"""Issue 24 on the kiosk's side of sync: a record's ``fields`` are the sealed ones, and what OCR read
(``ocr_fields``) and the words it was unsure of (``ocr_low_words``) are kept apart, sealed with the other
personal fields, and uploaded. A record stored before (without them) uploads exactly as it did: the same
idempotency fingerprint, pinned from before the change."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from offline_sync.personal_data import load_or_create_data_key
from offline_sync.protocol import RecordUpload
from offline_sync.protocol.errors import BadRecordError
from offline_sync.store import LocalStore, RecordIn
from offline_sync.worker import record_json
from tests.sync.test_record_fingerprint import OLD_BODY, OLD_FINGERPRINT

OCR_FIELDS = {"full_name": "PHẠM THỦ MAI", "issuing_authority": "ỦY BAN NHÂN DÂN", "seal": "absent"}
LOW_WORDS = ["THỦ", "1964"]


@pytest.fixture
def store(tmp_path: Path):
    s = LocalStore(tmp_path / "kiosk.db", load_or_create_data_key(tmp_path / "data.key"))
    yield s
    s.close()


def old_record() -> RecordIn:
    """OLD_BODY as the certify pipeline handed it to the store before issue 24."""
    body = {k: v for k, v in OLD_BODY.items() if k != "pdf"}
    return RecordIn(pdf_path="/nonexistent.pdf", **body)  # type: ignore[arg-type]


def test_a_record_stored_before_uploads_with_its_old_fingerprint(store: LocalStore) -> None:
    store.add_record(old_record())
    stored = store.get_record(str(OLD_BODY["code"]))
    assert stored is not None and stored.ocr_fields is None and stored.ocr_low_words is None
    body = json.loads(record_json(stored, b""))
    assert body["fields"] == OLD_BODY["fields"]
    assert body.get("ocr_fields") is None and body.get("ocr_low_words") is None
    assert RecordUpload.model_validate(body).fingerprint() == OLD_FINGERPRINT


def test_the_ocr_reading_is_kept_sealed_and_uploaded_apart(store: LocalStore, tmp_path: Path) -> None:
    record = dataclasses.replace(
        old_record(), fields={"full_name": "PHẠM THU MAI"}, ocr_fields=OCR_FIELDS, ocr_low_words=LOW_WORDS
    )
    store.add_record(record)
    stored = store.get_record(record.code)
    assert stored is not None
    assert (stored.fields, stored.ocr_fields, stored.ocr_low_words) == (
        {"full_name": "PHẠM THU MAI"},
        OCR_FIELDS,
        LOW_WORDS,
    )
    upload = RecordUpload.model_validate_json(record_json(stored, b""))
    assert upload.fields == {"full_name": "PHẠM THU MAI"}
    assert upload.ocr_fields == OCR_FIELDS and upload.ocr_low_words == LOW_WORDS
    assert upload.fingerprint() != OLD_FINGERPRINT
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("kiosk.db*"))
    for secret in ("ỦY BAN NHÂN DÂN", "PHẠM THỦ MAI", "THỦ"):  # personal: sealed with the data key
        assert secret.encode() not in raw


@pytest.mark.parametrize(
    "over",
    [
        {"ocr_fields": {"full_name": 1}},
        {"ocr_fields": ["seal"]},
        {"ocr_low_words": "THỦ"},
        {"ocr_low_words": [1]},
    ],
)
def test_a_malformed_ocr_reading_is_refused_before_storing(
    store: LocalStore, over: dict[str, object]
) -> None:
    with pytest.raises(BadRecordError):
        store.add_record(dataclasses.replace(old_record(), **over))  # type: ignore[arg-type]
    assert store.get_record(str(OLD_BODY["code"])) is None
