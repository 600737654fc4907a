"""The device Protocols, the plain data they exchange, and the base class the devices share."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Protocol, Self, TypeVar, runtime_checkable

import numpy as np

from drivers.errors import DeviceAbsent, DeviceError
from drivers.health import DeviceState, DeviceStatus
from drivers.worker import DeviceWorker

log = logging.getLogger(__name__)
T = TypeVar("T")
E = TypeVar("E", bound=DeviceError)


@dataclass(frozen=True)
class Receipt:
    """What the thermal receipt shows: the record's code, a few lines of text and a lookup QR; for a paid
    visit also the number of copies, the fee and the payment reference (drawn by receipt_render)."""

    code: str
    lines: tuple[str, ...]
    qr_data: str
    copies: int | None = None
    amount_vnd: int | None = None
    payment_reference: str = ""
    # Issue 17: the secret that, with the code, downloads the copy again (XXXXX-XXXXX), and the retrieval
    # page's URL with the secret in its fragment, drawn as a second QR.
    retrieval_secret: str = ""
    retrieval_url: str = ""
    # Issue 25: the visit's language ("vi" or "en"): receipt_render prints its own labels in it.
    language: str = "vi"


@dataclass(frozen=True)
class PrintJob:
    """A document print job. ``state`` is ``pending``, ``processing``, ``completed``, ``held``, ``stopped``,
    ``cancelled`` or ``aborted``; ``detail`` is the spooler's reason; ``output`` the file a folder or
    PDF printer wrote, when known."""

    job_id: str
    printer: str
    title: str
    copies: int
    state: str
    detail: str = ""
    output: Path | None = None

    @property
    def done(self) -> bool:
        return self.state in ("completed", "cancelled", "aborted")


@runtime_checkable
class Device(Protocol):
    name: str
    kind: str

    def status(self) -> DeviceStatus: ...
    def close(self) -> None: ...


@runtime_checkable
class Scanner(Device, Protocol):
    def scan(self, dpi: int = 300) -> np.ndarray:
        """One page as a BGR uint8 image at ``dpi``."""
        ...


@runtime_checkable
class Camera(Device, Protocol):
    def read(self) -> np.ndarray:
        """The next frame as a BGR uint8 image."""
        ...


@runtime_checkable
class DocumentPrinter(Device, Protocol):
    def print_pdf(self, path: Path, copies: int = 1, title: str = "") -> PrintJob:
        """Print a PDF and wait for the job to finish; raise a DeviceError when it cannot."""
        ...


@runtime_checkable
class ReceiptPrinter(Device, Protocol):
    def print_receipt(self, receipt: Receipt) -> None: ...


@runtime_checkable
class StaffSignal(Device, Protocol):
    """The staff-call light (drivers.signal_light): ``show("ready" | "call" | "fault" | "off")``."""

    pattern: str

    def show(self, pattern: str) -> None:
        """Show a pattern; raise a DeviceError when the light cannot be reached."""
        ...


class DeviceBase:
    """Shared plumbing: a name, a worker thread, time-bounded calls and a status that never raises."""

    category: ClassVar[str] = "device"
    status_timeout: float = 10.0

    def __init__(self, name: str, kind: str, *, timeout: float) -> None:
        self.name = name
        self.kind = kind
        self.timeout = timeout
        self.worker = DeviceWorker(name, category=self.category)
        self._closed = False
        self._last_status: DeviceStatus | None = None

    # -- helpers for subclasses -------------------------------------------------------------------------
    def _error(self, cls: type[E], message: str, detail: str = "") -> E:
        return cls(message, category=self.category, device=self.name, detail=detail or message)

    def _call(self, fn: Callable[..., T], *args: Any, timeout: float | None = None, **kwargs: Any) -> T:
        if self._closed:
            raise self._error(DeviceAbsent, f"{self.name} is closed", f"{self.name}: used after close()")
        return self.worker.call(
            fn, *args, timeout=self.timeout if timeout is None else timeout, what=fn.__name__, **kwargs
        )

    def _status(self) -> DeviceStatus:
        return self._make_status(DeviceState.ok, "ready")

    def _make_status(self, state: DeviceState, detail: str, reason: str = "") -> DeviceStatus:
        return DeviceStatus(name=self.name, kind=self.kind, state=state, detail=detail, reason=reason)

    def _close(self) -> None:
        """Release the device's resources; runs on the device thread."""

    # -- public -----------------------------------------------------------------------------------------
    def status(self) -> DeviceStatus:
        """The device's state now. Never raises: failures become an ``error`` or ``absent`` status.

        While the device is busy (a long scan, a print job) the last known state is returned with a
        "busy" detail instead of queueing behind the work; a call stuck past its timeout is an error.
        """
        if self.worker.busy and not self.worker.in_worker_thread:
            if self.worker.stuck:
                return self._make_status(
                    DeviceState.error, f"{self.name}: an earlier call timed out and is stuck", "timeout"
                )
            last = self._last_status
            return self._make_status(
                last.state if last else DeviceState.ok,
                f"busy; last: {last.detail if last else 'unknown'}",
                last.reason if last else "",
            )
        try:
            status = self._call(self._status, timeout=self.status_timeout)
        except DeviceError as exc:
            state = DeviceState.absent if isinstance(exc, DeviceAbsent) else DeviceState.error
            status = self._make_status(state, exc.detail, exc.reason)
        self._last_status = status
        return status

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self.worker.call(self._close, timeout=self.status_timeout, what="close")
        except DeviceError as exc:
            log.warning("device %s: close failed: %s", self.name, exc.detail)
        self.worker.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
