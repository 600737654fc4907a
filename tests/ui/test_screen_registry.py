"""Every screen of the flow is drawn by exactly one registered class (ui/screen_registry.py), the window
builds its pages from the registry, and every screen has a screenshot state: checked here rather than
found missing at run time when the flow first goes there."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

import ui.window  # noqa: F401 (loads the screen modules, which register their classes)
from kiosk.flow import Screen, Service
from ui import screen_registry
from ui.screenshots import OVERLAY_STATES, _states
from ui.widgets import ScreenBase


def test_every_screen_has_exactly_one_registered_class() -> None:
    registered = screen_registry.registered()
    assert set(registered) == set(Screen), f"screens no class draws: {set(Screen) - set(registered)}"
    for screen, page in registered.items():
        assert page.screen == screen
        assert issubclass(page.cls, ScreenBase), page.cls
    # A second class for a screen that already has one is refused, and the registry keeps the first.
    first = registered[Screen.ticket].cls

    with pytest.raises(ValueError, match="TicketScreen"):

        @screen_registry.screen(Screen.ticket, shots={"99-ticket-again": {}})
        class TicketAgain(ScreenBase):
            pass

    assert screen_registry.registered()[Screen.ticket].cls is first


def test_a_screen_without_a_class_stops_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(screen_registry._REGISTRY, Screen.ticket)
    with pytest.raises(LookupError, match="ticket"):
        screen_registry.registrations()


def test_a_class_without_a_screenshot_state_is_refused() -> None:
    with pytest.raises(ValueError, match="no screenshot state"):

        @screen_registry.screen(Screen.ticket, shots={})
        class Unseen(ScreenBase):
            pass


def test_the_window_builds_its_pages_from_the_registry(make_kiosk, fake_services) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_kiosk(fake_services)
    pages = kiosk.window.screens.build_all()
    assert sorted(pages, key=list(Screen).index) == list(Screen)  # one page per screen
    for screen, page in screen_registry.registered().items():
        assert type(pages[screen]) is page.cls, screen
    # ProgressScreen draws two screens, told apart by its constructor option.
    assert pages[Screen.printing].printing and not pages[Screen.processing].printing  # type: ignore[attr-defined]


def test_every_screen_has_a_screenshot_state_that_shows_it() -> None:
    shown: dict[str, Screen] = {}
    for name, apply in _states([]):
        flow = SimpleNamespace(visit=SimpleNamespace(), screen=None)
        apply(flow)
        shown[name] = flow.screen
    for screen, page in screen_registry.registered().items():
        assert page.shots, f"{screen} has no screenshot state"
        for name in page.shots:
            assert shown[name] == screen, (
                f"shot {name} declared on {page.cls.__qualname__} shows {shown[name]}"
            )
    assert set(shown.values()) == set(Screen)
    # The overlays' states lie over a registered screen too.
    assert {name for name, _screen, _fields in OVERLAY_STATES} <= set(shown)
    assert len(shown) == len(_states([]))  # no two states write the same file


def test_the_window_builds_the_screen_it_shows_first_and_the_rest_once_it_has_shown(
    qtbot, make_kiosk, fake_services
) -> None:  # type: ignore[no-untyped-def]
    """`kiosk run` reaches its attract screen without building every screen's widgets (ui/screen_pages.py);
    the others are built one per turn of the event loop after it, each laid out as the window is."""
    kiosk = make_kiosk(fake_services, size=(1080, 1920))  # portrait: the pages are laid out for it
    pages = kiosk.window.screens
    assert list(pages) == [kiosk.flow.screen] and kiosk.flow.screen == Screen.attract
    assert len(pages.unbuilt()) == len(Screen) - 1
    qtbot.waitUntil(lambda: not pages.unbuilt(), timeout=10000)
    first = pages[Screen.attract].outer.contentsMargins()
    for screen, page in pages.items():
        assert page.parent() is kiosk.window.stack, screen  # in the stack, so the window can show it
        assert page.outer.contentsMargins() == first, screen  # the window's metrics, not the defaults


def test_a_screen_the_flow_goes_to_before_its_page_is_built_is_built_at_once(
    make_kiosk, fake_services
) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_kiosk(fake_services)
    kiosk.window.page_builder.stop()  # nothing is built in the background: only the flow's move builds
    assert Screen.check_copy not in kiosk.window.screens
    kiosk.flow.choose_service(Service.check)
    assert kiosk.flow.screen == Screen.check_copy
    page = kiosk.window.screens[Screen.check_copy]
    assert kiosk.window.stack.currentWidget() is page and page.isVisible()
