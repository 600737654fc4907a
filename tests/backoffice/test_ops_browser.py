"""/ops in headless Chromium (issue 24): central IT's title, times labelled GMT+7, dead letters and a slow
clock as alerts; an IT user acknowledges an alert (the page then says by whom and when) and follows an
alert's link to the kiosk's logs; an officer is refused /ops. Screenshot docs/screenshots/ops-alerts.png
when KIOSK_SCREENSHOTS=1."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.backoffice.browser import chromium
from tests.backoffice.city import IT_USER, OFFICER_USER, CityOffice
from tests.backoffice.helpers import PASSWORD
from tests.backoffice.test_ops_truth import beat, refused_upload

REPO = Path(__file__).resolve().parents[2]
IT_TITLE = "Điều hành hệ thống ki-ốt (CNTT thành phố)"


def _login(driver: Any, base: str, username: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(base + "/ops")
    WebDriverWait(driver, 30).until(ec.url_contains("/login"))
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form [type=submit]").click()
    WebDriverWait(driver, 30).until(lambda d: "/login" not in d.current_url)


def test_it_acknowledges_an_alert_and_an_officer_is_refused(city_office: CityOffice, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    city = city_office
    beat(city, "HN-002", (datetime.now(UTC) - timedelta(minutes=12), 0, 0))  # 12 minutes slow, claims 0
    for _ in range(3):
        refused_upload(city, "HN-002")
    with chromium(1400, 1400) as browser:
        driver: Any = browser
        _login(driver, city.public_url, IT_USER)
        driver.get(city.public_url + "/ops")
        WebDriverWait(driver, 30).until(ec.presence_of_element_located((By.ID, "alerts")))
        assert driver.title == IT_TITLE
        assert driver.find_element(By.ID, "brand").text == IT_TITLE  # not the officers' title
        assert "GMT+7" in driver.find_element(By.ID, "now").text
        assert "(GMT+7)" in driver.find_element(By.ID, "fleet").text
        row = driver.find_element(By.CSS_SELECTOR, "#fleet tr.kiosk[data-kiosk='HN-002']")
        assert row.find_element(By.CSS_SELECTOR, "td.dead").text.startswith("3")
        alerts = driver.find_element(By.ID, "alerts").text
        assert "Thư chết" in alerts and "Lệch đồng hồ > 60 s" in alerts and "-720 s" in alerts
        dead = driver.find_element(By.CSS_SELECTOR, "tr.alert-dead_letters")
        dead.find_element(By.CSS_SELECTOR, "button.ack-button").click()
        WebDriverWait(driver, 30).until(
            ec.presence_of_element_located((By.CSS_SELECTOR, "tr.alert-dead_letters.acked"))
        )
        acked = driver.find_element(By.CSS_SELECTOR, "tr.alert-dead_letters .acked-by").text
        assert acked.startswith("Đã xác nhận: minh.it") and acked.endswith("GMT+7")
        # The acknowledged alert goes after the one still open; the clock alert still has its button.
        kinds = [r.get_attribute("class") for r in driver.find_elements(By.CSS_SELECTOR, "#alerts tr.alert")]
        assert kinds[-1].endswith("acked") and not kinds[0].endswith("acked")
        folder = REPO / "docs" / "screenshots" if os.environ.get("KIOSK_SCREENSHOTS") == "1" else tmp_path
        folder.mkdir(parents=True, exist_ok=True)
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(str(folder / "ops-alerts.png"))
        clock = driver.find_element(By.CSS_SELECTOR, "tr.alert-clock")
        clock.find_element(By.CSS_SELECTOR, "a.logs").click()
        WebDriverWait(driver, 30).until(ec.presence_of_element_located((By.ID, "log-search")))
        assert driver.current_url.endswith("/ops/logs?kiosk=HN-002")
        assert driver.find_element(By.ID, "q-kiosk").get_attribute("value") == "HN-002"
        assert driver.title.endswith(IT_TITLE)
    with chromium(1400, 1000) as browser:
        driver = browser
        _login(driver, city.public_url, OFFICER_USER)
        driver.get(city.public_url + "/ops")
        WebDriverWait(driver, 30).until(ec.presence_of_element_located((By.ID, "message")))
        assert "403" in driver.find_element(By.ID, "message").text
        assert "HN-002" not in driver.page_source and "Thư chết" not in driver.page_source
