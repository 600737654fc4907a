"""When each copy's post-check is due (issue 24): N working days after the day it was issued, in Vietnam.

A working day is a Vietnam date (GMT+7, no daylight saving) that is neither a Saturday nor a Sunday nor a
public holiday of the calendar, unless the calendar marks it worked (a Saturday swapped for a bridge
holiday). With N working days, a copy issued on day D is due by the end (23:59:59 GMT+7) of the N-th
working day after D, whatever the hour it was issued: issued on Friday with N = 1, due on Monday evening;
issued on a Saturday, also Monday evening. N = 0 means by the end of the issue day (the next working day
when it was issued on a day off).

The calendar is a text file (see data/vietnam_holidays.txt, the default: Vietnam's public holidays for
2026 and 2027 with their sources): one date a line, an optional name, `workday` before the name for a
worked weekend day. The deadline is computed once, at ingest, from the sealed issue time, and stored in
copies.postcheck_due_at (ISO, UTC); changing the rule later moves no stored deadline. Copies received
before deadlines existed get theirs when the backend starts (`DeadlineBook.fill_missing`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path

from backoffice.storage.db import BackendDB
from offline_sync.protocol import IngestResult, RecordUpload
from offline_sync.protocol.errors import BackendError

log = logging.getLogger(__name__)

VIETNAM_TIME = timezone(timedelta(hours=7), "GMT+7")
WEEKEND = frozenset({5, 6})  # Saturday, Sunday (date.weekday())
DEFAULT_HOLIDAYS = Path(__file__).with_name("data") / "vietnam_holidays.txt"
DEFAULT_WORKING_DAYS = 1
MAX_WORKING_DAYS = 60
END_OF_DAY = time(23, 59, 59)
WORKDAY_MARK = "workday"


class DeadlineConfigError(BackendError):
    """A holiday calendar or a deadline option `serve` cannot use: the operator's to fix (exit status 2)."""

    exit_code = 2


@dataclass(frozen=True)
class WorkingCalendar:
    """Vietnam's working days: Monday to Friday less ``holidays``, plus the weekend days in ``worked``."""

    holidays: frozenset[date] = frozenset()
    worked: frozenset[date] = frozenset()
    source: str = "(none)"
    years: frozenset[int] = field(default=frozenset())

    def is_working_day(self, day: date) -> bool:
        if day in self.worked:
            return True
        return day.weekday() not in WEEKEND and day not in self.holidays

    def covers(self, day: date) -> bool:
        """Whether the calendar lists the holidays of ``day``'s year (a deadline past it may be early)."""
        return day.year in self.years

    @classmethod
    def parse(cls, text: str, source: str) -> WorkingCalendar:
        """BackendError naming the line when a line is not a date (or a date twice, as holiday and worked)."""
        holidays: set[date] = set()
        worked: set[date] = set()
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            first, _, rest = line.partition(" ")
            try:
                day = date.fromisoformat(first)
            except ValueError:
                raise DeadlineConfigError(
                    f"line {number} of the holiday calendar is not a date (YYYY-MM-DD [name]): {first[:40]!r}",
                    subject=source,
                ) from None
            if rest.strip().split(" ", 1)[0] == WORKDAY_MARK:
                worked.add(day)
            else:
                holidays.add(day)
        both = holidays & worked
        if both:
            raise DeadlineConfigError(
                f"the holiday calendar lists {min(both).isoformat()} both as a holiday and as worked",
                subject=source,
            )
        years = frozenset(d.year for d in holidays | worked)
        return cls(frozenset(holidays), frozenset(worked), source, years)

    @classmethod
    def load(cls, path: Path | None = None) -> WorkingCalendar:
        """The calendar in ``path`` (the shipped Vietnam calendar when None). BackendError when unreadable."""
        path = Path(path) if path is not None else DEFAULT_HOLIDAYS
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
            raise DeadlineConfigError(
                f"cannot read the holiday calendar: {reason}", subject=str(path)
            ) from None
        return cls.parse(text, str(path))


@dataclass(frozen=True)
class DeadlineRule:
    working_days: int = DEFAULT_WORKING_DAYS
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)

    def __post_init__(self) -> None:
        if not 0 <= self.working_days <= MAX_WORKING_DAYS:
            raise DeadlineConfigError(
                f"--postcheck-working-days must be from 0 to {MAX_WORKING_DAYS}",
                subject=str(self.working_days),
            )

    def due_day(self, issued_on: date) -> date:
        """The Vietnam date by whose end a copy issued on ``issued_on`` must be post-checked."""
        day = issued_on
        if self.working_days == 0:
            while not self.calendar.is_working_day(day):
                day += timedelta(days=1)
            return day
        left = self.working_days
        while left:
            day += timedelta(days=1)
            left -= self.calendar.is_working_day(day)
        return day

    def due_at(self, issued_at: datetime) -> datetime:
        """The deadline as an instant (UTC): 23:59:59 GMT+7 of ``due_day``. A naive time is UTC."""
        moment = issued_at if issued_at.tzinfo else issued_at.replace(tzinfo=UTC)
        day = self.due_day(moment.astimezone(VIETNAM_TIME).date())
        if not self.calendar.covers(day):
            log.warning("post-check deadline %s is past the holiday calendar's years", day.isoformat())
        return datetime.combine(day, END_OF_DAY, VIETNAM_TIME).astimezone(UTC)


def stamp(moment: datetime) -> str:
    """How deadlines are stored: UTC, whole seconds, one format (so they also sort as text)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class DeadlineBook:
    """Fills copies.postcheck_due_at: an ingest hook for new copies, ``fill_missing`` for older ones."""

    def __init__(self, db: BackendDB, rule: DeadlineRule | None = None) -> None:
        self.db = db
        self.rule = rule or DeadlineRule(calendar=WorkingCalendar.load())

    def record_deadlines(self, records: Sequence[RecordUpload], results: Sequence[IngestResult]) -> int:
        """Ingest hook: the deadline of each newly stored copy, from its sealed issue time."""
        stored = [
            rec for rec, res in zip(records, results, strict=True) if res.status == 201 and not res.replayed
        ]
        with self.db._tx() as cur:
            for rec in stored:
                cur.execute(
                    "UPDATE copies SET postcheck_due_at = ? WHERE code = ? AND postcheck_due_at IS NULL",
                    (stamp(self.rule.due_at(rec.created_at)), rec.code),
                )
        return len(stored)

    def fill_missing(self, batch: int = 1000) -> int:
        """Deadlines for the copies that have none (received before deadlines existed). Returns how many."""
        filled = 0
        while True:
            with self.db._tx() as cur:
                cur.execute(
                    "SELECT code, issued_at FROM copies WHERE postcheck_due_at IS NULL ORDER BY code LIMIT ?",
                    (batch,),
                )
                rows = cur.fetchall()
                for code, issued_at in rows:
                    try:
                        due = stamp(self.rule.due_at(datetime.fromisoformat(str(issued_at))))
                    except ValueError:
                        log.warning("copy %s has an unreadable issue time; no deadline", code)
                        due = ""  # marks it done: the queue then orders it first, where someone looks
                    cur.execute("UPDATE copies SET postcheck_due_at = ? WHERE code = ?", (due, code))
            filled += len(rows)
            if len(rows) < batch:
                return filled
