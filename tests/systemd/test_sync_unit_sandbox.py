"""The sync worker drains its outbox inside the whole sandbox its unit describes, as its own user.

No systemd as PID 1 here, so bubblewrap builds the unit's file system view from the unit file
(ProtectSystem=strict: everything read-only; ReadWritePaths=; InaccessiblePaths=; PrivateTmp=;
PrivateDevices=; ProtectHome=; the config and data key as credentials in /run/credentials/), setpriv
becomes the `kiosk-sync` user of a throwaway install (no capabilities, NoNewPrivileges) and
unit_sandbox.py adds the unit's seccomp filters. The data folder is the one `systemd/install.sh` made,
with the certified copies owned by the screen's user. What is not reproduced: the user and network
namespaces systemd does not use here either, /root (kept read-only: this test's Python lives there),
and cgroup device rules.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "systemd/kiosk-sync.service"
SANDBOX = Path(__file__).with_name("unit_sandbox.py")
DATA = "/var/lib/smart-kiosk"
CREDS = "/run/credentials/kiosk-sync.service"

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root to build the sandbox and switch users"),
    pytest.mark.skipif(
        shutil.which("bwrap") is None, reason="bubblewrap is not installed (apt-get install bubblewrap)"
    ),
    pytest.mark.skipif(shutil.which("setpriv") is None, reason="setpriv is not installed"),
]


def _directives() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for raw in UNIT.read_text().splitlines():
        line = raw.strip()
        if line and not line.startswith(("#", "[")) and "=" in line:
            key, _, value = line.partition("=")
            found.setdefault(key, []).append(value)
    return found


def _toml(data: dict) -> str:
    lines = []
    for key, value in data.items():
        if not isinstance(value, dict):
            lines.append(f"{key} = {json.dumps(value)}")
    for table, values in data.items():
        if isinstance(values, dict):
            lines.append(f"\n[{table}]")
            lines += [f"{k} = {json.dumps(v)}" for k, v in values.items()]
    return "\n".join(lines) + "\n"


def _ids(root: Path) -> dict[str, int]:
    ids = {}
    for line in (root / "etc/passwd").read_text().splitlines():
        ids[line.split(":")[0]] = int(line.split(":")[2])
    for line in (root / "etc/group").read_text().splitlines():
        ids["group:" + line.split(":")[0]] = int(line.split(":")[2])
    return ids


@pytest.mark.slow
def test_the_sync_worker_drains_inside_its_units_sandbox_as_its_own_user(tmp_path):
    from offline_sync.store import LocalStore, RecordIn
    from tests.sync.helpers import KIOSK as KIOSK_ID
    from tests.sync.helpers import Backend, make_pki

    # A throwaway install: users, folders, config exactly as on a kiosk.
    wheels, root = tmp_path / "wheels", tmp_path / "root"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", wheels, REPO],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            REPO / "systemd/install.sh",
            "--prefix",
            root,
            "--wheelhouse",
            wheels,
            "--no-deps",
            "--kiosk-id",
            KIOSK_ID,
        ],
        check=True,
        capture_output=True,
    )
    ids = _ids(root)
    sync_uid, sync_gid, shared, ui_uid = (
        ids["kiosk-sync"],
        ids["group:kiosk-sync"],
        ids["group:kiosk-data"],
        ids["kiosk"],
    )
    data = root / DATA.lstrip("/")

    pki = make_pki(tmp_path / "pki")
    backend = Backend(pki, tmp_path / "backend").start()
    try:
        # The worker's client certificate in its own folder.
        cert, key = pki.client(KIOSK_ID)
        for src, name in ((cert, "client.crt"), (key, "client.key"), (pki.pki.ca_cert, "ca.crt")):
            shutil.copy(src, data / "sync" / name)
            os.chown(data / "sync" / name, sync_uid, sync_gid)
            os.chmod(data / "sync" / name, 0o600)
        # Records the screen made: in the shared store, PDFs in copies/ owned by the screen's user, and
        # the paths the kiosk records are the kiosk's (/var/lib/smart-kiosk/...), as inside the sandbox.
        store = LocalStore(data / "store/kiosk.db", (data / "keys/data.key").read_bytes())
        codes = []
        for _ in range(8):
            code = f"HN001-{store.next_sequence():07d}"
            pdf = data / "copies" / f"{code}.pdf"
            pdf.write_bytes(b"%PDF-1.7\n" + code.encode() * 50)
            os.chown(pdf, ui_uid, shared)
            os.chmod(pdf, 0o640)
            store.add_record(
                RecordIn(
                    code=code,
                    created_at=datetime.now(UTC),
                    kiosk_id=KIOSK_ID,
                    doc_type="birth_certificate",
                    pages=1,
                    pdf_path=f"{DATA}/copies/{code}.pdf",
                    pdf_sha256=hashlib.sha256(pdf.read_bytes()).hexdigest(),
                    holder_id="001090001234",
                    holder_name="Nguyễn Văn An",
                    ocr_text="GIẤY KHAI SINH",
                    fields={},
                    face_match=True,
                    face_distance=0.4,
                    liveness="blink",
                )
            )
            codes.append(code)
        store.close()
        for f in (data / "store").iterdir():
            os.chown(f, ui_uid, shared)

        # The config and data key as systemd hands them over (LoadCredential=).
        config = tomllib.loads((root / "etc/smart-kiosk/kiosk.toml").read_text())
        config["sync"].update(
            backend_url=backend.url,
            client_cert="sync/client.crt",
            client_key="sync/client.key",
            ca_cert="sync/ca.crt",
        )
        creds = tmp_path / "creds"
        creds.mkdir()
        (creds / "kiosk.toml").write_text(_toml(config))
        shutil.copy(data / "keys/data.key", creds / "data.key")
        for f in (creds / "kiosk.toml", creds / "data.key", creds):
            os.chown(f, sync_uid, sync_gid)
            os.chmod(f, 0o500 if f.is_dir() else 0o400)
        os.chmod(creds, 0o500)

        d = _directives()
        assert (
            d["ProtectSystem"] == ["strict"] and d["PrivateTmp"] == ["yes"] and d["PrivateDevices"] == ["yes"]
        )
        bwrap = [
            "bwrap",
            "--die-with-parent",
            "--new-session",
            "--ro-bind",
            "/",
            "/",
            "--dev",
            "/dev",
            "--proc",
            "/proc",
        ]
        bwrap += [
            "--tmpfs",
            "/tmp",
            "--tmpfs",
            "/home",
            "--tmpfs",
            "/root",
            "--ro-bind",
            "/root/.pyenv",
            "/root/.pyenv",
        ]
        bwrap += [
            "--tmpfs",
            "/run",
            "--perms",
            "0755",
            "--dir",
            "/run/credentials",
            "--ro-bind",
            str(creds),
            CREDS,
            "--tmpfs",
            "/var/lib",
            "--ro-bind",
            str(data),
            DATA,
        ]
        for path in d["ReadWritePaths"][0].split():
            bwrap += ["--bind", str(data / Path(path).relative_to(DATA)), path]
        for entry in d["InaccessiblePaths"][0].split():
            path = entry.lstrip("-")
            bwrap += ["--tmpfs", path, "--chmod", "0000", path]
        env = [f"KIOSK_CONFIG={CREDS}/kiosk.toml", f"CREDENTIALS_DIRECTORY={CREDS}", f"HOME={DATA}"]
        env += [f"PYTHONPATH={REPO}", "PYTHONDONTWRITEBYTECODE=1"]
        user = [
            "setpriv", f"--reuid={sync_uid}", f"--regid={sync_gid}", f"--groups={shared}",
            "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs",
        ]  # fmt: skip
        kiosk = Path(sys.executable).with_name("kiosk")
        command = [
            *bwrap, "--", *user, "env", "-i", *env, sys.executable, str(SANDBOX), str(UNIT), "--",
            str(kiosk), "sync", "run", "--drain", "--timeout", "120", "--json",
        ]  # fmt: skip
        run = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        assert run.returncode == 0, run.stdout + run.stderr
        summary = json.loads(run.stdout.splitlines()[-1])
        assert (summary["drained"], summary["synced"], summary["dead_letters"]) == (True, 8, 0), run.stderr
        assert sorted(backend.codes()) == sorted(codes), run.stdout + run.stderr
        # It wrote its log where its unit lets it, as itself.
        log = data / "sync/sync.jsonl"
        assert log.stat().st_uid == sync_uid

        # The same sandbox denies what the unit forbids: the keys, and writing outside its folders.
        probe = (
            "import os\n"
            f"for p in ('{DATA}/keys/data.key', '{DATA}/copies/x', '/etc/x', '/opt/x'):\n"
            "    try:\n        open(p, 'a').close(); print(p, 'written')\n"
            "    except OSError as e:\n        print(p, e.strerror)\n"
        )
        denied = subprocess.run(
            [*bwrap, "--", *user, "env", "-i", *env, sys.executable, "-c", probe],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert "written" not in denied.stdout, denied.stdout + denied.stderr
        assert denied.stdout.count("\n") == 4
    finally:
        backend.stop()
