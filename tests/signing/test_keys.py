"""Development keys: encrypted PKCS#8 with a passphrase from a file or the environment, idempotent,
private files at 0600, certificate expiry warnings, and the `kiosk keys` commands."""

from __future__ import annotations

import datetime as dt
import json
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from pydantic import ValidationError

from kiosk.cli import main as kiosk_main
from signing.config import SigningConfig
from signing.errors import KeyUnavailableError
from signing.keys import SEAL_KEY, certificate_status, init_dev_keys, load_cert, load_seal_signer
from signing.trust import load_trust_store
from tests.signing.sign_helpers import AUTHORITY, KIOSK


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_dev_makes_encrypted_keys_with_a_private_passphrase_file(tmp_path, monkeypatch):
    monkeypatch.delenv("KIOSK_KEY_PASSPHRASE", raising=False)
    config = SigningConfig()
    paths = init_dev_keys(config, tmp_path, authority=AUTHORITY, kiosk_id=KIOSK)
    assert paths.created
    assert paths.passphrase_file == tmp_path / "keys" / "passphrase"
    for secret in (paths.passphrase_file, paths.seal_key, paths.root_key):
        assert _mode(secret) == 0o600, secret
    pem = paths.seal_key.read_bytes()
    assert b"BEGIN ENCRYPTED PRIVATE KEY" in pem
    with pytest.raises(TypeError):
        serialization.load_pem_private_key(pem, password=None)
    signer = load_seal_signer(config, tmp_path)
    assert signer.cert.public_bytes(serialization.Encoding.DER) == load_cert(paths.seal_cert).public_bytes(
        serialization.Encoding.DER
    )
    trust = load_trust_store(config, tmp_path)
    assert len(trust.roots) == 1
    assert trust.chain_problem(signer.cert, dt.datetime.now(dt.UTC)) is None


def test_init_dev_is_idempotent(tmp_path, monkeypatch):
    monkeypatch.delenv("KIOSK_KEY_PASSPHRASE", raising=False)
    config = SigningConfig()
    first = init_dev_keys(config, tmp_path, authority=AUTHORITY, kiosk_id=KIOSK)
    before = {
        p: p.read_bytes() for p in (first.seal_cert, first.seal_key, first.root_cert, first.passphrase_file)
    }
    second = init_dev_keys(config, tmp_path, authority=AUTHORITY, kiosk_id=KIOSK)
    assert not second.created
    assert {p: p.read_bytes() for p in before} == before


def test_passphrase_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_TEST_PASS", "correct horse battery staple")
    config = SigningConfig(passphrase_env="KIOSK_TEST_PASS")
    paths = init_dev_keys(config, tmp_path, authority=AUTHORITY, kiosk_id=KIOSK)
    assert paths.passphrase_file is None
    assert not (tmp_path / "keys" / "passphrase").exists()
    assert load_seal_signer(config, tmp_path).kid
    monkeypatch.setenv("KIOSK_TEST_PASS", "wrong")
    with pytest.raises(KeyUnavailableError, match="wrong passphrase"):
        load_seal_signer(config, tmp_path)
    monkeypatch.delenv("KIOSK_TEST_PASS")
    with pytest.raises(KeyUnavailableError, match="no key passphrase"):
        load_seal_signer(config, tmp_path)


def test_missing_keys_are_a_clear_error(tmp_path):
    with pytest.raises(KeyUnavailableError, match="init-dev"):
        load_seal_signer(SigningConfig(), tmp_path)


def test_config_has_no_place_for_the_passphrase():
    with pytest.raises(ValidationError):
        SigningConfig(passphrase="secret")  # type: ignore[call-arg]


def test_a_key_that_does_not_match_the_certificate_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("KIOSK_KEY_PASSPHRASE", raising=False)
    config = SigningConfig()
    init_dev_keys(config, tmp_path, authority=AUTHORITY, kiosk_id=KIOSK)
    (tmp_path / "keys" / SEAL_KEY).write_bytes((tmp_path / "keys" / "city-root-ca.key.pem").read_bytes())
    with pytest.raises(KeyUnavailableError, match="does not belong"):
        load_seal_signer(config, tmp_path)


def test_expiry_warning_thirty_days_ahead(dev_keys):
    config, data_dir = dev_keys
    cert = load_cert(data_dir / "keys" / "kiosk-seal.pem")
    end = cert.not_valid_after_utc
    assert certificate_status(config, data_dir, now=end - dt.timedelta(days=31)).warning is None
    soon = certificate_status(config, data_dir, now=end - dt.timedelta(days=29, hours=12))
    assert soon.warning is not None and "expires in 29 days" in soon.warning
    gone = certificate_status(config, data_dir, now=end + dt.timedelta(days=1))
    assert gone.warning is not None and "expired" in gone.warning


def _config_file(tmp_path, extra: str = "") -> str:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n\n[signing]\n{extra}\n', encoding="utf-8")
    return str(path)


def test_keys_commands(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("KIOSK_KEY_PASSPHRASE", raising=False)
    config = _config_file(tmp_path)
    assert kiosk_main(["keys", "init-dev", "--config", config, "--json"]) == 0
    created = json.loads(capsys.readouterr().out)
    assert created["created"] is True
    assert kiosk_main(["keys", "init-dev", "--config", config, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["created"] is False
    assert kiosk_main(["keys", "show", "--config", config, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["warning"] is None
    # Seal certificates are short-lived (issue 22): 90 days by default, renewed over the sync link before
    # expiry; the dev certificate starts 5 minutes back (clock skew) and ends 90 days on, not a year.
    assert SigningConfig().dev_seal_days == 90
    span = dt.datetime.fromisoformat(shown["not_after"]) - dt.datetime.fromisoformat(shown["not_before"])
    assert span == dt.timedelta(days=90, minutes=5)
    assert shown["days_left"] == 89  # 90 days less the seconds since it was made
    assert shown["renewal_due"] is False  # 89 days left, renewed from 45 days before expiry
    assert "Development City Root CA" in shown["trust_roots"][0]


def test_keys_show_warns_when_expiry_is_near(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("KIOSK_KEY_PASSPHRASE", raising=False)
    config = _config_file(tmp_path, "dev_seal_days = 20")
    assert kiosk_main(["keys", "init-dev", "--config", config]) == 0
    capsys.readouterr()
    assert kiosk_main(["keys", "show", "--config", config]) == 0
    out = capsys.readouterr().out
    assert out.startswith("WARNING: the seal certificate expires in 19 days")


def test_keys_show_without_keys_fails_clearly(tmp_path, capsys):
    assert kiosk_main(["keys", "show", "--config", _config_file(tmp_path)]) == 3
    assert "init-dev" in capsys.readouterr().err
