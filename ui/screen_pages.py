"""The window's pages, each built when it is first needed.

Building the widgets of every screen was about a tenth of `kiosk run`'s start to its attract screen
(bench/startup_bench.py). The window builds the screen it shows first; the rest are built one per turn of
the event loop once it has shown (``KioskWindow`` calls ``build_next``), or at once when the flow goes to
one of them before that (``pages[screen]``).
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.flow import Screen
from ui.widgets import ScreenBase


class ScreenPages(dict[Screen, ScreenBase]):
    """Screen -> its page; a screen not built yet is built on lookup (``pages[screen]``)."""

    def __init__(self, build: Callable[[Screen], ScreenBase]) -> None:
        super().__init__()
        self._build = build

    def __missing__(self, screen: Screen) -> ScreenBase:
        page = self._build(screen)
        self[screen] = page
        return page

    def page(self, screen: Screen) -> ScreenBase:
        return self[screen]

    def unbuilt(self) -> list[Screen]:
        """The screens with no page yet, in the flow's order."""
        return [screen for screen in Screen if screen not in self]

    def build_next(self) -> bool:
        """Build the first screen with no page yet; False when every page is built."""
        waiting = self.unbuilt()
        if waiting:
            self.page(waiting[0])
        return len(waiting) > 1

    def build_all(self) -> ScreenPages:
        """Every page, built now (the screenshots and the tests that walk every screen)."""
        for screen in self.unbuilt():
            self.page(screen)
        return self
