"""PAdES signing of the rendered copy with pyHanko: B-B, or B-T when a timestamp authority is configured."""

from __future__ import annotations

import io
import logging

from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.content import PdfContent
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.sign import fields, signers, timestamps
from pyhanko.stamp import StaticStampStyle

from signing.errors import SigningError
from signing.keys import SealSigner
from signing.render import RenderedCopy

log = logging.getLogger(__name__)

FIELD_NAME = "KioskSeal"
SEAL_KEY = "/VNCopySeal"  # the seal text, kept in the catalogue so verification can read it without a QR


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
    """Sign the rendered copy (the signature covers the whole file); returns the signed PDF."""
    writer = IncrementalPdfFileWriter(io.BytesIO(rendered.pdf), strict=False)
    writer.root[generic.NameObject(SEAL_KEY)] = generic.TextStringObject(seal)
    writer.update_root()
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
