"""The chip ID card (CCCD): its QR payload, the checks on its fields, and the cross-check against OCR.

The QR on the front of a CCCD holds ``ID|old ID|name|DOB ddmmyyyy|sex|address|issue date ddmmyyyy``.
Some cards (and some readers) give 6 fields without the old ID; some USB readers prefix each field with
a label (``Số CCCD: ...``) or put one field per line. All of those parse to the same CardData.

The 12-digit ID number is structured (Circular 59/2021/TT-BCA): a 3-digit province code of the place of
birth registration (001-096), one digit for the century of birth and sex (0/1 male/female born 1900-1999,
2/3 in 2000-2099, 4/5 in 2100-2199, 6/7 in 2200-2299, 8/9 in 2300-2399), the last 2 digits of the year of
birth, then 6 random digits. A payload whose ID disagrees with the printed birth date or sex is refused.

No message here contains the ID number or the name: messages reach logs and screens.
"""

from __future__ import annotations

import difflib
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from kiosk.identity.errors import CardError
from kiosk.runtime.logs import mask_id
from ocr.barcodes import decode_qr_codes

log = logging.getLogger(__name__)

PROVINCE_CODE_RANGE = (1, 96)
# Century of birth per century/sex digit pair: digit // 2 -> first year of the century.
_CENTURY_START = {0: 1900, 1: 2000, 2: 2100, 3: 2200, 4: 2300}
SEX_MALE, SEX_FEMALE = "Nam", "Nữ"

# Labels some USB readers put before a field ("Số CCCD: 0010..."), compared without accents or case.
_KNOWN_LABELS = frozenset(
    {
        "so",
        "so cccd",
        "cccd",
        "so can cuoc",
        "so dinh danh",
        "id",
        "id number",
        "no",
        "so cmnd",
        "cmnd",
        "old id",
        "so cmnd cu",
        "ho va ten",
        "ho ten",
        "name",
        "full name",
        "ngay sinh",
        "dob",
        "date of birth",
        "gioi tinh",
        "sex",
        "gender",
        "noi thuong tru",
        "dia chi",
        "address",
        "place of residence",
        "ngay cap",
        "issue date",
        "date of issue",
    }
)
_LABEL_PATTERN = re.compile(r"^\s*([^\W\d_][^\d:|]{0,40}?)\s*:\s*", re.UNICODE)
_NAME_PATTERN = re.compile(r"^[^\W\d_]+(?:[ '\-][^\W\d_]+)*$", re.UNICODE)


def strip_accents(text: str) -> str:
    """`Nguyễn Văn Đức` -> `Nguyen Van Duc` (also đ/Đ, which Unicode does not decompose)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


@dataclass(frozen=True, repr=False)
class CardData:
    """The fields of one CCCD. ``repr`` masks the ID and hides the name so a stray log line leaks nothing."""

    id_number: str
    old_id: str | None
    full_name: str
    date_of_birth: date
    sex: str
    address: str
    issue_date: date

    def masked_id(self) -> str:
        """`001090001567` -> `001******567`, what the record and the seal keep."""
        return mask_id(self.id_number)

    def to_json(self) -> dict[str, Any]:
        """The `kiosk id read --json` keys (docs/ARCHITECTURE.md), dates in ISO form."""
        return {
            "id_number": self.id_number,
            "old_id": self.old_id,
            "full_name": self.full_name,
            "date_of_birth": self.date_of_birth.isoformat(),
            "sex": self.sex,
            "address": self.address,
            "issue_date": self.issue_date.isoformat(),
        }

    def to_qr_payload(self, *, fields: int = 7) -> str:
        """The QR text of this card, in the 7-field layout (or 6 fields, without the old ID)."""
        parts = [
            self.id_number,
            self.old_id or "",
            self.full_name,
            self.date_of_birth.strftime("%d%m%Y"),
            self.sex,
            self.address,
            self.issue_date.strftime("%d%m%Y"),
        ]
        if fields == 6:
            del parts[1]
        elif fields != 7:
            raise ValueError("a CCCD QR has 6 or 7 fields")
        return "|".join(parts)

    def __repr__(self) -> str:
        return f"CardData(id_number={self.masked_id()!r}, full_name=<hidden>)"


def _fail(reason: str, message: str) -> CardError:
    return CardError(message, reason=reason, subject="card QR")


def _strip_label(field: str) -> str:
    match = _LABEL_PATTERN.match(field)
    if match and strip_accents(match.group(1)).lower().strip(" ./") in _KNOWN_LABELS:
        return field[match.end() :]
    return field


def _parse_date(text: str, what: str) -> date:
    digits = re.sub(r"[/.\-\s]", "", text)
    if not re.fullmatch(r"\d{8}", digits):
        raise _fail("bad_date", f"the {what} is not a date in ddmmyyyy form")
    day, month, year = int(digits[:2]), int(digits[2:4]), int(digits[4:])
    try:
        return date(year, month, day)
    except ValueError:
        raise _fail("bad_date", f"the {what} is not a real date") from None


def _parse_sex(text: str) -> str:
    key = strip_accents(text).strip().lower()
    if key in {"nam", "male", "m"}:
        return SEX_MALE
    if key in {"nu", "female", "f"}:
        return SEX_FEMALE
    raise _fail("bad_sex", "the sex field is neither 'Nam' nor 'Nữ'")


def validate_id_number(id_number: str, date_of_birth: date, sex: str) -> None:
    """Raise CardError unless the ID has 12 digits, a province code 001-096, and a century/sex digit and
    birth year that agree with the date of birth and sex."""
    if not re.fullmatch(r"\d{12}", id_number):
        raise _fail("bad_id_format", "the ID number does not have 12 digits")
    province = int(id_number[:3])
    if not PROVINCE_CODE_RANGE[0] <= province <= PROVINCE_CODE_RANGE[1]:
        raise _fail("bad_province", f"the ID number's province code {id_number[:3]} is not in 001-096")
    code = int(id_number[3])
    century = _CENTURY_START[code // 2]
    if not century <= date_of_birth.year < century + 100:
        raise _fail(
            "id_century_mismatch",
            f"the ID number's century digit {code} does not fit a birth year of {date_of_birth.year}",
        )
    expected_sex = SEX_MALE if code % 2 == 0 else SEX_FEMALE
    if sex != expected_sex:
        raise _fail("id_sex_mismatch", f"the ID number's sex digit {code} does not fit the sex on the card")
    if int(id_number[4:6]) != date_of_birth.year % 100:
        raise _fail("id_year_mismatch", "the ID number's year digits do not match the date of birth")


def _split_fields(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text).replace("\ufeff", "").strip()
    # A reader may print one labelled field per line instead of separating them with '|'.
    fields = text.split("|") if "|" in text else [line for line in text.splitlines() if line.strip()]
    # Readers sometimes end the payload with a separator; the issue date is never legitimately empty.
    while len(fields) > 6 and not fields[-1].strip():
        fields.pop()
    return [" ".join(_strip_label(f).split()) for f in fields]


def parse_cccd_qr(payload: str | bytes, *, today: date | None = None) -> CardData:
    """Parse and check a CCCD QR payload (6 or 7 fields); raise CardError with a reason when it is wrong."""
    if isinstance(payload, bytes | bytearray):
        try:
            text = bytes(payload).decode("utf-8")
        except UnicodeDecodeError:
            raise _fail("not_text", "the QR payload is not UTF-8 text") from None
    elif isinstance(payload, str):
        text = payload
    else:
        raise _fail("not_text", f"the QR payload must be text or bytes, not {type(payload).__name__}")
    fields = _split_fields(text)
    if len(fields) == 7:
        id_number, old_id, name, dob_text, sex_text, address, issue_text = fields
    elif len(fields) == 6:
        id_number, name, dob_text, sex_text, address, issue_text = fields
        old_id = ""
    else:
        raise _fail(
            "bad_field_count",
            f"the QR is not a CCCD payload: expected 6 or 7 fields separated by '|', got {len(fields)}",
        )
    for value, what in (
        (id_number, "ID number"),
        (name, "name"),
        (dob_text, "date of birth"),
        (sex_text, "sex"),
        (address, "address"),
        (issue_text, "issue date"),
    ):
        if not value:
            raise _fail("empty_field", f"the {what} field of the QR is empty")
    if not re.fullmatch(r"\d{12}", id_number):
        raise _fail("bad_id_format", "the ID number does not have 12 digits")
    if old_id and not re.fullmatch(r"\d{9}|\d{12}", old_id):
        raise _fail("bad_old_id", "the old ID number has neither 9 nor 12 digits")
    if not _NAME_PATTERN.match(name):
        raise _fail("bad_name", "the name field contains characters that are not letters")
    date_of_birth = _parse_date(dob_text, "date of birth")
    issue_date = _parse_date(issue_text, "issue date")
    sex = _parse_sex(sex_text)
    today = today or date.today()
    if date_of_birth > today:
        raise _fail("date_in_future", "the date of birth is in the future")
    if issue_date > today:
        raise _fail("date_in_future", "the issue date is in the future")
    if issue_date <= date_of_birth:
        raise _fail("issue_before_birth", "the issue date is not after the date of birth")
    validate_id_number(id_number, date_of_birth, sex)
    return CardData(
        id_number=id_number,
        old_id=old_id or None,
        full_name=name,
        date_of_birth=date_of_birth,
        sex=sex,
        address=address,
        issue_date=issue_date,
    )


# OCR misreads digits as these letters on card fonts.
_DIGIT_CONFUSIONS = str.maketrans(
    {"O": "0", "o": "0", "D": "0", "I": "1", "l": "1", "|": "1", "S": "5", "B": "8", "Z": "2"}
)


@dataclass(frozen=True)
class OcrCrossCheck:
    """What OCR of the card front says about the QR's ID and name: True agrees, False disagrees, None unseen."""

    id_agrees: bool | None
    name_agrees: bool | None
    name_similarity: float

    @property
    def ok(self) -> bool:
        return self.id_agrees is not False and self.name_agrees is not False


def cross_check_ocr(card: CardData, ocr_text: str, *, min_name_similarity: float = 0.8) -> OcrCrossCheck:
    """Compare the QR's ID number and name with the printed ones read by OCR of the card front.

    The ID agrees when OCR shows it (allowing the usual O/0, I/1 confusions and spaces); it disagrees when
    OCR shows another 12-digit number and not this one; it is None when OCR shows no 12-digit number.
    The name is compared without accents or case against the best-matching run of OCR words; it is None
    when OCR shows too few words to compare.
    """
    compact = re.sub(r"\s+", "", ocr_text.translate(_DIGIT_CONFUSIONS))
    numbers = re.findall(r"(?<!\d)\d{12}(?!\d)", compact)
    id_agrees: bool | None
    if card.id_number in compact:
        id_agrees = True
    elif numbers:
        id_agrees = False
    else:
        id_agrees = None
    target = strip_accents(card.full_name).upper().split()
    words = re.findall(r"[A-Z]+", strip_accents(ocr_text).upper())
    best = 0.0
    if len(words) >= len(target):
        joined_target = " ".join(target)
        for start in range(len(words) - len(target) + 1):
            window = " ".join(words[start : start + len(target)])
            best = max(best, difflib.SequenceMatcher(None, joined_target, window).ratio())
    name_agrees = None if len(words) < len(target) else best >= min_name_similarity
    return OcrCrossCheck(id_agrees=id_agrees, name_agrees=name_agrees, name_similarity=round(best, 3))


def read_card(image: np.ndarray, *, ocr_text: str | None = None, today: date | None = None) -> CardData:
    """Decode the CCCD QR on a card image and check its fields; raise CardError with a reason.

    With `ocr_text` (OCR of the same card front), the QR's ID number and name must also agree with it.
    """
    try:
        payloads = decode_qr_codes(image)
    except ValueError as exc:
        raise CardError(f"not a usable card image: {exc}", reason="bad_image", subject="card") from None
    if not payloads:
        raise CardError(
            "no CCCD QR code found on the card image; place the card face up with the QR visible",
            reason="no_qr",
            subject="card",
        )
    first_error: CardError | None = None
    for payload in payloads:
        try:
            card = parse_cccd_qr(payload, today=today)
        except CardError as exc:
            first_error = first_error or exc
            continue
        if ocr_text is not None:
            check = cross_check_ocr(card, ocr_text)
            if not check.ok:
                what = "ID number" if check.id_agrees is False else "name"
                raise CardError(
                    f"the {what} printed on the card does not match the card's QR",
                    reason="ocr_mismatch",
                    subject="card",
                )
        log.info("card read: %s", card.masked_id())
        return card
    assert first_error is not None
    raise first_error
