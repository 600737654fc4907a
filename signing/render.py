"""Render the certified copy with reportlab: page images, watermark, footer with the QR seal,
certification statement, signature box and the invisible OCR text layer.

Every page is the size of its image at its scanned resolution (2480x3508 px at 300 dpi is A4). The
footer and, on the last page, the certification block are drawn over the bottom of the page on white.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from signing._reportlab import colors, mm, pdfdoc, pdfmetrics, reportlab_canvas, ttfont_class
from signing.content import QR_FORM, QR_QUIET, qr_version_for
from signing.errors import SigningError
from signing.images import EmbeddedImage
from signing.model import CopyMeta, CopyPage

if TYPE_CHECKING:
    from reportlab.pdfgen import canvas

log = logging.getLogger(__name__)

FONT, FONT_BOLD = "KioskSans", "KioskSans-Bold"
FONT_DIRS = (
    Path(__file__).with_name("fonts"),
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
)
STATEMENT_VI = "Chứng thực bản sao đúng với bản chính"
SIGNATURE_FORM = "KioskSignatureBox"
QR_MAX_SIDE = 46 * mm  # with 2 x MARGIN, the 58 mm footer band
QR_MODULE = 0.55 * mm  # 3.2 px per module at 150 dpi
QR_MIN_MODULE = 0.45 * mm
MARGIN = 6 * mm  # clear of the 4-5 mm that printers cannot print
# How far up from the bottom edge the footer, the QR and the certification block may cover the page.
FOOTER_BAND_MM = 58.0
LAST_PAGE_BAND_MM = 100.0  # a narrow last page stacks the certification block over the footer
VI_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")


@lru_cache(maxsize=1)
def register_fonts() -> tuple[str, str]:
    """Register DejaVu Sans (regular and bold) once: embedded subsets that carry every Vietnamese glyph."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            metrics, ttfont = pdfmetrics(), ttfont_class()
            metrics.registerFont(ttfont(FONT, str(regular)))
            metrics.registerFont(ttfont(FONT_BOLD, str(bold)))
            return FONT, FONT_BOLD
    raise SigningError("DejaVu Sans fonts not found (install fonts-dejavu-core); they render Vietnamese")


@dataclass(frozen=True)
class RenderedCopy:
    pdf: bytes
    # The signature box on the last page (x1, y1, x2, y2) in points, and its form XObject's resource name.
    signature_box: tuple[int, int, int, int]
    signature_form: str
    qr_version: int = 0


@cache
def _raw_image_xobject_class() -> Any:
    """The class of an image XObject written as given, built on first use: its base is reportlab's."""
    base: Any = pdfdoc().PDFImageXObject

    class _RawImageXObject(base):
        """An image XObject whose stream is written exactly as given (no re-encoding by reportlab)."""

        def __init__(self, name: str, image: EmbeddedImage) -> None:
            self.name = name
            self.width = image.width
            self.height = image.height
            self.bitsPerComponent = 8
            self.colorSpace = image.color_space
            self._filters = (image.filter,)
            self.streamContent = image.data
            self.mask = None

    return _RawImageXObject


def _draw_raw_image(c: canvas.Canvas, name: str, image: EmbeddedImage, width: float, height: float) -> None:
    doc = c._doc
    reg_name = doc.getXObjectName(name)
    obj = _raw_image_xobject_class()(name, image)
    c._setXObjects(obj)
    doc.Reference(obj, reg_name)
    doc.addForm(name, obj)
    c.saveState()
    c.scale(width, height)
    c._code.append(f"/{reg_name} Do")
    c.restoreState()
    c._formsinuse.append(name)


@dataclass(frozen=True)
class QRShape:
    """The size of a QR symbol of a given version: all that the layout needs (segno.QRCode has the same
    two members), so that rendering around a placeholder does not compute a QR it throws away."""

    version: int

    def symbol_size(self, border: int = 0) -> tuple[int, int]:
        side = 17 + 4 * self.version + 2 * border
        return side, side


def qr_layout(seal: str, version: int | None = None) -> tuple[QRShape, float]:
    """The QR's shape for the seal (at ``version`` when given) and its module size in points (never
    below QR_MIN_MODULE)."""
    qr = QRShape(qr_version_for(seal) if version is None else version)
    modules = qr.symbol_size(border=0)[0]
    module = min(QR_MODULE, QR_MAX_SIDE / modules)
    if module < QR_MIN_MODULE:
        raise SigningError(f"the seal needs QR version {qr.version}, too large to print legibly")
    return qr, module


def _draw_qr(c: canvas.Canvas, qr: QRShape, module: float, x: float, y: float) -> float:
    """Draw the QR seal's form (see signing.content) with its bottom-left corner at (x, y); return its side.

    The form is defined once, in module units; what it holds here is a placeholder of the right size that
    the signer replaces with the final seal's QR (the seal holds the digest of everything else drawn)."""
    n = qr.symbol_size(border=0)[0]
    if not getattr(c, "_kiosk_qr_defined", False):
        c.beginForm(QR_FORM, -QR_QUIET, -QR_QUIET, n + QR_QUIET, n + QR_QUIET)
        c.setFillColor(colors().white)
        c.rect(-QR_QUIET, -QR_QUIET, n + 2 * QR_QUIET, n + 2 * QR_QUIET, stroke=0, fill=1)
        c.endForm()
        c._kiosk_qr_defined = True  # type: ignore[attr-defined]
    c.saveState()
    c.translate(x, y)
    c.scale(module, module)
    c.doForm(QR_FORM)
    c.restoreState()
    return n * module


def _draw_watermark(c: canvas.Canvas, text: str, width: float, height: float) -> None:
    if not text.strip():
        return
    c.saveState()
    c.setFillColor(colors().Color(0.75, 0.1, 0.1, alpha=0.16))
    diagonal = (width**2 + height**2) ** 0.5
    size = min(diagonal / max(len(text), 4) * 1.1, 0.2 * diagonal)
    text_width = pdfmetrics().stringWidth(text, FONT_BOLD, size)
    if text_width > 0.8 * diagonal:
        size *= 0.8 * diagonal / text_width
    c.setFont(FONT_BOLD, size)
    c.translate(width / 2, height / 2)
    c.rotate(_degrees(height, width))
    c.drawCentredString(0, -size * 0.35, text)
    c.restoreState()


def _degrees(opposite: float, adjacent: float) -> float:
    return math.degrees(math.atan2(opposite, adjacent))


def _draw_text_layer(c: canvas.Canvas, page: CopyPage, scale: float, height: float) -> None:
    """Invisible text (render mode 3) over each OCR word box, stretched to the box as OCRmyPDF does."""
    if not page.words:
        return
    # Tr is graphics state: keep it inside q/Q so later text stays visible.
    string_width = pdfmetrics().stringWidth
    c.saveState()
    text = c.beginText()
    text.setTextRenderMode(3)
    for word in page.words:
        content = word.text.strip()
        if not content or word.width <= 0 or word.height <= 0:
            continue
        size = max(word.height * scale, 1.0)
        natural = string_width(content, FONT, size)
        if natural <= 0:
            continue
        text.setFont(FONT, size)
        text.setHorizScale(100.0 * word.width * scale / natural)
        # Baseline a little above the box bottom, where descenders end.
        text.setTextOrigin(word.left * scale, height - (word.top + word.height) * scale + 0.2 * size)
        text.textOut(content)
    c.drawText(text)
    c.restoreState()


def _footer(
    c: canvas.Canvas, *, meta: CopyMeta, index: int, count: int, qr: QRShape, module: float, width: float
) -> float:
    """Code, "Trang i/n" and the QR along the bottom; returns the footer's height."""
    side = qr.symbol_size(border=0)[0] * module
    qr_x, qr_y = width - MARGIN - side, MARGIN
    band = side + 2 * MARGIN
    _draw_qr(c, qr, module, qr_x, qr_y)
    box_w = min(0.55 * width, qr_x - 3 * MARGIN)
    c.setFillColor(colors().Color(1, 1, 1, alpha=0.88))
    c.rect(MARGIN / 2, MARGIN / 2, box_w, 17 * mm, stroke=0, fill=1)
    c.setFillColor(colors().black)
    c.setFont(FONT_BOLD, 10)
    c.drawString(MARGIN, MARGIN + 11 * mm, f"Mã bản sao: {meta.code}")
    c.setFont(FONT, 9)
    c.drawString(MARGIN, MARGIN + 6 * mm, f"Trang {index}/{count}")
    c.setFont(FONT, 6.5)
    c.drawString(
        MARGIN,
        MARGIN + 1.5 * mm,
        "Bản sao có chữ ký số. Kiểm tra bằng cách quét mã QR tại ki-ốt hoặc trên trang tra cứu.",
    )
    return band


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(VI_TZ)


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    string_width = pdfmetrics().stringWidth
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if string_width(trial, font, size) <= width or not current:
            current = trial
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def _certification_block(
    c: canvas.Canvas, meta: CopyMeta, *, x: float, y: float, w: float, h: float, page_line: str = ""
) -> None:
    color = colors()
    c.setFillColor(color.Color(1, 1, 1, alpha=0.94))
    c.setStrokeColor(color.Color(0.55, 0.05, 0.05))
    c.setLineWidth(1.2)
    c.rect(x, y, w, h, stroke=1, fill=1)
    c.setFillColor(color.Color(0.55, 0.05, 0.05))
    title = STATEMENT_VI.upper()
    size = min(11.0, 11.0 * (w - 6 * mm) / pdfmetrics().stringWidth(title, FONT_BOLD, 11.0))
    c.setFont(FONT_BOLD, size)
    top = y + h - 6 * mm
    c.drawString(x + 3 * mm, top, title)
    c.setFillColor(color.black)
    c.setFont(FONT, 8.5)
    when = _local(meta.issued_at)
    lines = [
        f"Ngày {when:%d/%m/%Y}, lúc {when:%H:%M} (giờ Việt Nam)",
        *_wrap(f"Cơ quan: {meta.authority}", FONT, 8.5, w - 6 * mm),
        f"Ki-ốt: {meta.kiosk_id}    {page_line}".rstrip(),
        f"Mã bản sao (số chứng thực): {meta.code}",
    ]
    for i, line in enumerate(lines[:6]):
        c.drawString(x + 3 * mm, top - (5 + 4.2 * i) * mm, line)


def signer_label(signer_name: str, kiosk_id: str) -> str:
    """The signer as the printed copy names it: a kiosk's seal certificate (common name "Kiosk <id> seal",
    see signing.keys) reads "Con dấu số của ki-ốt <id>"; any other name is printed as it is."""
    if signer_name.strip().lower() == f"kiosk {kiosk_id} seal".lower():
        return f"Con dấu số của ki-ốt {kiosk_id}"
    return signer_name


def _signature_form(c: canvas.Canvas, meta: CopyMeta, signer_name: str, w: float, h: float) -> None:
    """The visible signature box (a form XObject reused as the signature widget's appearance)."""
    color = colors()
    c.beginForm(SIGNATURE_FORM, 0, 0, w, h)
    c.setFillColor(color.Color(0.97, 0.99, 0.97))
    c.setStrokeColor(color.Color(0.1, 0.4, 0.15))
    c.setLineWidth(1.2)
    c.rect(0.6, 0.6, w - 1.2, h - 1.2, stroke=1, fill=1)
    c.setFillColor(color.Color(0.1, 0.4, 0.15))
    c.setFont(FONT_BOLD, 9.5)
    c.drawString(3 * mm, h - 5.5 * mm, "Đã ký số - bản sao điện tử")
    c.setFillColor(color.black)
    c.setFont(FONT, 7.5)
    when = _local(meta.issued_at)
    lines = [
        *_wrap(f"Ký bởi: {signer_label(signer_name, meta.kiosk_id)}", FONT, 7.5, w - 6 * mm)[:2],
        *_wrap(f"Cơ quan: {meta.authority}", FONT, 7.5, w - 6 * mm)[:2],
        f"Lúc: {when:%d/%m/%Y %H:%M:%S} (GMT+7)",
    ]
    for i, line in enumerate(lines):
        c.drawString(3 * mm, h - (10 + 3.6 * i) * mm, line)
    c.endForm()


def _last_page_footer(
    c: canvas.Canvas,
    meta: CopyMeta,
    signer_name: str,
    *,
    count: int,
    qr: QRShape,
    module: float,
    width: float,
) -> tuple[int, int, int, int]:
    """Certification statement, signature box and QR side by side along the bottom of the last page
    (stacked above the usual footer when the page is too narrow); returns the signature box."""
    side = qr.symbol_size(border=0)[0] * module
    # Whole points, so the signature widget (an integer box) sits exactly on the drawn box.
    block_h = round(max(side, 34 * mm))
    sig_w = round(min(62 * mm, 0.3 * width))
    gap = 3 * mm
    cert_w = width - 2 * MARGIN - side - sig_w - 2 * gap
    page_line = f"Trang {count}/{count}"
    if cert_w >= 90 * mm:
        block_y = round(MARGIN)
        _draw_qr(c, qr, module, width - MARGIN - side, MARGIN)
        _certification_block(
            c, meta, x=MARGIN, y=block_y, w=min(cert_w, 120 * mm), h=block_h, page_line=page_line
        )
        sig_x = round(width - MARGIN - side - gap - sig_w)
    else:
        band = _footer(c, meta=meta, index=count, count=count, qr=qr, module=module, width=width)
        block_y = round(band + 1 * mm)
        sig_w = round(min(62 * mm, 0.4 * width))
        _certification_block(c, meta, x=MARGIN, y=block_y, w=width - sig_w - 3 * MARGIN, h=block_h)
        sig_x = round(width - MARGIN - sig_w)
    _signature_form(c, meta, signer_name, sig_w, block_h)
    c.saveState()
    c.translate(sig_x, block_y)
    c.doForm(SIGNATURE_FORM)
    c.restoreState()
    return (sig_x, block_y, sig_x + sig_w, block_y + block_h)


def render_copy(
    pages: Sequence[CopyPage],
    images: Sequence[EmbeddedImage],
    meta: CopyMeta,
    seal: str,
    signer_name: str,
    *,
    qr_version: int | None = None,
) -> RenderedCopy:
    """The unsigned certified copy as PDF bytes, with the place of the signature box.

    ``seal`` sets the QR's size (at ``qr_version`` when given); the QR itself is drawn by the signer."""
    if not pages or len(pages) != len(images):
        raise SigningError("a certified copy needs at least one page")
    register_fonts()
    qr, module = qr_layout(seal, qr_version)
    buffer = io.BytesIO()
    c = reportlab_canvas().Canvas(buffer, pageCompression=1, invariant=0)
    c.setTitle(f"Bản sao chứng thực {meta.code}")
    c.setAuthor(meta.authority)
    c.setSubject(STATEMENT_VI)
    c.setCreator("Smart Kiosk")
    count = len(pages)
    signature_box = (0, 0, 0, 0)
    for index, (page, image) in enumerate(zip(pages, images, strict=True), start=1):
        if page.dpi < 50 or page.dpi > 1200:
            raise SigningError(f"page {index}: a resolution of {page.dpi} dpi is not a scan")
        scale = 72.0 / page.dpi
        width, height = image.width * scale, image.height * scale
        c.setPageSize((width, height))
        _draw_raw_image(c, f"page{index}", image, width, height)
        _draw_text_layer(c, page, scale, height)
        _draw_watermark(c, meta.watermark_text, width, height)
        if index < count:
            _footer(c, meta=meta, index=index, count=count, qr=qr, module=module, width=width)
        else:
            signature_box = _last_page_footer(
                c, meta, signer_name, count=count, qr=qr, module=module, width=width
            )
        c.showPage()
    c.save()
    return RenderedCopy(
        buffer.getvalue(), signature_box, pdfdoc().xObjectName(SIGNATURE_FORM), int(qr.version)
    )
