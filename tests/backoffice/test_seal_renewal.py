"""Issue 22, item 5: kiosk seal certificates are short-lived and renewed by the kiosk over its mTLS link
before expiry. The kiosk signs a PKCS#10 request with its seal signer, the city certifies the client's
kiosk, the kiosk checks the answer (its key, its kiosk, a trusted root) before it replaces its certificate;
the renewed certificate seals copies that verify. The expiry and whether renewal is due are maintenance
data."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.runtime.seal_renewal import certificate_request, renew, renewal_status
from offline_sync.client import BackendClient
from signing import load_seal_signer, verify_pdf
from signing.config import SigningConfig
from signing.errors import SigningError
from signing.trust import TrustStore, load_certs
from tests.backoffice.helpers import Kiosks
from tests.backoffice.online_city import OnlineCity
from tests.sync.helpers import Pki


@pytest.fixture
def city(pki: Pki, kiosks: Kiosks, tmp_path: Path) -> Iterator[OnlineCity]:
    office = OnlineCity(pki, kiosks, tmp_path / "backend").start()
    yield office
    office.stop()


def kiosk_copy(kiosks: Kiosks, kiosk: str, tmp_path: Path) -> Path:
    """A copy of a kiosk's data folder: renewing must not touch the session's shared keys."""
    target = tmp_path / f"kiosk-{kiosk}"
    shutil.copytree(kiosks.data(kiosk), target)
    return target


def test_the_kiosk_renews_its_seal_certificate_over_mtls(city: OnlineCity, tmp_path: Path) -> None:
    data = kiosk_copy(city.kiosks, "HN-001", tmp_path)
    config = SigningConfig(passphrase_env="KIOSK_TEST_UNSET_PP", renew_before_days=400)
    trust = TrustStore()
    for cert in load_certs(city.kiosks.root_cert):
        trust.add(cert)
    with load_seal_signer(config, data) as signer:
        old = signer.cert
        status = renewal_status(old, config)
        assert status.due and status.to_json()["days_left"] == status.days_left
        assert "BEGIN CERTIFICATE REQUEST" in certificate_request(signer)
        with BackendClient(city.url, city.pki.ssl_context("HN-001")) as client:
            new = renew(signer, client, trust, config, data, kiosk_id="HN-001")
    assert new.serial_number != old.serial_number and new.public_key() == old.public_key()
    assert (new.not_valid_after_utc - dt.datetime.now(dt.UTC)).days in (89, 90)
    assert load_certs(data / "keys" / "kiosk-seal.pem")[0] == new  # installed
    assert not renewal_status(new, SigningConfig(renew_before_days=45)).due
    # The renewed certificate seals copies that verify under the city root.
    with load_seal_signer(config, data) as signer:
        assert signer.cert == new
    copy = city.issue_copy("HN-001", data_dir=data)
    assert verify_pdf(copy.pdf, trust).valid


def test_the_kiosk_refuses_a_certificate_for_another_kiosk(city: OnlineCity, tmp_path: Path) -> None:
    data = kiosk_copy(city.kiosks, "HN-001", tmp_path)
    config = SigningConfig(passphrase_env="KIOSK_TEST_UNSET_PP")
    trust = TrustStore()
    for cert in load_certs(city.kiosks.root_cert):
        trust.add(cert)
    before = (data / "keys" / "kiosk-seal.pem").read_bytes()
    with load_seal_signer(config, data) as signer:
        # HN-002's link asks with HN-001's key: the city certifies HN-002, which HN-001 must not install.
        with (
            BackendClient(city.url, city.pki.ssl_context("HN-002")) as client,
            pytest.raises(SigningError, match="HN-002"),
        ):
            renew(signer, client, trust, config, data, kiosk_id="HN-001")
        # A city that is not trusted (no root in the store): refused too.
        with BackendClient(city.url, city.pki.ssl_context("HN-001")) as client, pytest.raises(SigningError):
            renew(signer, client, TrustStore(), config, data, kiosk_id="HN-001")
    assert (data / "keys" / "kiosk-seal.pem").read_bytes() == before  # nothing installed
