"""What happened to a certified copy after the kiosk signed it, judged revision by revision.

The kiosk's certification signature (DocMDP P=2) allows exactly what the product itself adds later:

* the officer's approval signature (post-check), signed by a key that chains to the city root;
* a document timestamp, or DSS data for long-term validation.

pyHanko's difference analysis (``pyhanko.sign.diff_analysis``) judges every change against those rules,
with its standard policy. That policy lets anyone rewrite the document info and the XMP metadata (it
counts them as LTA updates), so on top of it:

* every revision after the kiosk's is either the signed revision of a signature that validates and is
  trusted, or one whose changes are LTA updates only (DSS, document info that only the writer's
  ``/ModDate`` and ``/Producer`` changed);
* the document info the kiosk wrote (title, author, subject, creator, keywords) stays as it was, and the
  XMP metadata holds nothing but what pyHanko writes when it signs (its modify date and producer).

Anything else is refused, and ``describe_update`` says what the update changed, for the person: pages
added or removed, a page image swapped, the seal edited, a page's drawn content changed, metadata.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from signing._pyhanko import (
    coverage_level_class,
    diff_analysis,
    mdp_perm_class,
    pdf_objects,
    pdf_reader_class,
    signature_validation,
    validation_context_class,
)
from signing.content import bounded_data, page_digests, pages_with_inheritance
from signing.images import page_image_digest
from signing.pdf_names import OFFICER_UNIT

if TYPE_CHECKING:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import StandardDiffPolicy
    from pyhanko_certvalidator import ValidationContext

log = logging.getLogger(__name__)

MAX_LATER_REVISIONS = 32  # an officer's signature and LTV data make a few; thousands would be a DoS
KIOSK_INFO_KEYS = ("/Title", "/Author", "/Subject", "/Creator", "/Keywords")
# The XMP names that pyHanko writes when it signs; any other property is someone's edit.
XMP_ALLOWED = {
    "x:xmpmeta", "x:xmptk", "rdf:RDF", "rdf:Description", "rdf:about",
    "xmp:ModifyDate", "xmp:MetadataDate", "pdf:Producer",
}  # fmt: skip
_XMP_NAME = re.compile(rb"</?([A-Za-z][\w.-]*:[A-Za-z][\w.-]*)|\s([A-Za-z][\w.-]*:[A-Za-z][\w.-]*)\s*=")


@lru_cache(maxsize=1)
def product_diff_policy() -> StandardDiffPolicy:
    """pyHanko's standard difference policy, with document info, xref and object streams, DSS and XMP
    counted as LTA updates (judged again below); built on first use, as it needs pyHanko."""
    rules = diff_analysis()
    lta = rules.ModificationLevel.LTA_UPDATES
    policy: StandardDiffPolicy = rules.StandardDiffPolicy(
        global_rules=[
            rules.CatalogModificationRule(),
            rules.DocInfoRule().as_qualified(lta),
            rules.XrefStreamRule().as_qualified(lta),
            rules.ObjectStreamRule().as_qualified(lta),
            rules.DSSCompareRule().as_qualified(lta),
            rules.MetadataUpdateRule().as_qualified(lta),
        ],
        form_rule=rules.FormUpdatingRule(
            field_rules=[
                rules.SigFieldCreationRule(),
                rules.SigFieldModificationRule(),
                rules.GenericFieldModificationRule(),
            ]
        ),
    )
    return policy


@dataclass(frozen=True)
class Refusal:
    key: str
    reason: str


def _context(trust: Any, moment: dt.datetime | None) -> ValidationContext:
    return validation_context_class()(
        trust_roots=trust.asn1_roots(),
        moment=moment or dt.datetime.now(dt.UTC),
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def _claimed(sig: Any) -> dt.datetime | None:
    claimed = sig.self_reported_timestamp
    if claimed is not None and claimed.tzinfo is None:
        claimed = claimed.replace(tzinfo=dt.UTC)
    return claimed


def _info(resolver: Any) -> dict[str, str]:
    """The kiosk's document info entries as ``resolver`` (a reader or a historical revision) sees them."""
    try:
        ref = resolver.trailer_view.raw_get("/Info")
        pdf = pdf_objects()
        info = resolver(ref.reference) if isinstance(ref, pdf.IndirectObject) else ref
        if not isinstance(info, pdf.DictionaryObject):
            return {}
        return {key: str(info.raw_get(key)) for key in KIOSK_INFO_KEYS if key in info}
    except Exception:
        log.debug("cannot read the document info", exc_info=True)
        return {"unreadable": "yes"}


def xmp_problem(root: generic.DictionaryObject) -> Refusal | None:
    """The XMP metadata holds a property that the product never writes (a title, a description...)."""
    ref = root.get("/Metadata")
    if ref is None:
        return None
    try:
        text = bounded_data(ref.get_object())
    except Exception:
        return Refusal("metadata_changed", "the document's XMP metadata cannot be read")
    for match in _XMP_NAME.finditer(text[:200_000]):
        name = (match.group(1) or match.group(2)).decode("ascii", "replace")
        if not name.startswith("xmlns:") and name not in XMP_ALLOWED:
            return Refusal("metadata_changed", f"the document's XMP metadata was edited ({name})")
    return None


def judge_later_revisions(reader: PdfFileReader, kiosk: Any, others: list[Any], trust: Any) -> Refusal | None:
    """None when every revision after the kiosk's signature is one the product makes."""
    total = reader.xrefs.total_revisions
    signed_at = kiosk.signed_revision
    if total - signed_at > MAX_LATER_REVISIONS:
        return Refusal(
            "updated_after_signing", f"the file was updated {total - signed_at - 1} times after signing"
        )
    by_revision = {sig.signed_revision: sig for sig in others}
    kiosk_info = _info(reader.get_historical_resolver(signed_at))
    rules = diff_analysis()
    for revision in range(signed_at + 1, total):
        sig = by_revision.get(revision)
        if sig is not None:
            refusal = _judge_signature(sig, trust)
            if refusal is not None:
                return refusal
        else:
            try:
                result = product_diff_policy().apply(
                    reader.get_historical_resolver(revision - 1),
                    reader.get_historical_resolver(revision),
                    None,
                    mdp_perm_class().FILL_FORMS,
                )
            except rules.SuspiciousModification as exc:
                log.debug("revision %d refused: %s", revision, exc)
                return Refusal("updated_after_signing", "the file was changed after it was signed")
            if result.modification_level > rules.ModificationLevel.LTA_UPDATES:
                return Refusal(
                    "updated_after_signing",
                    f"revision {revision + 1} of the file changes it without a signature "
                    f"({result.modification_level.name.lower()})",
                )
        if _info(reader.get_historical_resolver(revision)) != kiosk_info:
            return Refusal(
                "metadata_changed", "the document's metadata (title, author...) was changed after signing"
            )
    return xmp_problem(reader.root)


def _judge_signature(sig: Any, trust: Any) -> Refusal | None:
    """A later signature is the officer's approval or a document timestamp, valid and trusted."""
    name = sig.field_name
    try:
        if sig.sig_object_type == "/DocTimeStamp":
            stamp = signature_validation().validate_pdf_timestamp(
                sig, validation_context=_context(trust, None), skip_diff=True
            )
            if not (stamp.intact and stamp.valid):
                return Refusal("later_signature_invalid", f"the document timestamp '{name}' is not valid")
            if not stamp.trusted:
                return Refusal(
                    "later_signature_untrusted",
                    f"the document timestamp '{name}' is by an authority that does not chain to a trusted root",
                )
            return None
        if sig.docmdp_level is not None:
            return Refusal(
                "duplicate_signature", f"a second certification signature ('{name}') was added to the copy"
            )
        status = signature_validation().validate_pdf_signature(
            sig, signer_validation_context=_context(trust, _claimed(sig)), skip_diff=True
        )
    except Exception as exc:
        log.debug("later signature %s cannot be validated", name, exc_info=True)
        return Refusal(
            "later_signature_invalid",
            f"the later signature '{name}' cannot be checked ({type(exc).__name__})",
        )
    if not (status.intact and status.valid):
        return Refusal("later_signature_invalid", f"the later signature '{name}' does not match the file")
    if status.coverage is None or status.coverage < coverage_level_class().ENTIRE_REVISION:
        return Refusal(
            "later_signature_invalid", f"the later signature '{name}' does not cover its whole revision"
        )
    if not status.trusted:
        return Refusal(
            "later_signature_untrusted",
            f"the later signature '{name}' is by a key that does not chain to a trusted root",
        )
    if not _is_officer(sig.signer_cert):
        return Refusal(
            "later_signature_untrusted",
            f"the later signature '{name}' is not an officer's approval: its certificate is not a judicial "
            "officer's (another kiosk's seal key or a timestamp authority's chains to the root too)",
        )
    return None


def _is_officer(cert: Any) -> bool:
    """The certificate is a judicial officer's personal one (as ``make_officer_cert`` issues): its unit is
    the officer unit, it is no CA, and it is not a timestamp authority's."""
    try:
        subject = cert.subject.native
        units = subject.get("organizational_unit_name")
        units = units if isinstance(units, list) else [units]
        eku = cert.extended_key_usage_value
        purposes = set(eku.native) if eku is not None else set()
        return OFFICER_UNIT in units and not cert.ca and "time_stamping" not in purposes
    except Exception:
        log.debug("cannot read the later signer's certificate", exc_info=True)
        return False


# --- for the person: what an update changed ------------------------------------------------------------


def image_digests(root: generic.DictionaryObject) -> list[list[bytes]]:
    """For each page, the digests (see signing.images) of the image XObjects it draws."""
    result: list[list[bytes]] = []
    for page in pages_with_inheritance(root):
        digests: list[bytes] = []
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources is not None else None
        if xobjects is not None:
            for _name, ref in sorted(xobjects.get_object().items()):
                stream = ref.get_object()
                if stream.get("/Subtype") != "/Image":
                    continue
                filters = stream.get("/Filter")
                if isinstance(filters, pdf_objects().ArrayObject):
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


def describe_update(data: bytes, signed_length: int, current: PdfFileReader, seal_key: str) -> Refusal:
    """What an update appended after the signature changed, as a refusal with its own key."""
    try:
        signed = pdf_reader_class()(io.BytesIO(data[:signed_length]), strict=False)
        before, after = image_digests(signed.root), image_digests(current.root)
        if len(before) != len(after):
            return Refusal(
                "pages_changed",
                f"pages were added or removed after signing: the signed copy has {len(before)} "
                f"page(s), the file now shows {len(after)}",
            )
        for index, (old, new) in enumerate(zip(before, after, strict=True), start=1):
            if old != new:
                return Refusal("image_replaced", f"the image of page {index} was replaced after signing")
        if signed.root.get(seal_key) != current.root.get(seal_key):
            return Refusal("seal_edited", "the QR seal text was changed after signing")
        old_pages, new_pages = page_digests(signed.root), page_digests(current.root)
        for index, (old_digest, new_digest) in enumerate(zip(old_pages, new_pages, strict=True), start=1):
            if old_digest != new_digest:
                return Refusal(
                    "content_changed",
                    f"what page {index} draws (its content, resources or annotations) was changed after signing",
                )
        if _info(signed) != _info(current):
            return Refusal(
                "metadata_changed", "the document's metadata (title, author...) was changed after signing"
            )
    except Exception:
        log.debug("could not analyse the update after the signature", exc_info=True)
    return Refusal(
        "updated_after_signing", "the file was changed after it was signed (an update was appended)"
    )
