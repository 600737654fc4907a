"""Active Authentication (ICAO 9303 part 11 section 6.1): the chip proves it holds the private key whose
public half is in DG15 (itself covered by the SOD) by signing a fresh 8-byte challenge from the reader
(INTERNAL AUTHENTICATE). A copied chip has the data but not the key, so its answer does not verify.

This implements the ECDSA form (plain r||s signature, SHA-256, as DG14's aaProtocolObject names it for an
EC key). An RSA key (ISO/IEC 9796-2 message recovery) is reported as ``not_supported``.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

VALID, FAILED, NOT_OFFERED, NOT_SUPPORTED = "valid", "failed", "not_offered", "not_supported"
INS_INTERNAL_AUTHENTICATE = 0x88


def chip_sign(key: ec.EllipticCurvePrivateKey, challenge: bytes) -> bytes:
    """The chip's side: the plain r||s ECDSA signature over the challenge."""
    r, s = decode_dss_signature(key.sign(challenge, ec.ECDSA(hashes.SHA256())))
    size = (key.curve.key_size + 7) // 8
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def verify(public_key_info: bytes, challenge: bytes, signature: bytes) -> str:
    """``valid``, ``failed`` or ``not_supported`` for the chip's answer to ``challenge``."""
    try:
        key = serialization.load_der_public_key(public_key_info)
    except (ValueError, UnsupportedAlgorithm):  # not a key, or a curve OpenSSL does not know
        return FAILED
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return NOT_SUPPORTED
    size = (key.curve.key_size + 7) // 8
    if len(signature) != 2 * size:
        return FAILED
    der = encode_dss_signature(
        int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
    )
    try:
        key.verify(der, challenge, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return FAILED
    return VALID
