"""Is what OCR reads on a printed page the field value the seal holds? One rule per field kind.

OCR of a 150 dpi scan or a phone photo loses accents and now and then a letter; a forger changes a name,
a date or a number. The rules forgive the first and not the second:

* **name** (people): compared without diacritics, case or punctuation ("Nguyễn Thị Lan" = "NGUYEN THI
  LAN"; đ reads d). The two must have the same words in the same order; a word of five letters or more may
  differ by one edit (an OCR slip), shorter words must be equal; at most one word in three may differ.
  So "LAN" -> "LAM" or one given name swapped for another is refused, "NGUYEN" read "NGUYFN" is forgiven.
* **date**: exact, after reading any of 14/03/2019, 14-3-2019, 14.03.2019, "ngày 14 tháng 3 năm 2019" or
  2019-03-14 as the same ISO date. OCR errors in a date are not forgiven (a date is short; one digit is
  the whole forgery).
* **number** (document, ID, parcel, serial): exact, after upper case, no diacritics, no spaces, and in a
  group of the number (between / - .) whose only letters are O, Q, D (read 0) and I, L, | (read 1), and
  that has one such letter or at least twice as many digits as letters, those letters read as digits
  ("3O7" = "307"; "QH0012345" keeps its Q and H, "CS54759" its C and S, "1LO" stays: not a misread number). A decimal comma reads as a point (an area "123,4 m2" = "123.4 m2"), and a unit after
  the number ("m2") is compared too.
* **year**: exact, four digits, with the same O/I/L fixes as numbers.
* **sex**: "Nam"/"Nữ" (or Male/Female) after folding: exact.
* **text** (places, addresses, classification, ethnicity): without diacritics, case and punctuation, the
  two may differ by at most one edit per 12 characters (at least 1): OCR slips in a long address are
  forgiven, a changed town name (three letters and more) is not.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from signing.seal_fields import FieldKind

_KEEP_WORDS = re.compile(r"[^A-Z0-9 ]+")
_DIGIT_LETTERS = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "|": "1"})
_DATE_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?!\d)")
_DATE_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_DATE_WORDS = re.compile(r"NGAY\s*(\d{1,2})\s*THANG\s*(\d{1,2})\s*NAM\s*(\d{4})")


def fold(text: str) -> str:
    """Upper case, no diacritics (đ reads D), spaces collapsed."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.upper().split())


def _words(text: str) -> list[str]:
    return _KEEP_WORDS.sub(" ", fold(text)).split()


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Levenshtein distance; stops early (returns limit + 1) once it must exceed ``limit``."""
    if a == b:
        return 0
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if limit is not None and min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def names_match(sealed: str, read: str) -> bool:
    want, got = _words(sealed), _words(read)
    if not want or len(want) != len(got):
        return False
    differing = 0
    for a, b in zip(want, got, strict=True):
        if a == b:
            continue
        if min(len(a), len(b)) < 5 or edit_distance(a, b, 1) > 1:
            return False
        differing += 1
    return differing <= len(want) // 3


def iso_date(text: str) -> str | None:
    """The first date in ``text`` as ISO (any of the forms the module docstring lists), or None."""
    folded = fold(text)
    for pattern, order in ((_DATE_ISO, (0, 1, 2)), (_DATE_NUMERIC, (2, 1, 0)), (_DATE_WORDS, (2, 1, 0))):
        m = pattern.search(folded)
        if m:
            parts = m.groups()
            year, month, day = (int(parts[i]) for i in order)
            try:
                return date(year, month, day).isoformat()
            except ValueError:
                return None
    return None


def dates_match(sealed: str, read: str) -> bool:
    want = iso_date(sealed)
    return want is not None and want == iso_date(read)


def number_form(text: str) -> str:
    """A number as compared: upper case, no diacritics or spaces, misread digits fixed where safe."""
    compact = fold(text).replace(" ", "").replace(",", ".")
    groups = re.split(r"([/\-.])", compact)
    fixed = []
    for group in groups:
        letters = [ch for ch in group if ch.isalpha() or ch == "|"]
        digits = sum(ch.isdigit() for ch in group)
        misread = bool(letters) and all(ch in "OQDIL|" for ch in letters)
        safe = digits > 0 and (len(letters) == 1 or digits >= 2 * len(letters))
        fixed.append(group.translate(_DIGIT_LETTERS) if misread and safe else group)
    return "".join(fixed)


def numbers_match(sealed: str, read: str) -> bool:
    want = number_form(sealed)
    return bool(want) and want == number_form(read)


def years_match(sealed: str, read: str) -> bool:
    want, got = number_form(sealed), number_form(read)
    return bool(re.fullmatch(r"\d{4}", want)) and want == got


def sex_form(text: str) -> str | None:
    folded = fold(text)
    if re.match(r"(NU|FEMALE|F)\b", folded):
        return "F"
    if re.match(r"(NAM|MALE|M)\b", folded):
        return "M"
    return None


def sexes_match(sealed: str, read: str) -> bool:
    want = sex_form(sealed)
    return want is not None and want == sex_form(read)


def texts_match(sealed: str, read: str) -> bool:
    want, got = " ".join(_words(sealed)), " ".join(_words(read))
    if not want:
        return False
    allowed = max(1, len(want) // 12)
    return edit_distance(want, got, allowed) <= allowed


_RULES = {
    "name": names_match,
    "date": dates_match,
    "number": numbers_match,
    "year": years_match,
    "sex": sexes_match,
    "text": texts_match,
}


def field_matches(kind: FieldKind, sealed: str, read: str | None) -> bool:
    """True when ``read`` (what OCR found on the paper) is ``sealed`` within the tolerance of ``kind``."""
    if read is None:
        return False
    return _RULES[kind](sealed, read)
