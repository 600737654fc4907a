"""Verification of a certified copy: the PDF (signature, chain, validity at signing time, seal, page
hashes, code) or the seal text alone, read from the QR of a printed page.

Every rejection has its own ``reason_key`` and a sentence a person understands. Checks run from the
outside in, so the first failure names the real problem:

1. the file is a PDF with the kiosk's signature, and the signed bytes are intact (``modified``);
2. nothing was appended after signing; an update is analysed to say what it changed
   (``pages_changed``, ``image_replaced``, ``seal_edited``, ``updated_after_signing``);
3. the signer chains to a trusted root and its certificate was valid at signing time
   (``untrusted``, ``cert_expired``); signing time is the timestamp (B-T) or the time the kiosk
   claimed (B-B);
4. the seal is well formed and signed by the same certificate (``seal_edited``, ``seal_untrusted``);
5. the seal's code is this copy's code (``seal_mismatch``) and its page hashes match the embedded images
   (``image_replaced``, ``pages_changed``).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Iterator
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from signing.code import is_valid_code
from signing.errors import SealFormatError
from signing.images import page_image_digest
from signing.keys import cert_kid, es256_verify
from signing.model import Verification
from signing.pades import SEAL_KEY
from signing.seal import PAGE_HASH_BYTES, DecodedSeal, decode_seal
from signing.trust import TrustStore

log = logging.getLogger(__name__)

MAX_PDF_BYTES = 200 * 1024 * 1024


def _fail(key: str, reason: str, **known: Any) -> Verification:
    base: dict[str, Any] = {"code": None, "issued_at": None, "pages": None, "holder": None, "doc_type": None}
    base.update(known)
    return Verification(valid=False, reason=reason, reason_key=key, **base)


def _organisation(cert: x509.Certificate) -> str | None:
    names = cert.subject.get_attributes_for_oid(x509.oid.NameOID.ORGANIZATION_NAME)
    return str(names[0].value) if names else None


def _seal_facts(seal: DecodedSeal, cert: x509.Certificate | None = None) -> dict[str, Any]:
    c = seal.claims
    return {
        "code": c.code,
        "issued_at": c.issued_at,
        "pages": c.pages,
        "holder": c.holder,
        "doc_type": c.doc_type,
        # The full name from the certificate the root CA vouches for; else the seal's short code.
        "authority": (_organisation(cert) if cert is not None else None) or c.authority,
        "kiosk_id": c.kiosk_id,
    }


# --- the PDF's structure ----------------------------------------------------------------------------


def _pages(reader: PdfFileReader) -> Iterator[generic.DictionaryObject]:
    def walk(node: generic.DictionaryObject, depth: int = 0) -> Iterator[generic.DictionaryObject]:
        if depth > 32:
            raise ValueError("page tree too deep")
        if node.get("/Type") == "/Pages" or "/Kids" in node:
            for kid in node["/Kids"]:
                yield from walk(kid.get_object(), depth + 1)
        else:
            yield node

    yield from walk(reader.root["/Pages"].get_object())


def _page_image_digests(reader: PdfFileReader) -> list[list[bytes]]:
    """For each page, the digests (as the seal defines them) of the image XObjects it draws."""
    result: list[list[bytes]] = []
    for page in _pages(reader):
        digests: list[bytes] = []
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources is not None else None
        if xobjects is not None:
            for _name, ref in sorted(xobjects.get_object().items()):
                stream = ref.get_object()
                if stream.get("/Subtype") != "/Image":
                    continue
                filters = stream.get("/Filter")
                if isinstance(filters, generic.ArrayObject):
                    filters = filters[0] if len(filters) == 1 else "/" + "+".join(str(f)[1:] for f in filters)
                digests.append(
                    page_image_digest(
                        width=int(stream["/Width"]),
                        height=int(stream["/Height"]),
                        color_space=str(stream.get("/ColorSpace", "/?"))[1:],
                        bits=int(stream.get("/BitsPerComponent", 8)),
                        filter_name=str(filters or "/None")[1:],
                        data=stream.encoded_data,
                    )
                )
        result.append(digests)
    return result


def _seal_text(reader: PdfFileReader) -> str | None:
    value = reader.root.get(SEAL_KEY)
    return str(value) if value is not None else None


def _title(reader: PdfFileReader) -> str:
    try:
        info = reader.trailer_view.get("/Info")
        return str(info.get_object().get("/Title", "")) if info is not None else ""
    except Exception:
        return ""


def _describe_update(signed: PdfFileReader, current: PdfFileReader) -> tuple[str, str]:
    """What an update appended after the signature changed, as (reason_key, sentence)."""
    try:
        before, after = _page_image_digests(signed), _page_image_digests(current)
        if len(before) != len(after):
            return (
                "pages_changed",
                f"pages were added or removed after signing: the signed copy has {len(before)} "
                f"page(s), the file now shows {len(after)}",
            )
        for index, (old, new) in enumerate(zip(before, after, strict=True), start=1):
            if old != new:
                return "image_replaced", f"the image of page {index} was replaced after signing"
        if _seal_text(signed) != _seal_text(current):
            return "seal_edited", "the QR seal text was changed after signing"
    except Exception:
        log.debug("could not analyse the update after the signature", exc_info=True)
    return "updated_after_signing", "the file was changed after it was signed (an update was appended)"


# --- PDF ------------------------------------------------------------------------------------------------


def verify_pdf(data: bytes, trust: TrustStore) -> Verification:
    """Check a certified-copy PDF completely; never raises for a bad file, it says why it is not valid."""
    if len(data) > MAX_PDF_BYTES:
        return _fail("not_pdf", "the file is too large to be a certified copy")
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        return _fail("not_pdf", "the file is not a PDF")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:
        log.debug("cannot read PDF", exc_info=True)
        return _fail("not_pdf", f"the PDF is damaged and cannot be read ({type(exc).__name__})")
    if not signatures:
        return _fail("unsigned", "the PDF has no digital signature, so it is not a certified copy")
    if len(signatures) > 1:
        return _fail(
            "updated_after_signing", "the PDF has more than one signature; a kiosk copy has exactly one"
        )
    sig = signatures[0]
    try:
        return _verify_signed(data, reader, sig, trust)
    except Exception as exc:
        log.debug("verification failed", exc_info=True)
        return _fail(
            "modified", f"the signature cannot be checked: the file is damaged ({type(exc).__name__})"
        )


def _signing_time(sig: Any) -> dt.datetime | None:
    claimed = sig.self_reported_timestamp
    if claimed is not None and claimed.tzinfo is None:
        claimed = claimed.replace(tzinfo=dt.UTC)
    return claimed


def _verify_signed(data: bytes, reader: PdfFileReader, sig: Any, trust: TrustStore) -> Verification:
    signer_cert = x509.load_der_x509_certificate(sig.signer_cert.dump())
    signer_name = signer_cert.subject.rfc4514_string()
    claimed = _signing_time(sig) or dt.datetime.now(dt.UTC)
    context = ValidationContext(
        trust_roots=trust.asn1_roots(), moment=claimed, allow_fetching=False, revocation_mode="soft-fail"
    )
    status = validate_pdf_signature(sig, signer_validation_context=context)
    if not (status.intact and status.valid):
        return _fail(
            "modified",
            "the file was changed after it was signed: its signature no longer matches its content",
            signer=signer_name,
        )
    signed_len = sig.byte_range[2] + sig.byte_range[3]
    if signed_len != len(data.rstrip(b"\r\n\x00 ")) and signed_len < len(data):
        tail = data[signed_len:].strip(b"\r\n\x00 ")
        if tail:
            key, reason = _describe_update(PdfFileReader(io.BytesIO(data[:signed_len]), strict=False), reader)
            return _fail(key, reason, signer=signer_name)

    signed_at = claimed
    timestamped = False
    tst = status.timestamp_validity
    if tst is not None:
        if not (tst.intact and tst.valid and tst.trusted):
            return _fail(
                "untrusted", "the signature's timestamp is not valid or not from a trusted authority"
            )
        signed_at = tst.timestamp
        timestamped = True
    problem = trust.chain_problem(signer_cert, signed_at)
    if problem is not None:
        key = "cert_expired" if ("expired" in problem or "not yet valid" in problem) else "untrusted"
        when = "timestamped" if timestamped else "claimed"
        return _fail(key, f"the signer is not trusted: {problem} (signing time {when})", signer=signer_name)
    if not status.trusted:
        return _fail(
            "untrusted", "the signer's certificate does not chain to a trusted root", signer=signer_name
        )

    seal_text = _seal_text(reader)
    if not seal_text:
        return _fail("seal_edited", "the PDF carries no QR seal", signer=signer_name)
    try:
        seal = decode_seal(seal_text)
    except SealFormatError as exc:
        return _fail("seal_edited", f"the QR seal is damaged: {exc}", signer=signer_name)
    facts = _seal_facts(seal)
    if seal.kid != cert_kid(signer_cert):
        return _fail(
            "seal_untrusted",
            "the QR seal was not made with this copy's signing key",
            signer=signer_name,
            **facts,
        )
    public = signer_cert.public_key()
    if not isinstance(public, ec.EllipticCurvePublicKey) or not es256_verify(
        public, seal.signature, seal.signed_bytes()
    ):
        return _fail("seal_edited", "the QR seal's signature is not valid: its text was changed", **facts)
    facts = _seal_facts(seal, signer_cert)

    claims = seal.claims
    title = _title(reader)
    if not is_valid_code(claims.code) or (title and claims.code not in title):
        return _fail(
            "seal_mismatch",
            f"the QR seal belongs to copy {claims.code}, not to this copy ({title or 'no code'})",
            signer=signer_name,
            **facts,
        )
    digests = _page_image_digests(reader)
    if len(digests) != claims.pages:
        return _fail(
            "pages_changed",
            f"the copy has {len(digests)} page(s) but its seal says {claims.pages}",
            signer=signer_name,
            **facts,
        )
    for index, (found, sealed) in enumerate(zip(digests, claims.page_hashes, strict=True), start=1):
        if len(found) != 1 or found[0][:PAGE_HASH_BYTES] != sealed:
            return _fail(
                "image_replaced",
                f"the image of page {index} is not the one the seal was made for",
                signer=signer_name,
                **facts,
            )
    when = "timestamped" if timestamped else "signed"
    return Verification(
        valid=True,
        reason=f"valid certified copy {claims.code}, {when} by {signer_name} at {signed_at:%Y-%m-%d %H:%M} UTC",
        reason_key="valid",
        signer=signer_name,
        signed_at=signed_at,
        timestamped=timestamped,
        checks={"signature": True, "chain": True, "seal": True, "page_hashes": True, "code": True},
        **facts,
    )


# --- seal text (a QR read off paper) -----------------------------------------------------------------


def verify_seal_text(text: str, trust: TrustStore) -> Verification:
    """Check a seal read from the QR of a printed page: its signature, its key's chain and validity at issue."""
    try:
        seal = decode_seal(text)
    except SealFormatError as exc:
        return _fail("seal_edited" if text.strip().startswith("VNC1:") else "not_seal", str(exc))
    facts = _seal_facts(seal)
    cert = trust.cert_for_kid(seal.kid)
    if cert is None:
        return _fail(
            "seal_untrusted", "the seal was signed by a key this verifier does not know or trust", **facts
        )
    public = cert.public_key()
    if not isinstance(public, ec.EllipticCurvePublicKey) or not es256_verify(
        public, seal.signature, seal.signed_bytes()
    ):
        return _fail("seal_edited", "the seal's signature is not valid: its text was changed", **facts)
    facts = _seal_facts(seal, cert)
    problem = trust.chain_problem(cert, seal.claims.issued_at)
    if problem is not None:
        key = "cert_expired" if ("expired" in problem or "not yet valid" in problem) else "untrusted"
        return _fail(key, f"the seal's key is not trusted: {problem}", **facts)
    if not is_valid_code(seal.claims.code):
        return _fail("seal_mismatch", "the seal's code has a wrong check character", **facts)
    signer = cert.subject.rfc4514_string()
    return Verification(
        valid=True,
        reason=(
            f"valid seal of certified copy {seal.claims.code} ({seal.claims.pages} page(s), issued "
            f"{seal.claims.issued_at:%Y-%m-%d %H:%M} UTC); compare the printed pages with the copy on record"
        ),
        reason_key="valid",
        signer=signer,
        signed_at=seal.claims.issued_at,
        checks={"seal": True, "chain": True, "code": True},
        **facts,
    )
