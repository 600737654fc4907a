"""Issue 22: the day's seal certificate check is one for the screen and the sync worker. It is taken under a
lock next to the store and recorded there; a ``no_key`` record never holds the process with the key back; a
worker without the key defers to the screen quietly and warns only when no check has been recorded for
days. The screen loads a certificate from disk only when it is for its own key, valid and newer. Against a
real city: tests/backoffice/test_screen_seal_renewal.py."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from kiosk.runtime.seal_renewal import (
    DailyCheck,
    RenewalOutcome,
    ScreenSealRenewal,
    SealRenewalLoop,
    last_outcome,
    renewal_lock_path,
    seal_key_unreachable,
)
from kiosk.runtime.seal_status import RENEWAL_META_KEY
from signing.config import SigningConfig
from signing.keys import init_dev_keys, load_private_key, load_seal_signer, make_seal_cert, read_passphrase
from signing.signer import SealSigner, load_cert
from tests.kiosk.test_seal_renewal_loop import Clock, MetaDict, counting_attempt, run_tick

DAY = 86_400.0
START = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC).timestamp()


def record(store: MetaDict, outcome: str, at: float) -> None:
    store.set_meta(
        RENEWAL_META_KEY, json.dumps(RenewalOutcome(outcome, dt.datetime.fromtimestamp(at, dt.UTC)).to_json())
    )


def test_a_no_key_record_does_not_hold_the_process_with_the_key_back() -> None:
    store, clock = MetaDict(), Clock(START)
    record(store, "no_key", START - 600)  # the other process looked, and could not use the key
    check = DailyCheck(lambda: store, clock=clock)
    assert check.claim() is True
    claimed = last_outcome(store)
    assert claimed is not None and claimed.outcome == "started"
    # Every other outcome of the last day does hold it back, in another process too.
    for outcome in ("renewed", "not_due", "failed", "started"):
        record(store, outcome, START - 600)
        assert DailyCheck(lambda: store, clock=clock).claim() is False, outcome


def test_a_lock_held_by_the_other_process_means_no_claim_and_no_record(tmp_path: Path) -> None:
    store, clock = MetaDict(), Clock(START)
    lock = renewal_lock_path(tmp_path / "kiosk.db")
    assert lock.name == "kiosk.db.seal-renewal.lock"
    with open(lock, "a+b") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        check = DailyCheck(lambda: store, clock=clock, lock_path=lock)
        assert check.claim() is False
        assert store.meta == {}
        assert check.due()  # the next turn tries again (it does not wait a day)
        fcntl.flock(held.fileno(), fcntl.LOCK_UN)
    assert check.claim() is True


def test_the_lock_file_stays_usable_by_both_users(tmp_path: Path) -> None:
    """The worker runs with UMask=0077, the screen with 0027; both must open the file the other made."""
    store, clock = MetaDict(), Clock(START)
    lock = renewal_lock_path(tmp_path / "kiosk.db")
    previous = os.umask(0o077)
    try:
        assert DailyCheck(lambda: store, clock=clock, lock_path=lock).claim() is True
    finally:
        os.umask(previous)
    assert stat.S_IMODE(lock.stat().st_mode) == 0o660


def test_a_worker_without_the_key_defers_quietly_and_warns_when_no_check_is_recorded_for_days(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store, clock = MetaDict(), Clock(START)
    calls: list[float] = []
    loop = SealRenewalLoop(
        counting_attempt(calls, clock), lambda: store, clock=clock, can_renew=lambda: "keys/: no such file"
    )
    caplog.set_level(logging.DEBUG, logger="kiosk.runtime.seal_renewal")

    def warnings() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]

    run_tick(loop)  # its first day: the screen may not have looked yet
    assert calls == [] and store.meta == {} and warnings() == []
    clock.now = START + 3600
    run_tick(loop)  # within the day: not even looked at again
    assert "left to the screen" in caplog.records[-1].getMessage()
    assert len([r for r in caplog.records if "left to the screen" in r.getMessage()]) == 1

    record(store, "renewed", START + DAY / 2)  # the screen did its check
    clock.now = START + DAY + 60
    run_tick(loop)
    assert calls == [] and warnings() == []
    assert last_outcome(store) is not None and last_outcome(store).outcome == "renewed"  # type: ignore[union-attr]

    clock.now = START + 5 * DAY  # the screen has not checked for 4.5 days: not running?
    run_tick(loop)
    assert calls == []
    (said,) = warnings()
    assert "kiosk-ui" in said and "sudo kiosk keys renew" in said


def test_a_worker_with_the_key_still_takes_the_check() -> None:
    store, clock = MetaDict(), Clock(START)
    calls: list[float] = []
    run_tick(
        SealRenewalLoop(counting_attempt(calls, clock), lambda: store, clock=clock, can_renew=lambda: None)
    )
    assert len(calls) == 1
    assert last_outcome(store) is not None and last_outcome(store).outcome == "not_due"  # type: ignore[union-attr]


# ---------------------------------------------------------------------------------- the key, from here


@pytest.fixture
def dev_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[SigningConfig, Path]:
    monkeypatch.delenv("KIOSK_KEY_PASSPHRASE", raising=False)
    config = SigningConfig()
    init_dev_keys(config, tmp_path, authority="HN", kiosk_id="HN-001")
    return config, tmp_path


def test_seal_key_unreachable_says_which_file(
    dev_keys: tuple[SigningConfig, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, data = dev_keys
    assert seal_key_unreachable(config, data) is None
    # The packaged worker's view: keys/ holds only the data key.
    (tmp_path / "elsewhere" / "keys").mkdir(parents=True)
    why = seal_key_unreachable(config, tmp_path / "elsewhere")
    assert why is not None and "kiosk-seal.pem" in why
    # The certificate and key, but no passphrase: not usable either; with the variable set, usable.
    passphrase = (data / "keys" / "passphrase").read_text().strip()
    (data / "keys" / "passphrase").unlink()
    why = seal_key_unreachable(config, data)
    assert why is not None and "passphrase" in why
    monkeypatch.setenv("KIOSK_KEY_PASSPHRASE", passphrase)
    assert seal_key_unreachable(config, data) is None


def _install_cert(
    config: SigningConfig,
    data: Path,
    *,
    public: ec.EllipticCurvePublicKey,
    not_before: dt.datetime,
    days: int = 90,
) -> int:
    keys = data / "keys"
    root = load_cert(keys / "city-root-ca.pem")
    root_key = load_private_key(keys / "city-root-ca.key.pem", read_passphrase(config, data))
    cert = make_seal_cert(
        public,
        root_key,
        root,
        authority="HN",
        kiosk_id="HN-001",
        not_before=not_before,
        not_after=not_before + dt.timedelta(days=days),
    )
    (keys / "kiosk-seal.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert.serial_number


def screen(config: SigningConfig, data: Path, signer: SealSigner) -> ScreenSealRenewal:
    return ScreenSealRenewal(
        config,
        data,
        kiosk_id="HN-001",
        open_client=None,
        open_store=MetaDict,  # type: ignore[arg-type]
        lock_path=None,
        in_use=lambda: signer,
    )


def test_the_screen_loads_only_a_newer_valid_certificate_for_its_own_key(
    dev_keys: tuple[SigningConfig, Path], caplog: pytest.LogCaptureFixture
) -> None:
    config, data = dev_keys
    original = (data / "keys" / "kiosk-seal.pem").read_bytes()
    with load_seal_signer(config, data) as signer:
        renewal = screen(config, data, signer)
        assert renewal.turn() is None and renewal.take_pending() is None  # nothing new on disk
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        public = signer.cert.public_key()
        assert isinstance(public, ec.EllipticCurvePublicKey)

        # Another key's certificate (the key was replaced): said once, never loaded.
        other = ec.generate_private_key(ec.SECP256R1()).public_key()
        _install_cert(config, data, public=other, not_before=now)
        with caplog.at_level(logging.WARNING, logger="kiosk.runtime.seal_renewal"):
            assert renewal.refresh() is False
            assert renewal.refresh() is False
        said = [r.getMessage() for r in caplog.records if "is not used" in r.getMessage()]
        assert len(said) == 1 and "another key" in said[0]

        # An older certificate of this key put back: not loaded. One not valid yet: not loaded.
        _install_cert(
            config, data, public=public, not_before=signer.cert.not_valid_before_utc - dt.timedelta(days=1)
        )
        assert renewal.refresh() is False
        _install_cert(config, data, public=public, not_before=now + dt.timedelta(days=2))
        assert renewal.refresh() is False
        assert renewal.take_pending() is None

        # A newer one of this key: loaded off the caller's thread, handed over once.
        serial = _install_cert(config, data, public=public, not_before=now)
        assert renewal.refresh() is True
        assert renewal.refresh() is False  # the same one is already waiting
        fresh = renewal.take_pending()
        assert fresh is not None and fresh.cert.serial_number == serial
        assert renewal.take_pending() is None
        fresh.close()
    (data / "keys" / "kiosk-seal.pem").write_bytes(original)


def test_nothing_is_loaded_before_the_screen_has_a_signer(dev_keys: tuple[SigningConfig, Path]) -> None:
    config, data = dev_keys
    renewal = ScreenSealRenewal(
        config,
        data,
        kiosk_id="HN-001",
        open_client=None,
        open_store=MetaDict,  # type: ignore[arg-type]
        lock_path=None,
        in_use=lambda: None,
    )
    assert renewal.turn() is None and renewal.refresh() is False and renewal.take_pending() is None
    renewal.stop()
