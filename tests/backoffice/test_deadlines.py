"""Post-check deadlines on their own: Vietnam's working days (weekends, the shipped 2026-2027 holidays, a
worked Saturday), the issue day in GMT+7, N working days, the calendar file and its mistakes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from backoffice.services.deadlines import (
    DEFAULT_HOLIDAYS,
    DeadlineConfigError,
    DeadlineRule,
    WorkingCalendar,
    stamp,
)
from offline_sync.protocol.errors import BackendError

ICT = timezone(timedelta(hours=7))
VIETNAM = WorkingCalendar.load()


def due(issued: datetime, days: int = 1, calendar: WorkingCalendar = VIETNAM) -> str:
    return stamp(DeadlineRule(days, calendar).due_at(issued))


def test_the_shipped_calendar_has_vietnams_holidays_with_their_sources() -> None:
    text = DEFAULT_HOLIDAYS.read_text(encoding="utf-8")
    assert "Labour Code 2019" in text and "Article 112" in text and "holidays" in text
    for day in ("2026-01-01", "2026-02-17", "2026-04-30", "2026-09-02", "2027-02-06", "2027-04-16"):
        assert not VIETNAM.is_working_day(date.fromisoformat(day)), day
    assert VIETNAM.covers(date(2026, 6, 1)) and VIETNAM.covers(date(2027, 12, 31))
    assert not VIETNAM.covers(date(2028, 1, 3))
    assert VIETNAM.is_working_day(date(2026, 8, 22))  # a Saturday worked in exchange for 31 August
    assert not VIETNAM.is_working_day(date(2026, 8, 31))
    assert not VIETNAM.is_working_day(date(2026, 12, 5)) and VIETNAM.is_working_day(date(2026, 12, 7))


@pytest.mark.parametrize(
    ("issued", "days", "expected"),
    [
        # Monday morning: by the end of Tuesday (23:59:59 GMT+7 is 16:59:59 UTC).
        (datetime(2026, 12, 7, 8, 0, tzinfo=ICT), 1, "2026-12-08T16:59:59+00:00"),
        # Friday afternoon and Saturday: Monday evening.
        (datetime(2026, 12, 4, 16, 30, tzinfo=ICT), 1, "2026-12-07T16:59:59+00:00"),
        (datetime(2026, 12, 5, 10, 0, tzinfo=ICT), 1, "2026-12-07T16:59:59+00:00"),
        # 23:30 on Friday in Hanoi is Friday; 00:30 on Saturday in Hanoi is still Friday in UTC.
        (datetime(2026, 12, 4, 16, 30, tzinfo=UTC), 1, "2026-12-07T16:59:59+00:00"),
        (datetime(2026, 12, 4, 17, 30, tzinfo=UTC), 1, "2026-12-07T16:59:59+00:00"),
        # Before Tết 2026 (16-20 February) and the weekends around it: Monday 23 February.
        (datetime(2026, 2, 13, 9, 0, tzinfo=ICT), 1, "2026-02-23T16:59:59+00:00"),
        # Monday 23 November 2026 (Vietnam Culture Day on the 24th): Wednesday.
        (datetime(2026, 11, 23, 9, 0, tzinfo=ICT), 1, "2026-11-25T16:59:59+00:00"),
        # Friday 21 August 2026: Saturday 22 is worked.
        (datetime(2026, 8, 21, 9, 0, tzinfo=ICT), 1, "2026-08-22T16:59:59+00:00"),
        # Two working days, and zero (the issue day, or the next working day after a day off).
        (datetime(2026, 12, 4, 9, 0, tzinfo=ICT), 2, "2026-12-08T16:59:59+00:00"),
        (datetime(2026, 12, 4, 9, 0, tzinfo=ICT), 0, "2026-12-04T16:59:59+00:00"),
        (datetime(2026, 12, 6, 9, 0, tzinfo=ICT), 0, "2026-12-07T16:59:59+00:00"),
        # Tết 2027 (4-10 February with the made-up days): issued Wednesday 3 February, due the 11th.
        (datetime(2027, 2, 3, 9, 0, tzinfo=ICT), 1, "2027-02-11T16:59:59+00:00"),
    ],
)
def test_deadline_is_the_end_of_the_nth_working_day_after_the_issue_day(
    issued: datetime, days: int, expected: str
) -> None:
    assert due(issued, days) == expected


def test_a_naive_issue_time_is_utc_and_deadlines_sort_as_text() -> None:
    assert due(datetime(2026, 12, 4, 17, 30)) == due(datetime(2026, 12, 4, 17, 30, tzinfo=UTC))
    stamps = [due(datetime(2026, 12, d, 9, 0, tzinfo=ICT)) for d in range(1, 20)]
    assert stamps == sorted(stamps)


def test_a_calendar_file_and_its_mistakes(tmp_path: Path) -> None:
    good = tmp_path / "holidays.txt"
    good.write_text("# a ward's calendar\n2026-12-08 Ngày nghỉ riêng\n\n2026-12-12 workday Làm bù\n", "utf-8")
    calendar = WorkingCalendar.load(good)
    assert not calendar.is_working_day(date(2026, 12, 8)) and calendar.is_working_day(date(2026, 12, 12))
    # Monday 7 December: Tuesday is a holiday, Wednesday the deadline; Friday 11: Saturday 12 is worked.
    assert due(datetime(2026, 12, 7, 9, 0, tzinfo=ICT), 1, calendar) == "2026-12-09T16:59:59+00:00"
    assert due(datetime(2026, 12, 11, 9, 0, tzinfo=ICT), 1, calendar) == "2026-12-12T16:59:59+00:00"
    bad = tmp_path / "bad.txt"
    bad.write_text("2026-12-08\n08/12/2026 Ngày nghỉ\n", "utf-8")
    with pytest.raises(DeadlineConfigError, match=r"line 2 .*not a date") as caught:
        WorkingCalendar.load(bad)
    assert caught.value.subject == str(bad)
    assert isinstance(caught.value, BackendError) and caught.value.exit_code == 2  # serve: one line, exit 2
    both = tmp_path / "both.txt"
    both.write_text("2026-12-12\n2026-12-12 workday\n", "utf-8")
    with pytest.raises(DeadlineConfigError, match="both as a holiday and as worked"):
        WorkingCalendar.load(both)
    with pytest.raises(DeadlineConfigError, match="cannot read the holiday calendar"):
        WorkingCalendar.load(tmp_path / "missing.txt")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("2026-12-08 Ng\xe0y".encode("latin-1"))
    with pytest.raises(DeadlineConfigError, match="cannot read the holiday calendar"):
        WorkingCalendar.load(latin)
    for days in (-1, 61):
        with pytest.raises(DeadlineConfigError, match="postcheck-working-days"):
            DeadlineRule(days, calendar)
