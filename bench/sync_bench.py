"""bench/sync: drain a backlog of 10,000 records to a loopback backend over mTLS, with the seal check on.

Every record carries a real certified copy (one page, sealed and PAdES-signed by the kiosk's dev key under
a dev city root, made before the clock starts, in a process per core), and the backend checks each one
against its seal as in production (``kiosk-backend serve --trust ROOT``, the check in a pool of
``--seal-workers`` processes). Side by side, in one run, against fresh backends (separate processes,
SQLite, fsync on):
  * worker    - the sync worker: batched, pipelined uploads (batch_size x concurrency), one store
                transaction per batch; seal check on;
  * unchecked - the same worker against a backend without the seal check (``--dev-no-seal-check``): what
                the check costs;
  * baseline  - the plain loop: for each record, POST it alone (keep-alive connection) and mark it
                synced; seal check on.

    .venv/bin/python bench/sync_bench.py [--records 10000] [--baseline-records 2000] [--seal-workers N]

Prints records/s and bytes/s (upload bodies) for each, and the ratios. Making 10,000 copies takes minutes
(about 50 ms of CPU each): ``--records`` smaller for a quick look.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backoffice.storage.db import BackendDB
from offline_sync.client import BackendClient, make_ssl_context
from offline_sync.protocol.backoff import Backoff
from offline_sync.store import LocalStore, RecordIn
from offline_sync.worker import record_json
from tests.sync.helpers import KIOSK, BackendProcess, make_pki, make_worker, open_store

_SIGNER = None


def _open_signer(kiosk_data: str) -> None:
    from signing.keys import load_seal_signer
    from tests.backoffice.helpers import Kiosks

    global _SIGNER
    kiosks = Kiosks(Path(kiosk_data).parent)
    _SIGNER = load_seal_signer(kiosks.config, Path(kiosk_data))


def _issue(args: tuple[int, str]) -> tuple[int, bytes]:
    """A real one-page certified copy with sequence number ``seq`` (in a pool worker: its own signer)."""
    from signing.certify import issue_certified_copy
    from signing.code import make_code
    from tests.signing.sign_helpers import copy_meta, copy_page

    seq, out_dir = args
    code = make_code("HN", KIOSK, seq)
    meta = copy_meta(seq, code=code, kiosk_id=KIOSK, doc_type="birth_certificate")
    copy = issue_certified_copy([copy_page(seq % 50, size=(400, 560), lines=4)], meta, _SIGNER)
    path = Path(out_dir) / f"{code}.pdf"
    path.write_bytes(copy.pdf)
    return seq, copy.pdf


def make_copies(kiosk_data: Path, out: Path, first: int, n: int) -> dict[int, bytes]:
    out.mkdir(parents=True, exist_ok=True)
    workers = os.cpu_count() or 1
    with ProcessPoolExecutor(workers, initializer=_open_signer, initargs=(str(kiosk_data),)) as pool:
        jobs = [(seq, str(out)) for seq in range(first, first + n)]
        return dict(pool.map(_issue, jobs, chunksize=max(1, n // (8 * workers))))


def fill(folder: Path, pdf_dir: Path, copies: dict[int, bytes]) -> tuple[LocalStore, list[str]]:
    """A kiosk store whose backlog is these copies (their codes carry their sequence numbers)."""
    from signing.code import make_code

    store = open_store(folder)
    base = datetime.now(UTC)
    codes = []
    for seq, pdf in sorted(copies.items()):
        code = make_code("HN", KIOSK, seq)
        store.add_record(
            RecordIn(
                code=code,
                created_at=base + timedelta(milliseconds=seq),
                kiosk_id=KIOSK,
                doc_type="birth_certificate",
                pages=1,
                pdf_path=str(pdf_dir / f"{code}.pdf"),
                pdf_sha256=hashlib.sha256(pdf).hexdigest(),
                holder_id="001090001234",
                holder_name="Nguyễn Văn An",
                ocr_text="GIẤY KHAI SINH",
                fields={"full_name": "Nguyễn Văn An"},
                face_match=True,
                face_distance=0.4,
                liveness="blink",
            )
        )
        codes.append(code)
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
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--seal-workers", type=int, default=os.cpu_count() or 1, help="the backend's seal check processes"
    )
    args = parser.parse_args()
    from tests.backoffice.helpers import make_kiosks

    root = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    pki = make_pki(root / "pki")
    kiosks = make_kiosks(root / "kiosks")
    ctx = make_ssl_context(*pki.client(KIOSK), pki.pki.ca_cert)
    started = time.perf_counter()
    copies = make_copies(kiosks.data(KIOSK), root / "pdf", 1, args.records + args.baseline_records)
    print(
        f"made {len(copies)} real certified copies in {time.perf_counter() - started:.0f} s "
        f"({sum(map(len, copies.values())) / len(copies) / 1024:.0f} KB each)",
        flush=True,
    )
    worker_copies = {seq: copies[seq] for seq in range(1, args.records + 1)}
    baseline_copies = {seq: copies[seq] for seq in range(args.records + 1, len(copies) + 1)}
    runs = (
        ("worker", worker_copies, True),
        ("unchecked", worker_copies, False),
        ("baseline", baseline_copies, True),
    )
    results = {}
    for name, batch, checked in runs:
        folder = root / name
        (folder / "kiosk").mkdir(parents=True)
        store, codes = fill(folder / "kiosk", root / "pdf", batch)
        backend = BackendProcess(
            pki,
            folder / "backend",
            trust=kiosks.root_cert if checked else None,
            extra=["--seal-workers", str(args.seal_workers)] if checked else [],
        ).start(timeout=120)
        try:
            with BackendClient(backend.url, ctx, max_connections=args.concurrency + 2) as client:
                if name == "baseline":
                    elapsed, sent = run_baseline(store, client)
                else:
                    elapsed, sent = run_worker(store, client, folder, args.batch, args.concurrency)
        finally:
            backend.stop()
        db = BackendDB(str(folder / "backend" / "backend.sqlite3"), folder / "backend" / "blobs")
        held = db.all_codes()
        db.close()
        assert sorted(held) == sorted(codes), f"{name}: backend holds {len(held)} of {len(codes)}"
        assert store.status().backlog == 0
        store.close()
        n = len(codes)
        results[name] = (n, elapsed, sent)
        print(
            f"{name:>9}: {n} records in {elapsed:.2f} s = {n / elapsed:,.0f} records/s, "
            f"{sent / elapsed / 1e6:,.2f} MB/s of upload bodies",
            flush=True,
        )
    rate = {name: n / t for name, (n, t, _b) in results.items()}
    print()
    print(f"{'':>11}{'records/s':>12}{'MB/s':>8}")
    notes = {
        "worker": f"(batch {args.batch} x {args.concurrency} in flight, seal check in {args.seal_workers} processes)",
        "unchecked": "(the same, backend with --dev-no-seal-check)",
        "baseline": "(one POST at a time, seal check on)",
    }
    for name, (_n, t, sent) in results.items():
        print(f"{name:>11}{rate[name]:>12,.0f}{sent / t / 1e6:>8.2f}   {notes[name]}")
    print(
        f"ratio worker/baseline: {rate['worker'] / rate['baseline']:.1f}x records/s; "
        f"seal check costs {rate['unchecked'] / rate['worker']:.2f}x; "
        f"budget >= 200 records/s with the check on: {'met' if rate['worker'] >= 200 else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
