"""The citizen's identity from the chip: read, passive authentication, the fields, the portrait, and the
cross-check against the card's QR (and so the printed fields, which the QR was already checked against).

:func:`read_identity` is what the visit and ``kiosk id chip`` call. It never ends in a traceback: what
goes wrong is a ChipError reason (``dg1_malformed``, ``chip_read_failed``...) or a ChipRefused one.

The chip may be a CCCD with DG13 (the full Vietnamese data: :attr:`ChipIdentity.card`), a CCCD without
DG13 (``dg13: absent``: the holder from DG1's MRZ, no issue date or address), or a passport (TD3) or
another country's ID card (``dg13: not_applicable``): see :mod:`kiosk.identity.chip.holder`.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

import cv2
import numpy as np
from cryptography import x509
from PIL import Image

from drivers.chip_reader import ChipReader
from drivers.errors import DeviceError
from kiosk.identity.cccd import SEX_FEMALE, SEX_MALE, CardData, validate_id_number
from kiosk.identity.chip import aa
from kiosk.identity.chip.errors import ANTI_CLONING_REFUSALS, ChipError, ChipRefused, chip_error
from kiosk.identity.chip.holder import (
    DG13_ABSENT,
    DG13_NOT_APPLICABLE,
    DG13_PRESENT,
    DOCUMENT_CCCD,
    ChipHolder,
    cross_check,
    document_type_of,
    holder_from_card,
    holder_from_mrz,
)
from kiosk.identity.chip.lds import Dg13, FaceImage, LdsError, parse_dg1, parse_dg2, parse_dg13
from kiosk.identity.chip.mrz import (
    BacKey,
    MrzError,
    Td1,
    Td3,
    document_number_for,
    milestone_expiry,
    parse_mrz,
)
from kiosk.identity.chip.reader import MAX_CHUNK, ChipRead, read_chip
from kiosk.identity.chip.sod import REASONS as PASSIVE_REASONS
from kiosk.identity.chip.sod import PassiveAuthentication, passive_authentication
from kiosk.identity.errors import CardError

__all__ = ["ChipIdentity", "bac_key_for", "cross_check", "read_identity"]

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
    """What the chip says, and whether it can be trusted. ``repr`` names no personal field.

    ``holder`` is who the chip says the holder is, for any document; ``card`` the CCCD's full data, only
    when DG13 was read (``dg13`` "present"); ``mrz`` is DG1's TD1 or TD3."""

    holder: ChipHolder
    card: CardData | None
    mrz: Td1 | Td3
    dg13: Dg13 | None
    dg13_status: str
    portrait: FaceImage | None
    passive: PassiveAuthentication
    chip_authentication: str
    read: ChipRead

    @property
    def trusted(self) -> bool:
        """Passive authentication passed, and no anti-cloning check the chip offers failed or could not
        be run: Chip Authentication (DG14) and Active Authentication (DG15) each ``valid`` or
        ``not_offered``. A DG15 key the kiosk cannot verify (``not_supported``) is not trusted: a copy of
        such a chip would pass otherwise."""
        return self.passive.valid and not self.refusal

    @property
    def chip_authentication_methods(self) -> list[str]:
        """Which anti-cloning checks ran: ``chip_authentication`` (DG14), ``active_authentication`` (DG15)."""
        ran = [("chip_authentication", self.read.chip_authentication)]
        ran.append(("active_authentication", self.read.active_authentication))
        return [name for name, verdict in ran if verdict != aa.NOT_OFFERED]

    def refuse(self) -> None:
        """Raise ChipRefused unless the chip is trusted."""
        reason = self.refusal
        if not reason:
            return
        if reason in ANTI_CLONING_REFUSALS:
            detail = self.read.active_authentication_detail if reason.startswith("aa_") else ""
            message = ANTI_CLONING_REFUSALS[reason]
            raise ChipRefused(message, reason=reason, detail=aa.DETAILS.get(detail, detail) or message)
        raise ChipRefused(PASSIVE_REASONS.get(reason, reason), reason=reason, detail=self.passive.detail)

    @property
    def refusal(self) -> str:
        """The machine reason the chip is refused ("" when trusted): passive authentication's reason first,
        then ``chip_authentication_failed``, ``aa_failed`` or ``aa_unsupported``."""
        if not self.passive.valid:
            return self.passive.status
        if self.read.chip_authentication not in (aa.VALID, aa.NOT_OFFERED):
            return "chip_authentication_failed"
        if self.read.active_authentication == aa.NOT_SUPPORTED:
            return "aa_unsupported"
        if self.read.active_authentication not in (aa.VALID, aa.NOT_OFFERED):
            return "aa_failed"
        return ""

    @property
    def flags(self) -> list[str]:
        """What a post-check should know: ``dg13_absent`` (a CCCD chip without Vietnam's data group)."""
        return ["dg13_absent"] if self.dg13_status == DG13_ABSENT else []

    def portrait_bgr(self) -> np.ndarray | None:
        """The DG2 portrait decoded (in memory only), or None (no portrait, or one that cannot be decoded)."""
        if self.portrait is None:
            return None
        image = cv2.imdecode(np.frombuffer(self.portrait.image, np.uint8), cv2.IMREAD_COLOR)
        if image is None and self.portrait.mime == "image/jp2":
            try:
                with Image.open(io.BytesIO(self.portrait.image)) as pil:
                    image = cv2.cvtColor(np.asarray(pil.convert("RGB")), cv2.COLOR_RGB2BGR)
            except (OSError, ValueError, SyntaxError):  # PIL's errors for an image it cannot decode
                return None
        return image

    def to_json(self) -> dict[str, Any]:
        payload = self.holder.to_json()
        payload.update(
            {
                "dg13": self.dg13_status,
                "flags": self.flags,
                "passive_authentication": self.passive.status,
                "passive_authentication_detail": self.passive.detail,
                "signature_algorithm": self.passive.signature_algorithm or None,
                "chip_authentication": self.chip_authentication,
                "active_authentication": self.read.active_authentication,
                "active_authentication_detail": self.read.active_authentication_detail or None,
                "active_authentication_algorithm": self.read.active_authentication_algorithm or None,
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
    """A CCCD's data from its DG13 (and DG1 where DG13 leaves a field out)."""
    values = dg13.values
    issue_date = dg13.date("issue_date")
    try:
        if not values.get("full_name") or issue_date is None:
            raise ValueError("DG13 gives no name or no issue date")
        card = CardData(
            id_number=values.get("id_number") or mrz.optional_1,
            old_id=values.get("old_id") or None,
            full_name=values["full_name"],
            date_of_birth=dg13.date("date_of_birth") or mrz.date_of_birth,
            sex=_sex(mrz.sex, values.get("sex", "")),
            address=values.get("address", ""),
            issue_date=issue_date,
        )
        validate_id_number(card.id_number, card.date_of_birth, card.sex)
    except (ValueError, CardError) as exc:
        raise chip_error("chip_malformed", f"DG13: {exc}") from None
    # The MRZ (DG1) and DG13 are both signed, but a chip whose two parts disagree is not a CCCD's.
    if document_number_for(card.id_number) != mrz.document_number or card.date_of_birth != mrz.date_of_birth:
        raise chip_error("chip_inconsistent", "DG1's document number or date of birth is not DG13's")
    return card


# The data groups the kiosk reads or relies on: one the SOD lists that the chip does not give is withheld
# (a copy hiding DG15 or DG14 to dodge the anti-cloning check, or DG2 to have the printed face used).
_RELIED_ON = (1, 2, 13, 14, 15)


def _withheld(passive: PassiveAuthentication, read: ChipRead) -> PassiveAuthentication:
    missing = [n for n in _RELIED_ON if n in passive.sod_groups and n not in read.groups]
    if not passive.valid or not missing:
        return passive
    names = ", ".join(f"DG{n}" for n in missing)
    return PassiveAuthentication(
        "dg_withheld",
        f"the SOD lists {names} but the chip does not give it",
        passive.signer,
        passive.hash_algorithm,
        passive.signature_algorithm,
        passive.sod_groups,
    )


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
    that fails it is still returned (with the reason), so the caller refuses it and logs why.

    Raises ChipError or ChipRefused with a reason, or a DeviceError of the reader; anything else that
    goes wrong inside the read (a chip's answer no parser foresaw) is ChipError ``chip_read_failed``."""
    try:
        return _read_identity(reader, key, cscas, time_limit_s=time_limit_s, wait_s=wait_s, chunk=chunk)
    except (ChipError, ChipRefused, DeviceError):
        raise
    except Exception as exc:  # the chip is hostile input: never a traceback, always a reason
        where = exc.__traceback__
        while where is not None and where.tb_next is not None:
            where = where.tb_next
        place = f"{where.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{where.tb_lineno}" if where else "?"
        log.warning("chip read failed unexpectedly: %s at %s", type(exc).__name__, place)
        raise chip_error("chip_read_failed", f"{type(exc).__name__} at {place}") from None


def _read_identity(
    reader: ChipReader,
    key: BacKey,
    cscas: list[x509.Certificate],
    *,
    time_limit_s: float,
    wait_s: float,
    chunk: int,
) -> ChipIdentity:
    read = read_chip(
        reader, key, data_groups=(1, 2, 13), time_limit_s=time_limit_s, wait_s=wait_s, chunk=chunk
    )
    passive = _withheld(passive_authentication(read.sod, read.groups, cscas), read)
    try:
        identity = _identity_of(read, passive)
    except ChipError as exc:
        if not passive.valid:  # an altered data group may not even parse: the signature check says why
            raise ChipRefused(
                passive.message(), reason=passive.status, detail=f"{passive.detail}; {exc.detail}"
            ) from None
        raise
    log.info(
        "chip read: %s, %d APDUs in %.2f s, passive authentication %s, chip authentication %s, DG13 %s",
        identity.holder.document_type,
        read.apdus,
        read.seconds,
        passive.status,
        identity.chip_authentication,
        identity.dg13_status,
    )
    return identity


def _parse(reason: str, parse: Any, raw: bytes) -> Any:
    try:
        return parse(raw)
    except (LdsError, MrzError) as exc:
        raise chip_error(reason, str(exc)) from None


def _identity_of(read: ChipRead, passive: PassiveAuthentication) -> ChipIdentity:
    mrz: Td1 | Td3 = _parse("dg1_malformed", lambda raw: parse_mrz(parse_dg1(raw)), read.groups[1])
    if 2 not in read.groups:
        raise chip_error("dg2_absent")
    portrait: FaceImage = _parse("dg2_malformed", parse_dg2, read.groups[2])
    card: CardData | None = None
    dg13: Dg13 | None = None
    if document_type_of(mrz) != DOCUMENT_CCCD:
        status = DG13_NOT_APPLICABLE  # another country's DG13 (if any) is hashed, not read as Vietnam's
        holder = holder_from_mrz(mrz)
    elif 13 in read.groups:
        assert isinstance(mrz, Td1)
        status = DG13_PRESENT
        dg13 = _parse("dg13_malformed", parse_dg13, read.groups[13])
        card = _card_from_chip(mrz, dg13)
        expiry = dg13.date("expiry_date")
        holder = holder_from_card(card, mrz, expiry, dg13.values.get("nationality", ""))
    else:
        status = DG13_ABSENT
        holder = holder_from_mrz(mrz)
    return ChipIdentity(holder, card, mrz, dg13, status, portrait, passive, _anti_cloning(read), read)


def _anti_cloning(read: ChipRead) -> str:
    """One verdict over Chip and Active Authentication: failed if either failed, not_supported if one
    could not be verified, valid if one passed (and none of the above), else not_offered."""
    verdicts = (read.chip_authentication, read.active_authentication)
    for verdict in (aa.FAILED, aa.NOT_SUPPORTED, aa.VALID):
        if verdict in verdicts:
            return verdict
    return aa.NOT_OFFERED
