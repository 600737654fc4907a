"""The document fields a seal carries: a small number for each common field name (so the QR stays small),
its kind (how a re-read of the paper is compared with it, ``signing.field_match``) and the label a checker
reads in ``kiosk verify``.

The names are the keys of ``ocr.doctypes`` key fields; a name not in the table is carried as text (kind
``text``). Numbers are part of the seal format: never renumber, only add.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldKind = Literal["name", "date", "number", "text", "sex", "year"]


@dataclass(frozen=True)
class SealField:
    number: int
    kind: FieldKind
    label: str  # English, upper case, as ``kiosk verify`` prints it


FIELDS: dict[str, SealField] = {
    "full_name": SealField(1, "name", "NAME"),
    "date_of_birth": SealField(2, "date", "DATE OF BIRTH"),
    "sex": SealField(3, "sex", "SEX"),
    "place_of_birth": SealField(4, "text", "PLACE OF BIRTH"),
    "mother_name": SealField(5, "name", "MOTHER"),
    "father_name": SealField(6, "name", "FATHER"),
    "document_number": SealField(7, "number", "NUMBER"),
    "issue_date": SealField(8, "date", "DATE"),
    "id_number": SealField(9, "number", "ID NUMBER"),
    "ethnicity": SealField(10, "text", "ETHNICITY"),
    "classification": SealField(11, "text", "CLASSIFICATION"),
    "graduation_year": SealField(12, "year", "YEAR"),
    "parcel_number": SealField(13, "number", "PARCEL"),
    "map_sheet": SealField(14, "number", "MAP SHEET"),
    "area": SealField(15, "number", "AREA"),
    "address": SealField(16, "text", "ADDRESS"),
    "husband_name": SealField(17, "name", "HUSBAND"),
    "husband_date_of_birth": SealField(18, "date", "HUSBAND BORN"),
    "husband_id_number": SealField(19, "number", "HUSBAND ID"),
    "wife_name": SealField(20, "name", "WIFE"),
    "wife_date_of_birth": SealField(21, "date", "WIFE BORN"),
    "wife_id_number": SealField(22, "number", "WIFE ID"),
    "permanent_address": SealField(23, "text", "PERMANENT ADDRESS"),
    "date_of_expiry": SealField(24, "date", "VALID UNTIL"),
    "name_1": SealField(25, "name", "NAME"),
    "name_2": SealField(26, "name", "NAME (2)"),
    "name_3": SealField(27, "name", "NAME (3)"),
    "issuing_authority": SealField(28, "text", "ISSUED BY"),
}
_BY_NUMBER = {f.number: name for name, f in FIELDS.items()}


def field_id(name: str) -> int | str:
    """What the seal stores for a field name: its number, or the name itself when it has none."""
    known = FIELDS.get(name)
    return known.number if known is not None else name


def field_name(stored: object) -> str | None:
    """The field name for what a seal stores (a number or a name); None when it is neither."""
    if isinstance(stored, int) and not isinstance(stored, bool):
        return _BY_NUMBER.get(stored)
    if isinstance(stored, str) and 0 < len(stored) <= 40 and stored.isidentifier():
        return stored
    return None


def field_kind(name: str) -> FieldKind:
    known = FIELDS.get(name)
    return known.kind if known is not None else "text"


def field_label(name: str) -> str:
    known = FIELDS.get(name)
    return known.label if known is not None else name.replace("_", " ").upper()
