"""The technician's PIN for maintenance mode: a slow hash, and a pad that locks after wrong tries.

The PIN is stored only as an scrypt hash, written ``scrypt$<log2 n>$<r>$<p>$<salt b64>$<hash b64>``
(make one with `hash_pin`, put it in ``[ui] maintenance_pin_hash``). After `MAX_TRIES` wrong PINs in a row
the pad locks for `FIRST_LOCK_S` seconds, and every further wrong PIN doubles the lock (up to an hour).
The lock survives a restart when a state file is given. Every try goes to the audit callable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.errors import BadInputError

log = logging.getLogger(__name__)

MAX_TRIES = 5
FIRST_LOCK_S = 30.0
MAX_LOCK_S = 3600.0
_LOG2_N, _R, _P = 14, 8, 1
MIN_PIN_LENGTH = 4


@dataclass(frozen=True)
class PinResult:
    ok: bool
    tries_left: int
    locked_for_s: float  # > 0: the pad is locked for this long


def hash_pin(pin: str, *, salt: bytes | None = None, log2_n: int = _LOG2_N) -> str:
    """The storable scrypt hash of a PIN (digits only, at least four)."""
    if not pin.isdigit() or len(pin) < MIN_PIN_LENGTH:
        raise BadInputError("a maintenance PIN is at least 4 digits", subject="PIN")
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=2**log2_n, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${log2_n}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_pin(pin: str, stored: str) -> bool:
    """Whether `pin` matches the stored hash; a malformed hash never matches."""
    try:
        scheme, log2_n, r, p, salt_b64, hash_b64 = stored.split("$")
        if scheme != "scrypt" or not 10 <= int(log2_n) <= 20:
            return False
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(hash_b64)
        digest = hashlib.scrypt(
            pin.encode(), salt=salt, n=2 ** int(log2_n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        log.error("the maintenance PIN hash is malformed")
        return False
    return hmac.compare_digest(digest, expected)


class MaintenanceAuth:
    """Checks PINs against one stored hash, with lockout after repeated failures."""

    def __init__(
        self,
        pin_hash: str | Callable[[], str],
        *,
        audit: Callable[[str, dict[str, Any]], None] | None = None,
        state_path: Path | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        # A callable is the hash made on the first check (the development PIN's: scrypt costs ~20 ms, not
        # spent before the attract screen).
        self._pin_hash = pin_hash
        self.audit = audit or (lambda event, data: None)
        self.state_path = state_path
        self.clock = clock
        self.failures = 0
        self.locked_until = 0.0
        self._load()

    @property
    def pin_hash(self) -> str:
        """The stored hash of the PIN ("" when none is configured)."""
        if callable(self._pin_hash):
            self._pin_hash = self._pin_hash()
        return self._pin_hash

    def _load(self) -> None:
        if self.state_path is None or not self.state_path.is_file():
            return
        try:
            data = json.loads(self.state_path.read_text())
            self.failures = int(data.get("failures", 0))
            self.locked_until = float(data.get("locked_until", 0.0))
        except (OSError, ValueError, TypeError):
            log.warning("maintenance lock state unreadable; starting locked for safety")
            self.failures, self.locked_until = MAX_TRIES, self.clock() + FIRST_LOCK_S

    def _save(self) -> None:
        if self.state_path is None:
            return
        try:
            self.state_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.state_path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"failures": self.failures, "locked_until": self.locked_until}))
            os.chmod(tmp, 0o600)
            tmp.replace(self.state_path)
        except OSError as exc:
            log.warning("cannot save maintenance lock state: %s", exc)

    def locked_for(self) -> float:
        return max(0.0, self.locked_until - self.clock())

    def tries_left(self) -> int:
        return max(0, MAX_TRIES - self.failures)

    def lock_delay(self) -> float:
        """How long the pad locks after the current failure count (0 below the threshold)."""
        if self.failures < MAX_TRIES:
            return 0.0
        return min(MAX_LOCK_S, FIRST_LOCK_S * 2 ** (self.failures - MAX_TRIES))

    def check(self, pin: str) -> PinResult:
        locked = self.locked_for()
        if locked > 0:
            self.audit("maintenance.login_failed", {"locked": True, "locked_for_s": round(locked, 1)})
            return PinResult(False, 0, locked)
        if self.pin_hash and verify_pin(pin, self.pin_hash):
            self.failures, self.locked_until = 0, 0.0
            self._save()
            self.audit("maintenance.login", {})
            return PinResult(True, MAX_TRIES, 0.0)
        self.failures += 1
        delay = self.lock_delay()
        if delay > 0:
            self.locked_until = self.clock() + delay
        self._save()
        self.audit("maintenance.login_failed", {"failures": self.failures, "locked": False})
        if delay > 0:
            self.audit("maintenance.lockout", {"failures": self.failures, "locked_for_s": delay})
        return PinResult(False, self.tries_left(), delay)
