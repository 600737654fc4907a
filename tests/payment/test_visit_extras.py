"""VisitExtras wires payment, tickets and staff calls from the config: a configured backend, the demo's
loopback backend, or none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kiosk.app import KioskApp
from kiosk.config import parse_config
from kiosk.flow import ImmediateRunner, Screen, VisitFlow
from kiosk.services.payment import PaymentRequired
from kiosk.services.visit_extras import VisitExtras
from offline_sync.gateway_sim import SimulatedGateway
from tests.kiosk.test_flow import FakeServices
from tests.payment.test_flow_payment import paying_citizen, to_review
from tests.sync.helpers import Backend, Pki


class Services(FakeServices):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[str] = []

    def print_receipt(self, copy: Any, **paid: Any) -> None:  # type: ignore[override]
        self.events.append(f"receipt {paid.get('amount_vnd')}")
        super().print_receipt(copy)


def test_with_the_configured_backend(
    tmp_path: Path, backend: Backend, pki: Pki, gateway: SimulatedGateway
) -> None:
    cert, key = pki.client("HN-001")
    config = parse_config(
        {
            "kiosk": {"data_dir": str(tmp_path / "data")},
            "sync": {
                "backend_url": backend.url,
                "client_cert": str(cert),
                "client_key": str(key),
                "ca_cert": str(pki.pki.ca_cert),
            },
            "payment": {"poll_interval_s": 0.05},
        }
    )
    with KioskApp(config) as app:
        extras = VisitExtras.for_app(app)
        try:
            services = Services()
            flow = VisitFlow(services, ImmediateRunner())
            extras.attach(services, flow)
            to_review(flow, pages=3, copies=1)
            threads = paying_citizen(gateway, flow)
            flow.confirm()
            for thread in threads:
                thread.join()
            assert flow.screen == Screen.done
            assert services.events == ["qr_shown", "receipt 5000"]
        finally:
            extras.close()


def test_simulated_pays_on_the_loopback_backend(tmp_path: Path) -> None:
    config = parse_config(
        {"kiosk": {"data_dir": str(tmp_path / "data")}, "payment": {"poll_interval_s": 0.05}}
    )
    with KioskApp(config) as app:
        extras = VisitExtras.for_app(app, simulated=True)
        try:
            services = Services()
            flow = VisitFlow(services, ImmediateRunner())
            extras.attach(services, flow)
            to_review(flow, pages=1, copies=2)
            flow.confirm()
            assert flow.screen == Screen.done, flow.visit.error
            assert flow.visit.payment.status == "paid"
            assert services.events == ["receipt 4000"]
        finally:
            extras.close()


def test_without_a_backend_visits_pay_cash_at_the_counter(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """As `kiosk run` (ui/visit_parts.py): [payment] mode "vietqr" and no backend, nothing prints unpaid;
    the visit goes to the counter with a queue ticket."""
    config = parse_config({"kiosk": {"data_dir": str(tmp_path / "data")}})
    assert config.payment.mode == "vietqr"
    with KioskApp(config) as app:
        extras = VisitExtras.for_app(app)
        try:
            assert extras.payments is None and extras.tickets is not None and extras.payment_required
            services = Services()
            flow = VisitFlow(services, ImmediateRunner())
            extras.attach(services, flow)
            assert services.payment_required is True  # type: ignore[attr-defined]
            to_review(flow, pages=1, copies=1)
            flow.confirm()
            assert flow.screen == Screen.ticket
            assert flow.visit.queue_ticket.reason.value == "payment_cash"
            assert services.printed == [] and services.events == []  # no copy, no receipt
            with pytest.raises(PaymentRequired):
                flow._paid_print("copy", lambda: services.events.append("copy"))
            assert services.events == []
        finally:
            extras.close()
    assert "cash at the counter" in caplog.text


def test_without_a_backend_and_payment_off_the_visit_prints(tmp_path: Path) -> None:
    config = parse_config({"kiosk": {"data_dir": str(tmp_path / "data")}, "payment": {"mode": "off"}})
    with KioskApp(config) as app:
        extras = VisitExtras.for_app(app)
        try:
            assert extras.payments is None and not extras.payment_required
            services = Services()
            flow = VisitFlow(services, ImmediateRunner())
            extras.attach(services, flow)
            to_review(flow, pages=1, copies=1)
            flow.confirm()
            assert flow.screen == Screen.done
        finally:
            extras.close()
