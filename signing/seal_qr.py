"""The printed QR as one piece: the city's verify address with the copy's code and access token, then the
signed seal (``signing.seal``), and the one parser every checker uses (the kiosk's ``kiosk verify``, the
city's ``/v/{code}`` and ``/check`` pages).

QR text: ``{verify address}/v/{code}?t={token}#VNC2:...``. A phone camera opens the address; the fragment
after ``#`` never reaches a server, and an offline verifier checks the seal from the same QR. The token is
128 random bits per copy; the kiosk keeps and uploads only its SHA-256 (``access_token_sha256``).

The QR is encoded in two segments (``signing.seal.qr_segments``): the address in byte mode, the seal in alphanumeric
mode (base45 is in QR's alphanumeric alphabet, 5.5 bits a character), so the address costs only its own
length.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography import x509

from signing.access_token import access_token_sha256, new_access_token, new_access_token_bytes, token_text
from signing.errors import SealFormatError
from signing.seal import SealClaims, decode_seal, is_seal_qr
from signing.trust import TrustStore
from signing.verify import seal_verdict

__all__ = [
    "SealReading",
    "access_token_sha256",
    "is_seal_qr",
    "new_access_token",
    "new_access_token_bytes",
    "parse_seal_qr",
    "read_seal_qr",
    "seal_digest",
    "token_text",
    "verify_url",
]


@dataclass(frozen=True)
class SealReading:
    """A QR read and checked offline: ``claims`` when it is a seal at all, ``valid`` when it is genuine."""

    valid: bool
    reason_key: str
    reason: str
    claims: SealClaims | None
    signer_cert: x509.Certificate | None
    seal_digest: str


def verify_url(base_url: str, code: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/v/{code}?t={token}"


def seal_digest(text: str) -> str:
    """Lowercase hex SHA-256 of the full QR text as printed (and as the PDF's catalogue keeps it)."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()


def parse_seal_qr(text: str) -> SealClaims:
    """The claims of a seal QR, WITHOUT checking its signature; SealFormatError says what is wrong."""
    return decode_seal(text).claims


def read_seal_qr(text: str, trust: TrustStore) -> SealReading:
    """Parse the decoded QR text and verify the seal's signature, its key's chain and kiosk (no network).
    Never raises for bad input: ``valid`` False with a ``reason_key`` and a sentence."""
    digest = seal_digest(text)
    try:
        decoded = decode_seal(text)
    except SealFormatError as exc:
        key = "seal_edited" if is_seal_qr(text) else "not_seal"
        return SealReading(False, key, str(exc), None, None, digest)
    verdict, cert = seal_verdict(decoded, trust)
    return SealReading(verdict.valid, verdict.reason_key, verdict.reason, decoded.claims, cert, digest)
