"""Each service works inside the whole sandbox its unit describes, as its own user.

No systemd as PID 1 here, so bubblewrap builds each unit's file system view from the unit file
(ProtectSystem=strict: everything read-only; ReadWritePaths=; InaccessiblePaths=; TemporaryFileSystem=;
BindReadOnlyPaths=; PrivateTmp=;
PrivateDevices=; ProtectHome=; the config (and the worker's data key) as credentials in
/run/credentials/UNIT/), setpriv becomes the unit's user of a throwaway install (no capabilities,
NoNewPrivileges) and unit_sandbox.py adds the unit's seccomp filters and UMask=. The data folder is the
one `systemd/install.sh` made. The sync worker drains to the reference backend; the screen's process runs
a whole demo visit. Not reproduced: /root (kept read-only: this test's Python lives there), cgroup
device rules, the logind session and cage.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "systemd/kiosk-sync.service"
SANDBOX = Path(__file__).with_name("unit_sandbox.py")
DATA = "/var/lib/smart-kiosk"

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root to build the sandbox and switch users"),
    pytest.mark.skipif(
        shutil.which("bwrap") is None, reason="bubblewrap is not installed (apt-get install bubblewrap)"
    ),
    pytest.mark.skipif(shutil.which("setpriv") is None, reason="setpriv is not installed"),
]


def _directives(unit: Path = UNIT) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for raw in unit.read_text().splitlines():
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


TMPFS_DIRS = ("/tmp", "/home", "/root")


def _code_paths() -> list[Path]:
    """The repository and the interpreter's installation: what the sandboxed process runs from."""
    paths = [REPO]
    for prefix in {Path(sys.base_prefix).resolve(), Path(sys.executable).resolve().parents[1]}:
        if not any(prefix == p or p in prefix.parents for p in paths):
            paths.append(prefix)
    return paths


def reachable(path: Path, tmpfs_dirs: tuple[str, ...]) -> list[str]:
    """bwrap arguments that let any user reach `path` (bound in later) through its parent folders.

    Parents under one of the view's tmpfs mounts are made there, mode 0755 (bwrap would copy a 0700
    parent's mode); a parent elsewhere that others cannot traverse gets an empty 0755 tmpfs of its own.
    """
    args: list[str] = []
    hidden = [Path(d) for d in tmpfs_dirs]
    for parent in reversed(path.parents[:-1]):  # from the top, without "/"
        if any(parent == h for h in hidden):
            continue
        if any(h in parent.parents for h in hidden):
            args += ["--perms", "0755", "--dir", str(parent)]
        elif parent.stat().st_mode & 0o001 == 0:
            args += ["--perms", "0755", "--tmpfs", str(parent)]
            hidden.append(parent)
    return args


def unit_credentials(unit: Path, data: Path, creds: Path) -> None:
    """Add to ``creds`` what systemd's LoadCredential= reads from the data folder (a file the test did not
    hand over itself), and SetCredential='s value where that file is missing (systemd's fallback)."""
    d = _directives(unit)
    fallback = dict(entry.split(":", 1) for entry in d.get("SetCredential", []))
    owner = creds.stat()
    for entry in d.get("LoadCredential", []):
        name, source = entry.split(":", 1)
        target = creds / name
        if target.exists() or not source.startswith(DATA + "/"):
            continue
        found = data / Path(source).relative_to(DATA)
        if found.is_file():
            target.write_bytes(found.read_bytes())
        elif name in fallback:
            target.write_text(fallback[name])
        else:
            continue
        os.chown(target, owner.st_uid, owner.st_gid)
        os.chmod(target, 0o400)


def unit_view(unit: Path, data: Path, creds: Path) -> list[str]:
    """bwrap arguments for the file system a unit's process sees, read from the unit file."""
    unit_credentials(unit, data, creds)
    d = _directives(unit)
    assert d["ProtectSystem"] == ["strict"] and d["PrivateTmp"] == ["yes"] and d["ProtectHome"] == ["yes"]
    view = ["bwrap", "--die-with-parent", "--new-session", "--ro-bind", "/", "/", "--proc", "/proc"]
    view += ["--dev", "/dev"] if d.get("PrivateDevices") == ["yes"] else ["--dev-bind", "/dev", "/dev"]
    # ProtectHome=yes (and PrivateTmp=): empty /tmp, /home and /root.
    view += ["--tmpfs", "/tmp", "--tmpfs", "/home", "--tmpfs", "/root"]
    # The repository and its .venv stand in for the installed /opt/smart-kiosk, which the unit can read,
    # and this test's Python (a pyenv under /root, say) must stay reachable: bound back in, each with its
    # parent folders made traversable, since a clone in a 0700 folder (mktemp -d, a home folder) would
    # otherwise be out of the service user's reach.
    for path in _code_paths():
        view += [*reachable(path, TMPFS_DIRS), "--ro-bind", str(path), str(path)]
    credentials = f"/run/credentials/{unit.name}"
    view += [
        "--tmpfs",
        "/run",
        "--perms",
        "0755",
        "--dir",
        "/run/credentials",
        "--ro-bind",
        str(creds),
        credentials,
    ]
    view += ["--tmpfs", "/var/lib", "--ro-bind", str(data), DATA]
    for path in d["ReadWritePaths"][0].split():
        view += ["--bind", str(data / Path(path).relative_to(DATA)), path]
    for entry in d.get("InaccessiblePaths", [""])[0].split():
        path = entry.lstrip("-")
        view += ["--tmpfs", path, "--chmod", "0000", path]
    for entry in d.get("TemporaryFileSystem", []):
        view += ["--tmpfs", entry.split(":")[0]]
    for entry in d.get("BindReadOnlyPaths", []):
        source, target = entry.split(":")[:2]
        view += ["--ro-bind", source.replace("%d", str(creds)), target]
    for entry in d.get("TemporaryFileSystem", []):
        if entry.endswith(":ro"):
            view += ["--remount-ro", entry.split(":")[0]]
    return view


def as_user(uid: int, gid: int, groups: int, unit: Path) -> list[str]:
    """setpriv to the service user without capabilities, a clean environment as the unit sets it."""
    credentials = f"/run/credentials/{unit.name}"
    return [
        "setpriv", f"--reuid={uid}", f"--regid={gid}", f"--groups={groups}",
        "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs",
        "env", "-i", f"KIOSK_CONFIG={credentials}/kiosk.toml", f"CREDENTIALS_DIRECTORY={credentials}",
        f"HOME={DATA}", f"PYTHONPATH={REPO}", "PYTHONDONTWRITEBYTECODE=1", "PATH=/usr/bin:/bin",
    ]  # fmt: skip


def credentials(tmp_path: Path, name: str, uid: int, gid: int, files: dict[str, bytes]) -> Path:
    """What LoadCredential= makes: a folder only the service user can read, files 0400."""
    creds = tmp_path / name
    creds.mkdir()
    for file, content in files.items():
        (creds / file).write_bytes(content)
        os.chown(creds / file, uid, gid)
        os.chmod(creds / file, 0o400)
    os.chown(creds, uid, gid)
    os.chmod(creds, 0o500)
    return creds


def install(tmp_path: Path, kiosk_id: str) -> tuple[Path, dict[str, int]]:
    """A throwaway install: users, folders, config exactly as on a kiosk."""
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
            kiosk_id,
        ],
        check=True,
        capture_output=True,
    )
    return root, _ids(root)


def test_a_clone_in_a_0700_folder_stays_reachable_for_the_service_user() -> None:
    """What broke the sandbox tests of a clone under `mktemp -d` or a home folder: bwrap makes the bound
    folder's parents with the 0700 mode of the real ones, and the service user cannot reach the code."""
    outer = Path(tempfile.mkdtemp(prefix="clone-"))  # 0700, like mktemp -d
    try:
        assert stat.S_IMODE(outer.stat().st_mode) == 0o700
        code = outer / "p"
        code.mkdir(mode=0o755)
        probe = code / "probe.sh"
        probe.write_text("#!/bin/sh\necho reached\n")
        probe.chmod(0o755)
        base = ["bwrap", "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev"]
        base += [arg for d in TMPFS_DIRS for arg in ("--tmpfs", d)]
        user = ["--", "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", str(probe)]
        bind = ["--ro-bind", str(code), str(code)]
        blocked = subprocess.run([*base, *bind, *user], capture_output=True, text=True, check=False)
        assert blocked.returncode != 0 and "Permission denied" in blocked.stderr  # the failure, reproduced
        fixed = subprocess.run(
            [*base, *reachable(code, TMPFS_DIRS), *bind, *user], capture_output=True, text=True, check=False
        )
        assert fixed.stdout.strip() == "reached", fixed.stderr
    finally:
        shutil.rmtree(outer)


@pytest.mark.slow
def test_the_sync_worker_drains_inside_its_units_sandbox_as_its_own_user(tmp_path):
    from offline_sync.store import LocalStore, RecordIn
    from tests.sync.helpers import KIOSK as KIOSK_ID
    from tests.sync.helpers import Backend, make_pki

    root, ids = install(tmp_path, KIOSK_ID)
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
        creds = credentials(
            tmp_path,
            "creds",
            sync_uid,
            sync_gid,
            {"kiosk.toml": _toml(config).encode(), "data.key": (data / "keys/data.key").read_bytes()},
        )
        bwrap = unit_view(UNIT, data, creds)
        user = as_user(sync_uid, sync_gid, shared, UNIT)
        kiosk = Path(sys.executable).with_name("kiosk")
        command = [
            *bwrap, "--", *user, sys.executable, str(SANDBOX), str(UNIT), "--",
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
            [*bwrap, "--", *user, sys.executable, "-c", probe],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert "written" not in denied.stdout, denied.stdout + denied.stderr
        assert denied.stdout.count("\n") == 4
    finally:
        backend.stop()


def _demo_visit(tmp_path: Path) -> tuple[Path, dict[str, int], dict, dict]:
    """A whole demo visit as the screen's user inside its unit's sandbox; the data folder, ids, config
    and the demo's JSON."""
    ui_unit = REPO / "systemd/kiosk-ui.service"
    root, ids = install(tmp_path, "HN-001")
    data = root / DATA.lstrip("/")
    ui_uid, ui_gid, shared = ids["kiosk"], ids["group:kiosk"], ids["group:kiosk-data"]
    config = tomllib.loads((root / "etc/smart-kiosk/kiosk.toml").read_text())
    config["profile"] = "simulated"  # the demo's simulated scanner, camera and printers
    creds = credentials(tmp_path, "ui-creds", ui_uid, ui_gid, {"kiosk.toml": _toml(config).encode()})
    command = [
        *unit_view(ui_unit, data, creds), "--", *as_user(ui_uid, ui_gid, shared, ui_unit),
        sys.executable, str(SANDBOX), str(ui_unit), "--",
        str(Path(sys.executable).with_name("kiosk")), "demo", "--out", f"{DATA}/printed/demo", "--json",
    ]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    payload = json.loads(run.stdout.splitlines()[-1])
    assert payload["verified"]["valid"] is True
    return data, ids, config, payload


@pytest.mark.slow
def test_a_whole_demo_visit_runs_inside_the_screens_unit_sandbox_as_its_user(tmp_path):
    import stat

    from kiosk.audit import verify_log

    data, ids, _config, _payload = _demo_visit(tmp_path)
    ui_uid, shared = ids["kiosk"], ids["group:kiosk-data"]

    # The certified copy: the screen's, readable by the sync worker's group (UMask=0027, setgid copies/).
    pdfs = list((data / "copies").glob("*.pdf"))
    assert len(pdfs) == 1
    st = pdfs[0].stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (ui_uid, shared, 0o640)
    # The keys it made are its own, 0600 (certificates are public; the key folder is 0700 anyway).
    secrets = [
        p
        for p in (data / "keys").iterdir()
        if p.name.endswith((".key", ".key.pem")) or p.name == "passphrase"
    ]
    assert secrets
    for key in secrets:
        assert (key.stat().st_uid, stat.S_IMODE(key.stat().st_mode)) == (ui_uid, 0o600), key
    # The audit log holds the signature and a checkpoint, and stays shared with the worker.
    report = verify_log(data / "audit/audit.jsonl")
    assert report.ok and report.checkpoints >= 1, report.summary()
    for name in ("audit.jsonl", "audit.jsonl.head"):
        st = (data / "audit" / name).stat()
        assert (st.st_gid, stat.S_IMODE(st.st_mode)) == (shared, 0o660), name
    # The worker's folder was out of reach.
    assert list((data / "sync").iterdir()) == []


@pytest.mark.slow
def test_the_sync_worker_uploads_a_visit_the_screen_made(tmp_path):
    data, ids, config, payload = _demo_visit(tmp_path)
    shared = ids["group:kiosk-data"]

    # The appliance end to end: the sync worker, as its own user in its own sandbox, uploads that visit.
    from tests.sync.helpers import Backend, make_pki

    sync_unit, sync_uid, sync_gid = UNIT, ids["kiosk-sync"], ids["group:kiosk-sync"]
    pki = make_pki(tmp_path / "pki")
    backend = Backend(pki, tmp_path / "backend").start()
    try:
        cert, key = pki.client("HN-001")
        for src, name in ((cert, "client.crt"), (key, "client.key"), (pki.pki.ca_cert, "ca.crt")):
            shutil.copy(src, data / "sync" / name)
            os.chown(data / "sync" / name, sync_uid, sync_gid)
            os.chmod(data / "sync" / name, 0o600)
        config["sync"].update(
            backend_url=backend.url,
            client_cert="sync/client.crt",
            client_key="sync/client.key",
            ca_cert="sync/ca.crt",
        )
        sync_creds = credentials(
            tmp_path,
            "sync-creds",
            sync_uid,
            sync_gid,
            {"kiosk.toml": _toml(config).encode(), "data.key": (data / "keys/data.key").read_bytes()},
        )
        upload = [
            *unit_view(sync_unit, data, sync_creds), "--", *as_user(sync_uid, sync_gid, shared, sync_unit),
            sys.executable, str(SANDBOX), str(sync_unit), "--",
            str(Path(sys.executable).with_name("kiosk")), "sync", "run", "--drain", "--timeout", "120", "--json",
        ]  # fmt: skip
        run = subprocess.run(upload, capture_output=True, text=True, timeout=300, check=False)
        assert run.returncode == 0, run.stdout + run.stderr
        assert backend.codes() == [payload["code"]], run.stdout + run.stderr
    finally:
        backend.stop()
