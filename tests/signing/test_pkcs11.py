"""The seal key on a real SoftHSM2 token, created and destroyed by the test: keys init-dev, issue, verify."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from signing.certify import issue_certified_copy
from signing.code import make_code
from signing.config import SigningConfig
from signing.errors import KeyUnavailableError
from signing.keys import init_dev_keys, load_seal_signer
from signing.trust import load_trust_store
from signing.verify import verify_pdf, verify_seal_text
from tests.signing.sign_helpers import AUTHORITY, copy_meta, copy_page
from tests.softhsm import shared_token_conf

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN = "kiosk-test"
PIN_ENV = "KIOSK_TEST_PKCS11_PIN"

pytestmark = pytest.mark.skipif(
    not (Path(MODULE).is_file() and shutil.which("softhsm2-util")), reason="SoftHSM2 is not installed"
)


@pytest.fixture(scope="module")
def softhsm_token():
    """A fresh SoftHSM2 token in the run's shared token folder (SOFTHSM2_CONF is read at C_Initialize)."""
    shared_token_conf()  # one token folder for the whole run: SoftHSM2 reads its config once
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            TOKEN,
            "--so-pin",
            "12345678",
            "--pin",
            "246810",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    yield "246810"
    subprocess.run(
        ["softhsm2-util", "--delete-token", "--token", TOKEN], capture_output=True, timeout=60, check=False
    )


def _config(**overrides) -> SigningConfig:
    values = {
        "key_backend": "pkcs11",
        "pkcs11_module": MODULE,
        "pkcs11_token_label": TOKEN,
        "pkcs11_pin_env": PIN_ENV,
        "passphrase_env": "KIOSK_TEST_UNSET_PASSPHRASE",
    }
    values.update(overrides)
    return SigningConfig(**values)


def test_token_key_signs_a_copy_end_to_end(softhsm_token, tmp_path, monkeypatch):
    monkeypatch.setenv(PIN_ENV, softhsm_token)
    config = _config()
    paths = init_dev_keys(config, tmp_path, authority=AUTHORITY, kiosk_id="HN-009")
    assert paths.seal_key is None  # the key is on the token, not on disk
    assert not any(p.name.startswith("kiosk-seal.key") for p in paths.keys_dir.iterdir())
    again = init_dev_keys(config, tmp_path, authority=AUTHORITY, kiosk_id="HN-009")
    assert not again.created
    # The certificate is on the token too: the signer still works without the file.
    saved = paths.seal_cert.read_bytes()
    paths.seal_cert.unlink()
    with load_seal_signer(config, tmp_path) as from_token:
        assert from_token.cert.public_bytes(serialization.Encoding.PEM) == saved
    paths.seal_cert.write_bytes(saved)

    with load_seal_signer(config, tmp_path) as signer:
        assert type(signer).__name__ == "Pkcs11SealSigner"
        copy = issue_certified_copy(
            [copy_page(11), copy_page(12)],
            copy_meta(900, kiosk_id="HN-009", code=make_code("HN", "HN-009", 900)),
            signer,
        )
    trust = load_trust_store(config, tmp_path)
    result = verify_pdf(copy.pdf, trust)
    assert result.valid, result.reason
    assert verify_seal_text(copy.seal, trust).valid
    pdf = tmp_path / "copy.pdf"
    pdf.write_bytes(copy.pdf)
    out = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True, timeout=60, check=False).stdout
    assert "Signature is Valid." in out


def test_token_key_is_not_extractable(softhsm_token, tmp_path, monkeypatch):
    import pkcs11
    from pkcs11 import Attribute, ObjectClass

    from signing.pkcs11_keys import ensure_token_key, open_session

    monkeypatch.setenv(PIN_ENV, softhsm_token)
    config = _config(pkcs11_key_label="extract-check")
    ensure_token_key(config, tmp_path)
    session = open_session(config, tmp_path)
    try:
        key = session.get_key(object_class=ObjectClass.PRIVATE_KEY, label="extract-check")
        assert key[Attribute.SENSITIVE] is True
        assert key[Attribute.EXTRACTABLE] is False
        with pytest.raises(pkcs11.PKCS11Error):
            key[Attribute.VALUE]
    finally:
        session.close()


def test_wrong_pin_missing_pin_and_absent_token(softhsm_token, tmp_path, monkeypatch):
    monkeypatch.setenv(PIN_ENV, "000000")
    with pytest.raises(KeyUnavailableError, match="wrong PIN"):
        init_dev_keys(_config(), tmp_path, authority=AUTHORITY, kiosk_id="HN-009")
    monkeypatch.delenv(PIN_ENV)
    with pytest.raises(KeyUnavailableError, match="no PKCS#11 PIN"):
        init_dev_keys(_config(), tmp_path / "b", authority=AUTHORITY, kiosk_id="HN-009")
    monkeypatch.setenv(PIN_ENV, softhsm_token)
    with pytest.raises(KeyUnavailableError, match="not present"):
        init_dev_keys(
            _config(pkcs11_token_label="no-such-token"), tmp_path / "c", authority=AUTHORITY, kiosk_id="X1"
        )


def test_a_token_plugged_in_after_start_is_found(softhsm_token, tmp_path, monkeypatch):
    """The module lists tokens as they were at initialisation; a token added later is found all the same."""
    from signing.pkcs11_keys import open_session

    monkeypatch.setenv(PIN_ENV, softhsm_token)
    open_session(_config(), tmp_path).close()  # the module is initialised now, with one token
    label = "kiosk-late"
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            label,
            "--so-pin",
            "12345678",
            "--pin",
            "1357",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    try:
        monkeypatch.setenv(PIN_ENV, "1357")
        session = open_session(_config(pkcs11_token_label=label), tmp_path)
        assert session.token.label == label
        session.close()
        with pytest.raises(KeyUnavailableError, match="not present"):
            open_session(_config(pkcs11_token_label="kiosk-never-plugged"), tmp_path)
    finally:
        subprocess.run(
            ["softhsm2-util", "--delete-token", "--token", label],
            capture_output=True,
            timeout=60,
            check=False,
        )
