"""The wires an ESC/POS printer is on: a serial port, a TCP socket (port 9100), or a USB printer device.

A transport moves bytes and nothing else; `drivers.escpos.EscposPrinter` speaks ESC/POS over any of them.
Each raises only `TransportError` (the other end is gone: unplugged, refused, closed) or
`TransportTimeout` (the printer does not take data), and is opened again on the next call after a loss.
"""

from __future__ import annotations

import errno
import os
import select
import socket
import termios
import time
from pathlib import Path
from typing import Protocol

import serial


class TransportError(Exception):
    """The printer cannot be reached over this transport (the message says where and why)."""


class TransportTimeout(TransportError):
    """The printer is there but does not take data in time (offline, paper jam, buffer full)."""


class Transport(Protocol):
    """A byte pipe to the printer. `read` returns what arrived within the reply timeout, maybe nothing."""

    def describe(self) -> str: ...  # for the log and the status line, e.g. "/dev/ttyUSB0"
    def present(self) -> bool: ...  # whether the far end can exist at all (a device node, a set host)
    def write(self, data: bytes) -> None: ...
    def read(self, count: int) -> bytes: ...
    def discard_input(self) -> None: ...
    def close(self) -> None: ...


# What a vanished serial port raises: pyserial's own errors, OS errors, and termios errors on tcflush.
_PORT_ERRORS = (serial.SerialException, OSError, termios.error)


class SerialTransport:
    """RS-232, USB-serial, or a pty in the tests; also pyserial URLs (socket://, rfc2217://, loop://)."""

    def __init__(
        self, port: str, *, baudrate: int = 19200, reply_timeout: float = 0.5, write_timeout: float = 30.0
    ) -> None:
        self.port = port
        self.baudrate = baudrate
        self.reply_timeout = reply_timeout
        self.write_timeout = write_timeout
        self._serial: serial.Serial | None = None

    def describe(self) -> str:
        return self.port

    def present(self) -> bool:
        return bool(self.port) and (
            self.port.startswith(("socket://", "rfc2217://", "loop://")) or Path(self.port).exists()
        )

    def _open(self) -> serial.Serial:
        if self._serial is not None and self._serial.is_open:
            return self._serial
        try:
            self._serial = serial.serial_for_url(
                self.port,
                baudrate=self.baudrate,
                timeout=self.reply_timeout,
                write_timeout=self.write_timeout,
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            raise TransportError(f"{self.port}: {exc}") from exc
        return self._serial

    def write(self, data: bytes) -> None:
        port = self._open()
        try:
            port.write(data)
            port.flush()
        except serial.SerialTimeoutException as exc:
            raise TransportTimeout(f"{self.port}: write timed out") from exc
        except _PORT_ERRORS as exc:
            self.close()
            raise TransportError(f"{self.port}: write: {exc}") from exc

    def read(self, count: int) -> bytes:
        port = self._open()
        try:
            return bytes(port.read(count))
        except _PORT_ERRORS as exc:
            self.close()
            raise TransportError(f"{self.port}: read: {exc}") from exc

    def discard_input(self) -> None:
        port = self._open()
        try:
            port.reset_input_buffer()
        except _PORT_ERRORS as exc:
            self.close()
            raise TransportError(f"{self.port}: flush: {exc}") from exc

    def close(self) -> None:
        if self._serial is not None:
            try:
                self._serial.close()
            except _PORT_ERRORS:
                pass
        self._serial = None


class NetworkTransport:
    """A network receipt printer: raw TCP to its port (9100 on Epson, Star and most others)."""

    def __init__(
        self, host: str, port: int = 9100, *, reply_timeout: float = 0.5, write_timeout: float = 30.0
    ) -> None:
        self.host, self.port = host, port
        self.reply_timeout = reply_timeout
        self.write_timeout = write_timeout
        self._socket: socket.socket | None = None

    def describe(self) -> str:
        return f"{self.host}:{self.port}"

    def present(self) -> bool:
        return bool(self.host)

    def _open(self) -> socket.socket:
        if self._socket is not None:
            return self._socket
        try:
            self._socket = socket.create_connection((self.host, self.port), timeout=self.write_timeout)
        except OSError as exc:
            raise TransportError(f"{self.describe()}: {exc.strerror or exc}") from exc
        return self._socket

    def write(self, data: bytes) -> None:
        sock = self._open()
        try:
            sock.settimeout(self.write_timeout)
            sock.sendall(data)
        except TimeoutError as exc:
            raise TransportTimeout(f"{self.describe()}: write timed out") from exc
        except OSError as exc:
            self.close()
            raise TransportError(f"{self.describe()}: write: {exc.strerror or exc}") from exc

    def read(self, count: int) -> bytes:
        sock = self._open()
        try:
            sock.settimeout(self.reply_timeout)
            data = sock.recv(count)
        except TimeoutError:
            return b""
        except OSError as exc:
            self.close()
            raise TransportError(f"{self.describe()}: read: {exc.strerror or exc}") from exc
        if not data:  # the printer closed the connection
            self.close()
            raise TransportError(f"{self.describe()}: connection closed by the printer")
        return data

    def discard_input(self) -> None:
        sock = self._open()
        sock.setblocking(False)
        try:
            while sock.recv(256):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        except OSError as exc:
            self.close()
            raise TransportError(f"{self.describe()}: {exc.strerror or exc}") from exc
        finally:
            if self._socket is not None:
                self._socket.setblocking(True)

    def close(self) -> None:
        if self._socket is not None:
            try:
                self._socket.close()
            except OSError:
                pass
        self._socket = None


class UsbTransport:
    """A USB printer-class device (the kernel's usblp: /dev/usb/lp0), read back on its bidirectional channel."""

    def __init__(
        self, device: str = "/dev/usb/lp0", *, reply_timeout: float = 0.5, write_timeout: float = 30.0
    ):
        self.device = device
        self.reply_timeout = reply_timeout
        self.write_timeout = write_timeout
        self._fd: int | None = None

    def describe(self) -> str:
        return self.device

    def present(self) -> bool:
        return bool(self.device) and Path(self.device).exists()

    def _open(self) -> int:
        if self._fd is not None:
            return self._fd
        try:
            self._fd = os.open(self.device, os.O_RDWR | os.O_NONBLOCK | os.O_NOCTTY)
        except OSError as exc:
            raise TransportError(f"{self.device}: {exc.strerror or exc}") from exc
        return self._fd

    def write(self, data: bytes) -> None:
        fd = self._open()
        view = memoryview(data)
        deadline = time.monotonic() + self.write_timeout
        try:
            while view:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TransportTimeout(f"{self.device}: write timed out")
                _, ready, _ = select.select([], [fd], [], left)
                if not ready:
                    continue
                try:
                    view = view[os.write(fd, view) :]
                except BlockingIOError:
                    continue
        except TransportTimeout:
            raise
        except OSError as exc:
            self.close()
            raise TransportError(f"{self.device}: write: {exc.strerror or exc}") from exc

    def read(self, count: int) -> bytes:
        fd = self._open()
        try:
            ready, _, _ = select.select([fd], [], [], self.reply_timeout)
            if not ready:
                return b""
            return os.read(fd, count)
        except BlockingIOError:
            return b""
        except OSError as exc:
            if exc.errno == errno.EAGAIN:
                return b""
            self.close()
            raise TransportError(f"{self.device}: read: {exc.strerror or exc}") from exc

    def discard_input(self) -> None:
        fd = self._open()
        try:
            while select.select([fd], [], [], 0)[0] and os.read(fd, 256):
                pass
        except BlockingIOError:
            pass
        except OSError as exc:
            self.close()
            raise TransportError(f"{self.device}: {exc.strerror or exc}") from exc

    def close(self) -> None:
        if self._fd is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass
        self._fd = None
