"""The demo's city backend (`kiosk-backend serve`, a child process of the kiosk) never outlives its kiosk:
it stops with the kiosk's clean-up, and by itself when the kiosk dies without one (SIGKILL, ``os._exit``).
Before, a kiosk ended by ``os._exit`` left its backend running, ~110 MB each, for good."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.services.demo_payment import city_backend_process

# A kiosk-like parent: starts the demo backend, prints its pid and port, then dies the way it is told to.
PARENT = """
import os, sys, time
from pathlib import Path
from kiosk.services.demo_payment import city_backend_process
folder = Path(sys.argv[1])
(folder / "data").mkdir(parents=True, exist_ok=True)
with city_backend_process(folder / "data", folder / "tls", kiosk_ids=("HN-001",)) as url:
    children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
    print(children[-1], url.rsplit(":", 1)[1], flush=True)
    if sys.argv[2] == "exit":
        os._exit(0)
    time.sleep(600)
"""


def _gone(pid: int, within_s: float) -> bool:
    """Whether process ``pid`` is gone (or a zombie) within ``within_s``: a bound against a hang, not a
    measurement."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state == "Z":
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("death", ["exit", "kill"])
def test_the_backend_stops_when_its_kiosk_dies_without_clean_up(tmp_path: Path, death: str) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(tmp_path), death], stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        backend_pid, port = (int(part) for part in parent.stdout.readline().split())
        assert Path(f"/proc/{backend_pid}/cmdline").read_bytes().split(b"\0")[-3:-1] == [
            b"--parent-pid",
            str(parent.pid).encode(),
        ]
        if death == "kill":
            parent.send_signal(signal.SIGKILL)
        parent.wait(30)
        assert _gone(backend_pid, within_s=30), f"the backend {backend_pid} outlived its kiosk"
        assert port > 0
    finally:
        parent.kill()
        parent.wait()
        try:
            os.kill(backend_pid, signal.SIGKILL)
        except (ProcessLookupError, UnboundLocalError):
            pass


def test_the_backend_stops_with_the_kiosk_s_clean_up(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    with city_backend_process(tmp_path / "data", tmp_path / "tls", kiosk_ids=("HN-001",)) as url:
        children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
        backend_pid = int(children[-1])
        assert url.startswith("https://127.0.0.1:")
    assert _gone(backend_pid, within_s=1)
