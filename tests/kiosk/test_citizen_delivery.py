"""The kiosk's side of issue 17: the delivery address checked for form, the retrieval secret (made,
printed as text and QR, kept only as a hash), the visit's KPI metrics, the heartbeat's fleet health."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from pyzbar import pyzbar

from drivers.base import Receipt
from drivers.escpos_serial import receipt_bytes
from drivers.receipt_render import render_receipt
from kiosk.flow.record import VisitRecord
from kiosk.runtime.fleet_health import heartbeat_health, write_device_states
from kiosk.services.delivery import (
    VisitClock,
    check_delivery_email,
    new_retrieval,
    note_count,
    note_screen,
    set_delivery_email,
    wording,
)
from offline_sync.personal_data import load_or_create_data_key
from offline_sync.protocol import RecordUpload
from offline_sync.protocol.citizen import CROCKFORD, normalize_secret, verify_retrieval_secret
from offline_sync.store import LocalStore, RecordIn
from offline_sync.worker import record_json

GOOD = [
    ("an.nguyen@example.vn", "an.nguyen@example.vn"),
    ("  Minh+kiosk@Gmail.COM ", "Minh+kiosk@gmail.com"),
    ("o'brien_1@sub.domain.gov.vn", "o'brien_1@sub.domain.gov.vn"),
    ("x@xn--hn-0ga.vn", "x@xn--hn-0ga.vn"),
]
BAD = [
    ("", "empty"),
    ("an.nguyen", "at_sign"),
    ("a@b@c.vn", "at_sign"),
    ("an nguyen@example.vn", "space"),
    ("an@example.vn\r\nBcc: victim@evil.example", "space"),
    ("nguyễn@example.vn", "not_ascii"),
    (".an@example.vn", "local_dots"),
    ("an..b@example.vn", "local_dots"),
    ('"an"@example.vn', "local_chars"),
    ("an@localhost", "domain"),
    ("an@-example.vn", "domain"),
    ("an@[127.0.0.1]", "domain"),
    ("an@example.123", "domain_tld"),
    ("a" * 65 + "@example.vn", "local"),
    ("a@" + "b" * 250 + ".vn", "too_long"),
]


@pytest.mark.parametrize(("text", "canonical"), GOOD)
def test_good_addresses_are_kept_in_canonical_form(text: str, canonical: str) -> None:
    checked = check_delivery_email(text)
    assert (checked.ok, checked.email, checked.key) == (True, canonical, "delivery.email.ok")


@pytest.mark.parametrize(("text", "reason"), BAD)
def test_bad_addresses_are_refused_with_a_wording_key(text: str, reason: str) -> None:
    checked = check_delivery_email(text)
    assert (checked.ok, checked.reason, checked.key) == (False, reason, f"delivery.email.{reason}")
    assert wording(checked.key, "vi") and wording(checked.key, "en")
    with pytest.raises(ValueError, match="delivery_email"):
        RecordUpload.model_validate({**_upload_body(), "delivery_email": text})


def test_set_delivery_email_on_a_visit() -> None:
    visit = SimpleNamespace(delivery_email=None)
    assert set_delivery_email(visit, "an@example.vn").ok and visit.delivery_email == "an@example.vn"
    assert not set_delivery_email(visit, "not an address").ok
    assert visit.delivery_email == "an@example.vn"  # a refused address changes nothing
    assert set_delivery_email(visit, "").key == "delivery.skip" and visit.delivery_email is None


def test_retrieval_secret_is_short_typeable_and_kept_only_as_a_hash() -> None:
    code = "HN-001-0000042-X"
    r = new_retrieval(code, "https://tracuu.hanoi.gov.vn")
    assert len(r.secret) == 10 and set(r.secret) <= set(CROCKFORD)  # 10 x 5 bits = 50 bits
    assert r.display == f"{r.secret[:5]}-{r.secret[5:]}"
    assert r.url == f"https://tracuu.hanoi.gov.vn/r/{code}#s={r.secret}"
    assert r.secret not in r.hash and r.secret not in repr(r)
    assert verify_retrieval_secret(r.display.lower(), code, r.hash)
    folded = r.secret.replace("1", "I").replace("0", "O")
    assert normalize_secret(folded) == r.secret
    assert not verify_retrieval_secret(r.secret, "HN-001-0000043-Y", r.hash)  # bound to its code
    assert new_retrieval(code, "https://x.vn").hash != new_retrieval(code, "https://x.vn").hash
    assert len({new_retrieval(code, "").secret for _ in range(200)}) == 200
    assert new_retrieval(code, "").url == ""  # no public listener configured: no QR


def test_the_receipt_prints_the_secret_and_a_second_qr_that_opens_the_retrieval_page() -> None:
    r = new_retrieval("HN-001-0000042-X", "https://tracuu.hanoi.gov.vn")
    receipt = Receipt(code="HN-001-0000042-X", lines=("BIÊN NHẬN",), qr_data="HN-001-0000042-X",
                      retrieval_secret=r.display, retrieval_url=r.url)  # fmt: skip
    image = np.array(render_receipt(receipt).convert("L"))
    decoded = {d.data.decode() for d in pyzbar.decode(image)}
    assert decoded == {"HN-001-0000042-X", r.url}
    stream = receipt_bytes(receipt, text_mode="cp1258")
    assert r.url.encode() in stream and r.display.encode() in stream
    plain = receipt_bytes(Receipt(code="C", lines=("x",), qr_data="C"), text_mode="cp1258")
    assert b"#s=" not in plain


def test_visit_clock_metrics() -> None:
    now = [100.0]
    clock = VisitClock(clock=lambda: now[0])
    assert clock.metrics() is None
    clock.start()
    clock.step("identify")
    now[0] += 40
    clock.step("face")
    clock.count("face_attempts", 2)
    clock.count("face_failures")
    now[0] += 30
    clock.step("scan")
    clock.count("rescans")
    now[0] += 90
    clock.step("certify")
    now[0] += 20
    m = clock.metrics(ward="Phường Hàng Bạc", pages=2)
    assert m is not None
    assert m["visit_seconds"] == 180.0
    assert m["step_seconds"] == {"identify": 40.0, "face": 30.0, "scan": 90.0, "certify": 20.0}
    assert (m["pages_scanned"], m["rescans"], m["face_attempts"], m["face_failures"]) == (3, 1, 2, 1)
    assert not {"holder_id", "holder_name", "name", "id_number"} & set(m)


def test_the_store_seals_the_address_and_the_upload_carries_everything(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "kiosk.db", load_or_create_data_key(tmp_path / "data.key"))
    r = new_retrieval("HN001-0000001", "https://x.vn")
    pdf = b"%PDF-1.7\n"
    (tmp_path / "c.pdf").write_bytes(pdf)
    clock = VisitClock()
    clock.start()
    store.add_record(RecordIn(
        code="HN001-0000001", created_at=datetime.now(UTC), kiosk_id="HN-001", doc_type="x", pages=1,
        pdf_path=str(tmp_path / "c.pdf"), pdf_sha256=hashlib.sha256(pdf).hexdigest(), holder_id="0",
        holder_name="An", ocr_text="", fields={}, face_match=True, face_distance=0.3, liveness="blink",
        language="en", delivery_email="an.nguyen@example.vn", retrieval_hash=r.hash,
        visit_metrics=clock.metrics(ward="W", pages=1),
    ))  # fmt: skip
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("kiosk.db*"))
    assert b"an.nguyen@example.vn" not in raw and r.secret.encode() not in raw
    store = LocalStore(tmp_path / "kiosk.db", load_or_create_data_key(tmp_path / "data.key"))
    record = store.get_record("HN001-0000001")
    assert record is not None
    upload = RecordUpload.model_validate_json(record_json(record, pdf))
    assert (upload.language, upload.delivery_email, upload.retrieval_hash) == (
        "en",
        "an.nguyen@example.vn",
        r.hash,
    )
    assert upload.visit_metrics is not None and upload.visit_metrics.ward == "W"
    store.close()


def test_heartbeat_health_reads_the_kiosks_device_states(tmp_path: Path) -> None:
    path = tmp_path / "sync" / "devices.json"
    assert heartbeat_health(path)["devices"] == []
    write_device_states(
        path, [{"name": "receipt_printer", "kind": "escpos", "state": "error", "detail": "paper out"}]
    )
    health = heartbeat_health(path, ward="Phường Hàng Bạc")
    assert health["devices"][0]["state"] == "error" and health["ward"] == "Phường Hàng Bạc"
    assert health["software_version"] not in ("", None)
    assert 0 <= health["devices_age_s"] < 60


def _upload_body() -> dict[str, object]:
    pdf = b"%PDF"
    return {"code": "HN001-0000001", "kiosk_id": "HN-001", "created_at": "2026-12-01T08:00:00+00:00",
            "doc_type": "x", "pages": 1, "pdf_sha256": hashlib.sha256(pdf).hexdigest(), "pdf": "JVBERg==",
            "holder_id": "0", "holder_name": "x", "ocr_text": "", "fields": {}, "face_match": True,
            "face_distance": 0.3, "liveness": "blink"}  # fmt: skip


def test_the_flow_hooks_start_the_clock_at_the_first_step_and_reset_with_the_visit() -> None:
    visit = VisitRecord()
    note_count(visit, "rescans")  # before the visit started: nothing to count on
    note_screen(visit, "attract")
    assert visit.metrics is None
    for screen in ("card", "face", "scan", "review", "payment", "processing"):
        note_screen(visit, screen)
    note_count(visit, "rescans")
    metrics = visit.metrics.metrics(pages=1)
    assert metrics is not None and metrics["rescans"] == 1
    assert set(metrics["step_seconds"]) == {"identify", "face", "scan", "review", "pay", "certify"}
    assert VisitRecord().metrics is None  # a new visit (the reset) starts without a clock


def test_the_kiosk_writes_its_device_states_for_the_heartbeat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from kiosk.app import KioskApp
    from kiosk.config import load_config
    from kiosk.runtime.fleet_health import DEVICES_FILE, read_device_states, start_device_watch

    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    with KioskApp(load_config()) as app:
        watcher = start_device_watch(app, interval=0.2)
        path = app.config.path(DEVICES_FILE)
        deadline = time.monotonic() + 30
        while not read_device_states(path)[0]:
            assert time.monotonic() < deadline, "no device snapshot written"
            time.sleep(0.05)
        watcher.stop()
    devices, age = read_device_states(path)
    names = {d["name"] for d in devices}
    assert {"scanner", "camera", "receipt_printer"} <= names
    assert all(d["state"] in ("ok", "warning", "error", "absent") for d in devices)
    assert age is not None and age < 30
