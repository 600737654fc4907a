"""ESC/POS thermal receipt printer over a transport: a serial port, the network, or USB.

The receipt's bytes are built with python-escpos (its ``Escpos`` commands collected by ``_raw``) for the
configured printer ``profile`` (python-escpos's capability profiles: "TM-T20II", "TM-T88V", "default"...)
and written over a `drivers.escpos_transports.Transport`. Vietnamese text is printed one of two ways (``text_mode``):

* ``image`` (default): the lines are drawn with DejaVu Sans and sent as a raster (``GS v 0``). Every
  printer prints it, whatever code pages it has.
* ``cp1258``: the text is sent as Windows-1258 after ``ESC t <codepage>`` (Epson numbers it 52). Tone
  marks are sent as combining characters, as CP1258 defines them; only for printers that have the page.

The code is printed as ASCII text, the lookup QR natively (``GS ( k``), then a full cut (``GS V``).

Status uses the real-time ``DLE EOT n`` queries, answered even while the printer is busy or offline:
``n=1`` printer (offline bit), ``n=2`` offline cause (cover open, paper end), ``n=3`` error cause
(cutter, unrecoverable), ``n=4`` roll paper sensor (near end, end). A printer that does not answer is
``absent`` (powered off or unplugged).
"""

from __future__ import annotations

import functools
import logging
import unicodedata
from dataclasses import dataclass
from typing import Any

from drivers.base import DeviceBase, Receipt
from drivers.errors import (
    CoverOpen,
    DeviceAbsent,
    DeviceConfigError,
    DeviceError,
    DeviceOffline,
    PaperJam,
    PaperOut,
)
from drivers.escpos_transports import SerialTransport, Transport, TransportError, TransportTimeout
from drivers.health import DeviceState, DeviceStatus
from drivers.receipt_render import DOTS_PER_LINE, receipt_lines, text_image

log = logging.getLogger(__name__)

DLE_EOT = b"\x10\x04"
ESC, GS = b"\x1b", b"\x1d"


@dataclass(frozen=True)
class PrinterFlags:
    """The four DLE EOT answers decoded."""

    offline: bool = False
    cover_open: bool = False
    paper_out: bool = False
    paper_near_end: bool = False
    error: bool = False
    cutter_error: bool = False
    raw: bytes = b""

    @classmethod
    def decode(cls, printer: int, offline: int, error: int, paper: int) -> PrinterFlags:
        return cls(
            offline=bool(printer & 0x08),
            cover_open=bool(offline & 0x04),
            paper_out=bool(offline & 0x20) or (paper & 0x60) == 0x60,
            paper_near_end=(paper & 0x0C) == 0x0C,
            error=bool(offline & 0x40) or bool(error & 0x60),
            cutter_error=bool(error & 0x08),
            raw=bytes((printer, offline, error, paper)),
        )

    def health(self) -> tuple[DeviceState, str, str]:
        """(state, reason, detail) for the health model; the most serious condition wins."""
        raw = self.raw.hex(" ")
        if self.cover_open:
            return DeviceState.error, "cover_open", f"cover open (DLE EOT {raw})"
        if self.paper_out:
            return DeviceState.error, "paper_out", f"paper out (DLE EOT {raw})"
        if self.cutter_error:
            return DeviceState.error, "paper_jam", f"autocutter error (DLE EOT {raw})"
        if self.error:
            return DeviceState.error, "failed", f"printer error (DLE EOT {raw})"
        if self.offline:
            return DeviceState.error, "offline", f"offline (DLE EOT {raw})"
        if self.paper_near_end:
            return DeviceState.warning, "paper_near_end", f"paper near end (DLE EOT {raw})"
        return DeviceState.ok, "", f"ready (DLE EOT {raw})"


_REASON_ERRORS: dict[str, type[DeviceError]] = {
    "cover_open": CoverOpen,
    "paper_out": PaperOut,
    "paper_jam": PaperJam,
    "offline": DeviceOffline,
    "failed": DeviceError,
}


# An Epson-compatible 80 mm profile (576 dots) with native QR and a full cut.
DEFAULT_PROFILE = "TM-T20II"


@functools.cache
def byte_builder_class() -> type[Any]:
    """python-escpos's commands collected into bytes (the transport is one method, ``_raw``).

    Made on first use: python-escpos with its printers' capability data costs ~225 ms to import, which
    `kiosk --help`, the attract screen and a kiosk without an ESC/POS printer should not pay."""
    from escpos.escpos import Escpos  # heavy third-party library, loaded when the first receipt is built

    class ByteBuilder(Escpos):
        def __init__(self, profile: str = DEFAULT_PROFILE) -> None:
            super().__init__(profile=profile)
            self.buffer = bytearray()

        def _raw(self, msg: bytes) -> None:
            self.buffer += msg

        def open(self) -> None:
            """Nothing to open: bytes are collected."""

        def close(self) -> None:
            """Nothing to close."""

    return ByteBuilder


def encode_cp1258(text: str) -> bytes:
    """Vietnamese text in Windows-1258: precomposed where CP1258 has the letter (ă â ê ô ơ ư đ), and the
    tone mark as a combining character after it (CP1258 has no precomposed toned letters)."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        # keep one mark on the letter when CP1258 has that letter (ệ = ê + dot below)
        for i, mark in enumerate(marks):
            joined = unicodedata.normalize("NFC", base + mark)
            if len(joined) == 1 and joined.encode("cp1258", errors="ignore"):
                base, marks = joined, marks[:i] + marks[i + 1 :]
                break
        out += (base + marks).encode("cp1258", errors="replace")
    return bytes(out)


def receipt_bytes(
    receipt: Receipt,
    *,
    paper_mm: int = 80,
    text_mode: str = "image",
    codepage: int = 52,
    profile: str = DEFAULT_PROFILE,
) -> bytes:
    """The full ESC/POS byte stream of a receipt (without status queries), for the printer `profile`."""
    width = DOTS_PER_LINE.get(paper_mm)
    if width is None:
        raise ValueError(f"paper width must be one of {sorted(DOTS_PER_LINE)} mm")
    job = byte_builder_class()(profile)
    # The model's print head may be narrower than the roll (a TM-T88V prints 512 dots on 80 mm paper).
    head = job.profile.profile_data.get("media", {}).get("width", {}).get("pixels")
    if isinstance(head, int) and head > 0:
        width = min(width, head)
    job._raw(ESC + b"@")  # initialise
    if text_mode == "image":
        job.image(
            text_image(receipt_lines(receipt), width, size=20 if paper_mm == 58 else 24), fragment_height=256
        )
    elif text_mode == "cp1258":
        job._raw(ESC + b"t" + bytes((codepage,)))
        for line in receipt_lines(receipt):
            job._raw(encode_cp1258(line) + b"\n")
    else:
        raise ValueError(f"text_mode must be image or cp1258, got {text_mode!r}")
    job._raw(ESC + b"a\x01" + ESC + b"E\x01" + GS + b"!\x11")  # centre, bold, double size
    job._raw(receipt.code.encode("ascii", errors="replace") + b"\n")
    job._raw(GS + b"!\x00" + ESC + b"E\x00")
    job.qr(receipt.qr_data, size=6 if paper_mm == 80 else 4, native=True)
    if receipt.retrieval_url:  # the second QR: the retrieval page, the secret in its fragment
        job._raw(b"\n")
        job.qr(receipt.retrieval_url, size=6 if paper_mm == 80 else 4, native=True)
    job._raw(b"\n" + ESC + b"a\x00")
    job.cut()
    return bytes(job.buffer)


class EscposPrinter(DeviceBase):
    """A receipt printer speaking ESC/POS over `transport`; the transport is opened again after a loss."""

    category = "receipt_printer"

    def __init__(
        self,
        transport: Transport,
        name: str = "receipt_printer",
        *,
        kind: str = "escpos",
        profile: str = DEFAULT_PROFILE,
        paper_mm: int = 80,
        text_mode: str = "image",
        codepage: int = 52,
        timeout: float = 30.0,
    ) -> None:
        super().__init__(name, kind, timeout=timeout)
        if paper_mm not in DOTS_PER_LINE or text_mode not in ("image", "cp1258"):
            raise DeviceConfigError(
                f"{name}: bad settings",
                category=self.category,
                device=name,
                detail=f"paper_mm={paper_mm} (58 or 80), text_mode={text_mode!r} (image or cp1258)",
            )
        try:
            byte_builder_class()(profile)
        except Exception as exc:  # python-escpos raises its own error for an unknown profile name
            raise DeviceConfigError(
                f"{name}: unknown printer profile {profile!r}",
                category=self.category,
                device=name,
                detail=f"profile={profile!r}: {exc}",
            ) from None
        self.transport = transport
        self.where = transport.describe()
        self.profile = profile
        self.paper_mm = paper_mm
        self.text_mode = text_mode
        self.codepage = codepage
        self.receipts_printed = 0

    # -- transport (device thread only) ------------------------------------------------------------------
    def _reachable(self) -> None:
        if not self.where:
            raise self._error(
                DeviceConfigError,
                "no printer address configured",
                f"devices.{self.name}: no port, host or device",
            )
        if not self.transport.present():
            self.transport.close()  # a stale handle on a device that went away
            raise self._error(DeviceAbsent, f"{self.name} is not connected", f"{self.where}: no such device")

    def _lost(self, exc: TransportError) -> DeviceError:
        if isinstance(exc, TransportTimeout):
            return self._error(DeviceOffline, f"{self.name} does not take data", str(exc))
        self.transport.close()
        return self._error(DeviceAbsent, f"{self.name} is not connected", str(exc))

    def _write(self, data: bytes) -> None:
        self._reachable()
        try:
            self.transport.write(data)
        except TransportError as exc:
            raise self._lost(exc) from exc

    def _query(self, n: int) -> int:
        self._reachable()
        try:
            self.transport.discard_input()
            self.transport.write(DLE_EOT + bytes((n,)))
            reply = self.transport.read(1)
        except TransportError as exc:
            raise self._lost(exc) from exc
        if len(reply) != 1:
            raise self._error(
                DeviceAbsent,
                f"{self.name} does not answer",
                f"{self.where}: no answer to DLE EOT {n} (powered off?)",
            )
        value = reply[0]
        if value & 0x93 != 0x12:
            raise self._error(
                DeviceError, f"{self.name} answers garbage", f"{self.where}: DLE EOT {n} -> {value:#04x}"
            )
        return value

    def _flags(self) -> PrinterFlags:
        return PrinterFlags.decode(self._query(1), self._query(2), self._query(3), self._query(4))

    # -- device API ---------------------------------------------------------------------------------------
    def query_flags(self) -> PrinterFlags:
        """The decoded DLE EOT status (raises DeviceAbsent when the printer does not answer)."""
        return self._call(self._flags)

    def _status(self) -> DeviceStatus:
        state, reason, detail = self._flags().health()
        return self._make_status(state, f"{self.where}: {detail}", reason)

    def _check_ready(self, when: str) -> None:
        state, reason, detail = self._flags().health()
        if state == DeviceState.error:
            raise self._error(
                _REASON_ERRORS.get(reason, DeviceError),
                f"{self.name}: {reason}",
                f"{self.where}: {when}: {detail}",
            )
        if state == DeviceState.warning:
            log.warning("receipt printer %s: %s", self.name, detail)

    def print_receipt(self, receipt: Receipt) -> None:
        self._call(self._print, receipt)

    def _print(self, receipt: Receipt) -> None:
        self._check_ready("before printing")
        self._write(
            receipt_bytes(
                receipt,
                paper_mm=self.paper_mm,
                text_mode=self.text_mode,
                codepage=self.codepage,
                profile=self.profile,
            )
        )
        # paper can run out or the cover open during the job: the receipt is then incomplete
        self._check_ready("after printing")
        self.receipts_printed += 1
        log.info("receipt %s printed on %s", receipt.code, self.where)

    def _close(self) -> None:
        self.transport.close()


class EscposSerialPrinter(EscposPrinter):
    """A receipt printer on a serial port (RS-232, USB-serial, a pty in the tests)."""

    def __init__(
        self,
        port: str,
        name: str = "receipt_printer",
        *,
        baudrate: int = 19200,
        profile: str = DEFAULT_PROFILE,
        paper_mm: int = 80,
        text_mode: str = "image",
        codepage: int = 52,
        reply_timeout: float = 0.5,
        timeout: float = 30.0,
    ) -> None:
        transport = SerialTransport(
            port, baudrate=baudrate, reply_timeout=reply_timeout, write_timeout=timeout
        )
        super().__init__(
            transport,
            name,
            kind="escpos_serial",
            profile=profile,
            paper_mm=paper_mm,
            text_mode=text_mode,
            codepage=codepage,
            timeout=timeout,
        )
        self.port = port
