"""PAdES signing of the rendered copy with pyHanko: a certification signature (DocMDP P=2, so that the
officer's later approval signature and LTV data stay allowed and any other change is flagged by every
validator), B-B, or B-T when a timestamp authority is configured.

Before signing, the seal goes into the catalogue (``SEAL_KEY``) and its QR into the placeholder QR form
that the renderer left (see ``signing.content``), in the same revision as the signature.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from signing._pyhanko import (
    http_timestamper_class,
    incremental_writer_class,
    mdp_perm_class,
    pdf_content_class,
    pdf_layout,
    pdf_objects,
    pdf_signature_metadata_class,
    pdf_signer_class,
    sig_field_spec_class,
    sig_seed_subfilter_class,
    static_stamp_style_class,
)
from signing.content import QR_RESOURCE, make_qr, qr_form_content
from signing.errors import SigningError
from signing.keys import SealSigner
from signing.pdf_names import FIELD_NAME, SEAL_KEY
from signing.render import RenderedCopy

if TYPE_CHECKING:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.content import PdfContent
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import timestamps

log = logging.getLogger(__name__)


@cache
def _existing_form_class() -> Callable[[generic.PdfObject, float, float], PdfContent]:
    """The class of the signature widget's appearance, built on first use: its base is pyHanko's."""
    base: Any = pdf_content_class()
    box_constraints = pdf_layout().BoxConstraints

    class _ExistingForm(base):
        """A form XObject that is already in the document, used as the signature widget's appearance."""

        def __init__(self, ref: generic.PdfObject, width: float, height: float) -> None:
            super().__init__(box=box_constraints(width=width, height=height))
            self.ref = ref

        def render(self) -> bytes:
            self.resources.xobject["/KioskSigBox"] = self.ref
            return b"/KioskSigBox Do"

    return _ExistingForm


def _find_form(writer: IncrementalPdfFileWriter, name: str) -> generic.PdfObject:
    page = writer.root["/Pages"]["/Kids"][-1].get_object()
    while "/Kids" in page:  # reportlab writes a flat page tree, but be tolerant
        page = page["/Kids"][-1].get_object()
    xobjects = page["/Resources"]["/XObject"]
    return xobjects.raw_get("/" + name)


def _put_qr(writer: IncrementalPdfFileWriter, seal: str, version: int) -> None:
    """Replace the placeholder QR form (shared by every page) with the seal's QR."""
    content = qr_form_content(make_qr(seal, version or None))
    pdf = pdf_objects()
    replaced: set[tuple[int, int]] = set()
    for page_ref in _page_refs(writer.root["/Pages"]):
        xobjects = page_ref.get_object()["/Resources"].get_object()["/XObject"].get_object()
        ref = xobjects.raw_get(QR_RESOURCE)
        if not isinstance(ref, pdf.IndirectObject):
            raise SigningError("the rendered copy has no QR seal form on every page")
        key = (ref.generation, ref.idnum)
        if key in replaced:
            continue
        old = ref.get_object()
        new = pdf.StreamObject(
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
    pdf = pdf_objects()
    writer = incremental_writer_class()(io.BytesIO(rendered.pdf), strict=False)
    writer.root[pdf.NameObject(SEAL_KEY)] = pdf.TextStringObject(seal)
    writer.update_root()
    _put_qr(writer, seal, rendered.qr_version)
    x1, y1, x2, y2 = rendered.signature_box
    form = _find_form(writer, rendered.signature_form)
    layout = pdf_layout()
    style = static_stamp_style_class()(
        background=_existing_form_class()(form, x2 - x1, y2 - y1),
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
        timestamper = http_timestamper_class()(tsa_url, timeout=int(max(1, tsa_timeout_s)))
    meta = pdf_signature_metadata_class()(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=sig_seed_subfilter_class().PADES,
        reason=reason,
        location=location,
        name=signer.subject,
        certify=True,
        docmdp_permissions=mdp_perm_class().FILL_FORMS,
    )
    pdf_signer = pdf_signer_class()(
        meta,
        signer=signer.pdf_signer(),
        timestamper=timestamper,
        stamp_style=style,
        new_field_spec=sig_field_spec_class()(FIELD_NAME, on_page=-1, box=(x1, y1, x2, y2)),
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
