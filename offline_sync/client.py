"""The kiosk's HTTPS client for the city backend: mutual TLS, idempotent record uploads, heartbeats, logs.

It only talks and classifies; deciding what to retry and when is the worker's job. Every failure comes back
as a value (`Reply` with `status=None` and an `error` for transport faults), never as an exception, so a
dropped connection, a reset or a response cut halfway all take the same, tested path.
"""

from __future__ import annotations

import json
import logging
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    import httpx

from offline_sync.protocol import API_PREFIX
from offline_sync.protocol.backoff import parse_retry_after
from offline_sync.protocol.errors import BackendError

log = logging.getLogger(__name__)

OK, RETRY, DEAD = "ok", "retry", "dead"
# Longest a heartbeat or log-shipping request may block the worker's loop.
CONTROL_TIMEOUT_S = 10.0


def load_httpx() -> ModuleType:
    """httpx, loaded on the first request: with its command-line extras (click, rich, pygments) it costs
    ~160 ms of CPU, which `kiosk --help` and the attract screen, which make no request, should not pay."""
    import httpx  # heavy third-party library, loaded on first use (see above)

    return httpx


def classify(status: int | None) -> str:
    """What a status means for a record: ok, retry (transport fault, 408, 429, 5xx) or dead (other 4xx)."""
    if status is None:
        return RETRY
    if 200 <= status < 300:
        return OK
    if status in (408, 429) or status >= 500:
        return RETRY
    if 400 <= status < 500:
        return DEAD
    return RETRY  # 1xx/3xx are not answers this protocol gives: try again later


@dataclass(frozen=True)
class Reply:
    status: int | None
    body: Any
    error: str | None
    latency_ms: float
    retry_after: float | None = None
    sent_bytes: int = 0


@dataclass(frozen=True)
class ItemReply:
    code: str
    status: int | None
    replayed: bool
    error: str | None


def make_ssl_context(client_cert: Path, client_key: Path, ca_cert: Path) -> ssl.SSLContext:
    for path in (client_cert, client_key, ca_cert):
        if not Path(path).is_file():
            raise BackendError("TLS file for the sync link not found", subject=str(path))
    try:
        ctx = ssl.create_default_context(cafile=str(ca_cert))
        ctx.load_cert_chain(str(client_cert), str(client_key))
    except (ssl.SSLError, OSError) as exc:
        raise BackendError(f"cannot load the sync TLS files: {exc}", subject=str(client_cert)) from None
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


class BackendClient:
    def __init__(
        self,
        base_url: str,
        ssl_context: ssl.SSLContext,
        *,
        timeout: float = 30.0,
        max_connections: int = 8,
    ) -> None:
        httpx = load_httpx()
        if not base_url.startswith("https://"):
            raise BackendError("the backend URL must start with https://", subject=base_url or "(empty)")
        self.base_url = base_url.rstrip("/")
        self.control_timeout = min(timeout, CONTROL_TIMEOUT_S)
        self._http = httpx.Client(
            base_url=self.base_url,
            verify=ssl_context,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            headers={"User-Agent": "smart-kiosk-sync/1"},
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> BackendClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ transport

    def _post(
        self, path: str, body: bytes, headers: dict[str, str] | None = None, *, timeout: float | None = None
    ) -> Reply:
        httpx = load_httpx()
        started = time.monotonic()
        try:
            response = self._http.post(
                f"{API_PREFIX}{path}",
                content=body,
                headers={"Content-Type": "application/json", **(headers or {})},
                timeout=httpx.Timeout(timeout) if timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
            latency = (time.monotonic() - started) * 1000
        except httpx.HTTPError as exc:
            latency = (time.monotonic() - started) * 1000
            return Reply(None, None, f"{type(exc).__name__}: {exc}"[:300], latency, sent_bytes=len(body))
        try:
            payload = response.json()
        except ValueError:
            payload = None
        error = None
        if response.status_code >= 400:
            message = payload.get("error") if isinstance(payload, dict) else None
            error = f"HTTP {response.status_code}" + (f": {message}" if message else "")
        retry_after = None
        if response.status_code in (429, 503):
            retry_after = parse_retry_after(response.headers.get("retry-after"), response.headers.get("date"))
        return Reply(response.status_code, payload, error, latency, retry_after, sent_bytes=len(body))

    def get(self, path: str, params: dict[str, Any] | None = None) -> httpx.Response:
        return self._http.get(f"{API_PREFIX}{path}", params=params)

    # ------------------------------------------------------------------ lookup (check a copy, reprint)

    def lookup(self, code: str) -> dict[str, Any] | None:
        """The backend's index entry for a code (no personal data), or None if it does not know it."""
        response = self._get_checked(f"/records/{quote(code, safe='')}")
        if response is None:
            return None
        body = response.json()
        if not isinstance(body, dict):
            raise BackendError(
                "the backend answered the lookup with something other than an object", subject=code
            )
        return body

    def fetch_pdf(self, code: str) -> bytes | None:
        """The signed PDF of a code from the backend's blob storage (reprint after local retention)."""
        response = self._get_checked(f"/records/{quote(code, safe='')}/pdf")
        return None if response is None else response.content

    def _get_checked(self, path: str) -> httpx.Response | None:
        httpx = load_httpx()
        try:
            response = self._http.get(f"{API_PREFIX}{path}", timeout=httpx.Timeout(self.control_timeout))
        except httpx.HTTPError as exc:
            raise BackendError(
                f"cannot reach the backend: {type(exc).__name__}: {exc}", subject=self.base_url
            ) from None
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise BackendError(f"the backend answered {response.status_code}", subject=self.base_url)
        return response

    # ------------------------------------------------------------------ records

    def upload_record(self, code: str, record_json: bytes) -> tuple[Reply, ItemReply]:
        """POST one record with Idempotency-Key = its code."""
        reply = self._post("/records", record_json, {"Idempotency-Key": code})
        replayed = isinstance(reply.body, dict) and bool(reply.body.get("replayed"))
        if reply.status is not None and 200 <= reply.status < 300 and not _is_result_for(reply.body, code):
            # A 2xx without a well-formed answer (a proxy, a truncated body): not proof of storage.
            return reply, ItemReply(code, None, False, "2xx without a valid ingest result")
        return reply, ItemReply(code, reply.status, replayed, reply.error)

    def upload_batch(self, items: Sequence[tuple[str, bytes]]) -> tuple[Reply, list[ItemReply] | None]:
        """POST records together; each keeps its own idempotency key (its code) inside the batch.

        Returns per-record replies when the backend answered 200 with one result per record, else None
        (the caller treats the batch as one failed request, or falls back to single uploads on a 4xx).
        """
        body = b'{"records":[' + b",".join(js for _, js in items) + b"]}"
        reply = self._post("/records/batch", body)
        if reply.status != 200:
            return reply, None
        results = reply.body.get("results") if isinstance(reply.body, dict) else None
        if not isinstance(results, list) or len(results) != len(items):
            return Reply(None, None, "batch answer malformed", reply.latency_ms, sent_bytes=len(body)), None
        out = []
        for (code, _), result in zip(items, results, strict=True):
            if not _is_result_for(result, code):
                return Reply(None, None, "batch answer does not match the request", reply.latency_ms), None
            status = result.get("status")
            out.append(
                ItemReply(
                    code,
                    int(status) if isinstance(status, int) else None,
                    bool(result.get("replayed")),
                    result.get("error"),
                )
            )
        return reply, out

    # ------------------------------------------------------------------ heartbeats, logs

    # Heartbeats and log lines go out from the worker's own loop (the one that feeds the watchdog), so they
    # get a short timeout of their own; record uploads run in pool threads with the full timeout.
    def send_heartbeats(self, beats: Sequence[dict[str, Any]]) -> Reply:
        body = json.dumps({"heartbeats": list(beats)}, default=str).encode()
        return self._post("/heartbeats", body, timeout=self.control_timeout)

    def ship_logs(self, entries: Sequence[dict[str, Any]]) -> Reply:
        body = json.dumps({"entries": list(entries)}, ensure_ascii=False).encode()
        return self._post("/sync-logs", body, timeout=self.control_timeout)


def _is_result_for(body: Any, code: str) -> bool:
    return isinstance(body, dict) and body.get("code") == code and isinstance(body.get("status"), int)


# ---------------------------------------------------------------------- public status (no client certificate)

COPY_STATUSES = ("issued", "post_checked", "revoked")


def fetch_copy_status(public_url: str, code: str, *, timeout: float = 5.0) -> dict[str, Any] | None:
    """``{code, status, issued_at, doc_type, pages, revoked_reason}`` from the backend's public listener
    (``GET /api/public/copies/{code}``), None when the backend does not know the code. BackendError when it
    cannot be reached or answers something else (rate limited included)."""
    httpx = load_httpx()
    url = f"{public_url.rstrip('/')}/api/public/copies/{quote(code, safe='')}"
    try:
        response = httpx.get(url, timeout=timeout, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise BackendError(
            f"the status service cannot be reached ({type(exc).__name__})", subject=public_url
        ) from None
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise BackendError(f"the status service answered HTTP {response.status_code}", subject=public_url)
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or body.get("status") not in COPY_STATUSES:
        raise BackendError(
            "the status service answered something that is not a copy status", subject=public_url
        )
    return body


# ---------------------------------------------------------------------- issue 22: what `kiosk verify --online` asks

TOKEN_HEADER = "X-Copy-Token"  # noqa: S105 - a header name, not a secret


@dataclass(frozen=True)
class PublicAnswer:
    """One answer of the public listener: the HTTP status (None when it could not be reached) and body."""

    status: int | None
    body: Any
    error: str = ""


def _public_get(url: str, *, headers: dict[str, str] | None = None, timeout: float = 5.0) -> PublicAnswer:
    httpx = load_httpx()
    try:
        response = httpx.get(url, headers=headers or {}, timeout=timeout, follow_redirects=False)
    except httpx.HTTPError as exc:
        return PublicAnswer(None, None, f"the city cannot be reached ({type(exc).__name__})")
    try:
        body: Any = response.json()
    except ValueError:
        body = response.content
    return PublicAnswer(response.status_code, body)


def fetch_copy_facts(public_url: str, code: str, token: str, *, timeout: float = 5.0) -> PublicAnswer:
    """``GET /api/public/copies/{code}`` with the copy's access token: the city's facts of the copy (200),
    403 when the token does not open this code, 404 when the city does not know it."""
    url = f"{public_url.rstrip('/')}/api/public/copies/{quote(code, safe='')}"
    return _public_get(url, headers={TOKEN_HEADER: token} if token else None, timeout=timeout)


def fetch_kiosk_revocations(public_url: str, *, timeout: float = 5.0) -> PublicAnswer:
    """``GET /api/public/kiosk-revocations``: the city's current signed list (bytes, checked by the caller)."""
    httpx = load_httpx()
    try:
        response = httpx.get(f"{public_url.rstrip('/')}/api/public/kiosk-revocations", timeout=timeout)
    except httpx.HTTPError as exc:
        return PublicAnswer(None, None, f"the city cannot be reached ({type(exc).__name__})")
    return PublicAnswer(response.status_code, response.content)


def renew_seal_certificate(client: BackendClient, csr_pem: str) -> str:
    """``POST /v1/seal-certificate`` over the kiosk's mTLS link: the city's new seal certificate (PEM) for
    the key of ``csr_pem``; BackendError with the city's reason when it refuses or cannot be reached."""
    reply = client._post(
        "/seal-certificate", json.dumps({"csr": csr_pem}).encode(), timeout=client.control_timeout
    )
    if reply.status is None:
        raise BackendError(f"cannot reach the backend: {reply.error}", subject=client.base_url)
    cert = reply.body.get("certificate") if isinstance(reply.body, dict) else None
    if reply.status != 201 or not isinstance(cert, str):
        raise BackendError(
            f"the city refused the renewal: {reply.error or reply.status}", subject=client.base_url
        )
    return cert
