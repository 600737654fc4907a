"""The simulated chip: an ICAO 9303 eMRTD application that answers APDUs, as a CCCD's chip does.

It is product code: the simulated chip reader of the demo holds one, and the tests put one behind
pcscd through the vsmartcard virtual reader (:mod:`kiosk.identity.chip.vpicc`), so the kiosk's reader
code runs over a real PC/SC stack. It implements SELECT (the application and its files), GET CHALLENGE,
EXTERNAL AUTHENTICATE (BAC), MSE:Set AT and GENERAL AUTHENTICATE (PACE before the application is
selected, Chip Authentication inside a session), READ BINARY under 3DES or AES secure messaging, and
INTERNAL AUTHENTICATE (Active Authentication). Every file of the application needs BAC or PACE first.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from cryptography.hazmat.primitives.asymmetric import ec

from kiosk.identity.chip import aa, crypto
from kiosk.identity.chip import pace as pace_protocol
from kiosk.identity.chip.ca import ChipCa
from kiosk.identity.chip.lds import AID_MRTD
from kiosk.identity.chip.mrz import BacKey
from kiosk.identity.chip.sm import CardChannel, Command, Response, SecureMessagingError

# T=1 contactless-style ATR: TS, T0 (TD1 + 8 historical bytes), TD1 (T=0, TD2 follows), TD2 (T=1),
# historical bytes, TCK.
_ATR_BODY = bytes.fromhex("3B888001") + b"SKVNCHIP"


def _tck(body: bytes) -> int:
    value = 0
    for byte in body[1:]:
        value ^= byte
    return value


ATR = _ATR_BODY + bytes([_tck(_ATR_BODY)])

SW_OK = 0x9000
SW_AUTH_FAILED = 0x6300
SW_WRONG_LENGTH = 0x6700
SW_SECURITY = 0x6982
SW_SM_MISSING = 0x6987
SW_SM_WRONG = 0x6988
SW_CONDITIONS = 0x6985
SW_WRONG_DATA = 0x6A80
SW_NOT_FOUND = 0x6A82
SW_WRONG_P1P2 = 0x6B00
SW_INS = 0x6D00
SW_CLA = 0x6E00


class VirtualChip:
    """One chip: its files (file identifier -> bytes), its BAC key (also PACE's password when ``pace``),
    and optionally an Active Authentication key (DG15: ECDSA, or RSA answering with an ISO/IEC 9796-2
    scheme 1 signature) and a Chip Authentication key (DG14)."""

    atr = ATR

    def __init__(
        self,
        files: Mapping[int, bytes],
        bac_key: BacKey,
        *,
        aa_key: aa.ChipAaKey | ec.EllipticCurvePrivateKey | None = None,
        pace: bool = False,
        ca_key: ec.EllipticCurvePrivateKey | None = None,
    ) -> None:
        self.files = dict(files)
        self._ca = ChipCa(ca_key) if ca_key is not None else None
        self._next_channel: CardChannel | None = None
        # PACE is listed in EF.CardAccess, a file of the master file that needs no key.
        self._mf_files = {pace_protocol.FID_CARD_ACCESS: pace_protocol.build_card_access()} if pace else {}
        self._pace: pace_protocol.ChipPace | None = pace_protocol.ChipPace(bac_key) if pace else None
        seed = bac_key.seed()
        self._k_enc, self._k_mac = crypto.derive_key(seed, crypto.ENC), crypto.derive_key(seed, crypto.MAC)
        # A bare EC key signs with SHA-256; a ChipAaKey says its hash (an RSA key signs with ISO/IEC 9796-2).
        self._aa_key = aa.ChipAaKey(aa_key) if isinstance(aa_key, ec.EllipticCurvePrivateKey) else aa_key
        self.apdus = 0
        self.power_on()

    def power_on(self) -> None:
        """Reset: nothing selected, no session."""
        self._app_selected = False
        self._file: int | None = None
        self._mf_file: int | None = None
        if self._pace is not None:
            self._pace.step = 0
        self._challenge: bytes | None = None
        self._channel: CardChannel | None = None
        self._next_channel = None

    def process(self, apdu: bytes) -> bytes:
        """One command APDU in, one response APDU out (data + status word)."""
        self.apdus += 1
        try:
            command = Command.decode(apdu)
        except ValueError:
            return SW_WRONG_LENGTH.to_bytes(2, "big")
        if command.cla & 0x0C == 0x0C:
            channel = self._channel
            if channel is None:
                return SW_SM_MISSING.to_bytes(2, "big")
            try:
                inner = channel.unwrap(apdu)
            except SecureMessagingError:
                self._channel = None  # a broken MAC ends the session
                return SW_SM_WRONG.to_bytes(2, "big")
            wrapped = channel.wrap(self._handle(inner, protected=True))
            if self._next_channel is not None:  # Chip Authentication: new keys from the next APDU on
                self._channel, self._next_channel = self._next_channel, None
            return wrapped
        if self._channel is not None and command.ins != 0xA4:
            self._channel = None  # a plain command in a session ends it
        return self._handle(command, protected=False).encode()

    # -- commands -----------------------------------------------------------------------------------
    def _handle(self, command: Command, *, protected: bool) -> Response:
        if command.cla & 0xE3:  # only the secure-messaging and chaining bits may be set
            return Response(b"", SW_CLA)
        if command.ins == 0xA4 and command.p1 == 0x04:
            return self._select_application(command, protected=protected)
        if command.ins == 0xB0 and not protected and self._mf_file is not None:
            return self._read_mf_file(command)
        if command.ins in (pace_protocol.INS_MSE, pace_protocol.INS_GENERAL_AUTHENTICATE):
            if protected and self._app_selected:
                return self._ca_step(command)
            return self._pace_step(command)
        handlers = {
            0xA4: self._select,
            0x84: self._get_challenge,
            0x82: self._external_authenticate,
            0xB0: self._read_binary,
            aa.INS_INTERNAL_AUTHENTICATE: self._internal_authenticate,
        }
        handler = handlers.get(command.ins)
        if handler is None:
            return Response(b"", SW_INS)
        if command.ins in (0xB0, aa.INS_INTERNAL_AUTHENTICATE) and not protected:
            return Response(b"", SW_SECURITY)
        if command.ins == 0xA4 and not protected:
            return self._select_mf_file(command)
        return handler(command)

    def _select_application(self, command: Command, *, protected: bool) -> Response:
        if command.data != AID_MRTD:
            return Response(b"", SW_NOT_FOUND)
        if not protected:  # a plain SELECT starts over; one under PACE's secure messaging keeps it
            self.power_on()
        self._app_selected, self._mf_file = True, None
        return Response(b"", SW_OK)

    def _select_mf_file(self, command: Command) -> Response:
        fid = int.from_bytes(command.data, "big") if len(command.data) == 2 else -1
        if not self._app_selected and fid in self._mf_files:
            self._mf_file = fid
            return Response(b"", SW_OK)
        return Response(b"", SW_SECURITY if self._app_selected else SW_NOT_FOUND)

    def _read_mf_file(self, command: Command) -> Response:
        content = self._mf_files[self._mf_file or 0]
        offset = (command.p1 << 8) | command.p2
        if command.p1 & 0x80 or offset > len(content):
            return Response(b"", SW_WRONG_P1P2)
        return Response(content[offset : offset + (command.le or 256)], SW_OK)

    def _pace_step(self, command: Command) -> Response:
        if self._pace is None or self._app_selected:
            return Response(b"", SW_INS if self._pace is None else SW_CONDITIONS)
        if command.ins == pace_protocol.INS_MSE:
            return self._pace.set_at(command)
        response, channel = self._pace.general_authenticate(command)
        if channel is not None:
            self._channel = channel
        return response

    def _ca_step(self, command: Command) -> Response:
        if self._ca is None:
            return Response(b"", SW_INS)
        if command.ins == pace_protocol.INS_MSE:
            return self._ca.set_at(command)
        response, channel = self._ca.general_authenticate(command)
        self._next_channel = channel
        return response

    def _select(self, command: Command) -> Response:
        if command.p1 in (0x00, 0x02) and len(command.data) == 2 and self._app_selected:
            fid = int.from_bytes(command.data, "big")
            if fid not in self.files:
                return Response(b"", SW_NOT_FOUND)
            self._file = fid
            return Response(b"", SW_OK)
        return Response(b"", SW_WRONG_P1P2)

    def _get_challenge(self, command: Command) -> Response:
        if command.le != 8 or not self._app_selected:
            return Response(b"", SW_CONDITIONS if not self._app_selected else SW_WRONG_LENGTH)
        self._challenge = os.urandom(8)
        return Response(self._challenge, SW_OK)

    def _external_authenticate(self, command: Command) -> Response:
        challenge, self._challenge = self._challenge, None
        if challenge is None:
            return Response(b"", SW_CONDITIONS)
        if len(command.data) != 40:
            return Response(b"", SW_WRONG_LENGTH)
        cryptogram, mac = command.data[:32], command.data[32:]
        if not crypto.mac_equal(crypto.retail_mac(self._k_mac, cryptogram), mac):
            return Response(b"", SW_AUTH_FAILED)
        plain = crypto.decrypt(self._k_enc, cryptogram)
        rnd_ifd, rnd_icc, k_ifd = plain[:8], plain[8:16], plain[16:32]
        if rnd_icc != challenge:
            return Response(b"", SW_AUTH_FAILED)
        k_icc = os.urandom(16)
        answer = crypto.encrypt(self._k_enc, challenge + rnd_ifd + k_icc)
        seed = bytes(a ^ b for a, b in zip(k_ifd, k_icc, strict=True))
        self._channel = CardChannel(
            crypto.derive_key(seed, crypto.ENC),
            crypto.derive_key(seed, crypto.MAC),
            challenge[4:] + rnd_ifd[4:],
        )
        return Response(answer + crypto.retail_mac(self._k_mac, answer), SW_OK)

    def _read_binary(self, command: Command) -> Response:
        if self._file is None:
            return Response(b"", SW_CONDITIONS)
        if command.p1 & 0x80:
            return Response(b"", SW_WRONG_P1P2)  # short file identifiers are not offered
        offset = (command.p1 << 8) | command.p2
        content = self.files[self._file]
        if offset > len(content):
            return Response(b"", SW_WRONG_P1P2)
        length = command.le or 256
        return Response(content[offset : offset + length], SW_OK)

    def _internal_authenticate(self, command: Command) -> Response:
        if self._aa_key is None:
            return Response(b"", SW_INS)
        if len(command.data) != aa.CHALLENGE_SIZE:
            return Response(b"", SW_WRONG_DATA)
        return Response(self._aa_key.sign(command.data), SW_OK)
