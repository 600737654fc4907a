"""Issue 25 (Deliver 11): the simulated payer's delay and outcome come from config, so the payment time-out,
"cancel" and "cash at the counter" can be walked; the default stays quick."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from kiosk.config import load_config, parse_config
from kiosk.flow import ImmediateRunner, Screen, VisitFlow
from kiosk.services.demo_payment import SimulatedPayer
from kiosk.services.payment import PaymentService
from kiosk.services.queue_ticket import QueueNumbers, QueueTicketService
from offline_sync.gateway_sim import SimulatedGateway
from offline_sync.kiosk_api_client import KioskApiClient
from tests.payment.test_flow_payment import PaidServices, Tickets, to_review


@pytest.fixture
def services(api: KioskApiClient, tmp_path: Path) -> PaidServices:
    payments = PaymentService(api, kiosk_id="HN-001", poll_interval=0.05)
    return PaidServices(payments, QueueTicketService(Tickets(), QueueNumbers(tmp_path / "q.json")))


def test_config_switch_and_quick_default(tmp_path: Path) -> None:
    default = load_config(None).payment
    assert default.simulated_payer == "pay" and default.simulated_payer_delay_s <= 1.0
    slow = parse_config({"payment": {"simulated_payer": "refuse", "simulated_payer_delay_s": 45}}).payment
    assert (slow.simulated_payer, slow.simulated_payer_delay_s) == ("refuse", 45)
    with pytest.raises(Exception, match="simulated_payer"):
        parse_config({"payment": {"simulated_payer": "maybe"}})


def _flow(services: PaidServices, payer: SimulatedPayer, timeout: float) -> VisitFlow:
    flow = VisitFlow(services, ImmediateRunner())
    flow.payment_timeout_s = timeout
    flow.subscribe(payer)
    return flow


def test_pays_after_the_configured_delay(services: PaidServices, gateway: SimulatedGateway) -> None:
    payer = SimulatedPayer(gateway, delay_s=0.2, outcome="pay")
    flow = _flow(services, payer, timeout=20)
    to_review(flow, pages=1, copies=1)
    flow.confirm()
    assert flow.screen == Screen.done
    assert [r.outcome for r in payer.paid] == ["paid"]


def test_never_pays_so_the_time_out_shows(services: PaidServices, gateway: SimulatedGateway) -> None:
    payer = SimulatedPayer(gateway, delay_s=0.0, outcome="never")
    flow = _flow(services, payer, timeout=0.4)
    to_review(flow, pages=1, copies=1)
    flow.confirm()
    assert flow.screen == Screen.payment and flow.payment_expired
    assert payer.paid == [] and services.events == []  # nothing printed


def test_refused_transfer_leaves_the_payment_open(services: PaidServices, gateway: SimulatedGateway) -> None:
    payer = SimulatedPayer(gateway, delay_s=0.0, outcome="refuse")
    flow = _flow(services, payer, timeout=1.5)
    to_review(flow, pages=1, copies=1)
    flow.confirm()
    payer.join()
    assert payer.refused == [flow.visit.payment_request.reference]  # the city said amount_mismatch
    assert flow.screen == Screen.payment and flow.payment_expired
    assert services.events == []


def test_a_slow_payer_leaves_time_for_cash(services: PaidServices, gateway: SimulatedGateway) -> None:
    """With a long delay the citizen can still choose cash: the payer then does not pay."""
    payer = SimulatedPayer(gateway, delay_s=0.5, outcome="pay")
    flow = VisitFlow(services, _ThreadRunner())
    flow.subscribe(payer)
    flow.payment_timeout_s = 20
    to_review(flow, pages=1, copies=1)
    flow.confirm()  # the wait runs on its own thread: the screen is free
    _until(lambda: flow.screen == Screen.payment and flow.visit.payment_request is not None)
    flow.pay_cash()
    _until(lambda: flow.screen == Screen.ticket)
    payer.join()
    assert payer.paid == []  # the citizen chose cash before the phone paid
    assert flow.visit.queue_ticket.reason == "payment_cash"


class _ThreadRunner(ImmediateRunner):
    """Runs the payment wait on a thread (as the UI's Qt workers do), the rest at once."""

    def submit(self, name, work, done, failed, progress=None):  # type: ignore[no-untyped-def]
        if name != "wait_payment":
            super().submit(name, work, done, failed, progress)
            return

        def run() -> None:
            try:
                result = work(lambda *_: None)
            except Exception as exc:
                failed(exc)
                return
            done(result)

        threading.Thread(target=run, daemon=True).start()


def _until(condition, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    event = threading.Event()
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        event.wait(0.02)
    raise AssertionError("condition not reached")
