"""Verification of a certified copy: the PDF (structure, signature, later revisions, chain, validity at
signing time, seal, what each page draws, code) or the seal text alone, read from the QR of a printed page.

Every rejection has its own ``reason_key`` and a sentence a person understands. Checks run from the
outside in, so the first failure names the real problem:

1. the bytes: each signature dictionary's /ByteRange and /Contents sit where they must, and no copy of
   one hides in the file (``signing.structure``: signature wrapping, universal signature forgery); the
   xref is exact and what the later revisions write reads the same in every reader (``xref_invalid``,
   ``hidden_object``, ``ambiguous_syntax``: parser differentials between pyHanko and poppler);
2. the kiosk's signature is the first one, a certification signature (DocMDP P=2, ``not_certified``),
   the only one by the kiosk's key (``duplicate_signature``), and its signed bytes are intact
   (``modified``);
3. it covers the whole file, or every later revision is one the product makes: a trusted officer's
   approval signature, a document timestamp or DSS data (``signing.revisions``, pyHanko's difference
   analysis); else what the update changed (``pages_changed``, ``image_replaced``, ``seal_edited``,
   ``content_changed``, ``metadata_changed``, ``updated_after_signing``, ``later_signature_untrusted``);
4. the signer chains to a trusted root and its certificate was valid at signing time
   (``untrusted``, ``cert_expired``); signing time is the timestamp (B-T) or the time the kiosk
   claimed (B-B);
5. the seal is well formed and signed by the same certificate (``seal_edited``, ``seal_untrusted``);
6. the seal's code is this copy's code (``seal_mismatch``), its content digest is what the pages draw
   (``content_changed``, ``pages_changed``), and the QR drawn on every page is this seal (``qr_mismatch``).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from signing._pyhanko import (
    coverage_level_class,
    mdp_perm_class,
    pdf_objects,
    pdf_reader_class,
    signature_validation,
    validation_context_class,
)
from signing.code import is_valid_code, kiosk_part
from signing.content import (
    QR_QUIET,
    bounded_data,
    content_digest,
    make_qr,
    page_digests,
    pages_with_inheritance,
    qr_form_content,
    qr_form_ref,
)
from signing.errors import SealFormatError
from signing.keys import cert_kid, es256_verify
from signing.model import Verification
from signing.pdf_names import FIELD_NAME, SEAL_KEY
from signing.revisions import Refusal, describe_update, judge_later_revisions, product_diff_policy
from signing.seal import PREFIX, PREFIX_V1, DecodedSeal, decode_seal
from signing.seal_v1 import (
    OLDER_SEAL_NOTE,
    OLDER_SEAL_NOTE_PDF,
    OLDER_SEAL_SHORT,
    VNC1_LAST_ISSUE,
    older_seal_problem,
)
from signing.structure import (
    check_signature_dict,
    signature_fields,
    stray_signature_dicts,
    strict_read_problem,
    trailing_data,
    xref_problem,
)
from signing.trust import TrustStore

if TYPE_CHECKING:
    from pyhanko.pdf_utils.reader import PdfFileReader

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
        "holder_name": c.holder_name or None,
        "doc_number": c.doc_number or None,
        "doc_date": c.doc_date or None,
        "fields": dict(c.fields),
        "field_pages": dict(c.field_pages),
        "verify_url": c.verify_url or None,
        # The full name from the certificate the root CA vouches for; else the seal's short code.
        "authority": (_organisation(cert) if cert is not None else None) or c.authority,
        "kiosk_id": c.kiosk_id,
        "seal_format": c.seal_format,
        "older_seal": OLDER_SEAL_NOTE if c.is_older_format else None,
    }


def _older_seal_refusal(seal: DecodedSeal, last_issue: dt.datetime) -> str | None:
    """Why an older (VNC1) seal cannot be genuine (issued after the VNC2 cutover), or None."""
    return older_seal_problem(seal.claims.issued_at, last_issue) if seal.claims.is_older_format else None


def _wrong_kiosk(seal: DecodedSeal, cert: x509.Certificate) -> str | None:
    """Why the seal's certificate may not issue this seal, or None: a kiosk's key seals only its own copies
    (its certificate's unit is the kiosk id that the seal and the code name)."""
    claims = seal.claims
    units = [
        str(a.value) for a in cert.subject.get_attributes_for_oid(x509.oid.NameOID.ORGANIZATIONAL_UNIT_NAME)
    ]
    if claims.kiosk_id not in units:
        return f"the seal names kiosk {claims.kiosk_id}, but its key is {', '.join(units) or 'no kiosk'}'s"
    head = claims.code.split("-", 1)[0]
    if head != claims.authority.upper() + kiosk_part(claims.authority, claims.kiosk_id):
        return f"the seal's code {claims.code} is not one that kiosk {claims.kiosk_id} issues"
    return None


def _seal_text(reader: PdfFileReader) -> str | None:
    value = reader.root.get(SEAL_KEY)
    return str(value) if value is not None else None


def _title(reader: PdfFileReader) -> str:
    try:
        info = reader.trailer_view.get("/Info")
        return str(info.get_object().get("/Title", "")) if info is not None else ""
    except Exception:
        return ""


# --- PDF ------------------------------------------------------------------------------------------------


def verify_pdf(data: bytes, trust: TrustStore) -> Verification:
    """Check a certified-copy PDF completely; never raises for a bad file, it says why it is not valid."""
    if len(data) > MAX_PDF_BYTES:
        return _fail("not_pdf", "the file is too large to be a certified copy")
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        return _fail("not_pdf", "the file is not a PDF")
    try:
        reader = pdf_reader_class()(io.BytesIO(data), strict=False)
        fields = signature_fields(reader.root)
    except Exception as exc:
        log.debug("cannot read PDF", exc_info=True)
        return _fail("not_pdf", f"the PDF is damaged and cannot be read ({type(exc).__name__})")
    if not fields:
        return _fail("unsigned", "the PDF has no digital signature, so it is not a certified copy")
    try:
        for field in fields:
            problem = check_signature_dict(data, field)
            if problem is not None:
                return _fail(problem.key, problem.reason)
        used = [tuple(int(n) for n in field.value["/ByteRange"]) for field in fields]
        problem = stray_signature_dicts(data, used) or trailing_data(data)
        if problem is not None:
            return _fail(problem.key, problem.reason)
        signatures = sorted(reader.embedded_signatures, key=lambda s: s.signed_revision)
        if signatures:
            signed_end = signatures[0].byte_range[2] + signatures[0].byte_range[3]
            problem = xref_problem(data, reader.xrefs, signed_end) or strict_read_problem(
                data, signatures[0].signed_revision + 1
            )
            if problem is not None:
                return _fail(problem.key, problem.reason)
    except Exception as exc:
        log.debug("cannot read the signatures", exc_info=True)
        return _fail("modified", f"the signature cannot be read: the file is damaged ({type(exc).__name__})")
    if not signatures:
        return _fail("unsigned", "the PDF has no digital signature, so it is not a certified copy")
    try:
        return _verify_signed(data, reader, signatures, trust)
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


def _kiosk_signature(signatures: list[Any]) -> tuple[Any, list[Any]] | Refusal:
    kiosk, others = signatures[0], signatures[1:]
    if kiosk.field_name != FIELD_NAME or kiosk.sig_object_type != "/Sig":
        return Refusal("unsigned", "the PDF's first signature is not a kiosk's certification signature")
    if kiosk.docmdp_level != mdp_perm_class().FILL_FORMS:
        return Refusal(
            "not_certified",
            "the kiosk's signature is not a certification signature that allows only form filling (DocMDP P=2)",
        )
    kiosk_der = kiosk.signer_cert.dump()
    for other in others:
        if other.field_name == FIELD_NAME or (
            other.sig_object_type == "/Sig" and other.signer_cert.dump() == kiosk_der
        ):
            return Refusal(
                "duplicate_signature", "more than one signature in the file claims to be the kiosk's"
            )
    return kiosk, others


def _verify_signed(
    data: bytes, reader: PdfFileReader, signatures: list[Any], trust: TrustStore
) -> Verification:
    found = _kiosk_signature(signatures)
    if isinstance(found, Refusal):
        return _fail(found.key, found.reason)
    sig, others = found
    signer_cert = x509.load_der_x509_certificate(sig.signer_cert.dump())
    signer_name = signer_cert.subject.rfc4514_string()
    claimed = _signing_time(sig) or dt.datetime.now(dt.UTC)
    context = validation_context_class()(
        trust_roots=trust.asn1_roots(), moment=claimed, allow_fetching=False, revocation_mode="soft-fail"
    )
    status = signature_validation().validate_pdf_signature(
        sig, signer_validation_context=context, diff_policy=product_diff_policy()
    )
    if not (status.intact and status.valid):
        return _fail(
            "modified",
            "the file was changed after it was signed: its signature no longer matches its content",
            signer=signer_name,
        )
    coverage = coverage_level_class()
    if status.coverage != coverage.ENTIRE_FILE:
        refusal = None
        if status.coverage != coverage.ENTIRE_REVISION:
            refusal = Refusal("modified", "the kiosk's signature does not cover the whole of its revision")
        elif not status.docmdp_ok:
            refusal = describe_update(data, sig.byte_range[2] + sig.byte_range[3], reader, SEAL_KEY)
        else:
            refusal = judge_later_revisions(reader, sig, others, trust)
            if refusal is not None and refusal.key == "updated_after_signing":
                refusal = describe_update(data, sig.byte_range[2] + sig.byte_range[3], reader, SEAL_KEY)
        if refusal is not None:
            return _fail(refusal.key, refusal.reason, signer=signer_name)
    elif others:
        return _fail(
            "modified", "a later signature does not lie after the kiosk's in the file", signer=signer_name
        )

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
    revoked = trust.revocation_problem(signer_cert, signed_at)  # issue 22: a leaked kiosk key
    if revoked is not None:
        return _fail("seal_revoked", revoked, signer=signer_name)
    return _verify_seal_in_pdf(
        reader,
        signer_cert,
        signer_name,
        signed_at,
        timestamped,
        approved=bool(others),
        vnc1_until=trust.vnc1_until,
    )


def _verify_seal_in_pdf(
    reader: PdfFileReader,
    signer_cert: x509.Certificate,
    signer_name: str,
    signed_at: dt.datetime,
    timestamped: bool,
    *,
    approved: bool,
    vnc1_until: dt.datetime = VNC1_LAST_ISSUE,
) -> Verification:
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
    wrong = _wrong_kiosk(seal, signer_cert) or _older_seal_refusal(seal, vnc1_until)
    if wrong is not None:
        return _fail("seal_untrusted", wrong, signer=signer_name, **facts)

    claims = seal.claims
    title = _title(reader)
    if not is_valid_code(claims.code) or (title and claims.code not in title):
        return _fail(
            "seal_mismatch",
            f"the QR seal belongs to copy {claims.code}, not to this copy ({title or 'no code'})",
            signer=signer_name,
            **facts,
        )
    digests = page_digests(reader.root)
    if len(digests) != claims.pages:
        return _fail(
            "pages_changed",
            f"the copy has {len(digests)} page(s) but its seal says {claims.pages}",
            signer=signer_name,
            **facts,
        )
    if content_digest(digests) != claims.content_digest:
        return _fail(
            "content_changed",
            "what the pages draw (images, text, fonts, annotations) is not what the QR seal was made for",
            signer=signer_name,
            **facts,
        )
    wrong_qr = _page_without_its_qr(reader, seal_text)
    if wrong_qr is not None:
        return _fail(
            "qr_mismatch",
            f"the QR drawn on page {wrong_qr} is not this copy's seal",
            signer=signer_name,
            **facts,
        )
    when = "timestamped" if timestamped else "signed"
    return Verification(
        valid=True,
        reason=f"valid certified copy {claims.code}, {when} by {signer_name} at {signed_at:%Y-%m-%d %H:%M} UTC"
        + ("; approved by an officer" if approved else "")
        + (f"; {OLDER_SEAL_SHORT}" if claims.is_older_format else ""),
        reason_key="valid",
        signer=signer_name,
        signed_at=signed_at,
        timestamped=timestamped,
        checks={
            "structure": True,
            "signature": True,
            "chain": True,
            "seal": True,
            "content": True,
            "code": True,
        },
        **{**facts, "older_seal": OLDER_SEAL_NOTE_PDF if claims.is_older_format else None},
    )


def _page_without_its_qr(reader: PdfFileReader, seal_text: str) -> int | None:
    """The number of the first page whose QR seal form does not draw exactly this seal, or None."""
    expected: dict[int, bytes] = {}
    for number, page in enumerate(pages_with_inheritance(reader.root), start=1):
        ref = qr_form_ref(page)
        form = ref.get_object() if ref is not None else None
        if not isinstance(form, pdf_objects().StreamObject):
            return number
        box: Any = form.get("/BBox")
        try:
            modules = int(float(box[2]) - float(box[0])) - 2 * QR_QUIET
            version = (modules - 17) // 4
            if version not in expected:
                expected[version] = qr_form_content(make_qr(seal_text, version))
            if bounded_data(form) != expected[version]:
                return number
        except Exception:
            return number
    return None


# --- seal text (a QR read off paper) -----------------------------------------------------------------


def verify_seal_text(text: str, trust: TrustStore) -> Verification:
    """Check a seal read from the QR of a printed page: its signature, its key's chain and validity at issue."""
    try:
        seal = decode_seal(text)
    except SealFormatError as exc:
        return _fail("seal_edited" if PREFIX in text or PREFIX_V1 in text else "not_seal", str(exc))
    return seal_verdict(seal, trust)[0]


def seal_verdict(seal: DecodedSeal, trust: TrustStore) -> tuple[Verification, x509.Certificate | None]:
    """The verdict on a decoded seal (signature, key's chain and kiosk), and the certificate that signed it
    when the verifier knows it."""
    facts = _seal_facts(seal)
    cert = trust.cert_for_kid(seal.kid)
    if cert is None:
        return _fail(
            "seal_untrusted", "the seal was signed by a key this verifier does not know or trust", **facts
        ), None
    public = cert.public_key()
    if not isinstance(public, ec.EllipticCurvePublicKey) or not es256_verify(
        public, seal.signature, seal.signed_bytes()
    ):
        return _fail("seal_edited", "the seal's signature is not valid: its text was changed", **facts), cert
    facts = _seal_facts(seal, cert)
    wrong = _wrong_kiosk(seal, cert) or _older_seal_refusal(seal, trust.vnc1_until)
    if wrong is not None:
        return _fail("seal_untrusted", wrong, **facts), cert
    problem = trust.chain_problem(cert, seal.claims.issued_at)
    if problem is not None:
        key = "cert_expired" if ("expired" in problem or "not yet valid" in problem) else "untrusted"
        return _fail(key, f"the seal's key is not trusted: {problem}", **facts), cert
    revoked = trust.revocation_problem(cert, seal.claims.issued_at)  # issue 22: a leaked kiosk key
    if revoked is not None:
        return _fail("seal_revoked", revoked, **facts), cert
    if not is_valid_code(seal.claims.code):
        return _fail("seal_mismatch", "the seal's code has a wrong check character", **facts), cert
    signer = cert.subject.rfc4514_string()
    return Verification(
        valid=True,
        reason=(
            f"valid seal of certified copy {seal.claims.code} ({seal.claims.pages} page(s), issued "
            f"{seal.claims.issued_at:%Y-%m-%d %H:%M} UTC); compare the printed pages with the copy on record"
            + (f"; {OLDER_SEAL_SHORT}" if seal.claims.is_older_format else "")
        ),
        reason_key="valid",
        signer=signer,
        signed_at=seal.claims.issued_at,
        checks={"seal": True, "chain": True, "code": True},
        **facts,
    ), cert
