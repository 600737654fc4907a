"""The kiosk's tamper-evident audit log: append-only JSON lines, a hash chain, signed checkpoints.

What it records: maintenance logins, failures, lockouts and actions; config changes; key use (each seal
signature); purges of personal data; the log's own checkpoints. Never an ID number or a name: every string
is passed through `kiosk.logs.redact`, and fields named like personal data are refused outright.

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
import re
import stat
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from kiosk.errors import BadInputError, KioskError
from kiosk.logs import redact

log = logging.getLogger(__name__)

GENESIS = "0" * 64
# Domain separation: the same kiosk key signs QR seals (COSE); these bytes can never be a COSE structure.
SIGNING_CONTEXT = b"smart-kiosk audit checkpoint v1\n"

Signer = Callable[[bytes], bytes]

# Field names that would carry personal data; a caller passing one is a bug, not something to redact.
_FORBIDDEN_FIELDS = frozenset(
    {
        "name",
        "full_name",
        "holder_name",
        "id_number",
        "holder_id",
        "old_id",
        "address",
        "date_of_birth",
        "dob",
    }
)


class Events:
    """The event names the kiosk writes (others are allowed: dotted lower-case words)."""

    OPENED = "audit.opened"
    CHECKPOINT = "audit.checkpoint"
    TORN_TAIL = "audit.torn_tail"
    HEAD_MISMATCH = "audit.head_mismatch"
    MAINTENANCE_LOGIN = "maintenance.login"
    MAINTENANCE_LOGIN_FAILED = "maintenance.login_failed"
    MAINTENANCE_LOCKOUT = "maintenance.lockout"
    MAINTENANCE_ACTION = "maintenance.action"
    MAINTENANCE_LOGOUT = "maintenance.logout"
    CONFIG_LOADED = "config.loaded"
    CONFIG_CHANGED = "config.changed"
    KEY_USED = "key.used"
    KEY_CREATED = "key.created"
    RECORDS_PURGED = "records.purged"


class AuditError(KioskError):
    """The audit log cannot be written or read (a full disk, a folder the service may not write)."""

    exit_code = 3
    default_key = "error.audit"


def canonical(obj: Mapping[str, Any]) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(entry: Mapping[str, Any]) -> str:
    """sha256 over the entry's canonical JSON without its own ``hash`` and ``sig``."""
    body = {k: v for k, v in entry.items() if k not in ("hash", "sig")}
    return hashlib.sha256(canonical(body)).hexdigest()


def key_fingerprint(key: ec.EllipticCurvePublicKey) -> str:
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()[:32]


def load_verify_key(data: bytes | ec.EllipticCurvePublicKey) -> ec.EllipticCurvePublicKey:
    """A P-256 public key from a key object, PEM/DER public key or PEM/DER certificate."""
    if isinstance(data, ec.EllipticCurvePublicKey):
        return data
    from cryptography import x509

    loaders: tuple[Callable[[bytes], Any], ...] = (
        serialization.load_pem_public_key,
        serialization.load_der_public_key,
        lambda b: x509.load_pem_x509_certificate(b).public_key(),
        lambda b: x509.load_der_x509_certificate(b).public_key(),
    )
    for loader in loaders:
        try:
            key = loader(data)
        except ValueError:
            continue
        if isinstance(key, ec.EllipticCurvePublicKey):
            return key
        raise BadInputError("the audit verify key is not an EC public key")
    raise BadInputError("the audit verify key is neither a PEM/DER public key nor a certificate")


def _as_der_signature(sig: bytes) -> bytes:
    """Accept DER (cryptography) and raw r||s (PKCS#11 CKM_ECDSA) P-256 signatures alike."""
    if len(sig) == 64 and sig[0] != 0x30:
        return encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    return sig


def checkpoint_message(hash_hex: str) -> bytes:
    return SIGNING_CONTEXT + hash_hex.encode()


def verify_checkpoint_signature(key: ec.EllipticCurvePublicKey, hash_hex: str, sig_b64: str) -> bool:
    try:
        sig = base64.b64decode(sig_b64, validate=True)
        key.verify(_as_der_signature(sig), checkpoint_message(hash_hex), ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


_HEX_DIGEST = re.compile(r"[0-9a-f]{16,128}")
_COPY_CODE = re.compile(r"(?=[A-Z0-9-]*[A-Z])[A-Z0-9-]{4,40}")


def _clean_value(value: Any, where: str) -> Any:
    if isinstance(value, str):
        # Digests and copy codes hold digit runs that look like ID numbers to the redactor, but are not.
        if _HEX_DIGEST.fullmatch(value) or (
            where.rsplit(".", 1)[-1] == "code" and _COPY_CODE.fullmatch(value)
        ):
            return value
        return redact(value)
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, Mapping):
        return _clean_data(value, where)
    if isinstance(value, list | tuple):
        return [_clean_value(v, where) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return redact(str(value))
    raise TypeError(f"audit field {where!r}: cannot record a {type(value).__name__}")


def _clean_data(data: Mapping[str, Any], where: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{where}.{key}" if where else str(key)
        if str(key).lower() in _FORBIDDEN_FIELDS:
            raise ValueError(
                f"audit field {name!r} would hold personal data; record a masked value or a code"
            )
        out[str(key)] = _clean_value(value, name)
    return out


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Head:
    """What the head file holds: the last entry and the last checkpoint the writer made."""

    seq: int
    hash: str
    checkpoint_seq: int
    checkpoint_ts: str

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "hash": self.hash,
            "checkpoint_seq": self.checkpoint_seq,
            "checkpoint_ts": self.checkpoint_ts,
        }


def head_path_for(log_path: Path) -> Path:
    return log_path.with_name(log_path.name + ".head")


def read_head(path: Path) -> Head | None:
    """The head file, or None if it is absent; a malformed head raises ValueError."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: unreadable head file: {exc}") from None
    try:
        return Head(int(raw["seq"]), str(raw["hash"]), int(raw["checkpoint_seq"]), str(raw["checkpoint_ts"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: malformed head file: {exc}") from None


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
    os.replace(tmp, path)
    with contextlib.suppress(OSError):
        dfd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


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
    Without `sign`, checkpoints are written unsigned and `verify` reports them.
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
        """Write a signed checkpoint now if any entry came after the last one; returns it or None."""
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

    def _append(
        self, fd: int, state: Mapping[str, Any], event: str, data: dict[str, Any], *, checkpoint: bool = False
    ) -> dict[str, Any]:
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
        if checkpoint:
            entry["sig"] = self._sign_hash(entry["hash"])
        os.write(fd, canonical(entry) + b"\n")
        os.fsync(fd)
        cp_seq = entry["seq"] if checkpoint else int(state.get("checkpoint_seq", 0))
        cp_ts = entry["ts"] if checkpoint else str(state.get("checkpoint_ts", ""))
        mode = (stat.S_IMODE(os.fstat(fd).st_mode) & 0o660) | 0o600
        _write_head(self.head_path, Head(entry["seq"], entry["hash"], cp_seq, cp_ts), mode)
        return entry

    def _sign_hash(self, hash_hex: str) -> str | None:
        if self._sign is None:
            return None
        try:
            return base64.b64encode(self._sign(checkpoint_message(hash_hex))).decode()
        except Exception:
            # The key may be briefly unavailable (a token pulled out); the checkpoint stays, unsigned.
            log.exception("could not sign the audit checkpoint")
            return None

    def _checkpoint_due(self, state: Mapping[str, Any]) -> bool:
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

    def _append_checkpoint(self, fd: int, state: Mapping[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {
            "covers_seq": int(state["seq"]),
            "entries": int(state["seq"]) - int(state["checkpoint_seq"]),
        }
        if self.verify_key is not None:
            data["key"] = key_fingerprint(self.verify_key)
        entry = self._append(fd, state, Events.CHECKPOINT, data, checkpoint=True)
        log.info(
            "audit checkpoint seq=%d hash=%s signed=%s", entry["seq"], entry["hash"], entry["sig"] is not None
        )
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


def iter_entries(path: Path) -> Iterator[dict[str, Any]]:
    """Every parseable entry of the log, in file order (lines that do not parse are skipped)."""
    try:
        with path.open("rb") as fh:
            for raw in fh:
                with contextlib.suppress(ValueError):
                    entry = json.loads(raw)
                    if isinstance(entry, dict):
                        yield entry
    except FileNotFoundError:
        return


# -- verification --------------------------------------------------------------------------------------


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
    return entry


def verify_log(
    path: str | os.PathLike[str],
    *,
    verify_key: ec.EllipticCurvePublicKey | None = None,
    head_path: Path | None = None,
) -> AuditReport:
    """Check the whole log: hashes, chain, sequence, checkpoint signatures, and its end against the head.

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

    fingerprint = key_fingerprint(verify_key) if verify_key is not None else None
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
            _check_checkpoint(entry, lineno, verify_key, fingerprint, report)
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
    if verify_key is None and report.checkpoints:
        report.warnings.append("no verify key given: checkpoint signatures were not checked")
    _check_tail(report, entries, head_path or head_path_for(log_path))
    return report


def _check_checkpoint(
    entry: dict[str, Any],
    lineno: int,
    verify_key: ec.EllipticCurvePublicKey | None,
    fingerprint: str | None,
    report: AuditReport,
) -> None:
    seq = entry["seq"]
    sig = entry.get("sig")
    if verify_key is None:
        return
    if not sig:
        report.add("unsigned_checkpoint", f"line {lineno} (seq {seq}): checkpoint is not signed", lineno, seq)
        return
    key_id = entry["data"].get("key")
    if key_id and key_id != fingerprint:
        report.add(
            "bad_signature",
            f"line {lineno} (seq {seq}): checkpoint signed by another key ({key_id}, expected {fingerprint})",
            lineno,
            seq,
        )
        return
    if not isinstance(sig, str) or not verify_checkpoint_signature(verify_key, entry["hash"], sig):
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
    if report.last_checkpoint_line is not None:
        after = sum(1 for line, _ in entries if line > report.last_checkpoint_line)
        if after:
            report.warnings.append(
                f"{after} entries after the last checkpoint (line {report.last_checkpoint_line}) are protected "
                "by the hash chain and the head file only"
            )
