"""Chip Authentication (ICAO 9303 part 11 section 6.2, BSI TR-03110 version 1), both ends:
id-CA-ECDH-AES-CBC-CMAC-128 with the chip's static P-256 key from DG14 (itself covered by the SOD).

Inside the running secure session, the reader names the protocol (MSE:Set AT) and sends an ephemeral
public key (GENERAL AUTHENTICATE); both sides compute K = ECDH(ephemeral, the chip's static key) and
restart secure messaging with AES keys from K and a zero counter. A copied chip has DG14 but not the
private key, so its next answer does not verify: the copy is found.
"""

from __future__ import annotations

from collections.abc import Callable

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from kiosk.identity.chip import crypto
from kiosk.identity.chip.sm import SW_OK, CardChannel, Command, Response, SecureChannel
from kiosk.identity.chip.tlv import TlvError, children, iter_tlv, tlv, unwrap

OID_PK_ECDH = bytes.fromhex("04007F000702020102")  # 0.4.0.127.0.7.2.2.1.2
OID_CA_ECDH_AES_128 = bytes.fromhex("04007F00070202030202")  # 0.4.0.127.0.7.2.2.3.2.2
DG14_TAG = 0x6E


class CaError(Exception):
    """Chip Authentication could not run (not a clone verdict: that is a broken session afterwards)."""


def build_dg14(public_key: ec.EllipticCurvePublicKey, extra_infos: bytes = b"") -> bytes:
    """DG14: the chip's Chip Authentication public key and the protocol it speaks (and ``extra_infos``,
    other SecurityInfos such as Active Authentication's)."""
    spki = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key_info = tlv(0x30, tlv(0x06, OID_PK_ECDH) + spki)
    ca_info = tlv(0x30, tlv(0x06, OID_CA_ECDH_AES_128) + tlv(0x02, b"\x01"))
    return tlv(DG14_TAG, tlv(0x31, key_info + ca_info + extra_infos))


def offered_key(dg14: bytes) -> ec.EllipticCurvePublicKey | None:
    """The chip's static key when DG14 offers id-CA-ECDH-AES-CBC-CMAC-128 on an EC key, else None."""
    try:
        infos = [value for tag, value in iter_tlv(unwrap(unwrap(dg14, DG14_TAG), 0x31)) if tag == 0x30]
    except TlvError:
        return None
    protocols, key = set(), None
    for info in infos:
        try:
            parts = list(iter_tlv(info))
        except TlvError:
            continue
        if not parts or parts[0][0] != 0x06:
            continue
        protocols.add(parts[0][1])
        if parts[0][1] == OID_PK_ECDH and len(parts) > 1 and parts[1][0] == 0x30:
            try:
                loaded = serialization.load_der_public_key(tlv(0x30, parts[1][1]))
            except (ValueError, UnsupportedAlgorithm):  # not a key, or a curve OpenSSL does not know
                continue
            if isinstance(loaded, ec.EllipticCurvePublicKey):
                key = loaded
    return key if OID_CA_ECDH_AES_128 in protocols else None


def _keys(shared: bytes) -> tuple[bytes, bytes]:
    return crypto.kdf_sha1(shared, 1), crypto.kdf_sha1(shared, 2)


def authenticate(send: Callable[[Command], Response], chip_key: ec.EllipticCurvePublicKey) -> SecureChannel:
    """The reader's side: run CA in the current session and return the new secure channel (whose first
    exchange tells whether the chip really holds the key)."""
    if not isinstance(chip_key.curve, ec.SECP256R1):
        raise CaError(f"unsupported Chip Authentication curve {chip_key.curve.name}")
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    point = ephemeral.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    setup = send(Command(0x00, 0x22, 0x41, 0xA4, tlv(0x80, OID_CA_ECDH_AES_128)))
    if setup.sw != SW_OK:
        raise CaError(f"MSE:Set AT: {setup.sw:04X}")
    answer = send(Command(0x00, 0x86, 0x00, 0x00, tlv(0x7C, tlv(0x80, point)), le=256))
    if answer.sw != SW_OK:
        raise CaError(f"GENERAL AUTHENTICATE: {answer.sw:04X}")
    k_enc, k_mac = _keys(ephemeral.exchange(ec.ECDH(), chip_key))
    return SecureChannel(k_enc, k_mac, bytes(16), aes=True)


class ChipCa:
    """The chip's side: its static private key."""

    def __init__(self, key: ec.EllipticCurvePrivateKey) -> None:
        self.key = key
        self.armed = False

    def set_at(self, command: Command) -> Response:
        try:
            oid = children(command.data).get(0x80)
        except TlvError:
            oid = None
        self.armed = oid == OID_CA_ECDH_AES_128
        return Response(b"", SW_OK if self.armed else 0x6A80)

    def general_authenticate(self, command: Command) -> tuple[Response, CardChannel | None]:
        """``7C 00`` and the channel to switch to after this answer (sent under the old keys)."""
        if not self.armed:
            return Response(b"", 0x6985), None
        self.armed = False
        try:
            point = children(unwrap(command.data, 0x7C))[0x80]
            reader_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        except (TlvError, KeyError, ValueError):
            return Response(b"", 0x6A80), None
        k_enc, k_mac = _keys(self.key.exchange(ec.ECDH(), reader_key))
        return Response(tlv(0x7C, b""), SW_OK), CardChannel(k_enc, k_mac, bytes(16), aes=True)
