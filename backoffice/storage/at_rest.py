"""At rest on the backend: personal fields and PDF blobs sealed with AES-GCM, files 0600 in 0700 folders.

The data key is 32 random bytes in ``backend.key`` under the data folder (0600), made on first start. A
production city backend would keep it in its key store; the file is the reference backend's stand-in.
Sealed text is ``enc1:`` + base64(nonce || ciphertext+tag); sealed blobs are ``KBE1`` + nonce + ciphertext.
The associated data binds a sealed value to what it belongs to (a record code, a blob's hash), so a value
cannot be moved to another row unnoticed.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from offline_sync.protocol.errors import BackendError

KEY_FILE = "backend.key"
TEXT_PREFIX = "enc1:"
BLOB_MAGIC = b"KBE1"
_NONCE = 12


def secure_dir(path: Path) -> Path:
    """``path`` created if needed, mode 0700."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def secure_file(path: Path) -> None:
    """Mode 0600 on a file that exists (a database file and its WAL companions)."""
    try:
        os.chmod(path, 0o600)
    except FileNotFoundError:
        pass


def load_or_create_key(data_dir: Path) -> bytes:
    """The backend's data key (32 bytes) from ``data_dir/backend.key``, created 0600 on first use."""
    path = secure_dir(data_dir) / KEY_FILE
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        key = secrets.token_bytes(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            key = path.read_bytes()
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(key)
                fh.flush()
                os.fsync(fh.fileno())
    if len(key) != 32:
        raise BackendError("the backend data key must be 32 bytes", subject=str(path))
    return key


class Sealer:
    """AES-256-GCM over text fields and blobs; ``None`` key means plaintext (in-process tests only)."""

    def __init__(self, key: bytes | None) -> None:
        self._aead = AESGCM(key) if key is not None else None

    @property
    def enabled(self) -> bool:
        return self._aead is not None

    def seal_text(self, text: str, aad: str) -> str:
        if self._aead is None:
            return text
        nonce = secrets.token_bytes(_NONCE)
        ct = self._aead.encrypt(nonce, text.encode("utf-8"), aad.encode("utf-8"))
        return TEXT_PREFIX + base64.b64encode(nonce + ct).decode("ascii")

    def open_text(self, stored: str, aad: str) -> str:
        if not stored.startswith(TEXT_PREFIX):
            return stored  # written before encryption was on
        if self._aead is None:
            raise BackendError("an encrypted field cannot be read without the backend data key")
        raw = base64.b64decode(stored[len(TEXT_PREFIX) :])
        try:
            return self._aead.decrypt(raw[:_NONCE], raw[_NONCE:], aad.encode("utf-8")).decode("utf-8")
        except InvalidTag:
            raise BackendError("an encrypted field does not decrypt (wrong key or moved data)") from None

    def seal_blob(self, data: bytes, aad: str) -> bytes:
        if self._aead is None:
            return data
        nonce = secrets.token_bytes(_NONCE)
        return BLOB_MAGIC + nonce + self._aead.encrypt(nonce, data, aad.encode("ascii"))

    def open_blob(self, stored: bytes, aad: str) -> bytes:
        if not stored.startswith(BLOB_MAGIC):
            return stored
        if self._aead is None:
            raise BackendError("an encrypted blob cannot be read without the backend data key")
        body = stored[len(BLOB_MAGIC) :]
        try:
            return self._aead.decrypt(body[:_NONCE], body[_NONCE:], aad.encode("ascii"))
        except InvalidTag:
            raise BackendError("a blob does not decrypt (wrong key or damaged file)") from None
