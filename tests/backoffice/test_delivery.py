"""Delivery by e-mail against a real SMTP server on loopback (aiosmtpd), through the real sync path:
a kiosk store with a delivery address, the sync worker, the mTLS backend, the delivery thread."""

from __future__ import annotations

import hashlib
import smtplib
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from backoffice import BackendDB, BackgroundServer, make_server
from backoffice.services.delivery import (
    DeliveryOptions,
    DeliveryService,
    SmtpSettings,
    build_message,
    parse_smtp_url,
    send_message,
)
from offline_sync.personal_data import load_or_create_data_key
from offline_sync.protocol.backoff import Backoff
from offline_sync.protocol.errors import BackendError
from offline_sync.store import RecordIn
from tests.backoffice.smtp_server import SmtpCert, SmtpServer
from tests.sync.helpers import KIOSK, Backend, Pki, free_port, make_pki, make_worker, open_store

ADDRESS = "citizen.an@example.vn"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> SmtpCert:
    return SmtpCert(tmp_path_factory.mktemp("smtp-cert"))


def settings_for(cert: SmtpCert, port: int, *, implicit: bool = False) -> SmtpSettings:
    scheme = "smtps" if implicit else "smtp"
    return parse_smtp_url(
        f"{scheme}://127.0.0.1:{port}", sender="no-reply@ttpvhcc.hanoi.gov.vn", ca_file=cert.ca_file
    )


class DeliveringBackend:
    """The mTLS backend with the delivery queue hooked after ingest, its thread started."""

    def __init__(self, pki: Pki, folder: Path, settings: SmtpSettings, db_url: str = "") -> None:
        key = load_or_create_data_key(folder / "backend.key")
        self.db = BackendDB(db_url or str(folder / "backend.sqlite3"), folder / "blobs", data_key=key)
        self.delivery = DeliveryService(
            self.db,
            key,
            settings,
            DeliveryOptions(public_base_url="https://tracuu.hanoi.gov.vn", poll_interval_s=0.2),
            backoff=Backoff(base=0.05, cap=0.3),
        )
        self.port = free_port()
        self.server = BackgroundServer(
            make_server(self.db, pki.tls, port=self.port, after_ingest=[self.delivery.enqueue])
        )
        self.shim = Backend(pki, folder, port=self.port)

    def __enter__(self) -> DeliveringBackend:
        self.server.start()
        self.delivery.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.delivery.stop()
        self.server.stop()
        self.db.close()

    def wait_state(self, code: str, state: str, timeout: float = 30.0) -> dict[str, object]:
        deadline = time.monotonic() + timeout
        while True:
            rows = {row["code"]: row for row in self.delivery.outcomes()}
            if code in rows and rows[code]["state"] == state:
                return rows[code]
            assert time.monotonic() < deadline, f"{code} never reached {state}: {rows.get(code)}"
            time.sleep(0.05)


def kiosk_record(folder: Path, *, email: str | None, language: str = "vi") -> tuple[object, str]:
    """A kiosk store holding one record that asks for delivery; returns (store, code)."""
    store = open_store(folder)
    seq = store.next_sequence()
    code = f"HN001-{seq:07d}"
    body = b"%PDF-1.7\n" + hashlib.sha256(code.encode()).digest() * 40
    pdf = folder / f"{code}.pdf"
    pdf.write_bytes(body)
    store.add_record(
        RecordIn(
            code=code,
            created_at=datetime.now(UTC),
            kiosk_id=KIOSK,
            doc_type="birth_certificate",
            pages=1,
            pdf_path=str(pdf),
            pdf_sha256=hashlib.sha256(body).hexdigest(),
            holder_id="001090001234",
            holder_name="Nguyễn Văn An",
            ocr_text="GIẤY KHAI SINH",
            fields={},
            face_match=True,
            face_distance=0.4,
            liveness="blink",
            language=language,
            delivery_email=email,
        )
    )
    return store, code


def sync_once(store: object, backend: DeliveringBackend, folder: Path) -> None:
    # The client is closed with the worker: an open TLS connection left behind holds the server's shutdown
    # for asyncio's 30 s close_notify wait.
    with backend.shim.client() as client:
        worker = make_worker(store, client, folder)  # type: ignore[arg-type]
        assert worker.drain(timeout=60)
        worker.close()


@pytest.mark.parametrize("db_kind", ["sqlite", "postgresql"])
def test_a_synced_record_with_an_address_gets_one_message_naming_its_code(
    pki: Pki, cert: SmtpCert, tmp_path: Path, db_kind: str, request: pytest.FixtureRequest
) -> None:
    smtp_port = free_port()
    db_url = request.getfixturevalue("postgres").new_database() if db_kind == "postgresql" else ""
    with (
        SmtpServer(cert, smtp_port) as smtp,
        DeliveringBackend(pki, tmp_path / "backend", settings_for(cert, smtp_port), db_url) as backend,
    ):
        store, code = kiosk_record(tmp_path / "kiosk", email=ADDRESS)
        sync_once(store, backend, tmp_path / "kiosk")
        row = backend.wait_state(code, "sent")
        (message,) = smtp.handler.wait_for(1)
    assert smtp.handler.envelopes == [("no-reply@ttpvhcc.hanoi.gov.vn", [ADDRESS])]
    assert message["To"] == ADDRESS
    assert code in message["Subject"]
    text = message.get_content()
    assert code in text
    assert f"https://tracuu.hanoi.gov.vn/v/{code}" in text
    assert f"https://tracuu.hanoi.gov.vn/r/{code}" in text
    assert "Mã bí mật" in text  # Vietnamese: the visit was in Vietnamese
    assert row["attempts"] == 1 and row["sent_at"] and row["last_error"] is None
    if db_kind == "postgresql":  # at rest the address is sealed in every column that holds it
        import psycopg

        with psycopg.connect(db_url) as conn:
            rows = conn.execute("SELECT email_sealed FROM deliveries").fetchall()
            rows += conn.execute("SELECT body FROM records").fetchall()
        assert rows and not any(ADDRESS in str(row[0]) for row in rows)
        return
    # At rest the address is sealed: it is nowhere in the database file in clear.
    raw = (tmp_path / "backend" / "backend.sqlite3").read_bytes()
    wal = tmp_path / "backend" / "backend.sqlite3-wal"
    raw += wal.read_bytes() if wal.exists() else b""
    assert ADDRESS.encode() not in raw


def test_an_smtp_server_that_is_down_and_comes_back_gets_exactly_one_message(
    pki: Pki, cert: SmtpCert, tmp_path: Path
) -> None:
    smtp_port = free_port()  # nothing listens there yet
    with DeliveringBackend(pki, tmp_path / "backend", settings_for(cert, smtp_port)) as backend:
        store, code = kiosk_record(tmp_path / "kiosk", email=ADDRESS, language="en")
        started = time.monotonic()
        sync_once(store, backend, tmp_path / "kiosk")
        # Ingest did not wait for SMTP: the upload finished while the mail server is still down.
        assert time.monotonic() - started < 20
        deadline = time.monotonic() + 30
        while True:
            (row,) = backend.delivery.outcomes()
            if int(row["attempts"]) >= 2:  # type: ignore[call-overload]
                break
            assert time.monotonic() < deadline, row
            time.sleep(0.05)
        assert row["state"] == "pending"
        assert row["last_error"] == "connection refused"
        assert store.get_record(code).synced_at is not None  # type: ignore[attr-defined]
        with SmtpServer(cert, smtp_port) as smtp:
            sent = backend.wait_state(code, "sent")
            messages = smtp.handler.wait_for(1)
            # Give the worker several more polls: nothing more may arrive.
            time.sleep(1.0)
            messages = list(smtp.handler.messages)
    assert len(messages) == 1
    assert code in messages[0]["Subject"] and code in messages[0].get_content()
    assert "Check its status" in messages[0].get_content()  # English: the visit was in English
    assert int(sent["attempts"]) >= 3  # type: ignore[call-overload]


def test_implicit_tls_and_the_pdf_attached_when_configured(pki: Pki, cert: SmtpCert, tmp_path: Path) -> None:
    smtp_port = free_port()
    with SmtpServer(cert, smtp_port, mode="implicit") as smtp:
        db = BackendDB(str(tmp_path / "b.sqlite3"), tmp_path / "blobs")
        service = DeliveryService(
            db,
            b"k" * 32,
            settings_for(cert, smtp_port, implicit=True),
            DeliveryOptions(attach_pdf=True),
        )
        from offline_sync.protocol import RecordUpload, encode_pdf

        pdf = b"%PDF-1.7\nattached copy"
        record = RecordUpload(
            code="HN001-0000009",
            kiosk_id=KIOSK,
            created_at=datetime.now(UTC),
            doc_type="birth_certificate",
            pages=1,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            pdf=encode_pdf(pdf),
            holder_id="0",
            holder_name="x",
            ocr_text="",
            fields={},
            face_match=True,
            face_distance=0.3,
            liveness="blink",
            delivery_email=ADDRESS,
        )
        (result,) = db.ingest([record], KIOSK)
        assert service.enqueue([record], [result]) == 1
        assert service.enqueue([record], [result.model_copy(update={"replayed": True})]) == 0
        assert service.send_due() == 1
        (message,) = smtp.handler.wait_for(1)
        db.close()
    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["HN001-0000009.pdf"]
    assert attachments[0].get_content() == pdf


def test_a_server_without_starttls_is_refused_and_a_5xx_ends_the_delivery(
    cert: SmtpCert, tmp_path: Path
) -> None:
    from aiosmtpd.controller import Controller

    from offline_sync.protocol import IngestResult, RecordUpload, encode_pdf
    from tests.backoffice.smtp_server import Collecting

    plain_port, port = free_port(), free_port()
    handler = Collecting()
    handler.refuse.add("nobody@example.vn")
    plain = Controller(Collecting(), hostname="127.0.0.1", port=plain_port)
    plain.start()
    try:
        message = build_message(
            code="X",
            kiosk_id=KIOSK,
            language="vi",
            to=ADDRESS,
            sender="a@b.vn",
            public_base_url="https://x.vn",
        )
        with pytest.raises(smtplib.SMTPNotSupportedError):
            send_message(settings_for(cert, plain_port), message)
    finally:
        plain.stop()
    with SmtpServer(cert, port, handler=handler):
        db = BackendDB(str(tmp_path / "b.sqlite3"), tmp_path / "blobs")
        service = DeliveryService(db, b"k" * 32, settings_for(cert, port))
        pdf = b"%PDF-1.7\n"
        record = RecordUpload(
            code="HN001-0000010", kiosk_id=KIOSK, created_at=datetime.now(UTC), doc_type="x", pages=1,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(), pdf=encode_pdf(pdf), holder_id="0", holder_name="x",
            ocr_text="", fields={}, face_match=True, face_distance=0.3, liveness="blink",
            delivery_email="nobody@example.vn",
        )  # fmt: skip
        service.enqueue([record], [IngestResult(code=record.code, status=201)])
        assert service.send_due() == 0
        (row,) = service.outcomes()
        db.close()
    assert row["state"] == "failed" and row["attempts"] == 1
    assert "550" in str(row["last_error"])
    assert handler.messages == []


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://mail.example.vn", "must start with smtp://"),
        ("smtp://", "names no host"),
        ("smtp://mail.example.vn:99999", "port"),
        ("smtp://mail.example.vn/path", "no path"),
    ],
)
def test_bad_smtp_urls_are_refused_with_one_clear_message(url: str, problem: str) -> None:
    with pytest.raises(BackendError, match=problem) as caught:
        parse_smtp_url(url)
    assert caught.value.exit_code == 2


def test_smtp_url_credentials_and_password_file(tmp_path: Path) -> None:
    s = parse_smtp_url("smtps://kiosk%40city:p%40ss@mail.example.vn")
    assert (s.host, s.port, s.tls, s.username, s.password) == (
        "mail.example.vn", 465, "implicit", "kiosk@city", "p@ss")  # fmt: skip
    assert "p@ss" not in repr(s)
    secret = tmp_path / "smtp.pw"
    secret.write_text("from-file\n")
    s = parse_smtp_url("smtp://user@mail.example.vn", password_file=secret)
    assert (s.port, s.tls, s.password) == (587, "starttls", "from-file")
