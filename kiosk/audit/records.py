"""The audit log's record format: canonical JSON entries, their hashes, checkpoint signatures, the head file.

Shared by the writer (`kiosk.audit.AuditLog`) and the checker (`kiosk.audit.verify`).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from kiosk.errors import BadInputError, KioskError
from kiosk.runtime.logs import redact

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


def _der_candidates(sig: bytes) -> list[bytes]:
    """A signature as DER (cryptography) and, when it is 64 bytes, as raw r||s (COSE, PKCS#11 CKM_ECDSA).

    Both readings are tried: a raw signature may start with the DER tag byte by chance.
    """
    out = [sig]
    if len(sig) == 64:
        out.append(encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")))
    return out


def checkpoint_message(hash_hex: str) -> bytes:
    return SIGNING_CONTEXT + hash_hex.encode()


def verify_checkpoint_signature(key: ec.EllipticCurvePublicKey, hash_hex: str, sig_b64: str) -> bool:
    try:
        sig = base64.b64decode(sig_b64, validate=True)
    except (ValueError, TypeError):
        return False
    for candidate in _der_candidates(sig):
        try:
            key.verify(candidate, checkpoint_message(hash_hex), ec.ECDSA(hashes.SHA256()))
        except (InvalidSignature, ValueError, TypeError):
            continue
        return True
    return False


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
        data = path.read_bytes()
        raw = json.loads(data)
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: unreadable head file: {exc}") from None
    try:
        head = Head(int(raw["seq"]), str(raw["hash"]), int(raw["checkpoint_seq"]), str(raw["checkpoint_ts"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: malformed head file: {exc}") from None
    if data != canonical(head.to_json()) + b"\n":
        raise ValueError(f"{path}: head file changed: not byte for byte what the kiosk writes")
    return head


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
