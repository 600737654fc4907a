"""Personalise a simulated chip for a citizen, as the issuing authority would: the data groups from the
card's fields and portrait, EF.COM, and the SOD signed by a Document Signer under a (test) CSCA.

``tamper`` makes the chips the tests need: ``dg1`` alters the MRZ after signing (the hash no longer
matches), ``clone`` keeps DG15 but gives the chip a different Active Authentication key (a copied chip).
``withhold`` leaves signed data groups off the chip (a copy hiding DG15 from Active Authentication);
``dg13=False`` issues a CCCD chip without DG13. A Document Signer from a rogue CSCA is a matter of the
``pki`` passed in. :func:`issue_passport` personalises a passport's chip (TD3 MRZ) the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import cv2
import numpy as np
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from kiosk.identity.cccd import SEX_FEMALE, CardData
from kiosk.identity.chip.applet import VirtualChip
from kiosk.identity.chip.lds import (
    DG_FIDS,
    FID_COM,
    FID_SOD,
    build_com,
    build_dg1,
    build_dg2,
    build_dg13,
    build_dg15,
)
from kiosk.identity.chip.mrz import BacKey, Td1, Td3, document_number_for, milestone_expiry, mrz_name
from kiosk.identity.chip.pki import ChipPki
from kiosk.identity.chip.sod import build_sod

TAMPERS = ("dg1", "clone")
PORTRAIT_SIZE = (360, 480)  # width, height: a chip portrait is small (ICAO 9303 part 9: ~15-20 KB)


@dataclass(frozen=True)
class ChipImage:
    """What is written on a chip: its files and keys."""

    files: dict[int, bytes]
    bac_key: BacKey
    aa_key: ec.EllipticCurvePrivateKey | None
    pace: bool = False
    ca_key: ec.EllipticCurvePrivateKey | None = None

    def __repr__(self) -> str:  # the files hold a citizen's data
        return f"ChipImage(files={sorted(self.files)}, pace={self.pace})"

    def chip(self) -> VirtualChip:
        return VirtualChip(self.files, self.bac_key, aa_key=self.aa_key, pace=self.pace, ca_key=self.ca_key)


def portrait_jpeg(portrait: np.ndarray, *, quality: int = 85) -> tuple[bytes, int, int]:
    """The portrait as a chip holds it: scaled to 360x480 (cover), JPEG."""
    h, w = portrait.shape[:2]
    target_w, target_h = PORTRAIT_SIZE
    scale = max(target_w / w, target_h / h)
    resized = cv2.resize(portrait, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    top = (resized.shape[0] - target_h) // 2
    left = (resized.shape[1] - target_w) // 2
    cropped = np.ascontiguousarray(resized[top : top + target_h, left : left + target_w])
    ok, encoded = cv2.imencode(".jpg", cropped, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("cannot encode the portrait as JPEG")
    return encoded.tobytes(), target_w, target_h


def issue_chip(
    card: CardData,
    portrait: np.ndarray,
    pki: ChipPki,
    *,
    expiry: date | None = None,
    active_authentication: bool = True,
    pace: bool = False,
    chip_authentication: bool = False,
    tamper: str | None = None,
    home_town: str = "Hà Nội",
    parents: tuple[str, str] = ("", ""),
    dg13: bool = True,
    withhold: tuple[int, ...] = (),
) -> ChipImage:
    if tamper is not None and tamper not in TAMPERS:
        raise ValueError(f"unknown tamper {tamper!r}; known: {', '.join(TAMPERS)}")
    expiry = expiry or milestone_expiry(card.date_of_birth, card.issue_date) or date(9999, 12, 31)
    number = document_number_for(card.id_number)
    td1 = Td1(
        document_code="ID",
        issuing_state="VNM",
        document_number=number,
        optional_1=card.id_number,
        date_of_birth=card.date_of_birth,
        sex="F" if card.sex == SEX_FEMALE else "M",
        date_of_expiry=expiry,
        nationality="VNM",
        optional_2="",
        name=mrz_name(card.full_name),
    )
    jpeg, width, height = portrait_jpeg(portrait)
    values = {
        "id_number": card.id_number,
        "full_name": card.full_name,
        "date_of_birth": card.date_of_birth.isoformat(),
        "sex": card.sex,
        "nationality": "Việt Nam",
        "ethnicity": "Kinh",
        "religion": "Không",
        "home_town": home_town,
        "address": card.address,
        "identifying_features": "Nốt ruồi C:1cm dưới trước đuôi mắt trái",
        "issue_date": card.issue_date.isoformat(),
        "expiry_date": expiry.isoformat() if expiry.year < 9999 else "",
    }
    if card.old_id:
        values["old_id"] = card.old_id
    groups = {1: build_dg1(td1.text()), 2: build_dg2(jpeg, width, height)}
    if dg13:
        groups[13] = build_dg13(values, parents)
    aa_key = ec.generate_private_key(ec.SECP256R1()) if active_authentication else None
    if aa_key is not None:
        spki = aa_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        groups[15] = build_dg15(spki)
    ca_key = ec.generate_private_key(ec.SECP256R1()) if chip_authentication else None
    if ca_key is not None:
        from kiosk.identity.chip.ca import build_dg14

        groups[14] = build_dg14(ca_key.public_key())
    sod = build_sod(groups, pki.ds_key, pki.ds)
    if tamper == "dg1":
        line1, line2, _ = td1.lines()
        groups[1] = build_dg1(line1 + line2 + mrz_name("TRẦN VĂN GIẢ").ljust(30, "<"))
    if tamper == "clone":  # the data copied, the private keys not: new ones
        aa_key = ec.generate_private_key(ec.SECP256R1()) if aa_key is not None else None
        ca_key = ec.generate_private_key(ec.SECP256R1()) if ca_key is not None else None
    given = {n: raw for n, raw in groups.items() if n not in withhold}
    files = {DG_FIDS[n]: raw for n, raw in given.items()}
    files[FID_COM] = build_com(sorted(given))
    files[FID_SOD] = sod
    return ChipImage(files, BacKey(number, card.date_of_birth, expiry), aa_key, pace, ca_key)


def issue_passport(
    td3: Td3, portrait: np.ndarray, pki: ChipPki, *, active_authentication: bool = True
) -> ChipImage:
    """A passport's chip: DG1 with the TD3 MRZ, DG2, DG15 when ``active_authentication``, signed by the
    Document Signer of ``pki``. Its BAC key is the MRZ's document number, birth and expiry dates."""
    jpeg, width, height = portrait_jpeg(portrait)
    groups = {1: build_dg1(td3.text()), 2: build_dg2(jpeg, width, height)}
    aa_key = ec.generate_private_key(ec.SECP256R1()) if active_authentication else None
    if aa_key is not None:
        spki = aa_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        groups[15] = build_dg15(spki)
    files = {DG_FIDS[n]: raw for n, raw in groups.items()}
    files[FID_COM] = build_com(sorted(groups))
    files[FID_SOD] = build_sod(groups, pki.ds_key, pki.ds)
    return ChipImage(files, BacKey(td3.document_number, td3.date_of_birth, td3.date_of_expiry), aa_key)
