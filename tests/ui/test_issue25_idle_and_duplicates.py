"""Issue 25, what the last session left: a page kept though it repeats an earlier one says so on its
thumbnail; the kiosk idle on its start screen notices a printer that died, shows
the out-of-service screen, and comes back by itself once the printer works; the queue-ticket card is one
shared builder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from drivers.build import Devices
from drivers.health import DeviceState
from drivers.sim_printers import PdfFolderPrinter, SimulatedReceiptPrinter
from drivers.simulated import SimulatedCamera, SimulatedScanner
from kiosk.flow import Action, Screen
from kiosk.services.readiness import check_devices
from tests.ui.conftest import SlowFakeServices
from tests.ui.test_visit import click, start_face_check, wait_screen
from ui import screens_pay, screens_service
from ui.widgets import TicketCard

pytestmark = pytest.mark.timeout(120)


# -- a kept duplicate page ---------------------------------------------------------------------------------


class RepeatingServices(SlowFakeServices):
    """Every page after the first has the content of page 1 (as kiosk.services.duplicate_page finds it)."""

    def find_duplicate(self, page: Any, earlier: Any) -> int | None:
        return 0 if earlier else None


def keep_the_repeat(qtbot: Any, kiosk: Any) -> None:
    """Scan a page that repeats page 1, and answer "keep it" on the error screen."""
    w = kiosk.window
    click(qtbot, w.screens[Screen.scan].add)
    wait_screen(qtbot, kiosk, Screen.error)
    error = w.screens[Screen.error]
    assert kiosk.flow.visit.error.kind == "duplicate_page"
    keep = error.buttons[error.error_actions.index(Action.keep_page)]
    click(qtbot, keep)
    wait_screen(qtbot, kiosk, Screen.scan)


def test_a_kept_duplicate_page_says_so_on_its_thumbnail(qtbot: Any, make_kiosk: Any) -> None:
    kiosk = make_kiosk(RepeatingServices())
    w, flow = kiosk.window, kiosk.flow
    click(qtbot, w.screens[Screen.attract].certify)
    click(qtbot, w.screens[Screen.card].go)
    wait_screen(qtbot, kiosk, Screen.face)
    start_face_check(qtbot, kiosk)
    wait_screen(qtbot, kiosk, Screen.scan)
    scan = w.screens[Screen.scan]
    click(qtbot, scan.add)
    qtbot.waitUntil(lambda: len(flow.visit.pages) == 1 and not flow.busy, timeout=10000)
    assert not scan.thumbs[0].duplicate.isVisibleTo(w)
    keep_the_repeat(qtbot, kiosk)
    assert len(flow.visit.pages) == 2
    thumb = scan.thumbs[1]
    badge = thumb.duplicate
    assert badge.isVisibleTo(w) and badge.text() == "Trùng trang 1"
    assert badge.property("role") == "badge"
    # on top of the page's picture, inside it, big enough for its text
    assert badge.parentWidget() is thumb.view and thumb.view.rect().contains(badge.geometry())
    assert badge.size() == badge.sizeHint()  # its whole text
    assert not scan.thumbs[0].duplicate.isVisibleTo(w)  # the original is not the repeat
    click(qtbot, scan.go)  # the review and back: the mark stays with the page
    wait_screen(qtbot, kiosk, Screen.review)
    click(qtbot, w.screens[Screen.review].back)
    wait_screen(qtbot, kiosk, Screen.scan)
    assert scan.thumbs[1].duplicate.isVisibleTo(w)
    flow.remove_page(0)  # the earlier page goes: the kept one repeats nothing any more
    assert len(flow.visit.pages) == 1
    assert not scan.thumbs[0].duplicate.isVisibleTo(w)


def test_a_dropped_duplicate_leaves_no_badge(qtbot: Any, make_kiosk: Any) -> None:
    kiosk = make_kiosk(RepeatingServices(), language="en")
    w, flow = kiosk.window, kiosk.flow
    click(qtbot, w.screens[Screen.attract].certify)
    click(qtbot, w.screens[Screen.card].go)
    wait_screen(qtbot, kiosk, Screen.face)
    start_face_check(qtbot, kiosk)
    wait_screen(qtbot, kiosk, Screen.scan)
    click(qtbot, w.screens[Screen.scan].add)
    qtbot.waitUntil(lambda: len(flow.visit.pages) == 1 and not flow.busy, timeout=10000)
    click(qtbot, w.screens[Screen.scan].add)
    wait_screen(qtbot, kiosk, Screen.error)
    error = w.screens[Screen.error]
    click(qtbot, error.buttons[error.error_actions.index(Action.back_to_pages)])  # drop it
    wait_screen(qtbot, kiosk, Screen.scan)
    assert len(flow.visit.pages) == 1 and flow.visit.kept_duplicates == []
    keep_the_repeat(qtbot, kiosk)
    assert w.screens[Screen.scan].thumbs[1].duplicate.text() == "Same as page 1"


# -- the devices, checked while the kiosk waits ---------------------------------------------------------


class DeviceServices(SlowFakeServices):
    """The visit services over the product's simulated devices, asked as the adapter asks them."""

    def __init__(self, tmp_path: Path) -> None:
        super().__init__()
        self.devices = Devices(
            scanner=SimulatedScanner(),
            camera=SimulatedCamera(frames=lambda: np.full((48, 64, 3), 120, np.uint8), fps=0),
            document_printer=PdfFolderPrinter(tmp_path / "a4"),
            receipt_printer=SimulatedReceiptPrinter(tmp_path / "receipts"),
        )
        self.checks = 0

    def check_devices(self, roles: tuple[str, ...]) -> Any:
        self.checks += 1
        return check_devices(self.devices, roles)


def test_an_idle_kiosk_goes_out_of_service_when_the_printer_dies_and_comes_back(
    qtbot: Any, make_kiosk: Any, tmp_path: Path, audit_events: list
) -> None:
    services = DeviceServices(tmp_path)
    kiosk = make_kiosk(services, voice=True)
    w, flow = kiosk.window, kiosk.flow
    w.device_timer.setInterval(50)  # the re-check period, shortened for the test
    qtbot.waitUntil(lambda: services.checks >= 2, timeout=5000)
    assert flow.screen == Screen.attract  # all devices work: nothing changes
    printer = services.devices.document_printer
    printer.set_fault("absent")  # the A4 printer is unplugged
    qtbot.waitUntil(lambda: flow.screen == Screen.out_of_service, timeout=5000)
    assert flow.visit.readiness.missing == ("document_printer",)
    assert ("kiosk.out_of_service", {"missing": ["document_printer"], "idle": True}) in audit_events
    assert services.devices.health.last("visit_service").state == DeviceState.error  # what /ops is sent
    screen = w.screens[Screen.out_of_service]
    assert "Kiosk sẽ tự hoạt động lại" in screen.instruction.text()
    assert "chưa bị thu phí" not in screen.instruction.text()  # no visit: nothing to say about a fee
    assert w.voice.spoken[-1][1] == screen.spoken_prompt()  # the screen is spoken, as every screen
    assert screen.number.text() == "" and services.receipts == []  # no ticket for no one
    flow.clock = lambda: 1e12  # long after: an idle out-of-service screen does not time out to the start
    w.check_idle()
    assert flow.screen == Screen.out_of_service and screen.countdown.text() == ""
    printer.set_fault(None)  # the technician plugs it back in
    qtbot.waitUntil(lambda: flow.screen == Screen.attract, timeout=5000)
    assert ("kiosk.back_in_service", {}) in audit_events


def test_the_idle_check_never_makes_the_flow_busy_nor_interrupts_a_visit(
    qtbot: Any, make_kiosk: Any, tmp_path: Path
) -> None:
    services = DeviceServices(tmp_path)
    kiosk = make_kiosk(services)
    w, flow = kiosk.window, kiosk.flow
    w.device_timer.stop()
    flow.check_devices_while_idle()
    assert not flow.busy  # a citizen's tap at that moment is not lost
    qtbot.waitUntil(lambda: services.checks == 1 and kiosk.runner.pending() == 0, timeout=5000)
    click(qtbot, w.screens[Screen.attract].certify)  # a visit starts (its own check lets it)
    wait_screen(qtbot, kiosk, Screen.card)
    services.devices.document_printer.set_fault("absent")
    before = services.checks
    flow.check_devices_while_idle()  # not idle: the visit's own checks (before payment) protect it
    assert services.checks == before and flow.screen == Screen.card


# -- one queue-ticket card -------------------------------------------------------------------------------


def test_both_ticket_screens_build_the_one_shared_ticket_card(qtbot: Any, make_kiosk: Any) -> None:
    kiosk = make_kiosk(SlowFakeServices())
    for screen in (Screen.ticket, Screen.out_of_service):
        card = kiosk.window.screens[screen].card
        assert isinstance(card, TicketCard)
        assert kiosk.window.screens[screen].number is card.number
    for module in (screens_pay, screens_service):  # the card's layout is written once, in ui.widgets
        assert "number_label = make_label" not in Path(module.__file__).read_text(encoding="utf-8")
