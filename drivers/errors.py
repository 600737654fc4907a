"""The typed errors of the device layer.

Every error carries two audiences:

* ``message_key`` picks the citizen's message, e.g. ``device.printer.paper_out``
  ("The printer is out of paper. Please ask staff for help."); :mod:`drivers.messages` holds the
  Vietnamese and English defaults and the UI may translate the key itself.
* ``detail`` is the technician's text for the log and maintenance mode: the device, the command and what
  it answered.

The key is ``device.<category>.<reason>``: ``category`` is one of ``scanner``, ``camera``, ``printer``
(the A4 printer) or ``receipt_printer``; ``reason`` is the class's machine code (``paper_out``,
``absent``...). The CLI maps this family to exit status 3 (``exit_code``).
"""

from __future__ import annotations


class DeviceError(Exception):
    """A device could not do what was asked. Never fatal: the UI explains it and offers a way forward."""

    reason = "failed"
    exit_code = 3

    def __init__(self, message: str, *, category: str = "device", detail: str = "", device: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.category = category
        self.detail = detail or message
        # The device's name, named first on the CLI's error line.
        self.subject = device
        self.device = device

    @property
    def message_key(self) -> str:
        return f"device.{self.category}.{self.reason}"

    def __reduce__(self) -> tuple[object, ...]:  # keeps the keyword arguments through pickling
        return (_rebuild, (type(self), self.message, self.category, self.detail, self.device))


def _rebuild(cls: type[DeviceError], message: str, category: str, detail: str, device: str) -> DeviceError:
    return cls(message, category=category, detail=detail, device=device)


class DeviceConfigError(DeviceError):
    """The device's settings are wrong (a bad port name, an unknown option): a technician must fix them."""

    reason = "config"
    exit_code = 2


class DeviceAbsent(DeviceError):
    """The device is not there: unplugged, powered off, not answering, or no such queue."""

    reason = "absent"


class DeviceOffline(DeviceError):
    """The device is there but refuses work (offline button, error state it reports itself)."""

    reason = "offline"


class DeviceTimeout(DeviceError):
    """A call to the device did not finish in time."""

    reason = "timeout"


class DeviceBusy(DeviceError):
    """The device is still busy with an earlier call that timed out."""

    reason = "busy"


class PaperOut(DeviceError):
    """The printer has no paper."""

    reason = "paper_out"


class CoverOpen(DeviceError):
    """The printer's cover is open."""

    reason = "cover_open"


class PaperJam(DeviceError):
    """Paper is jammed in the printer or the feeder."""

    reason = "paper_jam"


class PrinterStopped(DeviceError):
    """The print queue is stopped (disabled by a technician or after a backend error)."""

    reason = "stopped"


class PrintFailed(DeviceError):
    """A print job ended without printing (aborted or cancelled); the copy can be reprinted."""

    reason = "print_failed"


class NoDocument(DeviceError):
    """The scanner has nothing to scan: the feeder or the inbox is empty."""

    reason = "no_document"


class ScanFailed(DeviceError):
    """The scanner ran but produced no usable image."""

    reason = "scan_failed"


class CameraFailed(DeviceError):
    """The camera is open but gives no frames."""

    reason = "no_frames"
