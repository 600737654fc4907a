"""Throttling guesses at a per-copy secret (the retrieval secret, the copy-view token) so that an attacker
cannot turn it against the people it protects (issue 24).

Wrong tries are counted per (code, client address) and per code from everyone, never per address alone:

* (code, address): ``per_client`` wrong tries in a window make that address wait before trying that code
  again, a wait that doubles with each lockout. It stops a guesser at one copy and touches nobody else: the
  citizen at another address, and every other citizen behind the same proxy (who asks for other codes),
  are not slowed down.
* code: ``per_code`` wrong tries from all addresses together (a guess spread over many addresses) make the
  code wait for everyone, a shorter wait capped at ``max_code_wait_s``. This is the one lock an attacker can
  cause for someone else, and only for the one copy they attack, only after many tries, and only for a
  while; the citizen keeps the other ways to their copy (the counter, the kiosk's reprint).
* nothing per address alone: a city's reverse proxy (or a school's NAT) is one address for thousands of
  people, so "this address made 20 wrong tries" must not lock them all out. Sweeps over many codes from
  one address are slowed by the public listener's per-address request rate instead, and a secret of 50
  bits (or a 128-bit token) cannot be found by sweeping anyway.

Each try is counted *before* its secret is checked, in one locked row (SQLite's BEGIN IMMEDIATE,
PostgreSQL's FOR UPDATE), so guesses sent in parallel cannot all read "no failures yet"; while a key waits,
even the right secret is refused, so guessing meanwhile gains nothing. The counters live in the backend's
database, shared by every backend process.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backoffice.storage.db import BackendDB

_TABLE = re.compile(r"^[a-z_]{1,40}$")


@dataclass(frozen=True)
class ThrottleLimits:
    per_client: int = 5  # wrong tries of one code from one address in a window
    per_code: int = 50  # wrong tries of one code from every address together in a window
    window_s: float = 3600.0
    client_wait_s: float = 900.0  # the first wait of (code, address); doubles with each lockout
    code_wait_s: float = 300.0  # the first wait of a code for everyone; doubles, up to max_code_wait_s
    max_wait_s: float = 86_400.0
    max_code_wait_s: float = 3600.0


@dataclass(frozen=True)
class ThrottleVerdict:
    ok: bool
    wait_s: float = 0.0  # > 0: slowed down, try again after this many seconds
    reason: str = "granted"  # granted, refused, slowed


class SecretThrottle:
    """The guard of one kind of secret, in ``table`` (created when missing; the retrieval secrets use
    ``retrieval_guard``). ``attempt(code, address, check)`` is the whole protocol."""

    def __init__(self, db: BackendDB, table: str, limits: ThrottleLimits | None = None) -> None:
        if not _TABLE.fullmatch(table):
            raise ValueError(f"not a table name: {table!r}")
        self.db, self.table, self.limits = db, table, limits or ThrottleLimits()
        schema = (
            f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, failures INTEGER NOT NULL,"
            " window_start DOUBLE PRECISION NOT NULL, locked_until DOUBLE PRECISION NOT NULL,"
            " lockouts INTEGER NOT NULL)"
        )
        with db._tx() as cur:
            cur.execute(schema if db.is_postgres else schema.replace("DOUBLE PRECISION", "REAL"))

    @staticmethod
    def client_key(code: str, address: str) -> str:
        return f"code:{code}:{address}"

    @staticmethod
    def code_key(code: str) -> str:
        return f"code:{code}"

    def _rules(self, code: str, address: str) -> list[tuple[str, int, float, float]]:
        lim = self.limits
        return [
            (self.client_key(code, address), lim.per_client, lim.client_wait_s, lim.max_wait_s),
            (self.code_key(code), lim.per_code, lim.code_wait_s, lim.max_code_wait_s),
        ]

    def attempt(self, code: str, address: str, check: Callable[[], bool]) -> ThrottleVerdict:
        """One try at ``code``'s secret from ``address``: counted first, then ``check()`` (only when
        neither key waits), then a failure recorded or the client's count cleared."""
        rules = self._rules(code, address)
        now = time.time()
        wait = self.waiting([key for key, *_ in rules], now)
        if wait <= 0:
            wait = max(self._reserve(key, limit, first, cap, now) for key, limit, first, cap in rules)
        if wait > 0:
            return ThrottleVerdict(False, wait, "slowed")
        if check():
            self._succeeded(rules[0][0], rules[1][0])
            return ThrottleVerdict(True)
        for key, limit, first, cap in rules:
            self._failed(key, limit, first, cap, now)
        return ThrottleVerdict(False, 0.0, "refused")

    def waiting(self, keys: list[str], now: float | None = None) -> float:
        """Seconds until every one of ``keys`` may try again (0: none waits)."""
        now = time.time() if now is None else now
        wait = 0.0
        with self.db._tx() as cur:
            for key in keys:
                cur.execute(f"SELECT locked_until FROM {self.table} WHERE key = ?", (key,))  # noqa: S608 - checked name
                row = cur.fetchone()
                if row is not None:
                    wait = max(wait, float(row[0]) - now)
        return max(0.0, wait)

    def _reserve(self, key: str, limit: int, first: float, cap: float, now: float) -> float:
        with self.db._tx() as cur:
            cur.execute(
                f"INSERT INTO {self.table}(key, failures, window_start, locked_until, lockouts)"  # noqa: S608
                " VALUES (?, 0, ?, 0, 0) ON CONFLICT (key) DO NOTHING",
                (key, now),
            )
            select = f"SELECT failures, window_start, locked_until, lockouts FROM {self.table} WHERE key = ?"  # noqa: S608
            cur.execute(select + (" FOR UPDATE" if self.db.is_postgres else ""), (key,))
            failures, start, locked_until, lockouts = cur.fetchone()
            failures, start, locked_until, lockouts = (
                int(failures),
                float(start),
                float(locked_until),
                int(lockouts),
            )
            if locked_until > now:
                return locked_until - now
            if now - start > self.limits.window_s:
                failures, start = 0, now
            failures += 1
            if failures > limit:  # raced past the limit: wait now, check nothing
                locked_until = now + min(cap, first * 2 ** min(lockouts, 16))
                failures, start, lockouts = 0, now, lockouts + 1
            cur.execute(
                f"UPDATE {self.table} SET failures = ?, window_start = ?, locked_until = ?, lockouts = ?"  # noqa: S608
                " WHERE key = ?",
                (failures, start, locked_until, lockouts, key),
            )
        return max(0.0, locked_until - now)

    def _failed(self, key: str, limit: int, first: float, cap: float, now: float) -> None:
        with self.db._tx() as cur:
            cur.execute(f"SELECT failures, lockouts, locked_until FROM {self.table} WHERE key = ?", (key,))  # noqa: S608
            row = cur.fetchone()
            if row is None or int(row[0]) < limit or float(row[2]) > now:
                return
            until = now + min(cap, first * 2 ** min(int(row[1]), 16))
            cur.execute(
                f"UPDATE {self.table} SET failures = 0, window_start = ?, locked_until = ?,"  # noqa: S608
                " lockouts = lockouts + 1 WHERE key = ?",
                (now, until, key),
            )

    def _succeeded(self, client_key: str, code_key: str) -> None:
        with self.db._tx() as cur:
            cur.execute(f"UPDATE {self.table} SET failures = 0 WHERE key = ?", (client_key,))  # noqa: S608
            # The code's reserved try was not a wrong one.
            cur.execute(
                f"UPDATE {self.table} SET failures = failures - 1 WHERE key = ? AND failures > 0",  # noqa: S608
                (code_key,),
            )
