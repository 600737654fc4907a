"""Each way the kiosk cannot finish reaches a queue ticket (issue 15, deliver 4): an unsupported document
(pages the kiosk keeps refusing), repeated face failures, payment in cash (tests/payment/
test_flow_payment.py, test_no_payment_service.py) and staff needed."""

from __future__ import annotations

from pathlib import Path

from kiosk.flow import Action, ImmediateRunner, Screen, Service, VisitFlow
from kiosk.flow.machine import MAX_FACE_ATTEMPTS, MAX_PAGE_REJECTS
from kiosk.services.queue_ticket import QueueNumbers, QueueTicketService
from tests.kiosk.test_flow import FakeServices
from tests.payment.test_flow_payment import Tickets


def ticket_services(tmp_path: Path) -> FakeServices:
    services = FakeServices()
    services.tickets = QueueTicketService(Tickets(), QueueNumbers(tmp_path / "q.json"))  # type: ignore[attr-defined]
    return services


def to_scan(flow: VisitFlow) -> None:
    flow.choose_service(Service.certify)
    flow.card_placed()
    flow.start_face_check()
    assert flow.screen == Screen.scan


def test_a_document_the_kiosk_keeps_refusing_gets_an_unsupported_document_ticket(tmp_path: Path) -> None:
    services = ticket_services(tmp_path)
    flow = VisitFlow(services, ImmediateRunner())
    to_scan(flow)
    services.bad_pages = MAX_PAGE_REJECTS
    for attempt in range(1, MAX_PAGE_REJECTS + 1):
        flow.scan_page()
        assert flow.screen == Screen.error
        offered = Action.ticket in flow.visit.error.actions
        assert offered == (attempt >= MAX_PAGE_REJECTS)
        if attempt < MAX_PAGE_REJECTS:
            flow.error_action(Action.rescan)
    flow.error_action(Action.ticket)
    assert flow.screen == Screen.ticket
    assert flow.visit.queue_ticket.reason.value == "unsupported_document"
    assert services.printed == []


def test_repeated_face_failures_get_a_face_failures_ticket(tmp_path: Path) -> None:
    services = ticket_services(tmp_path)
    services.match = False
    flow = VisitFlow(services, ImmediateRunner())
    flow.choose_service(Service.certify)
    flow.card_placed()
    for _ in range(MAX_FACE_ATTEMPTS):
        flow.start_face_check()
        assert flow.screen == Screen.error
        if Action.ticket not in flow.visit.error.actions:
            flow.error_action(Action.try_again)
    flow.error_action(Action.ticket)
    assert flow.screen == Screen.ticket
    assert flow.visit.queue_ticket.reason.value == "face_failures"


def test_staff_needed_without_a_staff_call_service_gets_a_staff_needed_ticket(tmp_path: Path) -> None:
    services = ticket_services(tmp_path)  # tickets, but no staff call service (nothing to call)
    flow = VisitFlow(services, ImmediateRunner())
    to_scan(flow)
    services.bad_pages = 1
    flow.scan_page()
    assert flow.screen == Screen.error
    flow.error_action(Action.call_staff)
    assert flow.screen == Screen.ticket
    assert flow.visit.queue_ticket.reason.value == "staff_needed"
