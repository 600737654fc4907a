"""Issue 25, maintenance for technicians: results in Vietnamese words (never a Python repr), the last
section's output cleared at once when switching, "the pad is open again" not drawn as an error, and the
new sections: clear a staff call, the paid copies not printed with a free reprint each, and the
simulated profile's training panel."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from drivers.base import PrintJob
from drivers.errors import PaperOut
from kiosk.config import parse_config
from kiosk.flow import Screen
from tests.ui.test_visit import click
from ui.services import MaintenanceResult, MaintenanceServices, readable_error

pytestmark = pytest.mark.timeout(120)


class FakeMaintenance:
    """Answers like MaintenanceServices; `gate` holds the answers of one section until released."""

    def __init__(self, *, training: bool = False) -> None:
        self.training = object() if training else None
        self.asked: list[tuple[str, str]] = []
        self.gate: tuple[str, threading.Event] | None = None
        self.open_codes = ["HN001-000042-U", "HN001-000043-X"]

    def run(self, section: str, action: str) -> Any:
        self.asked.append((section, action))
        if self.gate is not None and self.gate[0] == section:
            self.gate[1].wait(10)
        if section == "uncollected":
            code = action.partition(":")[2]
            if code in self.open_codes:
                self.open_codes.remove(code)
            choices = tuple((f"reprint:{c}", f"In lại {c}") for c in self.open_codes)
            return MaintenanceResult(f"{len(self.open_codes)} bản sao chờ nhận", choices=choices)
        return f"{section}: {action}"


def open_maintenance(qtbot: Any, tmp_path: Path, maintenance: Any, fake_services: Any) -> Any:
    from ui.app import build_kiosk

    config = parse_config(
        {"kiosk": {"data_dir": str(tmp_path)}, "ui": {"language": "en"}},
    )
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
    kiosk.flow.screen = Screen.maintenance
    kiosk.window.refresh()
    return kiosk


def close(kiosk: Any) -> None:
    kiosk.runner.wait_all(10000)
    kiosk.window.idle_timer.stop()
    kiosk.restore_hooks()


def test_switching_section_clears_the_output_and_drops_a_late_answer(
    qtbot: Any, tmp_path: Path, fake_services: Any
) -> None:
    maintenance = FakeMaintenance()
    kiosk = open_maintenance(qtbot, tmp_path, maintenance, fake_services)
    screen = kiosk.window.screens[Screen.maintenance]
    qtbot.waitUntil(lambda: screen.output.toPlainText() == "devices: show", timeout=10000)
    held = threading.Event()
    maintenance.gate = ("sync", held)
    click(qtbot, screen.section_buttons["sync"])
    assert screen.output.toPlainText() == "Loading…"  # nothing of "devices" under the new heading
    click(qtbot, screen.section_buttons["disk"])
    qtbot.waitUntil(lambda: screen.output.toPlainText() == "disk: show", timeout=10000)
    held.set()  # the sync answer comes late: it is not shown under "disk"
    kiosk.runner.wait_all(10000)
    qtbot.wait(50)
    assert screen.output.toPlainText() == "disk: show"
    close(kiosk)


def test_paid_copies_are_listed_with_a_free_reprint_each(
    qtbot: Any, tmp_path: Path, fake_services: Any
) -> None:
    maintenance = FakeMaintenance()
    kiosk = open_maintenance(qtbot, tmp_path, maintenance, fake_services)
    screen = kiosk.window.screens[Screen.maintenance]
    click(qtbot, screen.section_buttons["uncollected"])
    qtbot.waitUntil(lambda: screen.output.toPlainText() == "2 bản sao chờ nhận", timeout=10000)
    labels = [b.text() for b in screen.action_buttons if b.isVisibleTo(kiosk.window)]
    assert labels == ["Refresh", "In lại HN001-000042-U", "In lại HN001-000043-X"]
    click(qtbot, screen.action_buttons[1])
    qtbot.waitUntil(lambda: screen.output.toPlainText() == "1 bản sao chờ nhận", timeout=10000)
    assert ("uncollected", "reprint:HN001-000042-U") in maintenance.asked
    assert [b.text() for b in screen.action_buttons if b.isVisibleTo(kiosk.window)] == [
        "Refresh",
        "In lại HN001-000043-X",
    ]
    click(qtbot, screen.section_buttons["staff_call"])
    assert screen.action_buttons[0].text() == "Clear the staff call"
    click(qtbot, screen.action_buttons[0])
    qtbot.waitUntil(lambda: ("staff_call", "clear_call") in maintenance.asked, timeout=10000)
    close(kiosk)


@pytest.mark.parametrize("training", [False, True])
def test_the_training_panel_only_where_there_is_one(
    qtbot: Any, tmp_path: Path, fake_services: Any, training: bool
) -> None:
    kiosk = open_maintenance(qtbot, tmp_path, FakeMaintenance(training=training), fake_services)
    screen = kiosk.window.screens[Screen.maintenance]
    assert screen.section_buttons["training"].isVisibleTo(kiosk.window) is training
    if training:
        click(qtbot, screen.section_buttons["training"])
        labels = [b.text() for b in screen.action_buttons if b.isVisibleTo(kiosk.window)]
        assert "A4 printer: out of paper" in labels and labels[-1] == "All back to normal"
        assert "Payer: bank refuses" in labels and "Camera: unplugged" in labels
    close(kiosk)


def test_the_pad_open_again_is_not_drawn_as_an_error(qtbot: Any, make_kiosk: Any, fake_services: Any) -> None:
    kiosk = make_kiosk(fake_services, language="en")
    pin = kiosk.window.screens[Screen.maintenance_pin]
    kiosk.flow.screen = Screen.maintenance_pin
    kiosk.flow.pin_message = "locked"
    kiosk.flow.auth = SimpleNamespace(locked_for=lambda: 0)
    kiosk.window.refresh()
    assert pin.message.text() == "The pad is open again. Enter the PIN."
    assert pin.message.property("role") == "ok"
    kiosk.flow.pin_message = "wrong"
    kiosk.flow.auth = SimpleNamespace(locked_for=lambda: 0, tries_left=lambda: 2)
    pin.show_state(kiosk.flow)
    assert pin.message.property("role") == "error"


class FakePrinter:
    def print_pdf(self, path: Path, copies: int = 1, title: str = "") -> PrintJob:
        return PrintJob("3", "a4", title, copies, "completed", output=Path("/tmp/out/test-page.pdf"))


def fake_app(tmp_path: Path) -> Any:
    status = SimpleNamespace(name="printer_a4", kind="simulated", state="error", detail="hết giấy")
    return SimpleNamespace(
        devices=SimpleNamespace(statuses=lambda: [status], document_printer=FakePrinter()),
        config=SimpleNamespace(kiosk=SimpleNamespace(id="HN-001"), profile="real"),
        data_dir=tmp_path,
    )


def test_results_are_vietnamese_words_not_a_python_repr(tmp_path: Path) -> None:
    from kiosk.app import private_tmp_dir  # noqa: F401 (the test page is written in the kiosk's temp dir)

    services = SimpleNamespace(preview_frame=lambda: (np.zeros((480, 640, 3), np.uint8), None))
    maintenance = MaintenanceServices(fake_app(tmp_path), services)  # type: ignore[arg-type]
    assert maintenance.run("devices", "show") == "Kết quả: LỖI\n• printer_a4 (mô phỏng): LỖI\n    hết giấy"
    camera = maintenance.run("devices", "camera_preview")
    assert (
        isinstance(camera, tuple)
        and camera[0] == "Camera hoạt động: ảnh 640×480 điểm ảnh, không thấy khuôn mặt nào."
    )
    assert maintenance.run("logs", "show") == "Chưa có dòng nhật ký nào."
    assert maintenance.run("staff_call", "show") == "Kiosk này không có dịch vụ gọi cán bộ."
    assert maintenance.training is None  # a real kiosk: no training panel
    assert "tập huấn chỉ có" in str(maintenance.run("training", "show"))


def test_a_failed_action_says_the_devices_message(tmp_path: Path) -> None:
    text = readable_error("test_page", PaperOut("tray empty", category="printer"))
    assert text.startswith("Không thực hiện được (test_page): ")
    assert "PaperOut" not in text and "tray empty" not in text


def test_the_paid_list_and_its_reprint_through_the_services(tmp_path: Path) -> None:
    item = SimpleNamespace(
        code="HN001-000042-U",
        amount_vnd=4000,
        missing=("copy",),
        marked_at=datetime(2026, 12, 1, 2, 0, tzinfo=UTC),
    )
    reprinted: list[str] = []
    collect = SimpleNamespace(open=lambda: [] if reprinted else [item], free_reprint=reprinted.append)
    services = SimpleNamespace(collect=collect)
    maintenance = MaintenanceServices(fake_app(tmp_path), services)  # type: ignore[arg-type]
    listed = maintenance.run("uncollected", "show")
    assert isinstance(listed, MaintenanceResult)
    assert "HN001-000042-U  4.000 đ" in listed.text
    assert listed.choices == (("reprint:HN001-000042-U", "In lại HN001-000042-U"),)
    after = maintenance.run("uncollected", "reprint:HN001-000042-U")
    assert reprinted == ["HN001-000042-U"]
    assert isinstance(after, MaintenanceResult) and after.choices == ()
