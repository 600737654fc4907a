"""Issue 22, item 5, on a kiosk installed with the packaged units: the screen process (`kiosk run`, composed
by KioskApp) holds the seal key, so it renews the seal certificate itself, through its own mTLS client to a
city started here. The day's check is one for the screen and the sync worker (the store's record, taken
under a lock next to the store); a worker without the seal key leaves it to the screen. A renewed
certificate is put in place between visits (never mid-visit) without a restart: a copy certified after
that carries the new certificate's serial. A failing city leaves the old certificate in place.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fcntl
import io
import logging
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from pyhanko.pdf_utils.reader import PdfFileReader

from kiosk.app import KioskApp
from kiosk.cli import main as kiosk_main
from kiosk.config import load_config
from kiosk.pipeline.store import data_key_path
from kiosk.runtime.seal_renewal import RenewalOutcome, last_outcome, renewal_lock_path
from offline_sync.runner import open_store
from signing.certify import issue_certified_copy
from signing.code import make_code
from signing.trust import TrustStore, load_certs
from signing.verify import verify_pdf
from tests.backoffice.helpers import Kiosks
from tests.backoffice.online_city import OnlineCity
from tests.signing.sign_helpers import copy_meta, copy_page
from tests.sync.helpers import Pki

KIOSK = "HN-001"


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """kiosk.cli.main installs a stderr handler on the root logger; undo it after each test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def city(pki: Pki, kiosks: Kiosks, tmp_path: Path) -> Iterator[OnlineCity]:
    office = OnlineCity(pki, kiosks, tmp_path / "backend").start()
    yield office
    office.stop()


def kiosk_data(kiosks: Kiosks, tmp_path: Path) -> Path:
    """A copy of HN-001's data folder: renewing must not touch the session's shared keys."""
    target = tmp_path / "kiosk-data"
    shutil.copytree(kiosks.data(KIOSK), target)
    return target


def write_config(
    city: OnlineCity, data: Path, *, renew_before_days: int, name: str = "kiosk", keys_dir: str = "keys"
) -> Path:
    """HN-001's config on ``data``, talking to ``city`` over mTLS (the screen and the worker read the same)."""
    cert, key = city.pki.client(KIOSK)
    path = data.parent / f"{name}.toml"
    path.write_text(
        f"""
[kiosk]
id = "{KIOSK}"
data_dir = "{data}"

[signing]
keys_dir = "{keys_dir}"
passphrase_env = "KIOSK_TEST_UNSET_PP"
passphrase_file = "keys/passphrase"
renew_before_days = {renew_before_days}

[sync]
backend_url = "{city.url}"
client_cert = "{cert}"
client_key = "{key}"
ca_cert = "{city.pki.pki.ca_cert}"
data_key = "keys/data.key"
backoff_base_s = 0.01
backoff_cap_s = 0.1
"""
    )
    return path


def screen_app(config: Path) -> KioskApp:
    """The screen's composition root, as `kiosk run` builds it (the renewal thread is not started: each
    test drives its looks with ``turn()``)."""
    return KioskApp(load_config(config), check_secrets=False)


def stored_outcome(config: Path) -> RenewalOutcome | None:
    kiosk = load_config(config)
    store = open_store(kiosk.sync, kiosk.path, data_key_path(kiosk))
    try:
        return last_outcome(store)
    finally:
        store.close()


def city_trust(city: OnlineCity) -> TrustStore:
    trust = TrustStore()
    for cert in load_certs(city.kiosks.root_cert):
        trust.add(cert)
    return trust


def certify_with(app: KioskApp, sequence: int) -> bytes:
    """A certified copy sealed with the signer the visit pipeline takes from the app (``lambda: app.signer``,
    fetched once per copy), as a visit's certification does."""
    meta = dataclasses.replace(
        copy_meta(sequence, code=make_code("HN", KIOSK, sequence), kiosk_id=KIOSK),
        issued_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
    )
    return issue_certified_copy([copy_page(sequence, size=(1240, 1754), lines=12)], meta, app.signer).pdf


def pdf_signer_serial(pdf: bytes) -> int:
    (signature,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    return x509.load_der_x509_certificate(signature.signer_cert.dump()).serial_number


def seal_cert(data: Path) -> x509.Certificate:
    return load_certs(data / "keys" / "kiosk-seal.pem")[0]


def test_the_screen_renews_over_its_own_mtls_client_and_the_next_visit_seals_with_it(
    city: OnlineCity, tmp_path: Path
) -> None:
    data = kiosk_data(city.kiosks, tmp_path)
    config = write_config(city, data, renew_before_days=400)  # the 90-day certificate is due
    app = screen_app(config)
    try:
        old = app.signer.cert  # loaded by the warm-up; a visit is sealing with it
        outcome = app.seal_renewal.turn()
        assert outcome is not None and outcome.outcome == "renewed", outcome
        new = seal_cert(data)
        assert new.serial_number != old.serial_number and new.public_key() == old.public_key()
        assert city.keys is not None and new.serial_number in {
            c.serial_number for c in city.keys.certs_of(KIOSK)
        }
        recorded = stored_outcome(config)
        assert recorded is not None and recorded.outcome == "renewed"
        assert recorded.not_after == new.not_valid_after_utc

        # Mid-visit nothing changes: the visit under way still seals with the certificate it started with.
        assert app.signer.cert == old
        during = certify_with(app, 1)
        assert pdf_signer_serial(during) == old.serial_number
        assert verify_pdf(during, city_trust(city)).valid

        # Between visits the renewed certificate takes over, without a restart; only once.
        assert app.reload_seal_certificate() is True
        assert app.reload_seal_certificate() is False
        assert app.signer.cert == new
        after = certify_with(app, 2)
        assert pdf_signer_serial(after) == new.serial_number
        verdict = verify_pdf(after, city_trust(city))
        assert verdict.valid, verdict.reason
        # The copy made mid-visit with the old certificate still verifies too (same key, both valid).
        assert verify_pdf(during, city_trust(city)).valid

        # The next look the same day asks the city nothing and loads nothing more.
        assert app.seal_renewal.turn() is None
        assert app.reload_seal_certificate() is False
        assert seal_cert(data).serial_number == new.serial_number
    finally:
        app.close()


def test_once_a_day_across_the_screen_and_the_sync_worker(
    city: OnlineCity, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = kiosk_data(city.kiosks, tmp_path)
    config = write_config(city, data, renew_before_days=400)  # due all day long
    app = screen_app(config)
    assert city.keys is not None
    issued = len(city.keys.certs_of(KIOSK))
    try:
        old = app.signer.cert
        # The sync worker (here it can read the key: a development setup) takes the day's check first.
        assert kiosk_main(["sync", "run", "--drain", "--config", str(config)]) == 0
        by_worker = seal_cert(data)
        assert by_worker.serial_number != old.serial_number
        recorded = stored_outcome(config)
        assert recorded is not None and recorded.outcome == "renewed"

        # The screen's look the same day does not ask again ...
        assert app.seal_renewal.turn() is None
        assert app.seal_renewal.outcomes == []
        assert stored_outcome(config) == recorded
        # ... but it takes up the worker's certificate for the next visit, without a restart.
        assert app.reload_seal_certificate() is True
        assert app.signer.cert == by_worker
        assert pdf_signer_serial(certify_with(app, 3)) == by_worker.serial_number

        # A restarted worker the same day does not ask either.
        assert kiosk_main(["sync", "run", "--drain", "--config", str(config)]) == 0
        assert seal_cert(data) == by_worker and stored_outcome(config) == recorded
        assert len(city.keys.certs_of(KIOSK)) == issued + 1  # one renewal in all, that day
    finally:
        app.close()


def test_the_screen_takes_the_days_check_first_and_the_worker_then_leaves_it(
    city: OnlineCity, tmp_path: Path
) -> None:
    data = kiosk_data(city.kiosks, tmp_path)
    config = write_config(city, data, renew_before_days=400)
    app = screen_app(config)
    try:
        app.signer  # noqa: B018 - loaded, as after the warm-up
        issued = len(city.keys.certs_of(KIOSK)) if city.keys else 0
        outcome = app.seal_renewal.turn()
        assert outcome is not None and outcome.outcome == "renewed"
        assert kiosk_main(["sync", "run", "--drain", "--config", str(config)]) == 0
        assert city.keys is not None and len(city.keys.certs_of(KIOSK)) == issued + 1  # one renewal in all
        assert stored_outcome(config) == outcome
    finally:
        app.close()


def test_a_check_under_way_in_the_other_process_is_not_taken_twice(city: OnlineCity, tmp_path: Path) -> None:
    """The worker holds the lock next to the store while it takes the day's check: the screen's look
    neither waits nor takes it; once the lock is free it does."""
    data = kiosk_data(city.kiosks, tmp_path)
    config = write_config(city, data, renew_before_days=400)
    app = screen_app(config)
    lock = renewal_lock_path(load_config(config).path(load_config(config).sync.database))
    try:
        app.signer  # noqa: B018
        with open(lock, "a+b") as held:
            fcntl.flock(held.fileno(), fcntl.LOCK_EX)
            assert app.seal_renewal.turn() is None
            assert stored_outcome(config) is None  # nothing recorded, nothing asked
            fcntl.flock(held.fileno(), fcntl.LOCK_UN)
        outcome = app.seal_renewal.turn()
        assert outcome is not None and outcome.outcome == "renewed"
    finally:
        app.close()


def test_a_worker_without_the_seal_key_leaves_the_check_to_the_screen_quietly(
    city: OnlineCity, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The packaged sync unit sees an empty keys/ (its data key only): it records nothing and warns about
    nothing, and the screen renews that same day."""
    data = kiosk_data(city.kiosks, tmp_path)
    screen_config = write_config(city, data, renew_before_days=400)
    worker_keys = data / "worker-keys"  # what the worker's sandbox shows of the seal key's folder: nothing
    worker_keys.mkdir()
    worker_config = write_config(city, data, renew_before_days=400, name="worker", keys_dir=str(worker_keys))
    before = seal_cert(data)
    with caplog.at_level(logging.DEBUG, logger="kiosk.runtime.seal_renewal"):
        assert kiosk_main(["sync", "run", "--drain", "--config", str(worker_config)]) == 0
    assert stored_outcome(screen_config) is None
    assert seal_cert(data) == before
    said = [r for r in caplog.records if r.name == "kiosk.runtime.seal_renewal"]
    assert said and all(r.levelno < logging.WARNING for r in said), [r.getMessage() for r in said]
    assert any("left to the screen" in r.getMessage() for r in said)

    app = screen_app(screen_config)
    try:
        app.signer  # noqa: B018
        outcome = app.seal_renewal.turn()
        assert outcome is not None and outcome.outcome == "renewed"
        assert app.reload_seal_certificate() is True and app.signer.cert == seal_cert(data) != before
    finally:
        app.close()


def test_a_failing_city_leaves_the_old_certificate_in_place(pki: Pki, kiosks: Kiosks, tmp_path: Path) -> None:
    office = OnlineCity(pki, kiosks, tmp_path / "backend", issuer_days=None).start()  # issues none
    try:
        data = kiosk_data(kiosks, tmp_path)
        config = write_config(office, data, renew_before_days=400)
        before = (data / "keys" / "kiosk-seal.pem").read_bytes()
        app = screen_app(config)
        try:
            old = app.signer.cert
            outcome = app.seal_renewal.turn()
            assert outcome is not None and outcome.outcome == "failed"
            assert "does not issue seal certificates" in outcome.detail
            recorded = stored_outcome(config)
            assert recorded is not None and recorded.outcome == "failed"
            assert (data / "keys" / "kiosk-seal.pem").read_bytes() == before
            assert app.reload_seal_certificate() is False and app.signer.cert == old
            assert pdf_signer_serial(certify_with(app, 4)) == old.serial_number
        finally:
            app.close()
    finally:
        office.stop()


def test_a_city_that_cannot_be_reached_leaves_the_old_certificate_in_place(
    city: OnlineCity, tmp_path: Path
) -> None:
    data = kiosk_data(city.kiosks, tmp_path)
    config = write_config(city, data, renew_before_days=400)
    before = (data / "keys" / "kiosk-seal.pem").read_bytes()
    app = screen_app(config)
    try:
        old = app.signer.cert
        city.stop()  # the link is down
        outcome = app.seal_renewal.turn()
        assert outcome is not None and outcome.outcome == "failed" and "cannot reach" in outcome.detail
        assert (data / "keys" / "kiosk-seal.pem").read_bytes() == before
        assert app.reload_seal_certificate() is False and app.signer.cert == old
    finally:
        app.close()


def test_a_screen_whose_mtls_files_are_absent_records_why(city: OnlineCity, tmp_path: Path) -> None:
    """Before enrolment the screen's unit hands it placeholder files ("absent"): the attempt fails with
    the reason, and nothing changes."""
    data = kiosk_data(city.kiosks, tmp_path)
    config = write_config(city, data, renew_before_days=400)
    absent = tmp_path / "absent"
    absent.write_text("absent")
    text = config.read_text()
    for name in ("client_cert", "client_key", "ca_cert"):
        start = text.index(f"{name} = ")
        text = text[:start] + f'{name} = "{absent}"' + text[text.index("\n", start) :]
    config.write_text(text)
    before = (data / "keys" / "kiosk-seal.pem").read_bytes()
    app = screen_app(config)
    try:
        app.signer  # noqa: B018
        outcome = app.seal_renewal.turn()
        assert outcome is not None and outcome.outcome == "failed"
        assert "cannot load the sync TLS files" in outcome.detail
        assert (data / "keys" / "kiosk-seal.pem").read_bytes() == before
    finally:
        app.close()


def test_the_screens_thread_renews_on_its_own(city: OnlineCity, tmp_path: Path) -> None:
    """Started as `kiosk run` starts it (its own thread; a short first look here), it renews and loads the
    new certificate; closing the app stops the thread."""
    data = kiosk_data(city.kiosks, tmp_path)
    config = write_config(city, data, renew_before_days=400)
    app = screen_app(config)
    renewal = app.seal_renewal
    try:
        old = app.signer.cert
        renewal.first_look_s = 0.0
        app.start_seal_renewal()
        assert renewal.running
        deadline = time.monotonic() + 60
        while not app.reload_seal_certificate():
            assert time.monotonic() < deadline, "the screen's thread did not renew"
            time.sleep(0.05)
        assert app.signer.cert != old and app.signer.cert == seal_cert(data)
    finally:
        app.close()
    assert not renewal.running
