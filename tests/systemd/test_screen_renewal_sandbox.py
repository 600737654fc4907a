"""Issue 22 on the packaged units: the screen process, as user `kiosk` inside the file system view and the
seccomp filters of systemd/kiosk-ui.service, renews the seal certificate through the city's mTLS API (the
unit hands it a read-only copy of the kiosk's client certificate, LoadCredential=) and puts it in place;
the sync worker, as `kiosk-sync` inside kiosk-sync.service's view (no seal key), leaves the day's check to
the screen without a warning and without asking the city. The sandbox is built as in
test_units_whole_sandbox.py (bubblewrap from the unit file, setpriv, unit_sandbox.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from kiosk.runtime.seal_status import RENEWAL_META_KEY
from offline_sync.store import LocalStore
from signing.trust import load_certs
from tests.backoffice.helpers import make_kiosks
from tests.backoffice.online_city import OnlineCity
from tests.sync.helpers import make_pki
from tests.systemd.test_units_whole_sandbox import (
    DATA,
    REPO,
    SANDBOX,
    _toml,
    as_user,
    credentials,
    install,
    unit_view,
)
from tests.systemd.test_units_whole_sandbox import pytestmark as sandbox_marks

pytestmark = sandbox_marks
UI_UNIT = REPO / "systemd/kiosk-ui.service"
SYNC_UNIT = REPO / "systemd/kiosk-sync.service"

SCREEN = r"""
import json, os
from kiosk.app import KioskApp
from kiosk.config import load_config
app = KioskApp(load_config(os.environ["KIOSK_CONFIG"]))
old = app.signer.cert
outcome = app.seal_renewal.turn()
swapped = app.reload_seal_certificate()
print(json.dumps({
    "old": format(old.serial_number, "x"),
    "outcome": outcome.outcome if outcome else None,
    "detail": outcome.detail if outcome else None,
    "swapped": swapped,
    "in_use": format(app.signer.cert.serial_number, "x"),
}))
app.close()
"""


def _give(path: Path, uid: int, gid: int, mode: int) -> None:
    os.chown(path, uid, gid)
    os.chmod(path, mode)


@pytest.mark.slow
def test_the_screen_renews_inside_its_unit_and_the_worker_leaves_it_to_the_screen(tmp_path: Path) -> None:
    root, ids = install(tmp_path, "HN-001")
    data = root / DATA.lstrip("/")
    ui_uid, ui_gid, shared = ids["kiosk"], ids["group:kiosk"], ids["group:kiosk-data"]
    sync_uid, sync_gid = ids["kiosk-sync"], ids["group:kiosk-sync"]

    pki = make_pki(tmp_path / "pki")
    kiosks = make_kiosks(tmp_path / "kiosks")
    city = OnlineCity(pki, kiosks, tmp_path / "backend").start()
    try:
        # The screen's seal key and certificate (under the city's root), as an enrolled kiosk has them.
        for item in (kiosks.data("HN-001") / "keys").iterdir():
            if item.name != "city-root-ca.key.pem":
                shutil.copy(item, data / "keys" / item.name)
                _give(data / "keys" / item.name, ui_uid, ui_gid, 0o600)
        old_pem = (data / "keys/kiosk-seal.pem").read_bytes()
        # The kiosk's mTLS client certificate, in the sync worker's own folder (0700, its user's).
        cert, key = pki.client("HN-001")
        for src, name in ((cert, "client.crt"), (key, "client.key"), (pki.pki.ca_cert, "ca.crt")):
            shutil.copy(src, data / "sync" / name)
            _give(data / "sync" / name, sync_uid, sync_gid, 0o600)

        # The shared store, as the screen made it at its first visit (its files 0660, group kiosk-data).
        LocalStore(data / "store/kiosk.db", (data / "keys/data.key").read_bytes()).close()
        for item in (data / "store").iterdir():
            _give(item, ui_uid, shared, 0o660)

        config = tomllib.loads((root / "etc/smart-kiosk/kiosk.toml").read_text())
        config["sync"].update(backend_url=city.url)  # client_cert & co: the defaults, sync/client.crt ...
        config["signing"] = {"renew_before_days": 400, "passphrase_env": "KIOSK_TEST_UNSET_PP"}  # due
        toml = _toml(config).encode()

        # The worker first, in its sandbox: no seal key there, so it leaves the check to the screen.
        sync_creds = credentials(
            tmp_path,
            "sync-creds",
            sync_uid,
            sync_gid,
            {"kiosk.toml": toml, "data.key": (data / "keys/data.key").read_bytes()},
        )
        drain = [
            *unit_view(SYNC_UNIT, data, sync_creds), "--", *as_user(sync_uid, sync_gid, shared, SYNC_UNIT),
            sys.executable, str(SANDBOX), str(SYNC_UNIT), "--",
            str(Path(sys.executable).with_name("kiosk")), "sync", "run", "--drain", "--timeout", "60",
        ]  # fmt: skip
        worker = subprocess.run(drain, capture_output=True, text=True, timeout=300, check=False)
        assert worker.returncode == 0, worker.stdout + worker.stderr
        assert "seal" not in worker.stderr.lower(), worker.stderr  # no "no key" warning, nothing renewed
        assert (data / "keys/kiosk-seal.pem").read_bytes() == old_pem

        # The screen, in its sandbox, as its user: it reaches the city over mTLS and renews.
        ui_creds = credentials(tmp_path, "ui-creds", ui_uid, ui_gid, {"kiosk.toml": toml})
        look = [
            *unit_view(UI_UNIT, data, ui_creds), "--", *as_user(ui_uid, ui_gid, shared, UI_UNIT),
            sys.executable, str(SANDBOX), str(UI_UNIT), "--", sys.executable, "-c", SCREEN,
        ]  # fmt: skip
        screen = subprocess.run(look, capture_output=True, text=True, timeout=300, check=False)
        assert screen.returncode == 0, screen.stdout + screen.stderr
        said = json.loads(screen.stdout.splitlines()[-1])
        assert said["outcome"] == "renewed", said
        assert said["swapped"] is True and said["in_use"] != said["old"]
        new = load_certs(data / "keys/kiosk-seal.pem")[0]
        assert format(new.serial_number, "x") == said["in_use"]
        assert city.keys is not None and new.serial_number in {
            c.serial_number for c in city.keys.certs_of("HN-001")
        }
        # The screen saw only its read-only copy of the client files: the worker's folder is untouched.
        assert sorted(p.name for p in (data / "sync").iterdir()) == ["ca.crt", "client.crt", "client.key"]

        # The record both processes read says the screen renewed today, in the shared store.
        store = LocalStore(data / "store/kiosk.db", (data / "keys/data.key").read_bytes())
        try:
            recorded = json.loads(store.get_meta(RENEWAL_META_KEY) or "{}")
        finally:
            store.close()
        assert recorded["outcome"] == "renewed"

        # The worker again the same day: still nothing to say, the certificate stays the screen's.
        again = subprocess.run(drain, capture_output=True, text=True, timeout=300, check=False)
        assert again.returncode == 0 and "seal" not in again.stderr.lower(), again.stderr
        assert load_certs(data / "keys/kiosk-seal.pem")[0] == new
    finally:
        city.stop()
