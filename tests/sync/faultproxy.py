"""A fault-injecting HTTPS proxy on loopback between the kiosk and the backend.

It terminates the kiosk's mTLS (server certificate from the dev CA, client certificate required), reads
each HTTP/1.1 request, and for each one picks a fault with a seeded RNG:

    pass          forward and relay the answer
    drop_before   close the connection before the backend sees the request
    drop_after    forward (the backend stores it!) then close without an answer
    cut_response  forward, relay half of the answer's bytes, close
    delay         forward, hold the answer past the client's read timeout, then close
    slow          forward, hold the answer a little, relay it
    error_500     answer 500 without forwarding
    error_503     answer 503 with Retry-After: 0 without forwarding
    error_after   forward (stored!) but answer 500
    too_many      answer 429 with Retry-After: 0

The proxy talks to the backend over mTLS with the kiosk's own client certificate.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import ssl
import threading
from collections import Counter
from pathlib import Path

FAULTS = (
    "drop_before",
    "drop_after",
    "cut_response",
    "delay",
    "slow",
    "error_500",
    "error_503",
    "error_after",
    "too_many",
)


class FaultProxy:
    def __init__(
        self,
        *,
        upstream_port: int,
        server_cert: Path,
        server_key: Path,
        ca_cert: Path,
        client_cert: Path,
        client_key: Path,
        fault_rate: float = 0.5,
        seed: int = 0,
        delay_s: float = 1.5,
    ) -> None:
        self.upstream_port = upstream_port
        self.fault_rate = fault_rate
        self.delay_s = delay_s
        self.rng = random.Random(seed)
        self.counts: Counter[str] = Counter()
        self._server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(ca_cert))
        self._server_ctx.load_cert_chain(str(server_cert), str(server_key))
        self._server_ctx.verify_mode = ssl.CERT_REQUIRED
        self._client_ctx = ssl.create_default_context(cafile=str(ca_cert))
        self._client_ctx.load_cert_chain(str(client_cert), str(client_key))
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fault-proxy", daemon=True)
        self._server: asyncio.Server | None = None
        self.port = 0
        self.enabled = True
        self.script: list[str] = []  # faults to inject first, in order, before the random ones
        self.retry_after = "0"

    @property
    def faults_injected(self) -> int:
        return sum(n for name, n in self.counts.items() if name != "pass")

    def start(self) -> FaultProxy:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        future.result(10)
        return self

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=self._server_ctx)
        self.port = self._server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
            current = asyncio.current_task()
            tasks = [t for t in asyncio.all_tasks() if t is not current]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if self._server is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self._server.wait_closed(), 2)

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        if not self._thread.is_alive():
            self._loop.close()

    def _pick(self) -> str:
        if self.script:
            return self.script.pop(0)
        if not self.enabled or self.rng.random() >= self.fault_rate:
            return "pass"
        return self.rng.choice(FAULTS)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await _read_message(reader)
                if request is None:
                    return
                fault = self._pick()
                self.counts[fault] += 1
                if fault == "drop_before":
                    return
                if fault in ("error_500", "error_503", "too_many"):
                    status = {"error_500": 500, "error_503": 503, "too_many": 429}[fault]
                    writer.write(_canned(status, self.retry_after))
                    await writer.drain()
                    continue
                response = await self._forward(request)
                if response is None or fault == "drop_after":
                    return
                if fault == "cut_response":
                    writer.write(response[: len(response) // 2])
                    await writer.drain()
                    return
                if fault == "delay":
                    await asyncio.sleep(self.delay_s)
                    return
                if fault == "slow":
                    await asyncio.sleep(self.rng.uniform(0.01, 0.1))
                if fault == "error_after":
                    writer.write(_canned(500))
                else:
                    writer.write(response)
                await writer.drain()
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError, OSError):
            return
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _forward(self, request: bytes) -> bytes | None:
        try:
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", self.upstream_port, ssl=self._client_ctx, server_hostname="127.0.0.1"
            )
        except OSError:
            return None
        try:
            writer.write(request)
            await writer.drain()
            return await _read_message(reader)
        finally:
            writer.close()


async def _read_message(reader: asyncio.StreamReader) -> bytes | None:
    """One HTTP/1.1 message (head + Content-Length body) as raw bytes, or None at end of stream."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    body = await reader.readexactly(length) if length else b""
    return head + body


def _canned(status: int, retry_after: str = "0") -> bytes:
    reason = {500: "Internal Server Error", 503: "Service Unavailable", 429: "Too Many Requests"}[status]
    body = b'{"error":"injected by the fault proxy"}'
    retry = f"Retry-After: {retry_after}\r\n".encode() if status in (429, 503) else b""
    return (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n".encode()
        + retry
        + b"\r\n"
        + body
    )
