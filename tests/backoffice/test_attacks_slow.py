"""Slowloris against both listeners (a real uvicorn on loopback): a request head that never completes, a
body that trickles, and a connection that opens and says nothing are all closed within the bounds of
server.BoundedH11Protocol (shrunk here so the test is quick); a normal request still works."""

from __future__ import annotations

import socket
import ssl
import time

import pytest

from backoffice.server import BoundedH11Protocol
from tests.backoffice.city import CityOffice

SLOW = {
    "partial head": b"GET /login HTTP/1.1\r\nHost: x\r\nX-Slow: ",
    "trickled body": b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    b"Content-Length: 1000\r\n\r\nusername=",
    "nothing at all": b"",
}


@pytest.fixture
def quick_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(BoundedH11Protocol, "head_timeout_s", 1.0)
    monkeypatch.setattr(BoundedH11Protocol, "body_idle_s", 1.0)
    monkeypatch.setattr(BoundedH11Protocol, "body_grace_s", 1.0)
    monkeypatch.setattr(BoundedH11Protocol, "tick_s", 0.2)


def _closed_within(sock: socket.socket, first: bytes, seconds: float) -> float | None:
    """Sends ``first``, then one byte a second; the seconds until the server closed, or None."""
    start = time.monotonic()
    if first:
        sock.sendall(first)
    sock.settimeout(1.0)
    while time.monotonic() - start < seconds:
        try:
            if sock.recv(4096) == b"":
                return time.monotonic() - start
        except TimeoutError:
            pass
        except (ConnectionError, ssl.SSLError):
            return time.monotonic() - start
        try:
            if first:
                sock.sendall(b"a")  # keep trickling: never complete
        except (ConnectionError, ssl.SSLError):
            return time.monotonic() - start
    return None


@pytest.mark.usefixtures("quick_bounds")
def test_slow_clients_are_cut_off_on_the_public_listener(pki, kiosks, tmp_path) -> None:  # type: ignore[no-untyped-def]
    office = CityOffice(pki, kiosks, tmp_path / "b").start()
    try:
        for label, first in SLOW.items():
            with socket.create_connection(("127.0.0.1", office.public_port), timeout=5) as sock:
                took = _closed_within(sock, first, 8.0)
            assert took is not None, f"{label}: still open after 8 s"
        with socket.create_connection(("127.0.0.1", office.public_port), timeout=5) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert sock.recv(100).startswith(b"HTTP/1.1 200")
    finally:
        office.stop()


@pytest.mark.usefixtures("quick_bounds")
def test_slow_clients_are_cut_off_on_the_mtls_listener(pki, kiosks, tmp_path) -> None:  # type: ignore[no-untyped-def]
    office = CityOffice(pki, kiosks, tmp_path / "b").start()
    try:
        context = office.pki.ssl_context("HN-001")
        for label, head in SLOW.items():
            with (
                socket.create_connection(("127.0.0.1", office.port), timeout=5) as raw,
                context.wrap_socket(raw, server_hostname="127.0.0.1") as sock,
            ):
                took = _closed_within(sock, head.replace(b"/login", b"/v1/heartbeats"), 8.0)
            assert took is not None, f"{label}: still open after 8 s"
        with office.kiosk("HN-001") as client:
            assert client.get("/healthz").status_code == 200
    finally:
        office.stop()
