"""The reference backend's database: SQLite by default, PostgreSQL by URL.

Both speak the same SQL (written with `?` placeholders and translated for psycopg). Ingest is idempotent
by record code: INSERT ... ON CONFLICT DO NOTHING decides the winner inside the database, so it stays
correct with several backend processes on one PostgreSQL. PDFs live in a content-addressed blob folder and
are fsynced before the row that points at them is committed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from backoffice.services.risk import risk_flags
from backoffice.services.sealed_claims import record_claims
from backoffice.storage.at_rest import Sealer, secure_dir, secure_file
from offline_sync.protocol import Heartbeat, IngestResult, RecordUpload, SyncLogEntry
from offline_sync.protocol.errors import BackendError

log = logging.getLogger(__name__)


def postgres_driver() -> ModuleType:
    """psycopg, the PostgreSQL driver."""
    import psycopg  # loaded only when a PostgreSQL URL is opened: an SQLite back office never needs it

    return psycopg


_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS records (
        code TEXT PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        created_at TEXT NOT NULL,
        received_at TEXT NOT NULL,
        doc_type TEXT NOT NULL,
        pages INTEGER NOT NULL,
        pdf_sha256 TEXT NOT NULL,
        pdf_size INTEGER NOT NULL,
        body TEXT NOT NULL,
        response TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS records_kiosk ON records(kiosk_id)",
    """CREATE TABLE IF NOT EXISTS ingest_attempts (
        kiosk_id TEXT PRIMARY KEY,
        stored INTEGER NOT NULL DEFAULT 0,
        replayed INTEGER NOT NULL DEFAULT 0,
        conflicts INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE IF NOT EXISTS heartbeats (
        id TEXT PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        sent_at TEXT NOT NULL,
        received_at TEXT NOT NULL,
        backlog INTEGER NOT NULL,
        dead_letters INTEGER NOT NULL,
        payload TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS heartbeats_kiosk ON heartbeats(kiosk_id, received_at)",
    """CREATE TABLE IF NOT EXISTS sync_log (
        id TEXT PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        time TEXT NOT NULL,
        received_at TEXT NOT NULL,
        code TEXT,
        outcome TEXT NOT NULL,
        entry TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS sync_log_kiosk ON sync_log(kiosk_id, time)",
    # The post-check state of each issued copy (no personal data: the public status reads only this).
    """CREATE TABLE IF NOT EXISTS copies (
        code TEXT PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        ward TEXT,
        doc_type TEXT NOT NULL,
        pages INTEGER NOT NULL,
        issued_at TEXT NOT NULL,
        received_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'issued',
        flags TEXT NOT NULL DEFAULT '',
        post_checked_by TEXT,
        post_checked_at TEXT,
        revoked_by TEXT,
        revoked_at TEXT,
        revoked_reason TEXT,
        approved_sha256 TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS copies_queue ON copies(status, issued_at)",
    "CREATE INDEX IF NOT EXISTS copies_kiosk ON copies(kiosk_id, issued_at)",
    """CREATE TABLE IF NOT EXISTS users (
        username TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        full_name TEXT NOT NULL,
        pw_hash TEXT NOT NULL,
        failed INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    )""",
    # Failed logins per user name, existing or not (so a lockout does not tell which accounts exist).
    """CREATE TABLE IF NOT EXISTS login_guard (
        name TEXT PRIMARY KEY,
        failed INTEGER NOT NULL,
        locked_until TEXT,
        last_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS sessions (
        id TEXT PRIMARY KEY,
        username TEXT,
        csrf TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS audit (
        id TEXT PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        code TEXT,
        detail TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX IF NOT EXISTS audit_code ON audit(code, at)",
    # Issue 24: failed staff logins per (account, client address): slow-downs, never a lock anyone can set.
    """CREATE TABLE IF NOT EXISTS login_throttle (
        account TEXT NOT NULL,
        address TEXT NOT NULL,
        failed INTEGER NOT NULL,
        wait_until TEXT,
        last_at TEXT NOT NULL,
        PRIMARY KEY (account, address)
    )""",
    # Issue 24: the ward each kiosk serves, set by the city (`kiosk-backend kiosk set-ward`): a copy's ward
    # for the officers' scope is its kiosk's ward here when it was received, never what a record claims.
    """CREATE TABLE IF NOT EXISTS kiosk_wards (
        kiosk_id TEXT PRIMARY KEY,
        ward TEXT NOT NULL,
        set_by TEXT NOT NULL,
        set_at TEXT NOT NULL
    )""",
    # Records stored before the copies table existed get their row (status issued, no flags).
    """INSERT INTO copies(code, kiosk_id, doc_type, pages, issued_at, received_at)
        SELECT code, kiosk_id, doc_type, pages, created_at, received_at FROM records
        WHERE NOT EXISTS (SELECT 1 FROM copies c WHERE c.code = records.code)""",
]

# Columns added to a table after it was first created: (table, column, SQL type). Opening a database made
# before them adds what is missing (SQLite and PostgreSQL), so an existing database opens unchanged.
ADDED_COLUMNS: list[tuple[str, str, str]] = [
    # Issue 22: the public reason of a revocation, a key of postcheck.REVOKE_REASONS.
    ("copies", "revoked_reason_code", "TEXT"),
    # Issue 24: an officer's ward (users), and the ward of the kiosk that issued a copy (copies), which
    # scopes the officers: NULL until the kiosk's ward is set (then only city-wide roles see the copy).
    ("users", "ward", "TEXT"),
    ("copies", "kiosk_ward", "TEXT"),
    # Issue 24: when the copy's post-check is due (ISO, UTC); the console's queue is ordered by it, else by
    # the issue time. NULL until the deadline rule fills it.
    ("copies", "postcheck_due_at", "TEXT"),
]

# Outcomes in the sync log that count as failed attempts in the fleet view's error rate.
FAILED_OUTCOMES = ("retry", "dead_letter", "error")


class SealCheck(Protocol):
    """What ingest asks before storing a record (backoffice.services.seals.SealChecker): None when the PDF
    is ``kiosk_id``'s certified copy ``code`` with these pages and document type, else why not."""

    def problem(
        self,
        *,
        code: str,
        kiosk_id: str,
        pages: int,
        doc_type: str,
        pdf: bytes,
        claims: Mapping[str, str] | None = None,
    ) -> str | None:
        """``claims``: the record's requester, issue time and fields (sealed_claims.record_claims), which
        must be the sealed values (issue 24); the answer then starts with ``seal_mismatch:<field>:``."""
        ...

    def code_problem(self, code: str, kiosk_id: str) -> str | None:
        """The cheap half: None when ``code`` is well formed and carries ``kiosk_id``'s prefix."""
        ...


def _now() -> str:
    return datetime.now(UTC).isoformat()


class BlobStore:
    """PDFs by sha256 under a folder: blobs/ab/abcdef....pdf, written atomically and fsynced, sealed with
    AES-GCM when the backend has a data key; files 0600 in 0700 folders."""

    def __init__(self, root: Path, sealer: Sealer | None = None) -> None:
        self.root = secure_dir(Path(root))
        self.sealer = sealer or Sealer(None)

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.pdf"

    def put(self, sha256: str, data: bytes) -> None:
        target = self.path_for(sha256)
        if target.exists():
            return
        secure_dir(target.parent)
        tmp = target.with_name(f".{sha256}.{os.getpid()}.{threading.get_ident()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(self.sealer.seal_blob(data, sha256))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)

    def get(self, sha256: str) -> bytes | None:
        try:
            stored = self.path_for(sha256).read_bytes()
        except FileNotFoundError:
            return None
        return self.sealer.open_blob(stored, sha256)


class BackendDB:
    """One connection guarded by a lock (the server runs handlers on a thread pool)."""

    def __init__(
        self,
        url: str,
        blob_dir: Path,
        *,
        data_key: bytes | None = None,
        seal_checker: SealCheck | None = None,
    ) -> None:
        """``data_key``: AES-GCM of personal fields and blobs at rest. ``seal_checker``: uploads must be the
        kiosk's own certified copies (``kiosk-backend serve`` always sets it; in-process transport tests
        of the sync worker run without)."""
        self.url = url
        self.seal_checker = seal_checker
        self.sealer = Sealer(data_key)
        self.blobs = BlobStore(blob_dir, self.sealer)
        self._lock = threading.Lock()
        self.is_postgres = url.startswith(("postgresql://", "postgres://"))
        self._conn: Any
        try:
            if self.is_postgres:
                self._conn = postgres_driver().connect(url, autocommit=False)
            else:
                path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url
                secure_dir(Path(path).parent)
                if not Path(path).exists():
                    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
                self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=FULL")
                for suffix in ("", "-wal", "-shm"):
                    secure_file(Path(path + suffix))
        except Exception as exc:
            raise BackendError(f"cannot open the backend database: {exc}", subject=_safe_url(url)) from None
        with self._tx() as cur:
            for statement in _SCHEMA:
                cur.execute(statement)
        self.add_missing_columns(ADDED_COLUMNS)

    def add_missing_columns(self, columns: Sequence[tuple[str, str, str]]) -> None:
        """ALTER TABLE ... ADD COLUMN for each (table, column, type) the database does not have yet."""
        with self._tx() as cur:
            for table, column, kind in columns:
                if self.is_postgres:
                    cur.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {kind}")
                    continue
                cur.execute(f"PRAGMA table_info({table})")
                if column not in {str(row[1]) for row in cur.fetchall()}:
                    cur.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # ------------------------------------------------------------------ plumbing

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.is_postgres else sql

    def _reconnect_if_broken(self) -> None:
        """After PostgreSQL restarted or dropped us, the next request opens a fresh connection."""
        if self.is_postgres and (self._conn.closed or self._conn.broken):
            log.warning("database connection lost; reconnecting")
            self._conn = postgres_driver().connect(self.url, autocommit=False)

    @contextmanager
    def _tx(self) -> Iterator[_Cursor]:
        with self._lock:
            self._reconnect_if_broken()
            if not self.is_postgres:
                self._conn.execute("BEGIN IMMEDIATE")
            cur = _Cursor(self, self._conn.cursor())
            try:
                yield cur
            except BaseException:
                try:
                    self._conn.rollback() if self.is_postgres else self._conn.execute("ROLLBACK")
                except Exception:
                    log.warning("rollback failed", exc_info=True)
                raise
            self._conn.commit() if self.is_postgres else self._conn.execute("COMMIT")

    # ------------------------------------------------------------------ records

    def ingest(self, records: Sequence[RecordUpload], kiosk_id: str) -> list[IngestResult]:
        """Store each record once. Same code and same fingerprint: the original answer, replayed.
        Same code and a different fingerprint: 422. The whole call is one transaction."""
        prepared: list[tuple[RecordUpload, str, bytes]] = []
        results: dict[int, IngestResult] = {}
        # A code already stored was checked when it was stored: its replay (or conflict) needs only the
        # cheap code check, so at-least-once retries do not pay for a signature verification again.
        stored_codes = self._stored_codes([rec.code for rec in records]) if self.seal_checker else set()
        for i, rec in enumerate(records):
            try:
                pdf = rec.pdf_bytes()
            except ValueError as exc:
                results[i] = IngestResult(code=rec.code, status=400, error=str(exc))
                continue
            if rec.kiosk_id != kiosk_id:
                results[i] = IngestResult(
                    code=rec.code, status=403, error="kiosk_id does not match the client certificate"
                )
                continue
            problem = self._seal_problem(rec, pdf, full=rec.code not in stored_codes)
            if problem is not None:
                # Someone else's code, or another kiosk's seal: 403. Not a matching certified copy: 422.
                status = 403 if problem.startswith(("code ", "the PDF was not sealed by")) else 422
                log.warning("refused upload %s from %s: %s", rec.code, kiosk_id, problem)
                results[i] = IngestResult(code=rec.code, status=status, error=problem)
                self._audit_refusal(kiosk_id, rec.code, problem)
                continue
            prepared.append((rec, rec.fingerprint(), pdf))
        for rec, _fp, pdf in prepared:
            self.blobs.put(rec.pdf_sha256, pdf)
        index = {id(rec): i for i, rec in enumerate(records)}
        stored = replayed = conflicts = 0
        with self._tx() as cur:
            for rec, fp, pdf in prepared:
                received = _now()
                response = IngestResult(
                    code=rec.code, status=201, received_at=received, pdf_sha256=rec.pdf_sha256
                )
                body = rec.model_dump(mode="json", exclude={"pdf", "retrieval_secret_for_email"})
                sealed_body = self.sealer.seal_text(json.dumps(body, ensure_ascii=False), rec.code)
                cur.execute(
                    "INSERT INTO records(code, kiosk_id, fingerprint, created_at, received_at, doc_type, pages,"
                    " pdf_sha256, pdf_size, body, response) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (code) DO NOTHING RETURNING code",
                    (
                        rec.code,
                        rec.kiosk_id,
                        fp,
                        rec.created_at.isoformat(),
                        received,
                        rec.doc_type,
                        rec.pages,
                        rec.pdf_sha256,
                        len(pdf),
                        sealed_body,
                        response.model_dump_json(),
                    ),
                )
                if cur.fetchone() is not None:
                    cur.execute(
                        "INSERT INTO copies(code, kiosk_id, ward, doc_type, pages, issued_at, received_at, flags,"
                        " kiosk_ward) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
                        " (SELECT ward FROM kiosk_wards WHERE kiosk_id = ?))",
                        (
                            rec.code,
                            rec.kiosk_id,
                            ward_of(body),
                            rec.doc_type,
                            rec.pages,
                            rec.created_at.isoformat(),
                            received,
                            flags_text(risk_flags(body)),
                            rec.kiosk_id,
                        ),
                    )
                    results[index[id(rec)]] = response
                    stored += 1
                    continue
                cur.execute("SELECT fingerprint, response FROM records WHERE code = ?", (rec.code,))
                row = cur.fetchone()
                if row is not None and row[0] == fp:
                    original = IngestResult.model_validate_json(row[1])
                    results[index[id(rec)]] = original.model_copy(update={"replayed": True})
                    replayed += 1
                else:
                    results[index[id(rec)]] = IngestResult(
                        code=rec.code, status=422, error="this code was already used with a different record"
                    )
                    conflicts += 1
            cur.execute(
                "INSERT INTO ingest_attempts(kiosk_id, stored, replayed, conflicts) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (kiosk_id) DO UPDATE SET stored = ingest_attempts.stored + excluded.stored,"
                " replayed = ingest_attempts.replayed + excluded.replayed,"
                " conflicts = ingest_attempts.conflicts + excluded.conflicts",
                (kiosk_id, stored, replayed, conflicts),
            )
        return [results[i] for i in range(len(records))]

    # ------------------------------------------------------------------ kiosks' wards (issue 24)

    def set_kiosk_ward(self, kiosk_id: str, ward: str, *, by: str) -> int:
        """The ward ``kiosk_id`` serves, from now on; its copies received while it had no ward get it too.
        Returns how many such copies were given the ward (copies already in a ward keep theirs)."""
        with self._tx() as cur:
            cur.execute(
                "INSERT INTO kiosk_wards(kiosk_id, ward, set_by, set_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (kiosk_id) DO UPDATE SET ward = excluded.ward, set_by = excluded.set_by,"
                " set_at = excluded.set_at",
                (kiosk_id, ward, by, _now()),
            )
            cur.execute(
                "UPDATE copies SET kiosk_ward = ? WHERE kiosk_id = ? AND kiosk_ward IS NULL RETURNING code",
                (ward, kiosk_id),
            )
            return len(cur.fetchall())

    def kiosk_wards(self) -> dict[str, str]:
        with self._tx() as cur:
            cur.execute("SELECT kiosk_id, ward FROM kiosk_wards ORDER BY kiosk_id")
            return {str(k): str(w) for k, w in cur.fetchall()}

    def _stored_codes(self, codes: list[str]) -> set[str]:
        found: set[str] = set()
        with self._tx() as cur:
            for start in range(0, len(codes), 500):
                chunk = codes[start : start + 500]
                marks = ", ".join("?" for _ in chunk)
                cur.execute(f"SELECT code FROM records WHERE code IN ({marks})", chunk)  # noqa: S608 - placeholders
                found.update(str(r[0]) for r in cur.fetchall())
        return found

    def _audit_refusal(self, kiosk_id: str, code: str, problem: str) -> None:
        """An upload the seal contradicts goes to the audit trail (issue 24): which kiosk, which copy, why
        (the field's name, never its values)."""
        with self._tx() as cur:
            cur.execute(
                "INSERT INTO audit(id, at, actor, action, code, detail) VALUES (?, ?, ?, ?, ?, ?)",
                (uuid.uuid4().hex, _now(), f"kiosk:{kiosk_id}", "ingest_refused", code, problem[:500]),
            )

    def _seal_problem(self, rec: RecordUpload, pdf: bytes, *, full: bool = True) -> str | None:
        if self.seal_checker is None:
            return None
        cheap = self.seal_checker.code_problem(rec.code, rec.kiosk_id)
        if cheap is not None or not full:
            return cheap
        try:
            return self.seal_checker.problem(
                code=rec.code,
                kiosk_id=rec.kiosk_id,
                pages=rec.pages,
                doc_type=rec.doc_type,
                pdf=pdf,
                claims=record_claims(rec),
            )
        except Exception as exc:  # the verifier must never take ingest down, nor let a record through
            log.warning("seal check failed on %s: %s", rec.code, type(exc).__name__)
            return "the PDF could not be verified"

    def get_record(self, code: str, kiosk_id: str | None = None) -> dict[str, Any] | None:
        """A record's facts (no personal data); with ``kiosk_id``, only when that kiosk issued it."""
        with self._tx() as cur:
            cur.execute(
                "SELECT r.code, r.kiosk_id, r.created_at, r.received_at, r.doc_type, r.pages,"
                " COALESCE(c.approved_sha256, r.pdf_sha256), r.pdf_size, COALESCE(c.status, 'issued')"
                " FROM records r LEFT JOIN copies c ON c.code = r.code WHERE r.code = ?",
                (code,),
            )
            row = cur.fetchone()
        if row is not None and kiosk_id is not None and row[1] != kiosk_id:
            row = None
        if row is None:
            return None
        keys = (
            "code",
            "kiosk_id",
            "created_at",
            "received_at",
            "doc_type",
            "pages",
            "pdf_sha256",
            "pdf_size",
            "status",
        )
        return dict(zip(keys, row, strict=True))

    def record_body(self, code: str) -> dict[str, Any] | None:
        """The whole stored record, personal fields included (decrypted): for the console, audited there."""
        with self._tx() as cur:
            cur.execute("SELECT body FROM records WHERE code = ?", (code,))
            row = cur.fetchone()
        if row is None:
            return None
        result: dict[str, Any] = json.loads(self.sealer.open_text(row[0], code))
        return result

    def all_codes(self) -> list[str]:
        with self._tx() as cur:
            cur.execute("SELECT code FROM records ORDER BY code")
            return [r[0] for r in cur.fetchall()]

    def counters(self, kiosk_id: str) -> dict[str, int]:
        with self._tx() as cur:
            cur.execute(
                "SELECT stored, replayed, conflicts FROM ingest_attempts WHERE kiosk_id = ?", (kiosk_id,)
            )
            row = cur.fetchone()
        return dict(zip(("stored", "replayed", "conflicts"), row or (0, 0, 0), strict=True))

    # ------------------------------------------------------------------ heartbeats, logs, fleet

    def add_heartbeats(self, beats: Sequence[Heartbeat]) -> int:
        added = 0
        with self._tx() as cur:
            for hb in beats:
                cur.execute(
                    "INSERT INTO heartbeats(id, kiosk_id, sent_at, received_at, backlog, dead_letters, payload)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING id",
                    (
                        hb.id,
                        hb.kiosk_id,
                        hb.sent_at.isoformat(),
                        _now(),
                        hb.backlog,
                        hb.dead_letters,
                        hb.model_dump_json(),
                    ),
                )
                added += cur.fetchone() is not None
        return added

    def heartbeats(self, kiosk_id: str) -> list[dict[str, Any]]:
        with self._tx() as cur:
            cur.execute("SELECT payload FROM heartbeats WHERE kiosk_id = ? ORDER BY sent_at", (kiosk_id,))
            return [json.loads(r[0]) for r in cur.fetchall()]

    def add_log_entries(self, entries: Sequence[SyncLogEntry]) -> int:
        added = 0
        with self._tx() as cur:
            for e in entries:
                cur.execute(
                    "INSERT INTO sync_log(id, kiosk_id, time, received_at, code, outcome, entry)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING id",
                    (e.id, e.kiosk, e.time.isoformat(), _now(), e.code, e.outcome, e.model_dump_json()),
                )
                added += cur.fetchone() is not None
        return added

    def log_entries(self, kiosk_id: str | None, limit: int) -> list[dict[str, Any]]:
        with self._tx() as cur:
            if kiosk_id:
                cur.execute(
                    "SELECT entry FROM sync_log WHERE kiosk_id = ? ORDER BY time DESC LIMIT ?",
                    (kiosk_id, limit),
                )
            else:
                cur.execute("SELECT entry FROM sync_log ORDER BY time DESC LIMIT ?", (limit,))
            return [json.loads(r[0]) for r in cur.fetchall()]

    def fleet(self, window: int = 500, only: str | None = None) -> list[dict[str, Any]]:
        """Per kiosk: last heartbeat, its backlog, records held, and the error rate of its last attempts.
        ``only``: that kiosk alone (what a kiosk's own certificate may see)."""
        out = []
        with self._tx() as cur:
            cur.execute(
                "SELECT kiosk_id FROM heartbeats UNION SELECT kiosk_id FROM records"
                " UNION SELECT kiosk_id FROM sync_log ORDER BY 1"
            )
            kiosks = [r[0] for r in cur.fetchall() if only is None or r[0] == only]
            for kiosk in kiosks:
                cur.execute(
                    "SELECT sent_at, received_at, backlog, dead_letters, payload FROM heartbeats"
                    " WHERE kiosk_id = ? ORDER BY received_at DESC, sent_at DESC LIMIT 1",
                    (kiosk,),
                )
                hb = cur.fetchone()
                cur.execute("SELECT count(*) FROM records WHERE kiosk_id = ?", (kiosk,))
                held = int(cur.fetchone()[0])
                cur.execute(
                    "SELECT outcome FROM sync_log WHERE kiosk_id = ? ORDER BY time DESC LIMIT ?",
                    (kiosk, window),
                )
                outcomes = [r[0] for r in cur.fetchall()]
                failed = sum(o in FAILED_OUTCOMES for o in outcomes)
                beat = json.loads(hb[4]) if hb else {}
                offset = None
                if hb is not None:
                    offset = (datetime.fromisoformat(hb[0]) - datetime.fromisoformat(hb[1])).total_seconds()
                out.append(
                    {
                        "kiosk_id": kiosk,
                        "last_heartbeat_at": hb[1] if hb else None,
                        "last_heartbeat_kiosk_time": hb[0] if hb else None,
                        "clock_offset_s": round(offset, 3) if offset is not None else None,
                        "backlog": int(hb[2]) if hb else None,
                        "dead_letters": int(hb[3]) if hb else None,
                        "health": beat.get("health", {}),
                        # Why a kiosk is behind: its oldest unsynced record and its last error.
                        "oldest_unsynced": beat.get("oldest_unsynced"),
                        "last_error": beat.get("last_error"),
                        "records_held": held,
                        "attempts_considered": len(outcomes),
                        "error_rate": round(failed / len(outcomes), 4) if outcomes else 0.0,
                    }
                )
        return out


_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


class _Cursor:
    """A DB-API cursor that translates `?` placeholders for psycopg."""

    def __init__(self, db: BackendDB, cur: Any) -> None:
        self._db = db
        self._cur = cur

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._cur.execute(self._db._sql(sql), tuple(params))

    def fetchone(self) -> Any:
        return self._cur.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self._cur.fetchall())

    def insert_once(self, table: str, key: str, row: dict[str, Any]) -> tuple[bool, Any]:
        """Insert ``row`` unless a row with its ``key`` exists; (inserted, the row as stored, its columns in
        ``row``'s order). The kiosk API's idempotent create: a replayed request gets what the first one
        stored, and the caller compares it with what the replay asked for. ``table``, ``key`` and the column
        names are the caller's constants, never request data."""
        if not all(_IDENTIFIER.fullmatch(name) for name in (table, key, *row)):
            raise ValueError(f"not a plain SQL identifier among {table!r}, {key!r}, {list(row)!r}")
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        insert = (
            f"INSERT INTO {table}({columns}) VALUES ({marks}) ON CONFLICT ({key}) DO NOTHING RETURNING {key}"  # noqa: S608 -- identifiers checked above, values bound
        )
        self.execute(insert, tuple(row.values()))
        inserted = self.fetchone() is not None
        self.execute(f"SELECT {columns} FROM {table} WHERE {key} = ?", (row[key],))  # noqa: S608 -- as above
        return inserted, self.fetchone()


def _safe_url(url: str) -> str:
    """A database URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def ward_of(body: dict[str, Any]) -> str | None:
    metrics = body.get("visit_metrics") or {}
    ward = metrics.get("ward") if isinstance(metrics, dict) else None
    return str(ward) if ward else None


def flags_text(flags: Sequence[str]) -> str:
    """Flags stored as ``,a,b,`` so one flag is found with LIKE '%,a,%' on SQLite and PostgreSQL."""
    return "," + ",".join(flags) + "," if flags else ""


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
