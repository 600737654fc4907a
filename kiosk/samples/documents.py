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
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

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

_SURNAMES = (
    "NGUYỄN", "TRẦN", "LÊ", "PHẠM", "HOÀNG", "HUỲNH", "PHAN", "VŨ", "VÕ", "ĐẶNG", "BÙI", "ĐỖ",
    "HỒ", "NGÔ", "DƯƠNG", "LÝ", "ĐINH", "TRỊNH", "ĐOÀN", "LƯƠNG", "TRƯƠNG", "MAI", "TẠ", "QUÁCH",
)  # fmt: skip
_MIDDLE_MALE = ("VĂN", "HỮU", "ĐỨC", "MINH", "QUANG", "CÔNG", "THANH", "XUÂN", "GIA", "ĐÌNH", "TUẤN", "")
_MIDDLE_FEMALE = ("THỊ", "NGỌC", "THU", "THANH", "MINH", "KIM", "BẢO", "HOÀI", "PHƯƠNG", "DIỆU", "")
_GIVEN_MALE = (
    "AN", "BÌNH", "CƯỜNG", "DŨNG", "HÙNG", "KHÁNH", "LONG", "NAM", "PHONG", "QUÂN", "SƠN", "THẮNG",
    "TRUNG", "TUẤN", "VIỆT", "HIẾU", "ĐẠT", "KHOA", "HUY", "LỘC", "NGHĨA", "THỊNH", "TÙNG", "VINH",
)  # fmt: skip
_GIVEN_FEMALE = (
    "ANH", "CHI", "DUNG", "GIANG", "HÀ", "HẠNH", "HOA", "HƯƠNG", "LAN", "LINH", "MAI", "NGA",
    "NHUNG", "OANH", "PHƯỢNG", "QUỲNH", "THẢO", "THỦY", "TRANG", "UYÊN", "VÂN", "YẾN", "HẰNG", "TÂM",
)  # fmt: skip
# (province, ID province code, districts, wards/communes, city used in the date line)
_PLACES = (
    ("Thành phố Hà Nội", "001", ("Quận Hoàn Kiếm", "Quận Đống Đa", "Huyện Gia Lâm"),
     ("Phường Hàng Bạc", "Phường Văn Miếu", "Xã Đa Tốn", "Phường Khâm Thiên"), "Hà Nội"),
    ("Thành phố Hồ Chí Minh", "079", ("Quận 1", "Quận Bình Thạnh", "Huyện Củ Chi"),
     ("Phường Bến Nghé", "Phường 25", "Xã Tân Thông Hội", "Phường Đa Kao"), "Thành phố Hồ Chí Minh"),
    ("Thành phố Hải Phòng", "031", ("Quận Lê Chân", "Huyện Thủy Nguyên"),
     ("Phường Dư Hàng", "Xã Lập Lễ", "Phường An Biên"), "Hải Phòng"),
    ("Thành phố Đà Nẵng", "048", ("Quận Hải Châu", "Huyện Hòa Vang"),
     ("Phường Thạch Thang", "Xã Hòa Phong", "Phường Hòa Cường Bắc"), "Đà Nẵng"),
    ("Tỉnh Nghệ An", "040", ("Thành phố Vinh", "Huyện Diễn Châu"),
     ("Phường Hưng Bình", "Xã Diễn Kim", "Phường Lê Lợi"), "Nghệ An"),
    ("Tỉnh Bắc Ninh", "027", ("Thành phố Bắc Ninh", "Huyện Tiên Du"),
     ("Phường Suối Hoa", "Xã Phật Tích", "Phường Vệ An"), "Bắc Ninh"),
    ("Tỉnh Cần Thơ", "092", ("Quận Ninh Kiều", "Huyện Phong Điền"),
     ("Phường An Hòa", "Xã Nhơn Ái", "Phường Tân An"), "Cần Thơ"),
    ("Tỉnh Thừa Thiên Huế", "046", ("Thành phố Huế", "Huyện Phú Vang"),
     ("Phường Phú Hội", "Xã Phú Thượng", "Phường Vĩnh Ninh"), "Thừa Thiên Huế"),
)  # fmt: skip
_STREETS = (
    "Hàng Bông", "Lê Lợi", "Trần Hưng Đạo", "Nguyễn Trãi", "Lý Thường Kiệt", "Hai Bà Trưng",
    "Phan Đình Phùng", "Điện Biên Phủ", "Nguyễn Du", "Quang Trung", "Bà Triệu", "Cách Mạng Tháng Tám",
)  # fmt: skip
_ETHNIC = ("Kinh", "Kinh", "Kinh", "Tày", "Mường", "Hoa", "Thái", "Khmer")
_MAJORS = ("Công nghệ thông tin", "Kế toán", "Quản trị kinh doanh", "Luật", "Ngôn ngữ Anh", "Xây dựng")
_UNIVERSITIES = (
    "TRƯỜNG ĐẠI HỌC BÁCH KHOA HÀ NỘI", "TRƯỜNG ĐẠI HỌC KINH TẾ QUỐC DÂN", "TRƯỜNG ĐẠI HỌC CẦN THƠ",
    "TRƯỜNG ĐẠI HỌC LUẬT HÀ NỘI", "TRƯỜNG ĐẠI HỌC SƯ PHẠM HUẾ", "TRƯỜNG ĐẠI HỌC ĐÀ NẴNG",
)  # fmt: skip
_RANKS = ("Giỏi", "Khá", "Trung bình", "Xuất sắc")


@dataclass(frozen=True)
class SampleDocument:
    """One synthetic page: the BGR image (A4, 300 dpi), its text in reading order, the expected fields."""

    image: np.ndarray
    text: str
    fields: dict[str, str]
    doc_type: str
    font: str = ""
    dpi: int = 300


@dataclass
class _Content:
    """What a page says, before layout."""

    authority_parent: str | None
    authority: list[str]  # own authority, one or two lines, capitals
    number_line: str | None  # "Số: ..." under the authority
    title: list[str]
    body: list[str]
    date_line: str | None
    signature: list[str]
    fields: dict[str, str] = field(default_factory=dict)
    frame: bool = False


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
    found = []
    for family in _FAMILIES:
        for base in _FONT_DIRS:
            paths = tuple(str(base / name) for name in family)
            if all(Path(p).is_file() for p in paths):
                found.append(paths)
                break
    if not found:
        raise RuntimeError("no Vietnamese-capable TrueType font found (install fonts-dejavu-core)")
    return tuple(found)


@cache
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


class _Rng:
    def __init__(self, seed: int) -> None:
        self.gen = np.random.default_rng(seed)

    def pick(self, items: tuple | list):  # type: ignore[type-arg,no-untyped-def]
        return items[int(self.gen.integers(len(items)))]

    def int(self, low: int, high: int) -> int:
        return int(self.gen.integers(low, high + 1))

    def chance(self, p: float) -> bool:
        return bool(self.gen.random() < p)


def _name(r: _Rng, female: bool) -> str:
    middle = r.pick(_MIDDLE_FEMALE if female else _MIDDLE_MALE)
    given = r.pick(_GIVEN_FEMALE if female else _GIVEN_MALE)
    parts = [r.pick(_SURNAMES), middle, given]
    if r.chance(0.2):  # some people have two middle names
        parts.insert(2, r.pick(_MIDDLE_FEMALE[1:-1] if female else _MIDDLE_MALE[1:-1]))
    return " ".join(p for p in parts if p)


def _date(r: _Rng, year_low: int, year_high: int) -> tuple[str, str]:
    """A date as printed (dd/mm/yyyy) and as ISO."""
    y, m, d = r.int(year_low, year_high), r.int(1, 12), r.int(1, 28)
    return f"{d:02d}/{m:02d}/{y}", f"{y:04d}-{m:02d}-{d:02d}"


def _id_number(r: _Rng, province_code: str, year: int, female: bool) -> str:
    century = 0 if year < 2000 else 2
    return f"{province_code}{century + int(female)}{year % 100:02d}{r.int(0, 999999):06d}"


def _date_line(r: _Rng, city: str, year_low: int, year_high: int) -> tuple[str, str]:
    y, m, d = r.int(year_low, year_high), r.int(1, 12), r.int(1, 28)
    dd = f"{d:02d}" if r.chance(0.6) else str(d)
    mm = f"{m:02d}" if r.chance(0.6) else str(m)
    return f"{city}, ngày {dd} tháng {mm} năm {y}", f"{y:04d}-{m:02d}-{d:02d}"


def _place(r: _Rng) -> tuple[str, str, str, str, str]:
    province, code, districts, wards, city = r.pick(_PLACES)
    return province, code, r.pick(districts), r.pick(wards), city


def _address(r: _Rng) -> str:
    province, _, district, ward, _ = _place(r)
    return f"Số {r.int(1, 250)} {r.pick(_STREETS)}, {ward}, {district}, {province}"


def _ubnd(unit: str) -> list[str]:
    return ["ỦY BAN NHÂN DÂN", unit.upper()]


def _person_lines(r: _Rng, label_name: str, female: bool, born: tuple[int, int]) -> tuple[list[str], dict]:  # type: ignore[type-arg]
    name = _name(r, female)
    dob, dob_iso = _date(r, *born)
    _province, code, *_ = _place(r)
    idn = _id_number(r, code, int(dob_iso[:4]), female)
    lines = [
        f"{label_name}: {name}",
        f"{r.pick(('Ngày, tháng, năm sinh', 'Ngày sinh'))}: {dob}",
        f"Dân tộc: {r.pick(_ETHNIC)}    Quốc tịch: Việt Nam",
        f"Nơi cư trú: {_address(r)}",
        f"Số định danh cá nhân: {idn}",
    ]
    return lines, {"name": name, "date_of_birth": dob_iso, "id_number": idn}


def _birth(r: _Rng) -> _Content:
    province, code, district, ward, city = _place(r)
    female = r.chance(0.5)
    name = _name(r, female)
    dob, dob_iso = _date(r, 1960, 2023)
    idn = _id_number(r, code, int(dob_iso[:4]), female)
    mother, father = _name(r, True), _name(r, False)
    year = int(dob_iso[:4])
    number = f"{r.int(1, 999)}/{r.pick(('TLKS-BS', 'TLKS', 'KS', 'BS'))}"
    date_line, issued = _date_line(r, city, max(year + 1, 2000), 2025)
    label = r.pick(("Họ, chữ đệm, tên", "Họ và tên", "Họ, chữ đệm và tên"))
    sex = "Nữ" if female else "Nam"
    body = [
        f"{label}: {name}",
        f"Ngày, tháng, năm sinh: {dob}",
        f"Giới tính: {sex}    Dân tộc: {r.pick(_ETHNIC)}    Quốc tịch: Việt Nam",
        f"Nơi sinh: {r.pick(('Bệnh viện Đa khoa', 'Trạm y tế', 'Bệnh viện Phụ sản'))} {city}",
        f"Quê quán: {ward}, {district}, {province}",
        f"Số định danh cá nhân: {idn}",
        f"{label} người mẹ: {mother}",
        f"Năm sinh: {year - r.int(18, 40)}    Dân tộc: Kinh    Quốc tịch: Việt Nam",
        f"{label} người cha: {father}",
        f"Năm sinh: {year - r.int(20, 45)}    Dân tộc: Kinh    Quốc tịch: Việt Nam",
        f"Nơi đăng ký khai sinh: Ủy ban nhân dân {ward}, {district}",
    ]
    if r.chance(0.5):
        body = [f"{i}. {line}" for i, line in enumerate(body, 1)]
    return _Content(
        authority_parent=f"UBND {district.upper()}" if r.chance(0.6) else None,
        authority=_ubnd(ward),
        number_line=f"Số: {number}",
        title=[r.pick(("GIẤY KHAI SINH", "TRÍCH LỤC KHAI SINH"))] + (["(BẢN SAO)"] if r.chance(0.3) else []),
        body=body,
        date_line=date_line,
        signature=[r.pick(("TM. ỦY BAN NHÂN DÂN", "NGƯỜI KÝ GIẤY KHAI SINH")), "CHỦ TỊCH", _name(r, False)],
        fields={
            "full_name": name,
            "date_of_birth": dob_iso,
            "sex": sex,
            "id_number": idn,
            "mother_name": mother,
            "father_name": father,
            "document_number": number,
            "issue_date": issued,
            "issuing_authority": f"ỦY BAN NHÂN DÂN {ward.upper()}",
        },
    )


def _marriage(r: _Rng) -> _Content:
    _, _, district, ward, city = _place(r)
    husband, h = _person_lines(r, r.pick(("Họ, chữ đệm, tên", "Họ và tên")), False, (1960, 2000))
    wife, w = _person_lines(r, r.pick(("Họ, chữ đệm, tên", "Họ và tên")), True, (1962, 2002))
    number = f"{r.int(1, 400)}/{r.pick(('KH', 'ĐKKH', 'HT'))}"
    date_line, issued = _date_line(r, city, 2015, 2025)
    heads = r.pick(
        (("Thông tin người chồng", "Thông tin người vợ"), ("Bên chồng", "Bên vợ"), ("CHỒNG", "VỢ"))
    )
    body = [
        f"{heads[0]}:",
        *husband,
        f"{heads[1]}:",
        *wife,
        f"Đăng ký kết hôn tại Ủy ban nhân dân {ward}",
    ]
    return _Content(
        authority_parent=f"UBND {district.upper()}" if r.chance(0.5) else None,
        authority=_ubnd(ward),
        number_line=f"Số: {number}",
        title=["GIẤY CHỨNG NHẬN KẾT HÔN"],
        body=body,
        date_line=date_line,
        signature=["TM. ỦY BAN NHÂN DÂN", r.pick(("CHỦ TỊCH", "PHÓ CHỦ TỊCH")), _name(r, r.chance(0.4))],
        fields={
            "husband_name": h["name"],
            "husband_date_of_birth": h["date_of_birth"],
            "husband_id_number": h["id_number"],
            "wife_name": w["name"],
            "wife_date_of_birth": w["date_of_birth"],
            "wife_id_number": w["id_number"],
            "document_number": number,
            "issue_date": issued,
            "issuing_authority": f"ỦY BAN NHÂN DÂN {ward.upper()}",
        },
        frame=r.chance(0.5),
    )


def _diploma(r: _Rng) -> _Content:
    province, _, _, _, city = _place(r)
    female = r.chance(0.5)
    name = _name(r, female)
    dob, dob_iso = _date(r, 1975, 2007)
    grad = int(dob_iso[:4]) + r.int(18, 23)
    serial = f"{r.pick(('A', 'B', 'C', 'QH', 'TN'))}{r.int(0, 9999999):07d}"
    date_line, issued = _date_line(r, city, grad, grad)
    if r.chance(0.5):
        short = province.split(" ", 2)[-1] if province.startswith("Thành phố") else province[5:]
        authority = ["SỞ GIÁO DỤC VÀ ĐÀO TẠO", short.upper()]
        title = ["BẰNG TỐT NGHIỆP", "TRUNG HỌC PHỔ THÔNG"]
        extra = [f"Năm tốt nghiệp: {grad}", f"Xếp loại: {r.pick(_RANKS)}", "Hình thức học: Chính quy"]
        signer = "GIÁM ĐỐC"
    else:
        uni = r.pick(_UNIVERSITIES)
        authority = ["TRƯỜNG ĐẠI HỌC", uni.removeprefix("TRƯỜNG ĐẠI HỌC ")]
        title = [r.pick(("BẰNG TỐT NGHIỆP ĐẠI HỌC", "BẰNG CỬ NHÂN"))]
        extra = [
            f"Ngành: {r.pick(_MAJORS)}",
            f"Xếp loại tốt nghiệp: {r.pick(_RANKS)}",
            "Hình thức đào tạo: Chính quy",
        ]
        signer = "HIỆU TRƯỞNG"
    body = [
        f"{r.pick(('Họ và tên', 'Họ tên'))}: {name}",
        f"Ngày sinh: {dob}",
        f"Giới tính: {'Nữ' if female else 'Nam'}",
        f"Nơi sinh: {province}",
        *extra,
        f"Số hiệu: {serial}",
        f"Số vào sổ gốc cấp văn bằng: {r.int(1, 9999)}/{grad}",
    ]
    return _Content(
        authority_parent="BỘ GIÁO DỤC VÀ ĐÀO TẠO" if r.chance(0.5) else None,
        authority=authority,
        number_line=None,
        title=title,
        body=body,
        date_line=date_line,
        signature=[signer, _name(r, r.chance(0.5))],
        fields={
            "full_name": name,
            "date_of_birth": dob_iso,
            "document_number": serial,
            "issue_date": issued,
            "issuing_authority": " ".join(authority),
        },
        frame=r.chance(0.7),
    )


def _residence(r: _Rng) -> _Content:
    _province, code, district, ward, city = _place(r)
    female = r.chance(0.5)
    name = _name(r, female)
    dob, dob_iso = _date(r, 1950, 2010)
    idn = _id_number(r, code, int(dob_iso[:4]), female)
    sex = "Nữ" if female else "Nam"
    number = f"{r.int(1, 9999)}/{r.pick(('XNCT', 'CT07', 'XN'))}"
    date_line, issued = _date_line(r, city, 2021, 2025)
    unit = f"CÔNG AN {ward.upper()}"
    body = [
        f"{unit.title().replace('Công An', 'Công an')} xác nhận thông tin về cư trú của công dân như sau:",
        f"{r.pick(('Họ, chữ đệm và tên', 'Họ và tên'))}: {name}",
        f"Ngày, tháng, năm sinh: {dob}",
        f"Giới tính: {sex}",
        f"Số định danh cá nhân: {idn}",
        f"Nơi thường trú: {_address(r)}",
        f"Nơi ở hiện tại: {_address(r) if r.chance(0.3) else 'Như trên'}",
        f"Quan hệ với chủ hộ: {r.pick(('Chủ hộ', 'Con', 'Vợ', 'Chồng', 'Cháu'))}",
    ]
    body = [body[0]] + [f"{i}. {line}" for i, line in enumerate(body[1:], 1)]
    return _Content(
        authority_parent=f"CÔNG AN {district.upper()}" if r.chance(0.6) else None,
        authority=["CÔNG AN", ward.upper()],
        number_line=f"Số: {number}",
        title=[r.pick(("XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ", "GIẤY XÁC NHẬN CƯ TRÚ"))],
        body=body,
        date_line=date_line,
        signature=["TRƯỞNG CÔNG AN", "(Ký, ghi rõ họ tên, đóng dấu)", _name(r, r.chance(0.3))],
        fields={
            "full_name": name,
            "date_of_birth": dob_iso,
            "sex": sex,
            "id_number": idn,
            "document_number": number,
            "issue_date": issued,
            "issuing_authority": unit,
        },
    )


def _land(r: _Rng) -> _Content:
    province, code, district, ward, city = _place(r)
    female = r.chance(0.4)
    name = _name(r, female)
    born = r.int(1945, 1995)
    idn = _id_number(r, code, born, female)
    parcel, sheet = str(r.int(1, 2000)), str(r.int(1, 120))
    serial = f"CS{r.int(0, 99999):05d}"
    date_line, issued = _date_line(r, city, 2010, 2025)
    if r.chance(0.5):
        authority = ["ỦY BAN NHÂN DÂN", district.upper()]
    else:
        authority = ["SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG", province.upper()]
    body = [
        "I. Người sử dụng đất, chủ sở hữu nhà ở và tài sản khác gắn liền với đất",
        f"{'Bà' if female else 'Ông'}: {name}, sinh năm {born}",
        f"CCCD số: {idn}",
        f"Địa chỉ thường trú: {_address(r)}",
        "II. Thửa đất, nhà ở và tài sản khác gắn liền với đất",
        f"a) Thửa đất số: {parcel}    Tờ bản đồ số: {sheet}",
        f"b) Địa chỉ: {ward}, {district}, {province}",
        f"c) Diện tích: {r.int(40, 900)},{r.int(0, 9)} m2",
        f"d) Hình thức sử dụng: {r.pick(('Sử dụng riêng', 'Sử dụng chung'))}",
        f"đ) Mục đích sử dụng: {r.pick(('Đất ở tại đô thị', 'Đất ở tại nông thôn', 'Đất trồng lúa'))}",
        f"e) Thời hạn sử dụng: {r.pick(('Lâu dài', 'Đến năm 2064'))}",
        f"Số vào sổ cấp GCN: {serial}",
    ]
    return _Content(
        authority_parent=None,
        authority=authority,
        number_line=None,
        title=[
            "GIẤY CHỨNG NHẬN",
            "QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU NHÀ Ở",
            "VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT",
        ],
        body=body,
        date_line=date_line,
        signature=[r.pick(("TM. ỦY BAN NHÂN DÂN", "GIÁM ĐỐC")), _name(r, False)],
        fields={
            "full_name": name,
            "id_number": idn,
            "parcel_number": parcel,
            "map_sheet": sheet,
            "document_number": serial,
            "issue_date": issued,
            "issuing_authority": " ".join(authority),
        },
        frame=r.chance(0.6),
    )


def _other(r: _Rng) -> _Content:
    _, _, district, ward, city = _place(r)
    kind = r.int(0, 4)
    name = _name(r, r.chance(0.5))
    dob, _ = _date(r, 1950, 2005)
    date_line, issued = _date_line(r, city, 2018, 2025)
    number = f"{r.int(1, 999)}/{r.pick(('UBND', 'GM', 'BB', 'XN'))}"
    titles = (
        ["GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN"],
        ["GIẤY MỜI"],
        ["BIÊN BẢN", "BÀN GIAO HỒ SƠ"],
        ["THÔNG BÁO", "VỀ VIỆC TIẾP CÔNG DÂN ĐỊNH KỲ"],
        ["QUYẾT ĐỊNH", "VỀ VIỆC KHEN THƯỞNG"],
    )
    body = [
        f"Ủy ban nhân dân {ward} {r.pick(('trân trọng thông báo', 'xác nhận', 'quyết định'))}:",
        f"Ông/Bà: {name}    Ngày sinh: {dob}",
        f"Nơi cư trú: {_address(r)}",
        r.pick(
            (
                "Trong thời gian cư trú tại địa phương chưa đăng ký với ai.",
                "Thời gian: 8 giờ 00 phút, tại hội trường Ủy ban nhân dân.",
                "Hồ sơ gồm 05 bộ, đã kiểm tra đầy đủ theo quy định.",
                "Đề nghị các cơ quan, đơn vị có liên quan phối hợp thực hiện.",
            )
        ),
        "Giấy này có giá trị trong thời hạn 06 tháng kể từ ngày cấp.",
    ]
    return _Content(
        authority_parent=f"UBND {district.upper()}" if r.chance(0.5) else None,
        authority=_ubnd(ward),
        number_line=f"Số: {number}",
        title=titles[kind],
        body=body,
        date_line=date_line,
        signature=["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", _name(r, False)],
        fields={
            "document_number": number,
            "issue_date": issued,
            "issuing_authority": f"ỦY BAN NHÂN DÂN {ward.upper()}",
        },
    )


_BUILDERS = {
    "birth_certificate": _birth,
    "marriage_certificate": _marriage,
    "diploma": _diploma,
    "residence_confirmation": _residence,
    "land_use_certificate": _land,
    "other": _other,
}


class _Page:
    """A white A4 page with a text cursor; records every drawn line in reading order."""

    def __init__(self, r: _Rng, fonts: tuple[str, str, str], size: int) -> None:
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
        self.lines.append(_Line(x, y, font.size, text))

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


def _layout(content: _Content, r: _Rng) -> tuple[Image.Image, list[_Line], str]:
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


def _id_card_page(r: _Rng) -> tuple[Image.Image, list[_Line], dict[str, str], str]:
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
        lines.append(_Line(x, y, f.size, text))

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


def make_document(doc_type: str, seed: int = 0) -> SampleDocument:
    """A synthetic A4 page at 300 dpi of the given type, with its ground-truth text and fields."""
    if doc_type not in DOC_TYPES:
        raise ValueError(f"unknown document type {doc_type!r}; one of {', '.join(DOC_TYPES)}")
    r = _Rng(seed * 7919 + DOC_TYPES.index(doc_type))
    if doc_type == "id_card":
        img, lines, fields, font = _id_card_page(r)
    else:
        content = _BUILDERS[doc_type](r)
        fields = content.fields
        for attempt in range(4):
            try:
                img, lines, font = _layout(content, _Rng(seed * 31 + attempt))
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
    return cv2.imdecode(data, cv2.IMREAD_COLOR)


def to_png(image: np.ndarray) -> bytes:
    """PNG bytes of a BGR page (for files and the simulated scanner)."""
    buf = io.BytesIO()
    Image.fromarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB)).save(buf, format="PNG")
    return buf.getvalue()
