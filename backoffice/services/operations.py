"""What the operations dashboard reads: KPIs per day, ward and kiosk (and per ward and day), and a search
in the sync logs. Plain queries over the backend's database, shared by SQLite and PostgreSQL. The fleet's
health and its alerts are in backoffice.services.fleet.

Every stored copy is a KPI row (`copies`), with its visit's figures when the kiosk sent them (`visit_kpis`,
filled by an ingest hook from each record's `visit_metrics`: durations and counts only, no name, no ID
number, no address). Two kinds of "on time":
* the visit: at most `ON_TIME_SECONDS` (5 minutes) from the first touch to the copy (on_time_rate);
* the post-check (issue 24): decided (approved or revoked) by its deadline (deadlines.py). A copy still
  waiting past its deadline is overdue now; one waiting within it is awaiting.
A copy's ward is its kiosk's ward as the city set it when the copy arrived (copies.kiosk_ward, what scopes
the officers), else the ward its record named. Days are Vietnam dates (GMT+7) of the issue time.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, NamedTuple

from backoffice.storage.db import BackendDB
from offline_sync.protocol import IngestResult, RecordUpload

ON_TIME_SECONDS = 300.0
VIETNAM_TIME = timezone(timedelta(hours=7), "GMT+7")
GROUPS = ("day", "ward", "kiosk", "ward_day")

_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS visit_kpis (
        code TEXT PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        ward TEXT NOT NULL,
        day TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        pages INTEGER NOT NULL,
        visit_seconds DOUBLE PRECISION,
        pages_scanned INTEGER NOT NULL,
        rescans INTEGER NOT NULL,
        face_attempts INTEGER NOT NULL,
        face_failures INTEGER NOT NULL,
        liveness_attempts INTEGER NOT NULL,
        liveness_failures INTEGER NOT NULL,
        language TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS visit_kpis_day ON visit_kpis(day)",
    "CREATE INDEX IF NOT EXISTS copies_issued_at ON copies(issued_at)",
]

POSTCHECK_COLUMNS = (
    "issued",
    "postchecked_on_time",
    "postchecked_late",
    "overdue_now",
    "awaiting_postcheck",
    "revoked",
)
KPI_COLUMNS = (
    "group",
    "copies",
    "pages",
    "on_time_rate",
    "late_rate",
    "median_visit_s",
    "rescans_per_page",
    "face_failure_rate",
    "liveness_failure_rate",
    "post_check_backlog",
    "revocations",
    *POSTCHECK_COLUMNS,
)


@dataclass(frozen=True)
class OpsOptions:
    silent_minutes: float = 15.0
    backlog_growing_beats: int = 3  # this many heartbeats in a row with a rising backlog
    kpi_days: int = 14
    clock_alert_s: float = 60.0  # a kiosk clock further off than this is an alert


class KpiRow(NamedTuple):
    day: str
    ward: str
    kiosk: str
    pages: int
    visit_seconds: float | None = None
    pages_scanned: int = 0
    rescans: int = 0
    face_attempts: int = 0
    face_failures: int = 0
    liveness_attempts: int = 0
    liveness_failures: int = 0
    status: str = "issued"
    due_at: str | None = None
    post_checked_at: str | None = None
    revoked_at: str | None = None


def vietnam_day(moment: datetime) -> str:
    return moment.astimezone(VIETNAM_TIME).date().isoformat()


def _ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def postcheck_state(row: KpiRow, now: datetime) -> str:
    """on_time | late | overdue | awaiting | no_deadline, for one copy at ``now``. The decision is the first
    of approval and revocation: a copy approved then revoked was post-checked when it was approved."""
    due = _instant(row.due_at)
    decided = _instant(row.post_checked_at) or _instant(row.revoked_at)
    if due is None:
        return "no_deadline"
    if decided is not None:
        return "on_time" if decided <= due else "late"
    return "overdue" if now > due else "awaiting"


class KpiBook:
    def __init__(self, db: BackendDB) -> None:
        self.db = db
        with db._tx() as cur:
            for statement in _SCHEMA:
                cur.execute(statement if db.is_postgres else statement.replace("DOUBLE PRECISION", "REAL"))

    # ---------------------------------------------------------------------------------- ingest hook

    def record_visits(self, records: Sequence[RecordUpload], results: Sequence[IngestResult]) -> int:
        """One KPI row per stored record (idempotent by code)."""
        added = 0
        stored = [rec for rec, res in zip(records, results, strict=True) if res.status == 201]
        if not stored:
            return 0
        with self.db._tx() as cur:
            for rec in stored:
                m = rec.visit_metrics
                cur.execute(
                    "INSERT INTO visit_kpis(code, kiosk_id, ward, day, issued_at, pages, visit_seconds,"
                    " pages_scanned, rescans, face_attempts, face_failures, liveness_attempts,"
                    " liveness_failures, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (code) DO NOTHING RETURNING code",
                    (
                        rec.code,
                        rec.kiosk_id,
                        (m.ward if m and m.ward else "") or "",
                        vietnam_day(rec.created_at),
                        rec.created_at.astimezone(UTC).isoformat(),
                        rec.pages,
                        m.visit_seconds if m else None,
                        m.pages_scanned if m else rec.pages,
                        m.rescans if m else 0,
                        m.face_attempts if m else 0,
                        m.face_failures if m else 0,
                        m.liveness_attempts if m else 0,
                        m.liveness_failures if m else 0,
                        rec.language,
                    ),
                )
                added += cur.fetchone() is not None
        return added

    # ---------------------------------------------------------------------------------- KPIs

    def _rows(self, since: str, until: str) -> list[KpiRow]:
        """Every copy issued on a Vietnam date in [since, until], with its visit figures when known. Issue
        times are stored with the kiosk's offset, so the SQL bound is a day wider and the day exact here."""
        low = (date.fromisoformat(since) - timedelta(days=1)).isoformat()
        high = (date.fromisoformat(until) + timedelta(days=2)).isoformat()
        with self.db._tx() as cur:
            cur.execute(
                "SELECT c.issued_at, COALESCE(c.kiosk_ward, c.ward, v.ward, ''), c.kiosk_id, c.pages,"
                " v.visit_seconds, COALESCE(v.pages_scanned, c.pages), COALESCE(v.rescans, 0),"
                " COALESCE(v.face_attempts, 0), COALESCE(v.face_failures, 0), COALESCE(v.liveness_attempts, 0),"
                " COALESCE(v.liveness_failures, 0), c.status, c.postcheck_due_at, c.post_checked_at,"
                " c.revoked_at FROM copies c LEFT JOIN visit_kpis v ON v.code = c.code"
                " WHERE c.issued_at >= ? AND c.issued_at < ?",
                (low, high),
            )
            fetched = cur.fetchall()
        rows = []
        for issued_at, *rest in fetched:
            moment = _instant(str(issued_at))
            if moment is None:
                continue
            day = vietnam_day(moment)
            if since <= day <= until:
                rows.append(KpiRow(day, str(rest[0]), str(rest[1]), int(rest[2]), *rest[3:]))
        rows.sort(key=lambda r: r.day)
        return rows

    def kpis(self, by: str, since: str, until: str, *, now: datetime | None = None) -> list[dict[str, Any]]:
        """KPI rows grouped by day, ward, kiosk or ward and day over [since, until] (Vietnam dates,
        inclusive). A ward_day row also carries its `day` and `ward`."""
        if by not in GROUPS:
            raise ValueError(f"group by one of {', '.join(GROUPS)}")
        groups: dict[tuple[str, str], list[KpiRow]] = defaultdict(list)
        for row in self._rows(since, until):
            key = {"day": (row.day, ""), "ward": (row.ward, ""), "kiosk": (row.kiosk, "")}.get(
                by, (row.day, row.ward)
            )
            groups[key].append(row)
        out = []
        for (first, second), rows in sorted(groups.items()):
            summary = summarise(f"{first} {second}" if by == "ward_day" else first, rows, now=now)
            if by == "ward_day":
                summary["day"], summary["ward"] = first, second
            out.append(summary)
        return out

    def window(self, days: int, today: datetime | None = None) -> tuple[str, str]:
        end = (today or datetime.now(UTC)).astimezone(VIETNAM_TIME).date()
        return (end - timedelta(days=days - 1)).isoformat(), end.isoformat()

    def totals(self, since: str, until: str, *, now: datetime | None = None) -> dict[str, Any]:
        return summarise("all", self._rows(since, until), now=now)


def summarise(key: str, rows: Sequence[KpiRow], *, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    timed = [float(r.visit_seconds) for r in rows if r.visit_seconds is not None]
    pages = sum(int(r.pages) for r in rows)
    on_time = sum(1 for t in timed if t <= ON_TIME_SECONDS)
    states = [postcheck_state(r, now) for r in rows]
    revoked = sum(1 for r in rows if r.status == "revoked")
    return {
        "group": key,
        "copies": len(rows),
        "pages": pages,
        "on_time_rate": _ratio(on_time, len(timed)),
        "late_rate": _ratio(len(timed) - on_time, len(timed)),
        "median_visit_s": round(statistics.median(timed), 1) if timed else None,
        "rescans_per_page": _ratio(
            sum(int(r.rescans) for r in rows), sum(max(int(r.pages_scanned), int(r.pages)) for r in rows)
        ),
        "face_failure_rate": _ratio(
            sum(int(r.face_failures) for r in rows), sum(int(r.face_attempts) for r in rows)
        ),
        "liveness_failure_rate": _ratio(
            sum(int(r.liveness_failures) for r in rows), sum(int(r.liveness_attempts) for r in rows)
        ),
        "post_check_backlog": sum(1 for r in rows if r.status == "issued"),
        "revocations": revoked,
        "issued": len(rows),
        "postchecked_on_time": states.count("on_time"),
        "postchecked_late": states.count("late"),
        "overdue_now": states.count("overdue"),
        "awaiting_postcheck": states.count("awaiting") + states.count("no_deadline"),
        "revoked": revoked,
    }


# -------------------------------------------------------------------------------------- CSV


def csv_cell(value: Any) -> str:
    """A cell a spreadsheet will not run: text starting with = + - @ (or a tab / CR) gets a leading '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def kpi_csv(rows: Iterable[dict[str, Any]], by: str) -> str:
    """One line per group; grouped by ward and day, the first two columns are the day and the ward."""
    columns = ("day", "ward", *KPI_COLUMNS[1:]) if by == "ward_day" else KPI_COLUMNS
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([by if c == "group" else c for c in columns])
    for row in rows:
        writer.writerow([csv_cell(row[c]) for c in columns])
    return out.getvalue()


# -------------------------------------------------------------------------------------- sync logs


@dataclass(frozen=True)
class LogQuery:
    kiosk: str = ""
    code: str = ""
    outcome: str = ""
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 200


def parse_time(text: str) -> datetime | None:
    """An ISO date or date-time from a search form; a naive value is Vietnam time. ValueError if malformed."""
    text = text.strip()
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM_TIME)


def search_logs(db: BackendDB, query: LogQuery, *, scan_limit: int = 20_000) -> list[dict[str, Any]]:
    """Sync log lines matching every given filter, newest first (kiosk and code are exact, outcome too)."""
    clauses, params = [], []
    for column, value in (("kiosk_id", query.kiosk), ("code", query.code), ("outcome", query.outcome)):
        if value:
            clauses.append(f"{column} = ?")
            params.append(value)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    with db._tx() as cur:
        cur.execute(
            f"SELECT entry FROM sync_log {where} ORDER BY time DESC LIMIT ?",  # noqa: S608 (fixed columns)
            (*params, scan_limit),
        )
        rows = [json.loads(r[0]) for r in cur.fetchall()]
    out = []
    for entry in rows:
        try:
            moment = datetime.fromisoformat(entry["time"])
        except (KeyError, ValueError):
            continue
        if query.since and moment < query.since:
            continue
        if query.until and moment > query.until:
            continue
        entry["_moment"] = moment
        out.append(entry)
    out.sort(key=lambda e: e["_moment"], reverse=True)
    for entry in out:
        entry.pop("_moment")
    return out[: query.limit]


def log_outcomes(db: BackendDB) -> list[str]:
    with db._tx() as cur:
        cur.execute("SELECT DISTINCT outcome FROM sync_log ORDER BY outcome")
        return [str(r[0]) for r in cur.fetchall()]
