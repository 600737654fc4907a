"""Issue 22: `kiosk run` puts a renewed seal certificate in place between visits, never mid-visit: only on
the attract screen with no task running (a task of a visit already cancelled counts), at each return there
and from a timer while it shows. The swap itself (KioskApp.reload_seal_certificate) is tested against a
real city in tests/backoffice/test_screen_seal_renewal.py."""

from __future__ import annotations

import threading
from typing import Any

from kiosk.flow import Screen
from ui.app import seal_certificate_between_visits


class CountingApp:
    """Stands in for KioskApp: records the screen and the tasks in flight at each reload."""

    def __init__(self, kiosk: Any) -> None:
        self.kiosk = kiosk
        self.calls: list[tuple[Screen, int]] = []

    def reload_seal_certificate(self) -> bool:
        self.calls.append((self.kiosk.flow.screen, self.kiosk.runner.pending()))
        return False


def test_the_certificate_is_swapped_only_between_visits(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    kiosk = make_kiosk(fake_services)
    app = CountingApp(kiosk)
    timer = seal_certificate_between_visits(kiosk.flow, kiosk.runner, app)
    try:
        assert timer.isActive() and timer.interval() == 30_000
        timer.timeout.emit()  # idle on the attract screen: taken
        assert app.calls == [(Screen.attract, 0)]

        # A visit starts: from there on, nothing is swapped, whatever the timer says.
        kiosk.flow.choose_service("certify")
        qtbot.waitUntil(
            lambda: kiosk.flow.screen == Screen.card and kiosk.runner.pending() == 0, timeout=10_000
        )
        timer.timeout.emit()
        kiosk.flow.touch()
        kiosk.flow.still_here()  # a change the listener sees, mid-visit
        assert app.calls == [(Screen.attract, 0)]

        # The card is being read when the citizen cancels: back on the attract screen, but the reading task
        # still runs, so the visit's signer may still be in use: not yet.
        fake_services.gate = threading.Event()
        kiosk.flow.card_placed()
        assert kiosk.runner.pending() == 1
        kiosk.flow.cancel()
        assert kiosk.flow.screen == Screen.attract
        timer.timeout.emit()
        assert app.calls == [(Screen.attract, 0)]

        fake_services.gate.set()
        qtbot.waitUntil(lambda: kiosk.runner.pending() == 0, timeout=10_000)
        timer.timeout.emit()
        assert app.calls == [(Screen.attract, 0), (Screen.attract, 0)]
        assert all(screen == Screen.attract and pending == 0 for screen, pending in app.calls)
    finally:
        timer.stop()
