"""The key fields a certified copy's seal carries, beyond what ``ocr.fields`` extracts for the record.

``ocr.fields`` finds the fields the record and the post-check need; the seal also holds what a forger
would change and a checker compares: the place of birth, the ethnicity, a diploma's classification and
year, a land parcel's area and address, a residence's permanent address, and on any other paper the
names it shows. A value ends at the end of its line or where the next label ("Dân tộc:") begins, so
"Giới tính: Nam    Dân tộc: Kinh" gives sex and ethnicity apart.
"""

from __future__ import annotations

import re

from ocr.fields import Lines, _after, _clean_name
from ocr.text import fold

# Where a value ends on its line (folded text): a wide gap, or the label of the next field.
_NEXT_LABEL = re.compile(
    r"\s{2,}|\s+(?:ngay(?:,)? (?:thang(?:,)? nam )?sinh|nam sinh|dan toc|quoc tich|gioi tinh|noi sinh|"
    r"que quan|so dinh danh|to ban do so|thua dat so|cccd|ton giao)\b"
)
_AREA = re.compile(r"(\d[\d.,\s]*\d|\d)\s*(m2|m²|ha)?", re.IGNORECASE)


def _until_next_label(value: str) -> str:
    m = _NEXT_LABEL.search(fold(value))  # fold keeps one character for one, so the index holds
    return (value[: m.start()] if m else value).strip(" .,;")


def _value(lines: Lines, label: str) -> str | None:
    value = _after(lines, label)
    return _until_next_label(value) or None if value else None


def _year(lines: Lines, label: str) -> str | None:
    value = _value(lines, label)
    m = re.search(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)", value or "")
    return m.group(1) if m else None


def _area(lines: Lines) -> str | None:
    value = _value(lines, r"dien tich")
    m = _AREA.search(value or "")
    if not m:
        return None
    number = re.sub(r"\s+", "", m.group(1))
    unit = (m.group(2) or "").replace("²", "2").lower()
    return f"{number} {unit}".strip()


def _names(lines: Lines) -> dict[str, str]:
    found: list[str] = []
    pattern = re.compile(r"(?:^|\s)(?:ong\s*/\s*ba|ong|ba|ho va ten|ho ten|ho, chu dem(?:,| va) ten)\s*:\s*")
    for original, folded in lines:
        for m in pattern.finditer(folded):
            name = _clean_name(_until_next_label(original[m.end() :]))
            if name and name not in found:
                found.append(name)
    return {f"name_{i}": name for i, name in enumerate(found[:3], 1)}


def extra_key_fields(doc_type: str, lines: Lines) -> dict[str, str]:
    """The seal's fields of ``doc_type`` that ``ocr.fields`` does not extract (present only when found)."""
    found: dict[str, str | None] = {}
    if doc_type in ("birth_certificate", "diploma"):
        found["place_of_birth"] = _value(lines, r"noi sinh")
    if doc_type == "birth_certificate":
        found["ethnicity"] = _value(lines, r"dan toc")
    if doc_type == "diploma":
        found["classification"] = _value(lines, r"xep loai(?: tot nghiep)?")
        found["graduation_year"] = _year(lines, r"nam tot nghiep")
    if doc_type == "residence_confirmation":
        found["permanent_address"] = _value(lines, r"noi thuong tru")
    if doc_type == "land_use_certificate":
        found["area"] = _area(lines)
        found["address"] = _value(lines, r"(?:^|\s)(?:[a-z]\)\s*)?dia chi(?!\s*thuong)")
    if doc_type == "other":
        found.update(_names(lines))
    return {key: value for key, value in found.items() if value}
