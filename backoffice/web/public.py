"""The public listener: plain HTTP (TLS comes from the city's reverse proxy), no client certificate.

* ``GET /api/public/copies/{code}``: ``{code, status}`` (``issued``, ``post_checked`` or ``revoked``) and
  nothing more; with the copy's access token the facts a verifier compares (copy_view.py, issue 22).
* ``GET /v/{code}``: the same for a person, in Vietnamese (``?lang=en`` for English); with ``?t=TOKEN``
  (the printed QR's link) the sealed fields and the issued pages. ``/check``: the verify page for phones.
* ``GET /api/public/kiosk-revocations``: the signed list of revoked kiosk seal keys.
* The staff console (login, post-check) from console.py.

Every request spends a token from its client's bucket (per IP, token bucket), so codes cannot be
enumerated quickly; status lookups have their own, smaller bucket, and so does the client's network
(an IPv4 /24 or IPv6 /64), so spreading a sweep over neighbouring addresses does not multiply it. An empty
bucket answers 429 with Retry-After. Wrong access tokens are throttled and audited on their own
(access_tokens.TokenBook).
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from backoffice.services.access_tokens import TokenBook, TokenLimits
from backoffice.services.postcheck import Approver
from backoffice.storage.db import BackendDB
from backoffice.web.check_page import check_routes
from backoffice.web.common import SECURITY_HEADERS, Web
from backoffice.web.console import console_routes
from backoffice.web.copy_view import PUBLIC_PREFIX, copy_view_routes


@dataclass(frozen=True)
class RateLimit:
    """Tokens per second and bucket size, for status lookups (per address and per network) and for every
    other request. A lookup a minute per address after a burst of 20: a sweep over the sequential codes
    gets 60 an hour from one address, 240 from its whole /24 or /64."""

    lookup_rate: float = 1 / 60
    lookup_burst: int = 20
    network_lookup_rate: float = 4 / 60
    network_lookup_burst: int = 60
    page_rate: float = 20.0
    page_burst: int = 200
    max_clients: int = 100_000


def network_of(ip: str) -> str:
    """The client's network for the rate limit: its IPv4 /24 or IPv6 /64 (the address itself otherwise)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


class TokenBuckets:
    """One token bucket per key, the least recently seen keys forgotten past ``max_keys``."""

    def __init__(self, rate: float, burst: int, max_keys: int) -> None:
        self.rate, self.burst, self.max_keys = rate, burst, max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float:
        """0 when a token was taken; else the seconds until the next token."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.rate
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        return wait


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, limit: RateLimit) -> None:
        self.app = app
        self.lookups = TokenBuckets(limit.lookup_rate, limit.lookup_burst, limit.max_clients)
        self.networks = TokenBuckets(limit.network_lookup_rate, limit.network_lookup_burst, limit.max_clients)
        self.pages = TokenBuckets(limit.page_rate, limit.page_burst, limit.max_clients)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        ip = str(client[0]) if client else "?"
        path = str(scope.get("path", ""))
        # A copy's status or facts, or its page; a page image of /v/{code} (a token holder's) is a page.
        lookup = (
            path.startswith((PUBLIC_PREFIX + "/copies/", "/v/", "/check/verdict")) and "/pages/" not in path
        )
        wait = (self.lookups if lookup else self.pages).take(ip)
        if lookup and wait <= 0:
            wait = self.networks.take(network_of(ip))
        if wait > 0:
            retry = str(max(1, math.ceil(wait)))
            response = JSONResponse(
                {"error": "too many requests; slow down"}, status_code=429, headers={"Retry-After": retry}
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class SecurityHeadersMiddleware:
    """Every answer of the public listener gets SECURITY_HEADERS unless it set its own value of one
    (a stylesheet's Cache-Control, the retrieval page's script-src): redirects, 404s, 429s and JSON too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.defaults = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def hardened(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in self.defaults if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, hardened)


def build_public_app(
    db: BackendDB,
    *,
    approver: Approver | None = None,
    rate: RateLimit | None = None,
    secure_cookies: bool = True,
    extra_routes: Sequence[BaseRoute] = (),
    token_limits: TokenLimits | None = None,
    revocation_list: Path | None = None,
    vendor_dir: Path | None = None,
) -> Starlette:
    """The public listener's app. ``extra_routes``: more pages on the same listener (issue 17's /ops).
    ``revocation_list``: the published kiosk revocation list (DATA/kiosk-revocations.pem);
    ``vendor_dir``: where the setup installed the npm QR decoder (check_page.py)."""
    web = Web(db, secure_cookies=secure_cookies)
    tokens = TokenBook(db, token_limits or TokenLimits())

    async def healthz(request: Request) -> Response:
        return JSONResponse({"ok": True})

    routes: list[BaseRoute] = [
        *copy_view_routes(web, tokens, revocation_list=revocation_list),
        *check_routes(web, tokens, vendor_dir=vendor_dir),
        Route("/healthz", healthz, methods=["GET"]),
        *console_routes(web, approver),
        *extra_routes,
    ]
    app = Starlette(routes=routes)
    app.state.web = web

    async def not_found(request: Request, exc: Any) -> Response:
        return JSONResponse({"error": "not found"}, status_code=404, headers=SECURITY_HEADERS)

    app.add_exception_handler(404, not_found)
    app.add_middleware(RateLimitMiddleware, limit=rate or RateLimit())
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: the rate limit's 429 is hardened too
    return app
