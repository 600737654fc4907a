"""The health model: states, JSON, and state changes logged once."""

from __future__ import annotations

import logging
import pickle
import threading
from pathlib import Path

import numpy as np
import pytest

from drivers.build import HealthWatcher, build_devices
from drivers.config import DevicesConfig
from drivers.errors import CoverOpen, DeviceTimeout, PaperOut
from drivers.health import DeviceState, DeviceStatus, HealthMonitor
from drivers.messages import citizen_message
from drivers.simulated import SimulatedScanner


def test_status_json_keys() -> None:
    status = DeviceStatus(
        "receipt_printer", "escpos_serial", DeviceState.warning, "paper near end", "paper_near_end"
    )
    assert status.to_json() == {
        "name": "receipt_printer",
        "kind": "escpos_serial",
        "state": "warning",
        "detail": "paper near end",
        "reason": "paper_near_end",
    }


def test_changes_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    monitor = HealthMonitor()
    ok = DeviceStatus("scanner", "sane", DeviceState.ok, "ready")
    absent = DeviceStatus("scanner", "sane", DeviceState.absent, "unplugged", "absent")
    with caplog.at_level(logging.INFO, logger="drivers.health"):
        changes = [monitor.observe(s) for s in (ok, ok, ok, absent, absent, absent, ok, ok)]
    assert changes == [True, False, False, True, False, False, True, False]
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 3
    assert "unknown -> ok" in messages[0]
    assert "ok -> absent" in messages[1] and caplog.records[1].levelno == logging.ERROR
    assert "absent -> ok" in messages[2]
    assert monitor.last("scanner") == ok


def test_reason_change_is_a_change() -> None:
    monitor = HealthMonitor()
    assert monitor.observe(DeviceStatus("p", "cups", DeviceState.error, "paper", "paper_out"))
    assert monitor.observe(DeviceStatus("p", "cups", DeviceState.error, "cover", "cover_open"))
    assert not monitor.observe(DeviceStatus("p", "cups", DeviceState.error, "cover again", "cover_open"))


def test_error_keys_and_citizen_messages() -> None:
    error = PaperOut(
        "printer out of paper", category="printer", detail="lpstat: media-empty-error", device="a4"
    )
    assert error.message_key == "device.printer.paper_out"
    assert error.detail == "lpstat: media-empty-error"
    assert error.exit_code == 3
    assert (
        citizen_message(error.message_key, "en") == "The printer is out of paper. Please ask staff for help."
    )
    assert citizen_message(error.message_key, "vi") == (
        "Máy in đã hết giấy. Vui lòng liên hệ nhân viên để được hỗ trợ."
    )
    cover = CoverOpen("cover", category="receipt_printer")
    assert citizen_message(cover.message_key, "en").startswith("The cover of the receipt printer is open.")
    assert "Please ask staff" not in citizen_message("device.scanner.no_document", "en")


def test_watcher_reports_each_change_once(tmp_path: Path) -> None:
    changes: list[tuple[str, str]] = []
    seen = threading.Event()
    with build_devices(DevicesConfig(), tmp_path) as devices:

        def on_change(status: DeviceStatus) -> None:
            changes.append((status.name, str(status.state)))
            if status.name == "scanner" and status.state == DeviceState.absent:
                seen.set()

        devices.health.subscribe(on_change)
        devices.statuses()
        devices.statuses()
        assert sorted(changes) == sorted(
            [
                ("scanner", "ok"),
                ("camera", "ok"),
                ("document_printer", "ok"),
                ("receipt_printer", "ok"),
                ("chip_reader", "ok"),
            ]
        )
        scanner = devices.scanner
        assert isinstance(scanner, SimulatedScanner)
        scanner.set_fault("absent")
        watcher = HealthWatcher(devices, interval=0.05)
        watcher.start()
        try:
            assert seen.wait(30)
        finally:
            watcher.stop()
        assert changes[5:] == [("scanner", "absent")]


def test_errors_survive_pickling() -> None:
    error = PaperOut("out", category="printer", detail="media-empty-error", device="a4")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is PaperOut
    assert (copy.message_key, copy.detail, copy.device, str(copy)) == (
        "device.printer.paper_out",
        "media-empty-error",
        "a4",
        "out",
    )


def test_status_while_busy_does_not_queue_behind_the_work() -> None:
    release = threading.Event()
    started = threading.Event()

    def slow_page() -> np.ndarray:
        started.set()
        release.wait(30)
        return np.zeros((10, 10, 3), np.uint8)

    with SimulatedScanner("scanner", slow_page, timeout=0.2) as scanner:
        assert scanner.status().state == DeviceState.ok
        future = scanner.worker.submit(scanner.scan)
        assert started.wait(10)
        busy = scanner.status()
        assert busy.state == DeviceState.ok and busy.detail.startswith("busy")
        release.set()
        assert future.result(timeout=10).shape == (10, 10, 3)
        # a call that times out leaves the device stuck: that is an error until it returns
        release.clear()
        started.clear()
        with pytest.raises(DeviceTimeout):
            scanner.scan()
        stuck = scanner.status()
        assert (stuck.state, stuck.reason) == (DeviceState.error, "timeout")
        release.set()
