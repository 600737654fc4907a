"""Can this kiosk finish a visit? The devices a visit needs, checked before the citizen starts and again
before the payment (issue 25: a printer absent from the card step on, yet the visit took the payment).

A certification visit needs the scanner (card and pages), the camera (the face step), the A4 printer (the
copy) and the receipt printer (the receipt with the code and the retrieval secret). The camera is asked for
its state (walk W13: an unplugged camera left the citizen at the face step after the card was laid): the
OpenCV camera opens its device for that, the simulated one reports its fault. No frame is taken: a picture
of whoever stands there is not needed, and a simulated camera's scene would be moved on by it; a camera that
opens but gives no picture is caught at the face step (ui.screens_face: CAMERA_FAILED_S).
A device in ``error`` or ``absent`` state makes the kiosk unable to finish; ``warning`` (paper near its end) does not.

Each check is recorded in the devices' health monitor, both the devices' own states and one summary line,
``visit_service`` (``ok``, or ``error`` with reason ``out_of_service``): the monitor's listener writes them
to the snapshot the sync worker's heartbeat carries (kiosk.runtime.fleet_health), so /ops shows an
out-of-service kiosk among its alerts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from drivers.health import DeviceState, DeviceStatus

log = logging.getLogger(__name__)

SCANNER, DOCUMENT_PRINTER, RECEIPT_PRINTER = "scanner", "document_printer", "receipt_printer"
CAMERA = "camera"
# What each kind of visit needs before it starts, and what a paid visit needs before it takes the money.
VISIT_DEVICES = (SCANNER, CAMERA, DOCUMENT_PRINTER, RECEIPT_PRINTER)
PAYMENT_DEVICES = (DOCUMENT_PRINTER, RECEIPT_PRINTER)
REPRINT_DEVICES = (SCANNER, CAMERA, DOCUMENT_PRINTER)
SERVICE_NAME = "visit_service"  # the summary line in the heartbeat's device list
BAD_STATES = frozenset({DeviceState.error, DeviceState.absent})


@dataclass(frozen=True)
class Readiness:
    """Whether the devices asked for can finish a visit; `missing` names the roles that cannot."""

    ok: bool
    missing: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()  # the missing devices' machine reasons (paper_out, absent...), same order

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "missing": list(self.missing), "reasons": list(self.reasons)}


READY = Readiness(True)


def _status_of(device: Any, role: str) -> DeviceStatus:
    if device is None:
        return DeviceStatus(role, "none", DeviceState.absent, f"no {role} configured", "absent")
    try:
        status = device.status()
    except Exception as exc:  # a device that breaks the never-raise rule is not one to rely on
        return DeviceStatus(role, str(getattr(device, "kind", "?")), DeviceState.error, str(exc), "failed")
    if not isinstance(status, DeviceStatus):
        return DeviceStatus(role, str(getattr(device, "kind", "?")), DeviceState.error, "no status", "failed")
    return status


def check_devices(devices: Any, roles: tuple[str, ...] = VISIT_DEVICES, *, health: Any = None) -> Readiness:
    """Ask each device in `roles` (attributes of a drivers.Devices) for its state now.

    `health` (default: ``devices.health``) records each state and the summary line for the heartbeat."""
    monitor = health if health is not None else getattr(devices, "health", None)
    missing, reasons = [], []
    for role in roles:
        status = _status_of(getattr(devices, role, None), role)
        if monitor is not None:
            monitor.observe(status)
        if status.state in BAD_STATES:
            missing.append(role)
            reasons.append(status.reason or str(status.state))
    readiness = Readiness(not missing, tuple(missing), tuple(reasons))
    if monitor is not None:
        monitor.observe(service_status(readiness))
    if not readiness.ok:
        log.warning(
            "the kiosk cannot finish a visit: %s",
            ", ".join(f"{m} {r}" for m, r in zip(missing, reasons, strict=True)),
        )
    return readiness


def service_status(readiness: Readiness) -> DeviceStatus:
    """The summary line the heartbeat carries: the kiosk in service, or out of service and why."""
    if readiness.ok:
        return DeviceStatus(SERVICE_NAME, "kiosk", DeviceState.ok, "in service")
    why = ", ".join(f"{m} ({r})" for m, r in zip(readiness.missing, readiness.reasons, strict=True))
    return DeviceStatus(SERVICE_NAME, "kiosk", DeviceState.error, f"out of service: {why}", "out_of_service")
