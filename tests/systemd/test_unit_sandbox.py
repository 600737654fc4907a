"""The units' seccomp filters (built from the unit files by tests/systemd/unit_sandbox.py) really forbid
what the units say, and still let the real sync worker upload; without Internet sockets it cannot.
A whole demo visit under the screen's filters, and both services in their whole sandbox, are in
test_units_whole_sandbox.py.
"""

from __future__ import annotations

import ctypes.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SANDBOX = Path(__file__).with_name("unit_sandbox.py")
SYNC_UNIT = REPO / "systemd/kiosk-sync.service"
UI_UNIT = REPO / "systemd/kiosk-ui.service"
KIOSK = Path(sys.executable).with_name("kiosk")

pytestmark = pytest.mark.skipif(
    ctypes.util.find_library("seccomp") is None, reason="libseccomp is not installed"
)


def _sandboxed(unit: Path, *argv: str | Path, cwd: Path, timeout: float = 300, **env: str):
    return subprocess.run(
        [sys.executable, SANDBOX, unit, "--", *map(str, argv)],
        check=False,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        env={**os.environ, **env},
    )


PROBE = r"""
import json, mmap, os, socket
out = {}
def attempt(name, fn):
    try:
        fn()
        out[name] = "allowed"
    except OSError as exc:
        out[name] = os.strerror(exc.errno)
attempt("wx_mmap", lambda: mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC))
attempt("af_packet", lambda: socket.socket(socket.AF_PACKET, socket.SOCK_RAW))
attempt("af_netlink", lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW))
attempt("tcp", lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM).close())
attempt("unix", lambda: socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).close())
attempt("chroot", lambda: os.chroot("/"))
attempt("setpriority", lambda: os.setpriority(os.PRIO_PROCESS, 0, os.getpriority(os.PRIO_PROCESS, 0)))
print(json.dumps(out))
"""


def test_the_sandbox_forbids_what_each_unit_forbids(tmp_path):
    sync = _sandboxed(SYNC_UNIT, sys.executable, "-c", PROBE, cwd=tmp_path)
    assert sync.returncode == 0, sync.stderr
    assert json.loads(sync.stdout) == {
        "wx_mmap": "Operation not permitted",  # MemoryDenyWriteExecute=yes
        "af_packet": "Address family not supported by protocol",  # RestrictAddressFamilies=
        "af_netlink": "Address family not supported by protocol",
        "tcp": "allowed",
        "unix": "allowed",
        "chroot": "Operation not permitted",  # ~@privileged
        "setpriority": "Operation not permitted",  # ~@resources
    }
    ui = _sandboxed(UI_UNIT, sys.executable, "-c", PROBE, cwd=tmp_path)
    assert ui.returncode == 0, ui.stderr
    assert json.loads(ui.stdout) == {
        "wx_mmap": "allowed",  # Mesa and Qt JITs need it
        "af_packet": "Address family not supported by protocol",
        "af_netlink": "allowed",  # udev hotplug of input devices and cameras
        "tcp": "allowed",
        "unix": "allowed",
        "chroot": "Operation not permitted",
        "setpriority": "allowed",  # Qt sets thread priorities
    }


@pytest.mark.slow
def test_the_sync_worker_drains_to_the_backend_under_its_units_filters(tmp_path):
    from tests.sync.helpers import KIOSK as KIOSK_ID
    from tests.sync.helpers import Backend, make_pki, open_store, write_records

    pki = make_pki(tmp_path / "pki")
    backend = Backend(pki, tmp_path / "backend").start()
    try:
        data = tmp_path / "data"
        data.mkdir()
        store = open_store(data)
        codes = write_records(store, data / "copies", 12)
        store.close()
        cert, key = pki.client(KIOSK_ID)
        config = tmp_path / "kiosk.toml"
        config.write_text(
            f'[kiosk]\nid = "{KIOSK_ID}"\ndata_dir = "{data}"\n\n'
            f'[sync]\ndatabase = "kiosk.db"\ndata_key = "data.key"\nbackend_url = "{backend.url}"\n'
            f'client_cert = "{cert}"\nclient_key = "{key}"\nca_cert = "{pki.pki.ca_cert}"\n'
            'sync_log = "sync.jsonl"\n'
        )
        result = _sandboxed(
            SYNC_UNIT, KIOSK, "sync", "run", "--drain", "--timeout", "120", "--config", config, "--json",
            cwd=tmp_path,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout.splitlines()[-1])["drained"] is True
        assert sorted(backend.codes()) == sorted(codes)

        # The check has teeth: a unit without Internet sockets cannot upload the next records.
        store = open_store(data)
        more = write_records(store, data / "copies", 3, prefix="HN002")
        store.close()
        strict = tmp_path / "kiosk-sync-strict.service"
        strict.write_text(
            SYNC_UNIT.read_text().replace(
                "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX", "RestrictAddressFamilies=AF_UNIX"
            )
        )
        blocked = _sandboxed(
            strict,
            KIOSK,
            "sync",
            "run",
            "--drain",
            "--timeout",
            "3",
            "--config",
            config,
            "--json",
            cwd=tmp_path,
        )
        assert blocked.returncode == 3
        assert json.loads(blocked.stdout.splitlines()[-1])["drained"] is False
        assert not set(more) & set(backend.codes())
    finally:
        backend.stop()
