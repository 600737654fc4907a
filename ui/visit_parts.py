"""The optional parts of a visit for `kiosk run`: the payment, queue tickets and the staff call.

With a city backend configured (``[sync] backend_url``) they talk to it over the kiosk's mTLS client. On the
simulated profile without a backend, the reference backend runs on loopback (`kiosk.services.demo_payment`, as for
`kiosk demo`), the staff-call light is the simulated twin, and a simulated citizen pays the VietQR on the
simulated gateway after the configured delay ([payment] simulated_payer_delay_s). Otherwise (no backend, not simulated)
nothing can be paid at the kiosk: every visit pays cash at the counter with a queue ticket, and the log
says so.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from drivers.signal_light import SimulatedSignalLight
from kiosk.copy_check.online_status import status_over_api
from kiosk.services.demo_payment import demo_payments
from kiosk.services.payment import configured_payments
from kiosk.services.queue_ticket import QueueNumbers, QueueTicketService
from kiosk.services.staff_call import StaffCallService
from offline_sync.kiosk_api_client import KioskApiClient
from offline_sync.runner import open_client

log = logging.getLogger(__name__)


def attach_visit_parts(services: Any, kiosk_app: Any, stack: contextlib.ExitStack) -> Any:
    """Give `services` their payments, tickets and staff calls; returns the demo parts (or None)."""
    config = kiosk_app.config
    if config.sync.backend_url:
        try:
            client = open_client(config.sync, config.path)
        except Exception as exc:  # a missing certificate: the kiosk still starts, the log says why
            log.error("no payment or staff call: the backend client cannot be opened: %s", exc)
            # nothing prints unpaid (services.payment_required): visits pay cash at the counter
            services.tickets = QueueTicketService(
                kiosk_app.devices.receipt_printer,
                QueueNumbers(kiosk_app.folder("queue") / "numbers.json"),
                authority=config.kiosk.authority,
            )
            return None
        stack.callback(client.close)
        api = KioskApiClient(client)
        use_for_status(services, api)
        services.payments = configured_payments(api, config)  # [payment]: the centre's account (W5)
        services.staff_calls = StaffCallService(None, api)
        services.tickets = QueueTicketService(
            kiosk_app.devices.receipt_printer,
            QueueNumbers(kiosk_app.folder("queue") / "numbers.json"),
            authority=config.kiosk.authority,
        )
        return None
    if config.profile != "simulated":
        # Nothing prints unpaid (services.payment_required): every visit pays cash at the counter.
        log.error(
            "no backend configured ([sync] backend_url): no VietQR payment; visits pay cash at the "
            "counter with a queue ticket, and help reaches only the tower light"
        )
        services.tickets = QueueTicketService(
            kiosk_app.devices.receipt_printer,
            QueueNumbers(kiosk_app.folder("queue") / "numbers.json"),
            authority=config.kiosk.authority,
        )
        services.staff_calls = StaffCallService(getattr(kiosk_app.devices, "signal_light", None), None)
        return None
    parts = stack.enter_context(demo_payments(kiosk_app))
    light = stack.enter_context(SimulatedSignalLight())
    parts.staff_calls = StaffCallService(light, parts.staff_calls.channel)
    parts.attach(services)
    use_for_status(services, parts.staff_calls.channel)  # the loopback backend answers "check a copy" too
    return parts


def use_for_status(services: Any, api: Any) -> None:
    """Issue 25: "check a copy" asks the backend the kiosk is connected to (over its mTLS client) when no
    public status listener is configured ([sync] public_url), instead of saying "no network"."""
    if getattr(services, "status_lookup", None) is None and hasattr(api, "copy_facts"):
        services.status_lookup = lambda code: status_over_api(api, code)


def simulated_citizen_pays(parts: Any, flow: Any) -> None:
    """A flow listener: the simulated citizen pays the QR on the simulated gateway, as ``[payment]
    simulated_payer`` and ``simulated_payer_delay_s`` say (kiosk.services.demo_payment.SimulatedPayer)."""
    parts.pay_when_shown(flow)
