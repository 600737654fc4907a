"""The console's last gaps of issue 24, over real HTTP: a copy's post-check deadline on its page and in the
queue row (GMT+7, labelled, overdue said as such; late or on time once decided), and the queue's filter
menus scoped to what the officer may see (a supervisor's hold every ward), with the ward column showing the
ward the city gave the copy's kiosk when the record names none."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from backoffice.services.auth import add_user
from backoffice.services.postcheck import filter_choices
from tests.backoffice.city import visit_metrics
from tests.backoffice.console_helpers import csrf_of, issue_sealed, officer_client, visible_text
from tests.backoffice.helpers import OFFICER, PASSWORD, WARD, BackOffice

OTHER_WARD = "Phường Cửa Nam"
OTHER_OFFICER = "minh.cn"
SUPERVISOR = "lan.supervisor"
VIETNAM = dt.timezone(dt.timedelta(hours=7))


def _end_of_day_gmt7(day: dt.date) -> dt.datetime:
    """How deadlines are stored: the end of the due day in Vietnam, as UTC."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), VIETNAM).astimezone(dt.UTC)


def _set_due(office: BackOffice, code: str, due: dt.datetime | None) -> None:
    assert office.db is not None
    with office.db._tx() as cur:
        cur.execute(
            "UPDATE copies SET postcheck_due_at = ? WHERE code = ?",
            (due.isoformat(timespec="seconds") if due else None, code),
        )


def _row(html: str, code: str) -> str:
    match = re.search(rf'<tr class="copy-row" data-code="{re.escape(code)}".*?</tr>', html, re.S)
    assert match, f"{code} is not in the queue"
    return visible_text(match.group(0))


def _due_bar(html: str) -> str:
    """The words of the copy page's deadline (in its action bar, above the fold)."""
    match = re.search(r'<span class="due [^"]*" id="due-at">.*?</span>\s*\n', html, re.S)
    assert match, "no deadline on the copy page"
    return visible_text(match.group(0))


def test_the_deadline_shows_on_the_copy_page_and_in_the_queue_row(sqlite_office: BackOffice) -> None:
    office = sqlite_office
    office.add_officer()
    today = dt.datetime.now(VIETNAM).date()
    overdue, in_time, undated, decided = (issue_sealed(office) for _ in range(4))
    past, future = today - dt.timedelta(days=2), today + dt.timedelta(days=3)
    _set_due(office, overdue, _end_of_day_gmt7(past))
    _set_due(office, in_time, _end_of_day_gmt7(future))
    _set_due(office, undated, None)
    _set_due(office, decided, _end_of_day_gmt7(past))
    with officer_client(office) as client:
        queue = client.get("/console", params={"per_page": "20"}).text
        assert _row(queue, overdue).count(f"{past.isoformat()} 23:59 GMT+7 Quá hạn") == 1
        assert f"{future.isoformat()} 23:59 GMT+7" in _row(queue, in_time)
        assert "Quá hạn" not in _row(queue, in_time) and "Quá hạn" not in _row(queue, undated)
        assert 'class="time due overdue"' in re.search(rf'data-code="{overdue}".*?</tr>', queue, re.S).group(
            0
        )  # type: ignore[union-attr]

        page = client.get(f"/console/copies/{overdue}").text
        assert _due_bar(page) == f"Hạn hậu kiểm: {past.isoformat()} 23:59 GMT+7 Quá hạn"
        assert 'class="due due-overdue"' in page
        assert _due_bar(client.get(f"/console/copies/{in_time}").text) == (
            f"Hạn hậu kiểm: {future.isoformat()} 23:59 GMT+7"
        )
        assert _due_bar(client.get(f"/console/copies/{undated}").text) == "Hạn hậu kiểm: chưa có hạn"
        english = client.get(f"/console/copies/{overdue}", params={"lang": "en"}).text
        assert _due_bar(english) == f"Post-check due: {past.isoformat()} 23:59 GMT+7 Overdue"
        client.get("/console", params={"lang": "vi"})

        # Decided after its deadline: the page says it was post-checked late, and it is no longer overdue.
        token = csrf_of(client.get(f"/console/copies/{decided}").text)
        done = client.post(f"/console/copies/{decided}/approve", data={"csrf_token": token, "confirmed": "1"})
        assert done.status_code == 303, done.text[:300]
        assert _due_bar(client.get(f"/console/copies/{decided}").text) == (
            f"Hạn hậu kiểm: {past.isoformat()} 23:59 GMT+7 Hậu kiểm trễ hạn"
        )
        done_queue = client.get("/console", params={"status": "post_checked"}).text
        assert "Quá hạn" not in _row(done_queue, decided)


@pytest.fixture
def two_wards(office: BackOffice) -> BackOffice:
    """HN-001 serves WARD (officer hoa.nt), HN-002 serves OTHER_WARD (officer minh.cn); a supervisor."""
    assert office.db is not None
    office.add_officer()
    office.db.set_kiosk_ward("HN-002", OTHER_WARD, by="tests")
    add_user(office.db, OTHER_OFFICER, PASSWORD, "officer", "Phạm Văn Minh", ward=OTHER_WARD)
    add_user(office.db, SUPERVISOR, PASSWORD, "supervisor", "Vũ Thị Lan")
    return office


def _options(html: str, select_id: str) -> list[str]:
    match = re.search(rf'<select name="\w+" id="{select_id}">(.*?)</select>', html, re.S)
    assert match, select_id
    return [v for v in re.findall(r'<option value="([^"]*)"', match.group(1)) if v]


def test_filter_menus_hold_only_what_the_officer_may_see(two_wards: BackOffice) -> None:
    office = two_wards
    assert office.db is not None
    mine = issue_sealed(office, "HN-001", doc_type="birth_certificate")
    theirs = issue_sealed(office, "HN-002", doc_type="diploma")
    # A record claiming the officer's ward from the other ward's kiosk: the city's ward is the kiosk's.
    claimed = issue_sealed(office, "HN-002", doc_type="land_use_certificate",
                           visit_metrics=visit_metrics(300.0, ward=WARD))  # fmt: skip
    # A copy stored before copies carried their kiosk's ward: it shows the ward the city now gives HN-002.
    older = issue_sealed(office, "HN-002", doc_type="marriage_certificate")
    with office.db._tx() as cur:
        cur.execute("UPDATE copies SET kiosk_ward = NULL WHERE code = ?", (older,))

    with officer_client(office, OFFICER) as client:
        queue = client.get("/console").text
        assert _options(queue, "f-kiosk") == ["HN-001"]
        assert _options(queue, "f-ward") == [WARD]
        assert _options(queue, "f-doc-type") == ["birth_certificate"]
        text = visible_text(queue)
        assert OTHER_WARD not in text and "HN-002" not in text and "Văn bằng" not in text
        assert WARD in _row(queue, mine)  # the record names no ward: the kiosk's, as the city set it
        # Asking by URL for another ward's values shows nothing of theirs (the rows stay scoped).
        for params in ({"ward": OTHER_WARD}, {"kiosk": "HN-002"}, {"doc_type": "diploma"}):
            asked = client.get("/console", params=params).text
            assert theirs not in asked and claimed not in asked and older not in asked
    with officer_client(office, OTHER_OFFICER) as client:
        queue = client.get("/console").text
        assert _options(queue, "f-kiosk") == ["HN-002"]
        assert _options(queue, "f-ward") == [OTHER_WARD]  # not the ward a record claimed
        assert _options(queue, "f-doc-type") == ["diploma", "land_use_certificate"]
        assert _row(queue, claimed).startswith(claimed) and f"{OTHER_WARD} (hồ sơ ki-ốt ghi: {WARD})" in (
            _row(queue, claimed)
        )
    with officer_client(office, SUPERVISOR) as client:
        queue = client.get("/console", params={"per_page": "20"}).text
        assert _options(queue, "f-kiosk") == ["HN-001", "HN-002"]
        assert _options(queue, "f-ward") == sorted([WARD, OTHER_WARD])
        assert _options(queue, "f-doc-type") == sorted(
            ["birth_certificate", "diploma", "land_use_certificate", "marriage_certificate"]
        )
        assert OTHER_WARD in _row(queue, older) and OTHER_WARD in _row(queue, theirs)
        assert WARD in _row(queue, mine)
        # The ward filter is the ward shown: the other ward's copies, also the one stored without it.
        by_ward = client.get("/console", params={"ward": OTHER_WARD, "per_page": "20"}).text
        codes = re.findall(r'<tr class="copy-row" data-code="([^"]+)"', by_ward)
        assert sorted(codes) == sorted([theirs, claimed, older])
        copy_page = visible_text(client.get(f"/console/copies/{older}").text)
        assert f"HN-002 · {OTHER_WARD}" in copy_page
    # The service: no user is every value (the command line); an officer without a ward sees none.
    assert filter_choices(office.db, None)["kiosks"] == ["HN-001", "HN-002"]
    add_user(office.db, "no.ward", PASSWORD, "officer", "Không Phường")
    with officer_client(office, "no.ward") as client:
        queue = client.get("/console").text
        assert _options(queue, "f-kiosk") == _options(queue, "f-ward") == _options(queue, "f-doc-type") == []


def test_an_anonymous_queue_request_learns_no_menu(two_wards: BackOffice) -> None:
    issue_sealed(two_wards, "HN-002", doc_type="diploma")
    answer = httpx.get(two_wards.public_url + "/console", follow_redirects=False, timeout=30)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert "HN-002" not in answer.text and OTHER_WARD not in answer.text
