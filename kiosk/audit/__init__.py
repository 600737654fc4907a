"""The kiosk's tamper-evident audit log: append-only JSON lines, a hash chain, signed checkpoints.

What it records: maintenance logins, failures, lockouts and actions; config changes; key use (each seal
signature); purges of personal data; the log's own checkpoints. Never an ID number or a name: every string
is passed through `kiosk.runtime.logs.redact`, and fields named like personal data are refused outright.

Each line is one entry::

    {"seq": 7, "ts": "2026-11-22T15:40:00.123456Z", "event": "key.used", "data": {"code": "..."},
     "prev": "<hash of entry 6>", "hash": "<sha256 of this entry without hash and sig>"}

Editing an entry breaks its hash; removing or reordering entries breaks the chain and the sequence.
Every ``checkpoint_every`` entries (and at least every ``checkpoint_max_age_s``, and at close) a
``audit.checkpoint`` entry is written whose hash is signed with the kiosk key (ECDSA P-256): whoever
rewrites the chain cannot re-sign it. A small head file next to the log (``<log>.head``) holds the last
sequence number and hash, so cutting entries off the end is noticed too; if the writer itself finds the
log shorter than its head (someone cut the tail between two runs) it records ``audit.head_mismatch``
before going on, so the evidence survives new appends.

Limits, said plainly: entries after the last checkpoint are protected by the chain and the head file only,
and someone who can rewrite both files *and* drop the last checkpoints can hide the newest entries. Each
checkpoint's hash also goes to the system journal (logger ``kiosk.audit``), an anchor outside the data
folder.

Several processes (the UI and the sync worker) may append: each append holds an exclusive ``flock`` on
the log while it reads the tail, writes and fsyncs.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import stat
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from kiosk.audit.records import (
    GENESIS,
    SIGNING_CONTEXT,
    AuditError,
    Events,
    Head,
    Signer,
    _clean_data,
    _iso,
    _now,
    canonical,
    checkpoint_message,
    entry_hash,
    head_path_for,
    iter_entries,
    key_fingerprint,
    load_verify_key,
    read_head,
    verify_checkpoint_signature,
)
from kiosk.audit.verify import AuditProblem, AuditReport, verify_log

__all__ = [
    "GENESIS",
    "SIGNING_CONTEXT",
    "AuditError",
    "AuditLog",
    "AuditProblem",
    "AuditReport",
    "Events",
    "Head",
    "Signer",
    "canonical",
    "checkpoint_message",
    "entry_hash",
    "head_path_for",
    "iter_entries",
    "key_fingerprint",
    "load_verify_key",
    "read_head",
    "verify_checkpoint_signature",
    "verify_log",
]

log = logging.getLogger(__name__)


def _write_head(path: Path, head: Head, mode: int = 0o600) -> None:
    """Replace the head file atomically; `mode` follows the log's, so a co-writer in the group can too."""
    tmp = path.with_name(path.name + ".tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()  # a leftover of a crash, possibly another user's
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
    try:
        os.fchmod(fd, mode)
        os.write(fd, canonical(head.to_json()) + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    # No fsync of the folder: after a power cut the head may be the previous one, which lags the (already
    # fsynced) log and is accepted as such; it is never ahead of the log, nor half written.
    os.replace(tmp, path)


def _read_last_line(fd: int, size: int) -> tuple[bytes, int]:
    """The last complete line of the file (without its newline) and the size up to its end.

    Bytes after the last newline (a write cut by a power loss) are not part of it: the returned size tells
    the caller where the complete lines end.
    """
    if size == 0:
        return b"", 0
    chunk = 4096
    pos = size
    buf = b""
    while pos > 0:
        start = max(0, pos - chunk)
        buf = os.pread(fd, pos - start, start) + buf
        pos = start
        last_nl = buf.rfind(b"\n")
        if last_nl == -1:
            continue
        end = pos + last_nl + 1  # complete lines end here
        prev_nl = buf.rfind(b"\n", 0, last_nl)
        if prev_nl != -1 or pos == 0:
            return buf[prev_nl + 1 : last_nl], end
    return b"", 0


class AuditLog:
    """Appends entries to the audit log; safe across processes; checkpoints signed with `sign`.

    `sign(message) -> signature` signs with the kiosk key (DER or raw r||s ECDSA P-256 over SHA-256).
    `verify_key` is the matching public key; when given, its fingerprint goes into each checkpoint.
    Without `sign` (the sync worker has no kiosk key) no checkpoints are written: the next entry of a
    process that holds the key writes one covering everything before it.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        sign: Signer | None = None,
        verify_key: ec.EllipticCurvePublicKey | bytes | None = None,
        checkpoint_every: int = 50,
        checkpoint_max_age_s: float = 3600.0,
        actor: str | None = None,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        if checkpoint_every < 1:
            raise ValueError("checkpoint_every must be at least 1")
        self.path = Path(path)
        self.head_path = head_path_for(self.path)
        self._sign = sign
        self.verify_key = None if verify_key is None else load_verify_key(verify_key)
        self.checkpoint_every = checkpoint_every
        self.checkpoint_max_age_s = checkpoint_max_age_s
        self.actor = actor
        self._clock = clock

    # -- writing -------------------------------------------------------------------------------------

    def record(self, event: str, **data: Any) -> dict[str, Any]:
        """Append one entry (and a checkpoint when one is due); returns the entry as written."""
        if not event or not all(part.replace("_", "").isalnum() for part in event.split(".")):
            raise ValueError(f"audit event name must be dotted words, got {event!r}")
        clean = _clean_data(data)
        with self._locked() as fd:
            state = self._tail_state(fd)
            entry = self._append(fd, state, event, clean)
            state = {**state, "seq": entry["seq"], "hash": entry["hash"]}
            if self._checkpoint_due(state):
                self._append_checkpoint(fd, state)
        return entry

    def checkpoint(self) -> dict[str, Any] | None:
        """Write a signed checkpoint now if any entry came after the last one; returns it, or None (nothing
        new, no signing key, or the key failed)."""
        with self._locked() as fd:
            state = self._tail_state(fd)
            if state["seq"] == 0 or state["seq"] == state["checkpoint_seq"]:
                return None
            return self._append_checkpoint(fd, state)

    def close(self) -> None:
        """Seal what was written since the last checkpoint (a clean shutdown)."""
        try:
            self.checkpoint()
        except AuditError:
            log.warning("could not write the closing audit checkpoint", exc_info=True)

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[int]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise AuditError(f"cannot open the audit log: {exc}", subject=str(self.path)) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield fd
        except OSError as exc:
            raise AuditError(f"cannot write the audit log: {exc}", subject=str(self.path)) from None
        finally:
            os.close(fd)

    def _tail_state(self, fd: int) -> dict[str, Any]:
        """seq/hash of the last entry, and the last checkpoint; repairs a torn tail, notes a cut tail."""
        size = os.fstat(fd).st_size
        line, end = _read_last_line(fd, size)
        torn = size - end
        if torn:
            # A write cut short by a power loss: drop the fragment but record that it was there.
            fragment = os.pread(fd, torn, end)
            os.ftruncate(fd, end)
            log.warning("audit log %s: removed %d bytes of an interrupted write", self.path, torn)
        last: dict[str, Any] = {"seq": 0, "hash": GENESIS}
        if line:
            try:
                last = json.loads(line)
                int(last["seq"])
                str(last["hash"])
            except (ValueError, KeyError, TypeError):
                raise AuditError(
                    "the last line of the audit log is not an entry; run `kiosk audit verify`",
                    subject=str(self.path),
                ) from None
        try:
            head = read_head(self.head_path)
        except ValueError as exc:
            log.warning("%s", exc)
            head = None
        state: dict[str, Any] = {
            "seq": int(last["seq"]),
            "hash": str(last["hash"]),
            "checkpoint_seq": head.checkpoint_seq if head else 0,
            "checkpoint_ts": head.checkpoint_ts if head else "",
        }
        if last.get("event") == Events.CHECKPOINT:
            state["checkpoint_seq"], state["checkpoint_ts"] = state["seq"], str(last.get("ts", ""))
        if head is not None and head.seq < state["seq"]:
            # Cut between the log's fsync and the head's rename by a crash: the log is ahead, nothing lost.
            log.warning(
                "audit head file %s lags the log (seq %d < %d)", self.head_path, head.seq, state["seq"]
            )
        elif head is not None and (head.seq != state["seq"] or head.hash != state["hash"]):
            # The log does not end where this kiosk last left it: keep the evidence in the chain itself.
            log.error(
                "audit log %s ends at seq %d but its head file says seq %d: entries were removed or changed",
                self.path,
                state["seq"],
                head.seq,
            )
            entry = self._append(
                fd,
                state,
                Events.HEAD_MISMATCH,
                {
                    "head_seq": head.seq,
                    "head_hash": head.hash,
                    "log_seq": state["seq"],
                    "log_hash": state["hash"],
                },
            )
            state.update(seq=entry["seq"], hash=entry["hash"])
            if head.checkpoint_seq > state["checkpoint_seq"]:
                state["checkpoint_seq"] = 0
        if torn:
            entry = self._append(
                fd,
                state,
                Events.TORN_TAIL,
                {"bytes": torn, "sha256": hashlib.sha256(fragment).hexdigest()},
            )
            state.update(seq=entry["seq"], hash=entry["hash"])
        return state

    def _build(self, state: Mapping[str, Any], event: str, data: dict[str, Any]) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "seq": int(state["seq"]) + 1,
            "ts": _iso(self._clock()),
            "event": event,
            "data": data,
            "prev": state["hash"],
        }
        if self.actor:
            entry["actor"] = self.actor
        entry["hash"] = entry_hash(entry)
        return entry

    def _write(
        self, fd: int, entry: dict[str, Any], state: Mapping[str, Any], *, checkpoint: bool = False
    ) -> None:
        os.write(fd, canonical(entry) + b"\n")
        os.fsync(fd)
        cp_seq = entry["seq"] if checkpoint else int(state.get("checkpoint_seq", 0))
        cp_ts = entry["ts"] if checkpoint else str(state.get("checkpoint_ts", ""))
        mode = (stat.S_IMODE(os.fstat(fd).st_mode) & 0o660) | 0o600
        _write_head(self.head_path, Head(entry["seq"], entry["hash"], cp_seq, cp_ts), mode)

    def _append(self, fd: int, state: Mapping[str, Any], event: str, data: dict[str, Any]) -> dict[str, Any]:
        entry = self._build(state, event, data)
        self._write(fd, entry, state)
        return entry

    def _checkpoint_due(self, state: Mapping[str, Any]) -> bool:
        if self._sign is None:
            return False  # a process without the kiosk key (the sync worker) leaves checkpoints to the screen
        if int(state["seq"]) - int(state["checkpoint_seq"]) >= self.checkpoint_every:
            return True
        last_ts = str(state.get("checkpoint_ts", ""))
        if not last_ts:
            return False
        try:
            age = (self._clock() - datetime.fromisoformat(last_ts.replace("Z", "+00:00"))).total_seconds()
        except ValueError:
            return True
        return age >= self.checkpoint_max_age_s

    def _append_checkpoint(self, fd: int, state: Mapping[str, Any]) -> dict[str, Any] | None:
        """A checkpoint whose hash (covering the whole chain) is signed; None if it cannot be signed now."""
        if self._sign is None:
            return None
        data: dict[str, Any] = {
            "covers_seq": int(state["seq"]),
            "entries": int(state["seq"]) - int(state["checkpoint_seq"]),
        }
        if self.verify_key is not None:
            data["key"] = key_fingerprint(self.verify_key)
        entry = self._build(state, Events.CHECKPOINT, data)
        try:
            entry["sig"] = base64.b64encode(self._sign(checkpoint_message(entry["hash"]))).decode()
        except Exception:
            # The key may be briefly unavailable (a token pulled out): no checkpoint now, the next entry
            # tries again. Writing it unsigned would look like tampering.
            log.exception("could not sign the audit checkpoint; will retry at the next entry")
            return None
        self._write(fd, entry, state, checkpoint=True)
        log.info("audit checkpoint seq=%d hash=%s", entry["seq"], entry["hash"])
        return entry

    # -- reading -------------------------------------------------------------------------------------

    def verify(self, verify_key: ec.EllipticCurvePublicKey | bytes | None = None) -> AuditReport:
        key = self.verify_key if verify_key is None else load_verify_key(verify_key)
        return verify_log(self.path, verify_key=key, head_path=self.head_path)

    def note_config(self, source: str, content: bytes) -> dict[str, Any] | None:
        """Record the config at start: ``config.loaded`` the first time, ``config.changed`` when it differs."""
        digest = hashlib.sha256(content).hexdigest()
        previous = None
        for entry in iter_entries(self.path):
            if (
                entry.get("event") in (Events.CONFIG_LOADED, Events.CONFIG_CHANGED)
                and entry.get("data", {}).get("source") == source
            ):
                previous = entry["data"].get("sha256")
        if previous == digest:
            return None
        if previous is None:
            return self.record(Events.CONFIG_LOADED, source=source, sha256=digest)
        return self.record(Events.CONFIG_CHANGED, source=source, sha256=digest, previous_sha256=previous)
