"""Who the chip says its holder is, whatever the document: a CCCD with DG13 (Vietnam's full data), a CCCD
without DG13 (the MRZ of DG1 only), a passport (TD3) or another country's ID card (TD1).

The MRZ gives the document number, the name (without accents, in the MRZ's alphabet, perhaps truncated),
the nationality, the date of birth, the sex and the expiry; only DG13 gives the issue date, the address
and the name as written. What the chip does not say is None, never an empty string or a default date.

:func:`cross_check` compares a chip holder with the card's QR field by field, on what both say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from kiosk.identity.cccd import SEX_FEMALE, SEX_MALE, CardData, strip_accents, validate_id_number
from kiosk.identity.chip.errors import chip_error
from kiosk.identity.chip.mrz import Td1, Td3, document_number_for, mrz_name, readable_name
from kiosk.identity.errors import CardError
from kiosk.runtime.logs import mask_id

DOCUMENT_CCCD, DOCUMENT_PASSPORT, DOCUMENT_ID_CARD = "cccd", "passport", "id_card"
NAME_FROM_DG13, NAME_FROM_MRZ = "dg13", "mrz"
# DG13 on the chip: read ("present"), not on a CCCD's chip ("absent"), or not a Vietnamese document's, so
# not read as Vietnam's (another country's DG13 means something else): "not_applicable".
DG13_PRESENT, DG13_ABSENT, DG13_NOT_APPLICABLE = "present", "absent", "not_applicable"
_NAME_FIELD = {DOCUMENT_PASSPORT: 39, DOCUMENT_CCCD: 30, DOCUMENT_ID_CARD: 30}


@dataclass(frozen=True, repr=False)
class ChipHolder:
    """The holder as the chip gives them. ``repr`` names no personal field."""

    document_type: str  # cccd, passport, id_card
    document_number: str
    issuing_state: str  # ICAO code: VNM, UTO...
    nationality: str  # ICAO code from the MRZ (VNM, D, UTO...)
    id_number: str | None  # the 12-digit Vietnamese ID number, when the chip gives one
    full_name: str
    name_source: str  # dg13 (as written, with accents) or mrz (A-Z, maybe truncated)
    mrz_name: str  # "SURNAME<<GIVEN<NAMES" as DG1 holds it
    date_of_birth: date
    sex: str | None  # SEX_MALE / SEX_FEMALE; None when the MRZ leaves it unspecified
    date_of_expiry: date | None
    issue_date: date | None = None  # DG13 only
    address: str | None = None  # DG13 only
    old_id: str | None = None  # DG13 only
    personal_number: str | None = None  # a passport's optional data

    @property
    def name_truncated(self) -> bool:
        """The MRZ name fills its field: the name may have been cut (ICAO 9303 part 3 section 4.6)."""
        return len(self.mrz_name) >= _NAME_FIELD.get(self.document_type, 30)

    def masked_id(self) -> str:
        return mask_id(self.id_number) if self.id_number else mask_id(self.document_number)

    def to_json(self) -> dict[str, Any]:
        return {
            "document_type": self.document_type,
            "id_number": self.id_number,
            "old_id": self.old_id,
            "full_name": self.full_name,
            "name_source": self.name_source,
            "date_of_birth": self.date_of_birth.isoformat(),
            "sex": self.sex,
            "address": self.address,
            "issue_date": self.issue_date.isoformat() if self.issue_date else None,
            "expiry_date": self.date_of_expiry.isoformat() if self.date_of_expiry else None,
            "document_number": self.document_number,
            "issuing_state": self.issuing_state,
            "nationality": self.nationality,
            "personal_number": self.personal_number,
        }

    @classmethod
    def from_card(cls, card: CardData) -> ChipHolder:
        """A CCCD's full data (DG13 read, or the QR), as a holder."""
        return cls(
            document_type=DOCUMENT_CCCD,
            document_number=document_number_for(card.id_number),
            issuing_state="VNM",
            nationality="VNM",
            id_number=card.id_number,
            full_name=card.full_name,
            name_source=NAME_FROM_DG13,
            mrz_name=mrz_name(card.full_name),
            date_of_birth=card.date_of_birth,
            sex=card.sex,
            date_of_expiry=None,
            issue_date=card.issue_date,
            address=card.address,
            old_id=card.old_id,
        )

    def __repr__(self) -> str:
        return f"ChipHolder({self.document_type}, {self.masked_id()}, name from {self.name_source})"


def mrz_sex(code: str) -> str | None:
    return {"M": SEX_MALE, "F": SEX_FEMALE}.get(code)


def document_type_of(mrz: Td1 | Td3) -> str:
    if isinstance(mrz, Td3):
        return DOCUMENT_PASSPORT
    return DOCUMENT_CCCD if mrz.issuing_state == "VNM" else DOCUMENT_ID_CARD


def holder_from_mrz(mrz: Td1 | Td3) -> ChipHolder:
    """The holder from DG1 alone: a passport, another country's ID card, or a CCCD without DG13 (its ID
    number is the MRZ's optional data, checked against the document number, birth date and sex)."""
    kind = document_type_of(mrz)
    id_number: str | None = None
    if isinstance(mrz, Td1) and kind == DOCUMENT_CCCD and mrz.optional_1:
        id_number = mrz.optional_1
        if not re.fullmatch(r"\d{12}", id_number):
            raise chip_error("chip_malformed", "the MRZ's optional data is not a 12-digit ID number")
        if document_number_for(id_number) != mrz.document_number:
            raise chip_error("chip_inconsistent", "the MRZ's ID number does not end in its document number")
        sex = mrz_sex(mrz.sex)
        try:
            validate_id_number(id_number, mrz.date_of_birth, sex or "")
        except CardError as exc:
            raise chip_error("chip_inconsistent", f"the MRZ's ID number: {exc}") from None
    return ChipHolder(
        document_type=kind,
        document_number=mrz.document_number,
        issuing_state=mrz.issuing_state,
        nationality=mrz.nationality,
        id_number=id_number,
        full_name=readable_name(mrz.name),
        name_source=NAME_FROM_MRZ,
        mrz_name=mrz.name,
        date_of_birth=mrz.date_of_birth,
        sex=mrz_sex(mrz.sex),
        date_of_expiry=mrz.date_of_expiry,
        personal_number=(mrz.personal_number or None) if isinstance(mrz, Td3) else None,
    )


def holder_from_card(card: CardData, mrz: Td1, expiry: date | None, nationality: str) -> ChipHolder:
    """A CCCD holder from its DG13 (``card``) and DG1."""
    return ChipHolder(
        document_type=DOCUMENT_CCCD,
        document_number=mrz.document_number,
        issuing_state=mrz.issuing_state,
        nationality=nationality or mrz.nationality,
        id_number=card.id_number,
        full_name=card.full_name,
        name_source=NAME_FROM_DG13,
        mrz_name=mrz.name,
        date_of_birth=card.date_of_birth,
        sex=card.sex,
        date_of_expiry=expiry,
        issue_date=card.issue_date,
        address=card.address,
        old_id=card.old_id,
    )


def _name_key(name: str) -> str:
    return " ".join(strip_accents(name).upper().split())


def _names_agree(chip: ChipHolder, qr: CardData) -> bool:
    if chip.name_source == NAME_FROM_DG13:
        return _name_key(chip.full_name) == _name_key(qr.full_name)
    expected = mrz_name(qr.full_name)  # the QR's name as the issuer writes it in the MRZ
    if expected == chip.mrz_name:
        return True
    return chip.name_truncated and expected.startswith(chip.mrz_name.rstrip("<"))


def cross_check(chip: ChipHolder | CardData, qr: CardData) -> list[str]:
    """The fields on which the card's QR (and so its print) and the chip disagree, compared on what the
    chip says: without DG13 the name is the MRZ's (no accents, maybe cut) and there is no issue date."""
    holder = ChipHolder.from_card(chip) if isinstance(chip, CardData) else chip
    mismatches = []
    if holder.document_type != DOCUMENT_CCCD:
        mismatches.append("document_type")
    if holder.id_number is not None:
        if holder.id_number != qr.id_number:
            mismatches.append("id_number")
    elif holder.document_number != document_number_for(qr.id_number):
        mismatches.append("id_number")
    if not _names_agree(holder, qr):
        mismatches.append("full_name")
    if holder.date_of_birth != qr.date_of_birth:
        mismatches.append("date_of_birth")
    if holder.sex is not None and holder.sex != qr.sex:
        mismatches.append("sex")
    if holder.issue_date is not None and holder.issue_date != qr.issue_date:
        mismatches.append("issue_date")
    return mismatches
