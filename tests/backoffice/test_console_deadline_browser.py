"""What an officer sees in headless Chromium (issue 24 gaps): the copy's post-check deadline in the action
bar above the fold at 1440x900, overdue in words; the queue row's deadline marked overdue; the filter menus
holding only the officer's ward's kiosks, ward and document types, and the ward column filled with the
ward the city gave the kiosk."""

from __future__ import annotations

import datetime as dt
from typing import Any

from backoffice.services.auth import add_user
from tests.backoffice.browser import chromium
from tests.backoffice.console_helpers import issue_sealed
from tests.backoffice.helpers import OFFICER, PASSWORD, WARD, BackOffice

OTHER_WARD = "Phường Cửa Nam"
VIETNAM = dt.timezone(dt.timedelta(hours=7))


def _login(driver: Any, url: str, username: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url + "/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login").click()
    WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.ID, "count"))


def _menu(driver: Any, select_id: str) -> list[str]:
    from selenium.webdriver.common.by import By

    options = driver.find_elements(By.CSS_SELECTOR, f"#{select_id} option")
    return [o.text for o in options if o.get_attribute("value")]


def test_officer_sees_the_deadline_and_only_their_wards_menus(sqlite_office: BackOffice) -> None:
    from selenium.webdriver.common.by import By

    office = sqlite_office
    assert office.db is not None
    office.add_officer()
    office.db.set_kiosk_ward("HN-002", OTHER_WARD, by="tests")
    add_user(office.db, "lan.supervisor", PASSWORD, "supervisor", "Vũ Thị Lan")
    overdue = issue_sealed(office, "HN-001", doc_type="birth_certificate")
    issue_sealed(office, "HN-002", doc_type="diploma")  # another ward's copy
    past = dt.datetime.now(VIETNAM).date() - dt.timedelta(days=1)
    due = dt.datetime.combine(past, dt.time(23, 59, 59), VIETNAM).astimezone(dt.UTC)
    with office.db._tx() as cur:
        cur.execute("UPDATE copies SET postcheck_due_at = ? WHERE code = ?", (due.isoformat(), overdue))

    with chromium(1440, 900, lang="vi") as driver:
        _login(driver, office.public_url, OFFICER)
        assert _menu(driver, "f-kiosk") == ["HN-001"]
        assert _menu(driver, "f-ward") == [WARD]
        assert _menu(driver, "f-doc-type") == ["Giấy khai sinh / Trích lục khai sinh"]
        row = driver.find_element(By.CSS_SELECTOR, f'tr.copy-row[data-code="{overdue}"]')
        cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
        assert f"{past.isoformat()} 23:59 GMT+7 Quá hạn" in cells and WARD in cells
        due_cell = row.find_element(By.CSS_SELECTOR, "td.due")
        assert due_cell.value_of_css_property("color") in ("rgba(163, 32, 32, 1)", "rgb(163, 32, 32)")

        driver.get(f"{office.public_url}/console/copies/{overdue}")
        bar = driver.find_element(By.ID, "due-at")
        assert bar.text == f"Hạn hậu kiểm: {past.isoformat()} 23:59 GMT+7 Quá hạn"
        top = driver.execute_script("return arguments[0].getBoundingClientRect().bottom", bar)
        assert bar.is_displayed() and 0 < top <= 900  # above the fold, beside Approve

    with chromium(1440, 900, lang="vi") as driver:
        _login(driver, office.public_url, "lan.supervisor")
        assert _menu(driver, "f-kiosk") == ["HN-001", "HN-002"]
        assert sorted(_menu(driver, "f-ward")) == sorted([WARD, OTHER_WARD])
