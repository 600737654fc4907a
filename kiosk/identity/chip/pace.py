"""PACE (ICAO 9303 part 11 section 4.4), both ends: id-PACE-ECDH-GM-AES-CBC-CMAC-128 on NIST P-256
(standardized domain parameters 12), with the MRZ as the password.

1. MSE:Set AT names the protocol and the password (the MRZ);
2. GENERAL AUTHENTICATE: the chip sends a nonce s encrypted with K_pi = KDF(SHA-1(MRZ information), 3);
3. generic mapping: an ECDH exchange gives H, and both sides map the generator to G' = s*G + H;
4. an ECDH exchange on G' gives the shared secret K, hence K_enc and K_mac for AES secure messaging;
5. each side proves it has K_mac with a CMAC over the other side's public key (the authentication tokens).

A wrong password gives a different s: the tokens then do not match and the chip refuses (6300). The chip
lists PACE in EF.CardAccess, readable without any key.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk.identity.chip import crypto, ecc
from kiosk.identity.chip.mrz import BacKey
from kiosk.identity.chip.sm import SW_OK, CardChannel, Command, Response, SecureChannel
from kiosk.identity.chip.tlv import TlvError, children, iter_tlv, tlv, unwrap

OID_PACE_ECDH_GM_AES_128 = bytes.fromhex("04007F00070202040202")  # 0.4.0.127.0.7.2.2.4.2.2
PARAM_P256 = 12
FID_CARD_ACCESS = 0x011C
PASSWORD_MRZ = 0x01
INS_MSE, INS_GENERAL_AUTHENTICATE = 0x22, 0x86
_ZERO_IV = bytes(16)


class PaceError(Exception):
    """PACE did not complete: ``refused`` when the chip said no (a wrong password), else a protocol fault."""

    def __init__(self, message: str, *, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused


def build_card_access() -> bytes:
    """EF.CardAccess: SecurityInfos with one PACEInfo (the protocol, version 2, P-256)."""
    info = tlv(0x06, OID_PACE_ECDH_GM_AES_128) + tlv(0x02, b"\x02") + tlv(0x02, bytes([PARAM_P256]))
    return tlv(0x31, tlv(0x30, info))


def offers_pace(card_access: bytes) -> bool:
    """Whether EF.CardAccess lists the PACE variant this reader speaks."""
    try:
        for tag, info in iter_tlv(unwrap(card_access, 0x31)):
            if tag != 0x30:
                continue
            parts = list(iter_tlv(info))
            if not parts or parts[0] != (0x06, OID_PACE_ECDH_GM_AES_128):
                continue
            params = [v for t, v in parts[2:] if t == 0x02]
            if not params or int.from_bytes(params[0], "big") == PARAM_P256:
                return True
    except TlvError:
        return False
    return False


def password_key(key: BacKey) -> bytes:
    """K_pi: the key that encrypts the chip's nonce."""
    return crypto.kdf_sha1(hashlib.sha1(key.mrz_information().encode("ascii")).digest(), 3)


def _public_key_info(point: ecc.Point) -> bytes:
    return tlv(0x7F49, tlv(0x06, OID_PACE_ECDH_GM_AES_128) + tlv(0x86, point.encode()))


def _scalar() -> int:
    return secrets.randbelow(ecc.N - 1) + 1


def _mapped_generator(nonce: int, h: ecc.Point | None) -> ecc.Point:
    mapped = ecc.add(ecc.multiply(nonce, ecc.G), h)
    if mapped is None:
        raise PaceError("the mapped generator is the point at infinity")
    return mapped


def _session(shared: ecc.Point | None) -> tuple[bytes, bytes]:
    if shared is None:
        raise PaceError("the shared secret is the point at infinity")
    secret = shared.x.to_bytes(ecc.SIZE, "big")
    return crypto.kdf_sha1(secret, 1), crypto.kdf_sha1(secret, 2)


def _dynamic(response: Response, tag: int) -> bytes:
    if response.sw != SW_OK:
        raise PaceError(f"GENERAL AUTHENTICATE: {response.sw:04X}", refused=response.sw in (0x6300, 0x6982))
    try:
        return children(unwrap(response.data, 0x7C))[tag]
    except (TlvError, KeyError):
        raise PaceError(f"GENERAL AUTHENTICATE: no data object {tag:02X}") from None


def establish(send: Callable[[Command], Response], key: BacKey) -> SecureChannel:
    """The reader's side of PACE; the secure channel it opens (AES)."""
    setup = send(Command(0x00, INS_MSE, 0xC1, 0xA4, tlv(0x80, OID_PACE_ECDH_GM_AES_128) + tlv(0x83, b"\x01")))
    if setup.sw != SW_OK:
        raise PaceError(f"MSE:Set AT: {setup.sw:04X}")

    def step(data: bytes, tag: int, *, last: bool = False) -> bytes:
        command = Command(0x00 if last else 0x10, INS_GENERAL_AUTHENTICATE, 0, 0, tlv(0x7C, data), le=256)
        return _dynamic(send(command), tag)

    encrypted = step(b"", 0x80)
    if not encrypted or len(encrypted) % 16:
        raise PaceError("the chip's nonce is not whole AES blocks")
    nonce = int.from_bytes(crypto.aes_decrypt(password_key(key), _ZERO_IV, encrypted), "big")
    map_secret = _scalar()
    try:
        chip_map = ecc.decode(step(tlv(0x81, ecc.multiply(map_secret, ecc.G).encode()), 0x82))  # type: ignore[union-attr]
        generator = _mapped_generator(nonce, ecc.multiply(map_secret, chip_map))
        secret = _scalar()
        own = ecc.multiply(secret, generator)
        assert own is not None
        chip_public = ecc.decode(step(tlv(0x83, own.encode()), 0x84))
    except ValueError as exc:
        raise PaceError(f"the chip sent a bad point: {exc}") from None
    if chip_public == own:
        raise PaceError("the chip echoed the reader's public key")
    k_enc, k_mac = _session(ecc.multiply(secret, chip_public))
    token = step(tlv(0x85, crypto.aes_cmac(k_mac, _public_key_info(chip_public))), 0x86, last=True)
    if not crypto.mac_equal(token, crypto.aes_cmac(k_mac, _public_key_info(own))):
        raise PaceError("the chip's authentication token is wrong")
    return SecureChannel(k_enc, k_mac, bytes(16), aes=True)


@dataclass
class ChipPace:
    """The chip's side, one GENERAL AUTHENTICATE at a time."""

    key: BacKey
    step: int = 0
    nonce: int = 0
    map_secret: int = 0
    generator: ecc.Point | None = None
    secret: int = 0
    own: ecc.Point | None = None
    reader_public: ecc.Point | None = None
    keys: tuple[bytes, bytes] = field(default=(b"", b""))

    def set_at(self, command: Command) -> Response:
        try:
            objects = children(command.data)
        except TlvError:
            return Response(b"", 0x6A80)
        if objects.get(0x80) != OID_PACE_ECDH_GM_AES_128 or objects.get(0x83) != bytes([PASSWORD_MRZ]):
            return Response(b"", 0x6A80)
        self.step = 1
        return Response(b"", SW_OK)

    def general_authenticate(self, command: Command) -> tuple[Response, CardChannel | None]:
        """The answer to one step; the secure channel once the last step succeeded."""
        try:
            data = children(unwrap(command.data, 0x7C)) if command.data[2:] else {}
            return self._step(data)
        except (TlvError, ValueError, KeyError):
            self.step = 0
            return Response(b"", 0x6A80), None

    def _step(self, data: dict[int, bytes]) -> tuple[Response, CardChannel | None]:
        def answer(tag: int, value: bytes) -> Response:
            return Response(tlv(0x7C, tlv(tag, value)), SW_OK)

        if self.step == 1:
            self.nonce = secrets.randbits(128) or 1
            encrypted = crypto.aes_encrypt(password_key(self.key), _ZERO_IV, self.nonce.to_bytes(16, "big"))
            self.step = 2
            return answer(0x80, encrypted), None
        if self.step == 2:
            reader_map = ecc.decode(data[0x81])
            self.map_secret = _scalar()
            self.generator = _mapped_generator(self.nonce, ecc.multiply(self.map_secret, reader_map))
            own_map = ecc.multiply(self.map_secret, ecc.G)
            assert own_map is not None
            self.step = 3
            return answer(0x82, own_map.encode()), None
        if self.step == 3 and self.generator is not None:
            self.reader_public = ecc.decode(data[0x83])
            self.secret = _scalar()
            self.own = ecc.multiply(self.secret, self.generator)
            assert self.own is not None
            self.keys = _session(ecc.multiply(self.secret, self.reader_public))
            self.step = 4
            return answer(0x84, self.own.encode()), None
        if self.step == 4 and self.own is not None and self.reader_public is not None:
            self.step = 0
            k_enc, k_mac = self.keys
            if not crypto.mac_equal(data[0x85], crypto.aes_cmac(k_mac, _public_key_info(self.own))):
                return Response(b"", 0x6300), None  # a wrong password
            token = crypto.aes_cmac(k_mac, _public_key_info(self.reader_public))
            return answer(0x86, token), CardChannel(k_enc, k_mac, bytes(16), aes=True)
        self.step = 0
        return Response(b"", 0x6985), None
