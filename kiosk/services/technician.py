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
from kiosk.services.technician_text import pick, staff_call_reason

log = logging.getLogger(__name__)
VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")

# The faults a trainer can give each device, and what the panel calls them (Vietnamese, English).
FAULT_WORDS = {
    "paper_out": ("hết giấy", "out of paper"),
    "paper_jam": ("kẹt giấy", "paper jam"),
    "absent": ("bị rút điện, mất kết nối", "unplugged"),
    "cover_open": ("nắp mở", "cover open"),
}
TRAINING_FAULTS: dict[str, tuple[str, ...]] = {
    "document_printer": ("paper_out", "paper_jam", "absent"),
    "receipt_printer": ("paper_out", "absent"),
    "scanner": ("cover_open", "absent"),
    "camera": ("absent",),
}
DEVICE_WORDS = {
    "document_printer": ("Máy in A4", "A4 printer"),
    "receipt_printer": ("Máy in biên nhận", "Receipt printer"),
    "scanner": ("Máy quét", "Scanner"),
    "camera": ("Camera", "Camera"),
}
PAYER_WORDS = {
    "pay": ("trả tiền", "pays"),
    "refuse": ("bị ngân hàng từ chối", "is refused by the bank"),
    "never": ("không trả tiền", "never pays"),
}


def fault_text(role: str, fault: str, language: str = "vi") -> str:
    """ "Máy in A4: hết giấy": the device, then what is wrong with it."""
    device = pick(language, *DEVICE_WORDS.get(role, (role, role)))
    return f"{device}: {pick(language, *FAULT_WORDS.get(fault, (fault, fault)))}"


def staff_call_text(call: Any, language: str = "vi") -> str:
    """An open staff call in words: why, and since when (Vietnam's time)."""
    if call is None:
        return pick(language, "Không có yêu cầu hỗ trợ nào đang mở.", "No staff call is open.")
    at = call.raised_at.astimezone(VIETNAM_TIME)
    reason = staff_call_reason(call.reason, language)
    return pick(
        language,
        f"Có yêu cầu hỗ trợ đang mở: {reason}, từ {at:%H:%M} ngày {at:%d/%m}."
        " Bấm “Tắt yêu cầu hỗ trợ” khi đã giúp xong.",
        f"A staff call is open: {reason}, since {at:%H:%M} on {at:%d/%m}. Press “Clear the staff call”"
        " once the citizen has been helped.",
    )


def clear_staff_call(staff_calls: Any, language: str = "vi") -> str:
    """Close the open staff call (the light back to ready, the city told)."""
    call = staff_calls.state() if staff_calls is not None else None
    if call is None:
        return pick(language, "Không có yêu cầu hỗ trợ nào đang mở.", "No staff call is open.")
    staff_calls.cancel()
    at = call.raised_at.astimezone(VIETNAM_TIME)
    reason = staff_call_reason(call.reason, language)
    return pick(
        language,
        f"Đã tắt yêu cầu hỗ trợ ({reason}, lúc {at:%H:%M}).",
        f"The staff call is cleared ({reason}, at {at:%H:%M}).",
    )


def uncollected_text(collect: Any, language: str = "vi") -> str:
    """The paid copies still owed, one line each (code, fee, what did not print, since)."""
    items = collect.open() if collect is not None else []
    if not items:
        return pick(
            language, "Không có bản sao nào đã thu phí mà chưa in.", "No paid copy is waiting to print."
        )
    missing = {"copy": ("bản sao", "the copy"), "receipt": ("biên nhận", "the receipt")}
    lines = [
        pick(
            language,
            f"{len(items)} bản sao đã thu phí, chưa giao cho công dân:",
            f"{len(items)} paid cop{'y' if len(items) == 1 else 'ies'} not yet given to the citizen:",
        )
    ]
    for item in items:
        what = ", ".join(pick(language, *missing.get(m, (m, m))) for m in item.missing)
        amount = f"{item.amount_vnd:,}".replace(",", ".")
        since = item.marked_at.astimezone(VIETNAM_TIME)
        lines.append(
            pick(
                language,
                f"• {item.code}  {amount} đ  chưa in: {what}  từ {since:%d/%m %H:%M}",
                f"• {item.code}  {amount} VND  not printed: {what}  since {since:%d/%m %H:%M}",
            )
        )
    return "\n".join(lines)


def free_reprint(collect: Any, code: str, language: str = "vi") -> str:
    """Print an uncollected copy again, at no charge; it leaves the list."""
    if collect is None:
        raise BadInputError("this kiosk keeps no list of paid copies")
    collect.free_reprint(code)
    return pick(
        language,
        f"Đã in lại miễn phí bản sao {code}; bản sao đã ra khỏi danh sách chờ nhận.",
        f"The copy {code} was printed again at no charge; it has left the list.",
    )


@dataclass
class Training:
    """The simulated profile's training panel: device faults and the simulated payer, on demand."""

    devices: Any  # drivers.Devices
    payer: Any = None  # kiosk.services.demo_payment.SimulatedPayer (None: no simulated payer here)
    active: dict[str, str] = field(default_factory=dict)
    language: str = "vi"  # what the panel's texts are written in (the kiosk's language)
    # The payer's configured (outcome, delay) from before the first training change: "back to normal"
    # restores it ([payment] simulated_payer, simulated_payer_delay_s), not a fixed "pays after 1 s".
    payer_configured: tuple[str, float] | None = None

    def __post_init__(self) -> None:
        self.attach_payer(self.payer)

    def attach_payer(self, payer: Any) -> None:
        """The simulated payer (known once the demo parts are up); its settings now are the configured ones."""
        self.payer = payer
        if payer is not None and self.payer_configured is None:
            self.payer_configured = (str(payer.outcome), float(payer.delay_s))

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
        if fault not in TRAINING_FAULTS.get(role, ()):
            raise BadInputError(f"{role} cannot be given the fault {fault!r}", subject=role)
        self._device(role).set_fault(fault)
        self.active[role] = fault
        log.warning("training: %s now has the fault %s", role, fault)
        return pick(self.language, "Tập huấn: ", "Training: ") + fault_text(role, fault, self.language) + "."

    def clear(self) -> str:
        """Every training fault cleared, the payer back to its configured outcome and delay."""
        for role in list(self.active):
            self._device(role).set_fault(None)
        self.active.clear()
        if self.payer is not None:
            outcome, delay = self.payer_configured or ("pay", 1.0)
            self.payer.set(outcome=outcome, delay_s=delay)
        log.info("training: every device back to normal")
        return pick(
            self.language,
            "Tập huấn: mọi thiết bị đã trở lại bình thường.",
            "Training: every device is back to normal.",
        )

    def banner(self) -> str:
        """One line for the start screen while a training fault is on (empty when none): "ĐANG TẬP HUẤN: máy
        in A4 hết giấy". Reads memory only: safe from the GUI thread."""
        if not self.active:
            return ""
        faults = []
        for role, fault in sorted(self.active.items()):
            device = pick(self.language, *DEVICE_WORDS.get(role, (role, role)))
            faults.append(f"{device[0].lower()}{device[1:]} {pick(self.language, *FAULT_WORDS[fault])}")
        return pick(self.language, "ĐANG TẬP HUẤN: ", "TRAINING: ") + "; ".join(faults)

    def set_payer(self, outcome: str, delay_s: float | None = None) -> str:
        """The simulated citizen pays (after `delay_s`), has the transfer refused, or never pays."""
        if self.payer is None:
            raise BadInputError("no simulated payer on this kiosk (a real bank pays here)")
        try:
            self.payer.set(outcome=outcome, delay_s=delay_s)
        except ValueError as exc:
            raise BadInputError(str(exc)) from None
        return pick(self.language, "Tập huấn: ", "Training: ") + self._payer_line() + "."

    def _payer_line(self) -> str:
        outcome, delay = str(self.payer.outcome), float(self.payer.delay_s)
        said = pick(self.language, *PAYER_WORDS.get(outcome, (outcome, outcome)))
        if outcome == "never":
            return pick(self.language, f"người nộp phí {said}", f"the payer {said}")
        return pick(
            self.language, f"người nộp phí {said} sau {delay:g} giây", f"the payer {said} after {delay:g} s"
        )

    def status(self) -> str:
        lines = [f"• {fault_text(r, f, self.language)}" for r, f in sorted(self.active.items())]
        if self.payer is not None:
            line = self._payer_line()
            lines.append(f"• {line[0].upper()}{line[1:]}")
            if self.payer_configured is not None:
                outcome, delay = self.payer_configured
                said = pick(self.language, *PAYER_WORDS.get(outcome, (outcome, outcome)))
                lines.append(
                    pick(
                        self.language,
                        f"  (cấu hình: {said} sau {delay:g} giây; “Trở lại bình thường” khôi phục)",
                        f"  (configured: {said} after {delay:g} s; “All back to normal” restores it)",
                    )
                )
        head = (
            pick(self.language, "Tập huấn đang bật:", "Training faults on:")
            if self.active
            else pick(self.language, "Không có lỗi tập huấn.", "No training fault.")
        )
        return "\n".join([head, *lines])
