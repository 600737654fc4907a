"""What the sample pages say: names, places and dates drawn from a seed, and each document type's wording.

`BUILDERS` maps a document type's key to the function that writes one page of that type (`Content`: its
header, title, body, date line, signature and the fields `ocr.extract_fields` should find); the layout
onto an A4 sheet is `kiosk.samples.documents`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

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


@dataclass
class Content:
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


class Rng:
    def __init__(self, seed: int) -> None:
        self.gen = np.random.default_rng(seed)

    def pick(self, items: tuple | list):  # type: ignore[type-arg,no-untyped-def]
        return items[int(self.gen.integers(len(items)))]

    def int(self, low: int, high: int) -> int:
        return int(self.gen.integers(low, high + 1))

    def chance(self, p: float) -> bool:
        return bool(self.gen.random() < p)


def _name(r: Rng, female: bool) -> str:
    middle = r.pick(_MIDDLE_FEMALE if female else _MIDDLE_MALE)
    given = r.pick(_GIVEN_FEMALE if female else _GIVEN_MALE)
    parts = [r.pick(_SURNAMES), middle, given]
    if r.chance(0.2):  # some people have two middle names
        parts.insert(2, r.pick(_MIDDLE_FEMALE[1:-1] if female else _MIDDLE_MALE[1:-1]))
    return " ".join(p for p in parts if p)


def _date(r: Rng, year_low: int, year_high: int) -> tuple[str, str]:
    """A date as printed (dd/mm/yyyy) and as ISO."""
    y, m, d = r.int(year_low, year_high), r.int(1, 12), r.int(1, 28)
    return f"{d:02d}/{m:02d}/{y}", f"{y:04d}-{m:02d}-{d:02d}"


def _id_number(r: Rng, province_code: str, year: int, female: bool) -> str:
    century = 0 if year < 2000 else 2
    return f"{province_code}{century + int(female)}{year % 100:02d}{r.int(0, 999999):06d}"


def _date_line(r: Rng, city: str, year_low: int, year_high: int) -> tuple[str, str]:
    y, m, d = r.int(year_low, year_high), r.int(1, 12), r.int(1, 28)
    dd = f"{d:02d}" if r.chance(0.6) else str(d)
    mm = f"{m:02d}" if r.chance(0.6) else str(m)
    return f"{city}, ngày {dd} tháng {mm} năm {y}", f"{y:04d}-{m:02d}-{d:02d}"


def _place(r: Rng) -> tuple[str, str, str, str, str]:
    province, code, districts, wards, city = r.pick(_PLACES)
    return province, code, r.pick(districts), r.pick(wards), city


def _address(r: Rng) -> str:
    province, _, district, ward, _ = _place(r)
    return f"Số {r.int(1, 250)} {r.pick(_STREETS)}, {ward}, {district}, {province}"


def _ubnd(unit: str) -> list[str]:
    return ["ỦY BAN NHÂN DÂN", unit.upper()]


def _person_lines(r: Rng, label_name: str, female: bool, born: tuple[int, int]) -> tuple[list[str], dict]:  # type: ignore[type-arg]
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


def _birth(r: Rng) -> Content:
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
    return Content(
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


def _marriage(r: Rng) -> Content:
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
    return Content(
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


def _diploma(r: Rng) -> Content:
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
    return Content(
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


def _residence(r: Rng) -> Content:
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
    return Content(
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


def _land(r: Rng) -> Content:
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
    return Content(
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


def _other(r: Rng) -> Content:
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
    return Content(
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


# The sample builder of each document type (`ocr.doctypes`), but the ID card's, which is a photocopy of a
# card (`documents._id_card_page`) rather than a page of text. tests/ocr/test_doctypes.py checks coverage.
BUILDERS: dict[str, Callable[[Rng], Content]] = {
    "birth_certificate": _birth,
    "marriage_certificate": _marriage,
    "diploma": _diploma,
    "residence_confirmation": _residence,
    "land_use_certificate": _land,
    "other": _other,
}
