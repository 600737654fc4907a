"""The sync log for central IT: JSON lines, one per upload attempt, rotated by size, shipped to the backend.

Each line: id, time, kiosk, code, bytes, status, latency_ms, outcome, error. Outcomes: `synced`,
`replayed` (the backend already had it), `retry`, `dead_letter`, `error` (heartbeat or shipping failed).
Lines not yet shipped are kept in memory and, after a restart, found again by scanning the files back
to the last shipped id (kept in the store's meta table by the worker).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MAX_UNSHIPPED = 50_000


def make_entry(
    kiosk: str,
    *,
    code: str | None,
    outcome: str,
    size: int = 0,
    status: int | None = None,
    latency_ms: float = 0.0,
    error: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex,
        "time": (now or datetime.now(UTC)).isoformat(),
        "kiosk": kiosk,
        "code": code,
        "bytes": size,
        "status": status,
        "latency_ms": round(latency_ms, 2),
        "outcome": outcome,
        "error": error[:1000] if error else None,
    }


class SyncLog:
    def __init__(self, path: Path, *, max_bytes: int = 5_000_000, backups: int = 5) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.backups = backups
        self._lock = threading.Lock()
        self._unshipped: deque[dict[str, Any]] = deque(maxlen=MAX_UNSHIPPED)
        self.write_failures = 0

    # ------------------------------------------------------------------ writing

    def write(self, entries: Iterable[dict[str, Any]]) -> None:
        """Append entries (and queue them for shipping). A full or broken disk never stops the worker."""
        batch = list(entries)
        if not batch:
            return
        text = "".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n" for e in batch)
        with self._lock:
            self._unshipped.extend(batch)
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._rotate_if_needed(len(text))
                with open(self.path, "a", encoding="utf-8") as fh:
                    if fh.tell() > 0 and not self._ends_with_newline():
                        fh.write("\n")  # a crash cut the last line; start clean
                    fh.write(text)
            except OSError as exc:
                self.write_failures += 1
                log.warning("cannot write the sync log %s: %s", self.path, exc)

    def _ends_with_newline(self) -> bool:
        with open(self.path, "rb") as fh:
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) == b"\n"

    def _rotate_if_needed(self, incoming: int) -> None:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return
        if size + incoming <= self.max_bytes:
            return
        for i in range(self.backups - 1, 0, -1):
            older = self._backup(i)
            if older.exists():
                os.replace(older, self._backup(i + 1))
        os.replace(self.path, self._backup(1))

    def _backup(self, i: int) -> Path:
        return self.path.with_name(f"{self.path.name}.{i}")

    # ------------------------------------------------------------------ reading

    def files_newest_first(self) -> list[Path]:
        return [p for p in [self.path, *(self._backup(i) for i in range(1, self.backups + 1))] if p.exists()]

    def iter_newest_first(self) -> Iterator[dict[str, Any]]:
        """Every readable entry, newest first; a torn or corrupt line is skipped."""
        for file in self.files_newest_first():
            try:
                lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError as exc:
                log.warning("cannot read %s: %s", file, exc)
                continue
            for line in reversed(lines):
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if isinstance(entry, dict):
                    yield entry

    def tail(
        self, limit: int = 50, *, code: str | None = None, outcome: str | None = None
    ) -> list[dict[str, Any]]:
        """The last `limit` entries (oldest of them first), optionally for one code or outcome."""
        out: list[dict[str, Any]] = []
        for entry in self.iter_newest_first():
            if code and entry.get("code") != code:
                continue
            if outcome and entry.get("outcome") != outcome:
                continue
            out.append(entry)
            if len(out) >= limit:
                break
        return list(reversed(out))

    # ------------------------------------------------------------------ shipping

    def recover_unshipped(self, last_shipped_id: str | None) -> int:
        """After a restart: queue the entries written after `last_shipped_id` (all, if it is unknown)."""
        found: list[dict[str, Any]] = []
        for entry in self.iter_newest_first():
            if last_shipped_id is not None and entry.get("id") == last_shipped_id:
                break
            found.append(entry)
            if len(found) >= MAX_UNSHIPPED:
                break
        with self._lock:
            self._unshipped.extendleft(found)  # found is newest-first, extendleft reverses it
        return len(found)

    def unshipped(self, limit: int) -> list[dict[str, Any]]:
        with self._lock:
            return [self._unshipped[i] for i in range(min(limit, len(self._unshipped)))]

    def mark_shipped(self, count: int) -> None:
        with self._lock:
            for _ in range(min(count, len(self._unshipped))):
                self._unshipped.popleft()

    @property
    def unshipped_count(self) -> int:
        return len(self._unshipped)
