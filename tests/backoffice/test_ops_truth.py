"""/ops tells the truth (issue 24): deadlines stored at ingest and shown, post-check KPIs per ward and day
(HTTP JSON and CSV), overdue copies as alerts, backlog and dead letters from what the city received and
refused (not from the last heartbeat), the clock offset alert, and acknowledging an alert as an attacker
would try it (no token, a wrong token, an officer, an alert that is not raised). SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from backoffice.services.auth import add_user, audit_trail
from backoffice.services.deadlines import DeadlineRule, WorkingCalendar
from backoffice.services.postcheck import revoke
from tests.backoffice.city import IT_USER, OFFICER_USER, CityOffice, csrf_of, staff_login
from tests.backoffice.helpers import PASSWORD, WARD, Kiosks, len_pages, record_body
from tests.sync.helpers import Pki

ICT = timezone(timedelta(hours=7))
OTHER_WARD = "Phường Tràng Tiền"


@pytest.fixture(params=["sqlite", "postgresql"])
def city(request: pytest.FixtureRequest, pki: Pki, kiosks: Kiosks, tmp_path: Path) -> Iterator[CityOffice]:
    db_url = request.getfixturevalue("postgres").new_database() if request.param == "postgresql" else ""
    office = CityOffice(pki, kiosks, tmp_path / "backend", db_url=db_url).start()
    office.add_staff()
    yield office
    office.stop()


@pytest.fixture
def sqlite_city(pki: Pki, kiosks: Kiosks, tmp_path: Path) -> Iterator[CityOffice]:
    office = CityOffice(pki, kiosks, tmp_path / "backend").start()
    office.add_staff()
    yield office
    office.stop()


def issue(city: CityOffice, kiosk: str, issued: datetime) -> str:
    code, _ = city.issue_with_secret(kiosk, created_at=issued.isoformat())
    return code


def issue_unsent(city: CityOffice, kiosk: str, issued: datetime) -> dict[str, Any]:
    """A certified copy the kiosk holds and has not sent yet."""
    code, pdf = city.kiosks.issue(kiosk, issued_at=issued)
    return record_body(code, pdf, kiosk=kiosk, pages=len_pages(pdf), created_at=issued.isoformat())


def refused_upload(city: CityOffice, kiosk: str) -> str:
    """A record the seal contradicts: the city refuses it for good (422), the kiosk dead-letters it."""
    code, pdf = city.kiosks.issue(kiosk, holder_name="ĐỖ THỊ MINH NHUNG")
    answer = city.upload(
        record_body(code, pdf, kiosk=kiosk, pages=len_pages(pdf), holder_name="NGUYEN VAN KHAC"), kiosk
    )
    assert answer.status_code == 422, answer.text
    return code


def beat(city: CityOffice, kiosk: str, *beats: tuple[datetime, int, int]) -> None:
    """Heartbeats (kiosk time, backlog, dead letters) in one request, as a kiosk flushes its queue."""
    body = {
        "heartbeats": [
            {"id": uuid.uuid4().hex, "kiosk_id": kiosk, "sent_at": sent.isoformat(), "backlog": backlog,
             "dead_letters": dead, "health": {"software_version": "1.5.0"}}
            for sent, backlog, dead in beats
        ]
    }  # fmt: skip
    with city.kiosk(kiosk) as client:
        assert client.post("/v1/heartbeats", json=body).status_code == 200


def fleet(city: CityOffice) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    with staff_login(city) as it:
        answer = it.get("/api/ops/fleet").json()
    return {k["kiosk_id"]: k for k in answer["kiosks"]}, answer["alerts"]


def last_friday_a_week_ago() -> date:
    day = datetime.now(ICT).date() - timedelta(days=8)
    while day.weekday() != 4:
        day -= timedelta(days=1)
    return day


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), ICT)


def test_deadlines_are_stored_at_ingest_and_kpis_counted_per_ward_and_day(city: CityOffice) -> None:
    assert city.db is not None and city.services is not None
    friday = last_friday_a_week_ago()
    monday, tuesday = friday + timedelta(days=3), friday + timedelta(days=4)
    # The ward's calendar has a holiday on Monday: a copy issued on Friday (or on Saturday) is due Tuesday.
    city.services.deadlines.rule = DeadlineRule(1, WorkingCalendar.parse(f"{monday} ngày nghỉ", "test"))
    city.db.set_kiosk_ward("HN-002", OTHER_WARD, by="tests")
    on_time = issue(city, "HN-001", at(friday, 10))
    late = issue(city, "HN-001", at(friday, 23, 30))
    overdue = issue(city, "HN-001", at(friday + timedelta(days=1), 0, 30))  # Saturday in Hanoi, Friday in UTC
    revoked = issue(city, "HN-002", at(friday, 9))
    fresh = issue(city, "HN-002", datetime.now(UTC) - timedelta(minutes=5))
    with city.db._tx() as cur:
        cur.execute("SELECT code, postcheck_due_at FROM copies")
        stored = dict(cur.fetchall())
    tuesday_end = datetime.combine(tuesday, time(23, 59, 59), ICT).astimezone(UTC).isoformat()
    assert {stored[c] for c in (on_time, late, overdue, revoked)} == {tuesday_end}
    assert stored[fresh] > datetime.now(UTC).isoformat()
    # The officers' decisions, at known times (the signing path is tested in test_signing_worker.py).
    with city.db._tx() as cur:
        for code, when in ((on_time, at(tuesday, 12)), (late, at(tuesday + timedelta(days=1), 9))):
            cur.execute(
                "UPDATE copies SET status = 'post_checked', post_checked_by = ?, post_checked_at = ? WHERE code = ?",
                (OFFICER_USER, when.astimezone(UTC).isoformat(), code),
            )
    add_user(city.db, "hoa.supervisor", PASSWORD, "supervisor", "Phạm Thu Hoa")  # city-wide
    revoke(city.db, revoked, username="hoa.supervisor", reason="trang 2 mờ")  # now: after Tuesday, so late
    today = datetime.now(ICT).date().isoformat()
    window = {"from": friday.isoformat(), "to": today}
    with staff_login(city) as it:
        rows = it.get("/api/ops/kpis", params={"by": "ward_day", **window}).json()["kpis"]
        exported = list(
            csv.reader(io.StringIO(it.get("/ops/kpis.csv", params={"by": "ward_day", **window}).text))
        )
        page = it.get("/ops", params=window).text
        alerts = it.get("/api/ops/fleet").json()["alerts"]
    got = {
        (r["day"], r["ward"]): (r["issued"], r["postchecked_on_time"], r["postchecked_late"], r["overdue_now"],
                                r["awaiting_postcheck"], r["revoked"])
        for r in rows
    }  # fmt: skip
    saturday = (friday + timedelta(days=1)).isoformat()
    assert got == {
        (friday.isoformat(), WARD): (2, 1, 1, 0, 0, 0),
        (saturday, WARD): (1, 0, 0, 1, 0, 0),
        (friday.isoformat(), OTHER_WARD): (1, 0, 1, 0, 0, 1),
        (today, OTHER_WARD): (1, 0, 0, 0, 1, 0),
    }
    header = exported[0]
    assert header[:2] == ["day", "ward"] and {
        "issued",
        "postchecked_on_time",
        "overdue_now",
        "revoked",
    } <= set(header)
    line = next(r for r in exported[1:] if r[:2] == [friday.isoformat(), WARD])
    assert line[header.index("postchecked_on_time")] == "1" and line[header.index("postchecked_late")] == "1"
    assert 'id="postcheck-table"' in page and "GMT+7" in page
    overdue_alerts = [a for a in alerts if a["kind"] == "overdue"]
    assert [a["code"] for a in overdue_alerts] == [overdue]  # the only copy waiting past its deadline
    assert overdue_alerts[0]["logs_url"] == "/ops/logs?kiosk=HN-001"
    assert f"{tuesday.isoformat()} 23:59 GMT+7" in overdue_alerts[0]["detail"]
    # The officer's queue shows the deadline, in GMT+7.
    with staff_login(city, OFFICER_USER) as officer:
        queue = officer.get("/console").text
    assert overdue in queue and f"{tuesday.isoformat()} 23:59 GMT+7" in queue


def test_copies_received_before_deadlines_get_theirs_at_start(sqlite_city: CityOffice) -> None:
    city = sqlite_city
    assert city.db is not None and city.services is not None
    codes = [issue(city, "HN-001", at(last_friday_a_week_ago(), 9)) for _ in range(3)]
    with city.db._tx() as cur:  # as a database from before issue 24 has them
        cur.execute("UPDATE copies SET postcheck_due_at = NULL")
    assert city.services.deadlines.fill_missing(batch=2) == 3
    with city.db._tx() as cur:
        cur.execute("SELECT count(*) FROM copies WHERE postcheck_due_at IS NULL")
        assert cur.fetchone()[0] == 0
    assert city.services.deadlines.fill_missing() == 0 and len(codes) == 3


def test_a_drained_kiosk_shows_no_backlog(city: CityOffice) -> None:
    now = datetime.now(UTC)
    held = [issue_unsent(city, "HN-001", now - timedelta(minutes=10)) for _ in range(6)]
    half = [issue_unsent(city, "HN-002", now - timedelta(minutes=10)) for _ in range(4)]
    beat(city, "HN-001", (now, 6, 0))
    beat(city, "HN-002", (now, 4, 0))
    for body in held:
        assert city.upload(body, "HN-001").status_code == 201
    for body in half[:2]:
        assert city.upload(body, "HN-002").status_code == 201
    kiosks, alerts = fleet(city)
    assert (kiosks["HN-001"]["backlog"], kiosks["HN-001"]["reported_backlog"]) == (0, 6)
    assert (kiosks["HN-002"]["backlog"], kiosks["HN-002"]["reported_backlog"]) == (2, 4)
    assert kiosks["HN-001"]["dead_letters"] == 0
    assert not [a for a in alerts if a["kind"] in ("backlog", "dead_letters", "clock")]
    # A replay of a record already stored drains nothing twice and stores nothing twice.
    assert city.upload(held[0], "HN-001").status_code == 201
    assert fleet(city)[0]["HN-001"]["backlog"] == 0


def test_the_heartbeat_taken_before_the_uploads_it_arrives_after(sqlite_city: CityOffice) -> None:
    """The kiosk takes its heartbeat, uploads its backlog, then sends the heartbeat: the city reads the
    heartbeat's instant through the kiosk's clock offset (the least-delayed heartbeat), not its arrival."""
    city = sqlite_city
    beat(city, "HN-001", (datetime.now(UTC), 0, 0))  # an earlier heartbeat, sent at once
    held = [issue_unsent(city, "HN-001", datetime.now(UTC) - timedelta(minutes=2)) for _ in range(3)]
    taken = datetime.now(UTC)
    for body in held:
        assert city.upload(body, "HN-001").status_code == 201
    beat(city, "HN-001", (taken, 3, 0))
    kiosk = fleet(city)[0]["HN-001"]
    assert (kiosk["backlog"], kiosk["reported_backlog"], kiosk["drained_since_heartbeat"]) == (0, 3, 3)


def test_clock_offset_over_60_s_is_an_alert_and_a_queued_batch_is_not(sqlite_city: CityOffice) -> None:
    city = sqlite_city
    now = datetime.now(UTC)
    beat(city, "HN-002", (now - timedelta(minutes=12), 0, 0))  # its clock runs 12 minutes slow
    # HN-001 was offline for an hour: its queued heartbeats arrive together, the last one just taken.
    beat(city, "HN-001", (now - timedelta(hours=1), 0, 0), (now - timedelta(minutes=30), 0, 0), (now, 0, 0))
    kiosks, alerts = fleet(city)
    assert kiosks["HN-002"]["clock_offset_s"] == pytest.approx(-720, abs=5)
    assert abs(kiosks["HN-001"]["clock_offset_s"]) < 5
    clock = [a for a in alerts if a["kind"] == "clock"]
    assert [a["kiosk_id"] for a in clock] == ["HN-002"] and clock[0]["detail"] == "-720 s"
    assert clock[0]["logs_url"] == "/ops/logs?kiosk=HN-002"


def test_three_dead_letters_show_as_three_and_it_acknowledges_the_alert(city: CityOffice) -> None:
    assert city.db is not None
    beat(city, "HN-002", (datetime.now(UTC), 0, 0))  # the kiosk's heartbeat claims none
    codes = [refused_upload(city, "HN-002") for _ in range(3)]
    # A record naming HN-002 sent with HN-001's certificate is refused (403) and is not HN-002's dead letter.
    code, pdf = city.kiosks.issue("HN-002")
    assert (
        city.upload(record_body(code, pdf, kiosk="HN-002", pages=len_pages(pdf)), "HN-001").status_code == 403
    )
    kiosks, alerts = fleet(city)
    assert (kiosks["HN-002"]["dead_letters"], kiosks["HN-002"]["reported_dead_letters"]) == (3, 0)
    (dead,) = [a for a in alerts if a["kind"] == "dead_letters"]
    assert dead["kiosk_id"] == "HN-002" and dead["detail"].startswith("3: ") and dead["kiosk_says"] == 0
    assert all(c in dead["detail"] for c in codes) and dead["detail"].count("422 seal_mismatch") == 3
    assert dead["logs_url"] == "/ops/logs?kiosk=HN-002" and dead["acked_by"] is None
    key = dead["key"]

    anonymous = httpx.post(city.public_url + "/ops/alerts/ack", data={"key": key}, timeout=30)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login"
    with staff_login(city, OFFICER_USER) as officer:  # an officer is not central IT
        token = csrf_of(officer.get("/console").text)
        assert officer.post("/ops/alerts/ack", data={"key": key, "csrf_token": token}).status_code == 403
        assert officer.get("/ops").status_code == 403
    with staff_login(city) as it:
        page = it.get("/ops")
        assert 'href="/ops/logs?kiosk=HN-002"' in page.text
        token = csrf_of(page.text)
        assert it.post("/ops/alerts/ack", data={"key": key}).status_code == 403  # no token
        assert it.post("/ops/alerts/ack", data={"key": key, "csrf_token": "x" * 43}).status_code == 403
        assert (
            it.post("/ops/alerts/ack", data={"key": "dead_letters|HN-009|", "csrf_token": token}).status_code
            == 409
        )
        done = it.post("/ops/alerts/ack", data={"key": key, "csrf_token": token}, follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"].startswith("/ops")
        (acked,) = [a for a in it.get("/api/ops/fleet").json()["alerts"] if a["key"] == key]
        assert acked["acked_by"] == IT_USER and acked["acked_at"]
        assert "minh.it" in it.get("/ops").text
    trail = [e for e in audit_trail(city.db) if e["action"] == "ops_alert_ack"]
    assert [(e["actor"], key in e["detail"]) for e in trail] == [(IT_USER, True)]
    assert [
        e for e in audit_trail(city.db) if e["action"] == "ops_alert_ack" and e["actor"] == OFFICER_USER
    ] == []
    # A fourth dead letter raises the alert again.
    refused_upload(city, "HN-002")
    (again,) = [a for a in fleet(city)[1] if a["kind"] == "dead_letters"]
    assert again["acked_by"] is None and again["detail"].startswith("4: ")
