"""The reader's side of ICAO 9303 over any :class:`drivers.chip_reader.ChipReader`: PACE when EF.CardAccess
offers it, else BAC after selecting the eMRTD application; then READ BINARY of EF.COM, the data groups
and EF.SOD under secure messaging; Active Authentication (:mod:`kiosk.identity.chip.aa`: RSA with ISO/IEC
9796-2 or ECDSA) when the chip lists DG15, and Chip Authentication when DG14 offers it.

A read is bounded in time (``time_limit_s`` over the whole exchange, each APDU bounded by the reader's
own timeout). Reading a file costs one READ BINARY for its first bytes (the TLV header gives its
length) and then as few READ BINARYs as the chunk size allows (``chunk``: 0xDF, the most that fits a
short protected response with its MAC and padding).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from drivers.chip_reader import CardRemoved, ChipReader, NoCard
from drivers.errors import DeviceTimeout
from kiosk.identity.chip import aa, crypto
from kiosk.identity.chip.ca import CaError, authenticate, offered_key
from kiosk.identity.chip.errors import ChipError, chip_error
from kiosk.identity.chip.lds import AID_MRTD, DG_FIDS, FID_COM, FID_SOD, LdsError, parse_com, parse_dg15
from kiosk.identity.chip.mrz import BacKey
from kiosk.identity.chip.pace import FID_CARD_ACCESS, PaceError, establish, offers_pace
from kiosk.identity.chip.sm import SW_OK, Command, Response, SecureChannel, SecureMessagingError
from kiosk.identity.chip.tlv import TlvError, header_size

log = logging.getLogger(__name__)

MAX_CHUNK = 0xDF
HEADER_PROBE = 8  # enough for a tag and a 4-byte length


@dataclass
class ChipRead:
    """What was read: the raw files (data-group number -> the whole DG), the SOD, the AA verdict."""

    atr: bytes
    listed: list[int]
    groups: dict[int, bytes]
    sod: bytes
    active_authentication: str  # Active Authentication (DG15): valid, failed, not_supported, not_offered
    access_control: str = "BAC"  # or "PACE"
    chip_authentication: str = "not_offered"  # Chip Authentication (DG14): valid, failed, not_offered
    apdus: int = 0
    seconds: float = 0.0
    extra: dict[str, str] = field(default_factory=dict)
    active_authentication_detail: str = ""  # which check failed (aa.DETAILS), "" when valid or not offered
    active_authentication_algorithm: str = ""  # "rsa-iso9796-2/sha1", "ecdsa/sha256"

    def __repr__(self) -> str:
        return f"ChipRead(groups={sorted(self.groups)}, apdus={self.apdus}, {self.seconds:.2f}s)"


def _malformed(fid: int) -> str:
    """The reason for a file that cannot be read whole: named after the file when the kiosk relies on it."""
    names = {FID_SOD: "sod_malformed", DG_FIDS[1]: "dg1_malformed", DG_FIDS[2]: "dg2_malformed"}
    return names.get(fid, "dg13_malformed" if fid == DG_FIDS[13] else "chip_malformed")


class ChipSession:
    """One session with a chip on ``reader``, bounded by ``deadline`` (time.monotonic())."""

    def __init__(self, reader: ChipReader, *, deadline: float, chunk: int = MAX_CHUNK) -> None:
        self.reader = reader
        self.deadline = deadline
        self.chunk = max(1, min(chunk, MAX_CHUNK))
        self.channel: SecureChannel | None = None
        self.apdus = 0

    def _exchange(self, apdu: bytes) -> bytes:
        if time.monotonic() > self.deadline:
            raise chip_error("chip_timeout", f"read still running after its time limit ({self.apdus} APDUs)")
        self.apdus += 1
        try:
            return self.reader.transmit(apdu)
        except CardRemoved as exc:
            raise chip_error("card_removed", exc.detail) from None
        except DeviceTimeout as exc:
            raise chip_error("chip_timeout", exc.detail) from None

    def send(self, command: Command) -> Response:
        if self.channel is None:
            return Response.decode(self._exchange(command.encode()))
        try:
            return self.channel.unwrap(self._exchange(self.channel.wrap(command)))
        except SecureMessagingError as exc:
            self.channel = None
            raise chip_error("secure_messaging", str(exc)) from None

    def select_application(self) -> None:
        response = self.send(Command(0x00, 0xA4, 0x04, 0x0C, AID_MRTD))
        if response.sw != SW_OK:
            raise chip_error("chip_malformed", f"SELECT eMRTD application: {response.sw:04X}")

    def basic_access_control(self, key: BacKey) -> None:
        """BAC (ICAO 9303 part 11 section 4.3): mutual authentication, then the session keys and SSC."""
        seed = key.seed()
        k_enc, k_mac = crypto.derive_key(seed, crypto.ENC), crypto.derive_key(seed, crypto.MAC)
        challenge = self.send(Command(0x00, 0x84, 0x00, 0x00, le=8))
        if challenge.sw != SW_OK or len(challenge.data) != 8:
            raise chip_error("chip_malformed", f"GET CHALLENGE: {challenge.sw:04X}")
        rnd_icc, rnd_ifd, k_ifd = challenge.data, os.urandom(8), os.urandom(16)
        cryptogram = crypto.encrypt(k_enc, rnd_ifd + rnd_icc + k_ifd)
        answer = self.send(
            Command(0x00, 0x82, 0x00, 0x00, cryptogram + crypto.retail_mac(k_mac, cryptogram), le=40)
        )
        if answer.sw != SW_OK or len(answer.data) != 40:
            raise chip_error("bac_failed", f"EXTERNAL AUTHENTICATE: {answer.sw:04X}")
        if not crypto.mac_equal(crypto.retail_mac(k_mac, answer.data[:32]), answer.data[32:]):
            raise chip_error("bac_failed", "the chip's authentication cryptogram has a wrong MAC")
        plain = crypto.decrypt(k_enc, answer.data[:32])
        if plain[:8] != rnd_icc or plain[8:16] != rnd_ifd:
            raise chip_error("bac_failed", "the chip's authentication cryptogram does not echo the nonces")
        k_icc = plain[16:32]
        session_seed = bytes(a ^ b for a, b in zip(k_ifd, k_icc, strict=True))
        self.channel = SecureChannel(
            crypto.derive_key(session_seed, crypto.ENC),
            crypto.derive_key(session_seed, crypto.MAC),
            rnd_icc[4:] + rnd_ifd[4:],
        )

    def read_card_access(self) -> bytes | None:
        """EF.CardAccess of the master file, read in the clear before any key (None: the chip has none,
        so it offers no PACE)."""
        selected = self.send(Command(0x00, 0xA4, 0x02, 0x0C, FID_CARD_ACCESS.to_bytes(2, "big")))
        if selected.sw != SW_OK:
            return None
        first = self.send(Command(0x00, 0xB0, 0x00, 0x00, le=HEADER_PROBE))
        if first.sw != SW_OK:
            return None
        try:
            header, length = header_size(first.data)
        except TlvError:
            return None
        data = first.data[: header + length]
        while len(data) < header + length:
            part = self.send(Command(0x00, 0xB0, len(data) >> 8, len(data) & 0xFF, le=min(self.chunk, 0xDF)))
            if part.sw != SW_OK or not part.data:
                return None
            data += part.data
        return data

    def pace(self, key: BacKey) -> None:
        """PACE with the MRZ as the password; its AES secure messaging protects the rest of the session."""
        try:
            self.channel = establish(self.send, key)
        except PaceError as exc:
            raise chip_error("pace_failed" if exc.refused else "chip_malformed", f"PACE: {exc}") from None

    def select_file(self, fid: int) -> bool:
        """Select an elementary file; False when the chip does not have it."""
        response = self.send(Command(0x00, 0xA4, 0x02, 0x0C, fid.to_bytes(2, "big")))
        if response.sw == 0x6A82:
            return False
        if response.sw != SW_OK:
            raise chip_error("chip_malformed", f"SELECT {fid:04X}: {response.sw:04X}")
        return True

    def _read_binary(self, offset: int, length: int) -> bytes:
        response = self.send(Command(0x00, 0xB0, offset >> 8, offset & 0xFF, le=length))
        if response.sw not in (SW_OK, 0x6282):
            raise chip_error("chip_malformed", f"READ BINARY at {offset}: {response.sw:04X}")
        return response.data

    def read_file(self, fid: int) -> bytes | None:
        """A whole elementary file (None when the chip has no such file)."""
        if not self.select_file(fid):
            return None
        first = self._read_binary(0, HEADER_PROBE)
        try:
            header, length = header_size(first)
        except TlvError as exc:
            raise chip_error(_malformed(fid), f"file {fid:04X}: {exc}") from None
        total = header + length
        if total > 0x7FFF:
            raise chip_error(_malformed(fid), f"file {fid:04X} is {total} bytes: too large for READ BINARY")
        data = bytearray(first[:total])
        while len(data) < total:
            part = self._read_binary(len(data), min(self.chunk, total - len(data)))
            if not part:
                raise chip_error(_malformed(fid), f"file {fid:04X} ends at {len(data)} of {total} bytes")
            data += part
        return bytes(data)

    def chip_authentication(self, dg14: bytes) -> str:
        """Chip Authentication with DG14's key, proved by one more protected exchange under the new keys.
        ``valid``, ``failed`` (the chip cannot use the key: a copy), or ``not_offered``."""
        key = offered_key(dg14)
        if key is None:
            return aa.NOT_OFFERED
        try:
            self.channel = authenticate(self.send, key)
            self.select_file(FID_COM)
            self._read_binary(0, 4)
        except CaError as exc:
            log.warning("chip authentication refused by the chip: %s", exc)
            return aa.FAILED
        except ChipError as exc:
            if exc.reason != "secure_messaging":
                raise
            return aa.FAILED
        return aa.VALID

    def internal_authenticate(self, challenge: bytes, *, le: int = 256) -> bytes:
        """The chip's answer to INTERNAL AUTHENTICATE (b"" when it refuses the command)."""
        response = self.send(Command(0x00, aa.INS_INTERNAL_AUTHENTICATE, 0x00, 0x00, challenge, le=le))
        if response.sw != SW_OK:
            log.warning("active authentication: INTERNAL AUTHENTICATE answered %04X", response.sw)
            return b""
        return response.data

    def active_authentication(self, dg15: bytes, dg14: bytes | None) -> aa.AaResult:
        """Active Authentication with DG15's key: a fresh 8-byte challenge, the chip's signature checked
        (:func:`kiosk.identity.chip.aa.verify`; DG14 names the hash of an ECDSA key)."""
        try:
            key_info = parse_dg15(dg15)
        except LdsError:
            return aa.AaResult(aa.NOT_SUPPORTED, "key_unreadable")
        challenge = os.urandom(aa.CHALLENGE_SIZE)
        signature = self.internal_authenticate(challenge, le=max(256, aa.answer_size(key_info)))
        return aa.verify(key_info, challenge, signature, ecdsa_hash=aa.ecdsa_hash_in_dg14(dg14))


def read_chip(
    reader: ChipReader,
    key: BacKey,
    *,
    data_groups: Iterable[int] = (1, 2, 13),
    time_limit_s: float = 20.0,
    wait_s: float = 0.0,
    chunk: int = MAX_CHUNK,
) -> ChipRead:
    """Read the chip on ``reader``: EF.COM, the wanted data groups the chip has, DG15 and EF.SOD.

    Raises ChipError (``no_chip``, ``card_removed``, ``bac_failed``, ``secure_messaging``,
    ``chip_timeout``, ``chip_malformed``); DeviceAbsent when the reader is not there.
    """
    started = time.monotonic()
    try:
        atr = reader.connect(wait_s)
    except NoCard as exc:
        raise chip_error("no_chip", exc.detail) from None
    session = ChipSession(reader, deadline=started + wait_s + time_limit_s, chunk=chunk)
    try:
        card_access = session.read_card_access()
        access = "PACE" if card_access is not None and offers_pace(card_access) else "BAC"
        if access == "PACE":
            session.pace(key)
            session.select_application()
        else:
            session.select_application()
            session.basic_access_control(key)
        com = session.read_file(FID_COM)
        if com is None:
            raise chip_error("chip_malformed", "the chip has no EF.COM")
        try:
            listed = parse_com(com)
        except LdsError as exc:
            raise chip_error("chip_malformed", str(exc)) from None
        groups: dict[int, bytes] = {}
        wanted = sorted(set(data_groups) | ({14, 15} & set(listed)))
        for number in wanted:
            if number not in listed or number not in DG_FIDS:
                continue
            raw = session.read_file(DG_FIDS[number])
            if raw is not None:
                groups[number] = raw
        if 1 not in groups:
            raise chip_error("dg1_malformed", "the chip has no DG1")
        sod = session.read_file(FID_SOD)
        if sod is None:
            raise chip_error("sod_malformed", "the chip has no EF.SOD")
        active = aa.AaResult(aa.NOT_OFFERED)
        if 15 in groups:
            active = session.active_authentication(groups[15], groups.get(14))
            if active.verdict != aa.VALID:
                log.warning("active authentication %s: %s", active.verdict, active.message)
        ca_verdict = session.chip_authentication(groups[14]) if 14 in groups else aa.NOT_OFFERED
        return ChipRead(
            atr,
            listed,
            groups,
            sod,
            active.verdict,
            access,
            ca_verdict,
            session.apdus,
            time.monotonic() - started,
            active_authentication_detail=active.detail,
            active_authentication_algorithm=active.algorithm,
        )
    finally:
        try:
            reader.disconnect()
        except Exception:  # a reader that vanished mid-read has nothing to disconnect
            log.debug("chip reader disconnect failed", exc_info=True)
