"""Draw a receipt as a thermal printer would print it: a 1-bit picture the width of the paper roll.

Used by the simulated receipt printer (which saves it as PNG) and by the ESC/POS printer when the text is
printed as an image (any printer can print Vietnamese that way, code page or not).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import segno
from PIL import Image, ImageDraw, ImageFont

from drivers.base import Receipt

# 203 dpi thermal heads: printable dots per line for the common roll widths.
DOTS_PER_LINE = {58: 384, 80: 576}
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


@lru_cache(maxsize=8)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_DIRS:
        if (folder / name).is_file():
            return ImageFont.truetype(str(folder / name), size)
    return ImageFont.load_default(size)


def _wrap(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int) -> list[str]:
    words = text.split()
    if not words:
        return [""]
    lines, current = [], words[0]
    for word in words[1:]:
        trial = f"{current} {word}"
        if font.getlength(trial) <= width:
            current = trial
        else:
            lines.append(current)
            current = word
    lines.append(current)
    return lines


def text_image(
    lines: list[str] | tuple[str, ...], width_dots: int, *, size: int = 22, bold: bool = False
) -> Image.Image:
    """Lines of text (wrapped to the roll) as a 1-bit image."""
    font = _font(size, bold)
    wrapped = [part for line in lines for part in _wrap(line, font, width_dots - 8)]
    line_height = int(size * 1.3)
    image = Image.new("L", (width_dots, max(1, line_height * len(wrapped))), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(wrapped):
        draw.text((4, i * line_height), line, font=font, fill=0)
    return image.convert("1", dither=Image.Dither.NONE)


def qr_image(data: str, width_dots: int) -> Image.Image:
    # micro=False: segno picks a Micro QR for short data (a bare code), which phone cameras and zbar
    # do not read; the ESC/POS printer's native QR is a full QR too.
    qr = segno.make(data, error="m", micro=False)
    dark = np.pad(np.array(qr.matrix, dtype=bool), 2)
    scale = max(2, min(8, (width_dots * 2 // 3) // dark.shape[0]))
    pixels = np.where(np.kron(dark, np.ones((scale, scale), dtype=bool)), 0, 255).astype(np.uint8)
    picture = Image.fromarray(pixels, mode="L").convert("1", dither=Image.Dither.NONE)
    canvas = Image.new("1", (width_dots, picture.height), 1)
    canvas.paste(picture, ((width_dots - picture.width) // 2, 0))
    return canvas


def _vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đ"


# Issue 25: the receipt's own labels in the visit's language (an English visit gets an English receipt).
LABELS = {
    "vi": {
        "copies": "Số bản sao: {n}",
        "fee": "Phí chứng thực: {amount}",
        "reference": "Mã thanh toán: {reference}",
        "secret": "Mã bí mật tải lại bản sao: {secret}",
        "where": "Tải lại tại: {url} (quét mã QR thứ hai)",
        "private": "Giữ kín mã bí mật: không đưa cho người khác.",
    },
    "en": {
        "copies": "Copies: {n}",
        "fee": "Certification fee: {amount}",
        "reference": "Payment reference: {reference}",
        "secret": "Secret to download the copy again: {secret}",
        "where": "Download at: {url} (scan the second QR code)",
        "private": "Keep the secret private: do not give it to anyone.",
    },
}


def receipt_lines(receipt: Receipt) -> tuple[str, ...]:
    """The receipt's text: its own lines, then what was paid (copies, fee, payment reference) when known."""
    label = LABELS["en" if receipt.language == "en" else "vi"]
    extra = []
    if receipt.copies is not None:
        extra.append(label["copies"].format(n=receipt.copies))
    if receipt.amount_vnd is not None:
        extra.append(label["fee"].format(amount=_vnd(receipt.amount_vnd)))
    if receipt.payment_reference:
        extra.append(label["reference"].format(reference=receipt.payment_reference))
    if receipt.retrieval_secret:
        extra.append(label["secret"].format(secret=receipt.retrieval_secret))
        if receipt.retrieval_url:
            extra.append(label["where"].format(url=receipt.retrieval_url.split("#", 1)[0]))
        extra.append(label["private"])
    return tuple(receipt.lines) + tuple(extra)


def render_receipt(receipt: Receipt, paper_mm: int = 80) -> Image.Image:
    """The whole receipt: the lines, the code in large bold, the QR. A 1-bit image."""
    width = DOTS_PER_LINE.get(paper_mm)
    if width is None:
        raise ValueError(f"paper width must be one of {sorted(DOTS_PER_LINE)} mm, got {paper_mm}")
    small = 20 if paper_mm == 58 else 24
    parts = [
        text_image(receipt_lines(receipt), width, size=small),
        text_image([receipt.code], width, size=small + 10, bold=True),
        qr_image(receipt.qr_data, width),
    ]
    if receipt.retrieval_url:
        parts.append(qr_image(receipt.retrieval_url, width))
    gap = 12
    height = sum(p.height for p in parts) + gap * (len(parts) + 1)
    sheet = Image.new("1", (width, height), 1)
    y = gap
    for part in parts:
        sheet.paste(part, (0, y))
        y += part.height + gap
    return sheet
