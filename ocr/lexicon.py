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


def restore_formulae(tokens: list[str]) -> list[str]:
    """The tokens of one OCR line, with each administrative formula spelled as it should be."""
    out = [nfc(t) for t in tokens]
    cores = [fold(_core(t)[0]) for t in out]
    i = 0
    while i < len(out):
        for folded, canonical in _TABLE:
            n = len(folded)
            if n > 1 and cores[i : i + n] == folded:
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
