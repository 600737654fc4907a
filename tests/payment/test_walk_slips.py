"""Issue 25's walk (W9), over the real payment backend, store and slip printer of test_paid_not_printed:
"try again" with the printer still down prints no second "collect at the counter" slip; once the copy prints,
the slip the citizen holds is void and the done screen can say so; a receipt that came out of the A4 printer
is recorded as such, so the done screen sends the citizen there and not to the empty receipt slot."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.errors import DeviceAbsent
from kiosk.flow import ImmediateRunner, Screen, VisitFlow
from kiosk.services.payment import PaymentService
from offline_sync.gateway_sim import SimulatedGateway
from offline_sync.kiosk_api_client import KioskApiClient
from tests.payment.test_paid_not_printed import CODE, KioskServices, _paid_and_failed, owed, pay, to_review


@pytest.fixture
def kiosk(api: KioskApiClient, tmp_path: Path) -> KioskServices:
    """As test_paid_not_printed's: the real backend's payments, store, slip printer and fake printers."""
    return KioskServices(PaymentService(api, kiosk_id="HN-001", poll_interval=0.05), tmp_path)


def test_try_again_with_the_printer_still_down_prints_no_second_slip(
    kiosk: KioskServices, gateway: SimulatedGateway
) -> None:
    flow = VisitFlow(kiosk, ImmediateRunner())
    to_review(flow)
    flow.subscribe(
        lambda f: setattr(kiosk.a4, "fault", DeviceAbsent) if f.screen == Screen.processing else None
    )
    state = _paid_and_failed(flow, kiosk, gateway)
    assert state.printed_on == "receipt_printer"
    slips = len(kiosk.receipt_printer.receipts)
    for _ in range(3):  # the citizen presses "Try printing again (free)" while the A4 printer is still gone
        flow.retry_print()
        assert flow.screen == Screen.collect
        assert flow.visit.collect.printed_on == "receipt_printer"  # the slip they hold, named again
    assert len(kiosk.receipt_printer.receipts) == slips  # one slip, not one per press
    assert owed(kiosk) == [(CODE, ("copy",))]  # the slip in their hand is the receipt (walk W12)
    assert not flow.visit.void_slip
    kiosk.a4.fault = None  # the technician fixes it; "try again" prints the copy and the receipt
    flow.retry_print()
    assert flow.screen == Screen.done and owed(kiosk) == []
    assert flow.visit.void_slip  # the collect slip in the citizen's hand is no longer needed


def test_a_receipt_printed_on_the_a4_printer_is_recorded(
    kiosk: KioskServices, gateway: SimulatedGateway
) -> None:
    flow = VisitFlow(kiosk, ImmediateRunner())
    to_review(flow)
    kiosk.receipt_printer.fail_next = 2  # the receipt, and the receipt printer again for the slip
    pay(flow, gateway)
    assert flow.screen == Screen.done
    assert flow.visit.receipt_printed_on == "document_printer"
    assert not flow.visit.void_slip  # no collect slip was printed


def test_an_ordinary_visit_names_no_other_printer(kiosk: KioskServices, gateway: SimulatedGateway) -> None:
    flow = VisitFlow(kiosk, ImmediateRunner())
    to_review(flow)
    pay(flow, gateway)
    assert flow.screen == Screen.done
    assert flow.visit.receipt_printed_on == "" and not flow.visit.void_slip
