"""The payment gateway's notice to the city backend: its body, its signature and the shared secret's file.

The gateway (a bank's IPN connector, or the simulated one in offline_sync.gateway_sim) signs the JSON body
with ``hex(HMAC-SHA256(secret, body))`` in the ``X-Gateway-Signature`` header; the backend
(backoffice.services.payments) checks it. Both sides read the secret from ``$KIOSK_GATEWAY_SECRET_FILE`` or
``<data>/gateway.secret`` (created 0600 on first use).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

SECRET_ENV = "KIOSK_GATEWAY_SECRET_FILE"  # noqa: S105 (a variable name, not a secret)
SIGNATURE_HEADER = "X-Gateway-Signature"


def sign_notice(secret: bytes, body: bytes) -> str:
    """The gateway's signature of a notify body."""
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def notice_body(txn_id: str, reference: str, amount_vnd: int, paid_at: datetime | None = None) -> bytes:
    """The JSON body of a gateway notice (what the simulated gateway sends)."""
    when = (paid_at or datetime.now(UTC)).isoformat()
    return json.dumps(
        {"txn_id": txn_id, "reference": reference, "amount_vnd": amount_vnd, "paid_at": when}
    ).encode()


def load_or_create_secret(data_dir: Path) -> bytes:
    """The gateway secret: ``$KIOSK_GATEWAY_SECRET_FILE``, else ``<data_dir>/gateway.secret`` (made 0600)."""
    path = Path(os.environ.get(SECRET_ENV) or Path(data_dir) / "gateway.secret")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_bytes().strip()
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
    return path.read_bytes().strip()
