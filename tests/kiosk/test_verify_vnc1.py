"""`kiosk verify` of an older copy (sealed VNC1 by the old code, tests/fixtures/vnc1): the PDF and a 300 dpi
picture of its printed page read VALID with the older-seal line (what it checks, what to compare by eye);
the same page with the holder's name changed, and the copy under a revoked kiosk key, do not."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.cli import main
from tests.signing.vnc1_seals import FIXTURE, golden_facts

REPO = Path(__file__).resolve().parents[2]
needs_ocr = pytest.mark.skipif(
    shutil.which("tesseract") is None or shutil.which("pdftoppm") is None,
    reason="tesseract and pdftoppm (poppler-utils) are needed to read a printed page",
)


@pytest.fixture
def verifier(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A kiosk data folder whose verifier trusts the fixture's throw-away city root and kiosk key."""
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[signing]\ntrust_paths = ["{FIXTURE / "trust"}"]\n', encoding="utf-8")
    env = {"KIOSK_DATA_DIR": str(tmp_path / "data"), "KIOSK_CONFIG": str(config)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("KIOSK_KEY_PASSPHRASE", raising=False)
    return env


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def printed_page(tmp_path: Path) -> np.ndarray:
    done = subprocess.run(
        ["pdftoppm", "-png", "-r", "300", "-singlefile", str(FIXTURE / "vnc1_copy.pdf"), str(tmp_path / "p")],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert done.returncode == 0
    image = cv2.imread(str(tmp_path / "p.png"))
    assert image is not None
    return image


def test_kiosk_verify_of_an_older_pdf_is_valid_with_the_older_seal_line(verifier, tmp_path):
    """The real command in a subprocess, as a checker runs it."""
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "verify", str(FIXTURE / "vnc1_copy.pdf")],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env={**os.environ, **verifier},
    )
    facts = golden_facts()
    assert done.returncode == 0, done.stdout + done.stderr
    first, *lines = done.stdout.splitlines()
    assert first.startswith(f"{FIXTURE / 'vnc1_copy.pdf'}: VALID: valid certified copy {facts['code']}")
    assert "older seal (VNC1)" in first
    out = done.stdout
    for line in (
        "DOCUMENT         BIRTH CERTIFICATE",
        f"NUMBER           {facts['doc_number']}",
        f"DATE             {facts['doc_date']}",
        f"HOLDER           {facts['holder_name']} (ID {facts['holder_masked_id']})",
        f"CODE             {facts['code']}",
        "STATUS: not checked (offline)",
    ):
        assert line in out, line
    older = next(line for line in lines if line.strip().startswith("Older seal (VNC1):"))
    assert "fewer fields" in older and "every page as issued" in older
    assert "REQUESTED BY" not in out  # an older seal names the document's holder
    assert done.stderr == ""


def test_kiosk_verify_json_names_the_format(verifier, capsys):
    code, out, _err = run(["verify", str(FIXTURE / "vnc1_copy.pdf"), "--json"], capsys)
    payload = json.loads(out)
    assert code == 0 and payload["valid"] is True
    assert payload["seal_format"] == "VNC1" and "older seal (VNC1)" in payload["older_seal"]
    assert payload["doc_number"] == golden_facts()["doc_number"]


def test_kiosk_verify_refuses_an_older_copy_under_a_revoked_kiosk_key(verifier, capsys, tmp_path):
    config = Path(verifier["KIOSK_CONFIG"])
    crl = FIXTURE / "crl" / "void_before_issue.pem"
    config.write_text(config.read_text(encoding="utf-8") + f'revocation_list = "{crl}"\n', encoding="utf-8")
    code, out, _err = run(["verify", str(FIXTURE / "vnc1_copy.pdf")], capsys)
    assert code == 1 and ": NOT VALID: " in out and "revoked" in out
    assert len(out.strip().splitlines()) == 1


@needs_ocr
def test_kiosk_verify_of_a_printed_older_page(verifier, capsys, tmp_path):
    photo = tmp_path / "page.png"
    cv2.imwrite(str(photo), printed_page(tmp_path))
    code, out, err = run(["verify", str(photo)], capsys)
    assert code == 0, out + err
    assert ": VALID: valid certified copy" in out and "page 1 of 1" in out
    note = next(line for line in out.splitlines() if line.strip().startswith("Older seal (VNC1):"))
    assert "compare the rest with the copy by eye" in note and "the document's number and date" in note


@needs_ocr
def test_kiosk_verify_refuses_a_printed_older_page_with_another_name(verifier, capsys, tmp_path):
    page = printed_page(tmp_path)
    grey = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    # the line "Ho va ten: NGUYEN VAN AN" (the second line of the page) rewritten with another name
    rows = np.where((grey < 128).sum(axis=1) > 0)[0]
    bands = np.split(rows, np.where(np.diff(rows) > 10)[0] + 1)
    name_band = bands[1]
    top, bottom = int(name_band[0]), int(name_band[-1])
    page[top - 5 : bottom + 5, :] = 255
    cv2.putText(
        page, "Ho va ten: TRAN VAN BAO", (240, bottom), cv2.FONT_HERSHEY_SIMPLEX, 2.0, (20, 20, 20), 4
    )
    photo = tmp_path / "forged.png"
    cv2.imwrite(str(photo), page)
    code, out, _err = run(["verify", str(photo)], capsys)
    assert code == 1 and ": NOT VALID: " in out, out
    assert "changed" in out or "not a page of" in out
