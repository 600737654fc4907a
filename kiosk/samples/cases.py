"""Hard pages for the OCR bench and tests: the cases real citizens bring that plain generated forms miss.

``make_case(case, seed)`` gives a :class:`~kiosk.samples.documents.SampleDocument` (BGR image, ground truth
text in reading order, expected fields) for each of ``CASES``:

* ``sparse``: a short notice, one column in the left part of the page, wide margins, few lines;
* ``seal``: a decision with a red round seal and a blue signature over the signer's title and name;
* ``table``: a list laid out as a ruled table (reading order: row by row, cells left to right);
* ``scan150``: a generated form scanned at 150 dpi (the image is half the size, ``dpi`` says 150);
* ``phone``: a page photographed by a phone, in perspective, on a dark desk, lit unevenly;
* ``turned90``: a page laid on the glass a quarter turn off;
* ``photo_box``: a personal record with a portrait photo in a box beside the text.

Fonts, sizes, margins, ink and paper colours, wording and layout vary with the seed. Seals, signatures,
the desk and the photo are not text: they are not in the ground truth.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from kiosk.samples.documents import A4_300DPI, DOC_TYPES, SampleDocument, available_fonts, make_document

CASES = ("sparse", "seal", "table", "scan150", "phone", "turned90", "photo_box")

_SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý")
_MIDDLES = ("Văn", "Thị", "Minh", "Ngọc", "Quang", "Thu", "Hữu", "Thanh", "Đức", "Kim", "Xuân")
_GIVEN = ("An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Hùng", "Lan", "Linh", "Nam", "Phong", "Quỳnh",
          "Sơn", "Thảo", "Trang", "Tuấn", "Vân", "Yến", "Khánh", "Lộc")  # fmt: skip
_WARDS = ("Phường Hàng Bạc", "Phường Văn Miếu", "Xã Đa Tốn", "Phường Bến Nghé", "Phường Thạch Thang",
          "Xã Hòa Phong", "Phường Hưng Bình", "Phường Suối Hoa", "Phường An Hòa", "Phường Phú Hội")  # fmt: skip
_CITIES = ("Hà Nội", "Đà Nẵng", "Hải Phòng", "Cần Thơ", "Huế", "Vinh", "Bắc Ninh", "Nha Trang")
_SUBJECTS = (
    "về việc cấp giấy phép kinh doanh hộ gia đình",
    "về việc công nhận tổ dân phố văn hóa",
    "về việc thành lập tổ công tác liên ngành",
    "về việc hỗ trợ kinh phí sửa chữa nhà văn hóa",
    "về việc khen thưởng tập thể và cá nhân",
)
_CLAUSES = (
    "Cấp giấy phép cho hộ kinh doanh có tên dưới đây được hoạt động theo quy định.",
    "Giao Văn phòng Ủy ban nhân dân theo dõi, kiểm tra việc thực hiện quyết định này.",
    "Quyết định này có hiệu lực kể từ ngày ký.",
    "Các ông, bà có tên tại Điều 1 chịu trách nhiệm thi hành quyết định này.",
    "Kinh phí thực hiện được bố trí từ nguồn ngân sách năm hiện hành.",
    "Tổ công tác tự giải thể sau khi hoàn thành nhiệm vụ được giao.",
    "Chánh Văn phòng và Trưởng các phòng, ban liên quan chịu trách nhiệm thi hành.",
)
_NOTES = ("Đã nộp hồ sơ", "Chờ bổ sung", "Hoàn thành", "Đang xử lý", "Miễn phí", "")


@dataclass(frozen=True)
class _Line:
    x: int
    y: int
    size: int
    text: str


class _Rng:
    def __init__(self, seed: int) -> None:
        self.gen = np.random.default_rng(seed)

    def pick(self, items):  # type: ignore[no-untyped-def]
        return items[int(self.gen.integers(len(items)))]

    def int(self, low: int, high: int) -> int:
        return int(self.gen.integers(low, high + 1))

    def uniform(self, low: float, high: float) -> float:
        return float(self.gen.uniform(low, high))

    def chance(self, p: float) -> bool:
        return bool(self.gen.random() < p)


@cache
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _person(r: _Rng) -> str:
    return f"{r.pick(_SURNAMES)} {r.pick(_MIDDLES)} {r.pick(_GIVEN)}"


def _date(r: _Rng, low: int = 1955, high: int = 2005) -> tuple[str, str]:
    y, m, d = r.int(low, high), r.int(1, 12), r.int(1, 28)
    return f"{d:02d}/{m:02d}/{y}", f"{y:04d}-{m:02d}-{d:02d}"


def _id_number(r: _Rng) -> str:
    return f"0{r.int(1, 96):02d}{r.int(0, 3)}{r.int(50, 99):02d}{r.int(0, 999999):06d}"


class _Sheet:
    """A colour A4 sheet at 300 dpi with a record of every text line drawn (for the ground truth)."""

    def __init__(self, r: _Rng) -> None:
        self.width, self.height = A4_300DPI
        paper = (r.int(240, 255), r.int(238, 253), r.int(228, 250))  # white to cream
        self.img = Image.new("RGB", (self.width, self.height), paper)
        self.draw = ImageDraw.Draw(self.img)
        tint = r.pick(((0, 0, 0), (20, 20, 30), (35, 30, 25), (10, 15, 45), (40, 40, 40)))
        self.ink = tuple(int(v) for v in tint)
        self.fonts = r.pick(available_fonts())
        self.lines: list[_Line] = []

    def font(self, style: int, size: int) -> ImageFont.FreeTypeFont:
        return _font(self.fonts[style], size)

    def text(self, text: str, x: int, y: int, font: ImageFont.FreeTypeFont, record: bool = True) -> None:
        self.draw.text((x, y), text, fill=self.ink, font=font)
        if record:
            self.lines.append(_Line(x, y, int(font.size), text))

    def centered(self, text: str, x0: int, x1: int, y: int, font: ImageFont.FreeTypeFont) -> None:
        w = self.draw.textlength(text, font=font)
        self.text(text, int((x0 + x1 - w) / 2), y, font)

    def fit(self, text: str, style: int, size: int, width: int) -> ImageFont.FreeTypeFont:
        while size > 24 and self.draw.textlength(text, font=self.font(style, size)) > width:
            size -= 2
        return self.font(style, size)

    def wrap(self, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
        lines, current = [], ""
        for word in text.split():
            trial = f"{current} {word}".strip()
            if current and self.draw.textlength(trial, font=font) > width:
                lines.append(current)
                current = word
            else:
                current = trial
        return lines + ([current] if current else [])

    def truth(self) -> str:
        rows: list[list[_Line]] = []
        for line in sorted(self.lines, key=lambda ln: ln.y):
            center = line.y + line.size / 2
            if rows:
                last = rows[-1]
                last_center = sum(ln.y + ln.size / 2 for ln in last) / len(last)
                if abs(center - last_center) < 0.5 * min(line.size, last[0].size):
                    last.append(line)
                    continue
            rows.append([line])
        return _nfc("\n".join(" ".join(ln.text for ln in sorted(row, key=lambda ln: ln.x)) for row in rows))

    def bgr(self) -> np.ndarray:
        return cv2.cvtColor(np.asarray(self.img), cv2.COLOR_RGB2BGR)


def _header(s: _Sheet, r: _Rng, box: tuple[int, int, int], size: int, number: str) -> int:
    """Authority and number on the left, the motto on the right (box: left, right, top); returns the y
    below them."""
    left, right, y = box
    split = left + int((right - left) * r.uniform(0.38, 0.46))
    ward = r.pick(_WARDS)
    yl = y
    for text, style in (("ỦY BAN NHÂN DÂN", 1), (ward.upper(), 1)):
        s.centered(text, left, split, yl, s.fit(text, style, size, split - left))
        yl += int(size * 1.4)
    s.centered(f"Số: {number}", left, split, yl + 20, s.font(0, size))
    yl += int(size * 1.4) + 20
    yr = y
    for text in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"):
        s.centered(text, split + 50, right, yr, s.fit(text, 1, size, right - split - 50))
        yr += int(size * 1.4)
    mid = (split + 50 + right) // 2
    s.draw.line((mid - 220, yr + 4, mid + 220, yr + 4), fill=s.ink, width=3)
    return max(yl, yr)


# -- the content cases ---------------------------------------------------------------------------
def _sparse(r: _Rng) -> SampleDocument:
    """A few lines in one column in the left part of the page, wide margins all round."""
    s = _Sheet(r)
    size = r.int(40, 56)
    left = r.int(300, 700)
    y = r.int(350, 1100)
    column = r.int(900, 1300)
    name, (dob, dob_iso) = _person(r), _date(r)
    city = r.pick(_CITIES)
    lines = [
        (r.pick(("GIẤY MỜI", "THÔNG BÁO", "GIẤY HẸN")), 1),
        (f"Kính gửi: Ông/Bà {name}", 0),
        (f"Ngày sinh: {dob}", 0),
        (f"Mời đến {r.pick(_WARDS)} lúc {r.int(7, 16)} giờ ngày {r.int(1, 28)}/{r.int(1, 12)}.", 0),
        (f"{city}, ngày {r.int(1, 28)} tháng {r.int(1, 12)} năm {r.int(2019, 2025)}", 2),
    ]
    if r.chance(0.5):
        lines.insert(3, (f"Số điện thoại: 09{r.int(10000000, 99999999)}", 0))
    gap = int(size * r.uniform(1.5, 2.2))
    for text, style in lines[: r.int(3, len(lines))]:
        font = s.fit(text, style, size, column)
        s.text(text, left, y, font)
        y += gap
    del dob_iso  # an "other" paper has no birth date field
    return SampleDocument(s.bgr(), s.truth(), {}, "other", Path(s.fonts[0]).stem)


def _decision(r: _Rng, s: _Sheet) -> tuple[dict[str, str], tuple[int, int, int, int]]:
    """A decision with numbered clauses; returns its fields and the signature block's box."""
    size = r.int(42, 52)
    left, right = r.int(180, 300), s.width - r.int(160, 260)
    number = f"{r.int(1, 999)}/QĐ-UBND"
    y = _header(s, r, (left, right, r.int(160, 260)), size - r.int(2, 6), number) + r.int(100, 180)
    tsize = int(size * 1.35)
    s.centered("QUYẾT ĐỊNH", left, right, y, s.font(1, tsize))
    y += int(tsize * 1.4)
    subject = r.pick(_SUBJECTS)
    s.centered(subject[:1].upper() + subject[1:], left, right, y, s.fit(subject, 1, size, right - left))
    y += int(size * 2.0)
    body = s.font(0, size)
    gap = int(size * r.uniform(1.45, 1.7))
    clauses = list(_CLAUSES)
    r.gen.shuffle(clauses)
    name, (dob, dob_iso) = _person(r), _date(r)
    idn = _id_number(r)
    items = [
        f"Điều 1. {clauses[0]}",
        f"Ông/Bà: {name}, sinh ngày {dob}.",
        f"Số định danh cá nhân: {idn}",
        f"Điều 2. {clauses[1]}",
        f"Điều 3. {clauses[2]}",
    ]
    for item in items:
        for i, line in enumerate(s.wrap(item, body, right - left - 60)):
            s.text(line, left + (60 if i else 0), y, body)
            y += gap
    y += r.int(60, 120)
    sig_x0 = left + int((right - left) * r.uniform(0.45, 0.55))
    city = r.pick(_CITIES)
    day, month, year = r.int(1, 28), r.int(1, 12), r.int(2018, 2025)
    date_line = f"{city}, ngày {day} tháng {month} năm {year}"
    s.centered(date_line, sig_x0, right, y, s.fit(date_line, 2, size, right - sig_x0))
    y += gap
    top = y
    for text in ("TM. ỦY BAN NHÂN DÂN", r.pick(("CHỦ TỊCH", "PHÓ CHỦ TỊCH"))):
        s.centered(text, sig_x0, right, y, s.fit(text, 1, size, right - sig_x0))
        y += gap
    y += r.int(150, 230)
    signer = _person(r)
    s.centered(signer, sig_x0, right, y, s.font(1, size))
    y += gap
    fields = {
        "document_number": number,
        "issue_date": f"{year:04d}-{month:02d}-{day:02d}",
    }
    del dob_iso, idn  # in the text, but an "other" paper has no person fields
    return fields, (sig_x0, top, right, y)


def _seal_mark(s: _Sheet, r: _Rng, cx: int, cy: int, radius: int) -> None:
    """A red round seal: double ring, star, and the authority's name around the ring (multiplied)."""
    layer = Image.new("L", s.img.size, 0)
    d = ImageDraw.Draw(layer)
    width = max(6, radius // 22)
    d.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), outline=255, width=width)
    inner = int(radius * 0.68)
    d.ellipse((cx - inner, cy - inner, cx + inner, cy + inner), outline=255, width=max(3, width // 2))
    star = [
        (cx + (inner * (0.45 if k % 2 == 0 else 0.18)) * math.sin(k * math.pi / 5),
         cy - (inner * (0.45 if k % 2 == 0 else 0.18)) * math.cos(k * math.pi / 5))
        for k in range(10)
    ]  # fmt: skip
    d.polygon(star, fill=255)
    ring_text = f"ỦY BAN NHÂN DÂN {r.pick(_WARDS).upper()} * "
    font = _font(s.fonts[1], max(20, int(radius * 0.2)))
    step = 2 * math.pi / len(ring_text)
    mid_r = (radius + inner) / 2
    for k, ch in enumerate(ring_text):
        angle = -math.pi / 2 + k * step
        fs = int(font.size)
        glyph = Image.new("L", (fs * 2, fs * 2), 0)
        ImageDraw.Draw(glyph).text((fs // 2, fs // 3), ch, fill=255, font=font)
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.Resampling.BILINEAR)
        gx = int(cx + mid_r * math.cos(angle) - glyph.width / 2)
        gy = int(cy + mid_r * math.sin(angle) - glyph.height / 2)
        layer.paste(255, (gx, gy), glyph)
    strength = np.asarray(layer, np.float32) / 255.0 * r.uniform(0.75, 0.95)
    # Stamps print unevenly: thin the ink in blotches.
    blotch = cv2.GaussianBlur(r.gen.random((s.height // 16, s.width // 16)).astype(np.float32), (0, 0), 2)
    blotch = cv2.resize(blotch, s.img.size, interpolation=cv2.INTER_LINEAR)
    strength *= np.clip(0.55 + blotch, 0, 1)
    colour = np.array((r.int(190, 235), r.int(10, 60), r.int(30, 70)), np.float32) / 255.0
    _multiply(s, strength, colour)


def _signature_mark(s: _Sheet, r: _Rng, box: tuple[int, int, int, int]) -> None:
    """A blue handwritten flourish across `box` (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    layer = Image.new("L", s.img.size, 0)
    d = ImageDraw.Draw(layer)
    t = np.linspace(0, 1, 400)
    for _stroke in range(r.int(2, 3)):
        amp = r.uniform(0.2, 0.45) * (y1 - y0)
        freq = r.uniform(2.0, 4.5)
        phase = r.uniform(0, 6.28)
        xs = x0 + t * (x1 - x0)
        ys = (
            (y0 + y1) / 2
            + amp * np.sin(2 * math.pi * freq * t + phase)
            + r.uniform(-0.2, 0.2) * (y1 - y0) * t
        )
        d.line(list(zip(xs.tolist(), ys.tolist(), strict=True)), fill=255, width=r.int(4, 7), joint="curve")
    strength = np.asarray(cv2.GaussianBlur(np.asarray(layer), (0, 0), 1.0), np.float32) / 255.0
    colour = np.array((r.int(10, 50), r.int(30, 80), r.int(150, 220)), np.float32) / 255.0
    _multiply(s, strength * r.uniform(0.8, 0.95), colour)


def _multiply(s: _Sheet, strength: np.ndarray, colour: np.ndarray) -> None:
    """Print ink of `colour` over the sheet (ink multiplies: black text under it stays black)."""
    page = np.asarray(s.img, np.float32)
    factor = 1.0 - strength[..., None] * (1.0 - colour[None, None, :])
    s.img = Image.fromarray(np.clip(page * factor, 0, 255).astype(np.uint8))
    s.draw = ImageDraw.Draw(s.img)


def _seal(r: _Rng) -> SampleDocument:
    s = _Sheet(r)
    fields, (x0, y0, x1, y1) = _decision(r, s)
    _signature_mark(s, r, (x0 + (x1 - x0) // 5, y0 + (y1 - y0) // 3, x1 - (x1 - x0) // 6, y1 - 30))
    radius = r.int(190, 260)
    cx = x0 + int((x1 - x0) * r.uniform(0.15, 0.4))
    cy = y0 + int((y1 - y0) * r.uniform(0.3, 0.55))
    _seal_mark(s, r, cx, cy, radius)
    fields["seal"], fields["signature"] = "present", "present"
    return SampleDocument(s.bgr(), s.truth(), fields, "other", Path(s.fonts[0]).stem)


def _table(r: _Rng) -> SampleDocument:
    s = _Sheet(r)
    size = r.int(38, 48)
    left, right = r.int(150, 260), s.width - r.int(150, 260)
    y = _header(s, r, (left, right, r.int(160, 260)), size, f"{r.int(1, 500)}/DS-UBND") + r.int(100, 160)
    s.centered(
        "DANH SÁCH CÔNG DÂN ĐĂNG KÝ HỒ SƠ",
        left,
        right,
        y,
        s.fit("DANH SÁCH", 1, int(size * 1.3), right - left),
    )
    y += int(size * 2.2)
    heads = ("STT", "Họ và tên", "Ngày sinh", "Số định danh", "Ghi chú")
    share = np.array([0.08, 0.28, 0.18, 0.25, 0.21])
    share = share * np.array([r.uniform(0.9, 1.1) for _ in share])
    share = share / share.sum()
    edges = [left] + [left + int(v) for v in np.cumsum(share) * (right - left)]
    edges[-1] = right
    row_h = int(size * r.uniform(1.8, 2.3))
    rows = r.int(6, 12)
    line_w = r.int(2, 4)
    font = s.font(0, size)
    bold = s.font(1, size)
    top = y
    records = []
    for i in range(rows):
        dob, _ = _date(r)
        records.append((str(i + 1), _person(r), dob, _id_number(r), r.pick(_NOTES)))
    for k, cells in enumerate([heads, *records]):
        for j, text in enumerate(cells):
            if not text:
                continue
            f = bold if k == 0 else font
            f = s.fit(text, 1 if k == 0 else 0, int(f.size), edges[j + 1] - edges[j] - 24)
            if j == 0 or k == 0:
                s.centered(text, edges[j], edges[j + 1], y + (row_h - int(f.size)) // 2 - 4, f)
            else:
                s.text(text, edges[j] + 14, y + (row_h - int(f.size)) // 2 - 4, f)
        y += row_h
    for k in range(rows + 2):
        s.draw.line((left, top + k * row_h, right, top + k * row_h), fill=s.ink, width=line_w)
    for x in edges:
        s.draw.line((x, top, x, top + (rows + 1) * row_h), fill=s.ink, width=line_w)
    return SampleDocument(s.bgr(), s.truth(), {}, "other", Path(s.fonts[0]).stem)


def _photo_box(r: _Rng) -> SampleDocument:
    """A personal record: a 3x4 photo in a frame at the top, the particulars beside and below it."""
    s = _Sheet(r)
    size = r.int(40, 50)
    left, right = r.int(180, 300), s.width - r.int(160, 260)
    y = r.int(200, 320)
    title = r.pick(("SƠ YẾU LÝ LỊCH", "PHIẾU THÔNG TIN CÁ NHÂN", "PHIẾU ĐĂNG KÝ DỰ TUYỂN"))
    s.centered("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", left, right, y, s.font(1, size))
    y += int(size * 1.4)
    s.centered("Độc lập - Tự do - Hạnh phúc", left, right, y, s.font(1, size))
    y += int(size * 2.4)
    s.centered(title, left, right, y, s.font(1, int(size * 1.4)))
    y += int(size * 2.6)
    pw, ph = r.int(330, 420), 0
    ph = int(pw * 4 / 3)
    photo_left = r.chance(0.6)
    px = left if photo_left else right - pw
    s.draw.rectangle((px - 8, y - 8, px + pw + 8, y + ph + 8), outline=s.ink, width=3)
    portrait = Image.open(Path(__file__).with_name("astronaut.jpg")).convert("RGB")
    cw, chh = portrait.size
    side = min(cw, int(chh * 0.75))
    portrait = portrait.crop((cw // 2 - side // 2, 0, cw // 2 + side // 2, int(side * 4 / 3))).resize(
        (pw, ph)
    )
    if r.chance(0.4):
        portrait = portrait.convert("L").convert("RGB")
    s.img.paste(portrait, (px, y))
    tx0, tx1 = (px + pw + 60, right) if photo_left else (left, px - 60)
    font = s.font(0, size)
    gap = int(size * r.uniform(1.5, 1.7))
    name, (dob, dob_iso) = _person(r), _date(r)
    idn = _id_number(r)
    beside = [
        f"Họ và tên: {name.upper()}",
        f"Ngày sinh: {dob}",
        f"Giới tính: {r.pick(('Nam', 'Nữ'))}",
        f"Số định danh cá nhân: {idn}",
        f"Quê quán: {r.pick(_WARDS)}, {r.pick(_CITIES)}",
    ]
    yy = y
    for text in beside:
        s.text(text, tx0, yy, s.fit(text, 0, size, tx1 - tx0))
        yy += gap
    y = max(yy, y + ph) + r.int(80, 140)
    rest = [
        f"Nơi thường trú: Số {r.int(1, 200)} đường Lê Lợi, {r.pick(_WARDS)}",
        f"Nghề nghiệp: {r.pick(('Kỹ sư', 'Giáo viên', 'Kế toán', 'Lao động tự do'))}",
        "Tôi xin cam đoan những lời khai trên là đúng sự thật.",
    ]
    for text in rest:
        for line in s.wrap(text, font, right - left):
            s.text(line, left, y, font)
            y += gap
    del dob_iso, idn  # in the text, but an "other" paper has no person fields
    return SampleDocument(s.bgr(), s.truth(), {}, "other", Path(s.fonts[0]).stem)


# -- the capture cases ---------------------------------------------------------------------------
def phone_photo(page: np.ndarray, seed: int = 0) -> np.ndarray:
    """`page` (BGR) as a phone photographs it on a dark desk: in perspective, lit unevenly, soft, JPEG."""
    r = _Rng(seed + 424242)
    ph, pw = page.shape[:2]
    out_w, out_h = (3000, 4000)
    scale = r.uniform(0.72, 0.85) * min(out_w / pw, out_h / ph)
    w, h = pw * scale, ph * scale
    cx, cy = out_w / 2 + r.uniform(-120, 120), out_h / 2 + r.uniform(-150, 150)
    k = r.uniform(0.03, 0.08) * w  # perspective: the far edge looks shorter
    twist = math.radians(r.uniform(-6, 6))
    corners = np.array(
        [[-w / 2 + k, -h / 2], [w / 2 - k, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]], np.float32
    )
    rot = np.array([[math.cos(twist), -math.sin(twist)], [math.sin(twist), math.cos(twist)]], np.float32)
    corners = corners @ rot.T + np.array([cx, cy], np.float32)
    corners += np.array([[r.uniform(-30, 30), r.uniform(-30, 30)] for _ in range(4)], np.float32)
    src = np.array([[0, 0], [pw - 1, 0], [pw - 1, ph - 1], [0, ph - 1]], np.float32)
    matrix = cv2.getPerspectiveTransform(src, corners)
    desk_tone = np.array((r.int(25, 60), r.int(30, 60), r.int(40, 80)), np.float32)
    grain = cv2.GaussianBlur(
        r.gen.normal(0, 1, (out_h // 4, out_w // 4)).astype(np.float32), (0, 0), sigmaX=6, sigmaY=1
    )
    grain = cv2.resize(grain, (out_w, out_h)) * 10
    desk = np.clip(desk_tone[None, None, :] + grain[..., None], 0, 255)
    warped = cv2.warpPerspective(page, matrix, (out_w, out_h), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), matrix, (out_w, out_h)) > 127
    img = np.where(mask[..., None], warped.astype(np.float32), desk)
    yy, xx = np.mgrid[0:out_h:8, 0:out_w:8].astype(np.float32)
    theta = r.uniform(0, 2 * math.pi)
    ramp = (math.cos(theta) * xx / out_w + math.sin(theta) * yy / out_h + 1) / 2
    light = 1.0 - r.uniform(0.25, 0.4) * ramp
    vignette = 1.0 - 0.25 * (((xx - out_w / 2) / out_w) ** 2 + ((yy - out_h / 2) / out_h) ** 2) * 2
    light = cv2.resize(light * vignette, (out_w, out_h))
    warm = np.array((r.uniform(0.85, 0.95), r.uniform(0.93, 1.0), 1.0), np.float32)  # BGR: warm lamp
    img = img * light[..., None] * warm
    img = cv2.GaussianBlur(img, (0, 0), r.uniform(0.6, 1.0))
    img += r.gen.normal(0, 3.0, img.shape).astype(np.float32)
    img8 = np.clip(img, 0, 255).astype(np.uint8)
    ok, data = cv2.imencode(".jpg", img8, [cv2.IMWRITE_JPEG_QUALITY, 88])
    if not ok:  # pragma: no cover - OpenCV always encodes a valid uint8 image
        raise RuntimeError("JPEG encoding failed")
    decoded = np.asarray(cv2.imdecode(data, cv2.IMREAD_COLOR))
    return decoded


def _from_form(seed: int) -> SampleDocument:
    return make_document(DOC_TYPES[seed % len(DOC_TYPES)], seed)


def make_case(case: str, seed: int = 0) -> SampleDocument:
    """A page of one of ``CASES`` with its ground truth (varies with the seed)."""
    if case not in CASES:
        raise ValueError(f"unknown case {case!r}; one of {', '.join(CASES)}")
    r = _Rng(seed * 104729 + CASES.index(case))
    if case == "sparse":
        return _sparse(r)
    if case == "seal":
        return _seal(r)
    if case == "table":
        return _table(r)
    if case == "photo_box":
        return _photo_box(r)
    base = _from_form(seed) if case != "phone" or r.chance(0.5) else _seal(r)
    if case == "scan150":
        small = cv2.resize(
            base.image, (base.image.shape[1] // 2, base.image.shape[0] // 2), interpolation=cv2.INTER_AREA
        )
        return SampleDocument(small, base.text, base.fields, base.doc_type, base.font, dpi=150)
    if case == "turned90":
        turn = cv2.ROTATE_90_CLOCKWISE if r.chance(0.5) else cv2.ROTATE_90_COUNTERCLOCKWISE
        return SampleDocument(cv2.rotate(base.image, turn), base.text, base.fields, base.doc_type, base.font)
    photo = phone_photo(base.image, seed)
    fields = {k: v for k, v in base.fields.items() if k not in ("seal", "signature")}
    return SampleDocument(photo, base.text, fields, base.doc_type, base.font)
