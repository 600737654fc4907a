"""The kiosk's book of paid copies that did not print (issue 25): a paid copy is never lost.

A row is written when a paid visit's copy (or its receipt) could not be printed, in the same SQLite file as
the records (table ``uncollected`` of :mod:`offline_sync.store`); the copy's PDF is then kept past the
retention period until the row is collected. The sync worker lists the open rows in each heartbeat
(:mod:`offline_sync.protocol.uncollected`), so the city's back office shows them; maintenance lists them
and reprints them at no charge, which closes the row.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from offline_sync.protocol.errors import BadRecordError
from offline_sync.protocol.uncollected import MAX_LISTED, UncollectedCopy
from offline_sync.store import LocalStore

PARTS = ("copy", "receipt")


@dataclass(frozen=True)
class Uncollected:
    code: str
    payment_reference: str
    amount_vnd: int
    copies: int
    missing: tuple[str, ...]
    marked_at: datetime
    collected_at: datetime | None = None
    collected_how: str = ""

    def to_wire(self) -> dict[str, Any]:
        """The heartbeat's entry (validated by the shared protocol model)."""
        return UncollectedCopy(
            code=self.code,
            payment_reference=self.payment_reference,
            amount_vnd=self.amount_vnd,
            copies=self.copies,
            missing=[m for m in self.missing if m in PARTS],  # type: ignore[misc]
            since=self.marked_at,
        ).model_dump(mode="json")


def _row(row: tuple[Any, ...]) -> Uncollected:
    code, reference, amount, copies, missing, marked, collected, how = row
    return Uncollected(
        str(code),
        str(reference or ""),
        int(amount or 0),
        int(copies or 1),
        tuple(p for p in str(missing or "").split(",") if p),
        datetime.fromtimestamp(float(marked), UTC),
        datetime.fromtimestamp(float(collected), UTC) if collected is not None else None,
        str(how or ""),
    )


class UncollectedBook:
    """Paid copies still to collect, over the kiosk's store (the same file, the same write discipline)."""

    _COLUMNS = "code, payment_reference, amount_vnd, copies, missing, marked_at, collected_at, collected_how"

    def __init__(self, store: LocalStore) -> None:
        self.store = store

    def mark(
        self,
        code: str,
        *,
        payment_reference: str = "",
        amount_vnd: int = 0,
        copies: int = 1,
        missing: tuple[str, ...] = ("copy",),
    ) -> Uncollected:
        """Record that `code` was paid and what of it did not print. Marking again updates what is missing
        and opens the row again (a reprint that failed once more)."""
        parts = tuple(p for p in PARTS if p in missing)
        if not code or not parts:
            raise BadRecordError("an uncollected copy needs its code and what did not print")
        store = self.store
        with store._guard("cannot mark the copy as paid, not printed"), store._write():
            store._exec(
                "INSERT INTO uncollected(code, payment_reference, amount_vnd, copies, missing, marked_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(code) DO UPDATE SET missing = excluded.missing,"
                " collected_at = NULL, collected_how = NULL",
                (
                    code,
                    payment_reference,
                    max(0, int(amount_vnd)),
                    max(1, int(copies)),
                    ",".join(parts),
                    time.time(),
                ),
            )
        found = self.get(code)
        assert found is not None
        return found

    def get(self, code: str) -> Uncollected | None:
        with self.store._guard("cannot read the uncollected copies"):
            row = self.store._exec(
                f"SELECT {self._COLUMNS} FROM uncollected WHERE code = ?",  # noqa: S608 (fixed columns)
                (code,),
            ).fetchone()
        return _row(row) if row else None

    def open(self, limit: int = 200) -> list[Uncollected]:
        """The copies still owed, oldest first."""
        with self.store._guard("cannot read the uncollected copies"):
            rows = self.store._exec(
                f"SELECT {self._COLUMNS} FROM uncollected WHERE collected_at IS NULL"  # noqa: S608
                " ORDER BY marked_at, code LIMIT ?",
                (limit,),
            ).fetchall()
        return [_row(r) for r in rows]

    def collected(self, code: str, how: str = "printed") -> bool:
        """The copy is in the citizen's hands (printed again, or handed over at the counter)."""
        store = self.store
        with store._guard("cannot close the uncollected copy"), store._write():
            row = store._exec(
                "UPDATE uncollected SET collected_at = ?, collected_how = ? WHERE code = ? AND collected_at IS NULL"
                " RETURNING code",
                (time.time(), how[:40], code),
            ).fetchone()
        return row is not None

    def heartbeat_entries(self) -> list[dict[str, Any]]:
        """What the heartbeat's ``health["uncollected"]`` carries: the open rows, oldest first."""
        return [item.to_wire() for item in self.open(MAX_LISTED)]
