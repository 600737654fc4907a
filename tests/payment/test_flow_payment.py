"""The visit flow with its payment step, over the real backend and the simulated gateway: nothing prints
before the backend says paid; a failed print is retried under the same payment; cash gives a ticket."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from drivers.base import Receipt
from kiosk.flow import ImmediateRunner, Screen, Service, VisitFlow
from kiosk.services.payment import PaymentService
from kiosk.services.queue_ticket import QueueNumbers, QueueTicketService
from offline_sync.gateway_sim import SimulatedGateway
from offline_sync.kiosk_api_client import KioskApiClient
from tests.kiosk.test_flow import FakeServices


class Tickets:
    def __init__(self) -> None:
        self.receipts: list[Receipt] = []

    def print_receipt(self, receipt: Receipt) -> None:
        self.receipts.append(receipt)


class PaidServices(FakeServices):
    def __init__(self, payments: PaymentService, tickets: QueueTicketService) -> None:
        super().__init__()
        self.payments = payments
        self.tickets = tickets
        self.receipt_payments: list[dict[str, Any]] = []
        self.events: list[str] = []

    def print_copy(self, copy: Any, copies: int) -> None:
        self.events.append("print_copy")
        super().print_copy(copy, copies)

    def print_receipt(self, copy: Any, **paid: Any) -> None:  # type: ignore[override]
        self.events.append("print_receipt")
        super().print_receipt(copy)
        self.receipt_payments.append(paid)


@pytest.fixture
def services(api: KioskApiClient, tmp_path: Path) -> PaidServices:
    payments = PaymentService(api, kiosk_id="HN-001", poll_interval=0.05)
    return PaidServices(payments, QueueTicketService(Tickets(), QueueNumbers(tmp_path / "q.json")))


def to_review(flow: VisitFlow, pages: int = 5, copies: int = 2) -> None:
    flow.choose_service(Service.certify)
    flow.card_placed()
    flow.start_face_check()
    for _ in range(pages):
        flow.scan_page()
    flow.pages_done()
    flow.set_copies(copies)
    assert flow.screen == Screen.review


def paying_citizen(gateway: SimulatedGateway, flow: VisitFlow) -> list[threading.Thread]:
    threads: list[threading.Thread] = []

    def listener(f: VisitFlow) -> None:
        request = f.visit.payment_request
        if f.screen == Screen.payment and request is not None and not threads:
            services = f.services
            services.events.append("qr_shown")  # type: ignore[attr-defined]
            thread = threading.Thread(target=gateway.pay, args=(request.qr_payload,))
            threads.append(thread)
            thread.start()

    flow.subscribe(listener)
    return threads


def test_paid_visit_prints_after_the_backend_confirms(
    services: PaidServices, gateway: SimulatedGateway, api: KioskApiClient
) -> None:
    flow = VisitFlow(services, ImmediateRunner())
    to_review(flow)
    assert flow.fee_vnd == 14000
    assert [line.amount_vnd for line in flow.fee.lines] == [4000, 3000]
    threads = paying_citizen(gateway, flow)
    flow.confirm()
    for thread in threads:
        thread.join()
    assert flow.screen == Screen.done
    assert services.events == ["qr_shown", "print_copy", "print_receipt"]
    payment = flow.visit.payment
    assert payment.to_json() == {"method": "vietqr", "status": "paid", "reference": payment.reference}
    assert api.payment(payment.reference)["amount_vnd"] == 14000
    assert services.receipt_payments == [
        {"copies": 2, "amount_vnd": 14000, "payment_reference": payment.reference}
    ]


def test_failed_print_is_retried_free(services: PaidServices, gateway: SimulatedGateway) -> None:
    flow = VisitFlow(services, ImmediateRunner())
    to_review(flow, pages=1, copies=1)
    services.paper_out = 1
    threads = paying_citizen(gateway, flow)
    flow.confirm()
    for thread in threads:
        thread.join()
    # issue 25: paid and not printed: the collect screen (fee received, the code), not a bare error
    assert flow.screen == Screen.collect
    assert flow.visit.collect.code == "HN-001-000042-X"
    reference = flow.visit.payment.reference
    assert services.payments.free_reprint_due(reference) == ["copy"]
    flow.retry_print()
    assert flow.screen == Screen.done
    assert services.printed == [("HN-001-000042-X", 1)]
    assert flow.visit.payment.reference == reference  # the same payment: nothing paid twice


def test_timeout_prints_nothing_and_waits_again(services: PaidServices, gateway: SimulatedGateway) -> None:
    flow = VisitFlow(services, ImmediateRunner())
    flow.payment_timeout_s = 0.3
    to_review(flow, pages=2, copies=1)
    flow.confirm()
    # issue 25 W6: the payment screen itself says the time ran out (try again / cash / cancel)
    assert flow.screen == Screen.payment and flow.payment_expired and not flow.payment_pending
    assert services.events == []
    # the citizen pays late; "try again" waits again on the same payment
    gateway.pay(flow.visit.payment_request.qr_payload)
    flow.payment_timeout_s = 10
    flow.retry_payment_wait()
    assert flow.screen == Screen.done
    assert services.events == ["print_copy", "print_receipt"]


def test_cash_gives_a_queue_ticket_and_prints_no_copy(services: PaidServices, api: KioskApiClient) -> None:
    flow = VisitFlow(services, ImmediateRunner())
    flow.payment_timeout_s = 30
    to_review(flow, pages=3, copies=1)

    def choose_cash(f: VisitFlow) -> None:
        if f.screen == Screen.payment and f.visit.payment_request is not None and not f.visit.payment_cash:
            # the citizen taps "pay at the counter" while the kiosk waits (the UI thread, here another one)
            threading.Timer(0.2, f.pay_cash).start()

    flow.subscribe(choose_cash)
    flow.confirm()
    assert flow.screen == Screen.ticket
    ticket = flow.visit.queue_ticket
    assert ticket.reason == "payment_cash" and ticket.counter == "Quầy 2 - Thu phí"
    assert services.tickets.printer.receipts[0].code == ticket.number  # type: ignore[attr-defined]
    assert services.events == []
    assert api.payment(flow.visit.payment_request.reference)["status"] == "cash_at_counter"


def test_reset_cancels_an_unpaid_payment(services: PaidServices, api: KioskApiClient) -> None:
    flow = VisitFlow(services, ImmediateRunner())
    flow.payment_timeout_s = 0.2
    to_review(flow, pages=1, copies=1)
    flow.confirm()
    reference = flow.visit.payment_request.reference
    flow.reset(reason="idle")
    assert api.payment(reference)["status"] == "cancelled"


def test_staff_call_keeps_the_visit(services: PaidServices, api: KioskApiClient) -> None:
    from drivers.signal_light import SimulatedSignalLight
    from kiosk.services.staff_call import StaffCallService

    with SimulatedSignalLight() as light:
        services.staff_calls = StaffCallService(light, api)  # type: ignore[attr-defined]
        flow = VisitFlow(services, ImmediateRunner())
        to_review(flow, pages=2, copies=1)
        flow.call_staff()
        assert flow.screen == Screen.review and len(flow.visit.pages) == 2  # the visit is kept
        assert flow.visit.staff_call is not None and flow.visit.staff_call.reported
        assert light.pattern == "call"
        assert [c["reason"] for c in api.staff_calls("open")] == ["citizen_request"]
        flow.cancel_staff_call()
        assert flow.visit.staff_call is None
        assert light.pattern == "ready"
        assert api.staff_calls("open") == []


def test_queue_ticket_when_the_kiosk_cannot_finish(services: PaidServices) -> None:
    flow = VisitFlow(services, ImmediateRunner())
    flow.choose_service(Service.certify)
    flow.card_placed()
    flow.print_queue_ticket("face_failures")
    assert flow.screen == Screen.ticket
    assert flow.visit.queue_ticket.number == "A001"
    assert flow.visit.queue_ticket.reason == "face_failures"
