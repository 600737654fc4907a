"""install.sh on the machine's real root (real useradd, systemd-tmpfiles, systemctl), twice, inside
throwaway overlays of /etc, /var and /opt in a private mount namespace; then two real service users use
what it made: the shared SQLite store and audit log work for both, each user's secrets stay its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("overlay_root_install.sh")


def _skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root for a private mount namespace and overlays"
    if (
        not Path("/usr/bin/python3").exists()
        or shutil.which("unshare") is None
        or shutil.which("runuser") is None
    ):
        return "needs /usr/bin/python3, unshare and runuser"
    probe = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", "mount -t tmpfs tmpfs /mnt"],
        capture_output=True,
        check=False,
    )
    return None if probe.returncode == 0 else "cannot make a private mount namespace here"


@pytest.mark.slow
def test_install_on_a_real_root_twice_then_two_service_users_share_only_what_they_should(tmp_path):
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    had_user = subprocess.run(["id", "kiosk-sync"], capture_output=True, check=False).returncode == 0
    had_data = Path("/var/lib/smart-kiosk/store").exists()
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", wheels, REPO],
        check=True,
        capture_output=True,
    )
    work = tmp_path / "work"
    work.mkdir()
    run = subprocess.run(
        ["unshare", "-m", "--propagation", "private", DRIVER, work, wheels],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    out = dict(line.split("=", 1) for line in run.stdout.splitlines() if "=" in line)
    assert out["done"] == "yes"
    assert out["idempotent"] == "yes", run.stdout
    assert {"kiosk-data", "video", "input", "render"} <= set(out["kiosk_groups"].split(","))
    assert set(out["sync_groups"].split(",")) == {"kiosk-sync", "kiosk-data"}
    assert out["enabled"] == "kiosk-sync.service,kiosk-ui.service,"
    # Both users write the one SQLite store (WAL) ...
    assert out["sqlite_rows"] == "3"
    assert "kiosk.db:660:kiosk-data" in out["store_files"]
    # ... and the audit log, whose head file follows the log's shared mode.
    assert out["audit"] == "True:3:0"
    assert "audit.jsonl:660:kiosk-data" in out["audit_files"]
    assert "audit.jsonl.head:660:kiosk-data" in out["audit_files"]
    # The certified copies are the screen's; the worker reads them for upload, and cannot change them.
    assert out["sync_reads_copies"] == "yes"
    assert out["sync_writes_copies"] == "no"
    # Secrets stay with their owner.
    assert out["sync_reads_keys"] == "no"
    assert out["ui_lists_sync"] == "no"
    assert out["ui_reads_config"] == "no"  # root's; each unit gets a private copy (LoadCredential=)
    assert out["key_check"] == "ok"
    # Nothing leaked to the host.
    assert (
        subprocess.run(["id", "kiosk-sync"], capture_output=True, check=False).returncode == 0
    ) == had_user
    assert Path("/var/lib/smart-kiosk/store").exists() == had_data
