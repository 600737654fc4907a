"""The kiosk's side of the payment and staff-call endpoints (backoffice/services/payments.py and
staff_calls.py), over the same mutual-TLS :class:`~offline_sync.client.BackendClient` as the sync worker.

Unlike record uploads, these are interactive: a citizen is waiting. So each call is short (the client's
control timeout) and raises instead of queueing: :class:`~offline_sync.protocol.errors.BackendError` (exit 3) when
the backend cannot be reached or fails, :class:`BackendRefused` (a 4xx, with the backend's message) when it
said no.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from offline_sync.client import BackendClient, load_httpx
from offline_sync.protocol import API_PREFIX
from offline_sync.protocol.errors import BackendError


class BackendRefused(BackendError):
    """The backend answered 4xx: the request is wrong or not allowed (not worth retrying as is)."""

    exit_code = 2

    def __init__(self, message: str, *, status: int, subject: str = "") -> None:
        super().__init__(message, subject=subject)
        self.status = status


class KioskApiClient:
    """Payments and staff calls for this kiosk (the kiosk is whoever the client certificate names)."""

    def __init__(self, client: BackendClient) -> None:
        self.client = client

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        httpx = load_httpx()
        http = self.client._http
        try:
            response = http.request(
                method,
                f"{API_PREFIX}{path}",
                content=json.dumps(body).encode() if body is not None else None,
                headers={"Content-Type": "application/json"} if body is not None else None,
                timeout=httpx.Timeout(self.client.control_timeout),
            )
        except httpx.HTTPError as exc:
            raise BackendError(
                f"cannot reach the backend: {type(exc).__name__}: {exc}"[:300], subject=self.client.base_url
            ) from None
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if 400 <= response.status_code < 500:
            message = payload.get("error") if isinstance(payload, dict) else None
            raise BackendRefused(
                f"the backend refused {method} {path}: {message or response.status_code}",
                status=response.status_code,
                subject=path,
            )
        if response.status_code >= 300 or not isinstance(payload, dict):
            raise BackendError(
                f"the backend answered {response.status_code} to {method} {path}",
                subject=self.client.base_url,
            )
        return payload

    # -- issue 25: the copy's facts, for the kiosk's "check a copy" screen --------------------------------
    def copy_facts(self, code: str) -> dict[str, Any] | None:
        """``GET /v1/copies/{code}/facts`` over the kiosk's mTLS client: status, public revoke reason and
        the facts a verifier compares (no personal data); None when the city does not know the code."""
        try:
            return self._request("GET", f"/copies/{quote(code, safe='')}/facts")
        except BackendRefused as exc:
            if exc.status == 404:
                return None
            raise

    # -- payments ----------------------------------------------------------------------------------------
    def open_payment(self, reference: str, amount_vnd: int) -> dict[str, Any]:
        return self._request("POST", "/payments", {"reference": reference, "amount_vnd": amount_vnd})

    def payment(self, reference: str) -> dict[str, Any]:
        return self._request("GET", f"/payments/{quote(reference, safe='')}")

    def choose_cash(self, reference: str) -> dict[str, Any]:
        return self._request("POST", f"/payments/{quote(reference, safe='')}/cash", {})

    def cancel_payment(self, reference: str) -> dict[str, Any]:
        return self._request("POST", f"/payments/{quote(reference, safe='')}/cancel", {})

    # -- reprint ---------------------------------------------------------------------------------------
    def holder_matches(self, code: str, holder_id: str) -> bool | None:
        """Whether ``holder_id`` is the holder of this kiosk's copy ``code``; None for an unknown code."""
        try:
            answer = self._request(
                "POST", f"/records/{quote(code, safe='')}/holder-check", {"holder_id": holder_id}
            )
        except BackendRefused as exc:
            if exc.status == 404:
                return None
            raise
        return answer.get("holder") is True

    # -- staff calls -------------------------------------------------------------------------------------
    def raise_staff_call(self, call_id: str, reason: str, visit_ref: str = "") -> dict[str, Any]:
        return self._request(
            "POST", "/staff-calls", {"call_id": call_id, "reason": reason, "visit_ref": visit_ref}
        )

    def cancel_staff_call(self, call_id: str) -> dict[str, Any]:
        return self._request("POST", f"/staff-calls/{quote(call_id, safe='')}/cancel", {})

    def staff_calls(self, status: str | None = None) -> list[dict[str, Any]]:
        path = "/staff-calls" + (f"?status={quote(status)}" if status else "")
        return list(self._request("GET", path).get("calls", []))
