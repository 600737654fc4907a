"""The walk issue 24's testers ran: two officers of the same ward approving from the SAME queue at the same
moment (not two filtered queues), so that they keep meeting on the same copies. Zero failures: a copy the
other officer got first is only ever "already done" (or shows no Approve button); at the end every copy is
post-checked and signed exactly once (one approval in the audit trail, one officer signature in its PDF),
and the work is shared (after a decision, the next copy skips one the other officer has open).
Over HTTP on SQLite and PostgreSQL, and in two headless Chromiums pressing the console's keys."""

from __future__ import annotations

from backoffice.services.postcheck import QueueFilter, queue_page
from tests.backoffice.browser import chromium
from tests.backoffice.console_helpers import OFFICER_2, add_second_officer, issue_sealed, officer_client
from tests.backoffice.console_walk import Walk, at_once, browser_walk, http_walk, signed_once
from tests.backoffice.helpers import OFFICER, PASSWORD, BackOffice

SAME_QUEUE = "doc_type=id_card"  # both officers open this one queue


def _issue(office: BackOffice, n: int) -> list[str]:
    return [issue_sealed(office, ("HN-001", "HN-002")[i % 2], doc_type="id_card") for i in range(n)]


def _check(office: BackOffice, codes: list[str], walks: list[Walk]) -> None:
    assert office.db is not None
    assert [f for w in walks for f in w.failures] == []
    worked = {w.officer: (len(w.approved), len(w.told_already)) for w in walks}
    # They share the queue: the next copy offered skips the one the other officer has open.
    assert all(approved for approved, _told in worked.values()), f"each officer approved some: {worked}"
    approved = [c for w in walks for c in w.approved]
    assert sorted(approved) == sorted(codes), "each copy approved by exactly one of them"
    assert signed_once(office.db, codes, [OFFICER, OFFICER_2]) == []
    assert queue_page(office.db, QueueFilter(doc_type="id_card")).total == 0
    # Whatever one was told was already done, the other approved.
    for walk in walks:
        others = {c for w in walks if w is not walk for c in w.approved}
        assert set(walk.told_already) <= others, (walk.officer, walk.told_already)


def test_two_officers_approve_from_the_same_queue_at_once_over_http(office: BackOffice) -> None:
    office.add_officer()
    add_second_officer(office)
    codes = _issue(office, 12)
    walks = [Walk(OFFICER), Walk(OFFICER_2)]
    with officer_client(office, OFFICER) as first, officer_client(office, OFFICER_2) as second:
        at_once([
            lambda: http_walk(first, SAME_QUEUE, walks[0]),
            lambda: http_walk(second, SAME_QUEUE, walks[1]),
        ])  # fmt: skip
    _check(office, codes, walks)


def test_two_officers_approve_from_the_same_queue_at_once_in_chromium(sqlite_office: BackOffice) -> None:
    office = sqlite_office
    office.add_officer()
    add_second_officer(office)
    codes = _issue(office, 6)
    walks = [Walk(OFFICER), Walk(OFFICER_2)]
    with chromium(1440, 900, lang="vi") as one, chromium(1440, 900, lang="vi") as two:
        for driver, username in ((one, OFFICER), (two, OFFICER_2)):
            _login(driver, office.public_url, username)
        at_once([
            lambda: browser_walk(one, office.public_url, SAME_QUEUE, walks[0]),
            lambda: browser_walk(two, office.public_url, SAME_QUEUE, walks[1]),
        ])  # fmt: skip
    _check(office, codes, walks)


def _login(driver: object, url: str, username: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url + "/login")  # type: ignore[attr-defined]
    driver.find_element(By.ID, "username").send_keys(username)  # type: ignore[attr-defined]
    driver.find_element(By.ID, "password").send_keys(PASSWORD)  # type: ignore[attr-defined]
    driver.find_element(By.ID, "login").click()  # type: ignore[attr-defined]
    WebDriverWait(driver, 60).until(lambda d: "/console" in d.current_url)
