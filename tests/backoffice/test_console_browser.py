"""The console in a real browser: Debian's headless Chromium driven by selenium, on SQLite and PostgreSQL.
An officer logs in, filters the queue, opens a copy (page images load), approves one and revokes another
with a reason that tries to inject markup; the public status page shows both. Screenshots go to the test's
folder, or to docs/screenshots when KIOSK_SCREENSHOTS=1."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.backoffice.browser import chromium
from tests.backoffice.helpers import OFFICER, PASSWORD, BackOffice

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def browser() -> Iterator[object]:
    with chromium(1366, 900, lang="vi") as driver:
        yield driver


def _shots(tmp_path: Path) -> Path:
    folder = REPO / "docs" / "screenshots" if os.environ.get("KIOSK_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_officer_post_checks_in_headless_chromium(office: BackOffice, browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    driver = browser
    wait = WebDriverWait(driver, 60)
    office.add_officer()
    approved = office.upload_copy(
        "HN-001",
        pages=2,
        visit_metrics={"ward": "Phường Hàng Bạc", "visit_seconds": 300, "rescans": 1, "liveness_attempts": 2},
        face_distance=0.53,
    )
    revoked = office.upload_copy(
        "HN-002",
        visit_metrics={"ward": "Phường Cửa Nam", "visit_seconds": 200},
        identity_source="qr",
        ocr_confidence=0.62,
    )
    shots = _shots(tmp_path)

    driver.get(f"{office.public_url}/console")
    wait.until(ec.presence_of_element_located((By.ID, "login-form")))  # redirected to the login page
    driver.find_element(By.ID, "username").send_keys(OFFICER)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login").click()
    wait.until(ec.presence_of_element_located((By.ID, "queue")))
    rows = [r.get_attribute("data-code") for r in driver.find_elements(By.CSS_SELECTOR, "tr.copy-row")]
    assert rows == [approved, revoked]  # oldest first (issue 24)
    assert "Khuôn mặt sát ngưỡng" in driver.page_source  # the risk flag, in Vietnamese by default
    assert "Danh tính chỉ từ mã QR thẻ" in driver.page_source and "OCR độ tin cậy thấp" in driver.page_source
    driver.save_screenshot(str(shots / "console-queue.png"))

    # Filters: a risk flag, then a kiosk.
    Select(driver.find_element(By.ID, "f-flag")).select_by_value("rescanned")
    driver.find_element(By.ID, "apply-filter").click()
    wait.until(ec.url_contains("flag=rescanned"))
    assert [r.get_attribute("data-code") for r in driver.find_elements(By.CSS_SELECTOR, "tr.copy-row")] == [
        approved
    ]
    Select(driver.find_element(By.ID, "f-flag")).select_by_value("")
    Select(driver.find_element(By.ID, "f-kiosk")).select_by_value("HN-002")
    driver.find_element(By.ID, "apply-filter").click()
    wait.until(ec.url_contains("kiosk=HN-002"))
    assert [r.get_attribute("data-code") for r in driver.find_elements(By.CSS_SELECTOR, "tr.copy-row")] == [
        revoked
    ]

    # One copy: page images really render in the browser, the ID is masked, no face image anywhere.
    driver.get(f"{office.public_url}/console/copies/{approved}")
    wait.until(ec.presence_of_element_located((By.ID, "approve")))
    images = driver.find_elements(By.CSS_SELECTOR, "img.page-image")
    assert len(images) == 2
    wait.until(
        lambda d: all(
            d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", i) for i in images
        )
    )
    assert driver.find_element(By.ID, "masked-id").text == "001******234"
    driver.save_screenshot(str(shots / "console-copy.png"))
    driver.find_element(By.ID, "approve").click()  # asks to confirm (issue 24), then the next copy opens
    wait.until(ec.element_to_be_clickable((By.ID, "approve-confirm"))).click()
    wait.until(ec.url_contains(f"after={approved}"))
    driver.get(f"{office.public_url}/console/copies/{approved}")
    wait.until(ec.text_to_be_present_in_element((By.ID, "status"), "Đã hậu kiểm"))

    # Revoke the other with a reason that tries to inject markup: shown as text.
    driver.get(f"{office.public_url}/console/copies/{revoked}?lang=en")
    wait.until(ec.presence_of_element_located((By.ID, "revoke")))
    assert "Approve and sign" in driver.page_source  # English on request
    reason = '<b id="pwned">x</b> trang 2 không khớp bản gốc'
    driver.find_element(By.ID, "revoke").click()  # a dialog: a reason from the list, an internal note
    Select(wait.until(ec.element_to_be_clickable((By.ID, "reason-code")))).select_by_value("wrong_document")
    driver.find_element(By.ID, "reason").send_keys(reason)
    driver.find_element(By.ID, "revoke-confirm").click()
    wait.until(ec.url_contains(f"after={revoked}"))
    driver.get(f"{office.public_url}/console/copies/{revoked}")
    wait.until(ec.text_to_be_present_in_element((By.ID, "status"), "Revoked"))
    assert driver.find_element(By.ID, "revoked-reason").text == reason
    assert not driver.find_elements(By.ID, "pwned")

    # The public page says it to anyone, in Vietnamese.
    driver.delete_all_cookies()
    driver.get(f"{office.public_url}/v/{revoked}")
    wait.until(ec.presence_of_element_located((By.ID, "status")))
    # the verdict line is set in capitals by the page's style: compare the words, not their case
    assert driver.find_element(By.ID, "status").text.casefold() == "Đã thu hồi".casefold()
    assert not driver.find_elements(By.ID, "pwned")
    driver.save_screenshot(str(shots / "public-status-revoked.png"))
    driver.get(f"{office.public_url}/v/{approved}")
    wait.until(ec.presence_of_element_located((By.ID, "status")))
    assert driver.find_element(By.ID, "status").text.casefold() == "Hợp lệ · Đã hậu kiểm".casefold()
    driver.save_screenshot(str(shots / "public-status-post-checked.png"))
    assert httpx.get(f"{office.public_url}/api/public/copies/{approved}").json()["status"] == "post_checked"
