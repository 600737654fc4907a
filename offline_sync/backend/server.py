"""Serving the backend over HTTPS with client-certificate authentication (uvicorn, ssl_cert_reqs).

uvicorn does not pass the peer certificate to the app, so a thin subclass of its h11 protocol reads the
verified certificate's common name from the TLS object when the connection is made and puts it in each
request's scope under `extensions["kiosk.tls"]`.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from offline_sync.backend.app import TLS_EXTENSION, IngestHook, build_app
from offline_sync.backend.db import BackendDB
from offline_sync.errors import BackendError

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


class ClientCertH11Protocol(H11Protocol):
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


def make_server(
    db: BackendDB,
    tls: TlsFiles,
    *,
    host: str = "127.0.0.1",
    port: int = 8443,
    log_level: str = "warning",
    after_ingest: Sequence[IngestHook] = (),
) -> uvicorn.Server:
    for path in (tls.cert, tls.key, tls.client_ca):
        if not Path(path).is_file():
            raise BackendError("TLS file not found", subject=str(path))
    config = uvicorn.Config(
        build_app(db, after_ingest=after_ingest),
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


def make_public_server(
    app: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    log_level: str = "warning",
    trusted_proxies: Sequence[str] = (),
) -> uvicorn.Server:
    """The public listener (status, staff console): plain HTTP behind the city's TLS reverse proxy.
    ``trusted_proxies``: the proxies whose X-Forwarded-For names the real client (the rate limit's key);
    from anyone else the header is ignored."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        proxy_headers=bool(trusted_proxies),
        forwarded_allow_ips=list(trusted_proxies) or [],
        server_header=False,
        access_log=False,
        lifespan="off",
        timeout_keep_alive=5,
        limit_concurrency=1000,
        h11_max_incomplete_event_size=64 * 1024,
    )
    return uvicorn.Server(config)
