"""The composition root: secrets checked at start on a real kiosk, audit wired to the kiosk key."""

from __future__ import annotations

import pytest

from kiosk.app import KioskApp
from kiosk.config import load_config
from kiosk.runtime.security import InsecureFileError


def _hardware_config(tmp_path, mode: int):
    file = tmp_path / "kiosk.toml"
    file.write_text(f'profile = "hardware"\n[kiosk]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    file.chmod(mode)
    return load_config(file)


def test_a_real_kiosk_refuses_a_config_others_can_read(tmp_path):
    config = _hardware_config(tmp_path, 0o644)
    with pytest.raises(InsecureFileError, match=r"chmod 600 .*kiosk\.toml"):
        KioskApp(config)


def test_a_real_kiosk_refuses_a_loose_key_file(tmp_path):
    config = _hardware_config(tmp_path, 0o600)
    keys = tmp_path / "data" / "keys"
    keys.mkdir(parents=True, mode=0o700)
    (keys / "data.key").write_bytes(b"k" * 32)
    (keys / "data.key").chmod(0o640)
    with pytest.raises(InsecureFileError, match=r"data\.key"):
        KioskApp(config)
    (keys / "data.key").chmod(0o600)
    KioskApp(config).close()


def test_the_simulated_profile_does_not_check_by_default(tmp_path):
    file = tmp_path / "dev.toml"
    file.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    file.chmod(0o644)
    KioskApp(load_config(file)).close()


def test_key_use_is_audited_with_a_signed_checkpoint(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    with KioskApp(load_config()) as app:
        app.audit.record("key.used", code="HN001-000001-B", purpose="test")
        app.audit.checkpoint()
        report = app.audit.verify()
    assert report.ok
    assert report.signed_checkpoints >= 1
