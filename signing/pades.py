"""PAdES signing of the rendered copy with pyHanko: a certification signature (DocMDP P=2, so that the
officer's later approval signature and LTV data stay allowed and any other change is flagged by every
validator), B-B, or B-T when a timestamp authority is configured.

Before signing, the seal goes into the catalogue (``SEAL_KEY``) and its QR into the placeholder QR form
that the renderer left (see ``signing.content``), in the same revision as the signature.
"""

from __future__ import annotations

import io
import logging

from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.content import PdfContent
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.fields import MDPPerm
from pyhanko.stamp import StaticStampStyle

from signing.content import QR_RESOURCE, make_qr, qr_form_content
from signing.errors import SigningError
from signing.keys import SealSigner
from signing.pdf_names import FIELD_NAME, SEAL_KEY
from signing.render import RenderedCopy

log = logging.getLogger(__name__)


class _ExistingForm(PdfContent):
    """A form XObject that is already in the document, used as the signature widget's appearance."""

    def __init__(self, ref: generic.PdfObject, width: float, height: float) -> None:
        super().__init__(box=BoxConstraints(width=width, height=height))
        self.ref = ref

    def render(self) -> bytes:
        self.resources.xobject["/KioskSigBox"] = self.ref
        return b"/KioskSigBox Do"


def _find_form(writer: IncrementalPdfFileWriter, name: str) -> generic.PdfObject:
    page = writer.root["/Pages"]["/Kids"][-1].get_object()
    while "/Kids" in page:  # reportlab writes a flat page tree, but be tolerant
        page = page["/Kids"][-1].get_object()
    xobjects = page["/Resources"]["/XObject"]
    return xobjects.raw_get("/" + name)


def _put_qr(writer: IncrementalPdfFileWriter, seal: str, version: int) -> None:
    """Replace the placeholder QR form (shared by every page) with the seal's QR."""
    content = qr_form_content(make_qr(seal, version or None))
    replaced: set[tuple[int, int]] = set()
    for page_ref in _page_refs(writer.root["/Pages"]):
        xobjects = page_ref.get_object()["/Resources"].get_object()["/XObject"].get_object()
        ref = xobjects.raw_get(QR_RESOURCE)
        if not isinstance(ref, generic.IndirectObject):
            raise SigningError("the rendered copy has no QR seal form on every page")
        key = (ref.generation, ref.idnum)
        if key in replaced:
            continue
        old = ref.get_object()
        new = generic.StreamObject(
            {k: v for k, v in old.items() if k not in ("/Length", "/Filter", "/DecodeParms")},
            stream_data=content,
        )
        new.compress()
        writer.objects[key] = new
        replaced.add(key)


def _page_refs(node: generic.PdfObject, depth: int = 0) -> list[generic.PdfObject]:
    pages = node.get_object()
    if "/Kids" not in pages or depth > 32:
        return []
    refs: list[generic.PdfObject] = []
    for kid in pages["/Kids"]:
        if "/Kids" in kid.get_object():
            refs.extend(_page_refs(kid, depth + 1))
        else:
            refs.append(kid)
    return refs


def sign_copy(
    rendered: RenderedCopy,
    seal: str,
    signer: SealSigner,
    *,
    reason: str,
    location: str,
    tsa_url: str = "",
    tsa_timeout_s: float = 10.0,
    timestamper: timestamps.TimeStamper | None = None,
) -> bytes:
    """Certify the rendered copy (the signature covers the whole file); returns the signed PDF."""
    writer = IncrementalPdfFileWriter(io.BytesIO(rendered.pdf), strict=False)
    writer.root[generic.NameObject(SEAL_KEY)] = generic.TextStringObject(seal)
    writer.update_root()
    _put_qr(writer, seal, rendered.qr_version)
    x1, y1, x2, y2 = rendered.signature_box
    form = _find_form(writer, rendered.signature_form)
    style = StaticStampStyle(
        background=_ExistingForm(form, x2 - x1, y2 - y1),
        border_width=0,
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MIN,
            margins=layout.Margins.uniform(0),
            inner_content_scaling=layout.InnerScaling.NO_SCALING,
        ),
    )
    if timestamper is None and tsa_url:
        timestamper = timestamps.HTTPTimeStamper(tsa_url, timeout=int(max(1, tsa_timeout_s)))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        name=signer.subject,
        certify=True,
        docmdp_permissions=MDPPerm.FILL_FORMS,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer.pdf_signer(),
        timestamper=timestamper,
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec(FIELD_NAME, on_page=-1, box=(x1, y1, x2, y2)),
    )
    out = io.BytesIO()
    try:
        pdf_signer.sign_pdf(writer, output=out)
    except SigningError:
        raise
    except Exception as exc:
        log.debug("PAdES signing failed", exc_info=True)
        what = (
            "the timestamp authority did not answer" if timestamper is not None and _is_network(exc) else None
        )
        raise SigningError(f"could not sign the copy: {what or exc}") from exc
    return out.getvalue()


def _is_network(exc: BaseException) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return any(word in text for word in ("timestamp", "connect", "timeout", "tsa", "http"))
