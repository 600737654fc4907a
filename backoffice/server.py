"""Serving the backend over HTTPS with client-certificate authentication (uvicorn, ssl_cert_reqs).

uvicorn does not pass the peer certificate to the app, so a thin subclass of its h11 protocol reads the
verified certificate's common name from the TLS object when the connection is made and puts it in each
request's scope under `extensions["kiosk.tls"]`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h11
import uvicorn
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware
from uvicorn.protocols.http.h11_impl import H11Protocol

from backoffice.api.kiosk_app import TLS_EXTENSION, EmailSecretSink, IngestHook, RouteFactory, build_app
from backoffice.storage.db import BackendDB
from offline_sync.protocol.errors import BackendError

log = logging.getLogger(__name__)


def _peer_common_name(transport: asyncio.BaseTransport) -> str | None:
    ssl_object = transport.get_extra_info("ssl_object")
    cert = ssl_object.getpeercert() if ssl_object is not None else None
    if not cert:
        return None
    for rdn in cert.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return str(value)
    return None


class BoundedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with slowloris bounds (uvicorn has none while a request head or body is
    arriving): the request head must be complete ``head_timeout_s`` after the connection opened (or after
    the first byte of a kept-alive connection's next request); a body must not stall ``body_idle_s`` and
    must keep ``min_body_rate`` bytes/s on average after ``body_grace_s``. Otherwise the connection is
    closed, so a client that trickles bytes cannot hold the listener's connection slots."""

    head_timeout_s = 10.0
    body_idle_s = 15.0
    body_grace_s = 10.0
    min_body_rate = 4096.0
    tick_s = 0.5

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        now = time.monotonic()
        self._seen_cycle: object | None = None
        self._head_deadline: float | None = now + self.head_timeout_s
        self._body_start: float | None = None
        self._body_bytes = 0
        self._last_data = now
        self._watch: asyncio.TimerHandle | None = self.loop.call_later(self.tick_s, self._watchdog)

    def _waiting_for_head(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _note_cycle(self, now: float) -> None:
        if self.cycle is not None and self.cycle is not self._seen_cycle:  # a request head was parsed
            self._seen_cycle = self.cycle
            self._head_deadline = None
            self._body_start, self._body_bytes = now, 0

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        self._last_data = now
        if self._waiting_for_head():
            if self._head_deadline is None:
                self._head_deadline = now + self.head_timeout_s
        elif self._body_start is not None:
            self._body_bytes += len(data)
        super().data_received(data)
        self._note_cycle(now)

    def on_response_complete(self) -> None:
        self._body_start, self._head_deadline = None, None  # idle until the next byte: keep-alive's timer
        super().on_response_complete()
        self._note_cycle(time.monotonic())

    def _watchdog(self) -> None:
        self._watch = None
        if self.transport.is_closing():
            return
        now = time.monotonic()
        self._note_cycle(now)
        too_slow = False
        if self._waiting_for_head():
            too_slow = self._head_deadline is not None and now > self._head_deadline
        elif self.conn.their_state is h11.SEND_BODY and self._body_start is not None:
            if self.flow.read_paused:  # the app is behind, not the client: the client's clock stops
                self._last_data = now
                self._body_start += self.tick_s
            stalled = now - self._last_data > self.body_idle_s
            owed = self._body_start + self.body_grace_s + self._body_bytes / self.min_body_rate
            too_slow = stalled or now > owed
        if too_slow:
            log.info("closing a connection that sends its request too slowly (%s)", self.client)
            self.transport.close()
            return
        self._watch = self.loop.call_later(self.tick_s, self._watchdog)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        super().connection_lost(exc)


class ClientCertH11Protocol(BoundedH11Protocol):
    """uvicorn's h11 protocol, plus the client certificate's common name in every scope."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        common_name = _peer_common_name(transport)
        inner = self.app

        async def with_tls(scope: Any, receive: Any, send: Any) -> None:
            if scope.get("type") == "http":
                scope.setdefault("extensions", {})[TLS_EXTENSION] = {"client_cn": common_name}
            await inner(scope, receive, send)

        self.app = with_tls  # type: ignore[assignment]


@dataclass(frozen=True)
class TlsFiles:
    cert: Path
    key: Path
    client_ca: Path
    crl: Path | None = None  # the kiosk CA's revocation list (PEM): a leaked kiosk's certificate is refused


def make_server(
    db: BackendDB,
    tls: TlsFiles,
    *,
    host: str = "127.0.0.1",
    port: int = 8443,
    log_level: str = "warning",
    after_ingest: Sequence[IngestHook] = (),
    route_factories: Sequence[RouteFactory] = (),
    hold_email_secrets: EmailSecretSink | None = None,
) -> uvicorn.Server:
    for path in (tls.cert, tls.key, tls.client_ca, *([tls.crl] if tls.crl else [])):
        if not Path(path).is_file():
            raise BackendError("TLS file not found", subject=str(path))
    config = uvicorn.Config(
        build_app(
            db,
            after_ingest=after_ingest,
            route_factories=route_factories,
            hold_email_secrets=hold_email_secrets,
        ),
        host=host,
        port=port,
        http=ClientCertH11Protocol,
        ssl_certfile=str(tls.cert),
        ssl_keyfile=str(tls.key),
        ssl_ca_certs=str(tls.client_ca),
        ssl_cert_reqs=ssl.CERT_REQUIRED,
        log_level=log_level,
        access_log=False,
        lifespan="off",
        timeout_keep_alive=30,
        limit_concurrency=1000,
    )
    if tls.crl is not None:
        config.load()  # builds the SSL context now, so the revocation list can be added to it
        assert config.ssl is not None
        try:
            config.ssl.load_verify_locations(cafile=str(tls.crl))
        except ssl.SSLError as exc:
            raise BackendError(f"not a PEM revocation list: {exc}", subject=str(tls.crl)) from None
        config.ssl.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
    return uvicorn.Server(config)


class BackgroundServer:
    """The backend in a thread of this process (tests, the bench). `with BackgroundServer(...) as s:`."""

    def __init__(self, server: uvicorn.Server) -> None:
        self.server = server
        self._thread = threading.Thread(target=self._run, name="kiosk-backend", daemon=True)
        self._error: BaseException | None = None

    def _run(self) -> None:
        try:
            self.server.run()
        except BaseException as exc:
            self._error = exc

    def start(self, timeout: float = 30.0) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise BackendError(f"backend did not start: {self._error or 'timeout'}")
            self._thread.join(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(30)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class ForwardedForWarning:
    """Warns (once per address every ``every_s``) when a request carries X-Forwarded-For from an address
    that is not a trusted proxy. The header is ignored then, so every client behind that proxy shares its
    one address: the public rate limit and the retrieval and login throttles see them as one client
    (issue 24: the city's proxy without --trusted-proxy made 20 wrong secrets lock out every citizen)."""

    def __init__(self, app: Any, trusted: Sequence[str], every_s: float = 600.0) -> None:
        self.app, self.every_s = app, every_s
        self.trusted = [_network(entry) for entry in trusted]
        self._warned: dict[str, float] = {}
        self._lock = threading.Lock()

    def _is_trusted(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return any(net in ("*", host) for net in self.trusted)
        return any(
            net == "*" or (isinstance(net, ipaddress.IPv4Network | ipaddress.IPv6Network) and address in net)
            for net in self.trusted
        )

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") == "http":
            client = scope.get("client")
            host = str(client[0]) if client else ""
            forwarded = any(name.lower() == b"x-forwarded-for" for name, _ in scope.get("headers", ()))
            if forwarded and host and not self._is_trusted(host):
                self._warn(host)
        await self.app(scope, receive, send)

    def _warn(self, host: str) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._warned.get(host, -self.every_s) < self.every_s:
                return
            self._warned[host] = now
            if len(self._warned) > 10_000:
                self._warned.clear()
        log.warning(
            "requests from %s carry X-Forwarded-For, but %s is not a trusted proxy: the header is ignored "
            "and every client behind it counts as one address (rate limit, retrieval and login throttles). "
            "If it is the city's reverse proxy, start serve with --trusted-proxy %s",
            host,
            host,
            host,
        )


def _network(entry: str) -> Any:
    entry = entry.strip()
    if entry == "*":
        return "*"
    try:
        return ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return entry  # a host name or a unix socket path, compared as text


def make_public_server(
    app: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    log_level: str = "warning",
    trusted_proxies: Sequence[str] = (),
) -> uvicorn.Server:
    """The public listener (status, staff console): plain HTTP behind the city's TLS reverse proxy.
    ``trusted_proxies``: the proxies whose X-Forwarded-For names the real client (the rate limit's and the
    throttles' key); from anyone else the header is ignored, and serve warns (ForwardedForWarning)."""
    wrapped: Any = app
    if trusted_proxies:
        wrapped = ProxyHeadersMiddleware(wrapped, trusted_hosts=list(trusted_proxies))
    config = uvicorn.Config(
        ForwardedForWarning(wrapped, trusted_proxies),
        host=host,
        port=port,
        log_level=log_level,
        proxy_headers=False,  # applied above, inside the warning (which must see the proxy's own address)
        http=BoundedH11Protocol,
        server_header=False,
        access_log=False,
        lifespan="off",
        timeout_keep_alive=5,
        limit_concurrency=1000,
        h11_max_incomplete_event_size=64 * 1024,
    )
    return uvicorn.Server(config)
