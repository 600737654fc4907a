"""Older copies at the city (the VNC1 regression): an old kiosk's upload of a VNC1 copy is stored, the console
reads its sealed number and date, and /check gives its QR (a bare VNC1 seal, no token) an honest verdict:
VALID as an older seal with what that seal holds, only when it is the very seal the city stored; REVOKED,
void under a revoked kiosk key, or unknown otherwise; and a VNC1 seal dated after the cutover is refused.
The last test decodes the printed page in headless Chromium (jsQR) and shows the older-seal verdict."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backoffice import BackendDB, BackgroundServer
from backoffice.server import make_public_server
from backoffice.services.access_tokens import TokenBook
from backoffice.services.auth import add_user, audit_trail
from backoffice.services.postcheck import revoke
from backoffice.services.sealed_view import read_sealed
from backoffice.services.seals import SealChecker, load_trust
from backoffice.storage.at_rest import load_or_create_key
from backoffice.web.check_page import JSQR, TEXT, VENDOR_DIR, city_verdict
from backoffice.web.public import build_public_app
from kiosk.cli import main
from kiosk.copy_check.online_compare import online_verdict
from offline_sync.config import SyncConfig
from offline_sync.protocol import RecordUpload
from signing.code import make_code
from signing.kiosk_revocation import load_revocation_list
from signing.trust import load_certs
from tests.backoffice.browser import chromium
from tests.backoffice.helpers import PASSWORD
from tests.backoffice.test_check_page import printed_page, upload
from tests.signing.vnc1_seals import (
    AFTER_CUTOVER,
    FIXTURE,
    ThrowAwayKiosk,
    crl,
    golden_facts,
    golden_pdf,
    golden_seal,
)
from tests.sync.helpers import free_port

IP = "198.51.100.7"


def vnc1_record(**over: object) -> RecordUpload:
    """The record an old kiosk (before the VNC2 cutover) uploads for the golden copy."""
    facts, pdf = golden_facts(), golden_pdf()
    values: dict[str, object] = {
        "code": facts["code"],
        "kiosk_id": facts["kiosk_id"],
        "created_at": dt.datetime.fromisoformat(facts["issued_at"]),
        "doc_type": facts["doc_type"],
        "pages": 1,
        "pdf_sha256": hashlib.sha256(pdf).hexdigest(),
        "pdf": base64.b64encode(pdf).decode("ascii"),
        "holder_id": "001234567567",
        "holder_name": facts["holder_name"],
        "ocr_text": " ".join(facts["page_words"]),
        "fields": {"document_number": facts["doc_number"]},  # before issue 24: the OCR's reading
        "face_match": True,
        "face_distance": 0.31,
        "liveness": "blink",
    }
    values.update(over)
    return RecordUpload.model_validate(values)


@pytest.fixture
def city(tmp_path: Path) -> Iterator[BackendDB]:
    """The city's database, checking uploads against the fixture's (throw-away) city root."""
    checker = SealChecker(load_trust([FIXTURE / "trust" / "root.pem"]))
    db = BackendDB(
        str(tmp_path / "backend.sqlite3"),
        tmp_path / "blobs",
        data_key=load_or_create_key(tmp_path),
        seal_checker=checker,
    )
    yield db
    db.close()


def test_an_old_kiosks_vnc1_upload_is_stored_and_its_seal_read(city):
    # the record must still be the seal's: another holder name is refused, naming the field
    (wrong,) = city.ingest([vnc1_record(holder_name="TRAN VAN BAO")], "HN-001")
    assert (wrong.status, (wrong.error or "").split(":")[:2]) == (422, ["seal_mismatch", "holder_name"])
    (result,) = city.ingest([vnc1_record()], "HN-001")
    assert result.status == 201, result.error
    sealed = read_sealed(golden_pdf())
    assert sealed is not None
    facts = golden_facts()
    assert sealed.fields == {"document_number": facts["doc_number"], "issue_date": facts["doc_date"]}
    assert sealed.facts["code"] == facts["code"] and sealed.facts["requester_name"] == facts["holder_name"]


def test_check_gives_an_older_copys_qr_an_honest_verdict(city):
    assert city.ingest([vnc1_record()], "HN-001")[0].status == 201
    book = TokenBook(city)
    facts = golden_facts()
    answer = city_verdict(book, golden_seal(), IP)
    assert (answer["verdict"], answer["reason_key"], answer["seal_format"]) == (
        "VALID",
        "valid_older_seal",
        "VNC1",
    )
    sealed = dict(answer["sealed"])
    assert sealed["doc_number"] == facts["doc_number"] and sealed["doc_date"] == facts["doc_date"]
    assert sealed["holder_name"] == facts["holder_name"] and sealed["holder"] == facts["holder_masked_id"]
    assert "pages" not in answer and "view" not in answer  # no token: the issued pages are not offered
    for lang in ("vi", "en"):
        assert "VNC1" in TEXT[lang]["valid_older_seal"] and TEXT[lang]["older_seal_unknown"]
    actions = [(row["action"], row["detail"]) for row in audit_trail(city, facts["code"])]
    assert ("copy.older_seal_check", "valid_older_seal") in actions

    # under the kiosk key's revocation from before the copy: void; from after it: still valid
    root = load_certs(FIXTURE / "trust" / "root.pem")
    void = load_revocation_list(crl("void_before_issue.pem"), root)
    later = load_revocation_list(crl("void_after_issue.pem"), root)
    assert city_verdict(book, golden_seal(), IP, void)["reason_key"] == "seal_revoked"
    assert city_verdict(book, golden_seal(), IP, later)["verdict"] == "VALID"

    add_user(city, "hoa.nt", PASSWORD, "admin", "Nguyễn Thị Hoa")
    revoke(city, facts["code"], username="hoa.nt", reason="Nguyễn Văn An", reason_code="identity_doubt")
    revoked = city_verdict(book, golden_seal(), IP)
    assert (revoked["verdict"], revoked["reason_key"]) == ("REVOKED", "revoked")
    assert revoked["revoked_reason"] == "identity_doubt" and "sealed" not in revoked


def test_check_refuses_older_seals_the_city_did_not_store(city):
    assert city.ingest([vnc1_record()], "HN-001")[0].status == 201
    book = TokenBook(city)
    forger = (
        ThrowAwayKiosk.make()
    )  # a (leaked) kiosk key: its VNC1 seal for the same code is not the stored one
    for text, key in (
        (forger.v1_seal(), "older_seal_unknown"),
        (
            forger.v1_seal(code=make_code("HN", "HN-001", 4243)),
            "older_seal_unknown",
        ),  # a code the city does not hold
        (forger.v1_seal(iat=AFTER_CUTOVER), "older_seal_late"),
        ("VNC1:" + "A" * 60, "not_seal"),
        (golden_seal()[:80], "not_seal"),
    ):
        answer = city_verdict(book, text, IP)
        assert (answer["verdict"], answer["reason_key"]) == ("NOT VALID", key), text[:40]
        assert "sealed" not in answer
    # an older seal behind a web address is no QR the city issued
    behind = city_verdict(
        book, f"https://city.example/v/{golden_facts()['code']}?t={'a' * 26}#" + golden_seal(), IP
    )
    assert (behind["verdict"], behind["reason_key"]) == ("NOT VALID", "not_seal")


@pytest.fixture
def public_city(city: BackendDB) -> Iterator[str]:
    assert city.ingest([vnc1_record()], "HN-001")[0].status == 201
    port = free_port()
    server = BackgroundServer(
        make_public_server(build_public_app(city, vendor_dir=VENDOR_DIR), port=port)
    ).start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def test_check_verdict_over_http(public_city):
    with httpx.Client(base_url=public_city, timeout=60) as client:
        answer = client.post("/check/verdict", json={"qr": golden_seal()})
        assert answer.status_code == 200, answer.text
        assert answer.json()["reason_key"] == "valid_older_seal"
        html = client.get("/check?lang=en").text
        assert 'id="sealed"' in html and "valid_older_seal" in html


def test_kiosk_verify_online_asks_the_city_about_an_older_copy(
    public_city, city, tmp_path, monkeypatch, capsys
):
    """`kiosk verify --online` of an older copy: no token, so the city is asked whether the QR is the very
    seal it stored (its /check verdict); a forged VNC1 seal for the same code is NOT VALID, a revoked copy
    REVOKED."""
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[signing]\ntrust_paths = ["{FIXTURE / "trust"}"]\n', encoding="utf-8")
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "kiosk-data"))
    monkeypatch.setenv("KIOSK_CONFIG", str(config))
    pdf = tmp_path / "older.pdf"
    pdf.write_bytes(golden_pdf())
    code = main(["verify", str(pdf), "--online", "--status-url", public_city])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.startswith(f"{pdf}: VALID: the city holds this copy") and "older seal (VNC1)" in out
    assert "Older seal (VNC1):" in out and golden_facts()["doc_number"] in out

    forged = ThrowAwayKiosk.make().v1_seal()  # a VNC1 seal for the same code, made with another key
    said = online_verdict(SyncConfig(), forged, url=public_city)
    assert (said.verdict, said.reason_key, said.exit_code) == ("NOT VALID", "record_mismatch", 1)
    add_user(city, "hoa.nt", PASSWORD, "admin", "Nguyễn Thị Hoa")
    revoke(city, golden_facts()["code"], username="hoa.nt", reason="x", reason_code="identity_doubt")
    code = main(["verify", str(pdf), "--online", "--status-url", public_city])
    out = capsys.readouterr().out
    assert code == 1 and out.startswith(f"{pdf}: REVOKED: "), out


@pytest.mark.skipif(
    not (VENDOR_DIR / JSQR).is_file(), reason="jsQR is not installed: run `bash systemd/kiosk-dev.sh setup`"
)
def test_check_in_chromium_shows_an_older_copy_as_an_older_seal(public_city, tmp_path):
    photo = tmp_path / "vnc1-page.png"
    printed_page(golden_pdf()).save(photo)
    with chromium(420, 900) as driver:
        assert upload(driver, public_city, photo) == ("VALID", "valid_older_seal")
        detail = driver.find_element("id", "detail").text  # type: ignore[attr-defined]
        assert "Older seal (VNC1)" in detail and "by eye" in detail
        values = {
            dd.get_attribute("data-key"): dd.text
            for dd in driver.find_elements("css selector", "#sealed dd")  # type: ignore[attr-defined]
        }
        assert values["doc_number"] == golden_facts()["doc_number"]
        assert values["holder_name"] == golden_facts()["holder_name"]
        assert not driver.find_elements("id", "page-1")  # type: ignore[attr-defined]
        driver.save_screenshot(str(tmp_path / "check-older-copy.png"))  # type: ignore[attr-defined]
