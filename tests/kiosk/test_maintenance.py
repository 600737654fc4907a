"""Maintenance PIN: scrypt hash, lockout after five wrong tries, growing delays, state across restarts."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.errors import BadInputError
from kiosk.runtime.maintenance_pin import FIRST_LOCK_S, MaintenanceAuth, hash_pin, verify_pin


class Clock:
    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


def test_hash_is_scrypt_salted_and_verifies() -> None:
    a, b = hash_pin("123456", log2_n=10), hash_pin("123456", log2_n=10)
    assert a.startswith("scrypt$10$")
    assert a != b
    assert "123456" not in a
    assert verify_pin("123456", a)
    assert not verify_pin("123457", a)
    assert not verify_pin("123456", "garbage")
    assert not verify_pin("123456", "scrypt$99$8$1$AA==$AA==")


def test_short_or_non_digit_pin_is_refused() -> None:
    with pytest.raises(BadInputError):
        hash_pin("12")
    with pytest.raises(BadInputError):
        hash_pin("abcd")


def test_lockout_grows_and_survives_restart(tmp_path: Path) -> None:
    clock = Clock()
    events: list[str] = []
    state = tmp_path / "pin-state.json"
    auth = MaintenanceAuth(
        hash_pin("9999", log2_n=10), clock=clock, state_path=state, audit=lambda e, d: events.append(e)
    )
    for left in (4, 3, 2, 1):
        assert auth.check("0000").tries_left == left
    fifth = auth.check("0000")
    assert not fifth.ok
    assert fifth.locked_for_s == FIRST_LOCK_S
    assert auth.check("9999").locked_for_s > 0  # right PIN refused while locked
    # A restart does not clear the lock.
    again = MaintenanceAuth(auth.pin_hash, clock=clock, state_path=state, audit=lambda e, d: events.append(e))
    assert again.locked_for() == pytest.approx(FIRST_LOCK_S)
    clock.now += FIRST_LOCK_S + 1
    assert again.check("1111").locked_for_s == 2 * FIRST_LOCK_S
    clock.now += 2 * FIRST_LOCK_S + 1
    assert again.check("1111").locked_for_s == 4 * FIRST_LOCK_S
    clock.now += 4 * FIRST_LOCK_S + 1
    assert again.check("9999").ok
    assert again.failures == 0
    assert again.check("0000").tries_left == 4
    assert events.count("maintenance.lockout") == 3
    assert events.count("maintenance.login_failed") == 9
    assert "maintenance.login" in events


def test_empty_hash_never_opens() -> None:
    auth = MaintenanceAuth("")
    assert not auth.check("").ok
    assert not auth.check("0000").ok


def test_corrupt_state_file_starts_locked(tmp_path: Path) -> None:
    state = tmp_path / "s.json"
    state.write_text("{not json")
    auth = MaintenanceAuth(hash_pin("1234", log2_n=10), state_path=state)
    assert auth.locked_for() > 0
