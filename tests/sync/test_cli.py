"""`kiosk sync run --drain | status | log | retry-dead` against a real backend."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.cli import main
from offline_sync.personal_data import load_or_create_data_key
from offline_sync.store import LocalStore
from tests.sync.helpers import KIOSK, Backend, write_records


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """kiosk.cli.main installs a stderr handler on the root logger; undo it so later tests do not log
    into a capture stream that pytest has closed."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def kiosk_config(tmp_path: Path, backend: Backend) -> Path:
    cert, key = backend.pki.client(KIOSK)
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f"""
[kiosk]
id = "{KIOSK}"
data_dir = "{tmp_path / "data"}"

[sync]
backend_url = "{backend.url}"
client_cert = "{cert}"
client_key = "{key}"
ca_cert = "{backend.pki.pki.ca_cert}"
backoff_base_s = 0.01
backoff_cap_s = 0.1
"""
    )
    return path


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main(list(argv))
    out = capsys.readouterr().out.strip().splitlines()
    return code, json.loads(out[-1]) if out else {}


def test_sync_commands(backend: Backend, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = kiosk_config(tmp_path, backend)
    # The kiosk process stores records with the key store's data key; the worker must read them.
    store = LocalStore(
        tmp_path / "data" / "kiosk.db", load_or_create_data_key(tmp_path / "data" / "keys" / "data.key")
    )
    codes = write_records(store, tmp_path / "pdf", 12)
    store.close()

    code, status = run_json(capsys, "sync", "status", "--config", str(config), "--json")
    assert code == 0
    assert status["backlog"] == 12
    assert status["oldest_unsynced"] is not None
    assert status["worker_running"] is False

    code, drained = run_json(capsys, "sync", "run", "--drain", "--config", str(config), "--json")
    assert code == 0
    assert drained["drained"] is True
    assert drained["synced"] == 12
    assert backend.codes() == sorted(codes)

    code, status = run_json(capsys, "sync", "status", "--config", str(config), "--json")
    assert status["backlog"] == 0
    assert status["last_success_at"]

    code, log = run_json(capsys, "sync", "log", "--config", str(config), "--json", "--limit", "5")
    assert code == 0
    assert len(log["entries"]) == 5
    assert {e["outcome"] for e in log["entries"]} == {"synced"}

    assert main(["sync", "log", "--config", str(config)]) == 0
    human = capsys.readouterr().out
    assert codes[-1] in human
    assert "synced" in human

    code, requeued = run_json(capsys, "sync", "retry-dead", "--config", str(config), "--json")
    assert requeued == {"requeued": 0}

    # Lookup and reprint from the backend (after retention purged the local copy).
    out = tmp_path / "reprint.pdf"
    code, found = run_json(
        capsys, "sync", "lookup", codes[3], "--pdf", str(out), "--config", str(config), "--json"
    )
    assert code == 0
    assert found["code"] == codes[3]
    assert found["pdf"] == str(out)
    assert out.read_bytes() == (tmp_path / "pdf" / f"{codes[3]}.pdf").read_bytes()
    assert main(["sync", "lookup", "NOPE-000000-X", "--config", str(config)]) == 1
    assert "no record" in capsys.readouterr().err


def test_sync_run_without_a_backend_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[kiosk]\ndata_dir = "{tmp_path}"\n')
    assert main(["sync", "run", "--config", str(path)]) == 3
    assert "backend_url" in capsys.readouterr().err
    path.write_text(f'[kiosk]\ndata_dir = "{tmp_path}"\n[sync]\nbackend_url = "https://127.0.0.1:1"\n')
    assert main(["sync", "run", "--config", str(path)]) == 3
    assert "not found" in capsys.readouterr().err


def test_only_one_sync_worker_per_store(backend: Backend, tmp_path: Path) -> None:
    from kiosk.config import load_config
    from offline_sync.protocol.errors import SyncError
    from offline_sync.runner import build_worker

    config = load_config(kiosk_config(tmp_path, backend))
    from offline_sync.runner import worker_running

    db = config.path(config.sync.database)
    assert not worker_running(db)
    _, parts = build_worker(config.sync, config.path, kiosk_id=KIOSK)
    try:
        assert worker_running(db)
        with pytest.raises(SyncError, match="already running"):
            build_worker(config.sync, config.path, kiosk_id=KIOSK)
    finally:
        parts.close()
    _, again = build_worker(config.sync, config.path, kiosk_id=KIOSK)  # released on close
    again.close()


def test_kiosk_sync_run_is_a_service_process(backend: Backend, tmp_path: Path) -> None:
    """`kiosk sync run` as its own process: drains what the kiosk writes, and stops cleanly on SIGTERM."""
    import signal
    import subprocess
    import sys
    import time

    from tests.sync.helpers import REPO, env_with_repo

    config = kiosk_config(tmp_path, backend)
    store = LocalStore(
        tmp_path / "data" / "kiosk.db", load_or_create_data_key(tmp_path / "data" / "keys" / "data.key")
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "sync", "run", "--config", str(config)],
        cwd=REPO,
        env=env_with_repo(),
        stderr=subprocess.PIPE,
    )
    try:
        codes = write_records(store, tmp_path / "pdf", 9)  # written while the worker runs
        deadline = time.monotonic() + 60
        while store.status().backlog and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.05)
        assert store.status().backlog == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    assert backend.codes() == sorted(codes)
    store.close()
