"""`verify_log`: check an audit log's hashes, chain, sequence, checkpoint signatures and end.

Every problem names the line (1-based, as `sed -n Np` counts) and what was done to it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from kiosk.audit.records import (
    GENESIS,
    AuditError,
    Events,
    canonical,
    entry_hash,
    head_path_for,
    key_fingerprint,
    read_head,
    verify_checkpoint_signature,
)
from kiosk.errors import BadInputError


@dataclass(frozen=True)
class AuditProblem:
    """One sign of tampering: where (line number in the file, 1-based; seq) and what."""

    kind: str  # edited, removed, reordered, duplicated, malformed, incomplete_line, truncated, bad_signature, ...
    message: str
    line: int | None = None
    seq: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "line": self.line, "seq": self.seq, "message": self.message}


@dataclass
class AuditReport:
    path: str
    entries: int = 0
    checkpoints: int = 0
    signed_checkpoints: int = 0
    last_seq: int = 0
    last_checkpoint_line: int | None = None
    problems: list[AuditProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, kind: str, message: str, line: int | None = None, seq: int | None = None) -> None:
        self.problems.append(AuditProblem(kind, message, line, seq))

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "path": self.path,
            "entries": self.entries,
            "checkpoints": self.checkpoints,
            "signed_checkpoints": self.signed_checkpoints,
            "last_seq": self.last_seq,
            "last_checkpoint_line": self.last_checkpoint_line,
            "problems": [p.to_json() for p in self.problems],
            "warnings": list(self.warnings),
        }

    def summary(self) -> str:
        if self.ok:
            lines = [
                f"{self.path}: OK: {self.entries} entries, {self.checkpoints} checkpoints "
                f"({self.signed_checkpoints} signature-checked), last seq {self.last_seq}"
            ]
        else:
            lines = [f"{self.path}: TAMPERED: {len(self.problems)} problem(s) in {self.entries} entries"]
            lines += [f"  {p.message}" for p in self.problems]
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


_REQUIRED = {"seq": int, "ts": str, "event": str, "data": dict, "prev": str, "hash": str}


def _parse_line(raw: bytes, lineno: int, report: AuditReport) -> dict[str, Any] | None:
    try:
        entry = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        report.add("malformed", f"line {lineno}: not a JSON entry (edited or corrupted)", lineno)
        return None
    if not isinstance(entry, dict) or any(not isinstance(entry.get(k), t) for k, t in _REQUIRED.items()):
        report.add("malformed", f"line {lineno}: missing or wrong-typed fields (edited)", lineno)
        return None
    if canonical(entry) != raw:
        report.add("malformed", f"line {lineno}: not byte for byte what the kiosk writes (edited)", lineno)
    return entry


def verify_log(
    path: str | os.PathLike[str],
    *,
    verify_key: ec.EllipticCurvePublicKey | Sequence[ec.EllipticCurvePublicKey] | None = None,
    head_path: Path | None = None,
) -> AuditReport:
    """Check the whole log: hashes, chain, sequence, checkpoint signatures, and its end against the head.

    `verify_key` may be several keys (the seal keys before and after a renewal): each checkpoint names
    the fingerprint of the key that signed it.

    Every problem names the line (1-based, as `sed -n Np` counts) and says what was done to it.
    """
    log_path = Path(path)
    report = AuditReport(path=str(log_path))
    try:
        data = log_path.read_bytes()
    except FileNotFoundError:
        raise BadInputError("no audit log here", subject=str(log_path)) from None
    except OSError as exc:
        raise AuditError(f"cannot read the audit log: {exc}", subject=str(log_path)) from None

    raw_lines = data.split(b"\n")
    if raw_lines and raw_lines[-1] == b"":
        raw_lines.pop()
    elif raw_lines:
        report.add(
            "incomplete_line",
            f"line {len(raw_lines)}: incomplete last line (cut off, or a write interrupted by a power loss)",
            len(raw_lines),
        )
        raw_lines.pop()

    entries: list[tuple[int, dict[str, Any]]] = []
    for i, raw in enumerate(raw_lines, start=1):
        entry = _parse_line(raw, i, report)
        if entry is not None:
            entries.append((i, entry))
    first_line_of_seq: dict[int, int] = {}
    for lineno, entry in entries:
        first_line_of_seq.setdefault(entry["seq"], lineno)

    if verify_key is None:
        keys: dict[str, ec.EllipticCurvePublicKey] = {}
    elif isinstance(verify_key, ec.EllipticCurvePublicKey):
        keys = {key_fingerprint(verify_key): verify_key}
    else:
        keys = {key_fingerprint(k): k for k in verify_key}
    prev_hash, prev_seq, prev_line = GENESIS, 0, 0
    seen: dict[int, str] = {}
    for lineno, entry in entries:
        seq = entry["seq"]
        report.entries += 1
        if entry_hash(entry) != entry["hash"]:
            report.add(
                "edited",
                f"line {lineno} (seq {seq}): changed after it was written (hash mismatch)",
                lineno,
                seq,
            )
        expected = prev_seq + 1
        if seq in seen:
            kind = "duplicated" if seen[seq] == entry["hash"] else "reordered"
            report.add(
                kind, f"line {lineno} (seq {seq}): seq {seq} already appeared earlier ({kind})", lineno, seq
            )
        elif seq > expected:
            later = [s for s in range(expected, seq) if first_line_of_seq.get(s, 0) > lineno]
            if later:
                report.add(
                    "reordered",
                    f"line {lineno} (seq {seq}): comes before seq {later[0]} at line {first_line_of_seq[later[0]]}"
                    " (entries reordered)",
                    lineno,
                    seq,
                )
            else:
                where = (
                    "at the start of the log"
                    if prev_line == 0
                    else f"between line {prev_line} and line {lineno}"
                )
                missing = f"seq {expected}" if seq - expected == 1 else f"seq {expected}..{seq - 1}"
                report.add("removed", f"line {lineno}: {missing} removed {where}", lineno, seq)
        elif seq < expected:
            report.add(
                "reordered",
                f"line {lineno} (seq {seq}): out of order after seq {prev_seq} (entries reordered)",
                lineno,
                seq,
            )
        elif entry["prev"] != prev_hash:
            report.add(
                "edited",
                f"line {lineno} (seq {seq}): does not chain to line {prev_line}; one of them was changed and re-hashed",
                lineno,
                seq,
            )
        seen.setdefault(seq, entry["hash"])
        if entry["event"] == Events.CHECKPOINT:
            report.checkpoints += 1
            report.last_checkpoint_line = lineno
            _check_checkpoint(entry, lineno, keys, report)
        elif entry["event"] == Events.HEAD_MISMATCH:
            d = entry["data"]
            report.add(
                "truncated",
                f"line {lineno}: the kiosk found the log cut back to seq {d.get('log_seq')} "
                f"after it had written up to seq {d.get('head_seq')} (entries removed from the end)",
                lineno,
                seq,
            )
        elif entry["event"] == Events.TORN_TAIL:
            report.warnings.append(
                f"line {lineno}: the kiosk dropped {entry['data'].get('bytes')} bytes of an interrupted write"
            )
        prev_hash, prev_seq, prev_line = entry["hash"], seq, lineno
    report.last_seq = prev_seq
    if not keys and report.checkpoints:
        report.warnings.append("no verify key given: checkpoint signatures were not checked")
    _check_tail(report, entries, head_path or head_path_for(log_path))
    return report


def _check_checkpoint(
    entry: dict[str, Any], lineno: int, keys: dict[str, ec.EllipticCurvePublicKey], report: AuditReport
) -> None:
    seq = entry["seq"]
    sig = entry.get("sig")
    if not keys:
        return
    if not sig:
        report.add("unsigned_checkpoint", f"line {lineno} (seq {seq}): checkpoint is not signed", lineno, seq)
        return
    key_id = entry["data"].get("key")
    if key_id and key_id not in keys:
        report.add(
            "bad_signature",
            f"line {lineno} (seq {seq}): checkpoint signed by another key ({key_id}, expected "
            f"{' or '.join(keys)})",
            lineno,
            seq,
        )
        return
    candidates = [keys[key_id]] if key_id else list(keys.values())
    if not isinstance(sig, str) or not any(
        verify_checkpoint_signature(k, entry["hash"], sig) for k in candidates
    ):
        report.add(
            "bad_signature",
            f"line {lineno} (seq {seq}): checkpoint signature does not match: entries up to here were rewritten",
            lineno,
            seq,
        )
        return
    report.signed_checkpoints += 1


def _check_tail(report: AuditReport, entries: list[tuple[int, dict[str, Any]]], head_path: Path) -> None:
    try:
        head = read_head(head_path)
    except ValueError as exc:
        report.add("head_mismatch", str(exc))
        return
    if head is None:
        if entries:
            report.add(
                "head_missing",
                f"{head_path}: head file missing, so entries cut from the end cannot be ruled out",
            )
        return
    empty: dict[str, Any] = {"seq": 0, "hash": GENESIS}
    last_line, last = entries[-1] if entries else (0, empty)
    last_seq: int = last["seq"]
    if head.seq > last_seq:
        report.add(
            "truncated",
            f"line {last_line}: the log ends at seq {last['seq']} but seq {head.seq} was written: "
            f"{head.seq - last['seq']} entries removed from the end"
            + (
                f", including the checkpoint at seq {head.checkpoint_seq}"
                if head.checkpoint_seq > last_seq
                else ""
            ),
            last_line or None,
            last_seq,
        )
    elif head.seq == last_seq and head.hash != last["hash"]:
        report.add(
            "edited",
            f"line {last_line} (seq {last['seq']}): the last entry is not the one the kiosk wrote (head file differs)",
            last_line,
            last_seq,
        )
    elif head.seq < last_seq:
        report.warnings.append(
            f"head file stops at seq {head.seq}, the log at seq {last['seq']} (a crash between the two writes?)"
        )
        _check_head_entry(report, entries, head.seq, head.hash)
    if head.checkpoint_seq > head.seq or head.checkpoint_seq < 0:
        report.add(
            "head_mismatch",
            f"{head_path}: names a checkpoint at seq {head.checkpoint_seq} after its last entry {head.seq}",
        )
    elif 0 < head.checkpoint_seq <= min(head.seq, last_seq):
        by_seq = {e["seq"]: (line, e) for line, e in entries}
        line, cp = by_seq.get(head.checkpoint_seq, (None, {}))
        if cp.get("event") != Events.CHECKPOINT or cp.get("ts") != head.checkpoint_ts:
            report.add(
                "head_mismatch",
                f"{head_path}: names a checkpoint at seq {head.checkpoint_seq} ({head.checkpoint_ts}) that the log "
                "does not hold" + (f" (line {line} differs)" if line else ""),
                line,
                head.checkpoint_seq,
            )
    if report.last_checkpoint_line is not None:
        after = sum(1 for line, _ in entries if line > report.last_checkpoint_line)
        if after:
            report.warnings.append(
                f"{after} entries after the last checkpoint (line {report.last_checkpoint_line}) are protected "
                "by the hash chain and the head file only"
            )


def _check_head_entry(
    report: AuditReport, entries: list[tuple[int, dict[str, Any]]], seq: int, hash_: str
) -> None:
    for line, entry in entries:
        if entry["seq"] == seq:
            if entry["hash"] != hash_:
                report.add(
                    "edited",
                    f"line {line} (seq {seq}): not the entry the kiosk wrote (head file differs)",
                    line,
                    seq,
                )
            return
