"""Issue 25's walk, at the flow level (no Qt): a page error after page 1 never traps the citizen (W2), the
duplicate page's ways on (W4), what the citizen laid on the glass (W4's reminder), and the queue ticket of
the out-of-service screen the idle re-check puts up."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from drivers.errors import NoDocument
from kiosk.flow import Action, ImmediateRunner, Screen, Service, VisitFlow
from kiosk.flow.errors import RESCAN_ACTIONS
from kiosk.flow.machine import MAX_PAGE_REJECTS
from kiosk.services.queue_ticket import QueueNumbers, QueueTicketService
from kiosk.services.readiness import DOCUMENT_PRINTER, RECEIPT_PRINTER, SCANNER, Readiness
from tests.kiosk.test_flow import FakeClock, FakeServices
from tests.payment.test_flow_payment import Tickets


class GlassServices(FakeServices):
    """The glass holds what the test lays: "page", "blank" or nothing (an empty glass: NoDocument)."""

    def __init__(self) -> None:
        super().__init__()
        self.glass: list[str] = []
        self.duplicate_of: int | None = None  # find_duplicate's answer while set

    def scan_page(self) -> np.ndarray:
        if not self.glass:
            raise NoDocument("the glass is empty", category="scanner")
        self.blank_next = self.glass.pop(0) == "blank"
        return super().scan_page()

    def read_page(self, image: np.ndarray) -> Any:
        if getattr(self, "blank_next", False):
            return SimpleNamespace(image=image, quality=SimpleNamespace(ok=False, reason="blank"), text="")
        return super().read_page(image)

    def find_duplicate(self, page: Any, earlier: list[Any]) -> int | None:
        return self.duplicate_of


@pytest.fixture
def services() -> GlassServices:
    return GlassServices()


@pytest.fixture
def flow(services: GlassServices) -> VisitFlow:
    return VisitFlow(services, ImmediateRunner(), clock=FakeClock())


def two_pages(flow: VisitFlow, services: GlassServices) -> None:
    flow.choose_service(Service.certify)
    flow.card_placed()
    flow.start_face_check()
    services.glass = ["page", "page"]
    flow.scan_page()
    flow.scan_page()
    assert flow.screen == Screen.scan and len(flow.visit.pages) == 2


KEPT = (Action.rescan, Action.finish_pages, Action.back_to_pages, Action.call_staff)


def test_a_blank_page_after_two_pages_goes_on_with_the_two(flow: VisitFlow, services: GlassServices) -> None:
    two_pages(flow, services)
    pages = list(flow.visit.pages)
    services.glass = ["blank"]
    flow.scan_page()
    assert flow.screen == Screen.error and flow.visit.error.kind == "page_quality"
    assert flow.visit.error.reason == "blank"
    assert flow.visit.error.actions == KEPT  # no "start over" that would lose the card, face and pages
    flow.error_action(Action.finish_pages)
    assert flow.screen == Screen.review and flow.visit.pages == pages
    assert flow.visit.error is None


def test_an_empty_glass_after_two_pages_goes_back_with_the_two(
    flow: VisitFlow, services: GlassServices
) -> None:
    two_pages(flow, services)
    flow.scan_page()  # nothing on the glass
    assert flow.screen == Screen.error and flow.visit.error.kind == "no_document"
    assert flow.visit.error.actions == KEPT
    flow.error_action(Action.back_to_pages)
    assert flow.screen == Screen.scan and len(flow.visit.pages) == 2 and flow.visit.error is None
    services.glass = ["page"]  # the third page after all
    flow.scan_page()
    assert flow.screen == Screen.scan and len(flow.visit.pages) == 3


def test_scan_again_still_scans_at_once_after_page_one(flow: VisitFlow, services: GlassServices) -> None:
    two_pages(flow, services)
    flow.scan_page()
    services.glass = ["page"]  # the citizen lays the page, then presses "Scan again"
    flow.error_action(Action.rescan)
    assert flow.screen == Screen.scan and len(flow.visit.pages) == 3


def test_the_first_page_keeps_its_ways_on(flow: VisitFlow, services: GlassServices) -> None:
    flow.choose_service(Service.certify)
    flow.card_placed()
    flow.start_face_check()
    services.glass = ["blank"]
    flow.scan_page()
    assert flow.visit.error.actions == RESCAN_ACTIONS  # no pages to go on with: nothing more to offer
    flow.error_action(Action.finish_pages)  # not offered; even if it came, there is nothing to review
    assert flow.screen == Screen.scan and flow.visit.pages == []


def test_the_counter_ticket_stays_offered_after_page_one(
    flow: VisitFlow, services: GlassServices, tmp_path: Path
) -> None:
    services.tickets = QueueTicketService(Tickets(), QueueNumbers(tmp_path / "q.json"))  # type: ignore[attr-defined]
    two_pages(flow, services)
    for _ in range(MAX_PAGE_REJECTS):
        services.glass = ["blank"]
        flow.error_action(Action.rescan) if flow.screen == Screen.error else flow.scan_page()
    assert flow.visit.error.actions == (
        Action.rescan,
        Action.finish_pages,
        Action.back_to_pages,
        Action.ticket,
    )


def test_a_duplicate_page_scan_again_drops_it_and_scans_at_once(
    flow: VisitFlow, services: GlassServices
) -> None:
    two_pages(flow, services)
    services.duplicate_of = 1
    services.glass = ["page"]
    flow.scan_page()
    assert flow.visit.error.kind == "duplicate_page"
    held = flow.visit.pending_duplicate[0]
    services.duplicate_of = None
    services.glass = ["page"]  # the citizen lays the real page 3 and presses "Scan again"
    flow.error_action(Action.rescan)
    assert flow.screen == Screen.scan and len(flow.visit.pages) == 3
    assert all(p is not held for p in flow.visit.pages) and not held.image.any()  # dropped and wiped


def test_a_duplicate_page_can_end_the_visit(flow: VisitFlow, services: GlassServices) -> None:
    two_pages(flow, services)
    services.duplicate_of = 0
    services.glass = ["page"]
    flow.scan_page()
    held = flow.visit.pending_duplicate[0]
    flow.error_action(Action.cancel)
    assert flow.screen == Screen.attract and flow.visit.pages == []
    assert not held.image.any()


def test_what_was_laid_on_the_glass_is_recorded(flow: VisitFlow, services: GlassServices) -> None:
    two_pages(flow, services)
    assert flow.visit.laid_on_glass == {"card", "pages"}
    flow.cancel()
    flow.choose_service(Service.check)
    flow.check_placed()
    assert flow.visit.laid_on_glass == {"copy"}
    flow.finish()
    assert flow.visit.laid_on_glass == set()
    services.photo_copy = services.scan_copy  # type: ignore[attr-defined]
    flow.choose_service(Service.check)
    flow.check_by_camera()  # held up to the camera: nothing on the glass
    assert flow.screen == Screen.check_result and flow.visit.laid_on_glass == set()


# -- the idle out-of-service screen's queue ticket ----------------------------------------------------


class IdleServices(FakeServices):
    def __init__(self, tmp_path: Path, *, slip: bool = True) -> None:
        super().__init__()
        self.missing: tuple[str, ...] = ()
        self.tickets = QueueTicketService(Tickets(), QueueNumbers(tmp_path / "q.json"))
        self.slips: list[Any] = []
        if slip:
            self.print_slip = lambda receipt: self.slips.append(receipt) or "receipt_printer"

    def check_devices(self, roles: tuple[str, ...]) -> Readiness:
        return Readiness(not self.missing, self.missing, tuple("absent" for _ in self.missing))


def idle_out(
    tmp_path: Path, missing: tuple[str, ...], *, slip: bool = True
) -> tuple[VisitFlow, IdleServices]:
    services = IdleServices(tmp_path, slip=slip)
    clock = FakeClock()
    flow = VisitFlow(services, ImmediateRunner(), clock=clock)
    services.missing = missing
    flow.check_devices_while_idle()
    assert flow.screen == Screen.out_of_service and flow.visit.idle_out_of_service
    return flow, services


def test_the_idle_out_of_service_screen_gives_a_ticket_when_a_printer_works(tmp_path: Path) -> None:
    flow, services = idle_out(tmp_path, (DOCUMENT_PRINTER,))
    assert flow.idle_ticket_offered()
    flow.take_idle_ticket()
    ticket = flow.visit.queue_ticket
    assert ticket is not None and ticket.reason.value == "out_of_service"
    assert len(services.slips) == 1 and ticket.printed_on == "receipt_printer"
    assert not flow.idle_ticket_offered()  # one ticket on show at a time
    flow.take_idle_ticket()
    assert len(services.slips) == 1
    flow.clock.now += flow.done_timeout_s - 1  # type: ignore[attr-defined]
    assert flow.idle_status().seconds_left == pytest.approx(1.0)
    flow.clock.now += 2  # type: ignore[attr-defined]
    flow.idle_status()
    # the number goes (the next citizen does not read it), the kiosk stays out of service, and offers again
    assert flow.visit.queue_ticket is None and flow.screen == Screen.out_of_service
    assert flow.idle_ticket_offered()
    services.missing = ()
    flow.check_devices_while_idle()
    assert flow.screen == Screen.attract


@pytest.mark.parametrize(
    ("missing", "slip"),
    [
        ((DOCUMENT_PRINTER, RECEIPT_PRINTER), True),  # no printer at all
        ((RECEIPT_PRINTER, SCANNER), False),  # the ticket needs the receipt printer without print_slip
    ],
)
def test_no_ticket_is_offered_when_no_printer_can_print_it(
    tmp_path: Path, missing: tuple[str, ...], slip: bool
) -> None:
    flow, services = idle_out(tmp_path, missing, slip=slip)
    assert not flow.idle_ticket_offered()
    flow.take_idle_ticket()
    assert flow.visit.queue_ticket is None and services.slips == []


def test_the_offer_follows_the_printers_while_out_of_service(tmp_path: Path) -> None:
    flow, services = idle_out(tmp_path, (DOCUMENT_PRINTER, RECEIPT_PRINTER))
    assert not flow.idle_ticket_offered()
    services.missing = (DOCUMENT_PRINTER,)  # the receipt printer came back, the A4 printer did not
    flow.check_devices_while_idle()
    assert flow.screen == Screen.out_of_service and flow.idle_ticket_offered()


def test_a_visit_screen_never_offers_the_idle_ticket(tmp_path: Path) -> None:
    services = IdleServices(tmp_path)
    flow = VisitFlow(services, ImmediateRunner(), clock=FakeClock())
    assert not flow.idle_ticket_offered()  # the start screen
    services.missing = (DOCUMENT_PRINTER,)
    flow.choose_service(Service.certify)  # a visit's own out-of-service screen prints its ticket itself
    assert flow.screen == Screen.out_of_service and not flow.visit.idle_out_of_service
    assert flow.visit.queue_ticket is not None and not flow.idle_ticket_offered()
