"""A kill -STOP of the UI process leads a real systemd to restart the unit.

There is no systemd as PID 1 here, so `systemd-run` cannot be used; but systemd 252 itself runs as a
user manager inside a private mount namespace (real_watchdog_driver.py explains how). The unit it
starts is derived from systemd/kiosk-ui.service (same Type=notify, NotifyAccess=all, Restart=always,
start limits; WatchdogSec= shortened to 2 s) with cage's shape: the main process starts the Qt app as a
child, and the Qt app pings the watchdog through kiosk.notify from a QTimer.
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


@pytest.mark.slow
def test_kill_stop_of_the_ui_process_makes_systemd_restart_the_unit(tmp_path):
    reason = _can_run_a_user_manager()
    if reason:
        pytest.skip(reason)
    script = (
        "mkdir -p /run/systemd && mount -t tmpfs tmpfs /run/systemd && mkdir /run/systemd/system && "
        f'exec "{sys.executable}" "{DRIVER}" "{REPO / "systemd/kiosk-ui.service"}" "{tmp_path}"'
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
    assert "error" not in result, result
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
