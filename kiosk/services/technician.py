"""What the technician's maintenance screen does beyond the device tests (issue 25, Deliver 10), in plain
Python for the screen's workers, with results in Vietnamese a technician reads at a glance:

* **clear a staff call** the citizen raised (the light back to ready, the city told);
* **the paid copies that did not print** (kiosk.services.collect), and their **reprint at no charge**;
* **training** (the simulated profile only): make a device fail as a real one does (paper out, jam, camera
  gone, printer gone, scanner cover open) and make the simulated payer slow or refuse, so staff can walk the
  error paths; "all back to normal" ends it. A real device is never touched: the faults exist only on the
  simulated drivers (drivers.simulated, drivers.sim_printers: ``set_fault``).

Every call may block (devices, the store, the network): call them from a worker, never the GUI thread.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta, timezone
from typing import Any

from kiosk.errors import BadInputError

log = logging.getLogger(__name__)
VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")

# The faults a trainer can give each device, and what the panel calls them.
TRAINING_FAULTS: dict[str, dict[str, str]] = {
    "document_printer": {
        "paper_out": "Máy in A4 hết giấy",
        "paper_jam": "Máy in A4 kẹt giấy",
        "absent": "Mất máy in A4",
    },
    "receipt_printer": {"paper_out": "Máy in biên nhận hết giấy", "absent": "Mất máy in biên nhận"},
    "scanner": {"cover_open": "Nắp máy quét mở", "absent": "Mất máy quét"},
    "camera": {"absent": "Mất camera"},
}
DEVICE_NAMES = {
    "document_printer": "Máy in A4",
    "receipt_printer": "Máy in biên nhận",
    "scanner": "Máy quét",
    "camera": "Camera",
}
PAYER_TEXT = {"pay": "trả tiền", "refuse": "bị ngân hàng từ chối", "never": "không trả tiền"}


def clear_staff_call(staff_calls: Any) -> str:
    """Close the open staff call (the light back to ready, the city told)."""
    call = staff_calls.state() if staff_calls is not None else None
    if call is None:
        return "Không có yêu cầu hỗ trợ nào đang mở."
    staff_calls.cancel()
    return (
        f"Đã tắt yêu cầu hỗ trợ (lý do: {call.reason}, lúc {call.raised_at.astimezone(VIETNAM_TIME):%H:%M})."
    )


def uncollected_text(collect: Any) -> str:
    """The paid copies still owed, one line each (code, fee, what did not print, since)."""
    items = collect.open() if collect is not None else []
    if not items:
        return "Không có bản sao nào đã thu phí mà chưa in."
    missing = {"copy": "bản sao", "receipt": "biên nhận"}
    lines = [f"{len(items)} bản sao đã thu phí, chưa giao cho công dân:"]
    for item in items:
        what = ", ".join(missing.get(m, m) for m in item.missing)
        amount = f"{item.amount_vnd:,}".replace(",", ".")
        since = item.marked_at.astimezone(VIETNAM_TIME)
        lines.append(f"• {item.code}  {amount} đ  chưa in: {what}  từ {since:%d/%m %H:%M}")
    return "\n".join(lines)


def free_reprint(collect: Any, code: str) -> str:
    """Print an uncollected copy again, at no charge; it leaves the list."""
    if collect is None:
        raise BadInputError("this kiosk keeps no list of paid copies")
    collect.free_reprint(code)
    return f"Đã in lại miễn phí bản sao {code}; bản sao đã ra khỏi danh sách chờ nhận."


@dataclass
class Training:
    """The simulated profile's training panel: device faults and the simulated payer, on demand."""

    devices: Any  # drivers.Devices
    payer: Any = None  # kiosk.services.demo_payment.SimulatedPayer (None: no simulated payer here)
    active: dict[str, str] = field(default_factory=dict)

    def _device(self, role: str) -> Any:
        if role not in TRAINING_FAULTS:
            raise BadInputError(f"no training fault for the device {role!r}", subject=role)
        device = getattr(self.devices, role, None)
        if (
            device is None
            or getattr(device, "kind", "") not in ("simulated", "pdf_folder")
            or not hasattr(device, "set_fault")
        ):
            raise BadInputError(
                "training faults are for the simulated devices only: a real device is never touched",
                subject=role,
            )
        return device

    def fail(self, role: str, fault: str) -> str:
        """Make `role` fail as a real device with `fault` would (its status, then its next work)."""
        if fault not in TRAINING_FAULTS.get(role, {}):
            raise BadInputError(f"{role} cannot be given the fault {fault!r}", subject=role)
        self._device(role).set_fault(fault)
        self.active[role] = fault
        log.warning("training: %s now has the fault %s", role, fault)
        return f"Tập huấn: {TRAINING_FAULTS[role][fault]}."

    def clear(self) -> str:
        """Every training fault cleared, the payer back to paying promptly."""
        for role in list(self.active):
            self._device(role).set_fault(None)
        self.active.clear()
        if self.payer is not None:
            self.payer.set(outcome="pay", delay_s=1.0)
        log.info("training: every device back to normal")
        return "Tập huấn: mọi thiết bị đã trở lại bình thường."

    def set_payer(self, outcome: str, delay_s: float | None = None) -> str:
        """The simulated citizen pays (after `delay_s`), has the transfer refused, or never pays."""
        if self.payer is None:
            raise BadInputError("no simulated payer on this kiosk (a real bank pays here)")
        try:
            self.payer.set(outcome=outcome, delay_s=delay_s)
        except ValueError as exc:
            raise BadInputError(str(exc)) from None
        return f"Tập huấn: người nộp phí {PAYER_TEXT[outcome]}, sau {self.payer.delay_s:g} giây."

    def status(self) -> str:
        lines = [f"• {DEVICE_NAMES[r]}: {TRAINING_FAULTS[r][f]}" for r, f in sorted(self.active.items())]
        if self.payer is not None:
            lines.append(
                f"• Người nộp phí: {PAYER_TEXT.get(self.payer.outcome, self.payer.outcome)}, sau {self.payer.delay_s:g} giây"
            )
        return (
            "\n".join(["Tập huấn đang bật:", *lines])
            if self.active
            else "\n".join(["Không có lỗi tập huấn.", *lines])
        )
