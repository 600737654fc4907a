"""systemd/install.sh in a throwaway root, twice; then `systemd-analyze verify` and `security` on the result.

The root is a folder (install.sh --prefix): users are simulated in ROOT/etc/passwd and ROOT/etc/group,
files are owned by those numeric ids, and the units are enabled with `systemctl --root`. The test copies
the host's /usr/lib/systemd/system, /usr/bin/env and /usr/bin/cage into the root so `systemd-analyze verify --root`
finds the targets the units name and the binaries they start, as on a Debian 12 machine.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import load_config

REPO = Path(__file__).resolve().parents[2]
SYSTEMD = REPO / "systemd"
UNITS = ("kiosk-ui.service", "kiosk-sync.service")

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="install.sh sets owners: needs root"),
    pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed"),
]


def _run(*argv: str | Path, check: bool = True, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, check=check, timeout=600, cwd=cwd, env=env
    )


def _snapshot(root: Path) -> dict[str, tuple]:
    """Mode, owner and content hash of every file the install made (the venv by its key files)."""
    out: dict[str, tuple] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith("usr/") or (
            rel.startswith("opt/smart-kiosk/venv/")
            and rel not in ("opt/smart-kiosk/venv/bin/kiosk", "opt/smart-kiosk/venv/pyvenv.cfg")
        ):
            continue
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            content = os.readlink(path)
        elif stat.S_ISREG(st.st_mode):
            content = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            content = ""
        out[rel] = (oct(stat.S_IMODE(st.st_mode)), st.st_uid, st.st_gid, content)
    return out


def _ids(root: Path) -> dict[str, int]:
    ids = {}
    for line in (root / "etc/passwd").read_text().splitlines():
        name, _, uid, *_ = line.split(":")
        ids[name] = int(uid)
    for line in (root / "etc/group").read_text().splitlines():
        name, _, gid, _members = line.split(":")
        ids["group:" + name] = int(gid)
    return ids


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheels")
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", out, REPO)
    return out


@pytest.fixture(scope="module")
def install(tmp_path_factory, wheelhouse):
    root = tmp_path_factory.mktemp("root")
    (root / "usr/lib/systemd").mkdir(parents=True)
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    (root / "usr/bin").mkdir(parents=True)
    for tool in ("/usr/bin/env", "/usr/bin/cage"):  # what the units start besides the venv
        if Path(tool).exists():
            shutil.copy2(tool, root / tool.lstrip("/"))

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        return _run(
            SYSTEMD / "install.sh", "--prefix", root, "--wheelhouse", wheelhouse, "--no-deps",
            "--kiosk-id", "HN-042", *extra,
        )  # fmt: skip

    first = run()
    snapshot_first = _snapshot(root)
    second = run()
    return root, run, (first, second), (snapshot_first, _snapshot(root))


@pytest.mark.slow
def test_install_twice_changes_nothing_the_second_time(install):
    root, _run_again, (first, second), (before, after) = install
    assert "creating the virtualenv" in first.stdout
    assert "creating the virtualenv" not in second.stdout
    assert "writing a new config" not in second.stdout
    assert before == after
    passwd = (root / "etc/passwd").read_text().splitlines()
    assert sum(line.startswith("kiosk:") for line in passwd) == 1
    assert sum(line.startswith("kiosk-sync:") for line in passwd) == 1
    group = (root / "etc/group").read_text()
    assert re.search(r"^kiosk-data:x:\d+:kiosk,kiosk-sync$", group, re.MULTILINE)


@pytest.mark.slow
def test_install_makes_users_folders_config_and_units(install):
    root = install[0]
    ids = _ids(root)
    kiosk, sync, shared = ids["kiosk"], ids["kiosk-sync"], ids["group:kiosk-data"]
    assert 900 <= kiosk <= 999 and 900 <= sync <= 999 and kiosk != sync
    expected = {
        "etc/smart-kiosk": ("0o700", 0, 0),
        "etc/smart-kiosk/kiosk.toml": ("0o600", 0, 0),
        "var/lib/smart-kiosk": ("0o710", kiosk, shared),
        "var/lib/smart-kiosk/keys": ("0o700", kiosk, ids["group:kiosk"]),
        "var/lib/smart-kiosk/keys/data.key": ("0o600", kiosk, ids["group:kiosk"]),
        "var/lib/smart-kiosk/copies": ("0o2750", kiosk, shared),
        "var/lib/smart-kiosk/printed": ("0o700", kiosk, ids["group:kiosk"]),
        "var/lib/smart-kiosk/receipts": ("0o700", kiosk, ids["group:kiosk"]),
        "var/lib/smart-kiosk/sync": ("0o700", sync, ids["group:kiosk-sync"]),
        "var/lib/smart-kiosk/store": ("0o2770", kiosk, shared),
        "var/lib/smart-kiosk/store/kiosk.db": ("0o660", kiosk, shared),
        "var/lib/smart-kiosk/audit": ("0o2770", kiosk, shared),
        "var/lib/smart-kiosk/audit/audit.jsonl": ("0o660", kiosk, shared),
        "etc/systemd/system/kiosk-ui.service": ("0o644", 0, 0),
        "etc/systemd/system/kiosk-sync.service": ("0o644", 0, 0),
        "etc/tmpfiles.d/smart-kiosk.conf": ("0o644", 0, 0),
        "etc/systemd/journald.conf.d/smart-kiosk.conf": ("0o644", 0, 0),
        "etc/pam.d/smart-kiosk": ("0o644", 0, 0),
    }
    for rel, (mode, uid, gid) in expected.items():
        st = (root / rel).stat()
        assert (oct(stat.S_IMODE(st.st_mode)), st.st_uid, st.st_gid) == (mode, uid, gid), rel
    for unit in UNITS:
        link = root / "etc/systemd/system/multi-user.target.wants" / unit
        assert os.readlink(link) == f"/etc/systemd/system/{unit}"
    assert (SYSTEMD / "kiosk-ui.service").read_bytes() == (
        root / "etc/systemd/system/kiosk-ui.service"
    ).read_bytes()

    # The venv runs the installed package, and its scripts point into the root.
    venv = root / "opt/smart-kiosk/venv"
    assert (venv / "bin/kiosk").read_text().splitlines()[0].startswith(f"#!{venv}/bin/python")
    version = _run(
        venv / "bin/python", "-c", "import kiosk, sys; print(kiosk.__version__, kiosk.__file__)", cwd=root
    ).stdout
    assert version.startswith("0.1.0 ") and str(venv) in version
    assert stat.S_IMODE((venv / "bin").stat().st_mode) & 0o022 == 0

    # The config it wrote is a valid kiosk config that keeps shared files in the shared folders.
    config = load_config(root / "etc/smart-kiosk/kiosk.toml")
    assert config.kiosk.id == "HN-042"
    assert config.data_dir == Path("/var/lib/smart-kiosk")
    assert config.path(config.sync.database) == Path("/var/lib/smart-kiosk/store/kiosk.db")
    assert config.path(config.audit.log_file) == Path("/var/lib/smart-kiosk/audit/audit.jsonl")
    # The sync worker's files are in the folders its unit may write, its data key is a credential.
    assert config.path(config.sync.sync_log).parent == Path("/var/lib/smart-kiosk/sync")
    assert config.sync.data_key == ""  # keys/data.key for both; the sync unit binds its credential there
    sync_unit = (SYSTEMD / "kiosk-sync.service").read_text()
    assert "LoadCredential=data.key:/var/lib/smart-kiosk/keys/data.key" in sync_unit
    assert "BindReadOnlyPaths=%d/data.key:/var/lib/smart-kiosk/keys/data.key" in sync_unit
    assert len((root / "var/lib/smart-kiosk/keys/data.key").read_bytes()) == 32


@pytest.mark.slow
def test_install_repairs_loose_key_and_config_permissions_and_keeps_the_config(install):
    root, run_again = install[0], install[1]
    ids = _ids(root)
    key = root / "var/lib/smart-kiosk/keys/seal.key"
    key.write_bytes(b"-----BEGIN ENCRYPTED PRIVATE KEY-----\n")
    key.chmod(0o644)
    config = root / "etc/smart-kiosk/kiosk.toml"
    edited = config.read_text() + "\n# edited by a technician\n"
    config.write_text(edited)
    config.chmod(0o644)
    (root / "var/lib/smart-kiosk/keys").chmod(0o755)
    run_again()
    st = key.stat()
    assert (oct(stat.S_IMODE(st.st_mode)), st.st_uid) == ("0o600", ids["kiosk"])
    assert oct(stat.S_IMODE((root / "var/lib/smart-kiosk/keys").stat().st_mode)) == "0o700"
    assert oct(stat.S_IMODE(config.stat().st_mode)) == "0o600"
    assert config.read_text() == edited


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck is not installed")
def test_install_script_passes_shellcheck():
    result = _run("shellcheck", SYSTEMD / "install.sh", check=False)
    assert result.returncode == 0, result.stdout


def test_install_refuses_bad_options_clearly(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("install.sh checks for root first")
    bad = _run(SYSTEMD / "install.sh", "--prefix", tmp_path, "--kiosk-id", "hn 1", check=False)
    assert bad.returncode == 2
    assert "--kiosk-id 'hn 1'" in bad.stderr
    unknown = _run(SYSTEMD / "install.sh", "--frobnicate", check=False)
    assert unknown.returncode == 2
    assert "unknown option: --frobnicate" in unknown.stderr
    assert not (tmp_path / "etc").exists()


# -- systemd-analyze --------------------------------------------------------------------------------------


def _verify(root: Path, *units: str) -> subprocess.CompletedProcess[str]:
    return _run(
        "systemd-analyze", "verify", f"--root={root}", "--man=no", "--generators=no", *units, check=False
    )


def _exposure(root: Path, unit: str) -> float:
    out = _run("systemd-analyze", "security", "--offline=true", f"--root={root}", "--no-pager", unit).stdout
    match = re.search(rf"Overall exposure level for {re.escape(unit)}: (\d+\.\d+) (\w+)", out)
    assert match, out
    return float(match.group(1))


@pytest.mark.slow
def test_units_verify_clean(install):
    root = install[0]
    if not (root / "usr/bin/cage").exists():
        pytest.skip("cage is not installed on this machine (apt-get install cage)")
    result = _verify(root, *UNITS)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""
    assert result.stdout.strip() == ""


@pytest.mark.slow
def test_verify_catches_a_broken_unit(install, tmp_path):
    # The check above can fail: a misspelt directive and a missing binary are reported.
    root = install[0]
    unit = root / "etc/systemd/system/kiosk-broken.service"
    text = (SYSTEMD / "kiosk-sync.service").read_text()
    unit.write_text(
        text.replace("WatchdogSec=", "WatchdogSecs=").replace("venv/bin/kiosk", "venv/bin/kiosk-nope")
    )
    try:
        result = _verify(root, "kiosk-broken.service")
    finally:
        unit.unlink()
    assert result.returncode != 0
    assert "WatchdogSecs" in result.stderr
    assert "kiosk-nope" in result.stderr


@pytest.mark.slow
def test_security_exposure_of_each_unit(install, capsys):
    root = install[0]
    figures = {unit: _exposure(root, unit) for unit in UNITS}
    with capsys.disabled():
        print(
            "\nsystemd-analyze security --offline=true:",
            ", ".join(f"{u} {f:.1f}" for u, f in figures.items()),
        )
    assert figures["kiosk-sync.service"] <= 3.0  # "OK" or better, as the issue asks
    assert figures["kiosk-ui.service"] <= 3.0  # a GUI with a seat, camera and scanner, still "OK"


def _directives(unit: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for raw in (SYSTEMD / unit).read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", "[")):
            continue
        key, _, value = line.partition("=")
        out.setdefault(key, []).append(value)
    return out


@pytest.mark.parametrize("unit", UNITS)
def test_units_are_notify_with_watchdog_restart_and_hardening(unit):
    d = _directives(unit)
    assert d["Type"] == ["notify"]
    assert 10 <= int(d["WatchdogSec"][0]) <= 120
    assert d["Restart"] == ["always"]
    assert d["StartLimitBurst"] and d["StartLimitIntervalSec"]
    for key in ("ProtectSystem", "NoNewPrivileges", "PrivateTmp", "ProtectHome", "ReadWritePaths"):
        assert key in d, key
    assert d["ProtectSystem"] == ["strict"]
    assert d["CapabilityBoundingSet"] == [""]
    assert d["User"][0] in ("kiosk", "kiosk-sync")
    assert "RestrictAddressFamilies" in d and "SystemCallFilter" in d
    assert d["Environment"][0] == "KIOSK_CONFIG=%d/kiosk.toml"


def test_tmpfiles_make_private_folders_0700_and_journald_is_bounded():
    rules = [
        line.split()
        for line in (SYSTEMD / "smart-kiosk.tmpfiles").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    modes = {path: mode for kind, path, mode, *_ in rules if kind == "d"}
    for private in ("keys", "printed", "receipts", "sync"):
        assert modes[f"/var/lib/smart-kiosk/{private}"] == "0700"
    journald = (SYSTEMD / "journald-smart-kiosk.conf").read_text()
    for key in (
        "SystemMaxUse=",
        "SystemKeepFree=",
        "SystemMaxFileSize=",
        "RuntimeMaxUse=",
        "MaxRetentionSec=",
    ):
        assert re.search(rf"^{key}\S+", journald, re.MULTILINE), key


def test_every_pam_module_of_the_screens_session_is_installed():
    modules = [
        line.split()[2]
        for line in (SYSTEMD / "pam-smart-kiosk").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert "pam_systemd.so" in modules  # the logind session that gives cage the seat
    folders = [
        Path("/lib/x86_64-linux-gnu/security"),
        Path("/usr/lib/x86_64-linux-gnu/security"),
        Path("/lib/security"),
    ]
    missing = [m for m in modules if not any((f / m).exists() for f in folders)]
    assert not missing, f"PAM modules not installed here: {missing} (install.sh installs libpam-systemd)"


@pytest.mark.skipif(shutil.which("apt-get") is None, reason="not a Debian system")
def test_the_runtime_packages_exist_in_this_debian():
    text = (SYSTEMD / "install.sh").read_text()
    block = re.search(r'^APT_RUNTIME="(.*?)"', text, re.MULTILINE | re.DOTALL)
    assert block
    packages = block.group(1).replace("\\\n", " ").split()
    assert {"cage", "libpam-systemd", "python3-venv", "tesseract-ocr-vie"} <= set(packages)
    result = _run("apt-get", "install", "-s", "-q", "--no-install-recommends", *packages, check=False)
    assert result.returncode == 0, result.stderr
