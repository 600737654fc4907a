"""The staff call: "Trợ giúp / Gọi cán bộ" lights the tower light and reaches the city backend.

``raise_call(reason, visit_ref)`` shows the ``call`` pattern on the light and reports the call to the
backend (the operations view lists open calls); ``cancel()`` puts the light back to ``ready`` and closes
the call; ``state()`` says whether a call is open and whether the backend knows. The visit is untouched:
the flow keeps it unless the citizen chooses to cancel.

Either half may fail without the other: a light that is unplugged still lets the backend know, and a
backend that cannot be reached still lights the tower (``reported`` stays False and
:meth:`StaffCallService.retry_report` tries again). The service blocks on device and network I/O: call it
from a worker, never from the GUI thread.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from drivers.errors import DeviceError
from offline_sync.protocol.errors import BackendError

log = logging.getLogger(__name__)

REASONS = (
    "citizen_request",
    "unsupported_document",
    "face_failures",
    "payment_cash",
    "device_fault",
    "out_of_service",  # a device the visit needs is down: the kiosk sent the citizen to the counter
    "other",
)


class SignalLike(Protocol):
    def show(self, pattern: str) -> None: ...


class StaffCallChannel(Protocol):
    def raise_staff_call(self, call_id: str, reason: str, visit_ref: str = "") -> dict[str, Any]: ...
    def cancel_staff_call(self, call_id: str) -> dict[str, Any]: ...


@dataclass(frozen=True)
class StaffCall:
    call_id: str
    reason: str
    visit_ref: str
    raised_at: datetime
    light_on: bool
    reported: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "reason": self.reason,
            "visit_ref": self.visit_ref,
            "raised_at": self.raised_at.isoformat(),
            "light_on": self.light_on,
            "reported": self.reported,
        }


class StaffCallService:
    def __init__(self, light: SignalLike | None, channel: StaffCallChannel | None) -> None:
        self.light = light
        self.channel = channel
        self._lock = threading.Lock()
        self._current: StaffCall | None = None

    def state(self) -> StaffCall | None:
        """The open call, or None."""
        with self._lock:
            return self._current

    def _show(self, pattern: str) -> bool:
        if self.light is None:
            return False
        try:
            self.light.show(pattern)
            return True
        except DeviceError as exc:
            log.warning("staff call: the light cannot show %s: %s", pattern, exc.detail)
            return False

    def _report(self, call: StaffCall) -> bool:
        if self.channel is None:
            return False
        try:
            self.channel.raise_staff_call(call.call_id, call.reason, call.visit_ref)
            return True
        except BackendError as exc:
            log.warning("staff call %s: not reported to the backend yet: %s", call.call_id, exc)
            return False

    def raise_call(self, reason: str = "citizen_request", visit_ref: str = "") -> StaffCall:
        """Open a call (or return the one already open: a second tap does not call twice)."""
        if reason not in REASONS:
            raise ValueError(f"unknown staff-call reason {reason!r}; known: {', '.join(REASONS)}")
        with self._lock:
            if self._current is not None:
                return self._current
        call = StaffCall(uuid.uuid4().hex, reason, visit_ref, datetime.now(UTC), False, False)
        call = replace(call, light_on=self._show("call"), reported=self._report(call))
        log.info(
            "staff call %s raised (%s): light %s, backend %s",
            call.call_id,
            reason,
            call.light_on,
            call.reported,
        )
        with self._lock:
            self._current = call
        return call

    def retry_report(self) -> StaffCall | None:
        """Report an open call the backend has not heard of yet."""
        call = self.state()
        if call is None or call.reported:
            return call
        updated = replace(call, reported=self._report(call))
        with self._lock:
            if self._current is not None and self._current.call_id == call.call_id:
                self._current = updated
        return updated

    def cancel(self) -> None:
        """Close the open call: the light back to ``ready``, the backend told (best effort)."""
        with self._lock:
            call, self._current = self._current, None
        if call is None:
            return
        self._show("ready")
        if self.channel is not None and call.reported:
            try:
                self.channel.cancel_staff_call(call.call_id)
            except BackendError as exc:
                log.warning("staff call %s: cancel not reported: %s", call.call_id, exc)
        log.info("staff call %s cancelled", call.call_id)
