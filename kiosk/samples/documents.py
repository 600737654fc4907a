"""Synthetic Vietnamese administrative pages with their ground truth, and scanner-like degradations.

Used by the simulated scanner (the demo), by the OCR tests and by ``bench/ocr_bench.py``. Every page is an
A4 sheet at 300 dpi (2480 x 3508 px, BGR) drawn with Pillow in one of several Vietnamese-capable fonts.
Names, places, numbers, dates, wording, numbering, fonts, sizes and margins all vary with the seed, so a
benchmark over many seeds does not measure one memorised layout.

Ground truth ``text`` lists the lines in reading order: the left header block (issuing authority and
document number), then the right header block (national motto), then the title, body, date line and
signature block. ``fields`` holds what :func:`ocr.extract_fields` should find (dates in ISO form, names in
capitals as printed).
"""

from __future__ import annotations

import io
import unicodedata
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from kiosk.samples.contents import BUILDERS, Content, Rng, _date, _id_number, _name, _place
from ocr.classify import DOC_TYPES  # the kinds the kiosk tells apart; the generator makes each of them

DEGRADATIONS = ("clean", "rotated", "noisy", "blurred", "shadow", "faded_jpeg")

A4_300DPI = (2480, 3508)  # width, height in pixels
_FONT_DIRS = (Path("/usr/share/fonts/truetype"), Path("/usr/local/share/fonts"))
# (regular, bold, italic) file names; only the families present on the machine are used.
_FAMILIES = (
    ("dejavu/DejaVuSerif.ttf", "dejavu/DejaVuSerif-Bold.ttf", "dejavu/DejaVuSerif-Italic.ttf"),
    ("dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf", "dejavu/DejaVuSans-Oblique.ttf"),
    ("noto/NotoSerif-Regular.ttf", "noto/NotoSerif-Bold.ttf", "noto/NotoSerif-Italic.ttf"),
    ("noto/NotoSans-Regular.ttf", "noto/NotoSans-Bold.ttf", "noto/NotoSans-Italic.ttf"),
    (
        "liberation2/LiberationSerif-Regular.ttf",
        "liberation2/LiberationSerif-Bold.ttf",
        "liberation2/LiberationSerif-Italic.ttf",
    ),
    (
        "liberation2/LiberationSans-Regular.ttf",
        "liberation2/LiberationSans-Bold.ttf",
        "liberation2/LiberationSans-Italic.ttf",
    ),
    ("freefont/FreeSerif.ttf", "freefont/FreeSerifBold.ttf", "freefont/FreeSerifItalic.ttf"),
)


@dataclass(frozen=True)
class SampleDocument:
    """One synthetic page: the BGR image (A4, 300 dpi), its text in reading order, the expected fields."""

    image: np.ndarray
    text: str
    fields: dict[str, str]
    doc_type: str
    font: str = ""
    dpi: int = 300


@dataclass(frozen=True)
class _Line:
    x: int
    y: int
    size: int
    text: str


def _reading_order(lines: list[_Line]) -> str:
    """Lines grouped into visual rows (top to bottom), each row read left to right.

    Two header blocks side by side are read row by row, as a person reading across the page (and as
    Tesseract's page segmentation) does.
    """
    rows: list[list[_Line]] = []
    for line in sorted(lines, key=lambda ln: ln.y):
        center = line.y + line.size / 2
        if rows:
            last = rows[-1]
            last_center = sum(ln.y + ln.size / 2 for ln in last) / len(last)
            if abs(center - last_center) < 0.5 * min(line.size, last[0].size):
                last.append(line)
                continue
        rows.append([line])
    return "\n".join(" ".join(ln.text for ln in sorted(row, key=lambda ln: ln.x)) for row in rows)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@cache
def available_fonts() -> tuple[tuple[str, str, str], ...]:
    """The font families (regular, bold, italic paths) found on this machine."""
    found: list[tuple[str, str, str]] = []
    for family in _FAMILIES:
        for base in _FONT_DIRS:
            regular, bold, italic = family
            paths = (str(base / regular), str(base / bold), str(base / italic))
            if all(Path(p).is_file() for p in paths):
                found.append(paths)
                break
    if not found:
        raise RuntimeError("no Vietnamese-capable TrueType font found (install fonts-dejavu-core)")
    return tuple(found)


@cache
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


class _Page:
    """A white A4 page with a text cursor; records every drawn line in reading order."""

    def __init__(self, r: Rng, fonts: tuple[str, str, str], size: int) -> None:
        self.width, self.height = A4_300DPI
        tone = r.int(242, 255)
        self.img = Image.new("L", (self.width, self.height), tone)
        self.draw = ImageDraw.Draw(self.img)
        self.ink = r.int(0, 45)
        self.fonts, self.size = fonts, size
        self.left = r.int(190, 290)
        self.right = self.width - r.int(170, 250)
        self.y = r.int(170, 280)
        self.lines: list[_Line] = []

    def font(self, style: int, size: int | None = None) -> ImageFont.FreeTypeFont:
        return _font(self.fonts[style], size or self.size)

    def fit(self, text: str, style: int, size: int, width: int) -> ImageFont.FreeTypeFont:
        while size > 20 and self.draw.textlength(text, font=self.font(style, size)) > width:
            size -= 2
        return self.font(style, size)

    def text(self, text: str, x: int, y: int, font: ImageFont.FreeTypeFont) -> None:
        self.draw.text((x, y), text, fill=self.ink, font=font)
        self.lines.append(_Line(x, y, int(font.size), text))

    def centered(self, text: str, x0: int, x1: int, y: int, font: ImageFont.FreeTypeFont) -> None:
        w = self.draw.textlength(text, font=font)
        self.text(text, int((x0 + x1 - w) / 2), y, font)

    def wrap(self, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
        words, lines, current = text.split(" "), [], ""
        for word in words:
            trial = f"{current} {word}".strip() if word else current + " "
            if current and self.draw.textlength(trial.strip(), font=font) > width:
                lines.append(current.strip())
                current = word
            else:
                current = trial
        if current.strip():
            lines.append(current.strip())
        return lines


def _layout(content: Content, r: Rng) -> tuple[Image.Image, list[_Line], str]:
    fonts = r.pick(available_fonts())
    size = r.int(44, 54)
    page = _Page(r, fonts, size)
    line_gap = int(size * r.pick((1.45, 1.6, 1.75)))
    if content.frame:
        inset = r.int(70, 110)
        for k, width in ((0, 7), (22, 3)):
            page.draw.rectangle(
                (inset + k, inset + k, page.width - inset - k, page.height - inset - k),
                outline=page.ink + 20,
                width=width,
            )
        page.left += 60
        page.right -= 60
        page.y += 80
    left, right = page.left, page.right
    split = left + int((right - left) * 0.42)
    head = max(36, size - r.int(4, 10))
    # Left header block: parent authority, own authority (bold), document number.
    y = page.y
    lefts: list[tuple[str, int]] = []
    if content.authority_parent:
        lefts.append((content.authority_parent, 0))
    lefts += [(line, 1) for line in content.authority]
    for text, style in lefts:
        page.centered(text, left - 40, split, y, page.fit(text, style, head, split - left + 20))
        y += int(head * 1.4)
    page.draw.line(
        (int((left + split) / 2) - 120, y + 4, int((left + split) / 2) + 120, y + 4), fill=page.ink, width=3
    )
    y += 30
    if content.number_line:
        page.centered(content.number_line, left - 40, split, y, page.font(0, head))
        y += int(head * 1.4)
    # Right header block: the national motto.
    yr = page.y
    motto = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
    right_x0 = split + 60
    for text in motto:
        page.centered(text, right_x0, right, yr, page.fit(text, 1, head, right - right_x0))
        yr += int(head * 1.4)
    mid = int((right_x0 + right) / 2)
    page.draw.line((mid - 260, yr + 4, mid + 260, yr + 4), fill=page.ink, width=3)
    y = max(y, yr) + r.int(120, 220)
    # Title.
    tsize = int(size * r.pick((1.3, 1.4, 1.55)))
    for text in content.title:
        page.centered(text, left, right, y, page.fit(text, 1, tsize, right - left))
        y += int(tsize * 1.5)
    y += r.int(60, 130)
    # Body.
    body_font = page.font(0)
    indent = r.pick((0, 0, 40, 80))
    for paragraph in content.body:
        for i, line in enumerate(page.wrap(paragraph, body_font, right - left - indent - 60)):
            page.text(line, left + indent + (60 if i else 0), y, body_font)
            y += line_gap
    y += r.int(50, 120)
    # Date line and signature block in the right half.
    sig_x0 = left + int((right - left) * 0.45)
    if content.date_line:
        page.centered(
            content.date_line, sig_x0, right, y, page.fit(content.date_line, 2, size, right - sig_x0)
        )
        y += line_gap
    for i, text in enumerate(content.signature):
        if i == len(content.signature) - 1:
            y += r.int(160, 260)  # room for the signature and stamp
        style = 1 if i != len(content.signature) - 1 or r.chance(0.7) else 0
        page.centered(text, sig_x0, right, y, page.fit(text, style, size, right - sig_x0))
        y += line_gap
    if y > page.height - 120:
        raise ValueError("page overflow")  # caught by make_document, which shrinks the font
    return page.img, page.lines, Path(fonts[0]).stem


def _id_card_page(r: Rng) -> tuple[Image.Image, list[_Line], dict[str, str], str]:
    """An enlarged photocopy of a CCCD front and back on an A4 sheet."""
    fonts = r.pick(available_fonts())
    _province, code, district, ward, _ = _place(r)
    female = r.chance(0.5)
    name = _name(r, female)
    dob, dob_iso = _date(r, 1950, 2006)
    idn = _id_number(r, code, int(dob_iso[:4]), female)
    issue, issue_iso = _date(r, 2021, 2024)
    expiry_year = int(dob_iso[:4]) + (
        25 if int(dob_iso[:4]) > 1996 else 40 if int(dob_iso[:4]) > 1981 else 60
    )
    expiry = f"{dob[:6]}{expiry_year}"
    sex = "Nữ" if female else "Nam"
    width, height = A4_300DPI
    img = Image.new("L", (width, height), r.int(242, 255))
    draw = ImageDraw.Draw(img)
    ink = r.int(0, 40)
    size = r.int(38, 44)
    font = _font(fonts[0], size)
    bold = _font(fonts[1], size)
    lines: list[_Line] = []
    card_w, card_h = 1560, 985
    x0 = (width - card_w) // 2 + r.int(-80, 80)

    def put(
        text: str, x: int, y: int, f: ImageFont.FreeTypeFont, center_in: tuple[int, int] | None = None
    ) -> None:
        if center_in:
            x = int((center_in[0] + center_in[1] - draw.textlength(text, font=f)) / 2)
        draw.text((x, y), text, fill=ink, font=f)
        lines.append(_Line(x, y, int(f.size), text))

    # Front.
    y0 = r.int(260, 420)
    draw.rounded_rectangle((x0, y0, x0 + card_w, y0 + card_h), radius=50, outline=ink + 30, width=5)
    y = y0 + 50
    put("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 0, y, bold, (x0, x0 + card_w))
    y += int(size * 1.35)
    put("Độc lập - Tự do - Hạnh phúc", 0, y, bold, (x0, x0 + card_w))
    y += int(size * 1.5)
    title_font = _font(fonts[1], int(size * 1.35))
    put("CĂN CƯỚC CÔNG DÂN", 0, y, title_font, (x0, x0 + card_w))
    y += int(size * 2.0)
    photo = (x0 + 60, y, x0 + 420, y + 480)
    draw.rectangle(photo, outline=ink + 60, width=4)
    tx = x0 + 480
    gap = int(size * 1.42)
    front = [
        (f"Số / No.: {idn}", bold),
        ("Họ và tên / Full name:", font),
        (name, bold),
        (f"Ngày sinh / Date of birth: {dob}", font),
        (f"Giới tính / Sex: {sex}    Quốc tịch / Nationality: Việt Nam", font),
        ("Quê quán / Place of origin:", font),
        (f"{ward}, {district}", font),
        (f"Có giá trị đến: {expiry}", font),
    ]
    for text, line_font in front:
        fitted = line_font
        while draw.textlength(text, font=fitted) > x0 + card_w - tx - 40:
            fitted = _font(fonts[1] if line_font is bold else fonts[0], fitted.size - 2)
        put(text, tx, y, fitted)
        y += gap
    # Back.
    y0b = y0 + card_h + r.int(200, 320)
    draw.rounded_rectangle((x0, y0b, x0 + card_w, y0b + card_h), radius=50, outline=ink + 30, width=5)
    y = y0b + 60
    back = [
        "Đặc điểm nhân dạng / Personal identification:",
        r.pick(("Nốt ruồi cách 2cm trên đuôi mắt trái", "Sẹo chấm cách 1cm dưới cằm", "Nốt ruồi dưới mũi")),
        f"Ngày, tháng, năm / Date, month, year: {issue}",
        "CỤC TRƯỞNG CỤC CẢNH SÁT",
        "QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI",
        _name(r, False),
    ]
    for i, text in enumerate(back):
        f = bold if i in (3, 4, 5) else font
        if i == 5:
            y += 120
        if i >= 3:
            put(text, 0, y, f, (x0 + card_w // 2 - 100, x0 + card_w))
        else:
            put(text, x0 + 60, y, f)
        y += gap
    fields = {
        "id_number": idn,
        "full_name": name,
        "date_of_birth": dob_iso,
        "sex": sex,
        "date_of_expiry": f"{expiry_year}-{dob_iso[5:7]}-{dob_iso[8:10]}",
        "issue_date": issue_iso,
    }
    return img, lines, fields, Path(fonts[0]).stem


# The document types a sample page can be made of: every content builder, and the ID card photocopy.
SAMPLE_TYPES = frozenset({*BUILDERS, "id_card"})


def key_seed(doc_type: str) -> int:
    """A type's part of the seed, from its key: adding or reordering types leaves other samples alone."""
    return zlib.crc32(doc_type.encode("utf-8")) % 7919


def make_document(doc_type: str, seed: int = 0) -> SampleDocument:
    """A synthetic A4 page at 300 dpi of the given type, with its ground-truth text and fields."""
    if doc_type not in SAMPLE_TYPES:
        raise ValueError(f"unknown document type {doc_type!r}; one of {', '.join(DOC_TYPES)}")
    r = Rng(seed * 7919 + key_seed(doc_type))
    if doc_type == "id_card":
        img, lines, fields, font = _id_card_page(r)
    else:
        content = BUILDERS[doc_type](r)
        fields = content.fields
        for attempt in range(4):
            try:
                img, lines, font = _layout(content, Rng(seed * 31 + attempt))
                break
            except ValueError:
                continue
        else:  # pragma: no cover - the layouts above always fit within four attempts
            raise RuntimeError("could not lay out the sample page")
    gray = np.asarray(img)
    bgr = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    text = _nfc(_reading_order(lines))
    return SampleDocument(
        image=bgr, text=text, fields={k: _nfc(v) for k, v in fields.items()}, doc_type=doc_type, font=font
    )


def degrade(image: np.ndarray, kind: str, seed: int = 0) -> np.ndarray:
    """What a scanner or a careless citizen does to a page. Kinds: see ``DEGRADATIONS``."""
    if kind not in DEGRADATIONS:
        raise ValueError(f"unknown degradation {kind!r}; one of {', '.join(DEGRADATIONS)}")
    rng = np.random.default_rng(seed + 1000 * DEGRADATIONS.index(kind))
    img = image.copy()
    h, w = img.shape[:2]
    if kind == "clean":
        return img
    if kind == "rotated":
        angle = float(rng.uniform(3.0, 5.0)) * (1 if rng.random() < 0.5 else -1)
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        paper = tuple(int(v) for v in np.median(img[:50, :50].reshape(-1, 3), axis=0))
        return cv2.warpAffine(img, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=paper)
    if kind == "noisy":
        noise = rng.normal(0.0, 35.0, (h, w, 1)).astype(np.float32)
        return np.clip(img.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    if kind == "blurred":
        return cv2.GaussianBlur(img, (0, 0), 2.0)
    if kind == "shadow":
        yy, xx = np.mgrid[0:h:8, 0:w:8].astype(np.float32)
        theta = rng.uniform(0, 2 * np.pi)
        ramp = (np.cos(theta) * xx / w + np.sin(theta) * yy / h + 1.0) / 2.0  # 0..1 across the page
        light = 1.0 - float(rng.uniform(0.45, 0.6)) * ramp
        # A soft shadow blob, as from a hand or the scanner lid.
        cx, cy = rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.9) * h
        radius = rng.uniform(0.2, 0.35) * w
        blob = np.exp(-(((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * radius**2)))
        light *= 1.0 - float(rng.uniform(0.3, 0.45)) * blob
        light = cv2.resize(light, (w, h), interpolation=cv2.INTER_LINEAR)
        return np.clip(img.astype(np.float32) * light[..., None], 0, 255).astype(np.uint8)
    # faded_jpeg: washed-out toner on greyish paper, saved as a poor JPEG.
    fade = float(rng.uniform(0.4, 0.5))
    faded = 255.0 - (255.0 - img.astype(np.float32)) * fade
    faded = np.clip(faded * float(rng.uniform(0.92, 0.97)), 0, 255).astype(np.uint8)
    ok, data = cv2.imencode(".jpg", faded, [cv2.IMWRITE_JPEG_QUALITY, 25])
    if not ok:  # pragma: no cover - OpenCV always encodes a valid uint8 image
        raise RuntimeError("JPEG encoding failed")
    decoded = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if decoded is None:  # pragma: no cover - the bytes were encoded just above
        raise RuntimeError("JPEG decoding failed")
    return np.asarray(decoded, dtype=np.uint8)


def to_png(image: np.ndarray) -> bytes:
    """PNG bytes of a BGR page (for files and the simulated scanner)."""
    buf = io.BytesIO()
    Image.fromarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB)).save(buf, format="PNG")
    return buf.getvalue()
