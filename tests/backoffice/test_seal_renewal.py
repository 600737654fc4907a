"""Issue 22, item 5: kiosk seal certificates are short-lived and renewed by the kiosk over its mTLS link
before expiry. The kiosk signs a PKCS#10 request with its seal signer, the city certifies the client's
kiosk, the kiosk checks the answer (its key, its kiosk, a trusted root) before it replaces its certificate;
the renewed certificate seals copies that verify. The expiry and whether renewal is due are maintenance
data."""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.cli import main as kiosk_main
from kiosk.config import load_config
from kiosk.pipeline.store import data_key_path
from kiosk.runtime.seal_renewal import (
    RenewalOutcome,
    SealRenewalLoop,
    certificate_request,
    last_outcome,
    renew,
    renewal_status,
)
from kiosk.runtime.seal_status import maintenance_data, maintenance_line
from offline_sync.client import BackendClient
from offline_sync.runner import open_store
from signing.config import SigningConfig
from signing.errors import SigningError
from signing.keys import load_seal_signer
from signing.trust import TrustStore, load_certs
from signing.verify import verify_pdf
from tests.backoffice.helpers import Kiosks
from tests.backoffice.online_city import OnlineCity
from tests.sync import helpers as sync_helpers
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


# --------------------------------------------------------------------------- wired: the sync worker's loop


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """kiosk.cli.main installs a stderr handler on the root logger; undo it after each test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def kiosk_config(city: OnlineCity, data: Path, *, renew_before_days: int) -> Path:
    """A kiosk config for HN-001 on ``data`` (a copy of its keys), syncing with ``city`` over mTLS."""
    cert, key = city.pki.client("HN-001")
    path = data.parent / f"{data.name}.toml"
    path.write_text(
        f"""
[kiosk]
id = "HN-001"
data_dir = "{data}"

[signing]
passphrase_env = "KIOSK_TEST_UNSET_PP"
renew_before_days = {renew_before_days}

[sync]
backend_url = "{city.url}"
client_cert = "{cert}"
client_key = "{key}"
ca_cert = "{city.pki.pki.ca_cert}"
backoff_base_s = 0.01
backoff_cap_s = 0.1
"""
    )
    return path


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = kiosk_main(list(argv))
    out = capsys.readouterr().out.strip().splitlines()
    return code, json.loads(out[-1]) if out else {}


def stored_outcome(config: Path) -> RenewalOutcome | None:
    kiosk = load_config(config)
    store = open_store(kiosk.sync, kiosk.path, data_key_path(kiosk))
    try:
        return last_outcome(store)
    finally:
        store.close()


def test_the_sync_worker_renews_a_due_certificate_from_its_loop_once_a_day(
    city: OnlineCity, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = kiosk_copy(city.kiosks, "HN-001", tmp_path)
    seal_pem = data / "keys" / "kiosk-seal.pem"
    old = load_certs(seal_pem)[0]
    # Due: the 90-day certificate has fewer than 400 days left.
    config = kiosk_config(city, data, renew_before_days=400)
    code, drained = run_json(capsys, "sync", "run", "--drain", "--config", str(config), "--json")
    assert code == 0 and drained["drained"] is True
    new = load_certs(seal_pem)[0]
    assert new.serial_number != old.serial_number and new.public_key() == old.public_key()
    outcome = stored_outcome(config)
    assert outcome is not None and outcome.outcome == "renewed"
    assert outcome.not_after == new.not_valid_after_utc
    # The city knows the certificate it issued (it can revoke it), and it verifies under the city root.
    assert city.keys is not None
    assert new.serial_number in {c.serial_number for c in city.keys.certs_of("HN-001")}

    # Run again the same day: still due (400 days), but the worker does not ask again.
    code, _ = run_json(capsys, "sync", "run", "--drain", "--config", str(config), "--json")
    assert code == 0
    assert load_certs(seal_pem)[0].serial_number == new.serial_number
    assert stored_outcome(config) == outcome  # the record of the day's attempt, untouched

    # What maintenance shows from the same data: the new expiry, renewal due (400-day window), renewed.
    kiosk = load_config(config)
    store = open_store(kiosk.sync, kiosk.path, data_key_path(kiosk))
    try:
        shown = maintenance_data(kiosk.signing, data, store)
    finally:
        store.close()
    assert shown["not_after"] == new.not_valid_after_utc.isoformat()
    assert shown["renewal_due"] is True
    assert isinstance(shown["last_renewal"], dict) and shown["last_renewal"]["outcome"] == "renewed"
    line = maintenance_line(shown)
    assert line.startswith("Chứng thư con dấu: hết hạn") and "ĐẾN HẠN GIA HẠN" in line
    assert "Lần gia hạn gần nhất" in line and "đã gia hạn" in line


def test_a_certificate_not_due_is_left_alone(
    city: OnlineCity, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = kiosk_copy(city.kiosks, "HN-001", tmp_path)
    before = (data / "keys" / "kiosk-seal.pem").read_bytes()
    config = kiosk_config(city, data, renew_before_days=45)
    assert kiosk_main(["sync", "run", "--drain", "--config", str(config)]) == 0
    assert (data / "keys" / "kiosk-seal.pem").read_bytes() == before
    outcome = stored_outcome(config)
    assert outcome is not None and outcome.outcome == "not_due"


def test_a_renewal_the_city_refuses_is_recorded_and_changes_nothing(
    pki: Pki, kiosks: Kiosks, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    office = OnlineCity(pki, kiosks, tmp_path / "backend", issuer_days=None).start()  # issues none
    try:
        data = kiosk_copy(kiosks, "HN-001", tmp_path)
        before = (data / "keys" / "kiosk-seal.pem").read_bytes()
        config = kiosk_config(office, data, renew_before_days=400)
        assert kiosk_main(["sync", "run", "--drain", "--config", str(config)]) == 0  # uploads unaffected
        outcome = stored_outcome(config)
        assert outcome is not None and outcome.outcome == "failed"
        assert "does not issue seal certificates" in outcome.detail
        assert (data / "keys" / "kiosk-seal.pem").read_bytes() == before
        # The technician's command says why in one line, exit 3, and records it too.
        capsys.readouterr()
        assert kiosk_main(["keys", "renew", "--config", str(config)]) == 3
        err = capsys.readouterr().err.strip()
        assert "does not issue seal certificates" in err and "Traceback" not in err
        assert (data / "keys" / "kiosk-seal.pem").read_bytes() == before
    finally:
        office.stop()


def test_the_upload_loop_does_not_wait_for_a_renewal(city: OnlineCity, tmp_path: Path) -> None:
    """A renewal that hangs (a slow city) while records wait: the worker's loop uploads them all."""
    folder = tmp_path / "kiosk"
    folder.mkdir()
    store = sync_helpers.open_store(folder)
    codes = sync_helpers.write_records(store, folder / "pdf", 6)
    release = threading.Event()
    started = threading.Event()

    def slow_attempt() -> RenewalOutcome:
        started.set()
        release.wait(60)
        return RenewalOutcome("not_due", dt.datetime.now(dt.UTC).replace(microsecond=0), "slow city")

    loop = SealRenewalLoop(slow_attempt, lambda: store)
    # The plain sync backend (no seal check): these records' PDFs are not certified copies.
    backend = sync_helpers.Backend(city.pki, tmp_path / "plain-backend").start()
    client = backend.client()
    worker = sync_helpers.make_worker(store, client, folder, on_tick=loop.tick)
    try:
        assert worker.drain(timeout=60)
        assert started.is_set() and worker.counters.synced == len(codes)
        assert sorted(backend.codes()) == sorted(codes)
        # Still under way after the backlog is gone: the day's attempt is recorded as started.
        running = last_outcome(store)
        assert running is not None and running.outcome == "started"
    finally:
        release.set()
        loop.close(timeout=30)
        worker.close()
        client.close()
        backend.stop()
    finished = last_outcome(store)
    assert finished is not None and finished.outcome == "not_due" and finished.detail == "slow city"
    store.close()


# --------------------------------------------------------------------------- `kiosk keys renew`


def test_a_technician_renews_with_kiosk_keys_renew(
    city: OnlineCity, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = kiosk_copy(city.kiosks, "HN-001", tmp_path)
    old = load_certs(data / "keys" / "kiosk-seal.pem")[0]
    config = kiosk_config(city, data, renew_before_days=45)  # not due: a technician may renew anyway
    code, shown = run_json(capsys, "keys", "show", "--config", str(config), "--json")
    assert code == 0 and shown["renewal_due"] is False
    code, answer = run_json(capsys, "keys", "renew", "--config", str(config), "--json")
    assert code == 0 and answer["renewed"] is True
    new = load_certs(data / "keys" / "kiosk-seal.pem")[0]
    assert answer["serial"] == format(new.serial_number, "x") != format(old.serial_number, "x")
    assert answer["not_after"] == new.not_valid_after_utc.isoformat()
    assert answer["days_left"] in (89, 90) and answer["renewal_due"] is False
    outcome = stored_outcome(config)
    assert outcome is not None and outcome.outcome == "renewed" and "kiosk keys renew" in outcome.detail
    assert kiosk_main(["keys", "renew", "--config", str(config)]) == 0
    assert "seal certificate renewed" in capsys.readouterr().out
