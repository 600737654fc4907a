"""Shared by the sync tests and bench/sync_bench.py: a dev PKI, a backend on a free loopback port, a kiosk store
filled with records whose PDFs are real files."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from backoffice import (
    BackendDB,
    BackgroundServer,
    TlsFiles,
    create_dev_pki,
    issue_client_cert,
    make_server,
)
from backoffice.pki import DevPki
from offline_sync.client import BackendClient, make_ssl_context
from offline_sync.personal_data import load_or_create_data_key
from offline_sync.protocol.backoff import Backoff
from offline_sync.store import LocalStore, RecordIn
from offline_sync.synclog import SyncLog
from offline_sync.worker import SyncWorker, WorkerOptions

REPO = Path(__file__).resolve().parents[2]
KIOSK = "HN-001"


@dataclass
class Pki:
    pki: DevPki
    folder: Path

    def client(self, kiosk: str = KIOSK) -> tuple[Path, Path]:
        cert, key = self.folder / f"{kiosk}.crt", self.folder / f"{kiosk}.key"
        if not cert.exists():
            issue_client_cert(self.pki, kiosk, cert, key)
        return cert, key

    @property
    def tls(self) -> TlsFiles:
        return TlsFiles(self.pki.server_cert, self.pki.server_key, self.pki.ca_cert)

    def ssl_context(self, kiosk: str = KIOSK):  # type: ignore[no-untyped-def]
        cert, key = self.client(kiosk)
        return make_ssl_context(cert, key, self.pki.ca_cert)


def make_pki(folder: Path) -> Pki:
    return Pki(create_dev_pki(folder), folder)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_fault_proxy(pki: Pki, upstream_port: int, **faults: Any) -> Any:
    """A started FaultProxy between this test's kiosk (its client certificate) and the backend on
    `upstream_port`; `faults` are FaultProxy's own options (fault_rate, seed, delay_s...)."""
    from tests.sync.faultproxy import FaultProxy

    cert, key = pki.client(KIOSK)
    return FaultProxy(
        upstream_port=upstream_port,
        server_cert=pki.pki.server_cert,
        server_key=pki.pki.server_key,
        ca_cert=pki.pki.ca_cert,
        client_cert=cert,
        client_key=key,
        **faults,
    ).start()


class Backend:
    """The reference backend in a thread of the test process, on a fixed port so it can be restarted."""

    def __init__(self, pki: Pki, data: Path, *, db_url: str = "", port: int | None = None) -> None:
        self.pki = pki
        self.data = data
        self.db_url = db_url or str(data / "backend.sqlite3")
        self.port = port or free_port()
        self.db: BackendDB | None = None
        self._server: BackgroundServer | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self) -> Backend:
        self.db = BackendDB(self.db_url, self.data / "blobs")
        self._server = BackgroundServer(make_server(self.db, self.pki.tls, port=self.port)).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self.db is not None:
            self.db.close()
            self.db = None

    def codes(self) -> list[str]:
        db = self.db or BackendDB(self.db_url, self.data / "blobs")
        try:
            return db.all_codes()
        finally:
            if db is not self.db:
                db.close()

    def client(self, kiosk: str = KIOSK, **kw: Any) -> BackendClient:
        return BackendClient(self.url, self.pki.ssl_context(kiosk), **kw)


class BackendProcess:
    """The backend as its own process (`kiosk-backend serve`), for tests that stop and restart it."""

    def __init__(
        self,
        pki: Pki,
        data: Path,
        *,
        port: int | None = None,
        db_url: str = "",
        trust: Path | None = None,
        extra: Sequence[str] = (),
    ) -> None:
        """``trust``: the city root to check uploads' seals against (real certified copies); without it,
        ``--dev-no-seal-check``. ``extra``: more ``serve`` options."""
        self.pki, self.data, self.db_url = pki, data, db_url
        self.trust, self.extra = trust, list(extra)
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> BackendProcess:
        cmd = [
            sys.executable,
            "-m",
            "backoffice.cli",
            "serve",
            "--data",
            str(self.data),
            "--tls",
            str(self.pki.folder),
            "--port",
            str(self.port),
        ]
        if self.trust is not None:
            cmd += ["--trust", str(self.trust)]
        else:  # transport tests upload generated PDFs, not sealed copies (issue 16)
            cmd.append("--dev-no-seal-check")
        cmd += self.extra
        if self.db_url:
            cmd += ["--db", self.db_url]
        self.proc = subprocess.Popen(cmd, cwd=REPO, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while True:  # wait for the listening socket: the condition, not a fixed sleep
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"backend exited: {self.proc.stderr.read().decode() if self.proc.stderr else ''}"
                )
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(30)
            self.proc = None


def write_records(
    store: LocalStore,
    pdf_dir: Path,
    n: int,
    *,
    prefix: str = "HN001",
    kiosk: str = KIOSK,
    pdf_bytes: int = 2000,
    created_at: datetime | None = None,
) -> list[str]:
    pdf_dir.mkdir(parents=True, exist_ok=True)
    codes = []
    base = created_at or datetime.now(UTC)
    for _ in range(n):
        seq = store.next_sequence()
        code = f"{prefix}-{seq:07d}"
        body = b"%PDF-1.7\n" + hashlib.sha256(code.encode()).digest() * (pdf_bytes // 32 + 1)
        body = body[:pdf_bytes]
        path = pdf_dir / f"{code}.pdf"
        path.write_bytes(body)
        store.add_record(
            RecordIn(
                code=code,
                created_at=base + timedelta(milliseconds=seq),
                kiosk_id=kiosk,
                doc_type="birth_certificate",
                pages=1,
                pdf_path=str(path),
                pdf_sha256=hashlib.sha256(body).hexdigest(),
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
    return codes


def open_store(folder: Path) -> LocalStore:
    return LocalStore(folder / "kiosk.db", load_or_create_data_key(folder / "data.key"))


def make_worker(
    store: LocalStore,
    client: BackendClient,
    folder: Path,
    *,
    kiosk: str = KIOSK,
    batch_size: int = 20,
    concurrency: int = 2,
    backoff: Backoff | None = None,
    **kw: Any,
) -> SyncWorker:
    options = WorkerOptions(
        kiosk_id=kiosk, batch_size=batch_size, concurrency=concurrency, poll_interval_s=0.05
    )
    for key, value in kw.pop("options", {}).items():
        setattr(options, key, value)
    return SyncWorker(
        store,
        client,
        SyncLog(folder / "sync.jsonl", max_bytes=kw.pop("log_max_bytes", 5_000_000)),
        options,
        backoff=backoff or Backoff(base=0.01, cap=0.2),
        **kw,
    )


def runner_settings(folder: Path, pki: Pki, url: str, **sync: Any) -> Path:
    cert, key = pki.client(KIOSK)
    settings = {
        "kiosk_id": KIOSK,
        "data_dir": str(folder),
        "sync": {
            "database": "kiosk.db",
            "data_key": "data.key",
            "backend_url": url,
            "client_cert": str(cert),
            "client_key": str(key),
            "ca_cert": str(pki.pki.ca_cert),
            "sync_log": "sync.jsonl",
            "backoff_base_s": 0.01,
            "backoff_cap_s": 0.2,
            "heartbeat_interval_s": 0.5,
            "ship_log_interval_s": 0.5,
            **sync,
        },
    }
    path = folder / f"settings-{len(list(folder.glob('settings*.json')))}.json"
    path.write_text(json.dumps(settings))
    return path


def env_with_repo() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env
