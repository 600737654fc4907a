"""Issue 25 walk W6/W10 on the real loopback backend: the payment's own time-out stays on the payment screen
(try again, cash, cancel); a cancel is recorded by the backend before the visit goes back to the review; a
payment the bank confirmed while the citizen cancelled is not lost but printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.flow import ImmediateRunner, Screen, VisitFlow
from kiosk.flow.headless import VisitStopped, certify_visit
from kiosk.services.payment import PaymentService
from kiosk.services.queue_ticket import QueueNumbers, QueueTicketService
from offline_sync.gateway_sim import SimulatedGateway
from offline_sync.kiosk_api_client import KioskApiClient
from tests.payment.test_flow_payment import PaidServices, Tickets, to_review
from tests.payment.test_paid_not_printed import KioskServices
from tests.payment.test_paid_not_printed import to_review as paid_to_review


@pytest.fixture
def services(api: KioskApiClient, tmp_path: Path) -> PaidServices:
    payments = PaymentService(api, kiosk_id="HN-001", poll_interval=0.05)
    return PaidServices(payments, QueueTicketService(Tickets(), QueueNumbers(tmp_path / "q.json")))


def timed_out(services: PaidServices) -> VisitFlow:
    flow = VisitFlow(services, ImmediateRunner())
    flow.payment_timeout_s = 0.2
    to_review(flow, pages=1, copies=1)
    flow.confirm()
    assert flow.screen == Screen.payment and flow.payment_expired
    assert not flow.payment_pending and flow.payment_seconds_left() == 0
    return flow


def test_cancel_is_recorded_then_back_to_review(services: PaidServices, api: KioskApiClient) -> None:
    flow = timed_out(services)
    reference = flow.visit.payment_request.reference
    flow.cancel_payment()
    assert flow.screen == Screen.review and flow.visit.payment_request is None
    assert api.payment(reference)["status"] == "cancelled"
    assert services.events == []


def test_paid_while_cancelling_is_printed_not_lost(
    services: PaidServices, gateway: SimulatedGateway, api: KioskApiClient
) -> None:
    """The bank's notice lands after the kiosk's last poll and before its cancel: the backend refuses the
    cancel of a paid payment, and the visit prints what was paid for."""
    flow = timed_out(services)
    reference = flow.visit.payment_request.reference
    gateway.pay(flow.visit.payment_request.qr_payload)
    flow.cancel_payment()
    assert api.payment(reference)["status"] == "paid"
    assert flow.screen == Screen.done
    assert services.events == ["print_copy", "print_receipt"]
    assert flow.visit.payment.reference == reference


def test_cash_after_the_time_out(services: PaidServices, api: KioskApiClient) -> None:
    flow = timed_out(services)
    flow.pay_cash()
    assert flow.screen == Screen.ticket
    assert api.payment(flow.visit.payment_request.reference)["status"] == "cash_at_counter"


def test_paid_as_the_visit_is_ended_prints_the_fee_received_slip(
    api: KioskApiClient, gateway: SimulatedGateway, tmp_path: Path
) -> None:
    """The citizen ends the whole visit (the cancel dialog) just as the bank confirms: the kiosk's cancel
    is refused, and the citizen gets a "fee received" slip with the payment reference, not nothing."""
    kiosk = KioskServices(PaymentService(api, kiosk_id="HN-001", poll_interval=0.05), tmp_path)
    flow = VisitFlow(kiosk, ImmediateRunner())
    flow.payment_timeout_s = 0.2
    paid_to_review(flow)
    flow.confirm()
    assert flow.screen == Screen.payment and flow.payment_expired
    request = flow.visit.payment_request
    gateway.pay(request.qr_payload)
    flow.cancel()
    assert flow.screen == Screen.attract
    assert api.payment(request.reference)["status"] == "paid"
    slip = kiosk.receipt_printer.receipts[-1]
    assert slip.payment_reference == request.reference and slip.amount_vnd == request.amount_vnd
    assert "ĐÃ NHẬN PHÍ - BẢN SAO CHỜ NHẬN" in slip.lines
    assert kiosk.a4.pdfs == []  # nothing was certified: no copy


def test_headless_visit_says_the_payment_timed_out(services: PaidServices) -> None:
    """`kiosk certify` (kiosk.flow.headless) names the payment's time-out, now shown on the payment screen."""
    flow = VisitFlow(services, ImmediateRunner())
    flow.payment_timeout_s = 0.2
    with pytest.raises(VisitStopped, match="payment_timeout") as stopped:
        certify_visit(flow, pages=1)
    assert stopped.value.error.kind == "payment_timeout"
    assert services.events == []
