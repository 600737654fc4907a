"""The ICAO 9303 protocol pieces against the standard's worked examples, and the simulated chip's
checks, in process (no PC/SC): MRZ and check digits, BAC keys, secure messaging, LDS files, the SOD."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from drivers.chip_reader import SimulatedChipReader
from drivers.errors import DeviceAbsent
from kiosk.identity.cccd import CardData
from kiosk.identity.chip import aa, crypto, lds
from kiosk.identity.chip.errors import ChipError, ChipRefused
from kiosk.identity.chip.identity import bac_key_for, cross_check, read_identity
from kiosk.identity.chip.issue import issue_chip
from kiosk.identity.chip.mrz import BacKey, MrzError, check_digit, milestone_expiry, parse_td1
from kiosk.identity.chip.pki import ChipPki, make_chip_pki, make_document_signer
from kiosk.identity.chip.sm import CardChannel, Command, SecureChannel
from kiosk.identity.chip.sod import build_sod, passive_authentication

# ICAO 9303 part 11, appendix D (worked example: BAC and secure messaging).
ICAO_KEY = BacKey("L898902C", date(1969, 8, 6), date(1994, 6, 23))
KS_ENC = bytes.fromhex("979EC13B1CBFE9DCD01AB0FED307EAE5")
KS_MAC = bytes.fromhex("F1CB1F1FB5ADF208806B89DC579DC1F8")
SSC = bytes.fromhex("887022120C06C226")


def _parity_free(key: bytes) -> bytes:
    return bytes(b & 0xFE for b in key)


def test_bac_keys_follow_the_worked_example() -> None:
    assert ICAO_KEY.mrz_information() == "L898902C<369080619406236"
    assert ICAO_KEY.seed().hex().upper() == "239AB9CB282DAF66231DC5A4DF6BFBAE"
    # The example prints keys with DES parity adjusted; DES ignores the parity bits.
    k_enc = crypto.derive_key(ICAO_KEY.seed(), crypto.ENC)
    k_mac = crypto.derive_key(ICAO_KEY.seed(), crypto.MAC)
    assert _parity_free(k_enc) == _parity_free(bytes.fromhex("AB94FDECF2674FDFB9B391F85D7F76F2"))
    assert _parity_free(k_mac) == _parity_free(bytes.fromhex("7862D9ECE03C1BCD4D77089DCF131442"))


def test_secure_messaging_matches_the_worked_example() -> None:
    reader = SecureChannel(KS_ENC, KS_MAC, SSC)
    select = reader.wrap(Command(0x00, 0xA4, 0x02, 0x0C, bytes.fromhex("011E")))
    assert select.hex().upper() == "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800"
    response = reader.unwrap(bytes.fromhex("990290008E08FA855A5D4C50A8ED9000"))
    assert (response.data, response.sw) == (b"", 0x9000)
    read = reader.wrap(Command(0x00, 0xB0, 0x00, 0x00, le=4))
    assert read.hex().upper() == "0CB000000D9701048E08ED6705417E96BA5500"


def test_the_chip_side_refuses_a_command_with_a_wrong_mac() -> None:
    reader, card = SecureChannel(KS_ENC, KS_MAC, SSC), CardChannel(KS_ENC, KS_MAC, SSC)
    apdu = bytearray(reader.wrap(Command(0x00, 0xB0, 0x00, 0x00, le=4)))
    apdu[-3] ^= 0x01
    from kiosk.identity.chip.sm import SecureMessagingError

    with pytest.raises(SecureMessagingError, match="MAC"):
        card.unwrap(bytes(apdu))


def test_check_digits_and_td1_round_trip(citizen: CardData, portrait, pki: ChipPki) -> None:  # type: ignore[no-untyped-def]
    assert check_digit("L898902C<") == "3" and check_digit("690806") == "1"
    image = issue_chip(citizen, portrait, pki)
    mrz = parse_td1(lds.parse_dg1(image.files[lds.DG_FIDS[1]]))
    assert mrz.document_number == citizen.id_number[-9:]
    assert (mrz.date_of_birth, mrz.sex, mrz.name) == (citizen.date_of_birth, "F", "NGUYEN<<THI<MINH<ANH")
    broken = lds.parse_dg1(image.files[lds.DG_FIDS[1]])
    broken = broken[:30] + ("1" if broken[30] != "1" else "2") + broken[31:]
    with pytest.raises(MrzError):
        parse_td1(broken)


@pytest.mark.parametrize(
    ("born", "issued", "expiry"),
    [
        (date(1990, 3, 15), date(2021, 7, 1), date(2030, 3, 15)),  # 31 at issue: to the 40th birthday
        (date(2000, 5, 2), date(2023, 9, 1), date(2040, 5, 2)),  # within 2 years of 25: skip to 40
        (date(2000, 5, 2), date(2016, 1, 1), date(2025, 5, 2)),
        (date(1964, 1, 1), date(2022, 6, 1), None),  # within 2 years of 60: no expiry
        (date(2004, 2, 29), date(2020, 1, 1), date(2029, 2, 28)),
    ],
)
def test_cccd_expiry_follows_the_age_milestones(born: date, issued: date, expiry: date | None) -> None:
    assert milestone_expiry(born, issued) == expiry


def test_data_groups_round_trip(citizen: CardData, portrait, pki: ChipPki) -> None:  # type: ignore[no-untyped-def]
    image = issue_chip(citizen, portrait, pki, parents=("NGUYỄN VĂN BÌNH", "TRẦN THỊ LAN"))
    face = lds.parse_dg2(image.files[lds.DG_FIDS[2]])
    assert (
        face.mime == "image/jpeg"
        and face.image[:2] == b"\xff\xd8"
        and (face.width, face.height) == (360, 480)
    )
    dg13 = lds.parse_dg13(image.files[lds.DG_FIDS[13]])
    assert dg13.values["id_number"] == citizen.id_number
    assert dg13.values["full_name"] == citizen.full_name
    assert dg13.date("date_of_birth") == citizen.date_of_birth
    assert dg13.values["expiry_date"] == "2030-03-15"
    assert dg13.parents == ("NGUYỄN VĂN BÌNH", "TRẦN THỊ LAN")
    assert lds.parse_com(image.files[lds.FID_COM]) == [1, 2, 13, 15]
    assert "NGUY" not in repr(dg13) and "bytes" in repr(face)


def _groups(image) -> dict[int, bytes]:  # type: ignore[no-untyped-def]
    return {n: image.files[fid] for n, fid in lds.DG_FIDS.items() if fid in image.files}


def test_passive_authentication_reasons(citizen: CardData, portrait, pki: ChipPki) -> None:  # type: ignore[no-untyped-def]
    image = issue_chip(citizen, portrait, pki)
    sod, groups = image.files[lds.FID_SOD], _groups(image)
    assert passive_authentication(sod, groups, [pki.csca]).status == "valid"
    assert passive_authentication(sod, groups, []).status == "csca_not_configured"
    assert passive_authentication(sod, groups, [make_chip_pki().csca]).status == "ds_not_trusted"
    assert passive_authentication(sod[:-40], groups, [pki.csca]).status == "sod_malformed"
    altered = dict(groups)
    altered[13] = altered[13].replace(b"Kinh", "Tày".encode()[:4])
    result = passive_authentication(sod, altered, [pki.csca])
    assert (result.status, result.detail) == ("dg_hash_mismatch", "DG13 does not match its hash in the SOD")
    assert passive_authentication(sod, {**groups, 14: b"\x6e\x00"}, [pki.csca]).status == "dg_not_in_sod"
    later = datetime.now(UTC) + timedelta(days=365 * 12)
    assert passive_authentication(sod, groups, [pki.csca], now=later).status == "ds_expired"


def test_a_signature_by_another_key_under_the_right_name_is_refused(
    citizen: CardData, portrait, pki: ChipPki
) -> None:  # type: ignore[no-untyped-def]
    image = issue_chip(citizen, portrait, pki)
    groups = _groups(image)
    # A forger's own key, with the genuine Document Signer certificate copied into the SOD.
    forged = build_sod(groups, make_chip_pki().ds_key, pki.ds)
    assert passive_authentication(forged, groups, [pki.csca]).status == "sod_signature_invalid"
    # A Document Signer the genuine CSCA did issue passes (a CSCA has many over the years).
    ds_key, ds = make_document_signer(pki.csca_key, pki.csca, "TEST Document Signer VN 2")
    assert passive_authentication(build_sod(groups, ds_key, ds), groups, [pki.csca]).status == "valid"


def test_active_authentication_tells_a_copied_chip(citizen: CardData, portrait, pki: ChipPki) -> None:  # type: ignore[no-untyped-def]
    reader = SimulatedChipReader(card=issue_chip(citizen, portrait, pki).chip())
    identity = read_identity(reader, bac_key_for(citizen), [pki.csca])
    assert (identity.passive.status, identity.chip_authentication) == ("valid", aa.VALID)
    assert identity.trusted and cross_check(identity.card, citizen) == []
    reader.place(issue_chip(citizen, portrait, pki, tamper="clone").chip())
    clone = read_identity(reader, bac_key_for(citizen), [pki.csca])
    assert clone.passive.status == "valid" and clone.chip_authentication == aa.FAILED
    with pytest.raises(ChipRefused) as refused:
        clone.refuse()
    assert refused.value.reason == "aa_failed" and refused.value.exit_code == 1
    reader.place(issue_chip(citizen, portrait, pki, active_authentication=False).chip())
    plain = read_identity(reader, bac_key_for(citizen), [pki.csca])
    assert plain.chip_authentication == aa.NOT_OFFERED and plain.trusted


def test_simulated_reader_faults(citizen: CardData, portrait, pki: ChipPki) -> None:  # type: ignore[no-untyped-def]
    reader = SimulatedChipReader()
    with pytest.raises(ChipError) as no_chip:
        read_identity(reader, bac_key_for(citizen), [pki.csca])
    assert no_chip.value.reason == "no_chip"
    reader.place(issue_chip(citizen, portrait, pki).chip())
    reader.remove_after(30)
    with pytest.raises(ChipError) as removed:
        read_identity(reader, bac_key_for(citizen), [pki.csca])
    assert removed.value.reason == "card_removed"
    reader.set_fault("absent")
    with pytest.raises(DeviceAbsent):
        read_identity(reader, bac_key_for(citizen), [pki.csca])
    assert reader.status().state == "absent"


def test_the_cross_check_names_each_disagreeing_field(citizen: CardData) -> None:
    import dataclasses

    other = dataclasses.replace(citizen, full_name="NGUYEN THI MINH ANH", date_of_birth=date(1990, 3, 16))
    assert cross_check(citizen, other) == ["date_of_birth"]  # accents do not count, the date does
    assert cross_check(citizen, dataclasses.replace(citizen, id_number="001190012346")) == ["id_number"]


def test_building_a_sod_leaves_asn1crypto_open_to_later_registrations() -> None:
    """asn1crypto builds a name map once per OID class; names registered after that (asn1crypto.tsp,
    pyHanko's CAdES attributes) must still work, or signing the certified copy fails after a chip read."""
    import subprocess
    import sys

    script = (
        "from kiosk.identity.chip.pki import make_chip_pki\n"
        "from kiosk.identity.chip.sod import build_sod, passive_authentication\n"
        "p = make_chip_pki(); sod = build_sod({1: b'x'}, p.ds_key, p.ds)\n"
        "assert passive_authentication(sod, {1: b'x'}, [p.csca]).status == 'valid'\n"
        "import asn1crypto.tsp\n"
        "from asn1crypto import cms\n"
        "cms.CMSAttribute({'type': 'signing_certificate_v2', 'values': []})\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], check=False, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


def test_aes_cmac_matches_rfc_4493() -> None:
    key = bytes.fromhex("2b7e151628aed2a6abf7158809cf4f3c")
    assert crypto.aes_cmac(key, b"").hex() == "bb1d6929e9593728"
    message = bytes.fromhex("6bc1bee22e409f96e93d7e117393172a")
    assert crypto.aes_cmac(key, message).hex() == "070a16b46b4d4144"


def test_pace_opens_aes_secure_messaging(citizen: CardData, portrait, pki: ChipPki) -> None:  # type: ignore[no-untyped-def]
    from kiosk.identity.chip.pace import offers_pace

    image = issue_chip(citizen, portrait, pki, pace=True)
    chip = image.chip()
    reader = SimulatedChipReader(card=chip)
    identity = read_identity(reader, bac_key_for(citizen), [pki.csca])
    assert identity.read.access_control == "PACE"
    assert (identity.passive.status, identity.chip_authentication) == ("valid", aa.VALID)
    assert identity.to_json()["access_control"] == "PACE"
    wrong = dataclasses.replace(citizen, id_number="001190012346")
    with pytest.raises(ChipError) as refused:
        read_identity(reader, bac_key_for(wrong), [pki.csca])
    assert refused.value.reason == "pace_failed"
    # A chip without EF.CardAccess is read with BAC, and offers_pace reads only the protocol it knows.
    assert not offers_pace(b"\x31\x00") and not offers_pace(b"garbage")
    reader.place(issue_chip(citizen, portrait, pki).chip())
    assert read_identity(reader, bac_key_for(citizen), [pki.csca]).read.access_control == "BAC"


def test_pace_refuses_a_point_off_the_curve() -> None:
    from kiosk.identity.chip import ecc

    with pytest.raises(ValueError, match="not on P-256"):
        ecc.decode(b"\x04" + (1).to_bytes(32, "big") + (1).to_bytes(32, "big"))


@pytest.mark.parametrize("pace", [False, True])
def test_chip_authentication_tells_a_copied_chip(
    citizen: CardData, portrait, pki: ChipPki, pace: bool
) -> None:  # type: ignore[no-untyped-def]
    """DG14's key (covered by the SOD): a genuine chip restarts secure messaging with keys from it; a copy
    without the private key cannot, and is refused even when it has no DG15 for Active Authentication."""
    options = {"chip_authentication": True, "active_authentication": False, "pace": pace}
    reader = SimulatedChipReader(card=issue_chip(citizen, portrait, pki, **options).chip())
    genuine = read_identity(reader, bac_key_for(citizen), [pki.csca])
    assert genuine.read.chip_authentication == aa.VALID and genuine.chip_authentication == aa.VALID
    assert genuine.to_json()["chip_authentication_method"] == "chip_authentication"
    assert 14 in genuine.read.groups and genuine.passive.valid  # DG14's hash is in the SOD
    reader.place(issue_chip(citizen, portrait, pki, tamper="clone", **options).chip())
    clone = read_identity(reader, bac_key_for(citizen), [pki.csca])
    assert clone.passive.valid  # the copied data is all genuine...
    assert clone.chip_authentication == aa.FAILED and clone.refusal == "chip_authentication_failed"
