"""A simulated payment gateway: what a bank's notification (IPN) does, for the demo and the tests.

It reads the VietQR the kiosk shows (as the citizen's bank app would), checks that it pays the configured
beneficiary account, and notifies the city backend that the amount arrived, signed with the gateway's
shared secret (see :mod:`offline_sync.protocol.payment_notice`). A real bank cannot run here; this is the part
that stands in for it, and it goes through the same backend endpoint a real connector would.
"""

from __future__ import annotations

import secrets
import ssl
from dataclasses import dataclass
from typing import Any

from offline_sync.client import load_httpx
from offline_sync.protocol import API_PREFIX
from offline_sync.protocol.errors import BackendError
from offline_sync.protocol.payment_notice import SIGNATURE_HEADER, notice_body, sign_notice
from offline_sync.vietqr import VietQR, VietQRError


@dataclass(frozen=True)
class GatewayReceipt:
    txn_id: str
    reference: str
    amount_vnd: int
    outcome: str


class SimulatedGateway:
    def __init__(
        self,
        base_url: str,
        ssl_context: ssl.SSLContext,
        secret: bytes,
        *,
        bank_bin: str,
        account: str,
        timeout: float = 10.0,
    ) -> None:
        self.secret = secret
        self.bank_bin = bank_bin
        self.account = account
        self._http = load_httpx().Client(base_url=base_url.rstrip("/"), verify=ssl_context, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SimulatedGateway:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def pay(self, qr_payload: str, *, amount_vnd: int | None = None) -> GatewayReceipt:
        """Pay what the QR asks (or ``amount_vnd``, to simulate a wrong transfer) and notify the backend.

        Raises VietQRError for a QR that is not a VietQR to this gateway's account, BackendError when the
        backend refuses or cannot be reached."""
        qr = VietQR.decode(qr_payload)
        if (qr.bank_bin, qr.account) != (self.bank_bin, self.account):
            raise VietQRError(f"the QR pays {qr.bank_bin}/{qr.account}, not this gateway's account")
        if not qr.purpose:
            raise VietQRError("the QR carries no payment reference (62.08)")
        amount = amount_vnd if amount_vnd is not None else qr.amount_vnd
        if amount is None:
            raise VietQRError("a static QR: the amount must be given")
        txn = f"SIM{secrets.token_hex(8).upper()}"
        body = notice_body(txn, qr.purpose, amount)
        answer = self._notify(body)
        return GatewayReceipt(txn, qr.purpose, amount, str(answer.get("outcome", "")))

    def _notify(self, body: bytes) -> dict[str, Any]:
        httpx = load_httpx()
        try:
            response = self._http.post(
                f"{API_PREFIX}/payments/gateway/notify",
                content=body,
                headers={
                    "Content-Type": "application/json",
                    SIGNATURE_HEADER: sign_notice(self.secret, body),
                },
            )
        except httpx.HTTPError as exc:
            raise BackendError(f"gateway cannot reach the backend: {exc}") from None
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        if response.status_code != 200:
            raise BackendError(
                f"the backend refused the payment notice: {payload.get('error', response.status_code)}"
            )
        return payload if isinstance(payload, dict) else {}
