"""Reliability in the Jepsen "set" style: create N records, inject faults, heal, then check that the
backend holds exactly the N records (none lost, none duplicated, each with the kiosk's own content).

Each test prints its figures (runs, faults injected, records); `pytest tests/sync -m slow -s` shows them.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from offline_sync.protocol.backoff import Backoff
from offline_sync.protocol.errors import StoreFullError
from offline_sync.store import LocalStore
from tests.sync.helpers import (
    KIOSK,
    REPO,
    Backend,
    Pki,
    env_with_repo,
    make_worker,
    open_store,
    runner_settings,
    start_fault_proxy,
    write_records,
)


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll a condition (the thing itself, not a guessed sleep) until true or fail naming it."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for: {what}")
        time.sleep(0.02)


def assert_exact_set(backend: Backend, store: LocalStore, expected: list[str]) -> None:
    """The set check: exactly the expected codes on the backend, each with the kiosk's PDF hash."""
    held = backend.codes()
    assert len(held) == len(set(held)), "duplicated record on the backend"
    missing = sorted(set(expected) - set(held))
    extra = sorted(set(held) - set(expected))
    assert not missing, f"lost {len(missing)} record(s): {missing[:5]}"
    assert not extra, f"unexpected record(s): {extra[:5]}"
    assert backend.db is not None
    for code in random.Random(1).sample(expected, min(25, len(expected))):
        local = store.get_record(code)
        remote = backend.db.get_record(code)
        assert local is not None
        assert remote is not None
        assert remote["pdf_sha256"] == local.pdf_sha256
    status = store.status()
    assert status.backlog == 0
    assert status.dead_letters == 0


@contextlib.contextmanager
def running(worker) -> Iterator[threading.Event]:  # type: ignore[no-untyped-def]
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join(30)
        worker.close()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fault_proxy_loses_and_duplicates_nothing(
    pki: Pki, backend: Backend, tmp_path: Path, seed: int
) -> None:
    proxy = start_fault_proxy(pki, backend.port, fault_rate=0.6, seed=seed, delay_s=1.2)
    store = open_store(tmp_path / "kiosk")
    codes = write_records(store, tmp_path / "pdf", 240)
    from offline_sync.client import BackendClient

    client = BackendClient(f"https://127.0.0.1:{proxy.port}", pki.ssl_context(KIOSK), timeout=0.8)
    try:
        worker = make_worker(
            store, client, tmp_path, batch_size=4, concurrency=3, backoff=Backoff(0.005, 0.05)
        )
        assert worker.drain(timeout=150), f"not drained: {store.status()}"
        worker.close()
        assert_exact_set(backend, store, codes)
        assert backend.db is not None
        counters = backend.db.counters(KIOSK)
        assert counters["stored"] == 240
        assert proxy.faults_injected >= 20
        # Faults after the backend stored a batch (drop_after, cut_response, delay, error_after) must have
        # caused re-uploads that the backend answered as replays.
        after_store = sum(proxy.counts[f] for f in ("drop_after", "cut_response", "delay", "error_after"))
        if after_store:
            assert counters["replayed"] > 0
        lines = [json.loads(x) for x in (tmp_path / "sync.jsonl").read_text().splitlines()]
        assert {e["code"] for e in lines if e["outcome"] in ("synced", "replayed")} == set(codes)
        print(
            f"\nFIGURES fault-proxy seed={seed}: records=240 requests={sum(proxy.counts.values())}"
            f" faults_injected={proxy.faults_injected} {dict(proxy.counts)} backend={counters}"
            f" attempts_logged={len(lines)}"
        )
    finally:
        client.close()
        proxy.stop()
        store.close()


def test_backend_down_for_a_long_time(pki: Pki, backend: Backend, tmp_path: Path) -> None:
    store = open_store(tmp_path / "kiosk")
    codes = write_records(store, tmp_path / "pdf", 30)
    backend.stop()
    with backend.client(timeout=2.0) as client:
        worker = make_worker(
            store, client, tmp_path, backoff=Backoff(0.01, 0.1), options={"heartbeat_interval_s": 0.05}
        )
        with running(worker):
            # Down for 40 failed link attempts while the kiosk keeps issuing copies.
            for _ in range(4):
                codes += write_records(store, tmp_path / "pdf", 10)
                target = worker.counters.link_failures + 10
                wait_for(
                    lambda t=target: worker.counters.link_failures >= t, 60, "10 more failed link attempts"
                )
            queued = store.status().queued_heartbeats
            assert queued >= 10, "heartbeats must queue while offline"
            assert store.status().last_error
            backend.start()
            wait_for(lambda: store.status().backlog == 0, 60, "backlog drained after the backend came back")
            wait_for(lambda: store.status().queued_heartbeats == 0, 30, "queued heartbeats sent")
        assert_exact_set(backend, store, codes)
        assert backend.db is not None
        beats = backend.db.heartbeats(KIOSK)
        assert len(beats) >= queued
        assert any(b["backlog"] > 0 for b in beats), "heartbeats from the outage reached the backend"
        print(
            f"\nFIGURES backend-down: records={len(codes)} failed_link_attempts={worker.counters.link_failures}"
            f" heartbeats_queued_offline={queued} heartbeats_delivered={len(beats)}"
        )
    store.close()


def test_kiosk_clock_hours_off(pki: Pki, backend: Backend, tmp_path: Path) -> None:
    offset = [5 * 3600.0]  # the kiosk clock runs five hours ahead, then is corrected to three hours behind
    store = open_store(tmp_path / "kiosk")
    codes = write_records(store, tmp_path / "pdf", 20)
    backend.stop()
    with backend.client(timeout=2.0) as client:
        worker = make_worker(
            store,
            client,
            tmp_path,
            backoff=Backoff(1.0, 2.0),
            clock=lambda: time.time() + offset[0],
            options={"heartbeat_interval_s": 0.1},
        )
        with running(worker):
            wait_for(lambda: worker.counters.link_failures >= 2, 30, "failed attempts while skewed")
            # Retry times were stamped five hours ahead. Correct the clock to three hours behind: without the
            # guard the records would wait eight hours.
            offset[0] = -3 * 3600.0
            backend.start()
            wait_for(lambda: store.status().backlog == 0, 60, "drained after the clock jumped back")
            wait_for(lambda: store.status().queued_heartbeats == 0, 30, "heartbeats sent")
        assert_exact_set(backend, store, codes)
        assert backend.db is not None
        offsets = [k["clock_offset_s"] for k in backend.db.fleet() if k["kiosk_id"] == KIOSK]
        assert offsets
        assert abs(offsets[0] + 3 * 3600) < 120, "the fleet view shows the kiosk's clock offset"
        print(f"\nFIGURES clock-skew: records={len(codes)} skew=+5h then -3h fleet_offset_s={offsets[0]}")
    store.close()


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("mounting a tiny tmpfs needs root")
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)], capture_output=True, check=False
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill_disk(folder: Path) -> Path:
    filler = folder / "filler"
    with open(filler, "wb") as fh, pytest.raises(OSError) as full:  # noqa: PT012
        while True:
            fh.write(b"\0" * 65536)
            fh.flush()
    assert full.value.errno == errno.ENOSPC
    return filler


def test_disk_full_on_the_kiosk(pki: Pki, backend: Backend, tmp_path: Path, tiny_disk: Path) -> None:
    store = open_store(tiny_disk)
    codes = write_records(store, tiny_disk / "pdf", 60, pdf_bytes=4000)
    with backend.client() as client:
        worker = make_worker(
            store, client, tiny_disk, batch_size=10, concurrency=1, backoff=Backoff(0.01, 0.1)
        )
        filler = fill_disk(tiny_disk)
        # The kiosk cannot store a new record: a clear error, and nothing half-written.
        with pytest.raises(StoreFullError, match="disk full"):
            write_records(store, tiny_disk / "more", 1, prefix="FULL")
        with running(worker):
            # Uploads still go out (reads work), but the worker cannot note them as synced: it keeps
            # re-sending the oldest batch, with backoff, and the backend answers with replays.
            wait_for(lambda: worker.counters.requests >= 6, 60, "uploads repeated while the disk is full")
            assert len(backend.codes()) >= 10
            assert store.status().backlog == 60
            assert worker.counters.synced == 0
            filler.unlink()
            wait_for(lambda: store.status().backlog == 0, 60, "drained after space came back")
            codes += write_records(store, tiny_disk / "pdf", 5, prefix="AFTER")
            wait_for(lambda: store.status().backlog == 0, 60, "new records flow again")
        assert_exact_set(backend, store, codes)
        assert backend.db is not None
        counters = backend.db.counters(KIOSK)
        assert counters["stored"] == 65
        assert counters["replayed"] > 0
        assert store._exec("PRAGMA integrity_check").fetchone()[0] == "ok"
        print(f"\nFIGURES disk-full: records={len(codes)} backend={counters}")
    store.close()


@pytest.mark.slow
def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_kill_minus_9_the_worker_many_times(pki: Pki, backend: Backend, tmp_path: Path) -> None:
    """kill -9 at random points, 150 times, while the kiosk keeps writing, the link drops or garbles a
    fifth of the requests, and the backend is down every 30th round."""
    folder = tmp_path / "kiosk"
    folder.mkdir()
    proxy = start_fault_proxy(pki, backend.port, fault_rate=0.2, seed=8, delay_s=1.2)
    settings = runner_settings(
        folder, pki, f"https://127.0.0.1:{proxy.port}", batch_size=4, concurrency=2, request_timeout_s=1.0
    )
    store = open_store(folder)
    rng = random.Random(8)
    codes: list[str] = []
    kills = backend_outages = 0
    env = env_with_repo()
    zygote = subprocess.Popen(
        [sys.executable, "-m", "tests.sync.zygote", str(settings)],
        cwd=REPO,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert zygote.stdin is not None
    assert zygote.stdout is not None
    try:
        for round_no in range(150):
            codes += write_records(store, tmp_path / "pdf", 4)
            outage = round_no % 30 == 29
            if outage:
                backend.stop()
                backend_outages += 1
            zygote.stdin.write("fork\n")
            zygote.stdin.flush()
            got = {zygote.stdout.readline().strip() for _ in range(2)}  # the pid and the worker's "ready"
            assert "ready" in got, got
            (pid,) = (int(x) for x in got if x.isdigit())
            # The kiosk keeps issuing copies into the same file while the worker runs (two processes).
            codes += write_records(store, tmp_path / "pdf", 4)
            time.sleep(rng.uniform(0.0, 0.12))  # the fault's timing: a random point in the worker's life
            os.kill(pid, signal.SIGKILL)
            wait_for(lambda p=pid: not _alive(p), 10, f"worker {pid} gone after kill -9")
            kills += 1
            if outage:
                backend.start()
        synced_before_heal = len(backend.codes())
        # Heal: the network is repaired (straight to the backend) and the worker runs undisturbed.
        healed = runner_settings(folder, pki, backend.url, batch_size=50, concurrency=4)
        heal_cmd = [sys.executable, "-m", "offline_sync.runner", str(healed)]
        proc = subprocess.Popen(
            heal_cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            wait_for(lambda: store.status().backlog == 0, 120, "drained after the last restart")
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(30) == 0
    finally:
        proxy.stop()
        zygote.stdin.write("quit\n")
        zygote.stdin.close()
        zygote.wait(10)
    assert_exact_set(backend, store, codes)
    assert backend.db is not None
    counters = backend.db.counters(KIOSK)
    assert counters["stored"] == len(codes)
    assert store._exec("PRAGMA integrity_check").fetchone()[0] == "ok"
    print(
        f"\nFIGURES kill-9: kills={kills} records={len(codes)} backend_outages={backend_outages}"
        f" proxy_faults={proxy.faults_injected} {dict(proxy.counts)}"
        f" on_backend_before_heal={synced_before_heal} backend={counters}"
    )
    store.close()
