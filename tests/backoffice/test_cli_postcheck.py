"""The same post-check from the command line: `kiosk-backend user add` (password on stdin), `approve
CODE --officer NAME`, `revoke CODE --reason TEXT`; then `kiosk verify --online` reports each status, and
says the status could not be checked when the backend is unreachable."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx

from tests.backoffice.helpers import MODULE, OFFICER, OFFICER_NAME, OFFICER_TOKEN, PASSWORD, WARD, BackOffice
from tests.sync.helpers import REPO, env_with_repo, free_port


def backend_cli(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backoffice.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={**env_with_repo(), **(env or {})},
        check=False,
    )


def kiosk_verify(config: Path, pdf: Path, url: str) -> tuple[int, dict]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk.cli",
            "verify",
            str(pdf),
            "--online",
            "--status-url",
            url,
            "--json",
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env=env_with_repo(),
        check=False,
    )
    assert done.stdout.strip(), done.stderr
    return done.returncode, json.loads(done.stdout)


def test_cli_post_check_and_kiosk_verify_online(office: BackOffice, tmp_path: Path) -> None:
    data, db = (
        ["--data", str(office.data)],
        (["--db", office.db_url] if office.db_url.startswith("postgres") else []),
    )
    assert (
        backend_cli(
            "user",
            "add",
            OFFICER,
            "--role",
            "officer",
            "--full-name",
            OFFICER_NAME,
            "--ward",
            WARD,
            *data,
            *db,
            stdin=PASSWORD + "\n",
        ).returncode
        == 0
    )
    short = backend_cli("user", "add", "x", "--role", "officer", *data, *db, stdin="short\n")
    assert short.returncode == 2 and "at least" in short.stderr
    bad_role = backend_cli("user", "add", "x", "--role", "root", *data, *db, stdin=PASSWORD + "\n")
    assert bad_role.returncode == 2
    key = backend_cli(
        "officer-key",
        OFFICER,
        "--full-name",
        OFFICER_NAME,
        "--data",
        str(office.data),
        "--issuer-cert",
        str(office.kiosks.root_cert),
        "--issuer-key",
        str(office.kiosks.root_key),
        "--officer-token-module",
        MODULE,
        "--officer-token-label",
        OFFICER_TOKEN,
        "--issuer-passphrase-env",
        "TEST_ROOT_PP",
        env={"TEST_ROOT_PP": office.kiosks.passphrase()},
    )
    assert key.returncode == 0, key.stderr

    approved, revoked, untouched = (office.upload_copy("HN-001") for _ in range(3))
    ok = backend_cli(
        "approve",
        approved,
        "--officer",
        OFFICER,
        *data,
        *db,
        "--officer-token-module",
        MODULE,
        "--officer-token-label",
        OFFICER_TOKEN,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout) == {"code": approved, "status": "post_checked"}
    again = backend_cli("approve", approved, "--officer", OFFICER, *data, *db)
    assert again.returncode == 2 and "already post-checked" in again.stderr
    assert backend_cli("approve", approved, "--officer", "nobody", *data, *db).returncode == 2
    gone = backend_cli("revoke", revoked, "--reason", "ảnh trang 1 không khớp bản gốc", *data, *db)
    assert gone.returncode == 0 and json.loads(gone.stdout)["status"] == "revoked"
    assert backend_cli("revoke", "HN001-999999-0", "--reason", "x", *data, *db).returncode == 2

    # kiosk verify --online against the public listener: the PDFs as the kiosk holds them.
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\ndata_dir = "{office.kiosks.data("HN-001")}"\n')
    pdfs = {}
    with office.kiosk("HN-001") as c:
        for code in (approved, revoked, untouched):
            pdfs[code] = tmp_path / f"{code}.pdf"
            pdfs[code].write_bytes(c.get(f"/v1/records/{code}/pdf").content)
    # Issue 22: these copies' QR carries no access token, so the city's record cannot be compared with
    # them: never VALID online (fail closed), but the public status is read; a revoked one says REVOKED.
    # (tests/backoffice/test_verify_online.py checks copies with a token, which pass.)
    rc, out = kiosk_verify(config, pdfs[approved], office.public_url)
    assert (rc, out["valid"], out["online_verdict"], out["status"]) == (
        1,
        True,
        "UNCONFIRMED",
        "post_checked",
    ), out
    rc, out = kiosk_verify(config, pdfs[revoked], office.public_url)
    assert (rc, out["online_verdict"], out["status"]) == (1, "REVOKED", "revoked"), out
    assert "không khớp" not in json.dumps(out, ensure_ascii=False)  # the officer's words stay internal
    rc, out = kiosk_verify(config, pdfs[untouched], office.public_url)
    assert (rc, out["status"]) == (1, "issued")
    offline = f"http://127.0.0.1:{free_port()}"
    rc, out = kiosk_verify(config, pdfs[untouched], offline)
    assert (rc, out["valid"], out["online_verdict"], out["status_checked"]) == (3, True, "NOT CHECKED", False)
    assert "could not be asked" in out["online_reason"]
    assert httpx.get(f"{office.public_url}/api/public/copies/{approved}").json()["status"] == "post_checked"


def test_serve_process_checks_seals_and_opens_the_public_listener(
    pki, kiosks, softhsm, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """`kiosk-backend serve --trust PEM --public-port N` as its own process: a genuine copy is stored, a
    junk one refused, and the public listener answers its status; with the roots in DATA/trust/ too."""
    import shutil
    import socket
    import time

    from tests.backoffice.helpers import record_body

    for mode in ("--trust", "data/trust"):
        data = tmp_path / mode.strip("-").replace("/", "_")
        port, public_port = free_port(), free_port()
        extra = ["--trust", str(kiosks.root_cert)]
        if mode == "data/trust":
            (data / "trust").mkdir(parents=True)
            shutil.copy2(kiosks.root_cert, data / "trust" / "city-root.pem")
            extra = []
        proc = subprocess.Popen(
            [sys.executable, "-m", "backoffice.cli", "serve", "--data", str(data), "--tls", str(pki.folder),
             "--port", str(port), "--public-port", str(public_port), *extra],
            cwd=REPO, env=env_with_repo(), stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            for p in (port, public_port):
                while True:
                    assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                    try:
                        socket.create_connection(("127.0.0.1", p), timeout=0.2).close()
                        break
                    except OSError:
                        assert time.monotonic() < deadline
                        time.sleep(0.05)
            code, pdf = kiosks.issue("HN-001")
            with httpx.Client(
                base_url=f"https://127.0.0.1:{port}", verify=pki.ssl_context("HN-001"), timeout=60
            ) as c:
                junk = record_body(kiosks.issue("HN-001")[0], b"%PDF-1.7 junk")
                assert (
                    c.post("/v1/records", json=junk, headers={"Idempotency-Key": junk["code"]}).status_code
                    == 422
                )
                body = record_body(code, pdf)
                assert c.post("/v1/records", json=body, headers={"Idempotency-Key": code}).status_code == 201
            status = httpx.get(f"http://127.0.0.1:{public_port}/api/public/copies/{code}", timeout=30)
            assert status.status_code == 200 and status.json()["status"] == "issued"
            assert httpx.get(f"http://127.0.0.1:{public_port}/login", timeout=30).status_code == 200
        finally:
            proc.terminate()
            proc.wait(30)
