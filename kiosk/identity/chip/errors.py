"""The chip step's error: ``reason`` is a machine code the flow maps to a message and a way forward."""

from __future__ import annotations

from kiosk.errors import NegativeVerdict
from kiosk.identity.errors import IdentityError

REASONS = {
    "no_chip": "no chip answered on the reader: lay the card on the reader (a card without a chip is read "
    "from its QR)",
    "card_removed": "the card was moved away from the reader while it was read: lay it on the reader again "
    "and keep it still",
    "bac_failed": "the chip refused the access key: the card's number, date of birth or expiry does not fit "
    "this chip",
    "bac_key_unknown": "the card's expiry date is not known, so the chip's access key cannot be made: read "
    "the MRZ on the back",
    "pace_failed": "the chip refused the access key (PACE): the card's number, date of birth or expiry does "
    "not fit this chip",
    "secure_messaging": "the chip's secure channel broke down: lay the card on the reader again",
    "chip_timeout": "the chip did not finish answering in time: lay the card on the reader again",
    "chip_malformed": "the chip's data is not an ID card's or a passport's",
    "sod_malformed": "the chip's security object (EF.SOD) cannot be read",
    "chip_inconsistent": "the chip's MRZ and its Vietnamese data (DG13) disagree",
    "dg1_malformed": "the chip's MRZ (DG1) cannot be read",
    "dg2_malformed": "the chip's portrait (DG2) cannot be read",
    "dg2_absent": "the chip holds no portrait (DG2), which every ID card and passport chip holds",
    "dg13_malformed": "the chip's Vietnamese data (DG13) cannot be read",
    "chip_read_failed": "the chip's answers could not be understood: lay the card on the reader again, or "
    "call staff",
}


# Why a chip that passed passive authentication is still refused: the anti-cloning checks (ChipRefused).
ANTI_CLONING_REFUSALS = {
    "chip_authentication_failed": "the chip failed Chip Authentication: it may be a copy",
    "aa_failed": "the chip failed Active Authentication: its answer is not signed by the key in DG15, so it may "
    "be a copy",
    "aa_unsupported": "the chip's Active Authentication key (DG15) is of a kind the kiosk cannot verify, so "
    "the chip cannot be told from a copy",
}


class ChipError(IdentityError):
    """The chip could not be read, or what it holds cannot be used."""

    default_key = "error.chip"
    key_prefix = "error.chip"


def chip_error(reason: str, detail: str = "") -> ChipError:
    return ChipError(REASONS[reason], reason=reason, detail=detail or REASONS[reason])


class ChipRefused(NegativeVerdict):
    """The chip was read but is not to be believed: passive or active authentication failed. ``reason``
    is the failure (``dg_hash_mismatch``, ``ds_not_trusted``, ``chip_authentication_failed``, ``aa_failed``,
    ``aa_unsupported``...)."""

    default_key = "error.chip.refused"

    def __init__(self, message: str, *, reason: str, detail: str = "", subject: str = "") -> None:
        super().__init__(message, key=f"error.chip.{reason}", detail=detail, subject=subject)
        self.reason = reason
