"""Active Authentication end to end: simulated chips holding an RSA (ISO/IEC 9796-2) or ECDSA key, read
through the simulated reader and over pcscd + vsmartcard; copies (DG15 copied, not the key) refused with
``aa_failed``, a DG15 key the kiosk cannot verify with ``aa_unsupported``; ``kiosk id chip`` and the
visit refuse them as chip refusals (call staff or start over)."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from pathlib import Path

import cv2
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from drivers.chip_reader import PcscChipReader, SimulatedChipReader
from kiosk.app import KioskApp
from kiosk.cli import main as kiosk_main
from kiosk.config import load_config
from kiosk.flow import ImmediateRunner, Screen, Service, VisitFlow
from kiosk.flow.adapter import PipelineServices
from kiosk.flow.errors import Action
from kiosk.identity.cccd import CardData
from kiosk.identity.chip import aa, lds
from kiosk.identity.chip.errors import ChipRefused
from kiosk.identity.chip.identity import ChipIdentity, bac_key_for, read_identity
from kiosk.identity.chip.issue import ChipImage, issue_chip
from kiosk.identity.chip.pki import ChipPki
from kiosk.identity.chip.vpicc import VirtualCard
from kiosk.samples.card import make_card_image
from tests.chip.conftest import wait_no_card
from tests.chip.pcsc_server import PrivatePcscd


@dataclasses.dataclass(frozen=True, repr=False)
class RandomAnswer(aa.ChipAaKey):
    """A copy's chip: DG15 copied, no private key, so it answers with random bytes of the right length."""

    def sign(self, challenge: bytes) -> bytes:
        return os.urandom((self.key.key_size + 7) // 8)


@dataclasses.dataclass(frozen=True, repr=False)
class WrongTrailer(aa.ChipAaKey):
    """A chip with the key that signs a representative with a trailer ISO/IEC 9796-2 does not have."""

    def sign(self, challenge: bytes) -> bytes:
        assert isinstance(self.key, rsa.RSAPrivateKey)
        block = aa.representative(self.key.key_size, challenge, "sha1")
        return aa.rsa_raw_sign(self.key, block[:-1] + b"\xbd")


@dataclasses.dataclass(frozen=True, repr=False)
class SmallKey(aa.ChipAaKey):
    """A DG15 holding a 512-bit RSA key (small enough to factor): answered with anything, never trusted."""

    def public_key_info(self) -> bytes:
        small = rsa.RSAPublicNumbers(65537, (1 << 511) + 0x1F3).public_key()
        return small.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)

    def sign(self, challenge: bytes) -> bytes:
        return os.urandom(64)


@pytest.fixture(scope="module")
def rsa_sha1() -> aa.ChipAaKey:
    return aa.ChipAaKey.generate("rsa", "sha1", bits=1024)


@pytest.fixture(scope="module")
def rsa_sha256() -> aa.ChipAaKey:
    return aa.ChipAaKey.generate("rsa", "sha256", bits=1536)


def _read(image: ChipImage, citizen: CardData, pki: ChipPki) -> ChipIdentity:
    return read_identity(SimulatedChipReader(card=image.chip()), bac_key_for(citizen), [pki.csca])


def _refusal(identity: ChipIdentity) -> ChipRefused:
    with pytest.raises(ChipRefused) as refused:
        identity.refuse()
    return refused.value


# -- the simulated reader ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("key_fixture", "algorithm"), [("rsa_sha1", "sha1"), ("rsa_sha256", "sha256")])
def test_a_genuine_rsa_chip_passes(
    request: pytest.FixtureRequest,
    citizen: CardData,
    portrait,
    pki: ChipPki,
    key_fixture: str,
    algorithm: str,
) -> None:  # type: ignore[no-untyped-def]
    key: aa.ChipAaKey = request.getfixturevalue(key_fixture)
    identity = _read(issue_chip(citizen, portrait, pki, aa_key=key), citizen, pki)
    assert identity.read.active_authentication == aa.VALID
    assert identity.read.active_authentication_algorithm == f"rsa-iso9796-2/{algorithm}"
    assert identity.trusted and identity.refusal == "" and identity.chip_authentication == aa.VALID
    identity.refuse()  # a genuine chip is not refused
    payload = identity.to_json()
    assert payload["active_authentication"] == "valid" and payload["active_authentication_detail"] is None
    assert payload["chip_authentication_method"] == "active_authentication"


def test_a_2048_bit_rsa_chip_with_sha512_passes(citizen: CardData, portrait, pki: ChipPki) -> None:  # type: ignore[no-untyped-def]
    key = aa.ChipAaKey.generate("rsa", "sha512", bits=2048)
    identity = _read(issue_chip(citizen, portrait, pki, aa_key=key), citizen, pki)
    assert (identity.read.active_authentication, identity.trusted) == (aa.VALID, True)


@pytest.mark.parametrize(
    ("make", "detail"),
    [
        (lambda key: None, None),  # tamper="clone": the copier's own RSA key signs (DG15's opens garbage)
        (lambda key: RandomAnswer(key.key, key.hash_name), None),
        (lambda key: WrongTrailer(key.key, key.hash_name), "trailer"),
    ],
    ids=["cloners_key", "random_answer", "wrong_trailer"],
)
def test_a_copied_rsa_chip_fails_aa(
    citizen: CardData,
    portrait,
    pki: ChipPki,
    rsa_sha1: aa.ChipAaKey,
    make: Callable[[aa.ChipAaKey], aa.ChipAaKey | None],
    detail: str | None,
) -> None:  # type: ignore[no-untyped-def]
    answer = make(rsa_sha1)
    if answer is None:
        image = issue_chip(citizen, portrait, pki, aa_key=rsa_sha1, tamper="clone")
    else:
        image = dataclasses.replace(issue_chip(citizen, portrait, pki, aa_key=rsa_sha1), aa_key=answer)
    identity = _read(image, citizen, pki)
    assert identity.passive.status == "valid"  # the copied data is genuine...
    assert identity.read.active_authentication == aa.FAILED  # ...the chip is not
    assert not identity.trusted and identity.refusal == "aa_failed"
    assert identity.chip_authentication == aa.FAILED
    if detail is not None:
        assert identity.read.active_authentication_detail == detail
    else:
        assert identity.read.active_authentication_detail in aa.DETAILS
    refused = _refusal(identity)
    assert refused.reason == "aa_failed" and refused.exit_code == 1
    assert refused.message_key == "error.chip.aa_failed"


def test_a_dg15_key_the_kiosk_cannot_verify_is_not_trusted(citizen: CardData, portrait, pki: ChipPki) -> None:  # type: ignore[no-untyped-def]
    small = SmallKey(aa.ChipAaKey.generate("rsa", "sha1").key, "sha1")
    identity = _read(issue_chip(citizen, portrait, pki, aa_key=small), citizen, pki)
    assert identity.passive.status == "valid"
    assert (identity.read.active_authentication, identity.read.active_authentication_detail) == (
        aa.NOT_SUPPORTED,
        "key_too_small",
    )
    assert not identity.trusted and identity.refusal == "aa_unsupported"
    assert identity.chip_authentication == aa.NOT_SUPPORTED
    assert _refusal(identity).reason == "aa_unsupported"


def test_a_chip_that_will_not_answer_internal_authenticate_fails(
    citizen: CardData, portrait, pki: ChipPki
) -> None:  # type: ignore[no-untyped-def]
    image = issue_chip(citizen, portrait, pki)
    silent = dataclasses.replace(image, aa_key=None)  # DG15 listed and signed, the command refused
    identity = _read(silent, citizen, pki)
    assert (identity.read.active_authentication, identity.read.active_authentication_detail) == (
        aa.FAILED,
        "no_answer",
    )
    assert identity.refusal == "aa_failed"


def test_chip_authentication_passing_does_not_excuse_a_failed_aa(
    citizen: CardData, portrait, pki: ChipPki
) -> None:  # type: ignore[no-untyped-def]
    """A copy that somehow passed Chip Authentication (DG14) but not AA (DG15) is still refused; and a
    chip that fails both is refused for Chip Authentication first."""
    genuine = issue_chip(
        citizen, portrait, pki, chip_authentication=True, aa_key=aa.ChipAaKey.generate("rsa", "sha1")
    )
    assert isinstance(genuine.aa_key, aa.ChipAaKey)
    half = dataclasses.replace(genuine, aa_key=RandomAnswer(genuine.aa_key.key, "sha1"))
    identity = _read(half, citizen, pki)
    assert (identity.read.chip_authentication, identity.read.active_authentication) == (aa.VALID, aa.FAILED)
    assert identity.refusal == "aa_failed" and not identity.trusted
    both = _read(dataclasses.replace(half, ca_key=None), citizen, pki)
    assert both.read.chip_authentication == aa.FAILED and both.refusal == "chip_authentication_failed"


def test_an_ecdsa_chip_signs_with_the_hash_its_dg14_names(citizen: CardData, portrait, pki: ChipPki) -> None:  # type: ignore[no-untyped-def]
    key = aa.ChipAaKey.generate("ecdsa", "sha384")
    image = issue_chip(citizen, portrait, pki, aa_key=key)
    assert lds.DG_FIDS[14] in image.files  # ActiveAuthenticationInfo: Doc 9303 wants it for ECDSA
    identity = _read(image, citizen, pki)
    assert identity.read.active_authentication_algorithm == "ecdsa/sha384" and identity.trusted
    assert identity.read.chip_authentication == aa.NOT_OFFERED  # DG14 offers AA's hash, no CA key
    clone = _read(issue_chip(citizen, portrait, pki, aa_key=key, tamper="clone"), citizen, pki)
    assert clone.refusal == "aa_failed" and clone.read.active_authentication_detail == "ecdsa_invalid"


# -- over pcscd and vsmartcard --------------------------------------------------------------------------
def _pcsc_read(pcscd: PrivatePcscd, image: ChipImage, citizen: CardData, pki: ChipPki) -> ChipIdentity:
    wait_no_card(pcscd)
    chip = image.chip()
    with PcscChipReader("Virtual PCD 00 00", timeout=5.0) as reader, VirtualCard(chip, port=pcscd.port):
        identity = read_identity(reader, bac_key_for(citizen), [pki.csca], wait_s=5)
    assert chip.apdus == identity.read.apdus  # every APDU went through pcscd to the virtual card
    return identity


def test_rsa_aa_over_pcscd(
    live_pcscd, citizen: CardData, portrait, pki: ChipPki, rsa_sha1: aa.ChipAaKey, rsa_sha256: aa.ChipAaKey
) -> None:  # type: ignore[no-untyped-def]
    for key, algorithm in ((rsa_sha1, "rsa-iso9796-2/sha1"), (rsa_sha256, "rsa-iso9796-2/sha256")):
        genuine = _pcsc_read(live_pcscd, issue_chip(citizen, portrait, pki, aa_key=key), citizen, pki)
        assert genuine.read.active_authentication_algorithm == algorithm and genuine.trusted
    clone = _pcsc_read(
        live_pcscd, issue_chip(citizen, portrait, pki, aa_key=rsa_sha1, tamper="clone"), citizen, pki
    )
    assert clone.refusal == "aa_failed" and clone.read.active_authentication_detail in aa.DETAILS
    image = issue_chip(citizen, portrait, pki, aa_key=rsa_sha256, pace=True)
    random_answer = dataclasses.replace(image, aa_key=RandomAnswer(rsa_sha256.key, "sha256"))
    copy = _pcsc_read(live_pcscd, random_answer, citizen, pki)
    assert copy.read.access_control == "PACE" and copy.refusal == "aa_failed"


def test_a_2048_bit_rsa_chip_over_pcscd(live_pcscd, citizen: CardData, portrait, pki: ChipPki) -> None:  # type: ignore[no-untyped-def]
    """A 256-byte signature under secure messaging is a response longer than a short APDU's 256 bytes."""
    key = aa.ChipAaKey.generate("rsa", "sha256", bits=2048)
    identity = _pcsc_read(live_pcscd, issue_chip(citizen, portrait, pki, aa_key=key), citizen, pki)
    assert identity.read.active_authentication == aa.VALID and identity.trusted


def test_kiosk_id_chip_reports_a_copied_rsa_chip(
    live_pcscd, tmp_path: Path, citizen: CardData, portrait, pki: ChipPki, rsa_sha1: aa.ChipAaKey, capsys
) -> None:  # type: ignore[no-untyped-def]
    pki.save(tmp_path / "csca")
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n'
        '[devices.chip_reader]\ntype = "pcsc"\nreader = "Virtual PCD 00 00"\n'
        f'[identity]\nchip_csca = ["{tmp_path / "csca" / "csca.pem"}"]\nchip_wait_s = 5\n',
        encoding="utf-8",
    )
    card = tmp_path / "card.png"
    cv2.imwrite(str(card), make_card_image(citizen, portrait=portrait))
    args = ["id", "chip", "--json", "--config", str(config), "--card", str(card)]
    wait_no_card(live_pcscd)
    with VirtualCard(issue_chip(citizen, portrait, pki, aa_key=rsa_sha1).chip(), port=live_pcscd.port):
        assert kiosk_main(args) == 0
    genuine = json.loads(capsys.readouterr().out)
    assert (genuine["active_authentication"], genuine["active_authentication_algorithm"]) == (
        "valid",
        "rsa-iso9796-2/sha1",
    )
    wait_no_card(live_pcscd)
    clone = issue_chip(citizen, portrait, pki, aa_key=rsa_sha1, tamper="clone")
    with VirtualCard(clone.chip(), port=live_pcscd.port):
        assert kiosk_main(args) == 1
    out = capsys.readouterr().out
    copied = json.loads(out)
    assert (copied["ok"], copied["reason"], copied["passive_authentication"]) == (False, "aa_failed", "valid")
    assert (
        copied["active_authentication"] == "failed" and copied["active_authentication_detail"] in aa.DETAILS
    )
    assert "Traceback" not in out


# -- the visit ------------------------------------------------------------------------------------------
@pytest.fixture
def app(tmp_path: Path):  # type: ignore[no-untyped-def]
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    with KioskApp(load_config(config)) as kiosk:
        yield kiosk


@pytest.mark.parametrize(("aa_key", "reason"), [("clone", "aa_failed"), ("small", "aa_unsupported")])
def test_the_visit_refuses_a_chip_that_fails_aa(
    app: KioskApp, citizen: CardData, portrait, rsa_sha1: aa.ChipAaKey, aa_key: str, reason: str
) -> None:  # type: ignore[no-untyped-def]
    """The pipeline's chip step refuses; the flow ends on the chip-refused screen (call staff or start
    over, no rescan), the reason kept; a genuine RSA chip goes on to the face step."""
    assert app.chip_pki is not None and app.devices.chip_reader is not None
    if aa_key == "clone":
        image = issue_chip(citizen, portrait, app.chip_pki, aa_key=rsa_sha1, tamper="clone")
    else:
        image = issue_chip(citizen, portrait, app.chip_pki, aa_key=SmallKey(rsa_sha1.key, "sha1"))
    reader = app.devices.chip_reader
    reader.place(image.chip())  # type: ignore[attr-defined]
    with pytest.raises(ChipRefused) as refused:
        app.pipeline.read_chip(citizen)
    assert refused.value.reason == reason
    flow = VisitFlow(PipelineServices.of(app), ImmediateRunner(), temp_root=app.folder("tmp"))
    flow.choose_service(Service.certify)
    flow.card_placed()
    assert flow.screen == Screen.error
    assert (flow.visit.error.kind, flow.visit.error.reason) == ("chip_refused", reason)
    assert flow.visit.error.actions == (Action.call_staff, Action.start_over)
    flow.reset(reason="test")
    reader.place(issue_chip(citizen, portrait, app.chip_pki, aa_key=rsa_sha1).chip())  # type: ignore[attr-defined]
    genuine = VisitFlow(PipelineServices.of(app), ImmediateRunner(), temp_root=app.folder("tmp"))
    genuine.choose_service(Service.certify)
    genuine.card_placed()
    assert genuine.screen == Screen.face and genuine.visit.identity_source == "chip"
    genuine.reset(reason="test")
