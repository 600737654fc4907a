"""A virtual smart card for vsmartcard's virtual reader (vpcd): puts a simulated chip behind pcscd.

vpcd, the pcscd driver of vsmartcard, listens on a TCP port; a virtual card connects to it and is then
"in the field" of the reader ``Virtual PCD 00 0n`` until it disconnects. Every message either way is a
2-byte big-endian length and a payload. A 1-byte payload from vpcd is a control code (0 power off,
1 power on, 2 reset, 4 send the ATR, answered with the ATR); anything longer is a command APDU, answered
with the response APDU. Closing the connection is the card leaving the field.

:class:`VirtualCard` runs that loop on its own thread for any card with ``atr``, ``power_on()`` and
``process(apdu)``. ``remove_after`` closes the connection after so many APDUs: a card moved away mid-read.
"""

from __future__ import annotations

import logging
import socket
import struct
import threading
import time
from typing import Protocol

log = logging.getLogger(__name__)

VPCD_PORT = 35963
CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0, 1, 2, 4


class Card(Protocol):
    atr: bytes

    def power_on(self) -> None: ...
    def process(self, apdu: bytes) -> bytes: ...


_QUICKACK = getattr(socket, "TCP_QUICKACK", None)


def _read_exact(sock: socket.socket, size: int, *, quick_ack: bool = True) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        if quick_ack and _QUICKACK is not None:
            # vpcd writes the length and the APDU separately; without an immediate ACK of the first,
            # Nagle on its side and delayed ACK on ours cost ~40 ms per APDU.
            sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


class VirtualCard:
    """Connects ``card`` to vpcd at ``host:port`` and answers it until :meth:`remove` or the end."""

    def __init__(
        self,
        card: Card,
        *,
        host: str = "127.0.0.1",
        port: int = VPCD_PORT,
        remove_after: int | None = None,
        quick_ack: bool = True,
    ) -> None:
        self.card = card
        self.host, self.port = host, port
        self.remove_after = remove_after
        self.quick_ack = quick_ack
        self.apdus = 0
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def insert(self, timeout: float = 10.0) -> None:
        """Connect to vpcd (retrying while it starts) and serve on a background thread."""
        self._sock = self._connect(time.monotonic() + timeout)
        self._thread = threading.Thread(target=self._serve, args=(timeout,), name="vpicc", daemon=True)
        self._thread.start()

    def _connect(self, deadline: float) -> socket.socket:
        while True:
            try:
                sock = socket.create_connection((self.host, self.port), timeout=2.0)
                break
            except OSError:
                if time.monotonic() > deadline or self._stop.is_set():
                    raise
                time.sleep(0.05)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def remove(self) -> None:
        """Take the card out of the field."""
        self._stop.set()
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                log.debug("vpicc: shutdown of a closed socket")
            sock.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5.0)

    def _send(self, sock: socket.socket, payload: bytes) -> None:
        sock.sendall(struct.pack(">H", len(payload)) + payload)

    def _serve(self, timeout: float) -> None:
        # vpcd re-opens its listening socket after a card leaves, dropping a connection made in that
        # moment before it ever spoke: such a card is still on the reader, so it connects again.
        deadline = time.monotonic() + timeout
        while not self._stop.is_set():
            sock = self._sock
            if sock is None:
                return
            spoke = self._serve_connection(sock)
            if spoke or self._stop.is_set() or time.monotonic() > deadline:
                return
            time.sleep(0.05)
            try:
                self._sock = self._connect(deadline)
            except OSError:
                return

    def _serve_connection(self, sock: socket.socket) -> bool:
        """Answer vpcd on ``sock`` until it closes; True when vpcd sent anything."""
        spoke = False
        try:
            while not self._stop.is_set():
                header = _read_exact(sock, 2, quick_ack=self.quick_ack)
                if header is None:
                    break
                payload = _read_exact(sock, struct.unpack(">H", header)[0], quick_ack=self.quick_ack)
                if payload is None:
                    break
                spoke = True
                if len(payload) == 1:
                    code = payload[0]
                    if code in (CTRL_ON, CTRL_RESET):
                        self.card.power_on()
                    elif code == CTRL_ATR:
                        self._send(sock, bytes(self.card.atr))
                    continue
                if self.remove_after is not None and self.apdus >= self.remove_after:
                    break  # moved away: vpcd sees the connection drop
                self.apdus += 1
                self._send(sock, self.card.process(payload))
        except OSError as exc:
            if not self._stop.is_set():
                log.debug("vpicc: connection ended: %s", exc)
        finally:
            try:
                sock.close()
            except OSError:
                log.debug("vpicc: close failed")
        return spoke

    def __enter__(self) -> VirtualCard:
        self.insert()
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()
