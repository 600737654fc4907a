"""A CCCD chip without DG13 is a flagged outcome (kiosk.identity.chip: ``dg13_absent``, the card's name
checked against the MRZ only); the flag goes with the visit into the record, the sync upload, the city's
post-check flags and the officer's copy page, in Vietnamese first and in English.

The visit is a real one on the simulated profile (the flow, OCR, the face, the seal, the store, the sync
worker's upload body) under the test city's kiosk key, with a chip issued without DG13 laid on the
simulated reader; a second visit with the usual chip carries no flag at all (the record's fingerprint is
then what it was before the field existed)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from backoffice.services.auth import add_user
from backoffice.services.risk import risk_flags
from backoffice.web.i18n import translator
from kiosk.app import KioskApp
from kiosk.commands.certify import printing_to
from kiosk.config import load_config
from kiosk.flow import ImmediateRunner, VisitFlow
from kiosk.flow.adapter import PipelineServices
from kiosk.flow.headless import certify_visit
from kiosk.identity.cccd import CardData
from kiosk.identity.chip.issue import issue_chip
from kiosk.samples.card import sample_portrait
from kiosk.samples.glass import DEMO_CITIZEN
from offline_sync.protocol import RecordUpload
from offline_sync.worker import record_json
from tests.backoffice.console_helpers import officer_client, visible_text
from tests.backoffice.helpers import OFFICER, OFFICER_NAME, PASSWORD, WARD, BackOffice, Kiosks
from tests.sync.test_record_fingerprint import OLD_BODY, OLD_FINGERPRINT

VI_FLAG = "Chip CCCD không có DG13: họ tên chỉ đối chiếu với MRZ"
EN_FLAG = "CCCD chip without DG13: name checked against the MRZ only"


def _visit(app: KioskApp, *, dg13: bool) -> tuple[tuple[str, ...], dict[str, Any]]:
    """One certify visit with the sample citizen's chip, issued with or without DG13: the visit's flags
    and the record's upload body as the sync worker sends it."""
    assert app.glass is not None and app.chip_pki is not None and app.devices.chip_reader is not None
    chip = issue_chip(CardData(**DEMO_CITIZEN), sample_portrait(), app.chip_pki, dg13=dg13).chip()
    app.devices.chip_reader.place(chip)  # type: ignore[attr-defined]
    app.glass.set_document("birth_certificate", pages=1)
    flow = VisitFlow(PipelineServices.of(app), ImmediateRunner(), temp_root=app.folder("tmp"))
    copy = certify_visit(flow, pages=1)
    flags = flow.visit.identity_flags
    flow.finish()
    record = app.store.get_record(copy.code)
    assert record is not None and record.pdf_path
    return flags, json.loads(record_json(record, Path(record.pdf_path).read_bytes()))


@pytest.fixture(scope="module")
def visits(kiosks: Kiosks, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[bool, Any]]:
    """Kiosk HN-001 (holding the test city's seal key) on the simulated profile, payment off; one visit
    with a DG13-less chip and one with the usual chip. Made once for the module (a visit takes ~20 s)."""
    folder = tmp_path_factory.mktemp("kiosk")
    shutil.copytree(kiosks.data("HN-001") / "keys", folder / "data" / "keys")
    config_path = folder / "kiosk.toml"
    config_path.write_text(
        f'[kiosk]\nid = "HN-001"\ndata_dir = "{folder / "data"}"\n[payment]\nmode = "off"\n', encoding="utf-8"
    )
    config = printing_to(load_config(config_path), folder / "out", simulated=True)
    with KioskApp(config) as app:
        yield {dg13: _visit(app, dg13=dg13) for dg13 in (False, True)}


@pytest.mark.slow
def test_the_visit_and_its_record_carry_dg13_absent(visits: dict[bool, Any]) -> None:
    flags, body = visits[False]
    assert flags == ("dg13_absent",)
    assert body["identity_source"] == "chip" and body["identity_flags"] == ["dg13_absent"]
    assert "dg13_absent" in risk_flags(body)
    # The threshold the face was decided against travels with the distance (dlib's, the default model).
    assert body["face_threshold"] == 0.55 and body["face_distance"] <= 0.55
    # The usual chip raises no flag: nothing in the record, so its fingerprint has no trace of the field.
    usual_flags, usual = visits[True]
    assert usual_flags == () and usual.get("identity_flags") is None
    assert "dg13_absent" not in risk_flags(usual)


def test_an_empty_or_absent_flag_list_keeps_the_old_fingerprint_and_junk_is_refused() -> None:
    for empty in ([], None):
        assert (
            RecordUpload.model_validate({**OLD_BODY, "identity_flags": empty}).fingerprint()
            == OLD_FINGERPRINT
        )
    flagged = RecordUpload.model_validate({**OLD_BODY, "identity_flags": ["dg13_absent"]})
    assert flagged.fingerprint() != OLD_FINGERPRINT
    for junk in (["DG13 absent"], ["x" * 41], [""], ["dg13_absent"] * 17, "dg13_absent", [7]):
        with pytest.raises(ValidationError):
            RecordUpload.model_validate({**OLD_BODY, "identity_flags": junk})


@pytest.mark.slow
def test_the_officer_sees_the_flag_on_the_copy_page_and_in_the_queue(
    sqlite_office: BackOffice, visits: dict[bool, Any]
) -> None:
    office = sqlite_office
    _flags, body = visits[False]
    _usual_flags, usual = visits[True]
    for record in (body, usual):
        answer = office.upload(record)
        assert answer.status_code == 201, answer.text
    assert office.db is not None
    add_user(office.db, OFFICER, PASSWORD, "officer", OFFICER_NAME, ward=WARD)
    with officer_client(office) as client:
        page_vi = client.get(f"/console/copies/{body['code']}")
        page_en = client.get(f"/console/copies/{body['code']}?lang=en")
        usual_page = client.get(f"/console/copies/{usual['code']}?lang=vi")
        queue = client.get("/console?flag=dg13_absent&lang=vi")
    for page in (page_vi, page_en, usual_page, queue):
        assert page.status_code == 200, page.text[:300]
    risks = re.search(r'<p class="risks" id="risks">(.*?)</p>', page_vi.text, re.S)
    assert risks and VI_FLAG in visible_text(risks.group(1))
    assert EN_FLAG in visible_text(page_en.text) and "dg13_absent" not in visible_text(page_en.text)
    assert VI_FLAG not in visible_text(usual_page.text)
    # The queue's risk filter knows the flag and finds this copy only.
    assert body["code"] in queue.text and usual["code"] not in queue.text
    assert translator("vi").flag("dg13_absent") == VI_FLAG and translator("en").flag("dg13_absent") == EN_FLAG
