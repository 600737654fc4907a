"""The optional parts of a visit, wired for the screens: payment, queue tickets, staff calls.

``extras = VisitExtras.for_app(app, light=...)`` then ``extras.attach(services)`` (a
kiosk.flow.adapter.PipelineServices) turns them on in the flow (kiosk.flow.payment_step); ``extras.close()``
at exit. What is built depends on the config:

* a backend configured (``[sync] backend_url``): payments and staff calls go to it over the kiosk's mTLS
  client (``[payment] mode = "vietqr"``; ``"off"`` leaves the payment step out);
* no backend and ``simulated=True`` (the demo, development): the loopback reference backend and the
  simulated gateway of kiosk.services.demo_payment, which pays every QR the payment screen shows;
* no backend otherwise: nothing can be paid at the kiosk. With ``mode = "vietqr"`` every visit pays cash
  at the counter with a queue ticket and nothing prints unpaid, as in `kiosk run` (ui/visit_parts.py);
  a staff call still lights the tower light.

The rule is the same as `kiosk run`'s (ui/app.py): ``services.payment_required`` is true whenever
``[payment] mode = "vietqr"``, so a visit without a payment service goes to the counter, never to print.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

from kiosk.services.demo_payment import demo_payments
from kiosk.services.payment import PaymentService, configured_payments
from kiosk.services.queue_ticket import QueueNumbers, QueueTicketService
from kiosk.services.staff_call import StaffCallService
from offline_sync.kiosk_api_client import KioskApiClient
from offline_sync.runner import open_client

log = logging.getLogger(__name__)


@dataclass
class VisitExtras:
    payments: PaymentService | None
    tickets: QueueTicketService | None
    staff_calls: StaffCallService | None
    payment_timeout_s: float = 180.0
    on_flow_change: Any = None  # the simulated citizen's listener (pays the QR), when simulated
    # [payment] mode "vietqr": nothing prints unpaid, even without `payments` (then: cash at the counter)
    payment_required: bool = False
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    @classmethod
    def for_app(cls, app: Any, *, light: Any = None, simulated: bool = False) -> VisitExtras:
        config = app.config
        if light is None:  # the configured staff-call light ([devices.signal_light]), if any
            light = getattr(app.devices, "signal_light", None)
        tickets = QueueTicketService(
            app.devices.receipt_printer,
            QueueNumbers(app.folder("queue") / "numbers.json"),
            authority=config.kiosk.authority,
        )
        stack = contextlib.ExitStack()
        wants_payment = config.payment.mode == "vietqr"
        if config.sync.backend_url:
            client = stack.enter_context(open_client(config.sync, config.path))
            api = KioskApiClient(client)
            return cls(
                configured_payments(api, config),
                tickets,
                StaffCallService(light, api),
                config.payment.timeout_s,
                None,
                wants_payment,
                stack,
            )
        if simulated:
            demo = stack.enter_context(demo_payments(app))
            demo.staff_calls.light = light
            return cls(
                demo.payments if wants_payment else None,
                tickets,
                demo.staff_calls,
                config.payment.timeout_s,
                demo.pay_when_shown,
                wants_payment,
                stack,
            )
        if wants_payment:  # nothing prints unpaid (payment_required): every visit pays cash at the counter
            log.error(
                "no backend configured ([sync] backend_url): no VietQR payment; visits pay cash at the "
                "counter with a queue ticket, and help reaches only the tower light"
            )
        else:
            log.warning("no backend configured: staff calls reach only the tower light")
        return cls(
            None, tickets, StaffCallService(light, None), config.payment.timeout_s, None, wants_payment, stack
        )

    def attach(self, services: Any, flow: Any = None) -> None:
        services.payments = self.payments
        services.tickets = self.tickets
        services.staff_calls = self.staff_calls
        services.payment_required = self.payment_required
        if flow is not None:
            flow.payment_timeout_s = self.payment_timeout_s
            if self.on_flow_change is not None:
                flow.subscribe(self.on_flow_change)

    def close(self) -> None:
        self._stack.close()
