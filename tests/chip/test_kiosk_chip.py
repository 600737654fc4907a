"""The chip in the kiosk: `kiosk id chip` (simulated profile, and over the private pcscd), the visit's
chip step (the face checked against DG2, refusals, QR-only visits flagged) and identity_source in the
record and in the sync upload."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import cv2
import pytest

from kiosk.app import KioskApp
from kiosk.cli import main as kiosk_main
from kiosk.config import load_config
from kiosk.errors import NegativeVerdict
from kiosk.identity.cccd import CardData
from kiosk.identity.chip.errors import ChipError, ChipRefused
from kiosk.identity.chip.issue import issue_chip
from kiosk.identity.chip.pki import ChipPki
from kiosk.identity.chip.vpicc import VirtualCard
from kiosk.samples.card import make_card_image, sample_live_frames
from tests.chip.conftest import wait_no_card

READ_KEYS = {"id_number", "old_id", "full_name", "date_of_birth", "sex", "address", "issue_date"}


def _config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n{extra}', encoding="utf-8")
    return path


def test_kiosk_id_chip_on_the_simulated_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert kiosk_main(["id", "chip", "--json", "--config", str(_config(tmp_path))]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert set(payload) >= READ_KEYS | {"passive_authentication", "chip_authentication"}
    assert payload["passive_authentication"] == "valid"
    assert payload["chip_authentication"] == "valid"
    assert payload["qr_check"] == {"agrees": True, "mismatches": []}
    assert payload["portrait"] == "image/jpeg" and payload["data_groups"] == [1, 2, 13, 15]


def _pcsc_config(tmp_path: Path, pki: ChipPki) -> Path:
    pki.save(tmp_path / "csca")
    return _config(
        tmp_path,
        '[devices.chip_reader]\ntype = "pcsc"\nreader = "Virtual PCD 00 00"\n'
        f'[identity]\nchip_csca = ["{tmp_path / "csca" / "csca.pem"}"]\nchip_wait_s = 5\n',
    )


def _card_file(tmp_path: Path, citizen: CardData, portrait) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / "card.png"
    cv2.imwrite(str(path), make_card_image(citizen, portrait=portrait))
    return path


def test_kiosk_id_chip_over_pcscd(live_pcscd, tmp_path: Path, citizen, portrait, pki, capsys) -> None:  # type: ignore[no-untyped-def]
    config, card = _pcsc_config(tmp_path, pki), _card_file(tmp_path, citizen, portrait)
    args = ["id", "chip", "--json", "--config", str(config), "--card", str(card)]
    with VirtualCard(issue_chip(citizen, portrait, pki).chip(), port=live_pcscd.port):
        assert kiosk_main(args) == 0
    genuine = json.loads(capsys.readouterr().out)
    assert genuine["passive_authentication"] == "valid" and genuine["id_number"] == citizen.id_number
    wait_no_card(live_pcscd)
    with VirtualCard(issue_chip(citizen, portrait, pki, tamper="dg1").chip(), port=live_pcscd.port):
        assert kiosk_main(args) == 1
    altered = json.loads(capsys.readouterr().out)
    assert altered["passive_authentication"] == "dg_hash_mismatch"
    assert "DG1" in altered["passive_authentication_detail"]


def test_kiosk_id_chip_without_a_reader(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path, '[devices.chip_reader]\ntype = "none"\n')
    assert kiosk_main(["id", "chip", "--json", "--config", str(config)]) == 3
    assert "no chip reader" in capsys.readouterr().err


@pytest.fixture
def app(tmp_path: Path):  # type: ignore[no-untyped-def]
    with KioskApp(load_config(_config(tmp_path))) as kiosk:
        yield kiosk


def test_the_face_is_checked_against_the_chip_portrait(app: KioskApp, citizen: CardData) -> None:
    check = app.pipeline.read_chip(citizen)
    assert check.identity_source == "chip" and check.portrait is not None
    assert check.portrait.shape == (480, 360, 3)  # DG2, not the 1011x638 card scan
    decision = app.pipeline.verify_face(check.portrait, sample_live_frames(3, seed=4))
    assert decision.match


def test_the_visit_refuses_a_chip_that_fails_authentication(
    app: KioskApp, citizen: CardData, portrait, pki: ChipPki
) -> None:  # type: ignore[no-untyped-def]
    reader = app.devices.chip_reader
    assert reader is not None and app.chip_pki is not None
    reader.place(issue_chip(citizen, portrait, app.chip_pki, tamper="dg1").chip())  # type: ignore[attr-defined]
    with pytest.raises(ChipRefused) as altered:
        app.pipeline.read_chip(citizen)
    assert altered.value.reason == "dg_hash_mismatch" and altered.value.exit_code == 1
    reader.place(issue_chip(citizen, portrait, pki).chip())  # type: ignore[attr-defined]  # another CSCA
    with pytest.raises(ChipRefused) as rogue:
        app.pipeline.read_chip(citizen)
    assert rogue.value.reason == "ds_not_trusted"
    reader.place(issue_chip(citizen, portrait, app.chip_pki, tamper="clone").chip())  # type: ignore[attr-defined]
    with pytest.raises(ChipRefused) as clone:
        app.pipeline.read_chip(citizen)
    assert clone.value.reason == "aa_failed"  # the sample chip's anti-cloning check is Active Authentication


def test_a_qr_that_disagrees_with_the_chip_is_refused(app: KioskApp, citizen: CardData, portrait) -> None:  # type: ignore[no-untyped-def]
    other_name = dataclasses.replace(citizen, full_name="TRẦN THỊ GIẢ")  # same key fields, other holder
    reader = app.devices.chip_reader
    assert reader is not None and app.chip_pki is not None
    reader.place(issue_chip(other_name, portrait, app.chip_pki).chip())  # type: ignore[attr-defined]
    with pytest.raises(NegativeVerdict) as mismatch:
        app.pipeline.read_chip(citizen)
    assert mismatch.value.message_key == "error.chip.qr_mismatch" and "full_name" in mismatch.value.detail


def test_no_chip_no_reader_or_an_unplugged_reader_go_on_from_the_qr(app: KioskApp, citizen: CardData) -> None:
    reader = app.devices.chip_reader
    assert reader is not None
    reader.place(None)  # type: ignore[attr-defined]  # a card without a chip
    assert (
        app.pipeline.read_chip(citizen).identity_source,
        app.pipeline.read_chip(citizen).qr_only_reason,
    ) == (
        "qr",
        "no_chip",
    )
    reader.set_fault("absent")  # type: ignore[attr-defined]
    check = app.pipeline.read_chip(citizen)
    assert (check.identity_source, check.qr_only_reason, check.portrait) == ("qr", "reader_absent", None)


def test_a_card_moved_away_in_the_visit_asks_to_place_it_again(app: KioskApp, citizen: CardData) -> None:
    reader = app.devices.chip_reader
    reader.remove_after(25)  # type: ignore[union-attr]
    with pytest.raises(ChipError) as removed:
        app.pipeline.read_chip(citizen)
    assert removed.value.reason == "card_removed" and removed.value.exit_code == 2


def _record_source(data_dir: Path, code: str) -> tuple[str | None, dict]:  # type: ignore[type-arg]
    from kiosk.config import load_config as load
    from kiosk.pipeline.store import KioskStore
    from offline_sync.worker import record_json

    config = load(data_dir.parent / "kiosk.toml")
    with KioskApp(config) as kiosk:
        record = kiosk.store.get_record(code)
        assert record is not None
        upload = json.loads(record_json(record, Path(record.pdf_path or "").read_bytes()))
    del KioskStore
    return record.identity_source, upload


@pytest.mark.slow
@pytest.mark.parametrize(("reader_type", "source"), [("simulated", "chip"), ("none", "qr")])
def test_kiosk_demo_reports_identity_source_and_the_record_carries_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], reader_type: str, source: str
) -> None:
    config = _config(tmp_path, f'[devices.chip_reader]\ntype = "{reader_type}"\n')
    assert kiosk_main(["demo", "--json", "--config", str(config)]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["identity_source"] == source
    stored, upload = _record_source(tmp_path / "data", payload["code"])
    assert stored == source
    assert upload["identity_source"] == source  # what the backend's post-check flags read


@pytest.mark.parametrize(
    ("tamper", "kind", "reason"), [("dg1", "chip_refused", "dg_hash_mismatch"), (None, "", "")]
)
def test_the_visit_screen_after_the_chip(
    app: KioskApp, citizen: CardData, portrait, tamper, kind, reason
) -> None:  # type: ignore[no-untyped-def]
    """The flow on the composition root's pipeline: an altered chip ends on the error screen (call staff
    or start over, nothing certified); a genuine one goes on to the face step with the DG2 portrait."""
    from kiosk.flow import ImmediateRunner, Screen, Service, VisitFlow
    from kiosk.flow.adapter import PipelineServices

    assert app.chip_pki is not None
    app.devices.chip_reader.place(issue_chip(citizen, portrait, app.chip_pki, tamper=tamper).chip())  # type: ignore[union-attr]
    flow = VisitFlow(PipelineServices.of(app), ImmediateRunner(), temp_root=app.folder("tmp"))
    flow.choose_service(Service.certify)
    flow.card_placed()
    if tamper is None:
        assert flow.screen == Screen.face
        assert flow.visit.identity_source == "chip" and flow.visit.card_image.shape == (480, 360, 3)
    else:
        assert flow.screen == Screen.error
        assert (flow.visit.error.kind, flow.visit.error.reason) == (kind, reason)
        assert "rescan" not in flow.visit.error.actions
    flow.reset(reason="test")


def test_chip_errors_route_to_their_screens() -> None:
    from kiosk.flow.errors import Action, classify_error
    from kiosk.identity.chip.errors import chip_error

    removed = classify_error(chip_error("card_removed"))
    assert (removed.kind, removed.reason, removed.actions[0]) == (
        "chip_unreadable",
        "card_removed",
        Action.rescan,
    )
    refused = classify_error(ChipRefused("altered", reason="dg_hash_mismatch"))
    assert (refused.kind, refused.reason) == ("chip_refused", "dg_hash_mismatch")


def test_kiosk_id_chip_with_a_reader_that_is_not_there(live_pcscd, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    config = _config(tmp_path, '[devices.chip_reader]\ntype = "pcsc"\nreader = "ACR122U"\n')
    args = ["id", "chip", "--json", "--config", str(config), "--number", "190012345"]
    assert kiosk_main([*args, "--birth", "1990-03-15", "--expiry", "2030-03-15"]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "chip reader is not connected" in err[0]
    assert kiosk_main([*args, "--birth", "15/03/1990", "--expiry", "2030-03-15"]) == 2
    assert "--birth must be YYYY-MM-DD" in capsys.readouterr().err
