"""Issue 25 walk W12: every maintenance section speaks plain words of the kiosk's language (Vietnamese, or
English when the kiosk shows English), with times in Vietnam's time and a verdict that matches what was
found; "all back to normal" restores the configured payer; a training fault shows on the start screen; the
help panel on the start screen offers no "End the visit"."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.app import KioskApp
from kiosk.config import parse_config
from kiosk.flow import Screen
from kiosk.flow.adapter import PipelineServices
from kiosk.services.demo_payment import SimulatedPayer
from kiosk.services.staff_call import StaffCallService
from kiosk.services.technician_text import local_time, sync_status_text
from ui.services import MaintenanceServices

pytestmark = pytest.mark.timeout(180)

ENGLISH_OF_THE_CLI = ("page(s) waiting", "writes to", "simulated", "backlog", "NOT running", "not configured")


@pytest.fixture
def app(tmp_path: Path) -> Any:
    made = KioskApp(parse_config({"kiosk": {"data_dir": str(tmp_path / "data")}}))
    yield made
    made.close()


def test_devices_and_sync_in_vietnamese_words_with_a_true_verdict(app: Any) -> None:
    maintenance = MaintenanceServices(app, PipelineServices.of(app))
    devices = str(maintenance.run("devices", "show"))
    assert devices.startswith("Kết quả: ") and "Máy quét (mô phỏng): hoạt động tốt" in devices
    assert not [word for word in ENGLISH_OF_THE_CLI if word in devices], devices
    sync = str(maintenance.run("sync", "show"))
    # nothing configured, no worker: a warning, never "success"
    assert sync.startswith("Trạng thái đồng bộ:\nKết quả: CẦN CHÚ Ý\n") and "Kết quả: thành công" not in sync
    assert "Máy chủ thành phố: CHƯA CẤU HÌNH" in sync and "Tiến trình đồng bộ: KHÔNG CHẠY" in sync
    assert not [word for word in ENGLISH_OF_THE_CLI if word in sync], sync
    now = str(maintenance.run("sync", "sync_now"))
    assert now.startswith("Kết quả: CẦN CHÚ Ý") and "backend_url" in now  # where to set it, said once
    certificates = str(maintenance.run("certificates", "show"))
    assert "Chứng thư con dấu" in certificates and "Seal certificate" not in certificates  # said once


def test_the_same_sections_in_english_when_the_kiosk_shows_english(app: Any) -> None:
    maintenance = MaintenanceServices(app, PipelineServices.of(app))
    maintenance.language = "en"
    devices = str(maintenance.run("devices", "show"))
    assert devices.startswith("Result: ") and "Scanner (simulated): working" in devices
    assert "hoạt động" not in devices and "page(s) waiting" not in devices
    sync = str(maintenance.run("sync", "show"))
    assert sync.startswith("Sync state:\nResult: NEEDS ATTENTION\n")
    assert "City backend: NOT CONFIGURED" in sync and "Sync worker: NOT RUNNING" in sync
    assert "Seal certificate" in str(maintenance.run("certificates", "show"))
    assert "Data folder" in str(maintenance.run("disk", "show"))


def test_sync_is_good_only_when_configured_running_and_clear() -> None:
    status = {
        "backend_url": "https://city.example",
        "worker_running": True,
        "backlog": 0,
        "dead_letters": 0,
        "last_success_at": "2026-12-06T23:17:00+00:00",
        "queued_heartbeats": 0,
        "records_total": 3,
    }
    level, lines = sync_status_text(status, "vi")
    assert level == "ok"
    assert "Gửi thành công gần nhất: 07/12/2026 06:17 (GMT+7)" in lines  # Vietnam's time, not ISO UTC
    assert sync_status_text({**status, "worker_running": False}, "vi")[0] == "warning"
    assert sync_status_text({**status, "dead_letters": 1}, "vi")[0] == "warning"
    assert sync_status_text(None, "en") == ("error", ["The sync state cannot be read."])
    assert local_time(datetime(2026, 12, 6, 17, 0, tzinfo=UTC), "vi") == "07/12/2026 00:00 (GMT+7)"


def test_a_staff_call_says_its_reason_in_words(app: Any) -> None:
    services = PipelineServices.of(app)
    services.staff_calls = StaffCallService(None, None)
    services.staff_calls.raise_call("out_of_service")
    maintenance = MaintenanceServices(app, services)
    shown = str(maintenance.run("staff_call", "show"))
    assert "ki-ốt tạm ngừng phục vụ" in shown and "out_of_service" not in shown
    cleared = str(maintenance.run("staff_call", "clear_call"))
    assert cleared.startswith("Đã tắt yêu cầu hỗ trợ (ki-ốt tạm ngừng phục vụ")
    assert services.staff_calls.state() is None


def test_training_back_to_normal_restores_the_configured_payer_and_the_banner_goes(
    app: Any, tmp_path: Path
) -> None:
    payer = SimulatedPayer(gateway=None, delay_s=8.0)
    maintenance = MaintenanceServices(app, PipelineServices.of(app))
    maintenance.payer_source = lambda: payer
    assert maintenance.training is not None  # the simulated profile
    assert maintenance.training_banner() == ""
    failed = str(maintenance.run("training", "fail:fail_a4_paper"))
    assert failed.startswith("Tập huấn: Máy in A4: hết giấy.") and "Máy in A4: Máy in A4" not in failed
    assert maintenance.training_banner() == "ĐANG TẬP HUẤN: máy in A4 hết giấy"
    maintenance.run("training", "payer:payer_never")
    assert payer.outcome == "never"
    normal = str(maintenance.run("training", "normal"))
    assert "trở lại bình thường" in normal and "trả tiền sau 8 giây" in normal
    assert (payer.outcome, payer.delay_s) == ("pay", 8.0)  # the configured 8 s, not "after 1 s"
    assert maintenance.training_banner() == ""


def test_the_start_screen_shows_a_training_fault_and_help_there_ends_no_visit(
    qtbot: Any, tmp_path: Path, app: Any, fake_services: Any
) -> None:
    from ui.app import build_kiosk

    maintenance = MaintenanceServices(app, PipelineServices.of(app))
    config = parse_config({"kiosk": {"data_dir": str(tmp_path / "ui")}, "ui": {"language": "vi"}})
    kiosk = build_kiosk(
        config,
        services=fake_services,
        maintenance=maintenance,
        size=(1280, 800),
        windowed=True,
        audit=lambda e, d: None,
    )
    qtbot.addWidget(kiosk.window)
    kiosk.window.show()
    try:
        attract = kiosk.window.screens[Screen.attract]
        kiosk.window.refresh()
        assert not attract.training.isVisible()
        maintenance.run("training", "fail:fail_a4_paper")
        kiosk.window.refresh()
        assert attract.training.isVisible()
        assert attract.training.text() == "ĐANG TẬP HUẤN: máy in A4 hết giấy"
        maintenance.run("training", "normal")
        kiosk.window.refresh()
        assert not attract.training.isVisible()
        panel = kiosk.window.help_overlay
        panel.show_state("coming")  # the start screen: no visit to end or keep
        labels = [b.text() for b in panel.buttons if b.isVisibleTo(kiosk.window)]
        assert "Kết thúc giao dịch" not in labels and "Đóng" in labels
        assert "giao dịch" not in panel.text.text()
        kiosk.flow.screen = Screen.card  # in a visit the panel offers to end it again
        panel.show_state("coming")
        assert "Kết thúc giao dịch" in [b.text() for b in panel.buttons if b.isVisibleTo(kiosk.window)]
    finally:
        kiosk.runner.wait_all(10000)
        kiosk.window.idle_timer.stop()
        kiosk.restore_hooks()


class RecordingMaintenance:
    """Answers every section with the language it was asked in."""

    training = None

    def __init__(self) -> None:
        self.language = "vi"

    def run(self, section: str, action: str) -> str:
        return f"{section} in {self.language}"


def test_the_screen_asks_in_the_kiosks_language(qtbot: Any, tmp_path: Path, fake_services: Any) -> None:
    from ui.app import build_kiosk

    maintenance = RecordingMaintenance()
    config = parse_config({"kiosk": {"data_dir": str(tmp_path)}, "ui": {"language": "en"}})
    kiosk = build_kiosk(
        config,
        services=fake_services,
        maintenance=maintenance,
        size=(1280, 800),
        windowed=True,
        audit=lambda e, d: None,
    )
    qtbot.addWidget(kiosk.window)
    kiosk.window.show()
    try:
        kiosk.flow.screen = Screen.maintenance
        kiosk.window.refresh()
        screen = kiosk.window.screens[Screen.maintenance]
        qtbot.waitUntil(lambda: screen.output.toPlainText() == "devices in en", timeout=10000)
    finally:
        kiosk.runner.wait_all(10000)
        kiosk.window.idle_timer.stop()
        kiosk.restore_hooks()
