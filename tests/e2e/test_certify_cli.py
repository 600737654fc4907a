"""The headless spine: `kiosk certify` and `kiosk verify` on generated inputs, with real OCR, real face
verification, a real PAdES signature and a real SQLite store."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.cli import main
from tests.e2e.conftest import SHARED_FACES, write_image


def certify(visit_files, out: Path, capsys, **override) -> tuple[int, dict | None, str]:
    files = visit_files | override
    argv = ["certify", "--card", str(files["card"]), "--live", *map(str, files["live"])]
    argv += ["--document", *map(str, files["document"]), "--out", str(out), "--json"]
    code = main(argv)
    captured = capsys.readouterr()
    payload = json.loads(captured.out) if code == 0 else None
    return code, payload, captured.err


@pytest.fixture(scope="module")
def issued(tmp_path_factory, visit_files):
    """One certified copy, made once for the module through the real CLI entry point."""
    data = tmp_path_factory.mktemp("data")
    out = tmp_path_factory.mktemp("out")
    env = {"KIOSK_DATA_DIR": str(data)}
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        mp.delenv("KIOSK_CONFIG", raising=False)
        argv = ["certify", "--card", str(visit_files["card"]), "--live", *map(str, visit_files["live"])]
        argv += ["--document", *map(str, visit_files["document"]), "--out", str(out), "--json"]
        import contextlib
        import io

        stdout = io.StringIO()
        with contextlib.redirect_stdout(stdout):
            code = main(argv)
    assert code == 0
    return {"payload": json.loads(stdout.getvalue()), "data": data, "out": out}


def test_certify_prints_the_contract_keys_and_a_signed_pdf(issued):
    payload = issued["payload"]
    assert {"code", "pdf", "doc_type", "pages"} <= payload.keys()
    assert payload["doc_type"] == "birth_certificate"
    assert payload["pages"] == 1
    pdf = Path(payload["pdf"])
    assert pdf.is_file() and pdf.parent == issued["out"]
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert payload["holder"].startswith("001") and "*" in payload["holder"]


def test_pdfsig_reports_the_signature_valid(issued):
    result = subprocess.run(["pdfsig", issued["payload"]["pdf"]], capture_output=True, text=True, check=False)
    assert "Signature is Valid" in result.stdout, result.stdout + result.stderr


def test_verify_accepts_the_copy_and_rejects_a_changed_byte(issued, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(issued["data"]))
    pdf = Path(issued["payload"]["pdf"])
    assert main(["verify", str(pdf), "--json"]) == 0
    good = json.loads(capsys.readouterr().out)
    assert good["valid"] is True
    assert good["code"] == issued["payload"]["code"]
    assert good["pages"] == 1

    data = bytearray(pdf.read_bytes())
    middle = len(data) // 3
    data[middle] = (data[middle] + 1) % 256
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(bytes(data))
    assert main(["verify", str(forged), "--json"]) == 1
    bad = json.loads(capsys.readouterr().out)
    assert bad["valid"] is False
    assert bad["reason"]


def test_verify_reads_the_seal_off_a_150_dpi_picture_of_the_printout(issued, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(issued["data"]))
    prefix = tmp_path / "page"
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", issued["payload"]["pdf"], str(prefix)],
        check=True,
    )
    picture = next(tmp_path.glob("page*.png"))
    assert main(["verify", str(picture), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["valid"] is True
    assert result["code"] == issued["payload"]["code"]


def test_the_record_is_stored_with_personal_fields_encrypted(issued):
    import apsw

    db = next(issued["data"].rglob("*.db"))
    assert db.stat().st_mode & 0o077 == 0, "the store is private to the kiosk user"
    raw = db.read_bytes() + b"".join(p.read_bytes() for p in db.parent.glob(db.name + "-*"))
    assert b"001190012345" not in raw
    assert "NGUYỄN THỊ MINH ANH".encode() not in raw
    conn = apsw.Connection(str(db), flags=apsw.SQLITE_OPEN_READONLY)
    tables = [row[0] for row in conn.execute("select name from sqlite_master where type='table'")]
    assert tables, "the store has tables"
    conn.close()


def _assert_no_copy(out: Path, data: Path) -> None:
    assert not list(out.glob("*.pdf")), "no copy is printed for a failed visit"
    copies = data / "copies"
    assert not copies.exists() or not list(copies.glob("*.pdf")), "no copy is stored for a failed visit"


def test_a_file_that_is_not_an_image_stops_with_exit_2(visit_files, data_dir, tmp_path, capsys):
    junk = tmp_path / "card.png"
    junk.write_bytes(b"this is not a picture")
    out = tmp_path / "out"
    code, _, err = certify(visit_files, out, capsys, card=junk)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert str(junk) in err
    _assert_no_copy(out, data_dir)


def test_a_card_without_a_qr_stops_with_exit_2(visit_files, data_dir, tmp_path, capsys):
    plain = write_image(tmp_path / "plain.png", np.full((540, 856, 3), 235, np.uint8))
    out = tmp_path / "out"
    code, _, err = certify(visit_files, out, capsys, card=plain)
    assert code == 2
    assert "plain.png" in err
    _assert_no_copy(out, data_dir)


def test_an_empty_page_stops_with_exit_2_and_no_record(visit_files, data_dir, tmp_path, capsys):
    blank = write_image(tmp_path / "blank.png", np.full((3508, 2480, 3), 255, np.uint8))
    out = tmp_path / "out"
    code, _, err = certify(visit_files, out, capsys, document=[blank])
    assert code == 2
    assert "blank.png" in err
    _assert_no_copy(out, data_dir)


@pytest.mark.needs_faces
def test_another_persons_face_stops_with_exit_1_and_no_record(visit_files, data_dir, tmp_path, capsys):
    if not SHARED_FACES.is_dir():
        pytest.skip(f"face photos not found at {SHARED_FACES}")
    frame = cv2.imread(str(SHARED_FACES / "biden_1.jpg"))
    live = write_image(tmp_path / "someone_else.jpg", frame)
    out = tmp_path / "out"
    code, _, err = certify(visit_files, out, capsys, live=[live])
    assert code == 1
    assert "does not match" in err
    _assert_no_copy(out, data_dir)


def test_console_script_runs_the_demo_headless(data_dir, tmp_path):
    kiosk = shutil.which("kiosk") or str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "kiosk")
    out = tmp_path / "demo"
    result = subprocess.run(
        [kiosk, "demo", "--out", str(out), "--json"], capture_output=True, text=True, check=False, timeout=240
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert {"code", "pdf", "receipt"} <= payload.keys()
    assert Path(payload["pdf"]).is_file()
    assert payload["receipt"] and Path(payload["receipt"]).is_file()
    assert payload["verified"]["valid"] is True
    check = subprocess.run(["pdfsig", payload["pdf"]], capture_output=True, text=True, check=False)
    assert "Signature is Valid" in check.stdout


def test_the_fields_say_whether_the_original_shows_a_seal_and_a_signature(issued):
    # The officer's post-check reads these from the record: the OCR's colour marks reach the copy's fields.
    fields = issued["payload"]["fields"]
    assert fields["seal"] in {"present", "absent"}
    assert fields["signature"] in {"present", "absent"}
