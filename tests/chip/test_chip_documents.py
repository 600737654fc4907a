"""The documents a chip may be: a CCCD without DG13 (a flagged outcome, never empty fields and a default
date), a passport (TD3, ICAO 9303 part 4) for a foreign resident, and a chip that withholds a data group
its SOD lists. In process (the simulated reader), the visit's chip step, and `kiosk id chip` over pcscd."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import cv2
import pytest

from drivers.chip_reader import SimulatedChipReader
from kiosk.cli import main as kiosk_main
from kiosk.config import parse_config
from kiosk.identity.cccd import SEX_FEMALE, SEX_MALE, CardData
from kiosk.identity.chip import aa, lds
from kiosk.identity.chip.errors import ChipError, ChipRefused
from kiosk.identity.chip.holder import ChipHolder, holder_from_mrz
from kiosk.identity.chip.identity import bac_key_for, cross_check, read_identity
from kiosk.identity.chip.issue import issue_chip, issue_passport
from kiosk.identity.chip.kiosk_chip import check_chip
from kiosk.identity.chip.mrz import BacKey, MrzError, Td3, check_digit, parse_mrz, parse_td3
from kiosk.identity.chip.pki import ChipPki
from kiosk.identity.chip.vpicc import VirtualCard
from kiosk.samples.card import make_card_image
from tests.chip.conftest import wait_no_card

# ICAO 9303 part 4, appendix B: the specimen passport of Utopia.
SPECIMEN = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")


def _resident() -> Td3:
    """A foreign resident's passport, built here: every check digit computed from part 4's rules."""
    return Td3(
        document_code="P",
        issuing_state="KOR",
        document_number="M12345678",
        date_of_birth=date(1988, 11, 2),
        sex="M",
        date_of_expiry=date(2031, 6, 30),
        nationality="KOR",
        personal_number="",
        name="KIM<<MIN<JUN",
    )


# -- TD3 -----------------------------------------------------------------------------------------------
def test_td3_reads_the_icao_specimen() -> None:
    mrz = parse_td3("\n".join(SPECIMEN))
    assert (mrz.document_number, mrz.nationality, mrz.issuing_state) == ("L898902C3", "UTO", "UTO")
    assert (mrz.date_of_birth, mrz.sex, mrz.date_of_expiry) == (date(1974, 8, 12), "F", date(2012, 4, 15))
    assert (mrz.name, mrz.personal_number) == ("ERIKSSON<<ANNA<MARIA", "ZE184226B")
    assert mrz.lines() == SPECIMEN  # and builds it back, check digits and all
    assert "ERIKSSON" not in repr(mrz) and "L898902C3" not in repr(mrz)


@pytest.mark.parametrize(
    ("position", "what"), [(9, "number"), (19, "birth"), (27, "expiry"), (42, "personal"), (43, "composite")]
)
def test_td3_refuses_each_wrong_check_digit(position: int, what: str) -> None:
    line2 = SPECIMEN[1]
    wrong = str((int(line2[position]) + 1) % 10)
    with pytest.raises(MrzError, match="check digit"):
        parse_td3(SPECIMEN[0] + line2[:position] + wrong + line2[position + 1 :])


def test_td3_without_a_personal_number_and_other_lengths() -> None:
    resident = _resident()
    line1, line2 = resident.lines()
    assert len(line1) == len(line2) == 44 and line2[28:43] == "<" * 15
    assert line2[9] == check_digit("M12345678") and parse_mrz(resident.text()) == resident
    assert parse_td3(line1 + line2[:42] + "0" + line2[43:]) == resident  # '0' for an empty number too
    with pytest.raises(MrzError, match="TD2"):
        parse_mrz("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<" + "D231458907UTO7408122F1204159<<<<<<<6")
    with pytest.raises(MrzError, match="starts with 'P'"):
        parse_td3("V" + line1[1:] + line2)
    with pytest.raises(MrzError, match="characters other than"):
        parse_td3(line1.replace("KIM", "KİM") + line2)


def test_a_passport_chip_identifies_a_foreign_resident(citizen: CardData, portrait, pki: ChipPki) -> None:  # type: ignore[no-untyped-def]
    resident = _resident()
    image = issue_passport(resident, portrait, pki)
    reader = SimulatedChipReader(card=image.chip())
    identity = read_identity(reader, image.bac_key, [pki.csca])
    assert identity.trusted and identity.chip_authentication == aa.VALID
    assert identity.card is None and identity.dg13_status == "not_applicable" and identity.flags == []
    payload = identity.to_json()
    assert payload["document_type"] == "passport" and payload["document_number"] == "M12345678"
    assert (payload["full_name"], payload["name_source"]) == ("KIM MIN JUN", "mrz")
    assert (payload["nationality"], payload["issuing_state"]) == ("KOR", "KOR")
    assert (payload["date_of_birth"], payload["sex"], payload["expiry_date"]) == (
        "1988-11-02",
        SEX_MALE,
        "2031-06-30",
    )
    assert payload["issue_date"] is None and payload["address"] is None and payload["id_number"] is None
    # A passport is not a CCCD: its holder never passes for the card whose QR gave a key.
    assert "document_type" in cross_check(identity.holder, citizen)


def test_a_passport_chip_with_an_altered_mrz_is_refused(portrait, pki: ChipPki) -> None:  # type: ignore[no-untyped-def]
    resident = _resident()
    image = issue_passport(resident, portrait, pki)
    forged = dataclasses.replace(resident, nationality="VNM")  # another nationality, valid check digits
    files = {**image.files, lds.DG_FIDS[1]: lds.build_dg1(forged.text())}
    reader = SimulatedChipReader(card=dataclasses.replace(image, files=files).chip())
    identity = read_identity(reader, image.bac_key, [pki.csca])
    assert identity.refusal == "dg_hash_mismatch"


# -- a CCCD without DG13 ---------------------------------------------------------------------------------
def test_a_cccd_chip_without_dg13_is_a_flagged_outcome(citizen: CardData, portrait, pki: ChipPki) -> None:  # type: ignore[no-untyped-def]
    reader = SimulatedChipReader(card=issue_chip(citizen, portrait, pki, dg13=False).chip())
    identity = read_identity(reader, bac_key_for(citizen), [pki.csca])
    assert identity.trusted and identity.dg13_status == "absent" and identity.flags == ["dg13_absent"]
    assert identity.card is None and identity.dg13 is None
    holder = identity.holder
    assert (holder.full_name, holder.name_source) == ("NGUYEN THI MINH ANH", "mrz")
    assert holder.id_number == citizen.id_number  # the MRZ's optional data, checked against the number
    assert (holder.date_of_birth, holder.sex) == (citizen.date_of_birth, SEX_FEMALE)
    payload = identity.to_json()
    assert payload["dg13"] == "absent" and payload["flags"] == ["dg13_absent"]
    assert payload["issue_date"] is None and payload["address"] is None
    assert payload["full_name"] == "NGUYEN THI MINH ANH" and "0001-01-01" not in json.dumps(payload)
    assert cross_check(holder, citizen) == []  # the QR's accented name is the MRZ's name


def test_without_dg13_the_qr_is_checked_against_the_mrz(citizen: CardData, portrait, pki: ChipPki) -> None:  # type: ignore[no-untyped-def]
    reader = SimulatedChipReader(card=issue_chip(citizen, portrait, pki, dg13=False).chip())
    holder = read_identity(reader, bac_key_for(citizen), [pki.csca]).holder
    assert cross_check(holder, dataclasses.replace(citizen, full_name="NGUYỄN THỊ MINH ANHH")) == [
        "full_name"
    ]
    assert cross_check(holder, dataclasses.replace(citizen, sex=SEX_MALE)) == ["sex"]
    # The issue date is not on the chip: not compared, not made up.
    assert cross_check(holder, dataclasses.replace(citizen, issue_date=date(2022, 1, 1))) == []


def test_a_long_name_cut_in_the_mrz_still_agrees_with_the_qr(
    citizen: CardData, portrait, pki: ChipPki
) -> None:  # type: ignore[no-untyped-def]
    long_named = dataclasses.replace(citizen, full_name="NGUYỄN THỊ HOÀNG PHƯƠNG THANH NGỌC")
    reader = SimulatedChipReader(card=issue_chip(long_named, portrait, pki, dg13=False).chip())
    holder = read_identity(reader, bac_key_for(long_named), [pki.csca]).holder
    assert holder.mrz_name == "NGUYEN<<THI<HOANG<PHUONG<THANH" and holder.name_truncated
    assert cross_check(holder, long_named) == []
    assert cross_check(holder, dataclasses.replace(long_named, full_name="NGUYỄN THỊ HOÀNG PHƯƠNG")) == [
        "full_name"
    ]


def test_the_visit_goes_on_from_a_chip_without_dg13_flagged(
    citizen: CardData, portrait, pki: ChipPki
) -> None:  # type: ignore[no-untyped-def]
    """DG1 and DG2 are signed: the face is checked against DG2, the QR against the MRZ; the check says
    dg13_absent, and a QR for another holder is still refused."""
    settings = parse_config({}).identity
    reader = SimulatedChipReader(card=issue_chip(citizen, portrait, pki, dg13=False).chip())
    check = check_chip(reader, citizen, lambda: [pki.csca], settings)
    assert (check.identity_source, check.flags) == ("chip", ("dg13_absent",))
    assert check.portrait is not None and check.portrait.shape == (480, 360, 3)
    other = dataclasses.replace(citizen, full_name="TRẦN THỊ GIẢ")
    with pytest.raises(ChipRefused) as refused:
        check_chip(reader, other, lambda: [pki.csca], settings)
    assert (
        refused.value.reason == "qr_mismatch"
        and "the chip's MRZ differ on: full_name" in refused.value.detail
    )
    reader.place(issue_chip(citizen, portrait, pki).chip())
    assert check_chip(reader, citizen, lambda: [pki.csca], settings).flags == ()


def test_holder_from_an_mrz_whose_id_number_disagrees(citizen: CardData, portrait, pki: ChipPki) -> None:  # type: ignore[no-untyped-def]
    from kiosk.identity.chip.mrz import parse_td1

    mrz = parse_td1(lds.parse_dg1(issue_chip(citizen, portrait, pki).files[lds.DG_FIDS[1]]))
    other_number = dataclasses.replace(mrz, optional_1="001190012346")  # another holder's number
    with pytest.raises(ChipError) as inconsistent:
        holder_from_mrz(other_number)
    assert inconsistent.value.reason == "chip_inconsistent"
    with pytest.raises(ChipError) as malformed:
        holder_from_mrz(dataclasses.replace(mrz, optional_1="ABC"))
    assert malformed.value.reason == "chip_malformed"
    assert "NGUYEN" not in repr(holder_from_mrz(mrz)) and citizen.id_number not in repr(
        ChipHolder.from_card(citizen)
    )


# -- a chip that withholds a signed data group ------------------------------------------------------------
@pytest.mark.parametrize(("withhold", "named"), [((15,), "DG15"), ((2,), "DG2"), ((13,), "DG13")])
def test_a_chip_that_withholds_a_signed_data_group_is_refused(
    citizen: CardData, portrait, pki: ChipPki, withhold: tuple[int, ...], named: str
) -> None:  # type: ignore[no-untyped-def]
    """A copy that hides DG15 would dodge Active Authentication (not_offered passes), one that hides DG2
    would have the printed face used, one that hides DG13 the MRZ's name: the SOD still lists them."""
    image = issue_chip(citizen, portrait, pki, tamper="clone" if 15 in withhold else None, withhold=withhold)
    reader = SimulatedChipReader(card=image.chip())
    with pytest.raises(ChipRefused) as refused:  # returned with the refusal, or refused at once
        read_identity(reader, bac_key_for(citizen), [pki.csca]).refuse()
    assert refused.value.reason == "dg_withheld" and refused.value.exit_code == 1
    assert named in refused.value.detail


def test_a_chip_without_a_portrait_is_refused(citizen: CardData, portrait, pki: ChipPki) -> None:  # type: ignore[no-untyped-def]
    from kiosk.identity.chip.issue import ChipImage
    from kiosk.identity.chip.sod import build_sod

    image = issue_chip(citizen, portrait, pki)
    groups = {n: image.files[fid] for n, fid in lds.DG_FIDS.items() if fid in image.files and n != 2}
    files = {lds.DG_FIDS[n]: raw for n, raw in groups.items()}
    files[lds.FID_COM] = lds.build_com(sorted(groups))
    files[lds.FID_SOD] = build_sod(groups, pki.ds_key, pki.ds)  # signed without DG2: not withheld, absent
    reader = SimulatedChipReader(card=ChipImage(files, image.bac_key, image.aa_key).chip())
    with pytest.raises(ChipError) as absent:
        read_identity(reader, bac_key_for(citizen), [pki.csca])
    assert absent.value.reason == "dg2_absent"


# -- kiosk id chip over pcscd ---------------------------------------------------------------------------
def _config(tmp_path: Path, pki: ChipPki) -> Path:
    pki.save(tmp_path / "csca")
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n'
        '[devices.chip_reader]\ntype = "pcsc"\nreader = "Virtual PCD 00 00"\n'
        f'[identity]\nchip_csca = ["{tmp_path / "csca" / "csca.pem"}"]\nchip_wait_s = 5\n',
        encoding="utf-8",
    )
    return path


def test_kiosk_id_chip_says_dg13_absent_and_reads_a_passport(
    live_pcscd, tmp_path: Path, citizen: CardData, portrait, pki: ChipPki, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    config = _config(tmp_path, pki)
    card = tmp_path / "card.png"
    cv2.imwrite(str(card), make_card_image(citizen, portrait=portrait))
    with VirtualCard(issue_chip(citizen, portrait, pki, dg13=False).chip(), port=live_pcscd.port):
        assert kiosk_main(["id", "chip", "--json", "--config", str(config), "--card", str(card)]) == 0
    absent = json.loads(capsys.readouterr().out)
    assert (absent["dg13"], absent["name_source"], absent["issue_date"]) == ("absent", "mrz", None)
    assert absent["qr_check"] == {"agrees": True, "mismatches": []} and absent["flags"] == ["dg13_absent"]
    assert absent["ok"] is True and absent["reason"] is None
    wait_no_card(live_pcscd)
    resident = _resident()
    key = ["--number", resident.document_number, "--birth", "1988-11-02", "--expiry", "2031-06-30"]
    with VirtualCard(issue_passport(resident, portrait, pki).chip(), port=live_pcscd.port):
        assert kiosk_main(["id", "chip", "--config", str(config), *key]) == 0
    human = capsys.readouterr().out
    assert "passport KOR" in human and "KIM MIN JUN (from the MRZ)" in human and "not applicable" in human


def test_bac_key_of_a_passport_number(portrait, pki: ChipPki) -> None:  # type: ignore[no-untyped-def]
    resident = _resident()
    image = issue_passport(resident, portrait, pki, active_authentication=False)
    assert image.bac_key == BacKey("M12345678", date(1988, 11, 2), date(2031, 6, 30))
    reader = SimulatedChipReader(card=image.chip())
    wrong = BacKey("M12345679", date(1988, 11, 2), date(2031, 6, 30))
    with pytest.raises(ChipError) as refused:
        read_identity(reader, wrong, [pki.csca])
    assert refused.value.reason == "bac_failed"
