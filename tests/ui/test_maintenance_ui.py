"""Maintenance mode through the window: hidden gesture, PIN pad, lockout, audit, lockdown of the keys."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent

from kiosk.flow import Screen
from ui.app import DEV_PIN

pytestmark = pytest.mark.timeout(120)


class FakeMaintenance:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def run(self, section: str, action: str) -> str:
        self.calls.append((section, action))
        return f"{section}/{action}: ok"


def tap_corner(qtbot: Any, window: Any, times: int = 5) -> None:
    for _ in range(times):
        qtbot.mouseClick(window.corner, Qt.MouseButton.LeftButton)


def type_pin(qtbot: Any, window: Any, pin: str) -> None:
    pad = window.screens[Screen.maintenance_pin].keypad
    for key in [*pin, "OK"]:
        qtbot.mouseClick(pad.buttons[key], Qt.MouseButton.LeftButton)


def test_gesture_pin_login_actions_and_exit(
    qtbot: Any, make_kiosk: Any, fake_services: Any, audit_events: list
) -> None:
    kiosk = make_kiosk(fake_services, language="en")
    maintenance = FakeMaintenance()
    kiosk.window.maintenance = maintenance
    w = kiosk.window
    tap_corner(qtbot, w, 4)
    assert kiosk.flow.screen == Screen.attract
    tap_corner(qtbot, w, 1)
    assert kiosk.flow.screen == Screen.maintenance_pin
    type_pin(qtbot, w, DEV_PIN)
    assert kiosk.flow.screen == Screen.maintenance
    screen = w.screens[Screen.maintenance]
    qtbot.waitUntil(lambda: screen.output.toPlainText() == "devices/show: ok", timeout=30000)
    qtbot.mouseClick(screen.action_buttons[0], Qt.MouseButton.LeftButton)  # test scan
    qtbot.waitUntil(lambda: ("devices", "test_scan") in maintenance.calls, timeout=30000)
    qtbot.mouseClick(screen.section_buttons["sync"], Qt.MouseButton.LeftButton)
    assert screen.action_buttons[0].text() == "Sync now"
    qtbot.mouseClick(screen.action_buttons[0], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ("sync", "sync_now") in maintenance.calls, timeout=30000)
    qtbot.mouseClick(screen.exit, Qt.MouseButton.LeftButton)
    assert kiosk.flow.screen == Screen.attract
    events = [e for e, _ in audit_events]
    assert events[:2] == ["maintenance.gesture", "maintenance.login"]
    assert ("maintenance.action", {"section": "devices", "action": "test_scan"}) in audit_events
    assert ("maintenance.action", {"section": "sync", "action": "sync_now"}) in audit_events
    assert events[-1] == "maintenance.logout"
    assert screen.output.toPlainText() == ""  # nothing lingers for the next visitor


def test_wrong_pins_lock_the_pad(qtbot: Any, make_kiosk: Any, fake_services: Any, audit_events: list) -> None:
    kiosk = make_kiosk(fake_services, language="en")
    w = kiosk.window
    tap_corner(qtbot, w)
    pin_screen = w.screens[Screen.maintenance_pin]
    for left in (4, 3, 2, 1):
        type_pin(qtbot, w, "0000")
        assert pin_screen.message.text() == f"Wrong PIN. {left} tries left before the pad locks."
    type_pin(qtbot, w, "0000")
    assert pin_screen.message.text().startswith("Too many wrong PINs. Try again in 30 seconds")
    type_pin(qtbot, w, DEV_PIN)  # the right PIN does not open a locked pad
    assert kiosk.flow.screen == Screen.maintenance_pin
    assert pin_screen.dots.text() == "—"  # the typed digits are not kept on screen
    # The countdown ticks on screen; when the lock ends, the pad says so.
    kiosk.flow.auth.locked_until = kiosk.flow.auth.clock() - 1
    w.check_idle()
    assert pin_screen.message.text() == "The pad is open again. Enter the PIN."
    events = [e for e, _ in audit_events]
    assert events.count("maintenance.login_failed") == 6
    assert events.count("maintenance.lockout") == 1
    assert "maintenance.login" not in events


def key(k: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> QKeyEvent:
    return QKeyEvent(QEvent.Type.KeyPress, k, mods)


def test_fullscreen_kiosk_ignores_escape_alt_f4_and_close(
    qtbot: Any, tmp_path: Any, fake_services: Any
) -> None:
    from kiosk.config import parse_config
    from ui.app import build_kiosk

    config = parse_config({"kiosk": {"data_dir": str(tmp_path)}})
    kiosk = build_kiosk(config, services=fake_services, windowed=False, audit=lambda e, d: None)
    w = kiosk.window
    qtbot.addWidget(w)
    w.showFullScreen()
    assert w.windowFlags() & Qt.WindowType.FramelessWindowHint
    for event in (
        key(Qt.Key.Key_Escape),
        key(Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier),
        key(Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier),
        key(Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier),
    ):
        assert w.eventFilter(w, event) is True
    assert w.eventFilter(w, key(Qt.Key.Key_A)) is False
    w.close()
    assert w.isVisible()  # a close request outside maintenance does nothing
    # In maintenance mode, Escape works again (a technician with a keyboard).
    kiosk.flow.screen = Screen.maintenance
    assert w.eventFilter(w, key(Qt.Key.Key_Escape)) is False
    kiosk.flow.screen = Screen.attract
    kiosk.close()
