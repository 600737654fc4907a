"""The envelope every seal format shares: base45 text of a zlib-compressed COSE_Sign1 (ES256) message.

``signing.seal`` (VNC2, what kiosks issue) and ``signing.seal_v1`` (VNC1, the older copies citizens still
hold) differ only in their prefix and in the claims inside; both open the envelope here, with the same
bounds: the text is length-limited by the caller, the decompressed message is at most ``MAX_COSE_BYTES``
(a zlib bomb stops there, it is never inflated in full), and any malformed layer is one SealFormatError.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass

import base45
import cbor2

from signing.errors import SealFormatError

ALG_ES256 = -7
COSE_SIGN1_TAG = 18
MAX_COSE_BYTES = 64 * 1024


@dataclass(frozen=True)
class Envelope:
    """A COSE_Sign1 message opened (its signature not checked): the key id, the bytes the signature
    covers, and the claims decoded from the payload (not yet checked for their shape)."""

    kid: bytes
    protected: bytes
    payload: bytes
    signature: bytes
    claims: object


def open_envelope(body: str) -> Envelope:
    """Open the base45 text after a seal's prefix; SealFormatError names the layer that is damaged."""
    try:
        compressed = base45.b45decode(body)
    except (ValueError, KeyError, IndexError):
        raise SealFormatError("the seal text is damaged (not base45)") from None
    try:
        decompressor = zlib.decompressobj()
        cose = decompressor.decompress(compressed, MAX_COSE_BYTES)
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
    except (cbor2.CBORDecodeError, ValueError, TypeError, EOFError, RecursionError):
        raise SealFormatError("the seal text is damaged (not a signed COSE message)") from None
    return Envelope(header[4], protected, payload, signature, claims)
