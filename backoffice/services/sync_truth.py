"""What the backend itself saw of each kiosk's sync (issue 24): the answer it gave to every record, and from
those, the kiosk's backlog and dead letters as they are now, not as its last heartbeat claimed them.

* Every record answer goes into `ingest_answers` (an ingest hook): stored, replayed, or refused for good
  (a 4xx other than 408/429, which the kiosk moves to its dead letter). One row per (kiosk, code), the
  latest answer wins: a code refused and later stored is no dead letter any more.
* **Dead letters** = the kiosk's codes whose latest answer is a refusal. That is what the city saw; the
  kiosk's own count (heartbeat) is shown beside it and raises the alert too when it is higher, since a
  kiosk can dead-letter what never reached the city (a body the backend could not even parse).
* **Backlog** = the last heartbeat's backlog less the records of that backlog answered since: created
  (kiosk clock) no later than the heartbeat was taken, answered (city clock) after it was taken. The
  heartbeat's instant on the city's clock is its kiosk time less the kiosk's clock offset.
* **Clock offset** = max(kiosk time - receive time) over the kiosk's last heartbeats. Each difference is
  the offset less the heartbeat's delay in transit or in the kiosk's queue, so the largest is the least
  delayed one (NTP's minimum-delay filter): a batch of heartbeats queued offline does not read as a slow
  clock, and a clock really 12 minutes slow reads -720 s.

The authenticated kiosk is each record's kiosk_id here: ingest refuses (403) a record naming another kiosk
before anything else, and such a refusal is not counted against the kiosk it names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from backoffice.storage.db import BackendDB
from offline_sync.protocol import IngestResult, RecordUpload

OFFSET_BEATS = 5  # heartbeats the clock offset is estimated over
KIOSK_MISMATCH = "kiosk_id does not match the client certificate"  # db.ingest's words for a foreign record

_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS ingest_answers (
        kiosk_id TEXT NOT NULL,
        code TEXT NOT NULL,
        created_at TEXT NOT NULL,
        answered_at TEXT NOT NULL,
        status INTEGER NOT NULL,
        error TEXT,
        refusals INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (kiosk_id, code)
    )""",
    "CREATE INDEX IF NOT EXISTS ingest_answers_time ON ingest_answers(kiosk_id, answered_at)",
]


def utc_text(moment: datetime) -> str:
    """One text form for instants (UTC, microseconds always written), so they compare as text."""
    when = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def is_dead(status: int) -> bool:
    """The kiosk's rule (offline_sync.client.classify): a 4xx other than 408 and 429 is final."""
    return 400 <= status < 500 and status not in (408, 429)


@dataclass(frozen=True)
class SyncTruth:
    kiosk_id: str
    backlog: int | None  # None: no heartbeat yet, so nothing known of what waits on the kiosk
    reported_backlog: int | None
    drained_since_heartbeat: int
    dead_letters: int
    reported_dead_letters: int | None
    dead_codes: tuple[tuple[str, int, str], ...]  # (code, status, error), newest first, at most 5
    clock_offset_s: float | None


class SyncTruthBook:
    def __init__(self, db: BackendDB) -> None:
        self.db = db
        with db._tx() as cur:
            for statement in _SCHEMA:
                cur.execute(statement)

    def record_answers(
        self, records: Sequence[RecordUpload], results: Sequence[IngestResult], *, now: datetime | None = None
    ) -> int:
        """Ingest hook: the final answer to each record (retryable answers are no answer yet)."""
        at = utc_text(now or datetime.now(UTC))
        written = 0
        with self.db._tx() as cur:
            for rec, res in zip(records, results, strict=True):
                ok = 200 <= res.status < 300
                if not ok and not is_dead(res.status):
                    continue
                if res.status == 403 and res.error == KIOSK_MISMATCH:
                    continue  # sent by another kiosk than the one it names: not this kiosk's dead letter
                cur.execute(
                    "INSERT INTO ingest_answers(kiosk_id, code, created_at, answered_at, status, error, refusals)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kiosk_id, code) DO UPDATE SET"
                    " answered_at = excluded.answered_at, status = excluded.status, error = excluded.error,"
                    " refusals = ingest_answers.refusals + excluded.refusals",
                    (
                        rec.kiosk_id,
                        rec.code,
                        utc_text(rec.created_at),
                        at,
                        res.status,
                        None if ok else (res.error or f"HTTP {res.status}")[:300],
                        0 if ok else 1,
                    ),
                )
                written += 1
        return written

    def kiosks(self) -> list[str]:
        with self.db._tx() as cur:
            cur.execute("SELECT DISTINCT kiosk_id FROM ingest_answers ORDER BY kiosk_id")
            return [str(r[0]) for r in cur.fetchall()]

    def clock_offset(self, kiosk_id: str) -> float | None:
        with self.db._tx() as cur:
            cur.execute(
                "SELECT sent_at, received_at FROM heartbeats WHERE kiosk_id = ?"
                " ORDER BY received_at DESC, sent_at DESC LIMIT ?",
                (kiosk_id, OFFSET_BEATS),
            )
            rows = cur.fetchall()
        diffs = []
        for sent, received in rows:
            try:
                diffs.append((_instant(sent) - _instant(received)).total_seconds())
            except ValueError:
                continue
        return round(max(diffs), 3) if diffs else None

    def truth(self, kiosk_id: str) -> SyncTruth:
        offset = self.clock_offset(kiosk_id)
        with self.db._tx() as cur:
            cur.execute(
                "SELECT sent_at, backlog, dead_letters FROM heartbeats WHERE kiosk_id = ?"
                " ORDER BY received_at DESC, sent_at DESC LIMIT 1",
                (kiosk_id,),
            )
            beat = cur.fetchone()
            cur.execute(
                "SELECT code, status, error FROM ingest_answers WHERE kiosk_id = ? AND status >= 400"
                " ORDER BY answered_at DESC",
                (kiosk_id,),
            )
            dead = [(str(c), int(s), str(e or "")) for c, s, e in cur.fetchall() if is_dead(int(s))]
            drained = 0
            if beat is not None:
                taken_kiosk = _instant(beat[0])
                taken_city = taken_kiosk - timedelta(seconds=offset or 0.0)
                cur.execute(
                    "SELECT count(*) FROM ingest_answers WHERE kiosk_id = ? AND created_at <= ?"
                    " AND answered_at > ?",
                    (kiosk_id, utc_text(taken_kiosk), utc_text(taken_city)),
                )
                drained = int(cur.fetchone()[0])
        reported = int(beat[1]) if beat is not None else None
        return SyncTruth(
            kiosk_id=kiosk_id,
            backlog=max(0, reported - drained) if reported is not None else None,
            reported_backlog=reported,
            drained_since_heartbeat=drained,
            dead_letters=len(dead),
            reported_dead_letters=int(beat[2]) if beat is not None else None,
            dead_codes=tuple(dead[:5]),
            clock_offset_s=offset,
        )


def _instant(text: Any) -> datetime:
    moment = datetime.fromisoformat(str(text))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
