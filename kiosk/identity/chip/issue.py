"""Personalise a simulated chip for a citizen, as the issuing authority would: the data groups from the
card's fields and portrait, EF.COM, and the SOD signed by a Document Signer under a (test) CSCA.

``tamper`` makes the chips the tests need: ``dg1`` alters the MRZ after signing (the hash no longer
matches), ``clone`` keeps DG15 (and DG14) but gives the chip different Active and Chip Authentication keys
of the same kind (a copied chip). ``aa_key`` chooses the Active Authentication key: an ECDSA P-256 key by
default, or an RSA key signing with ISO/IEC 9796-2 (``ChipAaKey.generate("rsa", "sha1")``); an ECDSA key
whose hash is not SHA-256 is named in DG14's ActiveAuthenticationInfo, as Doc 9303 part 11 wants.
``withhold`` leaves signed data groups off the chip (a copy hiding DG15 from Active Authentication);
``dg13=False`` issues a CCCD chip without DG13. A Document Signer from a rogue CSCA is a matter of the
``pki`` passed in. :func:`issue_passport` personalises a passport's chip (TD3 MRZ) the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import cv2
import numpy as np
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from kiosk.identity.cccd import SEX_FEMALE, CardData
from kiosk.identity.chip.aa import ChipAaKey, build_aa_info
from kiosk.identity.chip.applet import VirtualChip
from kiosk.identity.chip.ca import DG14_TAG, build_dg14
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
from kiosk.identity.chip.tlv import tlv

TAMPERS = ("dg1", "clone")
PORTRAIT_SIZE = (360, 480)  # width, height: a chip portrait is small (ICAO 9303 part 9: ~15-20 KB)


@dataclass(frozen=True)
class ChipImage:
    """What is written on a chip: its files and keys."""

    files: dict[int, bytes]
    bac_key: BacKey
    aa_key: ChipAaKey | None
    pace: bool = False
    ca_key: ec.EllipticCurvePrivateKey | None = None

    def __repr__(self) -> str:  # the files hold a citizen's data
        return f"ChipImage(files={sorted(self.files)}, pace={self.pace})"

    def chip(self) -> VirtualChip:
        return VirtualChip(self.files, self.bac_key, aa_key=self.aa_key, pace=self.pace, ca_key=self.ca_key)


def _aa_key(active_authentication: bool, given: ChipAaKey | None) -> ChipAaKey | None:
    if not active_authentication:
        return None
    return given or ChipAaKey.generate("ecdsa")


def _other_key(key: ChipAaKey) -> ChipAaKey:
    """A copier's own key of the same kind, size and hash (the copy cannot have the chip's)."""
    if isinstance(key.key, rsa.RSAPrivateKey):
        return ChipAaKey.generate("rsa", key.hash_name, bits=key.key.key_size)
    return ChipAaKey.generate("ecdsa", key.hash_name)


def _security_groups(aa_key: ChipAaKey | None, ca_key: ec.EllipticCurvePrivateKey | None) -> dict[int, bytes]:
    """DG15 (the Active Authentication key) and DG14 (the Chip Authentication key, and the hash of an
    ECDSA Active Authentication key when it is not SHA-256)."""
    groups: dict[int, bytes] = {}
    aa_info = b""
    if aa_key is not None:
        groups[15] = build_dg15(aa_key.public_key_info())
        if isinstance(aa_key.key, ec.EllipticCurvePrivateKey) and (
            ca_key is not None or aa_key.hash_name != "sha256"
        ):
            aa_info = build_aa_info(aa_key.hash_name)
    if ca_key is not None:
        groups[14] = build_dg14(ca_key.public_key(), aa_info)
    elif aa_info:
        groups[14] = tlv(DG14_TAG, tlv(0x31, aa_info))
    return groups


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
    aa_key: ChipAaKey | None = None,
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
    aa_key = _aa_key(active_authentication, aa_key)
    ca_key = ec.generate_private_key(ec.SECP256R1()) if chip_authentication else None
    groups.update(_security_groups(aa_key, ca_key))
    sod = build_sod(groups, pki.ds_key, pki.ds)
    if tamper == "dg1":
        line1, line2, _ = td1.lines()
        groups[1] = build_dg1(line1 + line2 + mrz_name("TRẦN VĂN GIẢ").ljust(30, "<"))
    if tamper == "clone":  # the data copied, the private keys not: new ones
        aa_key = _other_key(aa_key) if aa_key is not None else None
        ca_key = ec.generate_private_key(ec.SECP256R1()) if ca_key is not None else None
    given = {n: raw for n, raw in groups.items() if n not in withhold}
    files = {DG_FIDS[n]: raw for n, raw in given.items()}
    files[FID_COM] = build_com(sorted(given))
    files[FID_SOD] = sod
    return ChipImage(files, BacKey(number, card.date_of_birth, expiry), aa_key, pace, ca_key)


def issue_passport(
    td3: Td3,
    portrait: np.ndarray,
    pki: ChipPki,
    *,
    active_authentication: bool = True,
    aa_key: ChipAaKey | None = None,
) -> ChipImage:
    """A passport's chip: DG1 with the TD3 MRZ, DG2, DG15 when ``active_authentication`` (``aa_key``, or
    a new ECDSA key), signed by the Document Signer of ``pki``. Its BAC key is the MRZ's document number,
    birth and expiry dates."""
    jpeg, width, height = portrait_jpeg(portrait)
    groups = {1: build_dg1(td3.text()), 2: build_dg2(jpeg, width, height)}
    aa_key = _aa_key(active_authentication, aa_key)
    groups.update(_security_groups(aa_key, None))
    files = {DG_FIDS[n]: raw for n, raw in groups.items()}
    files[FID_COM] = build_com(sorted(groups))
    files[FID_SOD] = build_sod(groups, pki.ds_key, pki.ds)
    return ChipImage(files, BacKey(td3.document_number, td3.date_of_birth, td3.date_of_expiry), aa_key)
