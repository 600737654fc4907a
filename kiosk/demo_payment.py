"""The demo's payment, queue tickets and staff calls, end to end on this machine.

`kiosk demo` has no city backend of its own, so it starts the reference backend in a thread on a free
loopback port (a development PKI under ``<data>/demo-backend``, made on first use), lets the kiosk open the
payment over mTLS as a real kiosk would, and has the simulated payment gateway pay the VietQR the payment
screen shows. The backend confirms; the kiosk's poll sees it; only then does the flow print.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.flow.record import Screen
from kiosk.payment import PayeeAccount, PaymentService
from kiosk.queue_ticket import QueueNumbers, QueueTicketService
from kiosk.staff_call import StaffCallService

log = logging.getLogger(__name__)
GATEWAY_CN = "payment-gateway-sim"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class DemoPayments:
    payments: PaymentService
    tickets: QueueTicketService
    staff_calls: StaffCallService
    gateway: Any
    paid: list[Any] = field(default_factory=list)
    _threads: list[threading.Thread] = field(default_factory=list)

    def attach(self, services: Any) -> None:
        services.payments = self.payments
        services.tickets = self.tickets
        services.staff_calls = self.staff_calls

    def pay_when_shown(self, flow: Any) -> None:
        """A flow listener: the simulated citizen pays the QR as soon as the payment screen shows it."""
        request = flow.visit.payment_request
        if flow.screen != Screen.payment or request is None or not request.qr_payload:
            return
        if any(getattr(t, "name", "") == request.reference for t in self._threads):
            return
        thread = threading.Thread(
            target=self._pay, args=(request.qr_payload,), name=request.reference, daemon=True
        )
        self._threads.append(thread)
        thread.start()

    def _pay(self, payload: str) -> None:
        try:
            self.paid.append(self.gateway.pay(payload))
        except Exception:
            log.exception("the simulated gateway could not pay")

    def join(self) -> None:
        for thread in self._threads:
            thread.join(30)


@contextmanager
def demo_payments(app: Any) -> Iterator[DemoPayments]:
    """The reference backend on loopback, the kiosk's payment services over it, and the gateway."""
    from offline_sync.backend import (
        BackendDB,
        BackgroundServer,
        TlsFiles,
        create_dev_pki,
        issue_client_cert,
        make_server,
    )
    from offline_sync.backend.payments import load_or_create_secret
    from offline_sync.backend.pki import DevPki
    from offline_sync.client import BackendClient, make_ssl_context
    from offline_sync.gateway_sim import SimulatedGateway
    from offline_sync.kiosk_api_client import KioskApiClient

    folder: Path = app.folder("demo-backend")
    tls = folder / "tls"
    pki = DevPki(tls / "ca.crt", tls / "ca.key", tls / "server.crt", tls / "server.key")
    if not all(p.is_file() for p in (pki.ca_cert, pki.ca_key, pki.server_cert, pki.server_key)):
        pki = create_dev_pki(tls)
    kiosk_id = app.config.kiosk.id
    for cn in (kiosk_id, GATEWAY_CN):
        if not (tls / f"{cn}.crt").is_file():
            issue_client_cert(pki, cn, tls / f"{cn}.crt", tls / f"{cn}.key")
    db = BackendDB(str(folder / "backend.sqlite3"), folder / "blobs")
    port = _free_port()
    server = BackgroundServer(
        make_server(db, TlsFiles(pki.server_cert, pki.server_key, pki.ca_cert), port=port)
    ).start()
    url = f"https://127.0.0.1:{port}"
    settings = app.config.payment
    payee = PayeeAccount(settings.bank_bin, settings.account, settings.payee_name)
    client = BackendClient(
        url, make_ssl_context(tls / f"{kiosk_id}.crt", tls / f"{kiosk_id}.key", pki.ca_cert)
    )
    gateway = SimulatedGateway(
        url,
        make_ssl_context(tls / f"{GATEWAY_CN}.crt", tls / f"{GATEWAY_CN}.key", pki.ca_cert),
        load_or_create_secret(folder),
        bank_bin=payee.bank_bin,
        account=payee.account,
    )
    api = KioskApiClient(client)
    parts = DemoPayments(
        payments=PaymentService(
            api, kiosk_id=kiosk_id, payee=payee, poll_interval=min(0.2, settings.poll_interval_s)
        ),
        tickets=QueueTicketService(
            app.devices.receipt_printer,
            QueueNumbers(app.folder("queue") / "numbers.json"),
            authority=app.config.kiosk.authority,
        ),
        staff_calls=StaffCallService(None, api),
        gateway=gateway,
    )
    try:
        yield parts
    finally:
        parts.join()
        gateway.close()
        client.close()
        server.stop()
        db.close()
