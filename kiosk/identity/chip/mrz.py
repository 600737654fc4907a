"""The machine-readable zone: check digits, the BAC key seed, and the MRZ of DG1: TD1 (an ID card, 3x30,
the CCCD's) and TD3 (a passport, 2x44, what a foreign resident shows) (ICAO 9303 parts 4 and 5).

A CCCD's document number in the MRZ is the last 9 digits of the 12-digit ID number; the BAC key comes
from that number, the date of birth and the date of expiry, each with its check digit (ICAO 9303 part 11,
section 4.3.2, and part 3, section 4.9).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from kiosk.identity.cccd import strip_accents

_WEIGHTS = (7, 3, 1)


def _char_value(ch: str) -> int:
    if ch.isdigit():
        return ord(ch) - 48
    if "A" <= ch <= "Z":
        return ord(ch) - 55
    if ch == "<":
        return 0
    raise ValueError(f"{ch!r} is not an MRZ character")


def check_digit(field: str) -> str:
    """The 7-3-1 check digit of an MRZ field."""
    return str(sum(_char_value(ch) * _WEIGHTS[i % 3] for i, ch in enumerate(field)) % 10)


def yymmdd(day: date) -> str:
    return day.strftime("%y%m%d")


def document_number_for(id_number: str) -> str:
    """The MRZ document number of a CCCD: the last 9 digits of its 12-digit ID number."""
    digits = id_number.strip()
    return digits[-9:] if len(digits) > 9 else digits


@dataclass(frozen=True)
class BacKey:
    """What BAC needs: the document number and the two dates. ``repr`` hides the number."""

    document_number: str
    date_of_birth: date
    date_of_expiry: date

    def mrz_information(self) -> str:
        number = self.document_number.upper().replace(" ", "")
        field = number.ljust(9, "<")
        birth, expiry = yymmdd(self.date_of_birth), yymmdd(self.date_of_expiry)
        return field + check_digit(field) + birth + check_digit(birth) + expiry + check_digit(expiry)

    def seed(self) -> bytes:
        """K_seed: the first 16 bytes of SHA-1 over the MRZ information."""
        return hashlib.sha1(self.mrz_information().encode("ascii")).digest()[:16]

    def __repr__(self) -> str:
        return f"BacKey(document_number=***{self.document_number[-3:]}, ...)"


def milestone_expiry(date_of_birth: date, issue_date: date) -> date | None:
    """A CCCD's expiry from the law's milestones: the holder's 25th, 40th or 60th birthday. A card
    issued less than two years before a milestone stays valid to the next one; None means no expiry."""
    for age in (25, 40, 60):
        milestone = _birthday(date_of_birth, age)
        if issue_date < _birthday(milestone, -2):
            return milestone
    return None


def _birthday(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return date(day.year + years, 2, 28)


def mrz_name(full_name: str) -> str:
    """`NGUYỄN VĂN AN` -> `NGUYEN<<VAN<AN`: surname, two fillers, the given names."""
    words = strip_accents(full_name).upper().split()
    if not words:
        return ""
    clean = ["".join(ch for ch in w if "A" <= ch <= "Z") for w in words]
    return clean[0] + "<<" + "<".join(clean[1:])


@dataclass(frozen=True)
class Td1:
    """The fields of a TD1 MRZ (three lines of 30)."""

    document_code: str
    issuing_state: str
    document_number: str
    optional_1: str
    date_of_birth: date
    sex: str  # "M", "F" or "<"
    date_of_expiry: date
    nationality: str
    optional_2: str
    name: str  # "SURNAME<<GIVEN<NAMES"

    def lines(self) -> tuple[str, str, str]:
        number = self.document_number.ljust(9, "<")[:9]
        line1 = self.document_code.ljust(2, "<") + self.issuing_state + number + check_digit(number)
        line1 = (line1 + self.optional_1).ljust(30, "<")[:30]
        birth, expiry = yymmdd(self.date_of_birth), yymmdd(self.date_of_expiry)
        line2 = birth + check_digit(birth) + self.sex + expiry + check_digit(expiry) + self.nationality
        line2 = (line2 + self.optional_2).ljust(29, "<")[:29]
        composite = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
        line2 += check_digit(composite)
        line3 = self.name.ljust(30, "<")[:30]
        return line1, line2, line3

    def text(self) -> str:
        return "".join(self.lines())

    def __repr__(self) -> str:  # never a name or a number in a log
        return f"{type(self).__name__}({self.document_code}, {self.issuing_state}, number ***{self.document_number[-3:]})"


def _mrz_date(text: str, *, future: bool) -> date:
    year, month, day = int(text[0:2]), int(text[2:4]), int(text[4:6])
    today = date.today()
    century = 2000 if (year + 2000 <= today.year + (50 if future else 0)) else 1900
    return date(century + year, month, day)


class MrzError(ValueError):
    """The MRZ is malformed or one of its check digits is wrong."""


_MRZ_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")


def _check_charset(mrz: str) -> None:
    if not set(mrz) <= _MRZ_CHARS:
        raise MrzError("the MRZ holds characters other than A-Z, 0-9 and '<'")


def readable_name(mrz_name: str) -> str:
    """`NGUYEN<<THI<MINH<ANH` -> `NGUYEN THI MINH ANH`: the primary then the secondary identifier."""
    return " ".join(mrz_name.replace("<", " ").split())


def parse_td1(text: str) -> Td1:
    """A TD1 MRZ (90 characters, with or without line breaks); every check digit is verified."""
    mrz = "".join(text.split())
    if len(mrz) != 90:
        raise MrzError(f"a TD1 MRZ has 90 characters, this one {len(mrz)}")
    _check_charset(mrz)
    line1, line2, line3 = mrz[0:30], mrz[30:60], mrz[60:90]
    checks = (
        (line1[5:14], line1[14]),
        (line2[0:6], line2[6]),
        (line2[8:14], line2[14]),
        (line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29], line2[29]),
    )
    try:
        for field, digit in checks:
            if check_digit(field) != digit:
                raise MrzError("an MRZ check digit is wrong")
        return Td1(
            document_code=line1[0:2].rstrip("<"),
            issuing_state=line1[2:5],
            document_number=line1[5:14].rstrip("<"),
            optional_1=line1[15:30].rstrip("<"),
            date_of_birth=_mrz_date(line2[0:6], future=False),
            sex=line2[7],
            date_of_expiry=_mrz_date(line2[8:14], future=True),
            nationality=line2[15:18],
            optional_2=line2[18:29].rstrip("<"),
            name=line3.rstrip("<"),
        )
    except ValueError as exc:
        if isinstance(exc, MrzError):
            raise
        raise MrzError(f"malformed MRZ: {exc}") from None


@dataclass(frozen=True)
class Td3:
    """The fields of a TD3 MRZ (a passport's two lines of 44). ``personal_number`` is the optional data
    of line 2 (a national ID number on some passports)."""

    document_code: str
    issuing_state: str
    document_number: str
    date_of_birth: date
    sex: str  # "M", "F" or "<"
    date_of_expiry: date
    nationality: str
    personal_number: str
    name: str  # "SURNAME<<GIVEN<NAMES"

    def lines(self) -> tuple[str, str]:
        """The two lines, every check digit computed (ICAO 9303 part 4 section 4.2.2)."""
        line1 = (self.document_code.ljust(2, "<") + self.issuing_state + self.name).ljust(44, "<")[:44]
        number = self.document_number.ljust(9, "<")[:9]
        birth, expiry = yymmdd(self.date_of_birth), yymmdd(self.date_of_expiry)
        personal = self.personal_number.ljust(14, "<")[:14]
        personal_check = check_digit(personal) if self.personal_number else "<"
        line2 = (
            number
            + check_digit(number)
            + self.nationality
            + birth
            + check_digit(birth)
            + self.sex
            + expiry
            + check_digit(expiry)
            + personal
            + personal_check
        )
        composite = line2[0:10] + line2[13:20] + line2[21:43]
        return line1, line2 + check_digit(composite)

    def text(self) -> str:
        return "".join(self.lines())

    def __repr__(self) -> str:  # never a name or a number in a log
        return f"{type(self).__name__}({self.document_code}, {self.issuing_state}, number ***{self.document_number[-3:]})"


def parse_td3(text: str) -> Td3:
    """A TD3 MRZ (88 characters, with or without line breaks); every check digit is verified. An empty
    personal number may carry '<' or '0' as its check digit."""
    mrz = "".join(text.split())
    if len(mrz) != 88:
        raise MrzError(f"a TD3 MRZ has 88 characters, this one {len(mrz)}")
    _check_charset(mrz)
    line1, line2 = mrz[0:44], mrz[44:88]
    if line1[0] != "P":
        raise MrzError(f"a TD3 MRZ of a passport starts with 'P', this one with {line1[0]!r}")
    personal, personal_check = line2[28:42], line2[42]
    checks = [
        (line2[0:9], line2[9]),
        (line2[13:19], line2[19]),
        (line2[21:27], line2[27]),
        (line2[0:10] + line2[13:20] + line2[21:43], line2[43]),
    ]
    if not (personal.strip("<") == "" and personal_check in "<0"):
        checks.append((personal, personal_check))
    try:
        for field, digit in checks:
            if check_digit(field) != digit:
                raise MrzError("an MRZ check digit is wrong")
        return Td3(
            document_code=line1[0:2].rstrip("<"),
            issuing_state=line1[2:5],
            document_number=line2[0:9].rstrip("<"),
            date_of_birth=_mrz_date(line2[13:19], future=False),
            sex=line2[20],
            date_of_expiry=_mrz_date(line2[21:27], future=True),
            nationality=line2[10:13],
            personal_number=personal.rstrip("<"),
            name=line1[5:44].rstrip("<"),
        )
    except ValueError as exc:
        if isinstance(exc, MrzError):
            raise
        raise MrzError(f"malformed MRZ: {exc}") from None


def parse_mrz(text: str) -> Td1 | Td3:
    """DG1's MRZ by its length: TD1 (90 characters) or TD3 (88). TD2 (72) is refused by name."""
    mrz = "".join(text.split())
    if len(mrz) == 90:
        return parse_td1(mrz)
    if len(mrz) == 88:
        return parse_td3(mrz)
    if len(mrz) == 72:
        raise MrzError("a TD2 MRZ (2x36, a visa or an older ID card) is not supported")
    raise MrzError(f"an MRZ has 90 (TD1) or 88 (TD3) characters, this one {len(mrz)}")
