"""The citizen's identity from the chip: read, passive authentication, the fields, the portrait, and the
cross-check against the card's QR (and so the printed fields, which the QR was already checked against).

:func:`read_identity` is what the visit and ``kiosk id chip`` call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from cryptography import x509

from drivers.chip_reader import ChipReader
from kiosk.identity.cccd import SEX_FEMALE, SEX_MALE, CardData, strip_accents, validate_id_number
from kiosk.identity.chip import aa
from kiosk.identity.chip.errors import ChipError, ChipRefused, chip_error
from kiosk.identity.chip.lds import Dg13, FaceImage, LdsError, parse_dg1, parse_dg2, parse_dg13
from kiosk.identity.chip.mrz import BacKey, MrzError, Td1, document_number_for, milestone_expiry, parse_td1
from kiosk.identity.chip.reader import MAX_CHUNK, ChipRead, read_chip
from kiosk.identity.chip.sod import PassiveAuthentication, passive_authentication
from kiosk.identity.errors import CardError

log = logging.getLogger(__name__)


def bac_key_for(card: CardData, *, expiry: date | None = None) -> BacKey:
    """The BAC key of ``card``'s chip from its QR fields; the expiry from the law's milestones unless
    given (from the MRZ on the back)."""
    expiry = expiry or milestone_expiry(card.date_of_birth, card.issue_date)
    if expiry is None:
        raise chip_error("bac_key_unknown", "holder past 60: the card has no expiry date to derive the key")
    return BacKey(document_number_for(card.id_number), card.date_of_birth, expiry)


@dataclass(frozen=True)
class ChipIdentity:
    """What the chip says, and whether it can be trusted. ``repr`` names no personal field."""

    card: CardData
    mrz: Td1
    dg13: Dg13
    portrait: FaceImage | None
    passive: PassiveAuthentication
    chip_authentication: str
    read: ChipRead

    @property
    def trusted(self) -> bool:
        """Passive authentication passed, and neither Chip nor Active Authentication failed."""
        return self.passive.valid and self.chip_authentication in (aa.VALID, aa.NOT_OFFERED, aa.NOT_SUPPORTED)

    @property
    def chip_authentication_methods(self) -> list[str]:
        """Which anti-cloning checks ran: ``chip_authentication`` (DG14), ``active_authentication`` (DG15)."""
        ran = [("chip_authentication", self.read.chip_authentication)]
        ran.append(("active_authentication", self.read.active_authentication))
        return [name for name, verdict in ran if verdict != aa.NOT_OFFERED]

    def refuse(self) -> None:
        """Raise ChipRefused unless the chip is trusted."""
        if self.refusal:
            from kiosk.identity.chip.sod import REASONS

            message = REASONS.get(self.refusal, "the chip failed Active Authentication: it may be a copy")
            raise ChipRefused(message, reason=self.refusal, detail=self.passive.detail)

    @property
    def refusal(self) -> str:
        """The machine reason the chip is refused ("" when trusted)."""
        if not self.passive.valid:
            return self.passive.status
        if not self.trusted:
            return "chip_authentication_failed"
        return ""

    def portrait_bgr(self) -> np.ndarray | None:
        """The DG2 portrait decoded (in memory only), or None."""
        if self.portrait is None:
            return None
        import cv2

        image = cv2.imdecode(np.frombuffer(self.portrait.image, np.uint8), cv2.IMREAD_COLOR)
        if image is None and self.portrait.mime == "image/jp2":
            import io

            from PIL import Image

            with Image.open(io.BytesIO(self.portrait.image)) as pil:
                image = cv2.cvtColor(np.asarray(pil.convert("RGB")), cv2.COLOR_RGB2BGR)
        return image

    def to_json(self) -> dict[str, Any]:
        payload = self.card.to_json()
        payload.update(
            {
                "expiry_date": self.dg13.values.get("expiry_date") or None,
                "nationality": self.dg13.values.get("nationality", ""),
                "document_number": self.mrz.document_number,
                "passive_authentication": self.passive.status,
                "passive_authentication_detail": self.passive.detail,
                "chip_authentication": self.chip_authentication,
                "access_control": self.read.access_control,
                "chip_authentication_method": "+".join(self.chip_authentication_methods) or None,
                "portrait": self.portrait.mime if self.portrait else None,
                "data_groups": sorted(self.read.groups),
                "apdus": self.read.apdus,
                "read_seconds": round(self.read.seconds, 3),
            }
        )
        return payload

    def __repr__(self) -> str:
        return f"ChipIdentity(passive={self.passive.status}, chip_authentication={self.chip_authentication})"


def _sex(mrz_sex: str, dg13_sex: str) -> str:
    if dg13_sex in (SEX_MALE, SEX_FEMALE):
        return dg13_sex
    return SEX_FEMALE if mrz_sex == "F" else SEX_MALE


def _card_from_chip(mrz: Td1, dg13: Dg13) -> CardData:
    values = dg13.values
    try:
        card = CardData(
            id_number=values.get("id_number") or mrz.optional_1,
            old_id=values.get("old_id") or None,
            full_name=values.get("full_name", ""),
            date_of_birth=dg13.date("date_of_birth") or mrz.date_of_birth,
            sex=_sex(mrz.sex, values.get("sex", "")),
            address=values.get("address", ""),
            issue_date=dg13.date("issue_date") or date.min,
        )
        validate_id_number(card.id_number, card.date_of_birth, card.sex)
    except (ValueError, CardError) as exc:
        raise chip_error("chip_malformed", f"DG13: {exc}") from None
    # The MRZ (DG1) and DG13 are both signed, but a chip whose two parts disagree is not a CCCD's.
    if document_number_for(card.id_number) != mrz.document_number or card.date_of_birth != mrz.date_of_birth:
        raise chip_error("chip_inconsistent", "DG1's document number or date of birth is not DG13's")
    return card


def read_identity(
    reader: ChipReader,
    key: BacKey,
    cscas: list[x509.Certificate],
    *,
    time_limit_s: float = 20.0,
    wait_s: float = 0.0,
    chunk: int = MAX_CHUNK,
) -> ChipIdentity:
    """Read and authenticate the chip. Passive authentication runs before any field is believed; a chip
    that fails it is still returned (with the reason), so the caller refuses it and logs why."""
    read = read_chip(
        reader, key, data_groups=(1, 2, 13), time_limit_s=time_limit_s, wait_s=wait_s, chunk=chunk
    )
    passive = passive_authentication(read.sod, read.groups, cscas)
    try:
        mrz = parse_td1(parse_dg1(read.groups[1]))
        dg13 = parse_dg13(read.groups[13]) if 13 in read.groups else Dg13()
        portrait = parse_dg2(read.groups[2]) if 2 in read.groups else None
    except (LdsError, MrzError) as exc:
        if not passive.valid:  # an altered data group may not even parse: the signature check says why
            raise ChipRefused(
                passive.message(), reason=passive.status, detail=f"{passive.detail}; {exc}"
            ) from None
        raise chip_error("chip_malformed", str(exc)) from None
    try:
        card = _card_from_chip(mrz, dg13)
    except ChipError as exc:
        if not passive.valid:
            raise ChipRefused(passive.message(), reason=passive.status, detail=passive.detail) from exc
        raise
    identity = ChipIdentity(card, mrz, dg13, portrait, passive, _anti_cloning(read), read)
    log.info(
        "chip read: %d APDUs in %.2f s, passive authentication %s, chip authentication %s",
        read.apdus,
        read.seconds,
        passive.status,
        identity.chip_authentication,
    )
    return identity


def _anti_cloning(read: ChipRead) -> str:
    """One verdict over Chip and Active Authentication: failed if either failed, valid if one passed."""
    verdicts = (read.chip_authentication, read.active_authentication)
    if aa.FAILED in verdicts:
        return aa.FAILED
    if aa.VALID in verdicts:
        return aa.VALID
    return aa.NOT_SUPPORTED if aa.NOT_SUPPORTED in verdicts else aa.NOT_OFFERED


def _name_key(name: str) -> str:
    return " ".join(strip_accents(name).upper().split())


def cross_check(chip: CardData, qr: CardData) -> list[str]:
    """The fields on which the card's QR (and so its print) and the chip's DG13 disagree."""
    mismatches = []
    if chip.id_number != qr.id_number:
        mismatches.append("id_number")
    if _name_key(chip.full_name) != _name_key(qr.full_name):
        mismatches.append("full_name")
    if chip.date_of_birth != qr.date_of_birth:
        mismatches.append("date_of_birth")
    if chip.sex != qr.sex:
        mismatches.append("sex")
    if chip.issue_date not in (date.min, qr.issue_date):
        mismatches.append("issue_date")
    return mismatches
