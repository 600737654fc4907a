"""drivers: the kiosk's hardware behind small Protocols, real and simulated, chosen by config.

Every device runs its I/O on its own worker thread with a timeout on every call (:mod:`drivers.worker`),
reports one health state (:mod:`drivers.health`) and fails only with the typed errors of
:mod:`drivers.errors`.
"""

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
