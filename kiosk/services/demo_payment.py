"""The demo's payment, queue tickets and staff calls, end to end on this machine.

`kiosk demo` has no city backend of its own, so it starts the city's reference backend (the `kiosk-backend`
command, as a child process) on a free loopback port (a development PKI under ``<data>/demo-backend``, made on
first use), lets the kiosk open the
payment over mTLS as a real kiosk would, and has the simulated payment gateway pay the VietQR the payment
screen shows. The backend confirms; the kiosk's poll sees it; only then does the flow print.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.flow.record import Screen
from kiosk.services.payment import PaymentService, configured_payee
from kiosk.services.queue_ticket import QueueNumbers, QueueTicketService
from kiosk.services.staff_call import StaffCallService
from offline_sync.client import BackendClient, make_ssl_context
from offline_sync.gateway_sim import SimulatedGateway
from offline_sync.kiosk_api_client import KioskApiClient
from offline_sync.protocol.errors import BackendError
from offline_sync.protocol.payment_notice import load_or_create_secret

log = logging.getLogger(__name__)
GATEWAY_CN = "payment-gateway-sim"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


PAYER_OUTCOMES = ("pay", "refuse", "never")


@dataclass
class SimulatedPayer:
    """The simulated citizen's banking app: `delay_s` after the payment screen shows the QR it pays it
    ("pay"), sends a transfer of the wrong amount that the city refuses ("refuse": the kiosk keeps waiting),
    or does nothing ("never"). From ``[payment] simulated_payer(_delay_s)``; the maintenance training panel
    changes both at run time (kiosk.services.training)."""

    gateway: Any
    delay_s: float = 1.0
    outcome: str = "pay"
    paid: list[Any] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)
    _timers: list[threading.Timer] = field(default_factory=list)

    def set(self, *, outcome: str | None = None, delay_s: float | None = None) -> None:
        if outcome is not None:
            if outcome not in PAYER_OUTCOMES:
                raise ValueError(f"the simulated payer pays, refuses or never pays, not {outcome!r}")
            self.outcome = outcome
        if delay_s is not None:
            if not 0 <= delay_s <= 600:
                raise ValueError("the simulated payer's delay is 0 to 600 seconds")
            self.delay_s = float(delay_s)

    def __call__(self, flow: Any) -> None:
        """A flow listener: once per payment, when the payment screen shows its QR."""
        request = flow.visit.payment_request
        if flow.screen != Screen.payment or request is None or not request.qr_payload:
            return
        if getattr(flow.visit, "payment_cash", False) or request.reference in self._seen:
            return
        self._seen.add(request.reference)
        if self.outcome == "never":
            log.info("simulated payer: never pays %s", request.reference)
            return
        timer = threading.Timer(self.delay_s, self._pay, args=(flow, request, self.outcome))
        timer.daemon = True
        timer.name = request.reference
        self._timers.append(timer)
        timer.start()

    def _pay(self, flow: Any, request: Any, outcome: str) -> None:
        if flow.visit.payment_request is not request or getattr(flow.visit, "payment_cash", False):
            return  # cancelled, moved to cash, or a new visit meanwhile
        wrong = max(1, int(request.amount_vnd) - 1000) if outcome == "refuse" else None
        try:
            self.paid.append(self.gateway.pay(request.qr_payload, amount_vnd=wrong))
        except BackendError as exc:
            self.refused.append(request.reference)
            log.info("simulated payer: the city refused the transfer for %s: %s", request.reference, exc)
        except Exception:
            log.exception("the simulated gateway could not pay")

    def join(self, timeout: float = 30.0) -> None:
        for timer in self._timers:
            timer.join(timeout)


@dataclass
class DemoPayments:
    payments: PaymentService
    tickets: QueueTicketService
    staff_calls: StaffCallService
    gateway: Any
    payer: SimulatedPayer | None = None

    def __post_init__(self) -> None:
        if self.payer is None:
            self.payer = SimulatedPayer(self.gateway)

    @property
    def paid(self) -> list[Any]:
        return self.payer.paid if self.payer is not None else []

    def attach(self, services: Any) -> None:
        services.payments = self.payments
        services.tickets = self.tickets
        services.staff_calls = self.staff_calls

    def pay_when_shown(self, flow: Any) -> None:
        """A flow listener: the simulated citizen pays (or not) the QR the payment screen shows."""
        if self.payer is not None:
            self.payer(flow)

    def join(self) -> None:
        if self.payer is not None:
            self.payer.join()


@contextmanager
def demo_payments(app: Any) -> Iterator[DemoPayments]:
    """The reference backend on loopback, the kiosk's payment services over it, and the gateway."""
    folder: Path = app.folder("demo-backend")
    tls = folder / "tls"
    kiosk_id = app.config.kiosk.id
    secret = load_or_create_secret(folder)
    with city_backend_process(folder, tls, kiosk_ids=(kiosk_id, GATEWAY_CN)) as url:
        settings = app.config.payment
        payee = configured_payee(app.config)
        ca = tls / "ca.crt"
        client = BackendClient(url, make_ssl_context(tls / f"{kiosk_id}.crt", tls / f"{kiosk_id}.key", ca))
        gateway = SimulatedGateway(
            url,
            make_ssl_context(tls / f"{GATEWAY_CN}.crt", tls / f"{GATEWAY_CN}.key", ca),
            secret,
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
            payer=SimulatedPayer(
                gateway, delay_s=settings.simulated_payer_delay_s, outcome=settings.simulated_payer
            ),
        )
        try:
            yield parts
        finally:
            parts.join()
            gateway.close()
            client.close()


def _backend_command() -> list[str]:
    """The `kiosk-backend` console script installed beside this Python (the venv's bin), else on PATH."""
    beside = Path(sys.executable).with_name("kiosk-backend")
    found = str(beside) if beside.is_file() else shutil.which("kiosk-backend")
    if not found:
        raise DemoBackendUnavailable("the kiosk-backend command is not installed")
    return [found]


class DemoBackendUnavailable(RuntimeError):
    """The demo's city backend could not be started (not installed, or it did not answer in time)."""


@contextmanager
def city_backend_process(
    folder: Path, tls: Path, *, kiosk_ids: tuple[str, ...], ready_timeout_s: float = 30.0
) -> Iterator[str]:
    """Run the city's reference backend (`kiosk-backend serve`) as a child process on a free loopback port,
    with a development PKI in ``tls`` (made on first use, with a client certificate for each of
    ``kiosk_ids``); yield its URL; stop it (SIGTERM, then SIGKILL) on the way out.

    The kiosk talks to the city only over the network, as in production: nothing of the city's package is
    imported here, only its command is run.
    """
    command = _backend_command()
    missing = [cn for cn in kiosk_ids if not (tls / f"{cn}.crt").is_file()]
    if missing or not (tls / "server.crt").is_file():
        certs = [*command, "dev-certs", str(tls)]
        for cn in kiosk_ids:
            certs += ["--kiosk", cn]
        subprocess.run(certs, check=True, capture_output=True, timeout=60)
    port = _free_port()
    log_file = (folder / "backend.log").open("ab")
    child = subprocess.Popen(
        [
            *command,
            "serve",
            "--data",
            str(folder),
            "--tls",
            str(tls),
            "--port",
            str(port),
            "--dev-no-seal-check",
            "--parent-pid",  # it stops by itself if this kiosk dies without the clean-up below
            str(os.getpid()),
        ],
        stdout=log_file,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + ready_timeout_s
        while True:
            if child.poll() is not None:
                raise DemoBackendUnavailable(
                    f"the demo backend exited ({child.returncode}); see {folder / 'backend.log'}"
                )
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise DemoBackendUnavailable("the demo backend did not answer in time") from None
                time.sleep(0.05)
        yield f"https://127.0.0.1:{port}"
    finally:
        child.terminate()
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        log_file.close()
