"""The command line's contract: one-line errors that name the input, and the exit codes of docs/ARCHITECTURE.md."""

from __future__ import annotations

import json

import pytest

from kiosk.cli import build_parser, main
from kiosk.commands import COMMAND_MODULES


def test_every_command_module_registers_and_takes_config():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    names = set(sub.choices)
    assert {"certify", "demo", "verify", "config", "ocr", "id", "keys", "devices", "sync", "run"} <= names
    assert len(COMMAND_MODULES) >= 10


def test_no_command_prints_usage_and_exits_2(capsys):
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err


def test_unknown_option_is_a_usage_error():
    with pytest.raises(SystemExit) as caught:
        main(["verify", "--bogus"])
    assert caught.value.code == 2


def test_verify_missing_file_is_one_line_naming_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "data"))
    missing = tmp_path / "nope.pdf"
    assert main(["verify", str(missing), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert lines == [f"kiosk verify: {missing}: file not found"]


def test_verify_a_text_file_is_bad_input(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "data"))
    text = tmp_path / "note.txt"
    text.write_text("hello", encoding="utf-8")
    assert main(["verify", str(text)]) == 2
    err = capsys.readouterr().err
    assert str(text) in err and "neither a PDF nor a readable image" in err


def test_config_check_json_is_one_object(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    assert main(["config", "check", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["profile"] == "simulated"
