"""Issue 22: the sync worker's seal certificate check runs at most once a day (kept in the store, so a
restarting worker does not ask again), records every outcome, and maintenance shows the expiry, the days
left, whether renewal is due and the last attempt, Vietnamese first. The renewal over the real loop
against a real city is in tests/backoffice/test_seal_renewal.py."""

from __future__ import annotations

import datetime as dt
import json
import ssl
from pathlib import Path

import pytest

from kiosk.runtime.seal_renewal import (
    RenewalOutcome,
    SealRenewalLoop,
    last_outcome,
    renew_if_due,
)
from kiosk.runtime.seal_status import RENEWAL_META_KEY, maintenance_data, maintenance_line
from offline_sync.client import BackendClient
from signing.config import SigningConfig
from signing.keys import init_dev_keys, load_cert

DAY = 86_400.0
START = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC).timestamp()


class MetaDict:
    """The store's meta table, in memory."""

    def __init__(self) -> None:
        self.meta: dict[str, str] = {}

    def get_meta(self, key: str) -> str | None:
        return self.meta.get(key)

    def set_meta(self, key: str, value: str) -> None:
        self.meta[key] = value


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def counting_attempt(calls: list[float], clock: Clock):  # type: ignore[no-untyped-def]
    def attempt() -> RenewalOutcome:
        calls.append(clock.now)
        return RenewalOutcome("not_due", dt.datetime.fromtimestamp(clock.now, dt.UTC), "50 days left")

    return attempt


def run_tick(loop: SealRenewalLoop) -> None:
    loop.tick()
    loop.close(timeout=10)  # the attempt runs in its own thread: wait for it and record it


def test_at_most_one_attempt_a_day_even_across_restarts() -> None:
    store, clock = MetaDict(), Clock(START)
    calls: list[float] = []
    loop = SealRenewalLoop(counting_attempt(calls, clock), lambda: store, clock=clock)
    run_tick(loop)
    assert len(calls) == 1 and loop.outcomes[-1].outcome == "not_due"
    for hours in (1, 12, 23.9):
        clock.now = START + hours * 3600
        run_tick(loop)
    assert len(calls) == 1
    # A restarted worker (a new loop on the same store) an hour later does not ask again either.
    restarted = SealRenewalLoop(counting_attempt(calls, clock), lambda: store, clock=clock)
    clock.now = START + 2 * 3600
    run_tick(restarted)
    assert len(calls) == 1
    clock.now = START + DAY + 60
    run_tick(restarted)
    assert len(calls) == 2
    recorded = last_outcome(store)
    assert recorded is not None and recorded.at.timestamp() == START + DAY + 60


def test_an_attempt_cut_short_counts_as_the_days_attempt() -> None:
    """A worker killed mid-renewal leaves 'started': a crash loop does not hammer the city."""
    store, clock = MetaDict(), Clock(START)
    calls: list[float] = []
    started = RenewalOutcome("started", dt.datetime.fromtimestamp(START - 600, dt.UTC))
    store.set_meta(RENEWAL_META_KEY, json.dumps(started.to_json()))
    run_tick(SealRenewalLoop(counting_attempt(calls, clock), lambda: store, clock=clock))
    assert calls == []


def test_a_record_from_the_future_or_garbage_does_not_stop_renewals() -> None:
    store, clock = MetaDict(), Clock(START)
    calls: list[float] = []
    future = RenewalOutcome("renewed", dt.datetime.fromtimestamp(START + 300 * DAY, dt.UTC))
    store.set_meta(RENEWAL_META_KEY, json.dumps(future.to_json()))
    run_tick(SealRenewalLoop(counting_attempt(calls, clock), lambda: store, clock=clock))
    assert len(calls) == 1
    for garbage in (
        "not json",
        '{"outcome": "renewed"}',
        '{"outcome": "pwned", "at": "2026-12-01T00:00:00+00:00"}',
    ):
        store.set_meta(RENEWAL_META_KEY, garbage)
        assert last_outcome(store) is None
        clock.now += 1
        run_tick(SealRenewalLoop(counting_attempt(calls, clock), lambda: store, clock=clock))
    assert len(calls) == 4


def test_an_attempt_that_raises_is_recorded_as_failed_and_the_loop_carries_on() -> None:
    store, clock = MetaDict(), Clock(START)

    def broken() -> RenewalOutcome:
        raise RuntimeError("boom")

    loop = SealRenewalLoop(broken, lambda: store, clock=clock)
    run_tick(loop)
    recorded = last_outcome(store)
    assert recorded is not None and recorded.outcome == "failed" and "boom" in recorded.detail


@pytest.fixture
def dev_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[SigningConfig, Path]:
    monkeypatch.delenv("KIOSK_KEY_PASSPHRASE", raising=False)
    config = SigningConfig()
    init_dev_keys(config, tmp_path, authority="HN", kiosk_id="HN-001")
    return config, tmp_path


def unused_client() -> BackendClient:
    return BackendClient("https://127.0.0.1:9", ssl.create_default_context(), timeout=1.0)


def test_renew_if_due_without_the_key_says_no_key(
    dev_keys: tuple[SigningConfig, Path], tmp_path: Path
) -> None:
    config, data = dev_keys
    with unused_client() as client:
        # The packaged sync worker sees an empty keys/: nothing to read.
        empty = renew_if_due(config, tmp_path / "elsewhere", client, kiosk_id="HN-001")
        assert empty.outcome == "no_key" and "kiosk keys renew" in empty.detail
        # The certificate but not the key (the passphrase file gone): no_key too, with the expiry.
        due = config.model_copy(update={"renew_before_days": 400})
        (data / "keys" / "passphrase").unlink()
        keyless = renew_if_due(due, data, client, kiosk_id="HN-001")
        assert keyless.outcome == "no_key" and keyless.not_after is not None
        # Not due: nothing is asked of the city (the client points nowhere).
        fine = renew_if_due(config, data, client, kiosk_id="HN-001")
        assert fine.outcome == "not_due" and "89 days left" in fine.detail


def test_a_city_that_cannot_be_reached_is_a_failed_attempt(dev_keys: tuple[SigningConfig, Path]) -> None:
    config, data = dev_keys
    due = config.model_copy(update={"renew_before_days": 400})
    with unused_client() as client:
        outcome = renew_if_due(due, data, client, kiosk_id="HN-001")
    assert outcome.outcome == "failed" and "cannot reach" in outcome.detail


def test_maintenance_shows_expiry_days_left_due_and_the_last_attempt(
    dev_keys: tuple[SigningConfig, Path],
) -> None:
    config, data = dev_keys
    cert = load_cert(data / "keys" / "kiosk-seal.pem")
    end = cert.not_valid_after_utc
    store = MetaDict()

    fresh = maintenance_data(config, data, store, now=end - dt.timedelta(days=60, hours=1))
    assert fresh["not_after"] == end.isoformat() and fresh["days_left"] == 60
    assert fresh["renewal_due"] is False and fresh["last_renewal"] is None
    line = maintenance_line(fresh)
    assert line.splitlines()[0].startswith("Chứng thư con dấu: hết hạn")
    assert "(còn 60 ngày), chưa đến hạn gia hạn" in line and "(60 days left), renewal not due" in line
    assert "Chưa gia hạn lần nào" in line

    failed = RenewalOutcome("failed", dt.datetime(2026, 12, 1, 1, 30, tzinfo=dt.UTC), "the city refused")
    store.set_meta(RENEWAL_META_KEY, json.dumps(failed.to_json()))
    due = maintenance_data(config, data, store, now=end - dt.timedelta(days=10, hours=1))
    assert due["renewal_due"] is True
    line = maintenance_line(due)
    assert "ĐẾN HẠN GIA HẠN" in line and "RENEWAL DUE" in line
    # Times in GMT+7, as the technician's other lines.
    assert "Lần gia hạn gần nhất 01/12/2026 08:30 (GMT+7): không gia hạn được" in line
    assert "the city refused" in line

    gone = maintenance_line(maintenance_data(config, data, None, now=end + dt.timedelta(days=2)))
    assert "ĐÃ HẾT HẠN" in gone and "EXPIRED" in gone

    missing = maintenance_line(maintenance_data(config, data / "nowhere", None))
    assert missing.startswith("Chứng thư con dấu: không đọc được") and "certificate not found" in missing
