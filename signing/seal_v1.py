"""The older seal format, ``VNC1:``: read and judged, never issued.

Kiosks sealed certified copies as VNC1 until the VNC2 cutover (commit a14cad6, 2026-12-06 19:57:31 UTC,
issue 22); citizens hold thousands of those copies and they must keep verifying, honestly. A VNC1 seal is
the same envelope as VNC2 (``signing.seal_envelope``: base45, zlib, COSE_Sign1 ES256 with the kiosk key's
kid, ``Sig_structure = ["Signature1", protected, b"", payload]``) and is checked with the same key and
trust rules (``signing.verify.seal_verdict``: known key, signature, the kiosk the certificate names, the
chain and validity at issue, the city's kiosk revocation list, the code's check character). Its claims::

    1 (iss)      the authority's short code
    6 (iat)      issue time, seconds since the epoch
    -65537       1 code, 2 kiosk id, 3 document type, 4 page count, 5 content digest (16 bytes),
                 6 the holder's masked id, 7 the holder's name, 8 the document's number, 9 its date (ISO),
                 10 [page fingerprint, ...]

What a VNC1 seal does NOT bind, and VNC2 does: the document's other fields in full (the subject's date of
birth, parents, place of birth, ...; VNC2 claim 8) with the page that prints each, the requester apart
from the document's holder, and the city's verify address with the copy's access token. So a verdict on a
VNC1 copy says so (``OLDER_SEAL_NOTE``): the checker compares the rest of the paper by eye.

Downgrade: VNC2 binds more, so a forger would like to present a VNC2-era copy under a VNC1 seal. He
cannot sign one without a kiosk key, and a kiosk stopped making VNC1 seals at the cutover, so a VNC1 seal
issued at or after the cutover is refused (``older_seal_problem``; the verifier's cutover is
``TrustStore.vnc1_until``, the commit's time unless ``signing.vnc1_seals_until`` says otherwise). The two
formats' payloads cannot pass for each other: claim 8 is a text in VNC1 and a list in VNC2, and claim 9
exists only in VNC1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from signing.errors import SealFormatError

PREFIX_V1 = "VNC1:"
FORMAT_V1, FORMAT_V2 = "VNC1", "VNC2"
# When kiosks stopped issuing VNC1 seals: the commit that introduced VNC2 (a14cad6).
VNC1_LAST_ISSUE = dt.datetime(2026, 12, 6, 19, 57, 31, tzinfo=dt.UTC)
MAX_V1_SEAL_CHARS = 4000  # the old decoder's own limit
MAX_V1_TEXT_CHARS = 400
CONTENT_DIGEST_BYTES = 16
CLAIM_ISS, CLAIM_IAT, CLAIM_COPY = 1, 6, -65537

# What a VNC1 seal binds (for the verdict), and what it leaves to the eye.
V1_BINDS = (
    "code",
    "kiosk",
    "document type",
    "page count",
    "issue time",
    "the holder's name and masked ID",
    "the document's number and date",
    "a few key words of each page",
)
V1_OTHER_FIELDS = "the document's other fields (date of birth, parents, place of birth, ...)"
V1_DOES_NOT_BIND = f"{V1_OTHER_FIELDS} nor its full text"
OLDER_SEAL_SHORT = f"older seal ({FORMAT_V1}): it binds fewer fields than today's seal"
# On paper (a QR read off a printed page) the seal is all there is.
OLDER_SEAL_NOTE = (
    f"older seal ({FORMAT_V1}): checks {', '.join(V1_BINDS)}; it does not hold {V1_DOES_NOT_BIND}: "
    "compare the rest with the copy by eye"
)
# In the PDF the kiosk's signature and the seal's content digest still cover every page as issued.
OLDER_SEAL_NOTE_PDF = (
    f"older seal ({FORMAT_V1}): its QR holds fewer fields ({', '.join(V1_BINDS[5:7])}, not "
    f"{V1_OTHER_FIELDS}); this PDF's signature and content digest still check every "
    "page as issued, but a print of it is checked only as far as the older seal goes"
)


@dataclass(frozen=True)
class V1Claims:
    """The claims of a VNC1 seal, checked for their shape (not for their signature)."""

    code: str
    issued_at: dt.datetime
    authority: str
    kiosk_id: str
    doc_type: str
    pages: int
    content_digest: bytes
    holder: str
    holder_name: str
    doc_number: str
    doc_date: str
    fingerprints: tuple[bytes, ...]


def parse_v1_claims(claims: object) -> V1Claims:
    """The VNC1 claims map as the old decoder read it (commit 385dc7b), with a bound on every text."""
    bad = SealFormatError("the older (VNC1) seal's claims are incomplete or malformed")
    if not isinstance(claims, Mapping) or not isinstance(claims.get(CLAIM_COPY), Mapping):
        raise bad
    copy = claims[CLAIM_COPY]
    digest, prints = copy.get(5), copy.get(10)
    texts = [copy.get(i) for i in (1, 2, 3, 6, 7, 8, 9)] + [claims.get(CLAIM_ISS)]
    iat, pages = claims.get(CLAIM_IAT), copy.get(4)
    if (
        not all(isinstance(t, str) and len(t) <= MAX_V1_TEXT_CHARS for t in texts)
        or not isinstance(iat, int)
        or isinstance(iat, bool)
        or not isinstance(pages, int)
        or isinstance(pages, bool)
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
    return V1Claims(
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


def older_seal_problem(issued_at: dt.datetime, last_issue: dt.datetime = VNC1_LAST_ISSUE) -> str | None:
    """Why a VNC1 seal that says it was issued at ``issued_at`` cannot be genuine, or None: kiosks issued
    VNC1 seals only before the cutover ``last_issue``."""
    if issued_at < last_issue:
        return None
    return (
        f"the seal is in the older format ({FORMAT_V1}) but says it was issued at "
        f"{issued_at:%Y-%m-%d %H:%M} UTC, after kiosks stopped issuing that format "
        f"({last_issue:%Y-%m-%d %H:%M} UTC): it was not made by a kiosk in service"
    )
