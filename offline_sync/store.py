"""The kiosk's local store: records, their outbox, the durable sequence, queued heartbeats.

One SQLite file shared by two processes (the kiosk UI and the sync worker). It is opened through apsw,
which bundles a current SQLite: the system's 3.40 has the WAL-reset corruption bug fixed in 3.51.3.
WAL mode with ``synchronous=FULL``: a commit that returned survives a power cut.

A record and its outbox row are written in one transaction, so a record can never exist without being
queued for upload, nor be queued without existing. The personal fields (holder ID, name, OCR text,
extracted fields) are sealed with AES-GCM under the data key, with the record code as associated data,
so a ciphertext moved to another row does not decrypt.
"""

from __future__ import annotations

import errno
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import apsw
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from offline_sync.personal_data import DATA_KEY_BYTES, open_sealed, seal_personal
from offline_sync.protocol.errors import BadRecordError, DataKeyError, StoreError, StoreFullError

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 15_000
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sequence (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    code TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    kiosk_id TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    pages INTEGER NOT NULL,
    pdf_path TEXT,
    pdf_sha256 TEXT NOT NULL,
    face_match INTEGER NOT NULL,
    face_distance REAL NOT NULL,
    liveness TEXT NOT NULL,
    personal BLOB,
    language TEXT,
    retrieval_hash TEXT,
    visit_metrics TEXT,
    identity_source TEXT,
    stored_at REAL NOT NULL,
    synced_at TEXT,
    purged_at TEXT
);
CREATE INDEX IF NOT EXISTS records_created ON records(created_at);
CREATE TABLE IF NOT EXISTS outbox (
    code TEXT PRIMARY KEY REFERENCES records(code),
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    scheduled_at REAL NOT NULL DEFAULT 0,
    enqueued_at REAL NOT NULL,
    last_status INTEGER,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox(state, next_attempt_at);
CREATE TABLE IF NOT EXISTS heartbeats (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at REAL NOT NULL,
    payload TEXT NOT NULL
);
-- Issue 25: paid copies that did not print (offline_sync.uncollected); kept until collected.
CREATE TABLE IF NOT EXISTS uncollected (
    code TEXT PRIMARY KEY,
    payment_reference TEXT NOT NULL DEFAULT '',
    amount_vnd INTEGER NOT NULL DEFAULT 0,
    copies INTEGER NOT NULL DEFAULT 1,
    missing TEXT NOT NULL DEFAULT '',
    marked_at REAL NOT NULL,
    collected_at REAL,
    collected_how TEXT
);
"""


@dataclass(frozen=True)
class RecordIn:
    """One certified copy as the certify pipeline hands it to the store."""

    code: str
    created_at: datetime
    kiosk_id: str
    doc_type: str
    pages: int
    pdf_path: str
    pdf_sha256: str
    holder_id: str
    holder_name: str
    ocr_text: str
    fields: dict[str, str]
    face_match: bool
    face_distance: float
    liveness: str
    # Issue 17 (optional): the visit language, the delivery address (sealed with the personal fields),
    # the hash of the retrieval secret (never the secret) and the visit's KPI metrics (no personal data).
    language: str | None = None
    delivery_email: str | None = None
    retrieval_hash: str | None = None
    visit_metrics: dict[str, Any] | None = None
    # Issue 18: "chip" (the chip was read and authenticated) or "qr" (the card's QR only); None = unknown.
    identity_source: str | None = None
    # Issue 22: SHA-256 (lowercase hex) of the copy's QR access token; the token itself is only printed.
    access_token_sha256: str | None = None
    # Issue 24: ``fields`` are the seal's fields exactly; what OCR read (its fields, the seal/signature
    # marks) and the words it read with low confidence are kept apart, for the officer. None for a record
    # stored before: its upload then stays byte for byte what it was (the same idempotency fingerprint).
    ocr_fields: dict[str, str] | None = None
    ocr_low_words: list[str] | None = None
    # The chip's flagged outcomes (e.g. "dg13_absent"), for the officer; None when it raised none.
    identity_flags: list[str] | None = None
    # The threshold the face distance was decided against, in the face model's own scale (issue 23: the
    # model is configurable); None = not recorded (the back office then assumes dlib's 0.55).
    face_threshold: float | None = None
    # Issue 25: the receipt's retrieval secret, only when the citizen gave a delivery e-mail (the backend
    # writes it into the message). Kept only inside the sealed personal fields, dropped once uploaded.
    retrieval_secret_for_email: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class StoredRecord:
    """A record read back. Personal fields are None once retention purged them."""

    code: str
    created_at: datetime
    kiosk_id: str
    doc_type: str
    pages: int
    pdf_path: str | None
    pdf_sha256: str
    face_match: bool
    face_distance: float
    liveness: str
    holder_id: str | None
    holder_name: str | None
    ocr_text: str | None
    fields: dict[str, str] | None
    synced_at: datetime | None
    purged_at: datetime | None
    sync_state: str  # "pending", "dead" (dead letter) or "synced"
    language: str | None = None
    delivery_email: str | None = None
    retrieval_hash: str | None = None
    visit_metrics: dict[str, Any] | None = None
    identity_source: str | None = None
    access_token_sha256: str | None = None
    ocr_fields: dict[str, str] | None = None
    ocr_low_words: list[str] | None = None
    # The chip's flagged outcomes (e.g. "dg13_absent"), for the officer; None when it raised none.
    identity_flags: list[str] | None = None
    face_threshold: float | None = None
    # Issue 25: see RecordIn; None once the record was uploaded.
    retrieval_secret_for_email: str | None = field(default=None, repr=False)

    @property
    def purged(self) -> bool:
        return self.purged_at is not None


@dataclass(frozen=True)
class RecordSummary:
    """The minimal index kept for every record, also after retention: enough to list, look up, reprint."""

    code: str
    created_at: datetime
    doc_type: str
    pages: int
    synced_at: datetime | None
    purged: bool
    sync_state: str


@dataclass(frozen=True)
class OutboxItem:
    """A record due for upload, with its decrypted payload (the worker builds the request from it)."""

    code: str
    attempts: int
    record: StoredRecord
    # Why the record cannot be uploaded as stored (e.g. its personal fields do not decrypt); "" if fine.
    problem: str = ""


@dataclass(frozen=True)
class SyncStatus:
    backlog: int
    dead_letters: int
    oldest_unsynced: datetime | None
    last_error: str | None
    last_error_at: str | None
    last_success_at: str | None
    queued_heartbeats: int
    records_total: int
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "backlog": self.backlog,
            "dead_letters": self.dead_letters,
            "oldest_unsynced": self.oldest_unsynced.isoformat() if self.oldest_unsynced else None,
            "last_error": self.last_error,
            "last_error_at": self.last_error_at,
            "last_success_at": self.last_success_at,
            "queued_heartbeats": self.queued_heartbeats,
            "records_total": self.records_total,
            **self.extra,
        }


# --------------------------------------------------------------------------------------------- store


def _utc_iso(value: datetime) -> str:
    if value.tzinfo is None:
        raise BadRecordError("created_at must be timezone-aware (UTC)")
    return value.astimezone(UTC).isoformat()


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _validate(record: RecordIn) -> None:
    if not isinstance(record.code, str) or not record.code.strip():
        raise BadRecordError("record code is empty")
    if not isinstance(record.pages, int) or isinstance(record.pages, bool) or record.pages < 1:
        raise BadRecordError(f"pages must be a positive integer, got {record.pages!r}", subject=record.code)
    if not isinstance(record.created_at, datetime):
        raise BadRecordError("created_at must be a datetime", subject=record.code)
    for name in ("kiosk_id", "doc_type", "pdf_path", "pdf_sha256", "holder_id", "holder_name", "liveness"):
        if not isinstance(getattr(record, name), str):
            raise BadRecordError(f"{name} must be a string", subject=record.code)
    if not isinstance(record.ocr_text, str):
        raise BadRecordError("ocr_text must be a string", subject=record.code)
    for name in ("language", "delivery_email", "retrieval_hash"):
        if getattr(record, name) is not None and not isinstance(getattr(record, name), str):
            raise BadRecordError(f"{name} must be a string or None", subject=record.code)
    if record.retrieval_secret_for_email is not None and (
        record.delivery_email is None or record.retrieval_hash is None
    ):
        raise BadRecordError(
            "the e-mail's retrieval secret goes only with a delivery e-mail", subject=record.code
        )
    if record.visit_metrics is not None and not isinstance(record.visit_metrics, dict):
        raise BadRecordError("visit_metrics must be a dict or None", subject=record.code)
    if record.identity_source not in (None, "chip", "qr"):
        raise BadRecordError("identity_source must be 'chip', 'qr' or None", subject=record.code)
    if not isinstance(record.fields, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in record.fields.items()
    ):
        raise BadRecordError("fields must map strings to strings", subject=record.code)
    if record.ocr_fields is not None and not (
        isinstance(record.ocr_fields, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in record.ocr_fields.items())
    ):
        raise BadRecordError("ocr_fields must map strings to strings, or be None", subject=record.code)
    if record.ocr_low_words is not None and not (
        isinstance(record.ocr_low_words, list) and all(isinstance(w, str) for w in record.ocr_low_words)
    ):
        raise BadRecordError("ocr_low_words must be a list of strings, or None", subject=record.code)
    if record.identity_flags is not None and not (
        isinstance(record.identity_flags, list) and all(isinstance(f, str) for f in record.identity_flags)
    ):
        raise BadRecordError("identity_flags must be a list of strings, or None", subject=record.code)
    threshold = record.face_threshold
    if threshold is not None and not (
        isinstance(threshold, int | float) and not isinstance(threshold, bool) and 0 < threshold <= 100
    ):
        raise BadRecordError("face_threshold must be a number in (0, 100], or None", subject=record.code)


def _is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, apsw.FullError):
        return True
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


class LocalStore:
    """The kiosk's SQLite store (see the module docstring). Safe to open from several processes."""

    def __init__(self, path: Path, data_key: bytes) -> None:
        if not isinstance(data_key, bytes | bytearray) or len(data_key) != DATA_KEY_BYTES:
            raise DataKeyError(f"data key must be {DATA_KEY_BYTES} bytes")
        self.path = Path(path)
        self._aead = AESGCM(bytes(data_key))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = apsw.Connection(str(self.path))
            self._db.set_busy_timeout(BUSY_TIMEOUT_MS)
            self._exec("PRAGMA journal_mode=WAL")
            self._exec("PRAGMA synchronous=FULL")
            self._exec("PRAGMA foreign_keys=ON")
            with self._write():
                self._exec(_SCHEMA)
                self._migrate()
                self._exec(
                    "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
                self._exec("INSERT OR IGNORE INTO sequence(name, value) VALUES ('record', 0)")
        except StoreError:
            raise
        except (apsw.Error, OSError) as exc:
            if _is_disk_full(exc):
                raise StoreFullError(f"disk full while opening the store: {exc}", subject=str(path)) from None
            raise StoreError(f"cannot open the local store: {exc}", subject=str(path)) from None

    # ---------------------------------------------------------------------------- plumbing

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction, taken with BEGIN IMMEDIATE so two processes never deadlock on upgrade."""
        try:
            self._exec("BEGIN IMMEDIATE")
        except apsw.Error as exc:
            raise self._wrap(exc, "cannot start a write") from None
        try:
            yield
        except BaseException:
            if not self._db.in_transaction:
                raise
            try:
                self._exec("ROLLBACK")
            except apsw.Error:
                log.warning("rollback failed", exc_info=True)
            raise
        try:
            self._exec("COMMIT")
        except apsw.Error as exc:
            if self._db.in_transaction:
                try:
                    self._exec("ROLLBACK")
                except apsw.Error:
                    log.warning("rollback after a failed commit failed", exc_info=True)
            raise self._wrap(exc, "cannot commit") from None

    def _wrap(self, exc: BaseException, what: str) -> StoreError:
        if _is_disk_full(exc):
            return StoreFullError(f"disk full: {what}: {exc}", subject=str(self.path))
        return StoreError(f"{what}: {exc}", subject=str(self.path))

    @contextmanager
    def _guard(self, what: str) -> Iterator[None]:
        try:
            yield
        except StoreError:
            raise
        except (apsw.Error, OSError) as exc:
            raise self._wrap(exc, what) from None

    def _migrate(self) -> None:
        """Bring a store created by an earlier build up to this schema (columns added since)."""
        columns = {row[1] for row in self._exec("PRAGMA table_info(outbox)").fetchall()}
        if "scheduled_at" not in columns:
            self._exec("ALTER TABLE outbox ADD COLUMN scheduled_at REAL NOT NULL DEFAULT 0")
        record_columns = {row[1] for row in self._exec("PRAGMA table_info(records)").fetchall()}
        for name in ("language", "retrieval_hash", "visit_metrics", "identity_source"):
            if name not in record_columns:
                self._exec(f"ALTER TABLE records ADD COLUMN {name} TEXT")

    def _exec(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> Any:
        """Run one statement; rows come back as plain tuples (typed Any: SQLite is dynamically typed)."""
        return self._db.execute(sql, params)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> LocalStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------------------- records

    def next_sequence(self) -> int:
        """The next value of the kiosk's record sequence; committed (fsynced) before it is returned."""
        with self._guard("cannot take the next sequence number"), self._write():
            row = self._exec(
                "UPDATE sequence SET value = value + 1 WHERE name = 'record' RETURNING value"
            ).fetchone()
        assert row is not None
        return int(row[0])

    def add_record(self, record: RecordIn) -> None:
        """Store a record and queue it for upload, in one transaction. A duplicate code is an error."""
        _validate(record)
        personal: dict[str, Any] = {
            "holder_id": record.holder_id,
            "holder_name": record.holder_name,
            "ocr_text": record.ocr_text,
            "fields": dict(record.fields),
        }
        if record.delivery_email is not None:
            personal["delivery_email"] = record.delivery_email
        if record.access_token_sha256 is not None:  # kept with the sealed fields: no schema change
            personal["access_token_sha256"] = record.access_token_sha256
        if record.ocr_fields is not None:  # personal data (names, numbers): sealed too, no schema change
            personal["ocr_fields"] = dict(record.ocr_fields)
        if record.ocr_low_words is not None:
            personal["ocr_low_words"] = list(record.ocr_low_words)
        if record.identity_flags:  # kept with the sealed fields: no schema change
            personal["identity_flags"] = list(record.identity_flags)
        if record.face_threshold is not None:  # kept with the sealed fields: no schema change
            personal["face_threshold"] = float(record.face_threshold)
        if record.retrieval_secret_for_email is not None:  # sealed until uploaded, then dropped
            personal["retrieval_secret_for_email"] = record.retrieval_secret_for_email
        sealed = seal_personal(self._aead, record.code, personal)
        now = time.time()
        with self._guard("cannot store the record"), self._write():
            exists = self._exec("SELECT 1 FROM records WHERE code = ?", (record.code,)).fetchone()
            if exists:
                raise BadRecordError("a record with this code already exists", subject=record.code)
            self._exec(
                "INSERT INTO records(code, created_at, kiosk_id, doc_type, pages, pdf_path, pdf_sha256,"
                " face_match, face_distance, liveness, personal, language, retrieval_hash, visit_metrics,"
                " identity_source, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.code,
                    _utc_iso(record.created_at),
                    record.kiosk_id,
                    record.doc_type,
                    record.pages,
                    record.pdf_path,
                    record.pdf_sha256,
                    int(bool(record.face_match)),
                    float(record.face_distance),
                    record.liveness,
                    sealed,
                    record.language,
                    record.retrieval_hash,
                    json.dumps(record.visit_metrics, sort_keys=True) if record.visit_metrics else None,
                    record.identity_source,
                    now,
                ),
            )
            self._exec(
                "INSERT INTO outbox(code, state, attempts, next_attempt_at, enqueued_at)"
                " VALUES (?, 'pending', 0, 0, ?)",
                (record.code, now),
            )

    _RECORD_COLUMNS = (
        "r.code, r.created_at, r.kiosk_id, r.doc_type, r.pages, r.pdf_path, r.pdf_sha256, r.face_match,"
        " r.face_distance, r.liveness, r.personal, r.synced_at, r.purged_at, o.state, r.language,"
        " r.retrieval_hash, r.visit_metrics, r.identity_source"
    )

    def _row_to_record(self, row: tuple[Any, ...], *, problems: list[str] | None = None) -> StoredRecord:
        """A row as a record. With `problems`, a record whose personal fields do not decrypt comes back
        without them (and the reason is appended) instead of failing the whole read."""
        code = row[0]
        try:
            personal = open_sealed(self._aead, code, row[10]) if row[10] is not None else None
        except DataKeyError as exc:
            if problems is None:
                raise
            problems.append(exc.message)
            personal = None
        state = row[13] or ("synced" if row[11] else "pending")
        # Issue 24's OCR reading; absent from a record stored before (its upload leaves them out).
        ocr_fields = personal.get("ocr_fields") if personal else None
        low_words = personal.get("ocr_low_words") if personal else None
        identity_flags = personal.get("identity_flags") if personal else None
        face_threshold = personal.get("face_threshold") if personal else None
        return StoredRecord(
            code=code,
            created_at=datetime.fromisoformat(row[1]),
            kiosk_id=row[2],
            doc_type=row[3],
            pages=int(row[4]),
            pdf_path=row[5],
            pdf_sha256=row[6],
            face_match=bool(row[7]),
            face_distance=float(row[8]),
            liveness=row[9],
            holder_id=personal["holder_id"] if personal else None,
            holder_name=personal["holder_name"] if personal else None,
            ocr_text=personal["ocr_text"] if personal else None,
            fields=dict(personal["fields"]) if personal else None,
            synced_at=_parse_time(row[11]),
            purged_at=_parse_time(row[12]),
            sync_state=state,
            language=row[14],
            delivery_email=personal.get("delivery_email") if personal else None,
            retrieval_hash=row[15],
            visit_metrics=json.loads(row[16]) if row[16] else None,
            identity_source=row[17],
            access_token_sha256=personal.get("access_token_sha256") if personal else None,
            retrieval_secret_for_email=personal.get("retrieval_secret_for_email") if personal else None,
            ocr_fields=dict(ocr_fields) if isinstance(ocr_fields, dict) else None,
            ocr_low_words=list(low_words) if isinstance(low_words, list) else None,
            identity_flags=list(identity_flags) if isinstance(identity_flags, list) else None,
            face_threshold=float(face_threshold) if isinstance(face_threshold, int | float) else None,
        )

    def get_record(self, code: str) -> StoredRecord | None:
        """The record with this code (personal fields decrypted), or None."""
        with self._guard("cannot read the record"):
            row = self._exec(
                f"SELECT {self._RECORD_COLUMNS} FROM records r LEFT JOIN outbox o ON o.code = r.code"  # noqa: S608
                " WHERE r.code = ?",
                (code,),
            ).fetchone()
        return self._row_to_record(row) if row else None

    def list_records(
        self, *, limit: int = 50, offset: int = 0, since: datetime | None = None, code_prefix: str = ""
    ) -> list[RecordSummary]:
        """Newest first, without personal data: for the reprint screen and for lookup by code."""
        limit = max(0, min(int(limit), 10_000))
        clauses, params = [], []
        if since is not None:
            clauses.append("r.created_at >= ?")
            params.append(_utc_iso(since))
        if code_prefix:
            clauses.append("r.code >= ? AND r.code < ?")
            params.extend([code_prefix, code_prefix + "\uffff"])
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._guard("cannot list records"):
            rows = self._exec(
                "SELECT r.code, r.created_at, r.doc_type, r.pages, r.synced_at, r.purged_at, o.state"  # noqa: S608
                f" FROM records r LEFT JOIN outbox o ON o.code = r.code {where}"
                " ORDER BY r.created_at DESC, r.code DESC LIMIT ? OFFSET ?",
                (*params, limit, max(0, int(offset))),
            ).fetchall()
        return [
            RecordSummary(
                code=row[0],
                created_at=datetime.fromisoformat(row[1]),
                doc_type=row[2],
                pages=int(row[3]),
                synced_at=_parse_time(row[4]),
                purged=row[5] is not None,
                sync_state=row[6] or ("synced" if row[4] else "pending"),
            )
            for row in rows
        ]

    def purge_synced(self, retention_days: int, *, now: datetime | None = None) -> int:
        """Drop the personal fields and the local PDF of records synced more than N days ago.

        The minimal index (code, created_at, doc_type, pages, synced_at) stays. Unsynced records are never
        purged. The PDF is deleted after the row is committed, so a crash leaves at worst an orphan file,
        never a record whose PDF vanished before it was uploaded. Returns how many records were purged.
        """
        if retention_days < 0:
            raise BadRecordError("retention_days must not be negative")
        cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
        stamp = datetime.now(UTC).isoformat()
        with self._guard("cannot purge old records"), self._write():
            rows = self._exec(
                "SELECT code, pdf_path FROM records WHERE purged_at IS NULL AND synced_at IS NOT NULL"
                " AND synced_at < ? AND code NOT IN (SELECT code FROM outbox)"
                # a paid copy still to collect keeps its PDF (offline_sync.uncollected)
                " AND code NOT IN (SELECT code FROM uncollected WHERE collected_at IS NULL)",
                (cutoff.astimezone(UTC).isoformat(),),
            ).fetchall()
            for code, _pdf in rows:
                self._exec(
                    "UPDATE records SET personal = NULL, pdf_path = NULL, purged_at = ? WHERE code = ?",
                    (stamp, code),
                )
        return self._remove_pdfs(rows)

    def _remove_pdfs(self, rows: list[tuple[Any, ...]]) -> int:
        for _code, pdf_path in rows:
            if pdf_path:
                try:
                    Path(pdf_path).unlink(missing_ok=True)
                except OSError as exc:
                    log.warning("could not delete a purged PDF: %s", exc)
        if rows:
            log.info("retention purged %d synced record(s)", len(rows))
        return len(rows)

    # ---------------------------------------------------------------------------- outbox

    def due_for_upload(
        self, limit: int, *, now: float | None = None, max_delay: float | None = None
    ) -> list[OutboxItem]:
        """Pending records whose retry time has come, oldest first, with their payload decrypted.

        Guards against a kiosk clock that jumped: a record is also due when its retry was scheduled at a
        time later than `now` (the clock went back since), or when its retry time lies further ahead
        than `max_delay` (the longest delay the worker ever sets).
        """
        now = time.time() if now is None else now
        horizon = now + max_delay if max_delay is not None else float("inf")
        with self._guard("cannot read the outbox"):
            rows = self._exec(
                f"SELECT o.attempts, {self._RECORD_COLUMNS} FROM outbox o JOIN records r ON r.code = o.code"  # noqa: S608
                " WHERE o.state = 'pending' AND (o.next_attempt_at <= ? OR o.scheduled_at > ?"
                " OR o.next_attempt_at > ?) ORDER BY o.next_attempt_at, r.created_at LIMIT ?",
                (now, now, horizon if horizon != float("inf") else 1e300, limit),
            ).fetchall()
        items = []
        for row in rows:
            problems: list[str] = []
            record = self._row_to_record(row[1:], problems=problems)
            items.append(
                OutboxItem(code=row[1], attempts=int(row[0]), record=record, problem="; ".join(problems))
            )
        return items

    def next_due_at(self) -> float | None:
        """When the earliest pending record is due (kiosk clock), or None if nothing is pending."""
        with self._guard("cannot read the outbox"):
            row = self._exec("SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending'").fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def mark_synced(self, codes: list[str], *, synced_at: datetime | None = None) -> None:
        """Uploaded and acknowledged: drop the outbox rows and stamp the records, in one transaction."""
        if not codes:
            return
        stamp = (synced_at or datetime.now(UTC)).astimezone(UTC).isoformat()
        with self._guard("cannot mark records synced"), self._write():
            for code in codes:
                self._exec("DELETE FROM outbox WHERE code = ?", (code,))
                self._exec("UPDATE records SET synced_at = ? WHERE code = ?", (stamp, code))
                self._drop_email_secret(code)
            self._set_meta("last_success_at", stamp)

    def _drop_email_secret(self, code: str) -> None:
        """Issue 25: once the backend has the record, the e-mail's copy of the retrieval secret goes (the
        personal fields are sealed again without it). A record without it is left untouched."""
        row = self._exec("SELECT personal FROM records WHERE code = ?", (code,)).fetchone()
        if row is None or row[0] is None:
            return
        try:
            personal = open_sealed(self._aead, code, row[0])
        except DataKeyError:
            return  # it could not have been uploaded from this key either; nothing readable to drop
        if personal.pop("retrieval_secret_for_email", None) is None:
            return
        self._exec(
            "UPDATE records SET personal = ? WHERE code = ?",
            (seal_personal(self._aead, code, personal), code),
        )

    def mark_retry(
        self, retries: list[tuple[str, float, int | None, str]], *, now: float | None = None
    ) -> None:
        """Failed attempts to retry: (code, next_attempt_at, http_status, error), one transaction.
        `now` is the kiosk clock when the retry was scheduled (to notice the clock jumping back)."""
        if not retries:
            return
        scheduled = time.time() if now is None else now
        with self._guard("cannot record failed attempts"), self._write():
            for code, next_at, status, error in retries:
                self._exec(
                    "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, scheduled_at = ?,"
                    " last_status = ?, last_error = ? WHERE code = ? AND state = 'pending'",
                    (next_at, scheduled, status, error[:500], code),
                )
            self._note_error(retries[-1][3])

    def mark_dead(self, dead: list[tuple[str, int | None, str]]) -> None:
        """Rejected for good (a 4xx other than 408/429): park in the dead letter with the reason."""
        if not dead:
            return
        with self._guard("cannot move records to the dead letter"), self._write():
            for code, status, error in dead:
                self._exec(
                    "UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_status = ?, last_error = ?"
                    " WHERE code = ?",
                    (status, error[:500], code),
                )
            self._note_error(dead[-1][2])

    def requeue_dead(self) -> int:
        """Give every dead-lettered record another try (after the cause was fixed). Returns how many."""
        with self._guard("cannot requeue the dead letter"), self._write():
            rows = self._exec(
                "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = 0 WHERE state = 'dead'"
                " RETURNING code"
            ).fetchall()
        return len(rows)

    def dead_letters(self, limit: int = 100) -> list[tuple[str, int | None, str | None]]:
        with self._guard("cannot read the dead letter"):
            rows = self._exec(
                "SELECT code, last_status, last_error FROM outbox WHERE state = 'dead' ORDER BY enqueued_at LIMIT ?",
                (limit,),
            ).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    def note_error(self, error: str) -> None:
        """Remember the last link-level error for `kiosk sync status`."""
        with self._guard("cannot note the error"), self._write():
            self._note_error(error)

    def _note_error(self, error: str) -> None:
        self._set_meta("last_error", error[:500])
        self._set_meta("last_error_at", datetime.now(UTC).isoformat())

    def _set_meta(self, key: str, value: str) -> None:
        self._exec(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def get_meta(self, key: str) -> str | None:
        with self._guard("cannot read the store"):
            row = self._exec("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._guard("cannot write the store"), self._write():
            self._set_meta(key, value)

    def status(self) -> SyncStatus:
        with self._guard("cannot read the sync status"):
            backlog, dead = self._exec(
                "SELECT coalesce(sum(state = 'pending'), 0), coalesce(sum(state = 'dead'), 0) FROM outbox"
            ).fetchone()
            oldest = self._exec(
                "SELECT min(r.created_at) FROM outbox o JOIN records r ON r.code = o.code"
            ).fetchone()[0]
            total = self._exec("SELECT count(*) FROM records").fetchone()[0]
            beats = self._exec("SELECT count(*) FROM heartbeats").fetchone()[0]
            meta = dict(self._exec("SELECT key, value FROM meta").fetchall())
        return SyncStatus(
            backlog=int(backlog),
            dead_letters=int(dead),
            oldest_unsynced=_parse_time(oldest),
            last_error=meta.get("last_error"),
            last_error_at=meta.get("last_error_at"),
            last_success_at=meta.get("last_success_at"),
            queued_heartbeats=int(beats),
            records_total=int(total),
        )

    # ---------------------------------------------------------------------------- heartbeats

    def queue_heartbeat(self, payload: dict[str, Any], *, max_queued: int = 10_000) -> None:
        """Keep a heartbeat until the backend has it; beyond `max_queued` the oldest are dropped."""
        with self._guard("cannot queue a heartbeat"), self._write():
            self._exec(
                "INSERT INTO heartbeats(created_at, payload) VALUES (?, ?)",
                (time.time(), json.dumps(payload, sort_keys=True, default=str)),
            )
            self._exec(
                "DELETE FROM heartbeats WHERE id <= (SELECT max(id) FROM heartbeats) - ?", (max_queued,)
            )

    def queued_heartbeats(self, limit: int = 500) -> list[tuple[int, dict[str, Any]]]:
        with self._guard("cannot read queued heartbeats"):
            rows = self._exec("SELECT id, payload FROM heartbeats ORDER BY id LIMIT ?", (limit,)).fetchall()
        return [(int(r[0]), json.loads(r[1])) for r in rows]

    def drop_heartbeats(self, up_to_id: int) -> None:
        with self._guard("cannot drop sent heartbeats"), self._write():
            self._exec("DELETE FROM heartbeats WHERE id <= ?", (up_to_id,))
