"""The config file: strict, layered over a profile, and explicit about what is wrong."""

from __future__ import annotations

import pytest

from kiosk.cli import main
from kiosk.config import load_config, parse_config
from kiosk.errors import ConfigError


def test_defaults_are_the_simulated_profile(monkeypatch, tmp_path):
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    config = load_config()
    assert config.profile == "simulated"
    assert config.devices.scanner.type == "simulated"
    assert config.devices.document_printer.type == "pdf_folder"
    assert config.data_dir == tmp_path


def test_hardware_profile_picks_real_devices_and_the_file_overrides_it(tmp_path):
    file = tmp_path / "kiosk.toml"
    file.write_text('profile = "hardware"\n[devices.document_printer]\nqueue = "a4-hall"\n', encoding="utf-8")
    config = load_config(file)
    assert config.devices.scanner.type == "sane"
    assert config.devices.document_printer.type == "cups"
    assert config.devices.document_printer.queue == "a4-hall"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[devices.scanner]\ntyp = 'sane'\n", "unknown key 'devices.scanner.typ'"),
        ("[kiosk]\nid = 'lower case'\n", "key 'kiosk.id'"),
        ("[ocr]\npage_timeout_s = -1\n", "key 'ocr.page_timeout_s'"),
        ("profile = 'mars'\n", "key 'profile': unknown profile 'mars'"),
        ("[kiosk\n", "not valid TOML"),
        ("colour = 'blue'\n", "unknown key 'colour'"),
    ],
)
def test_errors_name_the_file_and_the_key(tmp_path, text, expected):
    file = tmp_path / "bad.toml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(file)
    message = str(caught.value)
    assert message.startswith(str(file))
    assert expected in message


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")


def test_relative_paths_resolve_against_the_data_folder(tmp_path):
    config = parse_config({"kiosk": {"data_dir": str(tmp_path)}})
    assert config.path("kiosk.db") == tmp_path / "kiosk.db"
    assert config.path("/etc/kiosk/x").as_posix() == "/etc/kiosk/x"


def test_config_check_command(tmp_path, capsys):
    good = tmp_path / "good.toml"
    good.write_text("[kiosk]\nid = 'HN-007'\n", encoding="utf-8")
    assert main(["config", "check", str(good), "--json"]) == 0
    assert '"valid": true' in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text("[kiosk]\nidd = 'HN-007'\n", encoding="utf-8")
    assert main(["config", "check", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0] == f"kiosk config check: {bad}: unknown key 'kiosk.idd'"


def test_config_check_warns_when_vietqr_has_no_backend(tmp_path, capsys):
    """`kiosk run` on hardware with VietQR but no backend makes every visit pay cash: say so (exit 0)."""
    no_backend = tmp_path / "no_backend.toml"
    no_backend.write_text("profile = 'hardware'\n[payment]\nmode = 'vietqr'\n", encoding="utf-8")
    assert main(["config", "check", str(no_backend)]) == 0
    out, err = capsys.readouterr()
    assert "OK" in out
    warnings = err.strip().splitlines()
    assert len(warnings) == 1 and warnings[0].startswith("kiosk config check: warning: ")
    assert "cash at the counter" in warnings[0] and "backend_url" in warnings[0]
    assert main(["config", "check", str(no_backend), "--json"]) == 0
    out, err = capsys.readouterr()
    assert '"warnings": ["[payment] mode' in out and "cash at the counter" in err

    with_backend = tmp_path / "with_backend.toml"
    with_backend.write_text(
        "profile = 'hardware'\n[sync]\nbackend_url = 'https://backend.example:8443'\n", encoding="utf-8"
    )
    assert main(["config", "check", str(with_backend)]) == 0
    assert capsys.readouterr().err == ""
    paid_off = tmp_path / "paid_off.toml"
    paid_off.write_text("profile = 'hardware'\n[payment]\nmode = 'off'\n", encoding="utf-8")
    assert main(["config", "check", str(paid_off)]) == 0
    assert capsys.readouterr().err == ""
