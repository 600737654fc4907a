"""Active Authentication (ICAO Doc 9303 part 11, section 6.1), both ends: the chip proves it holds the
private key whose public half is in DG15 (itself covered by the SOD) by signing a fresh challenge from the
reader with INTERNAL AUTHENTICATE. A copied chip has the data but not the key, so its answer does not
verify: the copy is found.

The rules this module applies, as Doc 9303 part 11 section 6.1 gives them (and ISO/IEC 9796-2, to which it
points for RSA):

* The reader sends an 8-byte random nonce RND.IFD in INTERNAL AUTHENTICATE (``00 88 00 00``); the chip
  signs it with its Active Authentication private key and returns the signature.
* RSA: ISO/IEC 9796-2 digital signature scheme 1 with partial message recovery. The chip makes a nonce
  M1 of c - 4 bits, c = k - L_h - 8 - 4 (k the modulus length, L_h the hash length; 8 bits fewer with a
  two-byte trailer), forms M = M1 || M2 with M2 = RND.IFD, and signs the message representative
  F = '6A' || M1 || H(M) || trailer. The reader recovers F = SIG^e mod n (the opening function: J* = SIG^e
  mod n, J = J* when J* = 12 mod 16, else n - J*), checks the header (its first two bits '01', the third
  the partial-recovery flag: nibble '6'; with total recovery nibble '4' and padding nibbles 'B' ended by
  'A'), takes M1 from the recovered part, computes H(M1 || RND.IFD) and compares it with H in F.
* The trailer names the hash: one byte 'BC' is SHA-1 (option 1, implicit); two bytes 'XX' 'CC' carry the
  hash function identifier of ISO/IEC 10118-3 (option 2): 0x33 SHA-1, 0x38 SHA-224, 0x34 SHA-256,
  0x36 SHA-384, 0x35 SHA-512. A trailer not ending in nibble 'C', or an identifier the kiosk does not know,
  fails the check.
* ECDSA: the plain signature format (r || s, BSI TR-03111), with the hash DG14's ActiveAuthenticationInfo
  names (protocol id-icao-mrtd-security-aaProtocolObject 2.23.136.1.1.5, version 1, signatureAlgorithm).

What the kiosk adds, its own policy: the signature must be exactly the modulus long and below it; an RSA key
under 1024 bits or with an even exponent (Rabin-Williams, which this module does not implement) is
``not_supported`` (detail ``key_too_small``, ``key_exponent``); an ECDSA key without ActiveAuthenticationInfo
in DG14 is verified with SHA-256, the hash the simulated chips use (Doc 9303 wants the info for ECDSA).
Total recovery is accepted only when the recovered message ends with the challenge.

:func:`verify` never raises on the chip's answer: every failure is an :class:`AaResult` whose ``detail``
says which check failed. The chip's side (:class:`ChipAaKey`) signs for the simulated chip.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from kiosk.identity.chip.tlv import TlvError, iter_tlv, tlv, unwrap

VALID, FAILED, NOT_OFFERED, NOT_SUPPORTED = "valid", "failed", "not_offered", "not_supported"
INS_INTERNAL_AUTHENTICATE = 0x88
CHALLENGE_SIZE = 8
MIN_RSA_BITS = 1024

# ISO/IEC 10118-3 hash function identifiers (the 'XX' of an option-2 trailer 'XX' 'CC').
TRAILER_IMPLICIT = 0xBC  # option 1: SHA-1
HASH_IDS = {0x33: "sha1", 0x38: "sha224", 0x34: "sha256", 0x36: "sha384", 0x35: "sha512"}
HASH_ID_OF = {name: ident for ident, name in HASH_IDS.items()}

# DG14's ActiveAuthenticationInfo: the protocol and the ECDSA signature algorithms it may name.
OID_AA_PROTOCOL = bytes.fromhex("678108010105")  # 2.23.136.1.1.5
_ECDSA_PLAIN = "04007F0007010104010"  # 0.4.0.127.0.7.1.1.4.1.n (BSI TR-03111 ecdsa-plain-SHA*)
ECDSA_HASH_OIDS = {
    bytes.fromhex(_ECDSA_PLAIN + "1"): "sha1",
    bytes.fromhex(_ECDSA_PLAIN + "2"): "sha224",
    bytes.fromhex(_ECDSA_PLAIN + "3"): "sha256",
    bytes.fromhex(_ECDSA_PLAIN + "4"): "sha384",
    bytes.fromhex(_ECDSA_PLAIN + "5"): "sha512",
    bytes.fromhex("2A8648CE3D0401"): "sha1",  # 1.2.840.10045.4.1 ecdsa-with-SHA1 (X9.62)
    bytes.fromhex("2A8648CE3D040301"): "sha224",  # 1.2.840.10045.4.3.n ecdsa-with-SHA2
    bytes.fromhex("2A8648CE3D040302"): "sha256",
    bytes.fromhex("2A8648CE3D040303"): "sha384",
    bytes.fromhex("2A8648CE3D040304"): "sha512",
}
ECDSA_OID_OF = {name: oid for oid, name in list(ECDSA_HASH_OIDS.items())[:5]}
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}

# Why a check failed or could not run: ``detail`` of an AaResult (for the log and ``kiosk id chip``).
DETAILS = {
    "no_answer": "the chip did not answer INTERNAL AUTHENTICATE",
    "key_unreadable": "DG15 holds no public key the kiosk can read",
    "key_type": "DG15 holds a key of a type Active Authentication does not use",
    "key_too_small": f"DG15's RSA key is under {MIN_RSA_BITS} bits",
    "key_exponent": "DG15's RSA key has an even exponent (Rabin-Williams), which the kiosk does not verify",
    "hash_unknown": "DG14 names an Active Authentication signature algorithm the kiosk does not know",
    "signature_length": "the signature is not as long as the key's modulus",
    "signature_range": "the signature is not below the key's modulus",
    "trailer": "the recovered message's trailer is not ISO/IEC 9796-2's ('BC' or 'XX' 'CC')",
    "trailer_hash_unknown": "the trailer names a hash function the kiosk does not know",
    "header": "the recovered message's header is not ISO/IEC 9796-2 scheme 1's ('01' bits)",
    "padding": "the recovered message's padding is not ISO/IEC 9796-2's",
    "message_empty": "the recovered message holds no nonce M1",
    "challenge_not_signed": "the recovered message (total recovery) does not end with the challenge",
    "digest_mismatch": "the hash in the signature is not the hash of the nonce and the challenge",
    "ecdsa_invalid": "the ECDSA signature over the challenge does not verify",
}


@dataclass(frozen=True)
class AaResult:
    """The verdict (``valid``, ``failed``, ``not_supported``) and, unless valid, which check said so."""

    verdict: str
    detail: str = ""
    algorithm: str = ""  # "rsa-iso9796-2/sha256", "ecdsa/sha256"

    @property
    def message(self) -> str:
        return DETAILS.get(self.detail, self.detail)


def _failed(detail: str, algorithm: str = "") -> AaResult:
    return AaResult(FAILED, detail, algorithm)


def _unsupported(detail: str, algorithm: str = "") -> AaResult:
    return AaResult(NOT_SUPPORTED, detail, algorithm)


def _digest(name: str, data: bytes) -> bytes:
    return hashlib.new(name, data).digest()


# -- DG14: the ECDSA hash ---------------------------------------------------------------------------
def build_aa_info(hash_name: str) -> bytes:
    """An ActiveAuthenticationInfo naming ecdsa-plain-``hash_name`` (for a DG14)."""
    body = tlv(0x06, OID_AA_PROTOCOL) + tlv(0x02, b"\x01") + tlv(0x06, ECDSA_OID_OF[hash_name])
    return tlv(0x30, body)


def ecdsa_hash_in_dg14(dg14: bytes | None) -> str | None:
    """The hash DG14's ActiveAuthenticationInfo names: a hash name, "" when it names an algorithm the
    kiosk does not know, None when DG14 (or the info) is not there or cannot be read."""
    if not dg14:
        return None
    try:
        infos = [value for tag, value in iter_tlv(unwrap(unwrap(dg14, 0x6E), 0x31)) if tag == 0x30]
    except TlvError:
        return None
    for info in infos:
        try:
            parts = list(iter_tlv(info))
        except TlvError:
            continue
        if len(parts) >= 3 and parts[0] == (0x06, OID_AA_PROTOCOL) and parts[2][0] == 0x06:
            return ECDSA_HASH_OIDS.get(parts[2][1], "")
    return None


# -- the reader's side ------------------------------------------------------------------------------
def answer_size(public_key_info: bytes) -> int:
    """How long the chip's signature is with this key (0 when the key cannot be read): the Le to ask."""
    try:
        key = serialization.load_der_public_key(public_key_info)
    except (ValueError, UnsupportedAlgorithm):
        return 0
    if isinstance(key, rsa.RSAPublicKey):
        return (key.key_size + 7) // 8
    if isinstance(key, ec.EllipticCurvePublicKey):
        return 2 * ((key.curve.key_size + 7) // 8)
    return 0


def verify(
    public_key_info: bytes, challenge: bytes, signature: bytes, *, ecdsa_hash: str | None = None
) -> AaResult:
    """Check the chip's answer ``signature`` to ``challenge`` with DG15's ``public_key_info`` (DER
    SubjectPublicKeyInfo). ``ecdsa_hash`` is the hash DG14 names for an EC key (None: not named, SHA-256;
    "": named but unknown). Never raises."""
    try:
        key = serialization.load_der_public_key(public_key_info)
    except (ValueError, UnsupportedAlgorithm):  # not a key, or a curve OpenSSL does not know
        return _unsupported("key_unreadable")
    if not signature:
        return _failed("no_answer")
    if isinstance(key, rsa.RSAPublicKey):
        return verify_rsa(key, challenge, signature)
    if isinstance(key, ec.EllipticCurvePublicKey):
        return _verify_ecdsa(key, challenge, signature, "sha256" if ecdsa_hash is None else ecdsa_hash)
    return _unsupported("key_type")


def _verify_ecdsa(
    key: ec.EllipticCurvePublicKey, challenge: bytes, signature: bytes, hash_name: str
) -> AaResult:
    if hash_name not in _HASHES:
        return _unsupported("hash_unknown", "ecdsa")
    algorithm = f"ecdsa/{hash_name}"
    size = (key.curve.key_size + 7) // 8
    if len(signature) != 2 * size:
        return _failed("signature_length", algorithm)
    r, s = int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
    try:
        key.verify(encode_dss_signature(r, s), challenge, ec.ECDSA(_HASHES[hash_name]()))
    except (InvalidSignature, ValueError):
        return _failed("ecdsa_invalid", algorithm)
    return AaResult(VALID, "", algorithm)


@dataclass(frozen=True)
class Recovered:
    """An ISO/IEC 9796-2 scheme 1 message representative taken apart."""

    partial: bool  # partial recovery: M2 (the challenge) is not in the representative
    message: bytes  # the recoverable part M1 (the whole message with total recovery)
    digest: bytes
    hash_name: str


def open_representative(key: rsa.RSAPublicKey, signature: bytes) -> Recovered | str:
    """The message representative of ``signature`` taken apart, or the detail key of the first check it
    fails (``signature_length``, ``signature_range``, ``trailer``, ``trailer_hash_unknown``, ``header``,
    ``padding``, ``message_empty``)."""
    numbers = key.public_numbers()
    n, e = numbers.n, numbers.e
    size = (n.bit_length() + 7) // 8
    if len(signature) != size:
        return "signature_length"
    sig = int.from_bytes(signature, "big")
    if sig >= n:
        return "signature_range"
    opened = pow(sig, e, n)
    if opened & 0xF != 0xC:  # the opening function: J = J* when J* = 12 (mod 16), else n - J*
        opened = n - opened
    if opened & 0xF != 0xC:
        return "trailer"
    block = opened.to_bytes(size, "big")
    if block[-1] == TRAILER_IMPLICIT:
        hash_name, trailer = "sha1", 1
    elif block[-1] == 0xCC:
        name = HASH_IDS.get(block[-2])
        if name is None:
            return "trailer_hash_unknown"
        hash_name, trailer = name, 2
    else:
        return "trailer"
    if block[0] >> 6 != 0b01:
        return "header"
    partial = bool(block[0] & 0x20)
    start = _message_start(block, partial)
    if start is None:
        return "padding"
    end = size - trailer - hashlib.new(hash_name).digest_size
    if end - start <= 0:
        return "message_empty"
    return Recovered(partial, block[start:end], block[end : size - trailer], hash_name)


def _message_start(block: bytes, partial: bool) -> int | None:
    """Where the message starts after the header nibble and the padding: the low nibble of the first
    byte is 'A' (no padding) or 'B' followed by 'BB' bytes and one 'BA'. Partial recovery fills the
    representative, so it has no padding."""
    if block[0] & 0x0F == 0x0A:
        return 1
    if partial or block[0] & 0x0F != 0x0B:
        return None
    for index in range(1, len(block)):
        if block[index] == 0xBA:
            return index + 1
        if block[index] != 0xBB:
            return None
    return None


def verify_rsa(key: rsa.RSAPublicKey, challenge: bytes, signature: bytes) -> AaResult:
    """ISO/IEC 9796-2 scheme 1 verification of the chip's answer, as Doc 9303 part 11 section 6.1 has it."""
    if key.key_size < MIN_RSA_BITS:
        return _unsupported("key_too_small", "rsa-iso9796-2")
    if key.public_numbers().e % 2 == 0:
        return _unsupported("key_exponent", "rsa-iso9796-2")
    recovered = open_representative(key, signature)
    if isinstance(recovered, str):
        return _failed(recovered, "rsa-iso9796-2")
    algorithm = f"rsa-iso9796-2/{recovered.hash_name}"
    if recovered.partial:
        message = recovered.message + challenge
    else:
        if not recovered.message.endswith(challenge):
            return _failed("challenge_not_signed", algorithm)
        message = recovered.message
    if not hmac.compare_digest(_digest(recovered.hash_name, message), recovered.digest):
        return _failed("digest_mismatch", algorithm)
    return AaResult(VALID, "", algorithm)


# -- the chip's side --------------------------------------------------------------------------------
AaPrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def representative(key_bits: int, challenge: bytes, hash_name: str, nonce: bytes | None = None) -> bytes:
    """The ISO/IEC 9796-2 scheme 1 representative a chip signs: '6A' || M1 || H(M1 || challenge) ||
    trailer ('BC' for SHA-1, else the ISO/IEC 10118-3 identifier and 'CC'); M1 a random nonce filling the
    rest (``nonce`` to give it)."""
    size = (key_bits + 7) // 8
    trailer = bytes([TRAILER_IMPLICIT]) if hash_name == "sha1" else bytes([HASH_ID_OF[hash_name], 0xCC])
    m1_size = size - 1 - hashlib.new(hash_name).digest_size - len(trailer)
    m1 = os.urandom(m1_size) if nonce is None else nonce
    if len(m1) != m1_size:
        raise ValueError(f"M1 must be {m1_size} bytes for a {key_bits}-bit key and {hash_name}")
    return b"\x6a" + m1 + _digest(hash_name, m1 + challenge) + trailer


def rsa_raw_sign(key: rsa.RSAPrivateKey, block: bytes) -> bytes:
    """SIG = F^d mod n (with the CRT), as many bytes as the modulus: the chip's RSA primitive."""
    private = key.private_numbers()
    n = private.public_numbers.n
    value = int.from_bytes(block, "big")
    if value >= n:
        raise ValueError("the representative is not below the modulus")
    m1 = pow(value, private.dmp1, private.p)
    m2 = pow(value, private.dmq1, private.q)
    h = (private.iqmp * (m1 - m2)) % private.p
    return (m2 + h * private.q).to_bytes((n.bit_length() + 7) // 8, "big")


@dataclass(frozen=True)
class ChipAaKey:
    """The chip's Active Authentication key and the hash it signs with (an RSA key's trailer names it;
    an EC key's hash is named in DG14's ActiveAuthenticationInfo)."""

    key: AaPrivateKey
    hash_name: str = "sha256"

    def __repr__(self) -> str:
        kind = "RSA" if isinstance(self.key, rsa.RSAPrivateKey) else "EC"
        return f"ChipAaKey({kind} {self.key.key_size}, {self.hash_name})"

    @classmethod
    def generate(cls, kind: str = "ecdsa", hash_name: str = "sha256", *, bits: int = 1024) -> ChipAaKey:
        """A new key: ``kind`` "ecdsa" (P-256) or "rsa" (``bits``, exponent 65537)."""
        if hash_name not in _HASHES:
            raise ValueError(f"unknown hash {hash_name!r}; known: {', '.join(_HASHES)}")
        if kind == "rsa":
            return cls(rsa.generate_private_key(public_exponent=65537, key_size=bits), hash_name)
        if kind == "ecdsa":
            return cls(ec.generate_private_key(ec.SECP256R1()), hash_name)
        raise ValueError(f"unknown Active Authentication key kind {kind!r}: ecdsa or rsa")

    def public_key_info(self) -> bytes:
        """The DER SubjectPublicKeyInfo DG15 holds."""
        return self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, challenge: bytes) -> bytes:
        """The answer to INTERNAL AUTHENTICATE."""
        if isinstance(self.key, rsa.RSAPrivateKey):
            return rsa_raw_sign(self.key, representative(self.key.key_size, challenge, self.hash_name))
        r, s = decode_dss_signature(self.key.sign(challenge, ec.ECDSA(_HASHES[self.hash_name]())))
        size = (self.key.curve.key_size + 7) // 8
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
