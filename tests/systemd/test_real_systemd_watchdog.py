"""A kill -STOP of the UI process leads a real systemd to restart the unit.

There is no systemd as PID 1 here, so `systemd-run` cannot be used; but systemd 252 itself runs as a
user manager inside a private mount namespace (real_watchdog_driver.py explains how). The unit it
starts is derived from systemd/kiosk-ui.service (same Type=notify, NotifyAccess=all, Restart=always,
start limits; WatchdogSec= shortened to 2 s) with cage's shape: the main process starts the Qt app as a
child, and the Qt app pings the watchdog through kiosk.runtime.notify from a QTimer.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("real_watchdog_driver.py")


def _can_run_a_user_manager() -> str | None:
    if os.geteuid() != 0:
        return "needs root for a private mount namespace"
    if not Path("/lib/systemd/systemd").exists() or shutil.which("unshare") is None:
        return "systemd or unshare is not installed"
    probe = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", "mount -t tmpfs tmpfs /mnt"],
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        return f"cannot make a private mount namespace: {probe.stderr.decode().strip()}"
    return None


def _drive(unit: str, tmp_path: Path, *extra: Path) -> dict:
    reason = _can_run_a_user_manager()
    if reason:
        pytest.skip(reason)
    args = " ".join(f'"{a}"' for a in (REPO / "systemd" / unit, tmp_path, *extra))
    script = (
        "mkdir -p /run/systemd && mount -t tmpfs tmpfs /run/systemd && mkdir /run/systemd/system && "
        f'exec "{sys.executable}" "{DRIVER}" {args}'
    )
    run = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert run.stdout, run.stderr
    result = json.loads(run.stdout.splitlines()[-1])
    assert "error" not in result, json.dumps(result, indent=1)
    return result


@pytest.mark.slow
def test_kill_stop_of_the_ui_process_makes_systemd_restart_the_unit(tmp_path):
    result = _drive("kiosk-ui.service", tmp_path)
    assert "NotifyAccess=all" in result["unit"] and "Restart=always" in result["unit"]
    before, after = result["before"], result["after"]
    # The UI process is cage's child, not the unit's main process, and it was the one stopped.
    assert int(before["MainPID"]) != result["ui_pid"]
    assert before["NRestarts"] == "0"
    assert after["NRestarts"] == "1"
    assert after["ActiveState"] == "active"
    assert after["MainPID"] != before["MainPID"]
    assert after["StatusText"] != before["StatusText"]  # a new Qt app said READY=1 again
    assert result["old_ui_alive"] is False  # the stopped process was killed, not left behind


@pytest.mark.slow
def test_a_stopped_sync_worker_is_restarted_by_systemd(tmp_path):
    from tests.sync.helpers import KIOSK as KIOSK_ID
    from tests.sync.helpers import Backend, make_pki

    pki = make_pki(tmp_path / "pki")
    backend = Backend(pki, tmp_path / "backend").start()
    try:
        data = tmp_path / "data"
        data.mkdir()
        cert, key = pki.client(KIOSK_ID)
        config = tmp_path / "kiosk.toml"
        config.write_text(
            f'[kiosk]\nid = "{KIOSK_ID}"\ndata_dir = "{data}"\n\n'
            f'[sync]\nbackend_url = "{backend.url}"\nclient_cert = "{cert}"\nclient_key = "{key}"\n'
            f'ca_cert = "{pki.pki.ca_cert}"\n'
        )
        work = tmp_path / "work"
        work.mkdir()
        result = _drive("kiosk-sync.service", work, config)
    finally:
        backend.stop()
    assert "ExecStart=" in result["unit"] and "sync run" in result["unit"]
    before, after = result["before"], result["after"]
    assert before["StatusText"] == "sync worker running"  # the real worker's READY=1 with STATUS=
    assert int(before["MainPID"]) == result["ui_pid"]  # here the stopped process is the main one
    assert (before["NRestarts"], after["NRestarts"]) == ("0", "1")
    assert after["ActiveState"] == "active"
    assert result["old_ui_alive"] is False
