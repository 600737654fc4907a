"""The worker against the real backend over mTLS on loopback."""

from __future__ import annotations

import json
from pathlib import Path

from tests.sync.helpers import Backend, make_worker, open_store, write_records


def test_drain_uploads_every_record_once(any_backend: Backend, tmp_path: Path) -> None:
    backend = any_backend
    store = open_store(tmp_path / "kiosk")
    codes = write_records(store, tmp_path / "pdf", 57)
    with backend.client() as client:
        worker = make_worker(store, client, tmp_path)
        assert worker.drain(timeout=60)
        worker.close()
    assert backend.codes() == sorted(codes)
    assert store.status().backlog == 0
    assert all(r.sync_state == "synced" for r in store.list_records(limit=100))
    lines = [json.loads(x) for x in (tmp_path / "sync.jsonl").read_text().splitlines()]
    assert len(lines) == 57
    assert {e["outcome"] for e in lines} == {"synced"}
    assert set(lines[0]) == {
        "id",
        "time",
        "kiosk",
        "code",
        "bytes",
        "status",
        "latency_ms",
        "outcome",
        "error",
    }
    store.close()


# ---------------------------------------------------------------------------------------------------


import logging  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402

import pytest  # noqa: E402

from offline_sync.client import BackendClient, classify  # noqa: E402
from offline_sync.protocol.backoff import Backoff, parse_retry_after  # noqa: E402
from offline_sync.synclog import SyncLog, make_entry  # noqa: E402
from tests.sync.faultproxy import FaultProxy  # noqa: E402
from tests.sync.helpers import KIOSK, Pki, start_fault_proxy  # noqa: E402


@pytest.fixture
def proxy(pki: Pki, backend: Backend) -> Iterator[FaultProxy]:
    p = start_fault_proxy(pki, backend.port, fault_rate=0.0)
    yield p
    p.stop()


def step_until_answered(worker) -> None:  # type: ignore[no-untyped-def]
    """One loop iteration, then more until no request is in flight (a loaded machine may be slow)."""
    worker.step()
    deadline = time.monotonic() + 60
    while worker._inflight and time.monotonic() < deadline:
        worker.step()
    assert not worker._inflight


def test_status_classes() -> None:
    assert [classify(s) for s in (200, 201, None, 408, 429, 500, 503, 400, 401, 403, 404, 413, 422)] == [
        "ok", "ok", "retry", "retry", "retry", "retry", "retry", "dead", "dead", "dead", "dead", "dead", "dead",
    ]  # fmt: skip


def test_full_jitter_backoff_is_bounded_and_spread() -> None:
    b = Backoff(base=1.0, cap=30.0)
    for attempt in range(40):
        delays = [b.delay(attempt) for _ in range(200)]
        ceiling = min(30.0, 2.0**attempt)
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.6  # jittered over the whole range, not a fixed step
        assert min(delays) < ceiling * 0.4


def test_retry_after_parsing() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("99999") == 3600.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    # An HTTP date is measured against the server's Date header, not the kiosk's (maybe wrong) clock.
    assert parse_retry_after("Sun, 22 Nov 2026 10:00:30 GMT", "Sun, 22 Nov 2026 10:00:00 GMT") == 30.0
    assert parse_retry_after("Sun, 22 Nov 2026 10:00:30 GMT", None) is None


def test_429_honours_retry_after(pki: Pki, proxy: FaultProxy, backend: Backend, tmp_path: Path) -> None:
    store = open_store(tmp_path / "kiosk")
    codes = write_records(store, tmp_path / "pdf", 5)
    proxy.script = ["too_many"]
    proxy.retry_after = "30"
    now = [1_000_000.0]
    with BackendClient(f"https://127.0.0.1:{proxy.port}", pki.ssl_context()) as client:
        worker = make_worker(store, client, tmp_path, clock=lambda: now[0], backoff=Backoff(0.01, 600))
        step_until_answered(worker)
        assert store.due_for_upload(10, now=now[0] + 29, max_delay=3600) == []
        assert len(store.due_for_upload(10, now=now[0] + 31)) == 5
        line = json.loads((tmp_path / "sync.jsonl").read_text().splitlines()[0])
        assert (line["outcome"], line["status"]) == ("retry", 429)
        now[0] += 31
        worker._link_retry_at = 0  # the link pause is monotonic time; skip it rather than wait 30 s
        assert worker.drain(timeout=30)
        worker.close()
    assert backend.codes() == sorted(codes)
    store.close()


def test_5xx_then_success_and_resume_after_restart(
    pki: Pki, proxy: FaultProxy, backend: Backend, tmp_path: Path
) -> None:
    store = open_store(tmp_path / "kiosk")
    codes = write_records(store, tmp_path / "pdf", 3)
    proxy.script = ["error_503"]
    proxy.retry_after = "100"
    with BackendClient(f"https://127.0.0.1:{proxy.port}", pki.ssl_context()) as client:
        worker = make_worker(store, client, tmp_path, backoff=Backoff(100.0, 100.0))
        step_until_answered(worker)
        worker.close()
    # The retry time is persisted: a new worker (a restart) does not retry before it.
    pending = store.due_for_upload(10, max_delay=3600)
    assert pending == []
    store._exec("UPDATE outbox SET next_attempt_at = 0")
    proxy.script = ["error_after"]  # the backend stores the batch but the kiosk sees a 500
    with BackendClient(f"https://127.0.0.1:{proxy.port}", pki.ssl_context()) as client:
        worker = make_worker(store, client, tmp_path, backoff=Backoff(0.01, 0.05))
        assert worker.drain(timeout=30)
        worker.close()
    assert backend.codes() == sorted(codes)
    attempts = [json.loads(x) for x in (tmp_path / "sync.jsonl").read_text().splitlines()]
    assert [e["outcome"] for e in attempts if e["code"] == codes[0]][:1] == ["retry"]
    assert "replayed" in {e["outcome"] for e in attempts}  # stored behind the 500, then replayed
    store.close()


def test_4xx_goes_to_the_dead_letter_with_an_alert(
    backend: Backend, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = open_store(tmp_path / "kiosk")
    good = write_records(store, tmp_path / "pdf", 3)
    foreign = write_records(store, tmp_path / "pdf", 1, prefix="XX", kiosk="HN-002")  # the backend says 403
    missing = write_records(store, tmp_path / "pdf", 1, prefix="MISSING")
    (tmp_path / "pdf" / f"{missing[0]}.pdf").unlink()
    with backend.client() as client, caplog.at_level(logging.ERROR):
        worker = make_worker(store, client, tmp_path)
        assert worker.drain(timeout=30)
        worker.close()
    assert backend.codes() == sorted(good)
    status = store.status()
    assert status.dead_letters == 2
    assert status.backlog == 0
    dead = {code: (st, err) for code, st, err in store.dead_letters()}
    assert dead[foreign[0]][0] == 403
    assert "PDF missing" in (dead[missing[0]][1] or "")
    alerts = [r.getMessage() for r in caplog.records if "ALERT" in r.getMessage()]
    assert len(alerts) == 2
    lines = [json.loads(x) for x in (tmp_path / "sync.jsonl").read_text().splitlines()]
    assert {e["code"] for e in lines if e["outcome"] == "dead_letter"} == {foreign[0], missing[0]}
    assert store.requeue_dead() == 2
    store.close()


def test_heartbeats_and_sync_log_reach_the_fleet_view(backend: Backend, tmp_path: Path) -> None:
    store = open_store(tmp_path / "kiosk")
    write_records(store, tmp_path / "pdf", 30)
    with backend.client() as client:
        worker = make_worker(
            store,
            client,
            tmp_path,
            health=lambda: {"printer": "ok", "paper": "low"},
            options={"ship_log_interval_s": 0},
        )
        ticks = [0]
        worker.on_tick = lambda: ticks.__setitem__(0, ticks[0] + 1)
        assert worker.drain(timeout=30)
        worker.step()  # ships the last log lines and sends the heartbeat
        worker.close()
    assert ticks[0] >= 2  # the watchdog hook is fed every iteration
    assert backend.db is not None
    (kiosk,) = backend.db.fleet()
    assert kiosk["kiosk_id"] == KIOSK
    assert kiosk["health"] == {"printer": "ok", "paper": "low"}
    assert kiosk["records_held"] == 30
    assert kiosk["error_rate"] == 0.0
    shipped = backend.db.log_entries(KIOSK, 1000)
    assert len(shipped) == 30
    assert store.get_meta("synclog_last_shipped_id") is not None
    store.close()


def test_sync_log_rotates_and_recovers_unshipped_lines(tmp_path: Path) -> None:
    log_path = tmp_path / "logs" / "sync.jsonl"
    synclog = SyncLog(log_path, max_bytes=10_000, backups=3)
    entries = [make_entry(KIOSK, code=f"C-{i:05d}", outcome="synced", size=i, status=201) for i in range(300)]
    for start in range(0, 300, 10):
        synclog.write(entries[start : start + 10])
    files = synclog.files_newest_first()
    assert len(files) == 4  # current + 3 backups, the oldest dropped
    assert all(f.stat().st_size <= 10_000 for f in files)
    tail = synclog.tail(5)
    assert [e["code"] for e in tail] == [f"C-{i:05d}" for i in range(295, 300)]
    assert [e["code"] for e in synclog.tail(2, code="C-00290")] == ["C-00290"]
    # A torn last line (a crash mid-write) is skipped, and the next write starts on a fresh line.
    with open(log_path, "a") as fh:
        fh.write('{"id": "torn')
    synclog.write([make_entry(KIOSK, code="AFTER", outcome="synced")])
    assert synclog.tail(1)[0]["code"] == "AFTER"
    # After a restart, lines after the last shipped id are found again.
    restarted = SyncLog(log_path, max_bytes=10_000, backups=3)
    assert restarted.recover_unshipped(entries[289]["id"]) == 11
    assert [e["code"] for e in restarted.unshipped(100)][:2] == ["C-00290", "C-00291"]


def test_retention_runs_in_the_worker(backend: Backend, tmp_path: Path) -> None:
    store = open_store(tmp_path / "kiosk")
    codes = write_records(store, tmp_path / "pdf", 3)
    purges: list[int] = []
    with backend.client() as client:
        worker = make_worker(store, client, tmp_path, on_purge=purges.append)
        assert worker.drain(timeout=30)
        store.mark_synced(codes, synced_at=datetime.now(UTC) - timedelta(days=40))
        worker._next_purge = 0
        worker.step()
        worker.close()
    assert purges == [3], "the kiosk is told how many records were purged, to audit it"
    assert all(store.get_record(c).purged for c in codes)  # type: ignore[union-attr]
    assert not any((tmp_path / "pdf" / f"{c}.pdf").exists() for c in codes)
    store.close()


def test_batches_are_capped_by_bytes(backend: Backend, tmp_path: Path) -> None:
    store = open_store(tmp_path / "kiosk")
    codes = write_records(store, tmp_path / "pdf", 12, pdf_bytes=60_000)
    with backend.client() as client:
        worker = make_worker(store, client, tmp_path, batch_size=50, concurrency=1)
        worker.options.batch_max_bytes = 150_000
        assert [len(b) for b in worker._batches(store.due_for_upload(100))] == [2, 2, 2, 2, 2, 2]
        assert worker.drain(timeout=30)
        worker.close()
    assert backend.codes() == sorted(codes)
    assert worker.counters.requests == 6
    store.close()


def test_an_undecryptable_record_is_dead_lettered_not_blocking(backend: Backend, tmp_path: Path) -> None:
    store = open_store(tmp_path / "kiosk")
    codes = write_records(store, tmp_path / "pdf", 5)
    store._exec("UPDATE records SET personal = x'01' || zeroblob(40) WHERE code = ?", (codes[2],))  # text now
    store._exec("UPDATE records SET personal = ? WHERE code = ?", (b"\x01" + bytes(60), codes[3]))  # bad tag
    with backend.client() as client:
        worker = make_worker(store, client, tmp_path)
        assert worker.drain(timeout=30)
        worker.close()
    assert backend.codes() == sorted([codes[0], codes[1], codes[4]])
    dead = {code: (status, error or "") for code, status, error in store.dead_letters()}
    assert set(dead) == {codes[2], codes[3]}
    assert "not a sealed blob" in dead[codes[2]][1]
    assert "do not decrypt" in dead[codes[3]][1]
    assert dead[codes[3]][0] is None
    store.close()
