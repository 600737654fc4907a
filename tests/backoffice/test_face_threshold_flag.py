"""Issue 23 made the face model configurable, each with its own distance scale: the record carries the
threshold its face distance was decided against, and the back office's near-threshold flag reads the two
together, by the same share of the threshold for every model (0.05 at dlib's 0.55)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from backoffice.services.risk import risk_flags
from offline_sync.personal_data import load_or_create_data_key
from offline_sync.protocol import RecordUpload
from offline_sync.protocol.errors import BadRecordError
from offline_sync.store import LocalStore
from offline_sync.worker import record_json
from tests.sync.test_record_fingerprint import OLD_BODY, OLD_FINGERPRINT
from tests.sync.test_store import make_record


def _flagged(distance: float, threshold: float | None) -> bool:
    body = {"face_distance": distance} | ({} if threshold is None else {"face_threshold": threshold})
    return "face_near_threshold" in risk_flags(body)


def test_dlib_records_keep_their_old_band_of_0_05_around_0_55() -> None:
    for threshold in (None, 0.55):  # a record from before carries no threshold: dlib's is assumed
        assert _flagged(0.52, threshold) and _flagged(0.599, threshold) and _flagged(0.50, threshold)
        assert not _flagged(0.45, threshold) and not _flagged(0.61, threshold)


def test_the_band_follows_the_model_s_own_scale() -> None:
    # A cosine-distance model decided at 0.70: 0.645 is 0.055 below it, inside 9 % of 0.70 (0.064).
    assert _flagged(0.645, 0.70) and _flagged(0.76, 0.70)
    assert not _flagged(0.60, 0.70) and not _flagged(0.80, 0.70)
    # A model decided at 0.30: 0.26 would have been "near" by the old absolute 0.05, it is 13 % away.
    assert not _flagged(0.26, 0.30) and _flagged(0.28, 0.30)


def test_the_store_keeps_the_threshold_and_the_upload_carries_it(tmp_path: Path) -> None:
    pdf = tmp_path / "copy.pdf"
    pdf.write_bytes(b"%PDF-1.7 test")
    store = LocalStore(tmp_path / "kiosk.db", load_or_create_data_key(tmp_path / "keys" / "data.key"))
    try:
        store.add_record(dataclasses.replace(make_record("HN-001-2026-000001"), face_threshold=0.7))
        store.add_record(make_record("HN-001-2026-000002"))
        with_threshold = store.get_record("HN-001-2026-000001")
        without = store.get_record("HN-001-2026-000002")
        assert with_threshold is not None and without is not None
        assert with_threshold.face_threshold == 0.7 and without.face_threshold is None
        body = json.loads(record_json(with_threshold, pdf.read_bytes()))
        assert body["face_threshold"] == 0.7
        assert json.loads(record_json(without, pdf.read_bytes())).get("face_threshold") is None
        for junk in (0.0, -1.0, 101.0, True, "0.55"):
            with pytest.raises(BadRecordError, match="face_threshold"):
                store.add_record(
                    dataclasses.replace(make_record("HN-001-2026-000003"), face_threshold=junk)  # type: ignore[arg-type]
                )
    finally:
        store.close()


def test_a_record_without_a_threshold_keeps_its_old_fingerprint() -> None:
    assert RecordUpload.model_validate({**OLD_BODY, "face_threshold": None}).fingerprint() == OLD_FINGERPRINT
    assert RecordUpload.model_validate({**OLD_BODY, "face_threshold": 0.55}).fingerprint() != OLD_FINGERPRINT
