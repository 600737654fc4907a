"""`kiosk-backend serve --public-port N --smtp-url smtp://...` as its own process, as the city runs it: a
kiosk uploads a real copy with a delivery address and a retrieval hash; the citizen gets one message naming
the code; the holder downloads the copy with code and secret; an `it` account made with `kiosk-backend
user add` sees the kiosk on /ops."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from offline_sync.protocol.citizen import hash_retrieval_secret, new_retrieval_secret
from tests.backoffice.city import csrf_of
from tests.backoffice.helpers import PASSWORD, Kiosks, len_pages, record_body
from tests.backoffice.smtp_server import SmtpCert, SmtpServer
from tests.sync.helpers import REPO, Pki, free_port


def _wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            assert time.monotonic() < deadline, f"port {port} never opened"
            time.sleep(0.05)


def test_serve_delivers_retrieves_and_shows_ops(pki: Pki, kiosks: Kiosks, tmp_path: Path) -> None:
    data = tmp_path / "backend"
    port, public_port, smtp_port = free_port(), free_port(), free_port()
    cert = SmtpCert(tmp_path / "smtp-cert")
    public = f"http://127.0.0.1:{public_port}"
    add = subprocess.run(
        [sys.executable, "-m", "backoffice.cli", "user", "add", "minh.it", "--role", "it", "--data", str(data)],
        input=PASSWORD + "\n", capture_output=True, text=True, cwd=REPO, timeout=120, check=False,
    )  # fmt: skip
    assert add.returncode == 0, add.stderr
    cmd = [
        sys.executable, "-m", "backoffice.cli", "serve", "--data", str(data), "--tls", str(pki.folder),
        "--port", str(port), "--public-port", str(public_port), "--trust", str(kiosks.root_cert),
        "--smtp-url", f"smtp://127.0.0.1:{smtp_port}", "--smtp-from", "no-reply@tracuu.hanoi.gov.vn",
        "--smtp-ca", str(cert.ca_file), "--public-url", "https://tracuu.hanoi.gov.vn", "--insecure-cookies",
    ]  # fmt: skip
    with SmtpServer(cert, smtp_port) as smtp:
        proc = subprocess.Popen(cmd, cwd=REPO, stderr=subprocess.PIPE)
        try:
            _wait_port(port, proc)
            _wait_port(public_port, proc)
            code, pdf = kiosks.issue("HN-001")
            secret = new_retrieval_secret()
            body = record_body(
                code, pdf, pages=len_pages(pdf), delivery_email="an.nguyen@example.vn", language="en",
                retrieval_hash=hash_retrieval_secret(secret, code),
            )  # fmt: skip
            with httpx.Client(
                base_url=f"https://127.0.0.1:{port}", verify=pki.ssl_context("HN-001"), timeout=60
            ) as k:
                assert k.post("/v1/records", json=body, headers={"Idempotency-Key": code}).status_code == 201
                beat = {"id": "beat-0001", "kiosk_id": "HN-001", "sent_at": "2026-12-01T09:00:00+00:00",
                        "backlog": 0, "health": {"software_version": "0.1.0"}}  # fmt: skip
                assert k.post("/v1/heartbeats", json={"heartbeats": [beat]}).status_code == 200
            (message,) = smtp.handler.wait_for(1)
            assert message["To"] == "an.nguyen@example.vn"
            assert (
                code in message["Subject"]
                and f"https://tracuu.hanoi.gov.vn/v/{code}" in message.get_content()
            )

            assert httpx.post(f"{public}/r", data={"code": code}, timeout=60).status_code == 403
            got = httpx.post(f"{public}/r", data={"code": code, "secret": secret}, timeout=60)
            assert got.status_code == 200 and got.content == pdf

            with httpx.Client(base_url=public, timeout=60) as staff:
                assert staff.get("/ops").status_code == 303
                token = csrf_of(staff.get("/login").text)
                staff.post("/login", data={"username": "minh.it", "password": PASSWORD, "csrf_token": token})
                page = staff.get("/ops")
                assert page.status_code == 200 and "HN-001" in page.text and "0.1.0" in page.text
                assert code in page.text  # the delivery row
        finally:
            proc.terminate()
            proc.wait(60)
    assert len(smtp.handler.messages) == 1
