"""Issue 22, items 4, 5 and 7: `kiosk verify --online` compares the copy with the city's record and fails
closed. Built as an attacker from genuine copies: an unknown code (NOT VALID, or UNCONFIRMED inside the
sync window), a genuine code under another document made with a leaked key (with and without the genuine
copy's token), a revoked copy (REVOKED first), a leaked kiosk key before and after its revocation time,
the city out of reach (exit 3). The genuine copy passes."""

from __future__ import annotations

import base64
import datetime as dt
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from backoffice.cli import main as backend_main
from backoffice.services.auth import add_user
from backoffice.services.postcheck import revoke
from tests.backoffice.helpers import PASSWORD, Kiosks
from tests.backoffice.online_city import Issued, OnlineCity
from tests.sync.helpers import REPO, Pki, env_with_repo, free_port


@pytest.fixture
def city(pki: Pki, kiosks: Kiosks, tmp_path: Path) -> Iterator[OnlineCity]:
    office = OnlineCity(pki, kiosks, tmp_path / "backend").start()
    yield office
    office.stop()


def config(
    tmp_path: Path, city: OnlineCity, *, window_hours: float = 72.0, revocations: Path | None = None
) -> Path:
    path = tmp_path / f"kiosk-{window_hours}-{bool(revocations)}.toml"
    text = f'[kiosk]\ndata_dir = "{city.kiosks.data("HN-001")}"\n[sync]\nsync_window_hours = {window_hours}\n'
    if revocations is not None:
        text += f'[signing]\nrevocation_list = "{revocations}"\n'
    path.write_text(text)
    return path


def verify(
    cfg: Path, copy: Issued | bytes, tmp_path: Path, url: str, *, online: bool = True, plain: bool = False
) -> tuple[int, dict, str]:
    """`kiosk verify` with --json; with ``plain``, also without it, for the first line a person reads."""
    pdf = tmp_path / "copy.pdf"
    pdf.write_bytes(copy.pdf if isinstance(copy, Issued) else copy)
    args = [sys.executable, "-m", "kiosk.cli", "verify", str(pdf), "--config", str(cfg)]
    if online:
        args += ["--online", "--status-url", url]
    env = env_with_repo()
    done = subprocess.run(
        [*args, "--json"], capture_output=True, text=True, timeout=200, cwd=REPO, env=env, check=False
    )
    assert done.stdout.strip(), done.stderr
    first = ""
    if plain:
        shown = subprocess.run(
            args, capture_output=True, text=True, timeout=200, cwd=REPO, env=env, check=False
        )
        assert shown.returncode == done.returncode, (shown.stdout, done.stdout)
        first = shown.stdout.splitlines()[0] if shown.stdout else ""
    return done.returncode, json.loads(done.stdout), first


@pytest.mark.slow
def test_the_genuine_copy_passes_online_and_forgeries_are_refused_with_their_reason(
    city: OnlineCity, tmp_path: Path
) -> None:
    cfg = config(tmp_path, city)
    genuine = city.stored_copy("HN-001")
    rc, out, first = verify(cfg, genuine, tmp_path, city.public_url, plain=True)
    assert (rc, out["online_verdict"], out["status"]) == (0, "VALID", "issued"), out
    assert ": VALID: " in first

    # An unknown code: a genuine seal the city never received. Inside the sync window: UNCONFIRMED, not 0.
    unsynced = city.issue_copy("HN-001")
    rc, out, first = verify(cfg, unsynced, tmp_path, city.public_url, plain=True)
    assert (rc, out["online_verdict"], out["online_reason_key"]) == (1, "UNCONFIRMED", "unconfirmed"), out
    assert "UNCONFIRMED: not yet known to the city" in first
    # Past the sync window: NOT VALID.
    rc, out, _ = verify(config(tmp_path, city, window_hours=0.0001), unsynced, tmp_path, city.public_url)
    assert (rc, out["online_verdict"], out["online_reason_key"]) == (1, "NOT VALID", "unknown_code"), out

    # A leaked kiosk key reuses the genuine code for another document: its own token opens nothing...
    forged = city.issue_copy("HN-001", code=genuine.code, doc_type="diploma")
    rc, out, _ = verify(cfg, forged, tmp_path, city.public_url)
    assert (rc, out["online_reason_key"], out["record_mismatch"]) == (
        1,
        "record_mismatch",
        ["access token"],
    ), out
    assert out["online_verdict"] == "NOT VALID"
    # ...and with the genuine copy's token (the forger holds the paper), the record does not match it.
    token = base64.b32decode(genuine.token.upper() + "======")
    forged = city.issue_copy(
        "HN-001",
        code=genuine.code,
        doc_type="diploma",
        token=token,
        issued_at=genuine.issued_at + dt.timedelta(minutes=5),
    )
    rc, out, _ = verify(cfg, forged, tmp_path, city.public_url)
    assert (rc, out["online_reason_key"]) == (1, "record_mismatch"), out
    assert {"document type", "issue time", "seal digest"} <= set(out["record_mismatch"]), out
    # Even the same facts under another seal (another document's fields) differ by the seal digest.
    same = city.issue_copy(
        "HN-001", code=genuine.code, token=token, issued_at=genuine.issued_at, fields={"full_name": "X"}
    )
    rc, out, _ = verify(cfg, same, tmp_path, city.public_url)
    assert (rc, out["record_mismatch"]) == (1, ["seal digest"]), out

    # A revoked copy: the first line says REVOKED, with the public reason.
    assert city.db is not None
    add_user(city.db, "hoa.nt", PASSWORD, "admin", "Nguyễn Thị Hoa")
    revoke(
        city.db, genuine.code, username="hoa.nt", reason="ảnh trang 1 bị thay", reason_code="wrong_document"
    )
    rc, out, first = verify(cfg, genuine, tmp_path, city.public_url, plain=True)
    assert (rc, out["online_verdict"], out["revoked_reason"]) == (1, "REVOKED", "wrong_document"), out
    assert first.split(": ", 2)[1] == "REVOKED" and "Wrong document" in first and "bị thay" not in first

    # The city out of reach: not checked, exit 3, never 0.
    rc, out, _ = verify(cfg, city.stored_copy("HN-001"), tmp_path, f"http://127.0.0.1:{free_port()}")
    assert (rc, out["online_verdict"], out["status_checked"]) == (3, "NOT CHECKED", False), out


@pytest.mark.slow
def test_a_leaked_kiosk_key_before_and_after_its_revocation_time(
    city: OnlineCity, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = city.stored_copy("HN-001")
    cut = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=1)
    monkeypatch.setenv("KIOSK_KEY_PASSPHRASE", city.kiosks.passphrase())
    base = [
        "--issuer-cert",
        str(city.kiosks.root_cert),
        "--issuer-key",
        str(city.kiosks.root_key),
        "--data",
        str(city.data),
    ]
    assert backend_main(["revoke-kiosk", "HN-001", "--from", cut.isoformat(), *base]) == 0, (
        capsys.readouterr().err
    )
    while dt.datetime.now(dt.UTC) <= cut:  # the leaked key is used after the void time (not a timing check)
        time.sleep(0.1)
    after = city.issue_copy("HN-001")

    cfg = config(tmp_path, city)
    rc, out, _ = verify(cfg, after, tmp_path, city.public_url)  # online: the list is fetched
    assert (rc, out["reason_key"], out["valid"]) == (1, "seal_revoked", False), out
    rc, out, _ = verify(cfg, before, tmp_path, city.public_url)
    assert (rc, out["online_verdict"]) == (0, "VALID"), out

    # Offline, the list from config decides; a stale one is said so when the current cannot be fetched.
    listed = cfg.with_name("revocations.pem")
    listed.write_bytes((city.data / "kiosk-revocations.pem").read_bytes())
    offline_cfg = config(tmp_path, city, revocations=listed)
    rc, out, _ = verify(offline_cfg, after, tmp_path, city.public_url, online=False)
    assert (rc, out["reason_key"], out["status_checked"]) == (1, "seal_revoked", False), out
    rc, out, _ = verify(offline_cfg, before, tmp_path, city.public_url, online=False)
    assert (rc, out["valid"], out["status_checked"]) == (0, True, False), out
    assert backend_main(["revocation-list", "--next-update-days", "0.00001", *base]) == 0
    listed.write_bytes((city.data / "kiosk-revocations.pem").read_bytes())
    time.sleep(1.0)  # let the list pass its next-update time
    rc, out, _ = verify(offline_cfg, before, tmp_path, f"http://127.0.0.1:{free_port()}")
    assert rc == 3 and any("stale" in note for note in out["revocation_notes"]), out
    assert any("could not be fetched" in note for note in out["revocation_notes"]), out
