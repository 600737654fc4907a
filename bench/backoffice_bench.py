"""bench/backoffice: the public status lookup on PostgreSQL with a million issued copies.

DESIGN budget: a public status lookup <= 50 ms median on PostgreSQL with 1 million records. In one run,
on a private PostgreSQL 15 (started and removed by the bench, fsync off for the load only):
  * lookup   - GET /api/public/copies/{code} through the public listener (uvicorn, plain HTTP, keep-alive),
               random known codes: what a verifier waits for;
  * indexed  - the same query alone (copies by primary key), through the backend's own connection;
  * baseline - the obvious query without an index: the same SELECT on an unindexed copy of the table.

And what authorization costs at ingest: storing real one-page certified copies (SQLite) with the seal
check (chain, seal, code, pages, type) as it was (verify_pdf), as it is (verify_upload, on one thread and
in the backend's process pool) and without it (``--dev-no-seal-check``); and ms per copy of each verifier.

    .venv/bin/python bench/backoffice_bench.py [--rows 1000000] [--lookups 1000] [--baseline-lookups 20]
                                               [--ingest 30]

Prints median and p95 of each and the baseline/indexed ratio, then records/s of ingest for each seal check.
``--rows 0`` skips the PostgreSQL part.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from backoffice import BackendDB, BackgroundServer
from backoffice.server import make_public_server
from backoffice.services.postcheck import public_status
from backoffice.web.public import RateLimit, build_public_app
from signing.code import make_code
from tests.sync.conftest import PG_BIN, PostgresServer
from tests.sync.helpers import free_port

KIOSKS = 200


def load(db_url: str, rows: int) -> list[str]:
    """`rows` copies over KIOSKS kiosks (COPY), and the unindexed twin table; returns a sample of codes."""
    import psycopg

    sample: list[str] = []
    per_kiosk = rows // KIOSKS + 1
    with psycopg.connect(db_url, autocommit=True) as conn:
        with (
            conn.cursor() as cur,
            cur.copy(
                "COPY copies (code, kiosk_id, ward, doc_type, pages, issued_at, received_at, status, flags) FROM STDIN"
            ) as copy,
        ):
            n = 0
            for k in range(KIOSKS):
                kiosk = f"HN-{k + 1:03d}"
                for seq in range(1, per_kiosk + 1):
                    if n >= rows:
                        break
                    code = make_code("HN", kiosk, seq)
                    status = "revoked" if n % 97 == 0 else ("post_checked" if n % 3 == 0 else "issued")
                    at = f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}T08:{n % 60:02d}:00+00:00"
                    copy.write_row(
                        (code, kiosk, f"Phường {k % 30}", "birth_certificate", 1 + n % 4, at, at, status, "")
                    )
                    if n % max(1, rows // 5000) == 0:
                        sample.append(code)
                    n += 1
        conn.execute("CREATE TABLE copies_unindexed AS SELECT * FROM copies")
        conn.execute("ANALYZE copies")
        conn.execute("ANALYZE copies_unindexed")
    return sample


def timed(fn, codes: list[str]) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for code in codes:
        start = time.perf_counter()
        fn(code)
        out.append((time.perf_counter() - start) * 1000)
    return out


def summary(name: str, ms: list[float]) -> str:
    p95 = statistics.quantiles(ms, n=20)[-1] if len(ms) >= 20 else max(ms)
    return f"{name:<9} median {statistics.median(ms):8.3f} ms   p95 {p95:8.3f} ms   ({len(ms)} lookups)"


class _BeforeChecker:
    """The seal check as it was: the full ``verify_pdf`` (difference analysis, a path validation and every
    parse per record) in the caller's thread, judged by the same rules."""

    def __init__(self, checker: Any) -> None:
        self.checker = checker

    def code_problem(self, code: str, kiosk_id: str) -> str | None:
        return self.checker.code_problem(code, kiosk_id)  # type: ignore[no-any-return]

    def problem(
        self, *, code: str, kiosk_id: str, pages: int, doc_type: str, pdf: bytes, claims: Any = None
    ) -> str | None:
        from backoffice.services.seals import _judge
        from signing.verify import verify_pdf

        if (cheap := self.code_problem(code, kiosk_id)) is not None:
            return cheap
        verdict = verify_pdf(pdf, self.checker.trust)
        return _judge(verdict, code=code, kiosk_id=kiosk_id, pages=pages, doc_type=doc_type)


def ingest_cost(n: int) -> None:
    """Records/s of BackendDB.ingest for n real certified copies: the seal check before (verify_pdf), now
    (verify_upload) in the caller's thread and in a pool of one process per core fed by 4 server threads,
    and without the check; then the verifier alone, ms per copy."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    from backoffice.services.seals import SealChecker, load_trust
    from offline_sync.protocol import RecordUpload
    from signing.ingest_check import verify_upload
    from signing.verify import verify_pdf
    from tests.backoffice.helpers import make_kiosks, record_body

    folder = Path(tempfile.mkdtemp(prefix="kiosk-bench-ingest-"))
    try:
        kiosks = make_kiosks(folder / "kiosks")
        issued = [kiosks.issue("HN-001") for _ in range(n)]
        uploads = [RecordUpload.model_validate(record_body(code, pdf)) for code, pdf in issued]
        trust = load_trust([kiosks.root_cert])
        workers = os.cpu_count() or 1
        inline = SealChecker(trust)
        pooled = SealChecker(trust, workers=workers)
        variants: list[tuple[str, Any, int]] = [
            ("before (verify_pdf, 1 thread)", _BeforeChecker(inline), 1),
            ("now, 1 thread", inline, 1),
            (f"now, pool of {workers} processes", pooled, 4),
            ("unchecked, 1 thread", None, 1),
        ]
        rates = {}
        for index, (name, check, threads) in enumerate(variants):
            db = BackendDB(str(folder / f"{index}.sqlite3"), folder / f"blobs-{index}", seal_checker=check)

            def one(upload: Any, db: Any = db) -> None:
                (result,) = db.ingest([upload], "HN-001")
                assert result.status == 201, result.error

            start = time.perf_counter()
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(one, uploads))
            rates[name] = n / (time.perf_counter() - start)
            db.close()
        pooled.close()
        for name, rate in rates.items():
            print(f"ingest    {name:<34} {rate:7.1f} records/s")
        base = rates["before (verify_pdf, 1 thread)"]
        print(
            f"ingest    now/before: {rates['now, 1 thread'] / base:.1f}x on one thread, "
            f"{rates[f'now, pool of {workers} processes'] / base:.1f}x with the pool ({n} one-page copies)"
        )
        for name, fn in (("verify_pdf", verify_pdf), ("verify_upload", verify_upload)):
            wall = cpu = 0.0
            for _code, pdf in issued:
                w, c = time.perf_counter(), time.process_time()
                assert fn(pdf, trust).valid
                wall += time.perf_counter() - w
                cpu += time.process_time() - c
            print(
                f"verify    {name:<14} {wall / n * 1000:6.1f} ms wall, {cpu / n * 1000:6.1f} ms CPU per copy"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--baseline-lookups", type=int, default=20)
    parser.add_argument(
        "--ingest", type=int, default=30, help="certified copies for the ingest cost (0: skip)"
    )
    args = parser.parse_args()
    if args.rows == 0:
        if args.ingest:
            ingest_cost(args.ingest)
        return 0
    if not (PG_BIN / "initdb").exists():
        print("PostgreSQL 15 server binaries are not installed", file=sys.stderr)
        return 3
    root = Path(tempfile.mkdtemp(prefix="kiosk-bench-pg-"))
    folder = Path(tempfile.mkdtemp(prefix="kiosk-bench-office-"))
    pg = PostgresServer(root)
    server = None
    try:
        url = pg.new_database()
        db = BackendDB(url, folder / "blobs")  # creates the schema
        t0 = time.perf_counter()
        sample = load(url, args.rows)
        print(
            f"loaded {args.rows:,} copies in {time.perf_counter() - t0:.1f} s (PostgreSQL 15, {KIOSKS} kiosks)"
        )
        rng = random.Random(16)
        codes = [rng.choice(sample) for _ in range(args.lookups)]
        app = build_public_app(db, rate=RateLimit(lookup_rate=1e9, lookup_burst=10**9))
        port = free_port()
        server = BackgroundServer(make_public_server(app, port=port)).start()
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for code in codes[:50]:  # warm-up: connection, plans, caches
                assert client.get(f"/api/public/copies/{code}").status_code == 200
            http_ms = timed(lambda c: client.get(f"/api/public/copies/{c}").raise_for_status(), codes)
        indexed_ms = timed(lambda c: public_status(db, c), codes)

        def unindexed(code: str) -> None:
            with db._tx() as cur:
                cur.execute(
                    "SELECT code, status, issued_at, doc_type, pages, revoked_reason FROM copies_unindexed"
                    " WHERE code = ?",
                    (code,),
                )
                assert cur.fetchone() is not None

        baseline_ms = timed(unindexed, codes[: args.baseline_lookups])
        print(summary("lookup", http_ms) + "   <- HTTP, the budget is 50 ms median")
        print(summary("indexed", indexed_ms))
        print(summary("baseline", baseline_ms))
        ratio = statistics.median(baseline_ms) / statistics.median(indexed_ms)
        print(
            f"baseline / indexed median: {ratio:,.0f}x;  lookup median within budget: "
            f"{'yes' if statistics.median(http_ms) <= 50 else 'NO'}"
        )
        db.close()
    finally:
        if server is not None:
            server.stop()
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
    if args.ingest:
        ingest_cost(args.ingest)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
