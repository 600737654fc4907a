"""Delivery by e-mail: a citizen who typed an address at the kiosk gets the copy's code, its status link and
the retrieval instructions (and the PDF, when the backend is configured to attach it).

Ingest never waits for SMTP. Each stored record with a `delivery_email` queues one row in `deliveries`
(idempotent by code, also when the kiosk replays the upload), with the address sealed by AES-GCM under the
backend's data key (the code is the associated data). A background thread sends what is due through the
standard library's smtplib, over STARTTLS (`smtp://`, STARTTLS is required) or implicit TLS (`smtps://`),
and retries transient failures with full-jitter exponential backoff. A 5xx answer from the server, or
`max_attempts` failures, ends the row as `failed`. Every attempt's outcome (attempt count, last error,
sent_at) stays in the table for the operations dashboard. The Message-ID is derived from the code, so a
duplicate that at-least-once delivery could cause is recognisable by the mail system.

Issue 25: the message is in Vietnamese and English, the visit's language first. When the citizen gave an
address, the kiosk's upload also carries the receipt's retrieval secret (`retrieval_secret_for_email`).
The kiosk API takes it out of the record before anything is stored (`hold_email_secrets`); it is kept
here in memory only, checked against the record's hash, written into the message, and forgotten when the
row is sent or given up. The database and the blobs never hold it. A backend restarted before sending
sends the message without it (the secret is on the printed receipt).
"""

from __future__ import annotations

import base64
import logging
import secrets
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from backoffice.storage.db import BackendDB
from offline_sync.protocol import IngestResult, RecordUpload
from offline_sync.protocol.backoff import Backoff
from offline_sync.protocol.citizen import (
    check_email,
    display_secret,
    retrieval_url,
    status_url,
    verify_retrieval_secret,
)
from offline_sync.protocol.errors import BackendError

log = logging.getLogger(__name__)

_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS deliveries (
        code TEXT PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        language TEXT NOT NULL,
        email_sealed TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at DOUBLE PRECISION NOT NULL DEFAULT 0,
        last_error TEXT,
        queued_at TEXT NOT NULL,
        last_attempt_at TEXT,
        sent_at TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(state, next_attempt_at)",
]


# ------------------------------------------------------------------------------------------ settings


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send. `tls` is "starttls" (smtp://, required) or "implicit" (smtps://)."""

    host: str
    port: int
    tls: str
    sender: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None
    timeout_s: float = 30.0

    def ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context


def parse_smtp_url(
    url: str,
    *,
    sender: str = "",
    password_file: Path | None = None,
    ca_file: Path | None = None,
) -> SmtpSettings:
    """`smtp://[user[:password]@]HOST[:PORT]` (STARTTLS, port 587 by default) or `smtps://...` (implicit
    TLS, 465). A password in `password_file` (first line) wins over one in the URL. BackendError (exit
    status 2) names what is wrong, never the password."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise _bad("must start with smtp:// (STARTTLS) or smtps:// (implicit TLS)")
    try:
        port = parts.port
    except ValueError:
        raise _bad("has a port that is not a number from 1 to 65535") from None
    if not parts.hostname:
        raise _bad("names no host")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise _bad("takes no path, query or fragment")
    password = unquote(parts.password) if parts.password is not None else None
    if password_file is not None:
        try:
            password = Path(password_file).read_text(encoding="utf-8").splitlines()[0]
        except (OSError, IndexError, UnicodeDecodeError) as exc:
            raise _bad(f"cannot read the SMTP password file: {exc}") from None
    if not sender:
        sender = f"no-reply@{parts.hostname}"
    try:
        sender = check_email(sender)
    except ValueError as exc:
        raise _bad(f"--smtp-from: {exc}") from None
    implicit = parts.scheme == "smtps"
    return SmtpSettings(
        host=parts.hostname,
        port=port or (465 if implicit else 587),
        tls="implicit" if implicit else "starttls",
        sender=sender,
        username=unquote(parts.username) if parts.username else None,
        password=password,
        ca_file=Path(ca_file) if ca_file else None,
    )


def _bad(message: str) -> BackendError:
    error = BackendError(message, subject="--smtp-url")
    error.exit_code = 2
    return error


@dataclass(frozen=True)
class DeliveryOptions:
    public_base_url: str = "http://127.0.0.1:8080"
    attach_pdf: bool = False
    max_attempts: int = 12
    backoff_base_s: float = 5.0
    backoff_cap_s: float = 1800.0
    poll_interval_s: float = 5.0
    lease_s: float = 120.0


# ------------------------------------------------------------------------------------------ messages

_TEXT = {
    "vi": {
        "subject": "Bản sao chứng thực {code}",
        "body": (
            "Kính gửi công dân,\n\n"
            "Bản sao chứng thực của anh/chị đã được cấp tại kiosk {kiosk}.\n\n"
            "Mã bản sao: {code}\n"
            "Tra cứu trạng thái: {status}\n\n"
            "Tải lại bản sao:\n"
            "{steps}"
            "{attached}\n"
            "Đây là thư tự động, vui lòng không trả lời.\n"
        ),
        "steps": (
            "1. Mở {retrieve}\n"
            "2. Nhập mã bí mật in trên biên nhận (dạng XXXXX-XXXXX), hoặc quét mã QR thứ hai trên biên nhận.\n"
            "Mã bí mật không được gửi qua thư này. Không chia sẻ mã bí mật cho người khác.\n"
        ),
        "steps_secret": (
            "1. Mở {retrieve}\n"
            "2. Nhập mã bí mật: {secret} (cũng in trên biên nhận).\n"
            "Hoặc mở thẳng: {retrieve_secret}\n"
            "Không chia sẻ mã bí mật hay thư này cho người khác.\n"
        ),
        "attached": "Bản sao (PDF đã ký số) được đính kèm thư này.\n",
    },
    "en": {
        "subject": "Certified copy {code}",
        "body": (
            "Dear citizen,\n\n"
            "Your certified copy was issued at kiosk {kiosk}.\n\n"
            "Copy code: {code}\n"
            "Check its status: {status}\n\n"
            "To download the copy again:\n"
            "{steps}"
            "{attached}\n"
            "This message was sent automatically; please do not reply.\n"
        ),
        "steps": (
            "1. Open {retrieve}\n"
            "2. Type the secret printed on your receipt (like XXXXX-XXXXX), or scan the receipt's second QR.\n"
            "The secret is not in this message. Do not share it with anyone.\n"
        ),
        "steps_secret": (
            "1. Open {retrieve}\n"
            "2. Type the secret: {secret} (also printed on your receipt).\n"
            "Or open directly: {retrieve_secret}\n"
            "Do not share the secret or this message with anyone.\n"
        ),
        "attached": "The copy (the digitally signed PDF) is attached to this message.\n",
    },
}
_SEPARATOR = "\n" + "-" * 60 + "\n\n"
# The example on the receipt, so the instructions show the shape without a real secret.
EXAMPLE_SECRET = display_secret("0" * 10)


def build_message(
    *,
    code: str,
    kiosk_id: str,
    language: str,
    to: str,
    sender: str,
    public_base_url: str,
    pdf: bytes | None = None,
    secret: str | None = None,
) -> EmailMessage:
    """The citizen's message in Vietnamese and English, the visit's language first. With `secret` (the
    canonical retrieval secret), the retrieval steps give it and a link that opens the copy."""
    languages = ("en", "vi") if language == "en" else ("vi", "en")
    values = {
        "code": code,
        "kiosk": kiosk_id,
        "status": status_url(public_base_url, code),
        "retrieve": retrieval_url(public_base_url, code),
        "secret": display_secret(secret) if secret else "",
        "retrieve_secret": retrieval_url(public_base_url, code, secret) if secret else "",
    }
    bodies = []
    for lang in languages:
        text = _TEXT[lang]
        steps = text["steps_secret" if secret else "steps"].format(**values)
        attached = text["attached"] if pdf is not None else ""
        bodies.append(text["body"].format(**values, steps=steps, attached=attached))
    message = EmailMessage()
    message["Subject"] = " / ".join(_TEXT[lang]["subject"].format(**values) for lang in languages)
    message["From"] = sender
    message["To"] = to
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = f"<{code}.delivery@{sender.split('@', 1)[1]}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_SEPARATOR.join(bodies))
    if pdf is not None:
        message.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"{code}.pdf")
    return message


class PermanentFailure(Exception):
    """The server refused the message for good (5xx): retrying will not help."""


def send_message(settings: SmtpSettings, message: EmailMessage) -> None:
    """One SMTP transaction. Raises PermanentFailure on a 5xx, another exception on a transient fault."""
    context = settings.ssl_context()
    client: smtplib.SMTP
    if settings.tls == "implicit":
        client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout_s, context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s)
    with client:
        client.ehlo()
        if settings.tls == "starttls":
            if not client.has_extn("starttls"):
                raise smtplib.SMTPNotSupportedError(
                    "the server does not offer STARTTLS; refusing to send in clear"
                )
            client.starttls(context=context)
            client.ehlo()
        if settings.username:
            client.login(settings.username, settings.password or "")
        try:
            refused = client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentFailure(f"recipient refused: {_first_refusal(exc.recipients)}") from None
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600:
                raise PermanentFailure(f"{exc.smtp_code} {_decode(exc.smtp_error)}") from None
            raise
        if refused:
            raise PermanentFailure(f"recipient refused: {_first_refusal(refused)}")


def _decode(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _first_refusal(refused: dict[str, Any]) -> str:
    for code, text in refused.values():
        return f"{code} {_decode(text)}"
    return "unknown"


def describe_error(exc: BaseException) -> str:
    """A short, password-free description of a failed attempt for the table and the dashboard."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"authentication refused ({exc.smtp_code})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_decode(exc.smtp_error)}"[:300]
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, ssl.SSLError):
        return f"TLS: {exc.reason or exc}"[:300]
    return f"{type(exc).__name__}: {exc}"[:300]


def mask_email(address: str) -> str:
    """n***@example.vn: enough for staff to tell two deliveries apart, not to read the address."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


# ------------------------------------------------------------------------------------------ service


class DeliveryService:
    """The delivery queue in the backend's database and the thread that works it."""

    def __init__(
        self,
        db: BackendDB,
        data_key: bytes,
        settings: SmtpSettings | None,
        options: DeliveryOptions | None = None,
        *,
        backoff: Backoff | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.options = options or DeliveryOptions()
        self.backoff = backoff or Backoff(self.options.backoff_base_s, self.options.backoff_cap_s)
        self._aead = AESGCM(data_key)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # Issue 25, memory only: secrets handed over by the kiosk API ahead of ingest, and those of rows
        # still to send (checked against the record's hash), by code.
        self._secrets_lock = threading.Lock()
        self._held_secrets: dict[str, str] = {}
        self._email_secrets: dict[str, str] = {}
        with db._tx() as cur:
            for statement in _SCHEMA:
                cur.execute(statement if db.is_postgres else statement.replace("DOUBLE PRECISION", "REAL"))

    # -- sealing
    def _seal(self, code: str, address: str) -> str:
        nonce = secrets.token_bytes(12)
        sealed = nonce + self._aead.encrypt(nonce, address.encode("utf-8"), code.encode("utf-8"))
        return base64.b64encode(b"\x01" + sealed).decode("ascii")

    def _open(self, code: str, blob: str) -> str:
        raw = base64.b64decode(blob)
        if raw[:1] != b"\x01" or len(raw) < 1 + 12 + 16:
            raise ValueError("not a sealed address")
        try:
            return self._aead.decrypt(raw[1:13], raw[13:], code.encode("utf-8")).decode("utf-8")
        except InvalidTag:
            raise ValueError("the address does not decrypt (wrong data key or tampered row)") from None

    # -- the e-mail's retrieval secret (memory only)
    def hold_email_secrets(self, secrets_by_code: dict[str, str]) -> None:
        """The kiosk API's hand-over, before ingest; `enqueue` keeps those of the rows it queues."""
        with self._secrets_lock:
            self._held_secrets.update(secrets_by_code)

    def _keep_email_secrets(self, records: Sequence[RecordUpload], pending: set[str]) -> None:
        with self._secrets_lock:
            held = {rec.code: self._held_secrets.pop(rec.code, None) for rec in records}
        for rec in records:
            secret = held[rec.code]
            if secret is None or rec.code not in pending:
                continue
            if not verify_retrieval_secret(secret, rec.code, rec.retrieval_hash or ""):
                log.warning(
                    "the e-mail secret of %s does not match its hash; the message goes without it", rec.code
                )
                continue
            with self._secrets_lock:
                self._email_secrets[rec.code] = secret

    # -- queue
    def enqueue(self, records: Sequence[RecordUpload], results: Sequence[IngestResult]) -> int:
        """Queue a message for each stored (or replayed) record that asks for one. Returns how many rows
        are new. Idempotent: a replayed upload finds its row and adds nothing."""
        added = 0
        now = datetime.now(UTC).isoformat()
        wanted = [
            rec for rec, res in zip(records, results, strict=True) if res.status == 201 and rec.delivery_email
        ]
        if not wanted:
            self._keep_email_secrets(records, set())
            return 0
        # The secrets are in place before their rows are: the sender's thread may claim a row the moment the
        # transaction below commits, and a message sent then went without its secret (seen under load).
        self._keep_email_secrets(records, {rec.code for rec in wanted})
        pending: set[str] = set()
        with self.db._tx() as cur:
            for rec in wanted:
                assert rec.delivery_email is not None
                cur.execute(
                    "INSERT INTO deliveries(code, kiosk_id, language, email_sealed, state, attempts,"
                    " next_attempt_at, queued_at) VALUES (?, ?, ?, ?, 'pending', 0, 0, ?)"
                    " ON CONFLICT (code) DO NOTHING RETURNING code",
                    (
                        rec.code,
                        rec.kiosk_id,
                        rec.language or "vi",
                        self._seal(rec.code, rec.delivery_email),
                        now,
                    ),
                )
                added += cur.fetchone() is not None
                cur.execute("SELECT state FROM deliveries WHERE code = ?", (rec.code,))
                row = cur.fetchone()
                if row is not None and row[0] == "pending":
                    pending.add(rec.code)
        with self._secrets_lock:  # a replay of a row already sent (or given up) keeps no secret
            for rec in wanted:
                if rec.code not in pending:
                    self._email_secrets.pop(rec.code, None)
        if added:
            self._wake.set()
        return added

    def _claim_due(self, limit: int = 20) -> list[tuple[str, str, str, str, int]]:
        """Due rows, each leased for `lease_s` so a second backend process does not send it too."""
        now = time.time()
        claimed = []
        with self.db._tx() as cur:
            cur.execute(
                "SELECT code, kiosk_id, language, email_sealed, attempts, next_attempt_at FROM deliveries"
                " WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
                (now, limit),
            )
            for code, kiosk, language, sealed, attempts, due in cur.fetchall():
                cur.execute(
                    "UPDATE deliveries SET next_attempt_at = ? WHERE code = ? AND next_attempt_at = ?"
                    " AND state = 'pending' RETURNING code",
                    (now + self.options.lease_s, code, due),
                )
                if cur.fetchone() is not None:
                    claimed.append((code, kiosk, language, sealed, int(attempts)))
        return claimed

    def _finish(self, code: str, attempts: int, error: str | None, *, permanent: bool = False) -> None:
        stamp = datetime.now(UTC).isoformat()
        if error is None or permanent or attempts >= self.options.max_attempts:
            with self._secrets_lock:
                self._email_secrets.pop(code, None)  # the row is done: forget the secret
        with self.db._tx() as cur:
            if error is None:
                cur.execute(
                    "UPDATE deliveries SET state = 'sent', attempts = ?, last_attempt_at = ?, sent_at = ?,"
                    " last_error = NULL WHERE code = ?",
                    (attempts, stamp, stamp, code),
                )
                return
            give_up = permanent or attempts >= self.options.max_attempts
            next_at = time.time() + self.backoff.delay(attempts - 1)
            cur.execute(
                "UPDATE deliveries SET state = ?, attempts = ?, last_attempt_at = ?, last_error = ?,"
                " next_attempt_at = ? WHERE code = ?",
                ("failed" if give_up else "pending", attempts, stamp, error[:500], next_at, code),
            )

    def send_due(self) -> int:
        """Send every message that is due now, one after another. Returns how many were sent."""
        if self.settings is None:
            return 0
        sent = 0
        for code, kiosk, language, sealed, attempts in self._claim_due():
            attempt = attempts + 1
            try:
                address = self._open(code, sealed)
                pdf = self._pdf(code) if self.options.attach_pdf else None
                message = build_message(
                    code=code,
                    kiosk_id=kiosk,
                    language=language,
                    to=address,
                    sender=self.settings.sender,
                    public_base_url=self.options.public_base_url,
                    pdf=pdf,
                    secret=self._email_secrets.get(code),
                )
                send_message(self.settings, message)
            except PermanentFailure as exc:
                log.warning("delivery of %s refused for good: %s", code, exc)
                self._finish(code, attempt, str(exc), permanent=True)
            except ValueError as exc:
                log.error("delivery of %s cannot be built: %s", code, exc)
                self._finish(code, attempt, str(exc), permanent=True)
            except (OSError, smtplib.SMTPException) as exc:
                log.info("delivery of %s failed (attempt %d): %s", code, attempt, describe_error(exc))
                self._finish(code, attempt, describe_error(exc))
            else:
                log.info("delivered the message for %s (attempt %d)", code, attempt)
                self._finish(code, attempt, None)
                sent += 1
        return sent

    def _pdf(self, code: str) -> bytes | None:
        found = self.db.get_record(code)
        return self.db.blobs.get(found["pdf_sha256"]) if found else None

    def outcomes(self, *, limit: int = 200, state: str | None = None) -> list[dict[str, Any]]:
        """The latest deliveries for staff: code, kiosk, state, attempts, last error, sent_at (no address)."""
        where, params = ("WHERE state = ?", [state]) if state else ("", [])
        with self.db._tx() as cur:
            columns = (
                "code, kiosk_id, language, state, attempts, last_error, queued_at, last_attempt_at, sent_at"
            )
            query = f"SELECT {columns} FROM deliveries {where} ORDER BY queued_at DESC LIMIT ?"  # noqa: S608
            cur.execute(query, (*params, int(limit)))
            keys = ("code", "kiosk_id", "language", "state", "attempts", "last_error", "queued_at",
                    "last_attempt_at", "sent_at")  # fmt: skip
            return [dict(zip(keys, row, strict=True)) for row in cur.fetchall()]

    def counts(self) -> dict[str, int]:
        with self.db._tx() as cur:
            cur.execute("SELECT state, count(*) FROM deliveries GROUP BY state")
            return {str(state): int(n) for state, n in cur.fetchall()}

    # -- thread
    def start(self) -> DeliveryService:
        if self._thread is None and self.settings is not None:
            self._thread = threading.Thread(target=self._run, name="kiosk-delivery", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(30)
            self._thread = None

    def _next_wait(self) -> float:
        with self.db._tx() as cur:
            cur.execute("SELECT min(next_attempt_at) FROM deliveries WHERE state = 'pending'")
            row = cur.fetchone()
        if not row or row[0] is None:
            return self.options.poll_interval_s
        return max(0.05, min(self.options.poll_interval_s, float(row[0]) - time.time()))

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.send_due()
                wait = self._next_wait()
            except Exception:
                log.exception("the delivery worker failed; retrying")
                wait = self.options.poll_interval_s
            self._wake.wait(wait)
            self._wake.clear()
