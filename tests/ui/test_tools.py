"""Voice prompts through espeak-ng, the screenshots command, and the maintenance actions on a real app."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QProcess, Qt
from PySide6.QtGui import QImage

from kiosk.config import parse_config
from kiosk.flow import Screen
from ui.screenshots import ACCESSIBLE_SAMPLES

pytestmark = pytest.mark.timeout(240)
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_voice_toggle_speaks_each_screen_in_the_visit_language(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    kiosk = make_kiosk(fake_services)
    w = kiosk.window
    attract = w.screens[Screen.attract]
    qtbot.mouseClick(attract.voice, Qt.MouseButton.LeftButton)
    assert attract.voice.text() == "✓ Giọng đọc"
    assert w.voice.spoken[-1] == (
        "vi",
        "Chứng thực bản sao giấy tờ. Chọn ngôn ngữ, sau đó chọn dịch vụ cần thực hiện.",  # a full stop between
    )
    process = w.voice._process
    assert process is not None
    assert process.program().endswith("espeak-ng")
    assert process.arguments()[:2] == ["-v", "vi"]
    # espeak-ng really runs (off the GUI thread: a child process) and ends by itself.
    qtbot.waitUntil(lambda: process.state() == QProcess.ProcessState.NotRunning, timeout=30000)
    qtbot.mouseClick(attract.english, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(attract.certify, Qt.MouseButton.LeftButton)
    assert w.voice.spoken[-1][0] == "en"
    assert "Place your ID card on the glass." in w.voice.spoken[-1][1]
    assert w.voice._process.arguments()[:2] == ["-v", "en-gb"]


def test_voice_is_off_by_default(qtbot: Any, make_kiosk: Any, fake_services: Any) -> None:
    kiosk = make_kiosk(fake_services)
    qtbot.mouseClick(kiosk.window.screens[Screen.attract].certify, Qt.MouseButton.LeftButton)
    assert kiosk.window.voice.spoken == []


def test_screenshots_command_renders_every_screen(tmp_path: Path) -> None:
    out = tmp_path / "shots"
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "screenshots", str(out), "--orientation", "small", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={
            **__import__("os").environ,
            "QT_QPA_PLATFORM": "offscreen",
            "KIOSK_DATA_DIR": str(tmp_path / "d"),
        },
        timeout=200,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    files = [Path(f) for f in payload["files"]]
    # every state once per language, and those ACCESSIBLE_SAMPLES name again in large text + high contrast
    per_language = {f.name.split("-", 2)[2] for f in files if f.name.startswith("small-vi-")}
    plain = {n for n in per_language if not n.startswith("a11y-")}
    assert {n.removeprefix("a11y-")[:2] for n in per_language - plain} == set(ACCESSIBLE_SAMPLES)
    assert payload["count"] == len(files) == 2 * len(per_language) and len(plain) >= 29
    names = {f.name for f in files}
    for language in ("vi", "en"):
        for screen in ("01-attract", "03-face", "04-scan", "08-done", "11-error-paper-out", "17-maintenance"):
            assert f"small-{language}-{screen}.png" in names
        assert f"small-{language}-a11y-05-review.png" in names
        assert f"small-{language}-18-idle-countdown.png" in names
        for screen in ("19-payment", "20-ticket", "21-help-staff-coming", "22-confirm-cancel"):
            assert f"small-{language}-{screen}.png" in names
    image = QImage(str(out / "small-vi-01-attract.png"))
    assert (image.width(), image.height()) == (1280, 800)
    # Not blank: a rendered screen has many colours.
    colours = {image.pixel(x, y) for x in range(0, 1280, 40) for y in range(0, 800, 40)}
    assert len(colours) > 3


def test_screenshots_refuses_a_file_as_folder(tmp_path: Path) -> None:
    target = tmp_path / "file.png"
    target.write_bytes(b"x")
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "screenshots", str(target)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == f"kiosk screenshots: {target}: not a folder"


def test_maintenance_services_on_a_real_app(tmp_path: Path) -> None:
    from kiosk.app import KioskApp
    from kiosk.flow.adapter import PipelineServices
    from kiosk.runtime.logs import register_sensitive
    from ui.services import MaintenanceServices, RecentLogHandler

    app = KioskApp(parse_config({"kiosk": {"data_dir": str(tmp_path / "data")}}))
    logs = RecentLogHandler()
    import logging

    logger = logging.getLogger("kiosk.test_maintenance")
    logger.addHandler(logs)
    logger.setLevel(logging.INFO)
    try:
        register_sensitive("TRẦN VĂN BÌNH")
        logger.info("card read for TRẦN VĂN BÌNH id 079201001234")
        maintenance = MaintenanceServices(app, PipelineServices.of(app), logs)
        devices = maintenance.run("devices", "show")
        assert "Máy quét" in devices  # each device by its role, in words (walk W12)
        assert "Máy in biên nhận" in devices
        text, image = maintenance.run("devices", "test_scan")
        assert text.startswith("Quét thử được:")  # Vietnamese words for the technician (issue 25)
        assert image.ndim == 3
        assert maintenance.run("devices", "test_receipt").startswith("Đã in biên nhận thử")
        assert maintenance.run("devices", "test_page").startswith("Đã gửi trang in thử")
        assert list((app.data_dir / "printed").glob("*.pdf"))
        assert "GiB" in maintenance.run("disk", "show")
        app.signer  # noqa: B018 - makes the development keys, whose expiry the screen shows
        certificates = maintenance.run("certificates", "refresh")
        assert "ngày" in certificates and "days" not in certificates  # said once, in Vietnamese
        log_text = maintenance.run("logs", "show")
        assert "[redacted]" in log_text
        assert "TRẦN VĂN BÌNH" not in log_text
        assert "079201001234" not in log_text
        assert maintenance.run("nowhere", "nothing") == "Không có thao tác nowhere/nothing."
    finally:
        logger.removeHandler(logs)
        app.close()


RUN_CHILD = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from kiosk.app import KioskApp
from kiosk.config import parse_config
from ui.app import qt_application, run
from ui.window import KioskWindow

qt_application()  # the timer below needs the application that run() will use
app = KioskApp(parse_config({"kiosk": {"data_dir": sys.argv[1]}}))

fullscreen = sys.argv[2] != "windowed"
tries = [0]

def look():
    # Until the window is shown as asked (a loaded machine may take seconds), at most ~60 s.
    tries[0] += 1
    shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, KioskWindow) and w.isVisible()]
    settled = shown and all(w.isFullScreen() == fullscreen and w.flow.screen == "attract" for w in shown)
    if not settled and tries[0] < 600:
        QTimer.singleShot(100, look)
        return
    for w in shown:
        print("screen", w.flow.screen, w.isFullScreen(), flush=True)
    QApplication.exit(0)  # quit() would ask the locked window to close, which it refuses

QTimer.singleShot(1500, look)
print("exit", run(app.config, windowed=sys.argv[2] == "windowed", kiosk_app=app), flush=True)
"""


@pytest.mark.parametrize("mode", ["windowed", "fullscreen"])
def test_run_reaches_the_attract_screen_and_closes_cleanly(tmp_path: Path, mode: str) -> None:
    """`kiosk run` as the CLI runs it (real app, warm-up on workers), in its own process: Qt's exec and
    quit end a QApplication for good, so this cannot share the test process. It tells systemd it is
    ready and pings the watchdog from the GUI loop."""
    import os
    import socket

    address = str(tmp_path / "notify.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(address)
    server.settimeout(0.1)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "NOTIFY_SOCKET": address, "WATCHDOG_USEC": "400000"}
    env.pop("WATCHDOG_PID", None)
    # Read the socket while the kiosk runs, as systemd does: notify never waits for a reader.
    messages: list[str] = []
    stop = threading.Event()

    def listen() -> None:
        while not stop.is_set():
            try:
                messages.append(server.recv(4096).decode())
            except TimeoutError:
                continue

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    try:
        result = subprocess.run(
            [sys.executable, "-c", RUN_CHILD, str(tmp_path / "data"), mode],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=200,
            check=False,
        )
    finally:
        stop.set()
        listener.join()
    try:
        while True:  # the child has exited: whatever it sent is already queued
            messages.append(server.recv(4096).decode())
    except TimeoutError:
        pass
    finally:
        server.close()
    assert result.returncode == 0, result.stderr[-3000:]
    fullscreen = mode == "fullscreen"
    assert result.stdout.splitlines() == [f"screen attract {fullscreen}", "exit 0"]
    assert messages[0].startswith("READY=1")
    assert "WATCHDOG=1" in messages
    assert messages[-1].startswith("STOPPING=1")


def test_maintenance_sync_status_runs_the_sync_command(tmp_path: Path) -> None:
    from kiosk.app import KioskApp
    from kiosk.flow.adapter import PipelineServices
    from ui.services import MaintenanceServices

    app = KioskApp(parse_config({"kiosk": {"data_dir": str(tmp_path / "data")}}))
    try:
        text = MaintenanceServices(app, PipelineServices.of(app)).run("sync", "show")
        # walk W12: in Vietnamese words, and a warning (never "success") with no backend and no worker
        assert text.startswith("Trạng thái đồng bộ:\nKết quả: CẦN CHÚ Ý\n"), text
        assert "CHƯA CẤU HÌNH" in text and "KHÔNG CHẠY" in text and "Bản ghi chờ gửi: 0" in text
        assert "backlog" not in text and "NOT running" not in text
        assert "Warning" not in text and "Traceback" not in text  # no Python noise for the technician
    finally:
        app.close()
