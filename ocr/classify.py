"""Document classification by weighted key phrases, matched without diacritics.

Matching on folded text (no accents, lower case) makes the classifier indifferent to the diacritic
errors OCR makes most. Title phrases weigh most, and count double near the top of the page; body
phrases add evidence. A few phrases veto a type they resemble (a marital status confirmation is not a
marriage certificate).
"""

from __future__ import annotations

import re

from ocr.text import fold, nfc

DOC_TYPES = (
    "birth_certificate",
    "marriage_certificate",
    "diploma",
    "residence_confirmation",
    "land_use_certificate",
    "id_card",
    "other",
)

# type -> ((regex on folded text, weight), ...)
_PHRASES: dict[str, tuple[tuple[str, float], ...]] = {
    "birth_certificate": (
        (r"giay khai sinh", 6),
        (r"trich luc khai sinh", 6),
        (r"ban sao giay khai sinh", 6),
        (r"birth certificate", 6),
        (r"dang ky khai sinh", 2),
        (r"nguoi me", 1),
        (r"nguoi cha", 1),
        (r"noi sinh", 1),
    ),
    "marriage_certificate": (
        (r"chung nhan ket hon", 7),
        (r"giay dang ky ket hon", 6),
        (r"marriage certificate", 6),
        (r"dang ky ket hon", 3),
        (r"ben chong|nguoi chong|thong tin.{0,6}chong", 2),
        (r"ben vo|nguoi vo|thong tin.{0,6}\bvo\b", 2),
    ),
    "diploma": (
        (r"bang tot nghiep", 7),
        (r"bang cu nhan|bang ky su|bang thac si|bang tien si", 7),
        (r"van bang", 2),
        (r"so hieu", 2),
        (r"xep loai", 2),
        (r"nam tot nghiep|hinh thuc dao tao|nganh", 1),
    ),
    "residence_confirmation": (
        (r"thong tin ve cu tru", 7),
        (r"xac nhan cu tru", 7),
        (r"xac nhan thong tin cu tru", 7),
        (r"noi thuong tru", 2),
        (r"noi o hien tai|noi tam tru", 2),
        (r"quan he voi chu ho|chu ho", 2),
    ),
    "land_use_certificate": (
        (r"quyen su dung dat", 7),
        (r"gan lien voi dat", 4),
        (r"thua dat so", 3),
        (r"to ban do so", 3),
        (r"muc dich su dung|thoi han su dung|hinh thuc su dung", 1),
    ),
    "id_card": (
        (r"can cuoc cong dan", 7),
        (r"chung minh nhan dan", 7),
        (r"citizen identity|identity card", 6),
        (r"\bcan cuoc\b", 3),
        (r"date of birth|full name|date of expiry|place of origin|personal identification", 1.5),
        (r"co gia tri den", 1.5),
        (r"dac diem nhan dang", 2),
    ),
}
# Phrases that rule a type out, because they name a different paper that shares its words.
_VETO: dict[str, str] = {
    "marriage_certificate": r"tinh trang hon nhan",
}
MIN_SCORE = 5.0  # a type needs at least one title phrase, or several body phrases


def scores(text: str) -> dict[str, float]:
    """Evidence for each type (title phrases in the first third count double)."""
    folded = " ".join(fold(nfc(text)).split())
    head = folded[: max(300, len(folded) // 3)]
    result: dict[str, float] = {}
    for doc_type, phrases in _PHRASES.items():
        if doc_type in _VETO and re.search(_VETO[doc_type], head):
            result[doc_type] = 0.0
            continue
        total = 0.0
        for pattern, weight in phrases:
            if re.search(pattern, folded):
                total += weight
                if weight >= 6 and re.search(pattern, head):
                    total += weight
        result[doc_type] = total
    return result


def classify(text: str) -> str:
    """One of DOC_TYPES for the OCR text of a document; "other" when no type has enough evidence."""
    found = scores(text)
    best = max(found, key=lambda k: found[k])
    return best if found[best] >= MIN_SCORE else "other"
