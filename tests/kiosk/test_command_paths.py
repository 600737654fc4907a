"""Issue 25: bad paths given to the commands are one clear line and exit 2, never a traceback; `kiosk demo`
prints on the printers a config names."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest

from kiosk.cli import _error_line, exit_code_of
from kiosk.commands._common import CommandContext, check_output_file, output_folder, write_output_file
from kiosk.commands.audit import run_show, run_verify
from kiosk.commands.certify import named_printers, run_certify, run_demo
from kiosk.commands.reprint import run_reprint
from kiosk.config import load_config
from kiosk.errors import BadInputError


def one_line(exc: BaseException, command: str) -> str:
    assert exit_code_of(exc) == 2
    line = _error_line(command, exc)
    assert "\n" not in line and "Traceback" not in line
    return line


def test_out_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    file = tmp_path / "afile"
    file.write_text("x")
    with pytest.raises(BadInputError) as caught:
        output_folder(file)
    assert "must be a folder" in one_line(caught.value, "demo")
    with pytest.raises(BadInputError) as caught:
        output_folder(file / "sub")  # under a file: FileExistsError/NotADirectoryError before
    assert "is a file" in one_line(caught.value, "demo")
    made = output_folder(tmp_path / "new" / "deep")
    assert made.is_dir()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into any folder: the permission check cannot fail")
def test_out_that_cannot_be_written(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(BadInputError):
        output_folder(locked)


def test_output_file_that_is_a_folder_or_has_no_folder(tmp_path: Path) -> None:
    with pytest.raises(BadInputError) as caught:
        check_output_file(tmp_path, "--pdf")
    assert "is a folder" in one_line(caught.value, "sync lookup")
    with pytest.raises(BadInputError) as caught:
        write_output_file(tmp_path / "missing" / "x.pdf", b"%PDF", "--pdf")
    assert "does not exist" in one_line(caught.value, "sync lookup")
    with pytest.raises(BadInputError):
        check_output_file("/dev/null", "--pdf")  # a device is not a file to overwrite
    assert write_output_file(tmp_path / "x.pdf", b"%PDF", "--pdf").read_bytes() == b"%PDF"


def test_demo_and_certify_and_reprint_refuse_a_file_as_out(tmp_path: Path) -> None:
    file = tmp_path / "afile"
    file.write_text("x")
    calls = [
        (run_demo, "demo", {"out": str(file), "copies": 1, "pages": 1, "doc_type": "birth_certificate"}),
        (
            run_certify,
            "certify",
            {"out": str(file), "copies": 1, "card": "c", "live": ["l"], "document": ["d"]},
        ),
        (run_reprint, "reprint", {"out": str(file), "code": "HN001-000042-U", "card": "c", "live": ["l"]}),
    ]
    for handler, command, values in calls:
        args = argparse.Namespace(config=None, json=True, **values)
        with pytest.raises(BadInputError) as caught:
            handler(args, CommandContext(args))
        assert str(file) in one_line(caught.value, command), command
    assert file.read_text() == "x"  # nothing written over it


def test_reprint_refuses_a_folder_as_the_card(tmp_path: Path) -> None:
    args = argparse.Namespace(
        config=None,
        json=True,
        out=str(tmp_path / "out"),
        code="HN001-000042-U",
        card=str(tmp_path),
        live=["l"],
    )
    with pytest.raises(BadInputError) as caught:
        run_reprint(args, CommandContext(args))
    assert "is a directory" in one_line(caught.value, "reprint")


def test_audit_log_that_is_a_folder(tmp_path: Path) -> None:
    for handler, extra in ((run_show, {"tail": 5}), (run_verify, {"key": None})):
        args = argparse.Namespace(config=None, json=True, log=str(tmp_path), head=None, **extra)
        with pytest.raises(BadInputError) as caught:
            handler(args, CommandContext(args))
        assert "--log must be a file" in one_line(caught.value, "audit")


def test_named_printers(tmp_path: Path) -> None:
    assert named_printers(load_config(None)) == ()  # the simulated profile: the demo prints to files
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[devices.document_printer]\ntype = "pdf_folder"\nfolder = "{tmp_path / "a4"}"\n')
    assert named_printers(load_config(config)) == ("document_printer",)


@pytest.mark.slow
def test_demo_prints_on_the_configured_printer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A config that names the A4 printer (here a PDF folder of its own; a CUPS queue the same way): the
    demo's copy goes there, not to DATA/demo; the receipt, not named, goes to DATA/demo."""
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "data"))
    a4 = tmp_path / "a4-printer"
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[devices.document_printer]\ntype = "pdf_folder"\nfolder = "{a4}"\n')
    args = argparse.Namespace(
        config=str(config), json=True, out=None, copies=1, pages=1, doc_type="birth_certificate"
    )
    assert run_demo(args, CommandContext(args)) == 0
    printed = list(a4.glob("*.pdf"))
    assert len(printed) == 1 and printed[0].read_bytes().startswith(b"%PDF")
    assert list((tmp_path / "data" / "demo").glob("*.pdf")) == []
    assert list((tmp_path / "data" / "demo").glob("*.png"))  # the receipt, simulated
