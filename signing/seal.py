"""The QR seal: CWT claims in a COSE_Sign1 (ES256), zlib, base45, prefix ``VNC2:`` (as the EU DCC does).

Claims (CBOR map)::

    1 (iss)      the authority's short code ("HN"); its full name is the O of the signer certificate
    6 (iat)      issue time, seconds since the epoch
    -65537       the copy (a private-use claim):
                 1 code, 2 kiosk id, 3 document type, 4 page count,
                 5 content digest (16 bytes: every page's whole drawn content, see ``signing.content``),
                 6 the requester's masked id, 7 the requester's name (who asked for the copy),
                 8 the subject's fields as confirmed in the visit: [[field, value, page], ...] in the
                   document type's order; ``field`` is a small integer for the common field names
                   (``signing.seal_fields``) or the name itself, ``page`` the page (1-based) that prints it,
                   0 when no single page does,
                 10 [page fingerprint, ...] (see ``signing.fingerprint``),
                 11 the copy's access token (16 random bytes) when the QR has no verify address

With a verify address, the QR's URL part (address, code and token) is the COSE_Sign1 external data
(``Sig_structure = ["Signature1", protected, url part, payload]``): signed, and not repeated in the payload.

The protected header is ``{1: -7 (ES256), 4: kid}`` where kid is the first 8 bytes of SHA-256 over the
signer certificate's DER.

The printed QR holds ``{verify address}/v/{code}?t={token}#VNC2:...`` (``signing.seal_qr``): a phone
camera opens the city's page for the copy, and the seal after ``#`` (a fragment, never sent to the
server) is verified offline from the same QR. The URL part is signed, so a phishing address put in front
of a genuine seal is refused.

The document's fields are in the seal in full (as the ICAO VDS-NC and the EU DCC carry their data), so
``kiosk verify`` prints them for the checker and compares each with what it reads on the page; the page
fingerprints let the verifier reject a seal cut from one page and pasted onto another.

Why one content digest and not one hash a page: the seal must stay small enough to decode from a 150 dpi
scan. The PAdES signature already protects the whole PDF; the content digest binds the seal to what this
copy draws on its pages (SHA-256, 128 bits kept), and the verifier recomputes every page's digest to say
which one differs.

Why the authority's code and not its name: the name (60+ bytes of UTF-8) would cost a QR version; the
certificate that the kid names already carries it, vouched for by the root CA.

Older copies: until the VNC2 cutover (2026-12-06 19:57:31 UTC) kiosks sealed ``VNC1:``, a bare seal with
fewer claims (the holder's name, the document's number and date; no other field, no verify address, no
token). ``decode_seal`` still reads one (``signing.seal_v1``: ``seal_format`` "VNC1", ``fields`` empty,
the number and date in ``sealed_number``/``sealed_date``); the verifier judges it with the same key and
trust checks, refuses one dated at or after the cutover, and says what it checks. Nothing makes one.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import base45
import cbor2
from segno import consts

from signing.access_token import ACCESS_TOKEN_BYTES, token_text
from signing.errors import SealFormatError
from signing.seal_envelope import ALG_ES256, COSE_SIGN1_TAG, open_envelope
from signing.seal_fields import field_id, field_name
from signing.seal_v1 import FORMAT_V1, FORMAT_V2, MAX_V1_SEAL_CHARS, PREFIX_V1, parse_v1_claims

PREFIX = "VNC2:"
CONTENT_DIGEST_BYTES = 16
CLAIM_ISS, CLAIM_IAT, CLAIM_COPY = 1, 6, -65537
MAX_SEAL_CHARS = 6000
MAX_FIELDS = 40
MAX_FIELD_CHARS = 400


@dataclass(frozen=True)
class SealClaims:
    code: str
    issued_at: dt.datetime
    authority: str
    kiosk_id: str
    doc_type: str
    pages: int
    content_digest: bytes
    holder: str  # the requester's masked id (who asked for the copy)
    holder_name: str = ""  # the requester's name
    # The subject's fields as confirmed in the visit, in the document type's order, and the page (1-based,
    # 0 for none in particular) that prints each.
    fields: Mapping[str, str] = field(default_factory=dict)
    field_pages: Mapping[str, int] = field(default_factory=dict)
    verify_base_url: str = ""
    access_token_bytes: bytes = b""
    fingerprints: tuple[bytes, ...] = ()
    # The format the seal was read in: VNC2 (what kiosks issue), or VNC1 for an older copy
    # (``signing.seal_v1``: read and judged, never issued), whose document number and date were claims
    # of their own and whose ``holder_name`` is the document's holder; ``fields`` is then empty.
    seal_format: str = FORMAT_V2
    sealed_number: str = ""
    sealed_date: str = ""

    @property
    def is_older_format(self) -> bool:
        return self.seal_format == FORMAT_V1

    @property
    def requester_name(self) -> str:
        return self.holder_name

    @property
    def requester_masked_id(self) -> str:
        return self.holder

    @property
    def doc_number(self) -> str:
        return self.fields.get("document_number", "") or self.sealed_number

    @property
    def doc_date(self) -> str:
        return self.fields.get("issue_date", "") or self.sealed_date

    @property
    def access_token(self) -> str:
        """The token as the verify address carries it (base32, lower case, no padding), or ""."""
        if not self.access_token_bytes:
            return ""
        return token_text(self.access_token_bytes)

    @property
    def verify_url(self) -> str:
        """``{verify address}/v/{code}?t={token}``, or "" when the kiosk has no verify address."""
        if not self.verify_base_url:
            return ""
        url = f"{self.verify_base_url.rstrip('/')}/v/{self.code}"
        return f"{url}?t={self.access_token}" if self.access_token else url

    def to_cbor_map(self) -> dict[int, Any]:
        if self.is_older_format:
            raise ValueError("kiosks issue only VNC2 seals: a VNC1 seal is read, never made")
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
                8: [[field_id(k), v, int(self.field_pages.get(k, 0))] for k, v in self.fields.items()],
                10: list(self.fingerprints),
                # With a verify address, the address and the token are in the QR's URL part, signed as the
                # COSE external data (``make_seal``), not repeated here: the QR stays a version smaller.
                **({} if self.verify_base_url else {11: self.access_token_bytes}),
            },
        }

    @classmethod
    def from_cbor_map(cls, claims: object) -> SealClaims:
        bad = SealFormatError("the seal's claims are incomplete or malformed")
        if not isinstance(claims, Mapping) or not isinstance(claims.get(CLAIM_COPY), Mapping):
            raise bad
        copy = claims[CLAIM_COPY]
        digest, prints, token = copy.get(5), copy.get(10), copy.get(11, b"")
        texts = (copy.get(i) for i in (1, 2, 3, 6, 7))
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
            or not isinstance(token, bytes)
            or len(token) not in (0, ACCESS_TOKEN_BYTES)
        ):
            raise bad
        fields, field_pages = _fields_of(copy.get(8), pages, bad)
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
            fields=fields,
            field_pages=field_pages,
            access_token_bytes=token,
            fingerprints=tuple(prints),
        )


def _fields_of(value: object, pages: int, bad: SealFormatError) -> tuple[dict[str, str], dict[str, int]]:
    if not isinstance(value, list | tuple) or len(value) > MAX_FIELDS:
        raise bad
    fields: dict[str, str] = {}
    field_pages: dict[str, int] = {}
    for item in value:
        if not (isinstance(item, list | tuple) and len(item) == 3):
            raise bad
        key, text, page = item
        name = field_name(key)
        if (
            name is None
            or name in fields
            or not isinstance(text, str)
            or len(text) > MAX_FIELD_CHARS
            or not isinstance(page, int)
            or not 0 <= page <= pages
        ):
            raise bad
        fields[name], field_pages[name] = text, page
    return fields, field_pages


@dataclass(frozen=True)
class DecodedSeal:
    kid: bytes
    protected: bytes
    payload: bytes
    signature: bytes
    claims: SealClaims
    address: str = ""  # the QR's URL part (up to and including "#"), signed as external data

    def signed_bytes(self) -> bytes:
        return sig_structure(self.protected, self.payload, self.address)


def sig_structure(protected: bytes, payload: bytes, address: str = "") -> bytes:
    return cbor2.dumps(["Signature1", protected, address.encode("utf-8"), payload])


def make_seal(claims: SealClaims, kid: bytes, sign_es256: Any) -> str:
    """The QR text for ``claims``, signed by ``sign_es256(message) -> raw r||s``: the verify address and
    ``#`` (when the claims have one) before the seal itself. The address is the COSE external data: the
    signature covers it, the payload does not repeat it."""
    if claims.verify_base_url and len(claims.access_token_bytes) != ACCESS_TOKEN_BYTES:
        raise ValueError("a seal with a verify address needs a 16-byte access token")
    address = url_part(claims)
    protected = cbor2.dumps({1: ALG_ES256, 4: kid})
    payload = cbor2.dumps(claims.to_cbor_map())
    signature = sign_es256(sig_structure(protected, payload, address))
    cose = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))
    return address + PREFIX + base45.b45encode(zlib.compress(cose, 9)).decode("ascii")


def url_part(claims: SealClaims) -> str:
    """What the QR text holds before the seal: ``{verify url}#``, or "" when the claims have no address."""
    return f"{claims.verify_url}#" if claims.verify_url else ""


def split_qr_text(text: str) -> tuple[str, str]:
    """(the URL part up to and including ``#``, the seal from ``VNC2:`` on); ("", text) for a bare seal."""
    text = text.strip()
    marker = "#" + PREFIX
    at = text.find(marker)
    if at < 0:
        return "", text
    return text[: at + 1], text[at + 1 :]


def is_seal_qr(text: str) -> bool:
    """Whether a decoded QR's text looks like a certified-copy seal (bare, or after a verify address), or
    an older copy's bare VNC1 seal."""
    text = text.strip()
    return text.startswith((PREFIX, PREFIX_V1)) or ("#" + PREFIX) in text


def qr_segments(text: str) -> str | list[tuple[str, int]]:
    """What segno encodes for a seal's QR text: the address in byte mode, the seal in alphanumeric mode
    (base45 is QR's alphanumeric alphabet: 5.5 bits a character instead of 8)."""
    address, seal = split_qr_text(text)
    if not address:
        return text
    return [(address, consts.MODE_BYTE), (seal, consts.MODE_ALPHANUMERIC)]


_ADDRESS = re.compile(r"(https?://[^\s#?]+)/v/([A-Z0-9-]{5,40})\?t=([a-z2-7]{26})#")


def decode_seal(text: str) -> DecodedSeal:
    """Parse the QR text of a seal (no signature check); SealFormatError names what is wrong.

    The URL part before the seal, when there is one, must be ``{address}/v/{the seal's code}?t={token}#``;
    its address and token become the claims' (the signature covers them as external data)."""
    if len(text) > MAX_SEAL_CHARS:
        raise SealFormatError("the seal text is too long")
    address, text = split_qr_text(text)
    if not address and text.startswith(PREFIX_V1):
        return _decode_v1_seal(text)  # an older copy's QR: the bare VNC1 seal
    if "#" + PREFIX_V1 in text:
        raise SealFormatError("an older (VNC1) seal never follows a web address: the QR was edited")
    decoded = _decode_bare_seal(text)
    if not address:
        return decoded
    m = _ADDRESS.fullmatch(address)
    if m is None or m.group(2) != decoded.claims.code or decoded.claims.access_token_bytes:
        raise SealFormatError("the web address in the QR is not the one the seal signs: the QR was edited")
    token = base64.b32decode(m.group(3).upper() + "======")
    claims = replace(decoded.claims, verify_base_url=m.group(1), access_token_bytes=token)
    return replace(decoded, claims=claims, address=address)


def _decode_bare_seal(text: str) -> DecodedSeal:
    if not text.startswith(PREFIX):
        raise SealFormatError(f"not a certified-copy seal (it does not start with {PREFIX})")
    if len(text) > MAX_SEAL_CHARS:
        raise SealFormatError("the seal text is too long")
    envelope = open_envelope(text[len(PREFIX) :])
    claims = SealClaims.from_cbor_map(envelope.claims)
    return DecodedSeal(envelope.kid, envelope.protected, envelope.payload, envelope.signature, claims)


def _decode_v1_seal(text: str) -> DecodedSeal:
    """An older copy's VNC1 seal (``signing.seal_v1``): the same envelope, its own claims; the verifier
    judges it with the same key and trust checks, and refuses one issued after the VNC2 cutover."""
    if len(text) > MAX_V1_SEAL_CHARS:
        raise SealFormatError("the older (VNC1) seal text is too long")
    envelope = open_envelope(text[len(PREFIX_V1) :])
    old = parse_v1_claims(envelope.claims)
    claims = SealClaims(
        code=old.code,
        issued_at=old.issued_at,
        authority=old.authority,
        kiosk_id=old.kiosk_id,
        doc_type=old.doc_type,
        pages=old.pages,
        content_digest=old.content_digest,
        holder=old.holder,
        holder_name=old.holder_name,
        fingerprints=old.fingerprints,
        seal_format=FORMAT_V1,
        sealed_number=old.doc_number,
        sealed_date=old.doc_date,
    )
    return DecodedSeal(envelope.kid, envelope.protected, envelope.payload, envelope.signature, claims)
