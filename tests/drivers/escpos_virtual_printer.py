"""A small virtual ESC/POS thermal printer on a pty, for the receipt printer tests.

The driver opens ``printer.path`` (the pty's slave side, or a by-id style symlink to it) like a real
serial port. A thread reads the master side, parses the ESC/POS stream command by command (so raster
bytes are never mistaken for commands), records what would be printed, and answers ``DLE EOT n``
real-time status queries from its switchable condition (paper near end, paper out, cover open, offline,
or silent: powered off).
"""

from __future__ import annotations

import os
import select
import threading
import tty
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ESC, GS, DLE = 0x1B, 0x1D, 0x10


@dataclass
class Printed:
    """What the virtual printer has put on paper."""

    lines: list[bytes] = field(default_factory=list)
    images: list[np.ndarray] = field(default_factory=list)  # bool arrays, True = black dot
    qr_codes: list[bytes] = field(default_factory=list)
    cuts: int = 0
    inits: int = 0
    codepage: int | None = None
    unknown: list[bytes] = field(default_factory=list)


class VirtualEscposPrinter:
    def __init__(self, link: Path | None = None) -> None:
        self.raw = bytearray()  # every byte received, status queries included
        self.printed = Printed()
        self.status_queries: list[int] = []
        self.paper_near_end = False
        self.paper_out = False
        self.cover_open = False
        self.offline = False
        self.silent = False  # powered off: answers nothing
        self.paper_out_after_bytes: int | None = None  # the roll ends after this many printed bytes
        self._print_bytes = 0
        self._buf = bytearray()
        self._line = bytearray()
        self._qr_data = b""
        self._lock = threading.Lock()
        self._link = link
        self._master = -1
        self._slave = -1
        self._thread: threading.Thread | None = None
        self._wake_r, self._wake_w = os.pipe()
        self.plug_in()

    # -- wiring -------------------------------------------------------------------------------------------
    @property
    def path(self) -> str:
        return str(self._link) if self._link is not None else os.ttyname(self._slave)

    def plug_in(self) -> None:
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        if self._link is not None:
            self._link.unlink(missing_ok=True)
            self._link.symlink_to(os.ttyname(self._slave))
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="virtual-escpos", daemon=True)
        self._thread.start()

    def unplug(self) -> None:
        """The cable is pulled: the pty goes away (and its by-id link with it)."""
        self._stop = True
        os.write(self._wake_w, b"x")
        if self._thread is not None:
            self._thread.join(5)
        os.read(self._wake_r, 1)
        os.close(self._master)
        os.close(self._slave)
        if self._link is not None:
            self._link.unlink(missing_ok=True)

    def close(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self.unplug()
        os.close(self._wake_r)
        os.close(self._wake_w)

    # -- the printer --------------------------------------------------------------------------------------
    def status_byte(self, n: int) -> int:
        value = 0x12
        out = self.paper_out
        if n == 1 and (self.offline or out or self.cover_open):
            value |= 0x08
        if n == 2:
            value |= (0x04 if self.cover_open else 0) | (0x20 if out else 0)
        if n == 4:
            value |= (0x0C if self.paper_near_end or out else 0) | (0x60 if out else 0)
        return value

    def _run(self) -> None:
        while not self._stop:
            ready, _, _ = select.select([self._master, self._wake_r], [], [])
            if self._wake_r in ready:
                return
            try:
                chunk = os.read(self._master, 65536)
            except OSError:
                return
            with self._lock:
                self.raw += chunk
                self._buf += chunk
                self._parse()

    def _reply(self, n: int) -> None:
        self.status_queries.append(n)
        if not self.silent:
            os.write(self._master, bytes((self.status_byte(n),)))

    def _printing(self, count: int) -> None:
        self._print_bytes += count
        if self.paper_out_after_bytes is not None and self._print_bytes >= self.paper_out_after_bytes:
            self.paper_out = True

    def _parse(self) -> None:
        while self._buf:
            used = self._command(self._buf)
            if used == 0:
                return  # incomplete: wait for more bytes
            del self._buf[:used]

    def _command(self, b: bytearray) -> int:
        p = self.printed
        first = b[0]
        if first == DLE:
            if len(b) < 3:
                return 0
            if b[1] == 0x04:
                self._reply(b[2])
                return 3
            p.unknown.append(bytes(b[:2]))
            return 2
        if first == ESC:
            if len(b) < 2:
                return 0
            c = chr(b[1])
            if c == "@":
                p.inits += 1
                return 2
            if c == "2":
                return 2
            if c in "taEd!-3MJRG":
                if len(b) < 3:
                    return 0
                if c == "t":
                    p.codepage = b[2]
                if c == "d":
                    self._flush_line()
                return 3
            p.unknown.append(bytes(b[:2]))
            return 2
        if first == GS:
            if len(b) < 2:
                return 0
            c = chr(b[1])
            if c == "v":
                if len(b) < 8:
                    return 0
                width, height = b[4] | b[5] << 8, b[6] | b[7] << 8
                size = 8 + width * height
                if len(b) < size:
                    return 0
                rows = np.frombuffer(bytes(b[8:size]), np.uint8).reshape(height, width)
                p.images.append(np.unpackbits(rows, axis=1).astype(bool))
                self._printing(width * height)
                return size
            if c == "(":
                if len(b) < 5:
                    return 0
                size = 5 + (b[3] | b[4] << 8)
                if len(b) < size:
                    return 0
                if chr(b[2]) == "k" and b[5] == 0x31:
                    fn = b[6]
                    if fn == 80:  # store the data (after m = '0')
                        self._qr_data = bytes(b[8:size])
                    elif fn == 81:  # print the stored symbol
                        p.qr_codes.append(self._qr_data)
                        self._printing(len(self._qr_data))
                return size
            if c == "V":
                if len(b) < 3:
                    return 0
                size = 3 if b[2] in (0, 1, 48, 49) else 4
                if len(b) < size:
                    return 0
                self._flush_line()
                p.cuts += 1
                return size
            if c in "!BHfhwa":
                return 3 if len(b) >= 3 else 0
            if c in "LW":
                return 4 if len(b) >= 4 else 0
            p.unknown.append(bytes(b[:2]))
            return 2
        if first == 0x0A:
            self._flush_line()
            return 1
        if first in (0x0D, 0x09):
            return 1
        self._line.append(first)
        self._printing(1)
        return 1

    def _flush_line(self) -> None:
        if self._line:
            self.printed.lines.append(bytes(self._line))
            self._line.clear()

    def snapshot(self) -> Printed:
        with self._lock:
            return self.printed
