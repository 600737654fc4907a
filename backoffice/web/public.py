"""The public listener: plain HTTP (TLS comes from the city's reverse proxy), no client certificate.

* ``GET /api/public/copies/{code}``: ``{code, status, issued_at, doc_type, pages, revoked_reason}``, where
  status is ``issued``, ``post_checked`` or ``revoked``. No personal data, no kiosk, no officer.
* ``GET /v/{code}``: the same for a person, in Vietnamese (``?lang=en`` for English).
* The staff console (login, post-check) from console.py.

Every request spends a token from its client's bucket (per IP, token bucket), so codes cannot be
enumerated quickly; status lookups have their own, smaller bucket. An empty bucket answers 429 with
Retry-After.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from backoffice.services.postcheck import Approver, public_status
from backoffice.storage.db import BackendDB
from backoffice.web.common import SECURITY_HEADERS, Web
from backoffice.web.console import console_routes

PUBLIC_PREFIX = "/api/public"
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class RateLimit:
    """Tokens per second and bucket size, for status lookups and for every other request."""

    lookup_rate: float = 1.0
    lookup_burst: int = 20
    page_rate: float = 20.0
    page_burst: int = 200
    max_clients: int = 100_000


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
        self.pages = TokenBuckets(limit.page_rate, limit.page_burst, limit.max_clients)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        ip = str(client[0]) if client else "?"
        path = str(scope.get("path", ""))
        lookup = path.startswith((PUBLIC_PREFIX + "/", "/v/"))
        wait = (self.lookups if lookup else self.pages).take(ip)
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
) -> Starlette:
    """The public listener's app. ``extra_routes``: more pages on the same listener (issue 17's /ops)."""
    web = Web(db, secure_cookies=secure_cookies)

    async def status_json(request: Request) -> Response:
        code = str(request.path_params["code"]).strip().upper()
        if not _CODE.fullmatch(code):
            return JSONResponse({"error": "not a copy code"}, status_code=400)
        found = await run_in_threadpool(public_status, db, code)
        if found is None:
            return JSONResponse({"error": f"no copy with code {code}"}, status_code=404)
        return JSONResponse(found, headers={"Cache-Control": "no-store"})

    async def status_page(request: Request) -> Response:
        code = str(request.path_params["code"]).strip().upper()
        found = await run_in_threadpool(public_status, db, code) if _CODE.fullmatch(code) else None
        return web.render(request, "status.html", 200 if found else 404, code=code, copy=found)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"ok": True})

    routes: list[BaseRoute] = [
        Route(PUBLIC_PREFIX + "/copies/{code}", status_json, methods=["GET"]),
        Route("/v/{code}", status_page, methods=["GET"]),
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
