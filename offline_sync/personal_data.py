"""The kiosk's personal data at rest: the data key, and the record's personal fields sealed under it.

The data key (32 bytes, a file made 0600 on first use, atomically) seals a record's personal fields (holder
ID, name, OCR text, extracted fields) with AES-GCM, the record code as associated data, so a ciphertext moved
to another row does not decrypt. ``offline_sync.store`` keeps the sealed blob.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from offline_sync.protocol.errors import DataKeyError

log = logging.getLogger(__name__)

DATA_KEY_BYTES = 32
_SEAL_VERSION = b"\x01"
_NONCE_BYTES = 12


def load_or_create_data_key(path: Path) -> bytes:
    """The 32-byte data key at `path`, created (mode 0600) on first use.

    Creation is atomic: the key is written to a temporary file, fsynced, then hard-linked into place, so
    two processes racing to create it end up with the same key and a crash never leaves a short key.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        data = b""
    except OSError as exc:
        raise DataKeyError(f"cannot read data key: {exc.strerror or exc}", subject=str(path)) from None
    if data:
        if len(data) != DATA_KEY_BYTES:
            raise DataKeyError(
                f"data key must be {DATA_KEY_BYTES} bytes, found {len(data)}", subject=str(path)
            )
        return data
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    key = AESGCM.generate_key(bit_length=256)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, key)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return load_or_create_data_key(path)
        _fsync_dir(path.parent)
    except OSError as exc:
        raise DataKeyError(f"cannot create data key: {exc.strerror or exc}", subject=str(path)) from None
    finally:
        tmp.unlink(missing_ok=True)
    log.info("created a new data key at %s", path)
    return key


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def seal_personal(aead: AESGCM, code: str, personal: dict[str, Any]) -> bytes:
    nonce = secrets.token_bytes(_NONCE_BYTES)
    plain = json.dumps(personal, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return _SEAL_VERSION + nonce + aead.encrypt(nonce, plain, code.encode("utf-8"))


def open_sealed(aead: AESGCM, code: str, blob: Any) -> dict[str, Any]:
    if not isinstance(blob, bytes):
        raise DataKeyError("personal fields of this record are not a sealed blob", subject=code)
    if blob[:1] != _SEAL_VERSION or len(blob) < 1 + _NONCE_BYTES + 16:
        raise DataKeyError("personal fields of this record are not in a known sealed format", subject=code)
    nonce, sealed = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
    try:
        plain = aead.decrypt(nonce, sealed, code.encode("utf-8"))
    except InvalidTag:
        raise DataKeyError(
            "personal fields do not decrypt: wrong data key or tampered record", subject=code
        ) from None
    value = json.loads(plain)
    if not isinstance(value, dict):
        raise DataKeyError("personal fields are malformed", subject=code)
    return value
