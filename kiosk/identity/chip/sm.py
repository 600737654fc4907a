"""APDUs, and 3DES secure messaging on both ends (ICAO 9303 part 11, section 9.8).

A protected command carries DO'87' (the padded, encrypted data), DO'97' (Le) and DO'8E' (a MAC over
the send sequence counter, the padded header and those objects: retail MAC for 3DES, CMAC for AES); the response carries DO'87',
DO'99' (the status word) and DO'8E'. Each side increments the 8-byte send sequence counter (SSC) before
computing or checking a MAC, so a replayed or dropped APDU breaks the session.

:class:`SecureChannel` is the reader's side, :class:`CardChannel` the chip's (the simulated chip).
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.identity.chip import crypto
from kiosk.identity.chip.tlv import TlvError, encode_length, iter_tlv, tlv

SW_OK = 0x9000


class SecureMessagingError(Exception):
    """A response whose MAC or layout is wrong: the session is over."""


@dataclass(frozen=True)
class Command:
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None  # None: no Le; 0: up to 256 bytes

    def encode(self) -> bytes:
        out = bytes([self.cla, self.ins, self.p1, self.p2])
        extended = len(self.data) > 255 or (self.le is not None and self.le > 256)
        if self.data:
            out += (b"\x00" + len(self.data).to_bytes(2, "big")) if extended else bytes([len(self.data)])
            out += self.data
        if self.le is not None:
            if extended:
                out += (b"" if self.data else b"\x00") + (self.le % 65536).to_bytes(2, "big")
            else:
                out += bytes([self.le % 256])
        return out

    @classmethod
    def decode(cls, apdu: bytes) -> Command:
        if len(apdu) < 4:
            raise ValueError("an APDU has at least 4 bytes")
        cla, ins, p1, p2 = apdu[:4]
        body = apdu[4:]
        if not body:
            return cls(cla, ins, p1, p2)
        if len(body) == 1:
            return cls(cla, ins, p1, p2, le=body[0] or 256)
        if body[0] == 0 and len(body) >= 3:  # extended length
            if len(body) == 3:
                return cls(cla, ins, p1, p2, le=int.from_bytes(body[1:3], "big") or 65536)
            lc = int.from_bytes(body[1:3], "big")
            data, rest = body[3 : 3 + lc], body[3 + lc :]
            le = (int.from_bytes(rest, "big") or 65536) if rest else None
            return cls(cla, ins, p1, p2, data, le)
        lc = body[0]
        data, rest = body[1 : 1 + lc], body[1 + lc :]
        if len(data) != lc:
            raise ValueError("Lc runs past the end of the APDU")
        return cls(cla, ins, p1, p2, data, (rest[0] or 256) if rest else None)


@dataclass(frozen=True)
class Response:
    data: bytes
    sw: int

    @classmethod
    def decode(cls, raw: bytes) -> Response:
        if len(raw) < 2:
            raise SecureMessagingError("a response has at least a status word")
        return cls(raw[:-2], int.from_bytes(raw[-2:], "big"))

    def encode(self) -> bytes:
        return self.data + self.sw.to_bytes(2, "big")


class _Keys:
    """Session keys and the send sequence counter. 3DES (BAC): 8-byte blocks and SSC, zero IV, retail
    MAC. AES (PACE, ICAO 9303 part 11 section 9.8.6): 16-byte blocks and SSC, IV = E(K_enc, SSC), CMAC."""

    def __init__(self, key_enc: bytes, key_mac: bytes, ssc: bytes, *, aes: bool = False) -> None:
        self.key_enc = key_enc
        self.key_mac = key_mac
        self.aes = aes
        self.block = 16 if aes else 8
        self._ssc = int.from_bytes(ssc, "big")

    def next_ssc(self) -> bytes:
        self._ssc = (self._ssc + 1) % (1 << (8 * self.block))
        return self._ssc.to_bytes(self.block, "big")

    def pad(self, data: bytes) -> bytes:
        return crypto.pad(data, self.block)

    def mac(self, ssc: bytes, data: bytes) -> bytes:
        if self.aes:
            return crypto.aes_cmac(self.key_mac, self.pad(ssc + data))
        return crypto.retail_mac(self.key_mac, ssc + data)

    def do87(self, ssc: bytes, data: bytes) -> bytes:
        if self.aes:
            cipher = crypto.aes_encrypt(self.key_enc, crypto.aes_iv(self.key_enc, ssc), self.pad(data))
        else:
            cipher = crypto.encrypt(self.key_enc, self.pad(data))
        return tlv(0x87, b"\x01" + cipher)

    def plain_do87(self, ssc: bytes, value: bytes) -> bytes:
        if not value or value[0] != 0x01:
            raise SecureMessagingError("DO'87' without the padding indicator")
        try:
            if self.aes:
                plain = crypto.aes_decrypt(self.key_enc, crypto.aes_iv(self.key_enc, ssc), value[1:])
            else:
                plain = crypto.decrypt(self.key_enc, value[1:])
            return crypto.unpad(plain)
        except ValueError as exc:
            raise SecureMessagingError(f"DO'87' does not decrypt: {exc}") from None


class SecureChannel(_Keys):
    """The reader's end: wraps commands and unwraps responses."""

    def wrap(self, command: Command) -> bytes:
        ssc = self.next_ssc()
        header = bytes([command.cla | 0x0C, command.ins, command.p1, command.p2])
        objects = self.do87(ssc, command.data) if command.data else b""
        if command.le is not None:
            le = command.le % 256 if command.le <= 256 else command.le % 65536
            objects += tlv(0x97, bytes([le]) if command.le <= 256 else le.to_bytes(2, "big"))
        mac = self.mac(ssc, self.pad(header) + objects)
        body = objects + tlv(0x8E, mac)
        extended = len(body) > 255
        lc = (b"\x00" + len(body).to_bytes(2, "big")) if extended else bytes([len(body)])
        return header + lc + body + (b"\x00\x00" if extended else b"\x00")

    def unwrap(self, raw: bytes) -> Response:
        response = Response.decode(raw)
        ssc = self.next_ssc()
        if not response.data:
            if response.sw in (0x6987, 0x6988, SW_OK):
                # The chip dropped secure messaging (wrong or missing objects): the session is over.
                raise SecureMessagingError(f"the chip answered {response.sw:04X} without secure messaging")
            return response  # a plain error status (file not found...), which the caller reports
        data = response.data
        try:
            objects = list(iter_tlv(data))
        except TlvError as exc:
            raise SecureMessagingError(f"malformed protected response: {exc}") from None
        found = dict(objects)
        if objects[-1][0] != 0x8E or len(objects[-1][1]) != 8 or 0x99 not in found:
            raise SecureMessagingError("protected response without DO'99' or a closing DO'8E'")
        if not crypto.mac_equal(self.mac(ssc, data[:-10]), found[0x8E]):
            raise SecureMessagingError("the response's MAC is wrong")
        plain = self.plain_do87(ssc, found[0x87]) if 0x87 in found else b""
        return Response(plain, int.from_bytes(found[0x99], "big"))


class CardChannel(_Keys):
    """The chip's end: unwraps commands and wraps responses."""

    def unwrap(self, raw: bytes) -> Command:
        command = Command.decode(raw)
        ssc = self.next_ssc()
        if command.cla & 0x0C != 0x0C:
            raise SecureMessagingError("plain command inside a secure session")
        header = bytes([command.cla, command.ins, command.p1, command.p2])
        try:
            objects = list(iter_tlv(command.data))
        except TlvError as exc:
            raise SecureMessagingError(f"malformed protected command: {exc}") from None
        found = dict(objects)
        if not objects or objects[-1][0] != 0x8E or len(objects[-1][1]) != 8:
            raise SecureMessagingError("protected command without a closing DO'8E'")
        if not crypto.mac_equal(self.mac(ssc, self.pad(header) + command.data[:-10]), found[0x8E]):
            raise SecureMessagingError("the command's MAC is wrong")
        data = self.plain_do87(ssc, found[0x87]) if 0x87 in found else b""
        le: int | None = None
        if 0x97 in found:
            le = int.from_bytes(found[0x97], "big") or (256 if len(found[0x97]) == 1 else 65536)
        return Command(command.cla & ~0x0C & 0xFF, command.ins, command.p1, command.p2, data, le)

    def wrap(self, response: Response) -> bytes:
        ssc = self.next_ssc()
        objects = self.do87(ssc, response.data) if response.data else b""
        objects += tlv(0x99, response.sw.to_bytes(2, "big"))
        return objects + tlv(0x8E, self.mac(ssc, objects)) + b"\x90\x00"


__all__ = ["CardChannel", "Command", "Response", "SecureChannel", "SecureMessagingError", "encode_length"]
