"""Qt workers: the flow's tasks run on a thread pool; results come back to the GUI thread by signals.

`QtRunner` implements `kiosk.flow.TaskRunner`. Each task is a `QRunnable` whose signals are emitted from the
worker thread and, because the receiving `_Relay` lives on the GUI thread, delivered there as queued
calls. Device calls from different tasks are serialised by the adapter's locks (one device, one caller at
a time, as Electrum does per bus), so a slow scanner never stalls the GUI, only the next device call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Lives on the GUI thread; the worker emits, Qt queues, the callbacks run on the GUI thread."""

    finished = Signal(object)
    failed = Signal(object)
    progress = Signal(str, float)


class _Task(QRunnable):
    def __init__(self, name: str, work: Callable[[Callable[[str, float], None]], Any], relay: _Relay) -> None:
        super().__init__()
        self.name = name
        self.work = work
        self.relay = relay
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.work(lambda stage, fraction: self.relay.progress.emit(stage, float(fraction)))
        except BaseException as exc:  # delivered to the flow, which shows the error screen
            self.relay.failed.emit(exc)
            return
        self.relay.finished.emit(result)


class QtRunner(QObject):
    """Runs flow tasks on a QThreadPool and calls back on the GUI thread."""

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._relays: set[_Relay] = set()
        self.started = 0

    def submit(
        self,
        name: str,
        work: Callable[[Callable[[str, float], None]], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None],
        progress: Callable[[str, float], None] | None = None,
    ) -> None:
        relay = _Relay()
        relay.moveToThread(self.thread())
        self._relays.add(relay)

        def finish(result: object) -> None:
            self._relays.discard(relay)
            done(result)

        def fail(exc: object) -> None:
            self._relays.discard(relay)
            failed(exc if isinstance(exc, BaseException) else RuntimeError(str(exc)))

        relay.finished.connect(finish)
        relay.failed.connect(fail)
        if progress is not None:
            relay.progress.connect(progress)
        self.started += 1
        log.debug("task %s queued", name)
        self.pool.start(_Task(name, work, relay))

    def pending(self) -> int:
        return len(self._relays)

    @Slot()
    def wait_all(self, msecs: int = 30000) -> bool:
        return self.pool.waitForDone(msecs)
