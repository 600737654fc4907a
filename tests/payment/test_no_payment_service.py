"""Nothing prints unpaid: `kiosk run` requires payment ([payment] mode "vietqr"), so with no payment service
(no backend configured on a real kiosk, or before the service is set up) the visit pays cash at the counter
through a queue ticket, and a print asked for anyway is refused."""

from __future__ import annotations

import contextlib
from pathlib import Path
from types import SimpleNamespace

import pytest

from kiosk.flow import ImmediateRunner, Screen, VisitFlow
from kiosk.services.payment import PaymentRequired
from kiosk.services.queue_ticket import QueueNumbers, QueueTicketService
from tests.kiosk.test_flow import FakeServices
from tests.payment.test_flow_payment import Tickets, to_review


def required_services(tmp_path: Path, *, tickets: bool = True) -> FakeServices:
    services = FakeServices()
    services.payment_required = True  # type: ignore[attr-defined]
    services.payments = None  # type: ignore[attr-defined]
    services.tickets = (  # type: ignore[attr-defined]
        QueueTicketService(Tickets(), QueueNumbers(tmp_path / "q.json")) if tickets else None
    )
    return services


def test_no_payment_service_sends_the_visit_to_the_counter_with_a_ticket(tmp_path: Path) -> None:
    services = required_services(tmp_path)
    flow = VisitFlow(services, ImmediateRunner())
    to_review(flow)
    flow.confirm()
    assert flow.screen == Screen.ticket
    assert services.printed == []  # no copy, and no receipt but the ticket
    assert flow.visit.queue_ticket.reason.value == "payment_cash"
    assert len(services.tickets.printer.receipts) == 1  # type: ignore[attr-defined]


def test_no_payment_service_and_no_ticket_printer_prints_nothing(tmp_path: Path) -> None:
    services = required_services(tmp_path, tickets=False)
    flow = VisitFlow(services, ImmediateRunner())
    to_review(flow)
    flow.confirm()
    assert flow.screen == Screen.error
    assert services.printed == []


def test_a_print_without_payment_service_is_refused_when_payment_is_required(tmp_path: Path) -> None:
    flow = VisitFlow(required_services(tmp_path), ImmediateRunner())
    printed: list[str] = []
    with pytest.raises(PaymentRequired):
        flow._paid_print("copy", lambda: printed.append("copy"))
    assert printed == []
    flow.services.payment_required = False  # type: ignore[attr-defined]  # [payment] mode = "off"
    flow._paid_print("copy", lambda: printed.append("copy"))
    assert printed == ["copy"]


def test_kiosk_run_without_backend_on_a_real_profile_gives_tickets(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from ui.visit_parts import attach_visit_parts

    config = SimpleNamespace(
        profile="production",
        sync=SimpleNamespace(backend_url=""),
        kiosk=SimpleNamespace(authority="UBND phường"),
    )
    app = SimpleNamespace(
        config=config,
        devices=SimpleNamespace(receipt_printer=Tickets(), signal_light=None),
        folder=lambda name: tmp_path / name,
    )
    services = SimpleNamespace(payments=None, tickets=None, staff_calls=None)
    with contextlib.ExitStack() as stack:
        assert attach_visit_parts(services, app, stack) is None
    assert services.payments is None
    assert isinstance(services.tickets, QueueTicketService)
    assert services.staff_calls is not None
    assert "cash at the counter" in caplog.text


def test_kiosk_run_with_an_unopenable_backend_client_still_gives_tickets(tmp_path: Path) -> None:
    from ui.visit_parts import attach_visit_parts

    config = SimpleNamespace(
        profile="production",
        sync=SimpleNamespace(backend_url="https://records.invalid:8443"),
        kiosk=SimpleNamespace(authority="UBND phường", id="HN-001"),
        path=lambda rel: tmp_path / "missing" / rel,
    )
    app = SimpleNamespace(
        config=config,
        devices=SimpleNamespace(receipt_printer=Tickets(), signal_light=None),
        folder=lambda name: tmp_path / name,
    )
    services = SimpleNamespace(payments=None, tickets=None, staff_calls=None)
    with contextlib.ExitStack() as stack:
        assert attach_visit_parts(services, app, stack) is None
    assert services.payments is None
    assert isinstance(services.tickets, QueueTicketService)
