"""The chip read over a real PC/SC stack: a private pcscd with vsmartcard's virtual reader (vpcd), the
simulated chip connected to vpcd as a virtual card, and the kiosk's pyscard reader (see pcsc_server.py).

Each tamper case is refused with its reason: an altered DG1, a Document Signer from a rogue CSCA, a wrong
BAC key, a card moved away mid-read, a reader that goes away (pcscd stopped, or no reader at all).
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from drivers.chip_reader import PcscChipReader
from drivers.errors import DeviceAbsent
from kiosk.identity.cccd import CardData
from kiosk.identity.chip import aa
from kiosk.identity.chip.errors import ChipError, ChipRefused
from kiosk.identity.chip.identity import bac_key_for, read_identity
from kiosk.identity.chip.issue import issue_chip
from kiosk.identity.chip.pki import ChipPki, make_chip_pki
from kiosk.identity.chip.vpicc import VirtualCard
from tests.chip.pcsc_server import PrivatePcscd


def _reader(pcscd: PrivatePcscd) -> PcscChipReader:
    return PcscChipReader("Virtual PCD 00 00", timeout=5.0)


def test_the_genuine_chip_reads_and_authenticates(
    live_pcscd, citizen: CardData, portrait, pki: ChipPki
) -> None:  # type: ignore[no-untyped-def]
    chip = issue_chip(citizen, portrait, pki).chip()
    with _reader(live_pcscd) as reader, VirtualCard(chip, port=live_pcscd.port):
        identity = read_identity(reader, bac_key_for(citizen), [pki.csca], wait_s=5)
        status = reader.status()
    assert identity.passive.status == "valid"
    assert identity.chip_authentication == aa.VALID
    assert identity.card.id_number == citizen.id_number and identity.card.full_name == citizen.full_name
    assert identity.portrait is not None and identity.portrait_bgr().shape == (480, 360, 3)
    assert sorted(identity.read.groups) == [1, 2, 13, 15]
    assert chip.apdus == identity.read.apdus  # every APDU went through pcscd to the virtual card
    assert status.kind == "pcsc" and status.state == "ok"


def test_an_altered_dg1_is_refused(live_pcscd, citizen: CardData, portrait, pki: ChipPki) -> None:  # type: ignore[no-untyped-def]
    chip = issue_chip(citizen, portrait, pki, tamper="dg1").chip()
    with _reader(live_pcscd) as reader, VirtualCard(chip, port=live_pcscd.port):
        identity = read_identity(reader, bac_key_for(citizen), [pki.csca], wait_s=5)
    assert identity.passive.status == "dg_hash_mismatch"
    assert "DG1" in identity.passive.detail
    with pytest.raises(ChipRefused) as refused:
        identity.refuse()
    assert refused.value.reason == "dg_hash_mismatch"


def test_a_document_signer_from_a_rogue_csca_is_refused(
    live_pcscd, citizen: CardData, portrait, pki: ChipPki
) -> None:  # type: ignore[no-untyped-def]
    rogue = make_chip_pki()  # same names as the genuine CSCA, another key
    chip = issue_chip(citizen, portrait, rogue).chip()
    with _reader(live_pcscd) as reader, VirtualCard(chip, port=live_pcscd.port):
        identity = read_identity(reader, bac_key_for(citizen), [pki.csca], wait_s=5)
    assert identity.passive.status == "ds_not_trusted"
    assert identity.refusal == "ds_not_trusted"


def test_a_wrong_bac_key_is_refused(live_pcscd, citizen: CardData, portrait, pki: ChipPki) -> None:  # type: ignore[no-untyped-def]
    chip = issue_chip(citizen, portrait, pki).chip()
    wrong = dataclasses.replace(citizen, id_number="001190012346")  # one digit off, as a misread QR
    with _reader(live_pcscd) as reader, VirtualCard(chip, port=live_pcscd.port):
        with pytest.raises(ChipError) as failed:
            read_identity(reader, bac_key_for(wrong), [pki.csca], wait_s=5)
        assert failed.value.reason == "bac_failed"
        with pytest.raises(ChipError) as failed_expiry:
            read_identity(reader, bac_key_for(citizen, expiry=date(2031, 3, 15)), [pki.csca], wait_s=5)
        assert failed_expiry.value.reason == "bac_failed"
        # The same card with the right key still reads: a failed BAC leaves the chip usable.
        assert read_identity(reader, bac_key_for(citizen), [pki.csca], wait_s=5).passive.valid


def test_a_card_moved_away_mid_read_is_reported(
    live_pcscd, citizen: CardData, portrait, pki: ChipPki
) -> None:  # type: ignore[no-untyped-def]
    chip = issue_chip(citizen, portrait, pki).chip()
    with _reader(live_pcscd) as reader, VirtualCard(chip, port=live_pcscd.port, remove_after=60) as card:
        with pytest.raises(ChipError) as removed:
            read_identity(reader, bac_key_for(citizen), [pki.csca], wait_s=5)
        assert card.apdus == 60  # inside DG2
    assert removed.value.reason == "card_removed"
    assert "moved away" in removed.value.message


def test_no_card_on_the_reader(live_pcscd, citizen: CardData, pki: ChipPki) -> None:  # type: ignore[no-untyped-def]
    with _reader(live_pcscd) as reader, pytest.raises(ChipError) as nothing:
        read_identity(reader, bac_key_for(citizen), [pki.csca], wait_s=0.5)
    assert nothing.value.reason == "no_chip"


def test_a_reader_unplugged(pcscd: PrivatePcscd, citizen: CardData, portrait, pki: ChipPki) -> None:  # type: ignore[no-untyped-def]
    """pcscd going away under the reader (the USB reader unplugged takes its reader with it), and a pcscd
    with no reader at all: both are the device being absent, never a hang or a traceback."""
    chip = issue_chip(citizen, portrait, pki).chip()
    with _reader(pcscd) as reader:
        with VirtualCard(chip, port=pcscd.port):
            assert reader.connect(5.0)[:1] == b"\x3b"
            pcscd.stop()
            with pytest.raises(DeviceAbsent):
                reader.transmit(bytes.fromhex("00A4040C07A0000002471001"))
        assert reader.status().state == "absent"
        pcscd.start(with_reader=False)
        with pytest.raises(DeviceAbsent) as absent:
            read_identity(reader, bac_key_for(citizen), [pki.csca])
        status = reader.status()
    assert status.state == "absent" and "no reader" in status.detail
    assert absent.value.exit_code == 3
    pcscd.restart()


def test_a_pace_chip_over_pcscd(live_pcscd, citizen: CardData, portrait, pki: ChipPki) -> None:  # type: ignore[no-untyped-def]
    chip = issue_chip(citizen, portrait, pki, pace=True).chip()
    wrong = dataclasses.replace(citizen, id_number="001190012346")
    with _reader(live_pcscd) as reader, VirtualCard(chip, port=live_pcscd.port):
        identity = read_identity(reader, bac_key_for(citizen), [pki.csca], wait_s=5)
        with pytest.raises(ChipError) as refused:
            read_identity(reader, bac_key_for(wrong), [pki.csca], wait_s=5)
    assert identity.read.access_control == "PACE" and identity.passive.status == "valid"
    assert refused.value.reason == "pace_failed"


def test_chip_authentication_over_pcscd(live_pcscd, citizen: CardData, portrait, pki: ChipPki) -> None:  # type: ignore[no-untyped-def]
    chip = issue_chip(citizen, portrait, pki, pace=True, chip_authentication=True).chip()
    with _reader(live_pcscd) as reader, VirtualCard(chip, port=live_pcscd.port):
        identity = read_identity(reader, bac_key_for(citizen), [pki.csca], wait_s=5)
    assert identity.read.access_control == "PACE"
    assert (identity.read.chip_authentication, identity.read.active_authentication) == (aa.VALID, aa.VALID)
    assert identity.trusted
