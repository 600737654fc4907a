"""What the operations dashboard reads: the fleet's health and alerts, KPIs per day, ward and kiosk, and a
search in the sync logs. Plain queries over the backend's database, shared by SQLite and PostgreSQL.

KPI rows come from `visit_kpis`, filled by an ingest hook from each record's `visit_metrics` (durations
and counts only: no name, no ID number, no address), joined with the post-check state in `copies`.
A visit is on time when it took at most `ON_TIME_SECONDS` (5 minutes) from the first touch to the copy.
Days are counted in Vietnam's time zone (UTC+7), as the city's operations centre reads them.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise
from typing import Any

from backoffice.storage.db import BackendDB
from offline_sync.protocol import IngestResult, RecordUpload

ON_TIME_SECONDS = 300.0
VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")
GROUPS = ("day", "ward", "kiosk")
BAD_DEVICE_STATES = ("error", "absent")

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
]

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
)


@dataclass(frozen=True)
class OpsOptions:
    silent_minutes: float = 15.0
    backlog_growing_beats: int = 3  # this many heartbeats in a row with a rising backlog
    kpi_days: int = 14


def vietnam_day(moment: datetime) -> str:
    return moment.astimezone(VIETNAM_TIME).date().isoformat()


def _ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


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

    def _rows(self, since: str, until: str) -> list[tuple[Any, ...]]:
        with self.db._tx() as cur:
            cur.execute(
                "SELECT v.day, v.ward, v.kiosk_id, v.pages, v.visit_seconds, v.pages_scanned, v.rescans,"
                " v.face_attempts, v.face_failures, v.liveness_attempts, v.liveness_failures,"
                " COALESCE(c.status, 'issued') FROM visit_kpis v LEFT JOIN copies c ON c.code = v.code"
                " WHERE v.day >= ? AND v.day <= ? ORDER BY v.day",
                (since, until),
            )
            return list(cur.fetchall())

    def kpis(self, by: str, since: str, until: str) -> list[dict[str, Any]]:
        """KPI rows grouped by day, ward or kiosk over [since, until] (Vietnam dates, inclusive)."""
        if by not in GROUPS:
            raise ValueError(f"group by one of {', '.join(GROUPS)}")
        index = {"day": 0, "ward": 1, "kiosk": 2}[by]
        groups: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        for row in self._rows(since, until):
            groups[str(row[index])].append(row)
        return [summarise(key, rows) for key, rows in sorted(groups.items())]

    def window(self, days: int, today: datetime | None = None) -> tuple[str, str]:
        end = (today or datetime.now(UTC)).astimezone(VIETNAM_TIME).date()
        return (end - timedelta(days=days - 1)).isoformat(), end.isoformat()

    def totals(self, since: str, until: str) -> dict[str, Any]:
        return summarise("all", self._rows(since, until))


def summarise(key: str, rows: Sequence[tuple[Any, ...]]) -> dict[str, Any]:
    timed = [float(r[4]) for r in rows if r[4] is not None]
    pages = sum(int(r[3]) for r in rows)
    on_time = sum(1 for t in timed if t <= ON_TIME_SECONDS)
    return {
        "group": key,
        "copies": len(rows),
        "pages": pages,
        "on_time_rate": _ratio(on_time, len(timed)),
        "late_rate": _ratio(len(timed) - on_time, len(timed)),
        "median_visit_s": round(statistics.median(timed), 1) if timed else None,
        "rescans_per_page": _ratio(
            sum(int(r[6]) for r in rows), sum(max(int(r[5]), int(r[3])) for r in rows)
        ),
        "face_failure_rate": _ratio(sum(int(r[8]) for r in rows), sum(int(r[7]) for r in rows)),
        "liveness_failure_rate": _ratio(sum(int(r[10]) for r in rows), sum(int(r[9]) for r in rows)),
        "post_check_backlog": sum(1 for r in rows if r[11] == "issued"),
        "revocations": sum(1 for r in rows if r[11] == "revoked"),
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
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([by if c == "group" else c for c in KPI_COLUMNS])
    for row in rows:
        writer.writerow([csv_cell(row[c]) for c in KPI_COLUMNS])
    return out.getvalue()


# -------------------------------------------------------------------------------------- fleet


def _age_minutes(stamp: str | None, now: datetime) -> float | None:
    if not stamp:
        return None
    try:
        return (now - datetime.fromisoformat(stamp)).total_seconds() / 60
    except ValueError:
        return None


def _devices(health: Any) -> list[dict[str, str]]:
    raw = health.get("devices") if isinstance(health, dict) else None
    out = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict):
            out.append({k: str(item.get(k, ""))[:200] for k in ("name", "kind", "state", "detail", "reason")})
    return out[:32]


def recent_backlogs(db: BackendDB, kiosk: str, count: int) -> list[int]:
    """The backlog of the kiosk's last `count` heartbeats, oldest first."""
    with db._tx() as cur:
        cur.execute(
            "SELECT backlog FROM heartbeats WHERE kiosk_id = ? ORDER BY received_at DESC, sent_at DESC LIMIT ?",
            (kiosk, count),
        )
        return [int(r[0]) for r in cur.fetchall()][::-1]


def fleet_health(
    db: BackendDB, options: OpsOptions, *, now: datetime | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(kiosks, alerts). Each kiosk: its id, ward, software version, last heartbeat and its age, clock
    offset, backlog, dead letters, each device's state. Alerts: device in error, growing backlog, silent
    kiosk, dead letters, open staff calls, deliveries that failed for good."""
    now = now or datetime.now(UTC)
    kiosks, alerts = [], []
    for item in db.fleet():
        health = item.get("health") or {}
        devices = _devices(health)
        age = _age_minutes(item.get("last_heartbeat_at"), now)
        backlogs = recent_backlogs(db, item["kiosk_id"], options.backlog_growing_beats)
        growing = len(backlogs) >= options.backlog_growing_beats and all(a < b for a, b in pairwise(backlogs))
        kiosk = {
            "kiosk_id": item["kiosk_id"],
            "ward": str(health.get("ward", ""))[:100] if isinstance(health, dict) else "",
            "software_version": str(health.get("software_version", ""))[:64]
            if isinstance(health, dict)
            else "",
            "last_heartbeat_at": item.get("last_heartbeat_at"),
            "silent_minutes": round(age, 1) if age is not None else None,
            "clock_offset_s": item.get("clock_offset_s"),
            "backlog": item.get("backlog"),
            "dead_letters": item.get("dead_letters"),
            "oldest_unsynced": item.get("oldest_unsynced"),
            "last_error": item.get("last_error"),
            "error_rate": item.get("error_rate"),
            "records_held": item.get("records_held"),
            "devices": devices,
            "backlog_growing": growing,
        }
        kiosks.append(kiosk)
        kid = item["kiosk_id"]
        for device in devices:
            if device["state"] in BAD_DEVICE_STATES:
                alerts.append(
                    _alert("device", kid, f"{device['name']}: {device['state']} {device['detail']}")
                )
        if growing:
            alerts.append(_alert("backlog", kid, " → ".join(str(b) for b in backlogs)))
        if age is None or age > options.silent_minutes:
            silent = "never" if age is None else f"{age:.0f} min"
            alerts.append(_alert("silent", kid, silent))
        if item.get("dead_letters"):
            alerts.append(_alert("dead_letters", kid, str(item["dead_letters"])))
    for call in open_staff_calls(db):
        alerts.append(
            _alert("staff_call", call["kiosk_id"], f"{call.get('reason', '')} {call.get('raised_at', '')}")
        )
    return kiosks, alerts


def _alert(kind: str, kiosk: str, detail: str) -> dict[str, Any]:
    return {"kind": kind, "kiosk_id": kiosk, "detail": detail[:300]}


def open_staff_calls(db: BackendDB) -> list[dict[str, Any]]:
    from backoffice.services.staff_calls import StaffCallBook

    return StaffCallBook(db).list_calls("open", limit=100)


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
