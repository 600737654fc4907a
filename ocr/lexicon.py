"""Restoring the diacritics of the fixed formulae of Vietnamese administrative papers.

Tesseract reads Vietnamese capitals with their marks least reliably ("UY BAN NHAN DAN" for "ỦY BAN NHÂN
DÂN"). Administrative papers repeat a small set of formulae (the national motto, the names of the
authorities, the standard titles and field labels of Decree 30/2020 and the civil status forms). When a
run of OCR words matches one of them letter for letter once diacritics are ignored, the run takes the
formula's spelling, keeping the OCR's capitalisation and punctuation. Only multi-word formulae are used,
so an ambiguous single word (Phương / Phường) is never changed.
"""

from __future__ import annotations

import re

from ocr.text import fold, nfc

FORMULAE = (
    "Cộng hòa xã hội chủ nghĩa Việt Nam",
    "Độc lập - Tự do - Hạnh phúc",
    "Ủy ban nhân dân",
    "Sở Giáo dục và Đào tạo",
    "Bộ Giáo dục và Đào tạo",
    "Sở Tài nguyên và Môi trường",
    "Bộ Công an",
    "Trường Đại học",
    "Giấy khai sinh",
    "Trích lục khai sinh",
    "Đăng ký khai sinh",
    "Giấy chứng nhận kết hôn",
    "Đăng ký kết hôn",
    "Giấy chứng nhận",
    "Quyền sử dụng đất",
    "Quyền sở hữu nhà ở",
    "tài sản khác gắn liền với đất",
    "Bằng tốt nghiệp",
    "Trung học phổ thông",
    "Căn cước công dân",
    "Xác nhận thông tin về cư trú",
    "Giấy xác nhận",
    "Chủ tịch",
    "Phó Chủ tịch",
    "Giám đốc",
    "Hiệu trưởng",
    "Cục Cảnh sát",
    "Quản lý hành chính về trật tự xã hội",
    "Họ, chữ đệm, tên",
    "Họ, chữ đệm và tên",
    "Họ và tên",
    "Ngày, tháng, năm sinh",
    "Ngày sinh",
    "Năm sinh",
    "Giới tính",
    "Dân tộc",
    "Quốc tịch",
    "Nơi sinh",
    "Quê quán",
    "Nơi cư trú",
    "Nơi thường trú",
    "Nơi ở hiện tại",
    "Số định danh cá nhân",
    "Thửa đất số",
    "Tờ bản đồ số",
    "Số vào sổ",
    "Có giá trị đến",
    "Đặc điểm nhân dạng",
    "Thành phố",
    "Quyết định",
    "Thông báo",
    "Danh sách",
    "Biên bản",
    "Giấy mời",
    "Số định danh",
    "Văn phòng",
    "Độc lập",
    "Tự do",
    "Hạnh phúc",
)
_TRAIL = re.compile(r"[:;,.]+$")


def _core(token: str) -> tuple[str, str]:
    m = _TRAIL.search(token)
    return (token[: m.start()], token[m.start() :]) if m else (token, "")


def _cased(canonical: str, ocr: str) -> str:
    letters = [ch for ch in ocr if ch.isalpha()]
    if len(letters) > 1 and all(ch.isupper() for ch in letters):
        return canonical.upper()
    if letters and letters[0].isupper():
        return canonical[:1].upper() + canonical[1:]
    return canonical[:1].lower() + canonical[1:] if canonical[:1].isalpha() else canonical


def _build() -> list[tuple[list[str], list[str]]]:
    table = []
    for formula in FORMULAE:
        tokens = nfc(formula).split()
        table.append(([fold(_core(t)[0]) for t in tokens], tokens))
    table.sort(key=lambda row: -len(row[0]))
    return table


_TABLE = _build()


def _near(read: list[str], formula: list[str]) -> bool:
    """The folded words of a run match a formula's, exactly or with one slip in one long word."""
    if len(read) != len(formula):
        return False
    slips = 0
    for a, b in zip(read, formula, strict=True):
        if a == b:
            continue
        if len(b) < 4 or abs(len(a) - len(b)) > 1 or a[:1] != b[:1] or _distance(a, b) > 1:
            return False
        slips += 1
    return slips <= 1


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def restore_formulae(tokens: list[str]) -> list[str]:
    """The tokens of one OCR line, with each administrative formula spelled as it should be.

    A run matches a formula when its words equal the formula's once diacritics are ignored, or when one
    word of four letters or more has one letter wrong, extra or missing ("QUYLET ĐỊNH").
    """
    out = [nfc(t) for t in tokens]
    cores = [fold(_core(t)[0]) for t in out]
    i = 0
    while i < len(out):
        for folded, canonical in _TABLE:
            n = len(folded)
            if n > 1 and _near(cores[i : i + n], folded):
                for k in range(n):
                    core, suffix = _core(out[i + k])
                    canon_core, canon_suffix = _core(canonical[k])
                    if canon_suffix and suffix in (".", ","):  # "Họ. chữ đệm." is "Họ, chữ đệm,"
                        suffix = canon_suffix
                    out[i + k] = _cased(canon_core, core) + suffix
                i += n - 1
                break
        i += 1
    return out


# Letters Tesseract puts for digits, where only digits can stand.
_AS_DIGIT = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1", "!": "1",
                           "i": "1", "S": "5", "B": "8", "Z": "2", "z": "2", "g": "9"})  # fmt: skip
_DIGITISH = "0-9OoDQIl|!iSBZzg"
_DATE_TOKEN = re.compile(
    rf"^([{_DIGITISH}]{{1,2}})([/.\-])([{_DIGITISH}]{{1,2}})\2([{_DIGITISH}]{{4}})([.,;:]?)$"
)
_NUMBER_TOKEN = re.compile(rf"^([{_DIGITISH}]+)([.,;:)]?)$")
_NUMBER_SLASH = re.compile(rf"^([{_DIGITISH}]+)(/\S+)$")
_BEFORE_NUMBER = ("dieu", "khoan", "ngay", "thang", "nam", "so")  # words a number follows


def _as_digits(core: str, minimum_digits: float) -> str | None:
    """`core` with its letters turned into digits, when enough of it already is digits."""
    digits = sum(ch.isdigit() for ch in core)
    if digits == len(core):
        return core
    if digits == 0 and not set(core) <= set("IlO|!"):
        return None  # a word like "lo" or "Do", not a misread number
    if digits >= minimum_digits * len(core):
        return core.translate(_AS_DIGIT)
    return None


def restore_digits(tokens: list[str]) -> list[str]:
    """The tokens of one OCR line with digits read as letters put back where only digits stand.

    Clause and document numbers ("Điều I." is "Điều 1.", "Số: I0I/QĐ" is "Số: 101/QĐ"), the day, month
    and year after "ngày", "tháng", "năm", dates (dd/mm/yyyy) and 12-digit ID numbers. A word that
    is mostly letters is never touched, and neither is a Roman numeral outside these places.
    """
    out = list(tokens)
    for k, token in enumerate(out):
        previous = fold(_core(out[k - 1])[0]) if k else ""
        if m := _DATE_TOKEN.match(token):
            day, sep, month, year, tail = m.groups()
            whole = day + month + year
            if sum(ch.isdigit() for ch in whole) >= 0.6 * len(whole):
                out[k] = (
                    f"{day.translate(_AS_DIGIT)}{sep}{month.translate(_AS_DIGIT)}{sep}{year.translate(_AS_DIGIT)}{tail}"
                )
            continue
        if m := _NUMBER_TOKEN.match(token):
            core, tail = m.groups()
            if previous in _BEFORE_NUMBER and len(core) <= 4:
                # "Điều I." / "ngày l5": a short number right after the word that announces it
                fixed = _as_digits(core, 0.0 if len(core) <= 2 else 0.5)
            elif len(core) >= 9:
                fixed = _as_digits(core, 0.75)  # an ID number
            else:
                fixed = None
            if fixed is not None and (fixed != core and fixed.isdigit()):
                out[k] = fixed + tail
            continue
        if previous == "so" and (m := _NUMBER_SLASH.match(token)):
            core, rest = m.groups()
            fixed = _as_digits(core, 0.3)
            if fixed is not None and fixed.isdigit():
                out[k] = fixed + rest
    return out
