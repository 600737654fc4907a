"""Every screen of the flow has its page in the window and its state in the screenshots, checked here
rather than found missing at run time when the flow first goes there."""

from __future__ import annotations

from types import SimpleNamespace

from kiosk.flow import Screen
from ui.screenshots import _states


def test_every_screen_has_a_page_in_the_window(make_kiosk, fake_services) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_kiosk(fake_services)
    missing = [screen for screen in Screen if screen not in kiosk.window.screens]
    assert not missing, f"screens without a page in ui/window.py: {missing}"


def test_every_screen_has_a_screenshot_state() -> None:
    shown = set()
    for _name, apply in _states([]):
        flow = SimpleNamespace(visit=SimpleNamespace(), screen=None)
        apply(flow)
        shown.add(flow.screen)
    missing = [screen for screen in Screen if screen not in shown]
    assert not missing, f"screens without a state in ui/screenshots.py: {missing}"
