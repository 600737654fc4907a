"""An officer works through the console in headless Chromium (issue 24): the keys (j/k, arrows, Enter, a,
r, u, ?), the confirm dialogs (Enter accepts approve), the next copy after each decision, the filter kept
by Back, batch approval with its per-copy results, Approve above the fold at 1440x900 and at a phone's
width, no raw key in the Vietnamese page text and every time labelled GMT+7."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from backoffice.services.postcheck import copy_state
from tests.backoffice.browser import chromium
from tests.backoffice.console_helpers import MISREAD_NAME, issue_sealed, phone_viewport, raw_keys
from tests.backoffice.helpers import OFFICER, PASSWORD, BackOffice

WAIT_S = 90


@pytest.fixture
def desk() -> Iterator[object]:
    with chromium(1440, 900, lang="vi") as driver:
        yield driver


def _login(driver, office: BackOffice, path: str = "/console") -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(office.public_url + path)
    WebDriverWait(driver, WAIT_S).until(ec.presence_of_element_located((By.ID, "login-form")))
    driver.find_element(By.ID, "username").send_keys(OFFICER)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login").click()
    WebDriverWait(driver, WAIT_S).until(ec.presence_of_element_located((By.ID, "count")))
    if path != "/console":
        driver.get(office.public_url + path)


def _press(driver, *keys: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    chain = ActionChains(driver)
    for key in keys:
        chain.send_keys(key)
    chain.perform()


def _above_the_fold(driver, element_id: str) -> bool:
    return bool(
        driver.execute_script(
            "const r = document.getElementById(arguments[0]).getBoundingClientRect();"
            "return r.top >= 0 && r.bottom <= window.innerHeight && r.width > 0;",
            element_id,
        )
    )


def _body_text(driver) -> str:
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.TAG_NAME, "body").text)


def test_keyboard_flow_next_after_decision_and_filter_kept(sqlite_office: BackOffice, desk) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    office, driver = sqlite_office, desk
    wait = WebDriverWait(driver, WAIT_S)
    office.add_officer()
    codes = [issue_sealed(office, "HN-001") for _ in range(4)]
    other = issue_sealed(office, "HN-002")
    _login(driver, office, "/console?kiosk=HN-001")
    wait.until(ec.url_contains("kiosk=HN-001"))
    rows = [r.get_attribute("data-code") for r in driver.find_elements(By.CSS_SELECTOR, "tr.copy-row")]
    assert rows == codes and other not in rows  # oldest first, filtered

    # ? shows the keys; Esc closes them. j moves down, k up, Enter opens the current row.
    _press(driver, "?")
    wait.until(lambda d: d.find_element(By.ID, "help").get_attribute("open") is not None)
    assert "Phê duyệt" in _body_text(driver) or "Bản sao sau" in driver.find_element(By.ID, "help").text
    _press(driver, Keys.ESCAPE)
    wait.until(lambda d: d.find_element(By.ID, "help").get_attribute("open") is None)
    _press(driver, "j", "j", "k", Keys.ARROW_DOWN)
    current = driver.find_element(By.CSS_SELECTOR, "tr.copy-row.current").get_attribute("data-code")
    assert current == codes[1]
    _press(driver, Keys.ENTER)
    wait.until(ec.url_contains(f"/console/copies/{codes[1]}"))
    assert "kiosk=HN-001" in driver.current_url
    assert _above_the_fold(driver, "approve")

    # a: the light confirm, Enter accepts; the next copy of the same filter opens.
    _press(driver, "a")
    wait.until(lambda d: d.find_element(By.ID, "approve-dialog").get_attribute("open") is not None)
    assert driver.switch_to.active_element.get_attribute("id") == "approve-confirm"
    _press(driver, Keys.ENTER)
    wait.until(ec.url_contains(f"/console/copies/{codes[2]}"))
    assert "kiosk=HN-001" in driver.current_url and f"Đã phê duyệt {codes[1]}." in _body_text(driver)
    assert copy_state(office.db, codes[1])["status"] == "post_checked"  # type: ignore[arg-type,index]

    # k / ← goes to the previous copy still in the queue, j / → to the next.
    _press(driver, "k")
    wait.until(ec.url_contains(f"/console/copies/{codes[0]}"))
    _press(driver, Keys.ARROW_RIGHT)
    wait.until(ec.url_contains(f"/console/copies/{codes[2]}"))

    # r: confirmation with a reason from the fixed list and an internal note; Esc cancels without a trace.
    _press(driver, "r")
    wait.until(lambda d: d.find_element(By.ID, "revoke-dialog").get_attribute("open") is not None)
    _press(driver, Keys.ESCAPE)
    wait.until(lambda d: d.find_element(By.ID, "revoke-dialog").get_attribute("open") is None)
    assert copy_state(office.db, codes[2])["status"] == "issued"  # type: ignore[arg-type,index]
    _press(driver, "r")
    wait.until(lambda d: d.find_element(By.ID, "revoke-dialog").get_attribute("open") is not None)
    driver.find_element(By.ID, "revoke-confirm").click()  # no reason chosen: the browser refuses to send
    assert copy_state(office.db, codes[2])["status"] == "issued"  # type: ignore[arg-type,index]
    Select(driver.find_element(By.ID, "reason-code")).select_by_value("original_forged")
    driver.find_element(By.ID, "reason").send_keys("dấu giáp lai không khớp")
    driver.find_element(By.ID, "revoke-confirm").click()
    wait.until(ec.url_contains(f"/console/copies/{codes[3]}"))
    state = copy_state(office.db, codes[2])  # type: ignore[arg-type]
    assert state is not None and (state["status"], state["revoked_reason_code"]) == (
        "revoked",
        "original_forged",
    )

    # u: back to the queue, with its filter.
    _press(driver, "u")
    wait.until(ec.presence_of_element_located((By.ID, "queue")))
    assert "kiosk=HN-001" in driver.current_url
    rows = [r.get_attribute("data-code") for r in driver.find_elements(By.CSS_SELECTOR, "tr.copy-row")]
    assert rows == [codes[0], codes[3]]


def test_batch_approval_in_the_browser_shows_each_result(sqlite_office: BackOffice, desk) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    office, driver = sqlite_office, desk
    wait = WebDriverWait(driver, WAIT_S)
    office.add_officer()
    codes = [issue_sealed(office, "HN-001") for _ in range(5)]
    _login(driver, office)
    assert driver.find_element(By.ID, "batch-approve").get_attribute("disabled") is not None
    _press(driver, "j", "x", "j", "x", "j", "x")  # three copies picked by key
    assert driver.find_element(By.ID, "batch-count").text == "3"
    driver.find_element(By.CSS_SELECTOR, f'input.pick[value="{codes[4]}"]').click()  # and one by mouse
    _press(driver, "a")
    wait.until(lambda d: d.find_element(By.ID, "batch-dialog").get_attribute("open") is not None)
    assert "4 bản sao" in driver.find_element(By.ID, "batch-q").text
    _press(driver, Keys.ENTER)
    wait.until(ec.presence_of_element_located((By.ID, "batch-results")))
    outcomes = {
        r.get_attribute("data-code"): r.get_attribute("data-outcome")
        for r in driver.find_elements(By.CSS_SELECTOR, "tr.result-row")
    }
    assert outcomes == {
        codes[0]: "approved",
        codes[1]: "approved",
        codes[2]: "approved",
        codes[4]: "approved",
    }
    assert "4/4 bản sao đã được ký." in _body_text(driver)
    for code in (codes[0], codes[1], codes[2], codes[4]):
        assert copy_state(office.db, code)["status"] == "post_checked"  # type: ignore[arg-type,index]
    assert copy_state(office.db, codes[3])["status"] == "issued"  # type: ignore[arg-type,index]
    assert raw_keys(_body_text(driver)) == []


def test_words_times_and_approve_above_the_fold_on_a_phone(sqlite_office: BackOffice) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    office = sqlite_office
    office.add_officer()
    code = issue_sealed(
        office,
        ocr_fields={"full_name": MISREAD_NAME, "date_of_birth": "2019-05-04", "seal": "absent"},
        ocr_low_words=["THỦ"],
        liveness="passed:turn_right+blink",
        identity_source="chip",
    )
    with chromium(390, 844, lang="vi") as driver:
        phone_viewport(driver)
        wait = WebDriverWait(driver, WAIT_S)
        _login(driver, office)
        queue_text = _body_text(driver)
        driver.get(f"{office.public_url}/console/copies/{code}")
        wait.until(ec.presence_of_element_located((By.ID, "approve")))
        assert driver.execute_script("return window.innerWidth") == 390
        assert _above_the_fold(driver, "approve") and _above_the_fold(driver, "revoke")
        copy_text = _body_text(driver)
        differs = driver.find_elements(By.CSS_SELECTOR, "#fields span.w.differs")
        assert [w.text for w in differs] == ["THỦ"]
        colour = driver.execute_script("return getComputedStyle(arguments[0]).backgroundColor", differs[0])
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent")  # really highlighted on screen
    for text in (queue_text, copy_text):
        assert raw_keys(text) == [], raw_keys(text)
        stamps = re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?(?: GMT\+7)?", text)
        assert stamps and all(s.endswith("GMT+7") for s in stamps), stamps
    assert "Đạt: quay sang phải, chớp mắt" in copy_text and "Bản gốc không thấy con dấu" in copy_text
