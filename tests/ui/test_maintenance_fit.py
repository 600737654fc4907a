"""Issue 25 walk W11: in large-text mode the maintenance screen fits the screen. Every section's buttons,
and "Leave maintenance" / "Close the program", lie inside a window no larger than the screen, at 1920×1080,
1280×800 and 1080×1920; what does not fit scrolls, while the exit buttons stay on screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QPushButton

from kiosk.config import parse_config
from kiosk.flow import Screen
from tests.ui.test_issue25_maintenance import FakeMaintenance
from tests.ui.test_visit import click

pytestmark = pytest.mark.timeout(120)

SIZES = [(1920, 1080), (1280, 800), (1080, 1920)]


def maintenance_window(qtbot: Any, tmp_path: Path, fake_services: Any, size: tuple[int, int]) -> Any:
    from ui.app import build_kiosk

    config = parse_config(
        {"kiosk": {"data_dir": str(tmp_path)}, "ui": {"language": "vi", "large_text": True}}
    )
    kiosk = build_kiosk(
        config,
        services=fake_services,
        maintenance=FakeMaintenance(training=True),
        size=size,
        windowed=True,
        audit=lambda e, d: None,
    )
    qtbot.addWidget(kiosk.window)
    kiosk.window.show()
    assert kiosk.window.large_text
    kiosk.flow.screen = Screen.maintenance
    kiosk.window.refresh()
    return kiosk


def off_screen_buttons(window: Any, screen: Any) -> list[str]:
    """The visible buttons of `screen` that are not wholly inside the window (after scrolling to them)."""
    outside = []
    for button in screen.findChildren(QPushButton):
        if not button.isVisibleTo(window) or button is screen.help:
            continue
        if screen.scroll_area.isAncestorOf(button):
            screen.scroll_area.ensureWidgetVisible(button)
        top_left = button.mapTo(window, button.rect().topLeft())
        bottom_right = button.mapTo(window, button.rect().bottomRight())
        visible = window.rect().contains(top_left) and window.rect().contains(bottom_right)
        if screen.scroll_area.isAncestorOf(button):  # inside the scroll area: inside its viewport too
            viewport = screen.scroll_area.viewport()
            corner = button.mapTo(viewport, button.rect().topLeft())
            end = button.mapTo(viewport, button.rect().bottomRight())
            visible = visible and viewport.rect().contains(corner) and viewport.rect().contains(end)
        if not visible:
            outside.append(button.text())
    return outside


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_maintenance_in_large_text_fits_every_screen(
    qtbot: Any, tmp_path: Path, fake_services: Any, size: tuple[int, int]
) -> None:
    kiosk = maintenance_window(qtbot, tmp_path, fake_services, size)
    window = kiosk.window
    screen = window.screens[Screen.maintenance]
    try:
        for name in screen.sections():
            click(qtbot, screen.section_buttons[name])
            kiosk.runner.wait_all(10000)
            qtbot.wait(20)
            window.layout().activate()
            assert window.width() <= size[0] and window.height() <= size[1], (name, window.size())
            hint = window.minimumSizeHint()
            assert hint.width() <= size[0] and hint.height() <= size[1], (name, hint)
            assert off_screen_buttons(window, screen) == [], name
            for button in (screen.exit, screen.close_app):  # the exits never scroll away
                assert not screen.scroll_area.isAncestorOf(button)
                corner = button.mapTo(window, button.rect().bottomRight())
                assert window.rect().contains(corner), (name, button.text())
    finally:
        kiosk.runner.wait_all(10000)
        window.idle_timer.stop()
        kiosk.restore_hooks()
