"""Issue 24: SIGTERM stops `kiosk-backend serve` gracefully. An upload in flight when the signal comes still
gets its answer (its seal checked in the pool), the process exits 0, and none of its processes (the seal
check workers) is left running: each child listed before the signal is gone after it. Killed with SIGKILL
(nothing can shut the pool down then), the workers notice and exit on their own."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.backoffice.helpers import Kiosks, len_pages, record_body
from tests.backoffice.test_serve_citizen import _wait_port
from tests.sync.helpers import REPO, Pki, free_port


def children_of(pid: int) -> set[int]:
    """Every process whose parent is ``pid`` (from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_gone(pids: set[int], timeout: float) -> set[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.1)
    return {p for p in pids if alive(p)}


def serve(pki: Pki, kiosks: Kiosks, data: Path, port: int, public_port: int) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable, "-m", "backoffice.cli", "serve", "--data", str(data), "--tls", str(pki.folder),
        "--port", str(port), "--public-port", str(public_port), "--trust", str(kiosks.root_cert),
        "--seal-workers", "2", "--insecure-cookies",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=REPO, stderr=subprocess.PIPE)
    _wait_port(port, proc)
    _wait_port(public_port, proc)
    return proc


def wait_workers(pid: int, count: int) -> set[int]:
    deadline = time.monotonic() + 60
    while len(kids := children_of(pid)) < count:
        assert time.monotonic() < deadline, f"only {kids} under the server"
        time.sleep(0.1)
    return kids


def test_sigterm_finishes_the_upload_in_flight_and_leaves_no_process(
    pki: Pki, kiosks: Kiosks, tmp_path: Path
) -> None:
    port, public_port = free_port(), free_port()
    proc = serve(pki, kiosks, tmp_path / "backend", port, public_port)
    try:
        workers = wait_workers(proc.pid, 2)
        code, pdf = kiosks.issue("HN-001")
        body = json.dumps(record_body(code, pdf, pages=len_pages(pdf))).encode()
        head = (
            f"POST /v1/records HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Idempotency-Key: {code}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        raw = socket.create_connection(("127.0.0.1", port), timeout=60)
        with pki.ssl_context("HN-001").wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            tls.sendall(head + body[: len(body) // 2])
            time.sleep(0.3)  # the request is in flight: its head read, half its body
            proc.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            tls.sendall(body[len(body) // 2 :])
            answer = b""
            while chunk := tls.recv(65536):
                answer += chunk
        status_line = answer.split(b"\r\n", 1)[0]
        assert status_line == b"HTTP/1.1 201 Created", answer[:300]
        assert proc.wait(60) == 0, proc.stderr.read().decode() if proc.stderr else ""
        assert wait_gone(workers, 10) == set(), "seal check workers outlived the server"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)


def test_after_sigkill_the_seal_workers_exit_on_their_own(pki: Pki, kiosks: Kiosks, tmp_path: Path) -> None:
    port, public_port = free_port(), free_port()
    proc = serve(pki, kiosks, tmp_path / "backend", port, public_port)
    workers: set[int] = set()
    try:
        workers = wait_workers(proc.pid, 2)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        assert wait_gone(workers, 15) == set(), "orphaned seal check workers"
    finally:
        for pid in workers:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
                pytest.fail(f"worker {pid} had to be killed by the test")
