"""The QR seal: CWT claims in a COSE_Sign1 (ES256), zlib, base45, prefix ``VNC1:`` (as the EU DCC does).

Claims (CBOR map)::

    1 (iss)      the authority's short code ("HN"); its full name is the O of the signer certificate
    6 (iat)      issue time, seconds since the epoch
    -65537       the copy (a private-use claim):
                 1 code, 2 kiosk id, 3 document type, 4 page count,
                 5 content digest (16 bytes: every page's whole drawn content, see ``signing.content``),
                 6 masked holder id, 7 holder's name, 8 document number, 9 document date (ISO, or ""),
                 10 [page fingerprint, ...] (see ``signing.fingerprint``)

The protected header is ``{1: -7 (ES256), 4: kid}`` where kid is the first 8 bytes of SHA-256 over the
signer certificate's DER.

What a checker compares with the paper in their hand (name, document type and number, date, page count)
is in the seal in clear, so ``kiosk verify`` can print it; the page fingerprints let the verifier reject a
seal cut from one page and pasted onto another.

Why one content digest and not one hash a page: the seal must stay small enough to decode from a 150 dpi
scan. The PAdES signature already protects the whole PDF; the content digest binds the seal to what this
copy draws on its pages (SHA-256, 128 bits kept), and the verifier recomputes every page's digest to say
which one differs.

Why the authority's code and not its name: the name (60+ bytes of UTF-8) would cost a QR version; the
certificate that the kid names already carries it, vouched for by the root CA.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import base45
import cbor2

from signing.errors import SealFormatError

PREFIX = "VNC1:"
CONTENT_DIGEST_BYTES = 16
ALG_ES256 = -7
COSE_SIGN1_TAG = 18
CLAIM_ISS, CLAIM_IAT, CLAIM_COPY = 1, 6, -65537
MAX_SEAL_CHARS = 4000


@dataclass(frozen=True)
class SealClaims:
    code: str
    issued_at: dt.datetime
    authority: str
    kiosk_id: str
    doc_type: str
    pages: int
    content_digest: bytes
    holder: str
    holder_name: str = ""
    doc_number: str = ""
    doc_date: str = ""
    fingerprints: tuple[bytes, ...] = ()

    def to_cbor_map(self) -> dict[int, Any]:
        return {
            CLAIM_ISS: self.authority,
            CLAIM_IAT: int(self.issued_at.timestamp()),
            CLAIM_COPY: {
                1: self.code,
                2: self.kiosk_id,
                3: self.doc_type,
                4: self.pages,
                5: self.content_digest,
                6: self.holder,
                7: self.holder_name,
                8: self.doc_number,
                9: self.doc_date,
                10: list(self.fingerprints),
            },
        }

    @classmethod
    def from_cbor_map(cls, claims: object) -> SealClaims:
        bad = SealFormatError("the seal's claims are incomplete or malformed")
        if not isinstance(claims, Mapping) or not isinstance(claims.get(CLAIM_COPY), Mapping):
            raise bad
        copy = claims[CLAIM_COPY]
        digest, prints = copy.get(5), copy.get(10)
        texts = (copy.get(i) for i in (1, 2, 3, 6, 7, 8, 9))
        iat, pages = claims.get(CLAIM_IAT), copy.get(4)
        if (
            not all(isinstance(t, str) for t in (*texts, claims.get(CLAIM_ISS)))
            or not isinstance(iat, int)
            or not isinstance(pages, int)
            or not isinstance(digest, bytes)
            or len(digest) != CONTENT_DIGEST_BYTES
            or not isinstance(prints, list | tuple)
            or not all(isinstance(p, bytes) for p in prints)
            or pages != len(prints)
            or pages < 1
        ):
            raise bad
        try:
            issued_at = dt.datetime.fromtimestamp(iat, dt.UTC)
        except (OverflowError, OSError, ValueError):
            raise bad from None
        return cls(
            code=copy[1],
            issued_at=issued_at,
            authority=claims[CLAIM_ISS],
            kiosk_id=copy[2],
            doc_type=copy[3],
            pages=pages,
            content_digest=digest,
            holder=copy[6],
            holder_name=copy[7],
            doc_number=copy[8],
            doc_date=copy[9],
            fingerprints=tuple(prints),
        )


@dataclass(frozen=True)
class DecodedSeal:
    kid: bytes
    protected: bytes
    payload: bytes
    signature: bytes
    claims: SealClaims

    def signed_bytes(self) -> bytes:
        return sig_structure(self.protected, self.payload)


def sig_structure(protected: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature1", protected, b"", payload])


def make_seal(claims: SealClaims, kid: bytes, sign_es256: Any) -> str:
    """The seal text for ``claims``, signed by ``sign_es256(message) -> raw r||s``."""
    protected = cbor2.dumps({1: ALG_ES256, 4: kid})
    payload = cbor2.dumps(claims.to_cbor_map())
    signature = sign_es256(sig_structure(protected, payload))
    cose = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))
    return PREFIX + base45.b45encode(zlib.compress(cose, 9)).decode("ascii")


def decode_seal(text: str) -> DecodedSeal:
    """Parse seal text (no signature check); SealFormatError names what is wrong."""
    text = text.strip()
    if not text.startswith(PREFIX):
        raise SealFormatError(f"not a certified-copy seal (it does not start with {PREFIX})")
    if len(text) > MAX_SEAL_CHARS:
        raise SealFormatError("the seal text is too long")
    try:
        compressed = base45.b45decode(text[len(PREFIX) :])
    except (ValueError, KeyError, IndexError):
        raise SealFormatError("the seal text is damaged (not base45)") from None
    try:
        decompressor = zlib.decompressobj()
        cose = decompressor.decompress(compressed, 64 * 1024)
        if decompressor.unconsumed_tail or not decompressor.eof:
            raise zlib.error("truncated or oversized")
    except zlib.error:
        raise SealFormatError("the seal text is damaged (bad compression)") from None
    try:
        message = cbor2.loads(cose)
        if isinstance(message, cbor2.CBORTag):
            if message.tag != COSE_SIGN1_TAG:
                raise ValueError("wrong tag")
            message = message.value
        if not (isinstance(message, list | tuple) and len(message) == 4):
            raise ValueError("not a COSE_Sign1")
        protected, _unprotected, payload, signature = message
        if not all(isinstance(p, bytes) for p in (protected, payload, signature)):
            raise ValueError("COSE fields are not byte strings")
        header = cbor2.loads(protected)
        if (
            not isinstance(header, Mapping)
            or header.get(1) != ALG_ES256
            or not isinstance(header.get(4), bytes)
        ):
            raise ValueError("not an ES256 seal with a key id")
        claims = cbor2.loads(payload)
    except (cbor2.CBORDecodeError, ValueError, TypeError, EOFError):
        raise SealFormatError("the seal text is damaged (not a signed COSE message)") from None
    return DecodedSeal(header[4], protected, payload, signature, SealClaims.from_cbor_map(claims))
