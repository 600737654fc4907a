"""bench/sync: drain a backlog of 10,000 records to a loopback backend over mTLS.

Side by side, in one run, against fresh backends (separate processes, SQLite, fsync on):
  * worker   - the sync worker: batched, pipelined uploads (batch_size x concurrency), one store
               transaction per batch;
  * baseline - the plain loop: for each record, POST it alone (keep-alive connection) and mark it synced.

    .venv/bin/python bench/sync_bench.py [--records 10000] [--baseline-records 2000] [--pdf-kb 16]

Prints records/s and bytes/s (upload bodies) for both, and the ratio.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from offline_sync.backend.db import BackendDB
from offline_sync.backoff import Backoff
from offline_sync.client import BackendClient, make_ssl_context
from offline_sync.store import LocalStore
from offline_sync.worker import record_json
from tests.sync.helpers import KIOSK, BackendProcess, make_pki, make_worker, open_store, write_records


def fill(folder: Path, n: int, pdf_bytes: int) -> tuple[LocalStore, list[str]]:
    store = open_store(folder)
    codes = write_records(store, folder / "pdf", n, pdf_bytes=pdf_bytes)
    return store, codes


def run_worker(
    store: LocalStore, client: BackendClient, folder: Path, batch: int, conc: int
) -> tuple[float, int]:
    worker = make_worker(
        store, client, folder, batch_size=batch, concurrency=conc, backoff=Backoff(0.05, 1.0)
    )
    worker.options.heartbeat_interval_s = 3600
    worker.options.ship_log_interval_s = 3600
    started = time.perf_counter()
    assert worker.drain(timeout=1800), "worker did not drain"
    elapsed = time.perf_counter() - started
    worker.close()
    return elapsed, worker.counters.bytes_sent


def run_baseline(store: LocalStore, client: BackendClient) -> tuple[float, int]:
    sent = 0
    started = time.perf_counter()
    for item in store.due_for_upload(10**9):
        body = record_json(item.record, Path(item.record.pdf_path or "").read_bytes())
        reply, result = client.upload_record(item.code, body)
        assert result.status in (200, 201), reply.error
        sent += len(body)
        store.mark_synced([item.code])
    return time.perf_counter() - started, sent


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--baseline-records", type=int, default=2_000, help="the plain loop's backlog")
    parser.add_argument("--pdf-kb", type=int, default=16, help="size of each record's PDF")
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    pki = make_pki(root / "pki")
    ctx = make_ssl_context(*pki.client(KIOSK), pki.pki.ca_cert)
    results = {}
    for name, n in (("worker", args.records), ("baseline", args.baseline_records)):
        folder = root / name
        store, codes = fill(folder / "kiosk", n, args.pdf_kb * 1024)
        backend = BackendProcess(pki, folder / "backend").start()
        try:
            with BackendClient(backend.url, ctx, max_connections=args.concurrency + 2) as client:
                if name == "worker":
                    elapsed, sent = run_worker(store, client, folder, args.batch, args.concurrency)
                else:
                    elapsed, sent = run_baseline(store, client)
        finally:
            backend.stop()
        db = BackendDB(str(folder / "backend" / "backend.sqlite3"), folder / "backend" / "blobs")
        held = db.all_codes()
        db.close()
        assert sorted(held) == sorted(codes), f"{name}: backend holds {len(held)} of {len(codes)}"
        assert store.status().backlog == 0
        store.close()
        results[name] = (n, elapsed, sent)
        print(
            f"{name:>8}: {n} records in {elapsed:.2f} s = {n / elapsed:,.0f} records/s, "
            f"{sent / elapsed / 1e6:,.2f} MB/s of upload bodies",
            flush=True,
        )
    w_n, w_t, w_b = results["worker"]
    b_n, b_t, b_b = results["baseline"]
    print()
    print(f"{'':>10}{'records/s':>14}{'MB/s':>10}")
    print(
        f"{'worker':>10}{w_n / w_t:>14,.0f}{w_b / w_t / 1e6:>10.2f}   (batch {args.batch} x {args.concurrency} in flight)"
    )
    print(f"{'baseline':>10}{b_n / b_t:>14,.0f}{b_b / b_t / 1e6:>10.2f}   (one POST at a time)")
    print(
        f"ratio worker/baseline: {(w_n / w_t) / (b_n / b_t):.1f}x records/s; "
        f"budget >= 200 records/s: {'met' if w_n / w_t >= 200 else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
