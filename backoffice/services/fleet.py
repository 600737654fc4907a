"""Central IT's view of the fleet (issue 24, /ops): each kiosk's health with its backlog, dead letters and
clock offset as the city saw them (sync_truth), the alerts, and their acknowledgements.

Alerts: a device in error, a backlog that keeps growing, a silent kiosk, dead letters, a clock more than
60 s off, an open staff call, and each copy whose post-check is overdue. Every alert has a `key` (what it
is about) and a `fingerprint` (its state). IT acknowledges an alert (who, when, audited); the
acknowledgement holds while the alert stands and does not get worse: more dead letters, a device in
another state, a new silence or the clock off the other way raise it again, and an alert that clears and
comes back later is a new one. Acknowledged alerts stay listed, after the others, marked with who and when.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any
from urllib.parse import urlencode

from backoffice.services.auth import audit
from backoffice.services.deadlines import VIETNAM_TIME, stamp
from backoffice.services.operations import OpsOptions
from backoffice.services.staff_calls import StaffCallBook
from backoffice.services.sync_truth import SyncTruthBook
from backoffice.storage.db import BackendDB

BAD_DEVICE_STATES = ("error", "absent")
CLOCK_ALERT_S = 60.0
OVERDUE_SHOWN = 200  # overdue copies listed one by one; past that, one alert counts the rest
COUNTED_KINDS = ("dead_letters",)  # fingerprint is a count: an acknowledgement holds while it does not grow

_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS ops_alert_acks (
        alert_key TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        acked_by TEXT NOT NULL,
        acked_at TEXT NOT NULL
    )""",
]


class AlertGone(LookupError):
    """The alert to acknowledge is no longer raised (or never was)."""


def vn_time(stamp_text: str | None) -> str:
    """``2026-12-01 09:05 GMT+7`` for an ISO instant; '' for none."""
    if not stamp_text:
        return ""
    try:
        moment = datetime.fromisoformat(stamp_text)
    except ValueError:
        return stamp_text
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(VIETNAM_TIME).strftime("%Y-%m-%d %H:%M") + " GMT+7"


def logs_url(kiosk: str) -> str:
    return "/ops/logs?" + urlencode({"kiosk": kiosk})


def _alert(
    kind: str,
    kiosk: str,
    detail: str,
    *,
    subject: str = "",
    fingerprint: str = "",
    params: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``detail``: the technical text (what a kiosk or ingest said, as it said it); ``params``: the same
    facts as data, from which /ops writes the alert in the reader's language (i18n.Words.alert)."""
    return {
        "kind": kind,
        "kiosk_id": kiosk,
        "detail": detail[:300],
        "params": params or {},
        "key": "|".join((kind, kiosk, subject))[:300],
        "fingerprint": fingerprint[:200],
        "code": subject if kind == "overdue" else None,
        "logs_url": logs_url(kiosk),
        "acked_by": None,
        "acked_at": None,
        "kiosk_says": None,
    }


def _age_minutes(stamp_text: str | None, now: datetime) -> float | None:
    if not stamp_text:
        return None
    try:
        return (now - datetime.fromisoformat(stamp_text)).total_seconds() / 60
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


class FleetView:
    def __init__(self, db: BackendDB, options: OpsOptions | None = None) -> None:
        self.db = db
        self.options = options or OpsOptions()
        self.truth = SyncTruthBook(db)
        with db._tx() as cur:
            for statement in _SCHEMA:
                cur.execute(statement)

    # ------------------------------------------------------------------------------------------- fleet

    def health(self, *, now: datetime | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(kiosks, alerts), alerts not yet acknowledged first."""
        now = now or datetime.now(UTC)
        options = self.options
        wards = self.db.kiosk_wards()
        base = {item["kiosk_id"]: item for item in self.db.fleet()}
        for kiosk in self.truth.kiosks():  # a kiosk whose every upload was refused still shows
            base.setdefault(kiosk, {"kiosk_id": kiosk})
        kiosks, alerts = [], []
        for kid in sorted(base):
            item = base[kid]
            health = item.get("health") or {}
            health = health if isinstance(health, dict) else {}
            devices = _devices(health)
            truth = self.truth.truth(kid)
            age = _age_minutes(item.get("last_heartbeat_at"), now)
            backlogs = recent_backlogs(self.db, kid, options.backlog_growing_beats)
            growing = (
                len(backlogs) >= options.backlog_growing_beats
                and all(a < b for a, b in pairwise(backlogs))
                and bool(truth.backlog)
            )
            claimed_ward = str(health.get("ward", ""))[:100]
            kiosks.append(
                {
                    "kiosk_id": kid,
                    "ward": wards.get(kid) or claimed_ward,
                    "ward_set_by_city": kid in wards,
                    "ward_claimed": claimed_ward,
                    "software_version": str(health.get("software_version", ""))[:64],
                    "last_heartbeat_at": item.get("last_heartbeat_at"),
                    "last_heartbeat_kiosk_time": item.get("last_heartbeat_kiosk_time"),
                    "silent_minutes": round(age, 1) if age is not None else None,
                    "clock_offset_s": truth.clock_offset_s,
                    "backlog": truth.backlog,
                    "reported_backlog": truth.reported_backlog,
                    "drained_since_heartbeat": truth.drained_since_heartbeat,
                    "dead_letters": truth.dead_letters,
                    "reported_dead_letters": truth.reported_dead_letters,
                    "oldest_unsynced": item.get("oldest_unsynced"),
                    "last_error": item.get("last_error"),
                    "error_rate": item.get("error_rate"),
                    "records_held": item.get("records_held"),
                    "devices": devices,
                    "backlog_growing": growing,
                }
            )
            for device in devices:
                if device["state"] in BAD_DEVICE_STATES:
                    alerts.append(
                        _alert(
                            "device",
                            kid,
                            f"{device['name']}: {device['state']} {device['detail']}",
                            subject=device["name"],
                            fingerprint=device["state"],
                            params={"device": device["name"], "state": device["state"]},
                        )
                    )
            if growing:
                alerts.append(
                    _alert(
                        "backlog", kid, " → ".join(str(b) for b in backlogs), params={"backlogs": backlogs}
                    )
                )
            if age is None or age > options.silent_minutes:
                silent = "—" if age is None else f"{age:.0f} min"  # — : no heartbeat ever
                alerts.append(
                    _alert(
                        "silent",
                        kid,
                        silent,
                        fingerprint=str(item.get("last_heartbeat_at")),
                        params={"minutes": None if age is None else round(age)},
                    )
                )
            worst = max(truth.dead_letters, truth.reported_dead_letters or 0)
            if worst:
                codes = ", ".join(f"{c} ({s} {e[:60]})" for c, s, e in truth.dead_codes)
                detail = f"{truth.dead_letters}" + (f": {codes}" if codes else "")
                refused = [{"code": c, "status": s, "error": e} for c, s, e in truth.dead_codes]
                alert = _alert(
                    "dead_letters",
                    kid,
                    detail,
                    fingerprint=str(worst),
                    params={"count": truth.dead_letters, "refused": refused},
                )
                if (truth.reported_dead_letters or 0) != truth.dead_letters:
                    alert["kiosk_says"] = truth.reported_dead_letters or 0  # shown beside, in words
                alerts.append(alert)
            offset = truth.clock_offset_s
            if offset is not None and abs(offset) > options.clock_alert_s:
                way = "fast" if offset > 0 else "slow"  # the sign says it: + ahead of the city, - behind
                alerts.append(
                    _alert("clock", kid, f"{offset:+.0f} s", fingerprint=way, params={"offset_s": offset})
                )
        for call in StaffCallBook(self.db).list_calls("open", limit=100):
            alerts.append(
                _alert(
                    "staff_call",
                    call["kiosk_id"],
                    f"{call.get('reason', '')} {vn_time(call.get('raised_at'))}",
                    subject=str(call.get("call_id", "")),
                    params={"reason": call.get("reason", ""), "raised_at": call.get("raised_at")},
                )
            )
        alerts.extend(self.overdue_alerts(now))
        return kiosks, self._with_acks(alerts)

    def overdue_alerts(self, now: datetime) -> list[dict[str, Any]]:
        """One alert per copy still waiting for its post-check past its deadline, oldest deadline first."""
        with self.db._tx() as cur:
            where = (
                " FROM copies WHERE status = 'issued' AND postcheck_due_at IS NOT NULL"
                " AND postcheck_due_at <> '' AND postcheck_due_at < ?"
            )
            cur.execute("SELECT count(*)" + where, (stamp(now),))
            total = int(cur.fetchone()[0])
            cur.execute(
                "SELECT code, kiosk_id, COALESCE(kiosk_ward, ward, ''), postcheck_due_at"
                + where
                + " ORDER BY postcheck_due_at, code LIMIT ?",
                (stamp(now), OVERDUE_SHOWN),
            )
            rows = cur.fetchall()
        alerts = [
            _alert(
                "overdue",
                str(kiosk),
                f"{code} · {ward or '—'} · {vn_time(str(due))}",
                subject=str(code),
                fingerprint=str(due),
                params={"code": str(code), "ward": str(ward or ""), "due_at": str(due)},
            )
            for code, kiosk, ward, due in rows
        ]
        if total > len(rows):
            alerts.append(
                _alert(
                    "overdue_more",
                    "",
                    f"+{total - len(rows)}",
                    fingerprint=str(total),
                    params={"more": total - len(rows)},
                )
            )
        return alerts

    # ------------------------------------------------------------------------------------------- acks

    def _acks(self) -> dict[str, tuple[str, str, str]]:
        with self.db._tx() as cur:
            cur.execute("SELECT alert_key, fingerprint, acked_by, acked_at FROM ops_alert_acks")
            return {str(k): (str(f), str(b), str(a)) for k, f, b, a in cur.fetchall()}

    def _with_acks(self, alerts: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        acks = self._acks()
        standing = {a["key"] for a in alerts}
        # An acknowledgement ends with its alert (a cleared alert that comes back is new); overdue copies'
        # alerts end for good when the copy is decided, so their rows are kept (nothing comes back).
        gone = [k for k in acks if k not in standing and not k.startswith("overdue|")]
        if gone:
            with self.db._tx() as cur:
                for key in gone:
                    cur.execute("DELETE FROM ops_alert_acks WHERE alert_key = ?", (key,))
        for alert in alerts:
            ack = acks.get(alert["key"])
            if ack is not None and _still_acked(alert, ack[0]):
                alert["acked_by"], alert["acked_at"] = ack[1], ack[2]
        return sorted(alerts, key=lambda a: a["acked_by"] is not None)

    def acknowledge(self, key: str, *, username: str, now: datetime | None = None) -> dict[str, Any]:
        """Acknowledge the standing alert ``key`` in its current state; audited. AlertGone when not raised."""
        _, alerts = self.health(now=now)
        alert = next((a for a in alerts if a["key"] == key), None)
        if alert is None:
            raise AlertGone(key)
        at = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
        with self.db._tx() as cur:
            cur.execute(
                "INSERT INTO ops_alert_acks(alert_key, kind, fingerprint, acked_by, acked_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (alert_key) DO UPDATE SET fingerprint = excluded.fingerprint,"
                " acked_by = excluded.acked_by, acked_at = excluded.acked_at",
                (key, alert["kind"], alert["fingerprint"], username, at),
            )
        audit(
            self.db,
            username,
            "ops_alert_ack",
            alert["code"],
            f"{key} [{alert['fingerprint']}] {alert['detail']}",
        )
        return {**alert, "acked_by": username, "acked_at": at}


def _still_acked(alert: dict[str, Any], acked_fingerprint: str) -> bool:
    if alert["fingerprint"] == acked_fingerprint:
        return True
    if alert["kind"] in COUNTED_KINDS:
        try:
            return int(alert["fingerprint"]) <= int(acked_fingerprint)
        except ValueError:
            return False
    return False
