"""Building and running the sync worker from a `[sync]` config: shared by `kiosk sync run` and
`python -m offline_sync.runner SETTINGS.json` (a lean entry point the kill -9 tests start by the hundred).

SETTINGS.json: {"kiosk_id": ..., "data_dir": ..., "sync": {<[sync] keys>}}.
"""

from __future__ import annotations

import fcntl
import json
import logging
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from offline_sync.client import BackendClient, make_ssl_context
from offline_sync.config import SyncConfig
from offline_sync.personal_data import load_or_create_data_key
from offline_sync.protocol.backoff import Backoff
from offline_sync.protocol.errors import BackendError, SyncError
from offline_sync.store import LocalStore
from offline_sync.synclog import SyncLog
from offline_sync.worker import SyncWorker, WorkerOptions, system_health

log = logging.getLogger(__name__)


@dataclass
class SyncParts:
    store: LocalStore
    synclog: SyncLog
    client: BackendClient | None
    lock: IO[bytes] | None = None

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        self.store.close()
        if self.lock is not None:
            self.lock.close()  # releases the flock


def worker_running(db_path: Path) -> bool:
    """Whether a sync worker holds the store's lock right now."""
    lock_path = db_path.with_name(db_path.name + ".sync-worker.lock")
    if not lock_path.exists():
        return False
    with open(lock_path, "ab") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return False


def acquire_worker_lock(db_path: Path) -> IO[bytes]:
    """One sync worker per store: an flock next to the database, released by the kernel even on kill -9."""
    lock_path = db_path.with_name(db_path.name + ".sync-worker.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock_path, "ab")  # noqa: SIM115 - held for the worker's lifetime
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise SyncError(
            "another sync worker is already running on this store", subject=str(db_path)
        ) from None
    return handle


def open_store(
    config: SyncConfig, resolve: Callable[[str], Path], data_key_path: Path | None = None
) -> LocalStore:
    key_path = data_key_path or resolve(config.data_key or "keys/data.key")
    return LocalStore(resolve(config.database), load_or_create_data_key(key_path))


def open_synclog(config: SyncConfig, resolve: Callable[[str], Path]) -> SyncLog:
    return SyncLog(resolve(config.sync_log), max_bytes=config.log_max_bytes, backups=config.log_backups)


def open_client(config: SyncConfig, resolve: Callable[[str], Path]) -> BackendClient:
    if not config.backend_url:
        raise BackendError("no backend configured: set [sync] backend_url", subject="backend_url")
    ctx = make_ssl_context(resolve(config.client_cert), resolve(config.client_key), resolve(config.ca_cert))
    return BackendClient(
        config.backend_url, ctx, timeout=config.request_timeout_s, max_connections=config.concurrency + 2
    )


def build_worker(
    config: SyncConfig,
    resolve: Callable[[str], Path],
    *,
    kiosk_id: str,
    health: Callable[[], dict[str, Any]] | None = None,
    on_tick: Callable[[], None] | None = None,
    on_purge: Callable[[int], None] | None = None,
    data_key_path: Path | None = None,
) -> tuple[SyncWorker, SyncParts]:
    lock = acquire_worker_lock(resolve(config.database))
    try:
        store = open_store(config, resolve, data_key_path)
    except SyncError:
        lock.close()
        raise
    try:
        client = open_client(config, resolve)
    except SyncError:
        store.close()
        lock.close()
        raise
    parts = SyncParts(store, open_synclog(config, resolve), client, lock)
    options = WorkerOptions(
        kiosk_id=kiosk_id,
        batch_size=config.batch_size,
        concurrency=config.concurrency,
        batch_max_bytes=config.batch_max_bytes,
        heartbeat_interval_s=config.heartbeat_interval_s,
        heartbeat_queue_max=config.heartbeat_queue_max,
        ship_log_interval_s=config.ship_log_interval_s,
        retention_days=config.retention_days,
        purge_interval_s=config.purge_interval_s,
    )
    data_dir = resolve(".")
    worker = SyncWorker(
        store,
        client,
        parts.synclog,
        options,
        backoff=Backoff(base=config.backoff_base_s, cap=config.backoff_cap_s),
        health=health or (lambda: system_health(data_dir)),
        on_tick=on_tick,
        on_purge=on_purge,
    )
    return worker, parts


def run_until_signalled(worker: SyncWorker) -> None:
    """Run the worker until SIGTERM or SIGINT; in-flight uploads finish before it returns."""
    stop = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        log.info("signal %d: stopping the sync worker", signum)
        stop.set()

    previous = {s: signal.signal(s, request_stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        worker.run(stop)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        worker.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        sys.stderr.write("usage: python -m offline_sync.runner SETTINGS.json\n")
        return 2
    try:
        settings = json.loads(Path(args[0]).read_text(encoding="utf-8"))
        config = SyncConfig.model_validate(settings.get("sync", {}))
        data_dir = Path(settings["data_dir"])
        kiosk_id = str(settings["kiosk_id"])
    except (OSError, ValueError, KeyError, ValidationError) as exc:
        sys.stderr.write(f"offline_sync.runner: {args[0]}: {exc}\n")
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    def resolve(value: str) -> Path:
        p = Path(value).expanduser()
        return p if p.is_absolute() else data_dir / p

    try:
        worker, parts = build_worker(config, resolve, kiosk_id=kiosk_id)
    except SyncError as exc:
        sys.stderr.write(f"offline_sync.runner: {exc.subject + ': ' if exc.subject else ''}{exc}\n")
        return exc.exit_code
    try:
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        run_until_signalled(worker)
    finally:
        parts.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
