"""One device-state model for maintenance mode, the sync heartbeat and `kiosk devices --json`.

A device is ``ok``, ``warning`` (works, but needs attention soon: paper low), ``error`` (cannot work now:
paper out, cover open, queue stopped) or ``absent`` (not there: unplugged, powered off, no such queue).
:class:`HealthMonitor` remembers the last state of each device and logs a change once, not on every poll.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

log = logging.getLogger(__name__)


class DeviceState(StrEnum):
    ok = "ok"
    warning = "warning"
    error = "error"
    absent = "absent"


@dataclass(frozen=True)
class DeviceStatus:
    """What one device reports: ``name`` is its role (``scanner``, ``camera``, ``document_printer``,
    ``receipt_printer``), ``kind`` its back-end (``sane``, ``cups``, ``simulated``...), ``detail`` the
    technician's text, ``reason`` a machine code such as ``paper_near_end`` or ``paper_out`` ("" when ok)."""

    name: str
    kind: str
    state: DeviceState
    detail: str
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "state": str(self.state),
            "detail": self.detail,
            "reason": self.reason,
        }


_LEVEL = {
    DeviceState.ok: logging.INFO,
    DeviceState.warning: logging.WARNING,
    DeviceState.error: logging.ERROR,
    DeviceState.absent: logging.ERROR,
}


class HealthMonitor:
    """Remembers each device's last state; logs only the changes. Thread-safe."""

    def __init__(self) -> None:
        self._last: dict[str, DeviceStatus] = {}
        self._lock = threading.Lock()
        self._listeners: list[Callable[[DeviceStatus], None]] = []

    def subscribe(self, listener: Callable[[DeviceStatus], None]) -> None:
        """Call ``listener(status)`` on every change (from the polling thread: re-emit to the GUI)."""
        self._listeners.append(listener)

    def observe(self, status: DeviceStatus) -> bool:
        """Record a status; log and return True when the device's state or reason changed."""
        with self._lock:
            previous = self._last.get(status.name)
            self._last[status.name] = status
        if previous is not None and (previous.state, previous.reason) == (status.state, status.reason):
            return False
        before = f"{previous.state}" if previous is not None else "unknown"
        log.log(
            _LEVEL[status.state],
            "device %s (%s): %s -> %s%s: %s",
            status.name,
            status.kind,
            before,
            status.state,
            f" ({status.reason})" if status.reason else "",
            status.detail,
        )
        for listener in list(self._listeners):
            try:
                listener(status)
            except Exception:
                log.exception("health listener failed for %s", status.name)
        return True

    def last(self, name: str) -> DeviceStatus | None:
        with self._lock:
            return self._last.get(name)

    def snapshot(self) -> dict[str, DeviceStatus]:
        with self._lock:
            return dict(self._last)
