"""`kiosk verify` at the command line: a genuine copy made by `kiosk demo` is VALID with the facts a checker
compares; a forgery gets one clear line and exit 1 with nothing on stderr; a file that is not a regular
file, or is too large, is refused before it is read (exit 2, one line) by every command that takes files."""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path

import pytest

from kiosk.cli import main
from tests.signing import attacks


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def demo_copy(tmp_path_factory):
    """A genuine copy made by the product (`kiosk demo`), in its own data folder."""
    data = tmp_path_factory.mktemp("data")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KIOSK_DATA_DIR", str(data))
        mp.delenv("KIOSK_CONFIG", raising=False)
        mp.delenv("KIOSK_KEY_PASSPHRASE", raising=False)
        stdout = io.StringIO()
        with contextlib.redirect_stdout(stdout):
            assert main(["demo", "--out", str(data / "out"), "--json"]) == 0
    payload = json.loads(stdout.getvalue())
    return {"data": data, "pdf": Path(payload["pdf"]), "code": payload["code"]}


@pytest.fixture
def in_demo_data(demo_copy, monkeypatch):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(demo_copy["data"]))
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.delenv("KIOSK_KEY_PASSPHRASE", raising=False)
    return demo_copy


def test_the_genuine_copy_is_valid_with_the_facts_a_checker_compares(in_demo_data, capsys):
    code, out, err = run(["verify", str(in_demo_data["pdf"])], capsys)
    assert code == 0, out + err
    assert "VALID" in out and in_demo_data["code"] in out
    # every sealed field in its own line, then who asked for the copy, the pages, the code, the issue time,
    # and the plain word that the status was not asked (issue 22)
    for label in (
        "DOCUMENT         BIRTH CERTIFICATE",
        "NAME ",
        "DATE OF BIRTH ",
        "MOTHER ",
        "FATHER ",
        "NUMBER ",
    ):
        assert label in out, label
    order = [
        out.index(word)
        for word in ("NAME ", "REQUESTED BY", "PAGES", "CODE", "ISSUED", "STATUS: not checked")
    ]
    assert order == sorted(order), out
    code, out, _err = run(["verify", str(in_demo_data["pdf"]), "--json"], capsys)
    payload = json.loads(out)
    assert payload["valid"] is True and payload["fields"]["full_name"]
    assert payload["requester"]["name"] and "*" in payload["requester"]["masked_id"]


@pytest.mark.parametrize(
    ("forge", "key"),
    [
        (attacks.signature_wrapping, "signature_wrapping"),
        (lambda pdf: attacks.update(pdf, attacks.overlay_content), "content_changed"),
        (lambda pdf: attacks.usf(pdf, "byterange_zeros"), "byterange_invalid"),
        (lambda pdf: attacks.usf(pdf, "no_byterange"), "byterange_missing"),
        (lambda pdf: attacks.update(pdf, attacks.shadow_hide), "content_changed"),
        (attacks.second_root, "ambiguous_syntax"),
        (attacks.duplicate_contents_key, "ambiguous_syntax"),
    ],
)
def test_a_forgery_gets_one_line_exit_1_and_a_quiet_stderr(in_demo_data, capsys, tmp_path, forge, key):
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(forge(in_demo_data["pdf"].read_bytes()))
    code, out, err = run(["verify", str(forged)], capsys)
    assert code == 1
    assert len(out.strip().splitlines()) == 1 and "NOT VALID" in out, out
    assert err == "", err
    code, out, err = run(["verify", str(forged), "--json"], capsys)
    assert (code, json.loads(out)["reason_key"], err) == (1, key, "")


def _bad_files(tmp_path: Path) -> dict[str, Path]:
    fifo = tmp_path / "fifo.png"
    os.mkfifo(fifo)
    link = tmp_path / "zero.pdf"
    link.symlink_to("/dev/zero")
    folder = tmp_path / "folder.png"
    folder.mkdir()
    huge = tmp_path / "huge.png"
    with huge.open("wb") as handle:  # sparse: no disk is used
        handle.truncate(300 * 1024 * 1024)
    return {
        "fifo": fifo,
        "dev_zero": Path("/dev/zero"),
        "symlink_to_dev_zero": link,
        "directory": folder,
        "huge": huge,
    }


@pytest.mark.parametrize("command", ["verify", "ocr", "id read", "certify"])
@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "symlink_to_dev_zero", "directory", "huge"])
def test_bad_files_are_refused_before_they_are_read(in_demo_data, capsys, tmp_path, command, kind):
    bad = str(_bad_files(tmp_path)[kind])
    argv = {
        "verify": ["verify", bad],
        "ocr": ["ocr", bad],
        "id read": ["id", "read", bad],
        "certify": ["certify", "--card", bad, "--live", bad, "--document", bad, "--out", str(tmp_path / "o")],
    }[command]
    code, out, err = run(argv, capsys)
    assert code == 2, out + err
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert bad in err
