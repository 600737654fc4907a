"""drivers: the kiosk's hardware behind small Protocols, real and simulated, chosen by config.

Every device runs its I/O on its own worker thread with a timeout on every call (:mod:`drivers.worker`),
reports one health state (:mod:`drivers.health`) and fails only with the typed errors of
:mod:`drivers.errors`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drivers.base import Camera, Device, DocumentPrinter, PrintJob, Receipt, ReceiptPrinter, Scanner
    from drivers.build import Devices, HealthWatcher, build_devices
    from drivers.errors import (
        CameraFailed,
        CoverOpen,
        DeviceAbsent,
        DeviceBusy,
        DeviceConfigError,
        DeviceError,
        DeviceOffline,
        DeviceTimeout,
        NoDocument,
        PaperJam,
        PaperOut,
        PrinterStopped,
        PrintFailed,
        ScanFailed,
    )
    from drivers.health import DeviceState, DeviceStatus, HealthMonitor
    from drivers.messages import citizen_message
    from drivers.worker import DeviceWorker

# Loaded on first use: importing the package (for its config model, say) must not pull in
# every heavy dependency, which would slow the kiosk's start-up.
_EXPORTS = {
    "Camera": "drivers.base",
    "CameraFailed": "drivers.errors",
    "CoverOpen": "drivers.errors",
    "Device": "drivers.base",
    "DeviceAbsent": "drivers.errors",
    "DeviceBusy": "drivers.errors",
    "DeviceConfigError": "drivers.errors",
    "DeviceError": "drivers.errors",
    "DeviceOffline": "drivers.errors",
    "DeviceState": "drivers.health",
    "DeviceStatus": "drivers.health",
    "DeviceTimeout": "drivers.errors",
    "DeviceWorker": "drivers.worker",
    "Devices": "drivers.build",
    "DocumentPrinter": "drivers.base",
    "HealthMonitor": "drivers.health",
    "HealthWatcher": "drivers.build",
    "NoDocument": "drivers.errors",
    "PaperJam": "drivers.errors",
    "PaperOut": "drivers.errors",
    "PrintFailed": "drivers.errors",
    "PrintJob": "drivers.base",
    "PrinterStopped": "drivers.errors",
    "Receipt": "drivers.base",
    "ReceiptPrinter": "drivers.base",
    "ScanFailed": "drivers.errors",
    "Scanner": "drivers.base",
    "build_devices": "drivers.build",
    "citizen_message": "drivers.messages",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "Camera",
    "CameraFailed",
    "CoverOpen",
    "Device",
    "DeviceAbsent",
    "DeviceBusy",
    "DeviceConfigError",
    "DeviceError",
    "DeviceOffline",
    "DeviceState",
    "DeviceStatus",
    "DeviceTimeout",
    "DeviceWorker",
    "Devices",
    "DocumentPrinter",
    "HealthMonitor",
    "HealthWatcher",
    "NoDocument",
    "PaperJam",
    "PaperOut",
    "PrintFailed",
    "PrintJob",
    "PrinterStopped",
    "Receipt",
    "ReceiptPrinter",
    "ScanFailed",
    "Scanner",
    "build_devices",
    "citizen_message",
]
