"""Issue 24 end to end: a real visit (`kiosk demo`: OCR of the scanned page, the seal, the store, the sync
worker's upload body) under the test city's kiosk key. The city accepts the genuine record (its fields are
the sealed ones), refuses the same record with one subject field changed, and the officer's console shows
the copy's OCR reading and the words OCR was unsure of."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from backoffice.services.auth import add_user
from backoffice.services.seals import load_trust
from kiosk.app import KioskApp
from kiosk.cli import main as kiosk_main
from kiosk.config import load_config
from offline_sync.worker import record_json
from signing.ingest_check import verify_upload
from tests.backoffice.console_helpers import officer_client
from tests.backoffice.helpers import OFFICER, OFFICER_NAME, PASSWORD, WARD, BackOffice, Kiosks


@pytest.fixture(scope="module")
def visit(kiosks: Kiosks, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    """`kiosk demo` on a kiosk HN-001 holding the test city's seal key; the record's upload body as the
    sync worker sends it. Made once for the module (a visit takes about 20 s)."""
    folder = tmp_path_factory.mktemp("kiosk")
    keys = folder / "data" / "keys"
    shutil.copytree(kiosks.data("HN-001") / "keys", keys)
    config_path = folder / "kiosk.toml"
    config_path.write_text(f'[kiosk]\nid = "HN-001"\ndata_dir = "{folder / "data"}"\n', encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert kiosk_main(["demo", "--json", "--config", str(config_path), "--out", str(folder / "out")]) == 0
    code = json.loads(out.getvalue())["code"]
    with KioskApp(load_config(config_path)) as kiosk:
        record = kiosk.store.get_record(code)
        assert record is not None and record.pdf_path
        body = json.loads(record_json(record, Path(record.pdf_path).read_bytes()))
    return code, body


def test_the_kiosks_record_carries_the_sealed_fields_and_its_ocr_apart(
    kiosks: Kiosks, visit: tuple[str, dict[str, Any]]
) -> None:
    _code, body = visit
    verdict = verify_upload(base64.b64decode(body["pdf"]), load_trust([kiosks.root_cert]))
    assert verdict.valid, verdict.reason
    assert verdict.fields and body["fields"] == verdict.fields  # one truth: the record's fields are sealed
    assert body["ocr_fields"]["seal"] in ("present", "absent")  # the paper's marks are OCR's, apart
    assert set(body["ocr_fields"]) > set(body["fields"])
    assert isinstance(body["ocr_low_words"], list)


def test_the_city_accepts_the_genuine_copy_refuses_it_altered_and_shows_its_ocr(
    sqlite_office: BackOffice, visit: tuple[str, dict[str, Any]]
) -> None:
    office = sqlite_office
    code, body = visit
    assert body["ocr_low_words"], "the demo page has words OCR is unsure of (the console marks them)"
    for key in ("full_name", "date_of_birth", "document_number"):
        forged = {**body, "fields": {**body["fields"], key: body["fields"][key] + "1"}}
        answer = office.upload(forged)
        assert answer.status_code == 422 and f"seal_mismatch:fields.{key}" in answer.text, answer.text
    answer = office.upload(body)
    assert answer.status_code == 201, answer.text

    assert office.db is not None
    add_user(office.db, OFFICER, PASSWORD, "officer", OFFICER_NAME, ward=WARD)
    with officer_client(office) as client:
        page = client.get(f"/console/copies/{code}")
    assert page.status_code == 200, page.text[:300]
    html = page.text
    low = html[html.index('id="low-words"') :].split("</p>", 1)[0]
    for word in body["ocr_low_words"]:
        assert f'<span class="w low">{word}</span>' in low
    # The OCR rows are the record's ocr_fields (what the seal does not carry included), not its fields.
    ocr_only = set(body["ocr_fields"]) - set(body["fields"]) - {"seal", "signature"}
    assert ocr_only
    for key in ocr_only:
        assert f'data-key="{key}"' in html
