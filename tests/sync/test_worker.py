"""The worker against the real backend over mTLS on loopback."""

from __future__ import annotations

import json
from pathlib import Path

from tests.sync.helpers import Backend, make_worker, open_store, write_records


def test_drain_uploads_every_record_once(backend: Backend, tmp_path: Path) -> None:
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
