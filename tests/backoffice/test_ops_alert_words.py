"""/ops alerts in the reader's language (issue 24): each alert reads as a sentence in Vietnamese (the
default) or English, built from the alert's facts; what a kiosk or ingest said, as it said it (English,
technical), stays in a smaller "chi tiết kỹ thuật / technical detail" line for IT. Over real HTTP with real
refused uploads, a slow clock, a silent kiosk and an overdue copy; and the words themselves, kind by kind."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from backoffice.web.i18n import ALERTS, translator
from tests.backoffice.browser import chromium
from tests.backoffice.city import IT_USER, CityOffice, staff_login
from tests.backoffice.console_helpers import raw_keys, visible_text
from tests.backoffice.helpers import PASSWORD, Kiosks
from tests.backoffice.test_ops_truth import at, beat, issue, last_friday_a_week_ago, refused_upload
from tests.sync.helpers import Pki

# English words that would give away an untranslated alert in the Vietnamese main line.
ENGLISH = re.compile(r"\b(min|the|record|records|seal|slow|fast|refused|kiosk|clock|heartbeat|s)\b")


@pytest.fixture
def city(pki: Pki, kiosks: Kiosks, tmp_path: Path) -> Iterator[CityOffice]:
    office = CityOffice(pki, kiosks, tmp_path / "backend").start()
    office.add_staff()
    yield office
    office.stop()


def _alert_rows(html: str) -> dict[str, tuple[str, str]]:
    """kind -> (the alert's sentence, its technical line), as a person reads them on /ops."""
    rows: dict[str, tuple[str, str]] = {}
    for kind, cell in re.findall(
        r'<tr class="alert alert-(\w+)[^"]*".*?<td class="detail">(.*?)</td>', html, re.S
    ):
        sentence = re.search(r'<span class="alert-text">(.*?)</span>', cell, re.S)
        tech = re.search(r'<small class="tech-detail[^"]*"[^>]*>(.*?)</small>', cell, re.S)
        assert sentence, cell
        words = (visible_text(sentence.group(1)), visible_text(tech.group(1)) if tech else "")
        rows.setdefault(kind, (html_lib.unescape(words[0]), html_lib.unescape(words[1])))
    return rows


def test_ops_alerts_read_in_vietnamese_with_the_raw_text_kept_apart(city: CityOffice) -> None:
    now = datetime.now(UTC)
    beat(city, "HN-002", (now - timedelta(minutes=12), 0, 0))  # a clock 12 minutes slow
    codes = [refused_upload(city, "HN-002") for _ in range(2)]  # the seal contradicts the record: 422
    overdue = issue(city, "HN-001", at(last_friday_a_week_ago(), 10))  # due long ago; HN-001 never beat
    with staff_login(city) as it:
        vi = it.get("/ops").text
        en = it.get("/ops", params={"lang": "en"}).text
        it.get("/ops", params={"lang": "vi"})
    rows = _alert_rows(vi)
    assert {"dead_letters", "clock", "silent", "overdue"} <= set(rows), rows

    dead, dead_tech = rows["dead_letters"]
    assert dead.startswith("2 hồ sơ bị máy chủ thành phố từ chối vĩnh viễn (ki-ốt không gửi lại): ")
    assert all(f"{c} (khác dấu niêm phong ở trường “" in dead for c in codes), dead
    assert dead_tech.startswith("Chi tiết kỹ thuật: 2: ") and dead_tech.count("422 seal_mismatch") == 2
    clock, clock_tech = rows["clock"]
    assert re.fullmatch(r"Đồng hồ ki-ốt chậm 7[12]\d giây so với máy chủ thành phố", clock), clock
    assert re.fullmatch(r"Chi tiết kỹ thuật: -7[12]\d s", clock_tech), clock_tech
    assert rows["silent"][0] == "Ki-ốt chưa gửi tín hiệu lần nào"
    assert (
        rows["overdue"][0].startswith(f"Bản sao {overdue} (") and "quá hạn hậu kiểm từ" in rows["overdue"][0]
    )
    assert rows["overdue"][0].endswith("23:59 GMT+7")
    for kind, (sentence, _tech) in rows.items():
        assert not ENGLISH.search(sentence) and raw_keys(sentence) == [], (kind, sentence)
    # The fleet table's silence reads in minutes, in words.
    fleet = re.search(r'<tr class="kiosk" data-kiosk="HN-002">.*?</tr>', vi, re.S)
    assert fleet and re.search(r"\(\d+ phút\)", visible_text(fleet.group(0))) and " min)" not in vi

    english = _alert_rows(en)
    assert english["dead_letters"][0].startswith("2 records refused for good by the city")
    assert "differs from the seal in “" in english["dead_letters"][0]
    assert re.fullmatch(r"The kiosk's clock is 7[12]\d s behind the city's", english["clock"][0])
    assert english["clock"][1].startswith("Technical detail: ")
    assert "overdue for post-check since" in english["overdue"][0]


def test_every_alert_kind_has_words_in_both_languages() -> None:
    samples: list[dict[str, Any]] = [
        {"kind": "device", "params": {"device": "receipt_printer", "state": "error"}},
        {"kind": "backlog", "params": {"backlogs": [3, 5, 8]}},
        {"kind": "silent", "params": {"minutes": 42}},
        {"kind": "silent", "params": {"minutes": None}},
        {"kind": "dead_letters", "params": {"count": 1, "refused": [
            {"code": "HN001-000001-X", "status": 403, "error": "the PDF was not sealed by kiosk HN-001"}]}},
        {"kind": "clock", "params": {"offset_s": 75.4}},
        {"kind": "staff_call", "params": {"reason": "payment_cash", "raised_at": "2026-12-01T02:05:00+00:00"}},
        {"kind": "overdue", "params": {"code": "HN001-000002-Y", "ward": "", "due_at": "2026-12-01T16:59:59+00:00"}},
        {"kind": "overdue_more", "params": {"more": 12}},
    ]  # fmt: skip
    vi, en = translator("vi"), translator("en")
    said_vi = [vi.alert(a) for a in samples]
    assert said_vi == [
        "Máy in biên nhận: lỗi",
        "Số hồ sơ chờ đồng bộ tăng liên tục: 3 → 5 → 8",
        "Không nhận được tín hiệu từ ki-ốt trong 42 phút",
        "Ki-ốt chưa gửi tín hiệu lần nào",
        "1 hồ sơ bị máy chủ thành phố từ chối vĩnh viễn (ki-ốt không gửi lại): HN001-000001-X"
        " (không do ki-ốt này niêm phong)",
        "Đồng hồ ki-ốt nhanh 75 giây so với máy chủ thành phố",
        "Ki-ốt gọi cán bộ: thanh toán tiền mặt, lúc 2026-12-01 09:05 GMT+7",
        "Bản sao HN001-000002-Y (chưa gán phường/xã) quá hạn hậu kiểm từ 2026-12-01 23:59 GMT+7",
        "Còn 12 bản sao quá hạn khác",
    ]
    said_en = [en.alert(a) for a in samples]
    assert (
        said_en[0] == "Receipt printer: in error"
        and said_en[5] == "The kiosk's clock is 75 s ahead of the city's"
    )
    assert said_en[2] == "No heartbeat for 42 min" and said_en[8] == "12 more overdue copies"
    assert all(s and raw_keys(s) == [] for s in said_vi + said_en)
    assert not any(ENGLISH.search(s) for s in said_vi)
    # A kind /ops does not know yet reads as words; every sentence in the table has both languages.
    assert vi.alert({"kind": "disk_full", "params": {}}) == "Disk full"
    assert all(len(pair) == 2 and all(pair) for pair in ALERTS.values())


def test_refusals_in_words_from_ingests_technical_answer() -> None:
    vi = translator("vi")
    assert vi.refusal(
        "seal_mismatch:holder_name: the record's holder_name is not what the seal carries", 422
    ) == ("khác dấu niêm phong ở trường “Họ tên trên giấy tờ”")
    assert vi.refusal("the record says 2 page(s), the seal says 1", 422) == "số trang khác dấu niêm phong"
    assert vi.refusal("the record says document type 'diploma', the seal says 'id_card'", 422) == (
        "loại giấy tờ khác dấu niêm phong"
    )
    assert (
        vi.refusal("this code was already used with a different record", 422)
        == "mã đã dùng cho một hồ sơ khác"
    )
    assert vi.refusal("something new", 400) == "hồ sơ không đọc được"
    assert vi.refusal("", 418) == "bị từ chối (mã 418)"
    assert translator("en").refusal("", "x") == "refused (HTTP ?)"


def test_it_reads_the_alert_first_and_the_technical_line_smaller_in_chromium(city: CityOffice) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    refused_upload(city, "HN-002")
    with chromium(1400, 1000, lang="vi") as browser:
        driver: Any = browser
        driver.get(city.public_url + "/login")
        driver.find_element(By.ID, "username").send_keys(IT_USER)
        driver.find_element(By.ID, "password").send_keys(PASSWORD)
        driver.find_element(By.ID, "login").click()
        WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.ID, "alerts"))
        row = driver.find_element(By.CSS_SELECTOR, "tr.alert-dead_letters")
        sentence = row.find_element(By.CSS_SELECTOR, ".alert-text")
        tech = row.find_element(By.CSS_SELECTOR, ".tech-detail")
        assert sentence.text.startswith("1 hồ sơ bị máy chủ thành phố từ chối vĩnh viễn")
        assert "seal_mismatch" not in sentence.text and "seal_mismatch" in tech.text
        assert tech.text.startswith("Chi tiết kỹ thuật: ")
        size = lambda el: float(el.value_of_css_property("font-size").removesuffix("px"))  # noqa: E731
        assert size(tech) < size(sentence)
        assert tech.location["y"] > sentence.location["y"]  # a line of its own, below the sentence
