"""A minimal IPP/1.1 client for CUPS status: printer and job attributes, and cancelling a job.

`lp` submits the jobs; this asks the scheduler precisely what became of them (job-state 9 completed vs 8
aborted vs 7 cancelled, which `lpstat` cannot tell apart) and why a printer is stopped
(printer-state-reasons such as ``media-empty-error``). It speaks to the same server `lp` uses: an explicit
server, else ``$CUPS_SERVER``, else ``ServerName`` in /etc/cups/client.conf, else /run/cups/cups.sock,
else localhost:631. A server is ``host[:port]`` or the path of a unix socket.
"""

from __future__ import annotations

import http.client
import os
import socket
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OP_CANCEL_JOB = 0x0008
OP_GET_JOB_ATTRIBUTES = 0x0009
OP_GET_PRINTER_ATTRIBUTES = 0x000B

STATUS_NOT_FOUND = 0x0406

TAG_OPERATION, TAG_JOB, TAG_END, TAG_PRINTER = 0x01, 0x02, 0x03, 0x04
TAG_INTEGER, TAG_BOOLEAN, TAG_ENUM = 0x21, 0x22, 0x23
TAG_TEXT, TAG_NAME, TAG_KEYWORD, TAG_URI, TAG_CHARSET, TAG_LANGUAGE = 0x41, 0x42, 0x44, 0x45, 0x47, 0x48

JOB_STATES = {
    3: "pending",
    4: "held",
    5: "processing",
    6: "stopped",
    7: "cancelled",
    8: "aborted",
    9: "completed",
}
PRINTER_STATES = {3: "idle", 4: "printing", 5: "stopped"}


class IppError(Exception):
    """The server could not be reached or answered something unreadable."""


@dataclass
class IppResponse:
    status: int
    attributes: dict[str, list[Any]] = field(default_factory=dict)

    def first(self, name: str, default: Any = None) -> Any:
        values = self.attributes.get(name)
        return values[0] if values else default


def default_server() -> str:
    if env := os.environ.get("CUPS_SERVER"):
        return env
    client_conf = Path("/etc/cups/client.conf")
    try:
        for line in client_conf.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0].lower() == "servername":
                return parts[1]
    except OSError:
        pass
    return "/run/cups/cups.sock" if Path("/run/cups/cups.sock").exists() else "localhost:631"


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self._path)
        self.sock = sock


def _attribute(tag: int, name: str, value: bytes) -> bytes:
    encoded = name.encode()
    return struct.pack(">BH", tag, len(encoded)) + encoded + struct.pack(">H", len(value)) + value


def _decode(tag: int, value: bytes) -> Any:
    if tag in (TAG_INTEGER, TAG_ENUM) and len(value) == 4:
        return struct.unpack(">i", value)[0]
    if tag == TAG_BOOLEAN and len(value) == 1:
        return value != b"\x00"
    if 0x40 <= tag <= 0x49 and tag not in (0x35, 0x36):
        return value.decode("utf-8", errors="replace")
    return value


def parse_response(data: bytes) -> IppResponse:
    if len(data) < 9:
        raise IppError(f"short IPP response ({len(data)} bytes)")
    status = struct.unpack(">H", data[2:4])[0]
    response = IppResponse(status)
    pos, last = 8, ""
    while pos < len(data):
        tag = data[pos]
        pos += 1
        if tag == TAG_END:
            break
        if tag < 0x10:  # a group delimiter
            continue
        if pos + 2 > len(data):
            raise IppError("truncated IPP attribute")
        name_length = struct.unpack(">H", data[pos : pos + 2])[0]
        name = data[pos + 2 : pos + 2 + name_length].decode(errors="replace")
        pos += 2 + name_length
        value_length = struct.unpack(">H", data[pos : pos + 2])[0]
        value = data[pos + 2 : pos + 2 + value_length]
        pos += 2 + value_length
        if name:
            last = name
            response.attributes.setdefault(name, [])
        if last and tag not in (0x34, 0x37, 0x4A):  # collections are kept out
            response.attributes.setdefault(last, []).append(_decode(tag, value))
    return response


class IppClient:
    def __init__(self, server: str = "", *, timeout: float = 10.0) -> None:
        self.server = server or default_server()
        self.timeout = timeout

    def _connection(self) -> http.client.HTTPConnection:
        if self.server.startswith("/"):
            return _UnixConnection(self.server, self.timeout)
        host, _, port = self.server.rpartition(":") if ":" in self.server else (self.server, "", "631")
        return http.client.HTTPConnection(host or self.server, int(port or 631), timeout=self.timeout)

    def request(
        self, operation: int, resource: str, attributes: list[tuple[int, str, bytes]], request_id: int = 1
    ) -> IppResponse:
        body = struct.pack(">BBHI", 1, 1, operation, request_id) + bytes((TAG_OPERATION,))
        body += _attribute(TAG_CHARSET, "attributes-charset", b"utf-8")
        body += _attribute(TAG_LANGUAGE, "attributes-natural-language", b"en")
        for tag, name, value in attributes:
            body += _attribute(tag, name, value)
        body += bytes((TAG_END,))
        connection = self._connection()
        try:
            connection.request("POST", resource, body, {"Content-Type": "application/ipp"})
            reply = connection.getresponse()
            data = reply.read()
        except (OSError, http.client.HTTPException) as exc:
            raise IppError(f"CUPS at {self.server}: {exc}") from exc
        finally:
            connection.close()
        if reply.status != 200:
            raise IppError(f"CUPS at {self.server}: HTTP {reply.status} {reply.reason}")
        return parse_response(data)

    @staticmethod
    def printer_uri(queue: str) -> bytes:
        return f"ipp://localhost/printers/{queue}".encode()

    def printer_attributes(self, queue: str) -> IppResponse:
        wanted = (
            "printer-state",
            "printer-state-reasons",
            "printer-state-message",
            "printer-is-accepting-jobs",
        )
        attributes = [(TAG_URI, "printer-uri", self.printer_uri(queue))]
        attributes += [
            (TAG_KEYWORD, "requested-attributes" if i == 0 else "", w.encode()) for i, w in enumerate(wanted)
        ]
        return self.request(OP_GET_PRINTER_ATTRIBUTES, f"/printers/{queue}", attributes)

    def job_attributes(self, queue: str, job_id: int) -> IppResponse:
        wanted = ("job-state", "job-state-reasons", "job-printer-state-message", "job-state-message")
        attributes = [
            (TAG_URI, "printer-uri", self.printer_uri(queue)),
            (TAG_INTEGER, "job-id", struct.pack(">i", job_id)),
        ]
        attributes += [
            (TAG_KEYWORD, "requested-attributes" if i == 0 else "", w.encode()) for i, w in enumerate(wanted)
        ]
        return self.request(OP_GET_JOB_ATTRIBUTES, "/jobs", attributes)

    def cancel_job(self, queue: str, job_id: int, user: str = "root") -> IppResponse:
        attributes = [
            (TAG_URI, "printer-uri", self.printer_uri(queue)),
            (TAG_INTEGER, "job-id", struct.pack(">i", job_id)),
            (TAG_NAME, "requesting-user-name", user.encode()),
        ]
        return self.request(OP_CANCEL_JOB, "/jobs", attributes)
