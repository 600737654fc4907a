"""Issue 25: the retrieval secret reaches a citizen who typed an e-mail address, in the message only.

Real parts: a kiosk store, the sync worker over mTLS, the backend with its delivery thread, an aiosmtpd
server with STARTTLS on loopback. The secret travels in the upload's `retrieval_secret_for_email`, opens
retrieval with the code, and leaves no trace in the backend's database file or blobs; the kiosk drops it
once uploaded; a record without an address carries none."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from backoffice import BackgroundServer, make_server
from backoffice.services.delivery import SmtpSettings
from backoffice.web.retrieval import RetrievalBook
from kiosk.services.delivery import new_retrieval
from offline_sync.protocol import RecordUpload
from offline_sync.protocol.citizen import display_secret
from offline_sync.protocol.errors import BadRecordError
from offline_sync.store import LocalStore, RecordIn
from offline_sync.worker import record_json
from tests.backoffice.smtp_server import SmtpCert, SmtpServer
from tests.backoffice.test_delivery import ADDRESS, DeliveringBackend, settings_for, sync_once
from tests.sync.helpers import KIOSK, Pki, free_port, open_store

PUBLIC = "https://tracuu.hanoi.gov.vn"


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> SmtpCert:
    return SmtpCert(tmp_path_factory.mktemp("smtp-cert"))


def record_with_secret(
    folder: Path, *, email: str | None, language: str = "vi"
) -> tuple[LocalStore, str, str]:
    """A kiosk store holding one record as the certify step makes it: (store, code, secret)."""
    store = open_store(folder)
    code = f"HN001-{store.next_sequence():07d}"
    body = b"%PDF-1.7\n" + hashlib.sha256(code.encode()).digest() * 40
    pdf = folder / f"{code}.pdf"
    pdf.write_bytes(body)
    retrieval = new_retrieval(code, PUBLIC)
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
            retrieval_hash=retrieval.hash,
            retrieval_secret_for_email=retrieval.secret if email else None,
        )
    )
    return store, code, retrieval.secret


class SecretDeliveringBackend(DeliveringBackend):
    """test_delivery's backend wired as `serve` wires it: the kiosk API hands the e-mail secrets to the
    delivery service, and the retrieval book records the hashes."""

    def __init__(self, pki: Pki, folder: Path, settings: SmtpSettings) -> None:
        super().__init__(pki, folder, settings)
        self.book = RetrievalBook(self.db)
        self.server = BackgroundServer(
            make_server(
                self.db,
                pki.tls,
                port=self.port,
                after_ingest=[self.delivery.enqueue, self.book.record_hashes],
                hold_email_secrets=self.delivery.hold_email_secrets,
            )
        )


def backend_bytes(folder: Path) -> bytes:
    """Every byte the backend keeps on disk: the database file (and its WAL) and every blob."""
    return b"".join(path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file())


def test_the_message_carries_the_secret_that_opens_the_copy_and_the_backend_keeps_no_trace(
    pki: Pki, cert: SmtpCert, tmp_path: Path
) -> None:
    smtp_port = free_port()
    with (
        SmtpServer(cert, smtp_port) as smtp,
        SecretDeliveringBackend(pki, tmp_path / "backend", settings_for(cert, smtp_port)) as backend,
    ):
        book = backend.book
        store, code, secret = record_with_secret(tmp_path / "kiosk", email=ADDRESS, language="en")
        # Before upload the secret waits only inside the sealed personal fields, never in clear on disk.
        kiosk_disk = b"".join(p.read_bytes() for p in (tmp_path / "kiosk").rglob("*.sqlite3*") if p.is_file())
        assert secret.encode() not in kiosk_disk
        assert store.get_record(code).retrieval_secret_for_email == secret  # type: ignore[union-attr]
        sync_once(store, backend, tmp_path / "kiosk")
        backend.wait_state(code, "sent")
        (message,) = smtp.handler.wait_for(1)
        text = message.get_content()
        # In the message: the secret as printed and the link that opens the copy; English first.
        assert display_secret(secret) in text
        assert f"{PUBLIC}/r/{code}#s={secret}" in text
        assert text.index("Dear citizen") < text.index("Kính gửi công dân")
        assert message["Subject"].startswith("Certified copy")
        # The secret from the message opens retrieval with the code; another one does not.
        assert book.attempt(code, display_secret(secret), "203.0.113.7") == "granted"
        assert book.attempt(code, "0" * 10, "203.0.113.8") != "granted"
        # Neither the stored record nor any file of the backend holds it, in any form.
        stored = backend.db.get_record(code)
        assert stored is not None and "retrieval_secret_for_email" not in str(stored)
        raw = backend_bytes(tmp_path / "backend")
        for form in (secret, display_secret(secret), secret.lower()):
            assert form.encode() not in raw, form
        # The kiosk dropped its copy once the backend had the record.
        assert store.get_record(code).retrieval_secret_for_email is None  # type: ignore[union-attr]
        # The e-mail's copy is forgotten once the message was sent.
        assert backend.delivery._email_secrets == {} and backend.delivery._held_secrets == {}


def test_a_record_without_an_address_carries_no_secret(tmp_path: Path) -> None:
    store, code, secret = record_with_secret(tmp_path / "kiosk", email=None)
    assert store.get_record(code).retrieval_secret_for_email is None  # type: ignore[union-attr]
    (item,) = store.due_for_upload(10)
    body = record_json(item.record, b"%PDF-1.7\n")
    assert json.loads(body)["retrieval_secret_for_email"] is None and secret.encode() not in body


def test_the_protocol_and_the_store_refuse_a_secret_without_an_address(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    retrieval = new_retrieval("HN001-0000001", PUBLIC)
    with pytest.raises(BadRecordError):
        store.add_record(
            RecordIn(
                code="HN001-0000001",
                created_at=datetime.now(UTC),
                kiosk_id=KIOSK,
                doc_type="birth_certificate",
                pages=1,
                pdf_path=str(tmp_path / "x.pdf"),
                pdf_sha256="0" * 64,
                holder_id="001090001234",
                holder_name="Nguyễn Văn An",
                ocr_text="",
                fields={},
                face_match=True,
                face_distance=0.4,
                liveness="blink",
                retrieval_hash=retrieval.hash,
                retrieval_secret_for_email=retrieval.secret,
            )
        )


def test_the_secret_never_enters_the_fingerprint_and_needs_an_address() -> None:
    retrieval = new_retrieval("HN001-0000001", PUBLIC)
    body = {
        "code": "HN001-0000001",
        "kiosk_id": KIOSK,
        "created_at": datetime(2026, 1, 2, tzinfo=UTC),
        "doc_type": "birth_certificate",
        "pages": 1,
        "pdf_sha256": "0" * 64,
        "pdf": "",
        "holder_id": "001090001234",
        "holder_name": "Nguyễn Văn An",
        "ocr_text": "",
        "fields": {},
        "face_match": True,
        "face_distance": 0.4,
        "liveness": "blink",
        "delivery_email": ADDRESS,
        "retrieval_hash": retrieval.hash,
    }
    with_secret = RecordUpload.model_validate({**body, "retrieval_secret_for_email": retrieval.secret})
    # A replay after the kiosk dropped the secret is the same body; the secret is not in the repr either.
    assert with_secret.fingerprint() == RecordUpload.model_validate(body).fingerprint()
    assert retrieval.secret not in repr(with_secret)
    for bad in (
        {**body, "delivery_email": None, "retrieval_secret_for_email": retrieval.secret},
        {**body, "retrieval_secret_for_email": "not-a-secret"},
        {**body, "retrieval_secret_for_email": "ILOU000000"},  # not canonical Crockford
    ):
        with pytest.raises(ValidationError):
            RecordUpload.model_validate(bad)
