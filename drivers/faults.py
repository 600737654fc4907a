"""Faults that a simulated device can be told to have, for the demo's maintenance actions and the tests.

A fault is a machine reason (the same codes as the errors and statuses); :func:`fault_error` turns it
into the typed error the real device would raise, :func:`fault_status` into its health state.
"""

from __future__ import annotations

from drivers.errors import (
    CoverOpen,
    DeviceAbsent,
    DeviceError,
    DeviceOffline,
    NoDocument,
    PaperJam,
    PaperOut,
    PrinterStopped,
)
from drivers.health import DeviceState

FAULTS: dict[str, tuple[type[DeviceError] | None, DeviceState, str]] = {
    # reason: (error raised by the device's work, or None when it still works; state; technician detail)
    "paper_near_end": (None, DeviceState.warning, "paper near end"),
    "paper_out": (PaperOut, DeviceState.error, "paper out"),
    "cover_open": (CoverOpen, DeviceState.error, "cover open"),
    "paper_jam": (PaperJam, DeviceState.error, "paper jam"),
    "offline": (DeviceOffline, DeviceState.error, "offline"),
    "stopped": (PrinterStopped, DeviceState.error, "queue stopped"),
    "no_document": (NoDocument, DeviceState.ok, "no document"),
    "absent": (DeviceAbsent, DeviceState.absent, "unplugged"),
}


def check_fault(reason: str | None) -> str | None:
    """Validate a fault name; returns it (None clears the fault)."""
    if reason is not None and reason not in FAULTS:
        raise ValueError(f"unknown fault {reason!r}; known: {', '.join(sorted(FAULTS))}")
    return reason
