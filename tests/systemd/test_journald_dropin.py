"""systemd-journald itself reads the journald drop-in without an unknown or invalid key.

journald runs in a private mount namespace with throwaway overlays of /etc and /var and its own /run,
so the host's journal is untouched. A second drop-in named to sort last holds a deliberately unknown key:
its warning proves the check can fail, and marks the moment our drop-in (read before it) was parsed.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
JOURNALD = Path("/lib/systemd/systemd-journald")

SCRIPT = r"""
set -e
W="$1"
mount -t tmpfs tmpfs "$W"
for d in etc var; do
    mkdir -p "$W/$d-up" "$W/$d-work"
    mount -t overlay overlay -o "lowerdir=/$d,upperdir=$W/$d-up,workdir=$W/$d-work" "/$d"
done
mount -t tmpfs tmpfs /run/systemd
mkdir -p /etc/systemd/journald.conf.d
cp "$2" /etc/systemd/journald.conf.d/smart-kiosk.conf
printf '[Journal]\nKioskTestUnknownKey=1\n' >/etc/systemd/journald.conf.d/zz-marker.conf
SYSTEMD_LOG_TARGET=console exec /lib/systemd/systemd-journald
"""


@pytest.mark.skipif(os.geteuid() != 0 or not JOURNALD.exists(), reason="needs root and systemd-journald")
def test_journald_accepts_every_key_of_the_dropin(tmp_path):
    work = tmp_path / "w"
    work.mkdir()
    proc = subprocess.Popen(
        [
            "unshare",
            "-m",
            "--propagation",
            "private",
            "sh",
            "-c",
            SCRIPT,
            "sh",
            work,
            REPO / "systemd/journald-smart-kiosk.conf",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    deadline = time.monotonic() + 60
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # journald reads drop-ins in name order: the marker comes last
            lines.append(line.strip())
            if "zz-marker.conf" in line or time.monotonic() > deadline:
                break
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert any("Unknown key 'KioskTestUnknownKey'" in line for line in lines), lines
    assert not [line for line in lines if "smart-kiosk.conf" in line], lines
