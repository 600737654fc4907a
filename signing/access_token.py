"""The copy's QR access token: 128 random bits, printed in the QR's verify address (``?t=``) and nowhere
else; the kiosk keeps and uploads only its SHA-256. Light on purpose (no pyHanko): the certify pipeline
imports it at start-up."""

from __future__ import annotations

import base64
import hashlib
import secrets

ACCESS_TOKEN_BYTES = 16  # 128 bits


def new_access_token_bytes() -> bytes:
    return secrets.token_bytes(ACCESS_TOKEN_BYTES)


def token_text(raw: bytes) -> str:
    """The token as the verify address carries it: base32, lower case, no padding (26 characters)."""
    return base64.b32encode(raw).decode("ascii").rstrip("=").lower()


def new_access_token() -> str:
    return token_text(new_access_token_bytes())


def access_token_sha256(token: str) -> str:
    """Lowercase hex SHA-256 of the token string (UTF-8): all the kiosk and the city keep of it."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
