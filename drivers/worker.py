"""One I/O thread per device, with a timeout on every call.

Device libraries and buses are rarely thread-safe, and a stuck device must never freeze the screen. So
every device owns a :class:`DeviceWorker`: a single daemon thread that runs that device's calls one at a
time, in order (the way Electrum runs every hidapi call on one executor). The public methods of the
devices in this package (``scan``, ``read``, ``print_pdf``, ``print_receipt``, ``status``) already go
through their worker with a timeout, so they are safe to call from any thread except the GUI thread,
where they would block while waiting.

From the UI, do not call them on the GUI thread. Either run them in a Qt worker, or take a future::

    future = devices.scanner.worker.submit(devices.scanner.scan, 300)
    future.add_done_callback(lambda f: emit_signal(f))     # runs on the device thread: re-emit to the GUI

A call made from the worker thread itself runs inline (no deadlock), so ``submit(device.scan)`` works.
``call`` raises :class:`~drivers.errors.DeviceTimeout` when the call does not finish in time; the
device's thread keeps running the stuck call, and later calls raise :class:`~drivers.errors.DeviceBusy`
until it returns. Unexpected exceptions from a device become :class:`~drivers.errors.DeviceError`:
callers only ever see the typed family.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

from drivers.errors import DeviceBusy, DeviceError, DeviceTimeout

log = logging.getLogger(__name__)
T = TypeVar("T")

_Job = tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class DeviceWorker:
    """A single daemon thread that runs one device's calls in order."""

    def __init__(self, name: str, *, category: str = "device") -> None:
        self.name = name
        self.category = category
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._running: Future[Any] | None = None

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._closed:
                raise DeviceError(
                    f"{self.name} is closed", category=self.category, device=self.name, detail="worker closed"
                )
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name=f"device-{self.name}", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            future, fn, args, kwargs = job
            if not future.set_running_or_notify_cancel():
                continue
            self._running = future
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:
                future.set_exception(exc)
            else:
                future.set_result(result)
            finally:
                self._running = None

    @property
    def in_worker_thread(self) -> bool:
        return self._thread is not None and threading.current_thread() is self._thread

    @property
    def busy(self) -> bool:
        """True while a call runs (for instance one that timed out and has not returned yet)."""
        return self._running is not None

    @property
    def stuck(self) -> bool:
        """True while a call that already timed out is still running."""
        running = self._running
        return running is not None and bool(getattr(running, "_kiosk_timed_out", False))

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        """Queue ``fn(*args, **kwargs)`` on the device thread; the future carries the result or error."""
        future: Future[T] = Future()
        if self.in_worker_thread:
            future.set_running_or_notify_cancel()
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:
                future.set_exception(exc)
            return future
        self._ensure_thread()
        self._jobs.put((future, fn, args, kwargs))
        return future

    def call(self, fn: Callable[..., T], *args: Any, timeout: float, what: str = "", **kwargs: Any) -> T:
        """Run ``fn`` on the device thread and wait at most ``timeout`` seconds for it.

        Raises DeviceTimeout when it does not finish, DeviceBusy when an earlier call is still stuck,
        and DeviceError for any unexpected exception (the original is chained and logged).
        """
        label = what or getattr(fn, "__name__", "call")
        if self.in_worker_thread:
            return self._typed(lambda: fn(*args, **kwargs), label)
        if self.stuck:
            raise DeviceBusy(
                f"{self.name} is still busy with an earlier call",
                category=self.category,
                device=self.name,
                detail=f"{self.name}: {label} refused: an earlier call timed out and has not returned",
            )
        future = self.submit(fn, *args, **kwargs)
        try:
            return self._typed(lambda: future.result(timeout=timeout), label)
        except DeviceTimeout:
            if not future.cancel():
                future._kiosk_timed_out = True  # type: ignore[attr-defined]
            raise

    def _typed(self, run: Callable[[], T], label: str) -> T:
        try:
            return run()
        except DeviceError:
            raise
        except FutureTimeout:
            raise DeviceTimeout(
                f"{self.name} did not answer in time",
                category=self.category,
                device=self.name,
                detail=f"{self.name}: {label} timed out",
            ) from None
        except Exception as exc:
            log.warning("device %s: %s failed unexpectedly", self.name, label, exc_info=True)
            raise DeviceError(
                f"{self.name} failed",
                category=self.category,
                device=self.name,
                detail=f"{self.name}: {label}: {type(exc).__name__}: {exc}",
            ) from exc

    def close(self, timeout: float = 5.0) -> None:
        """Stop the thread after the queued calls; does not wait longer than ``timeout``."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            thread = self._thread
        if thread is not None:
            self._jobs.put(None)
            if threading.current_thread() is not thread:
                thread.join(timeout)
