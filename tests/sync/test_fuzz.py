"""Schemathesis against the backend's own OpenAPI document, over real mTLS, on SQLite and PostgreSQL:
no generated request may produce a server error (5xx)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.sync.helpers import KIOSK, Backend

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.mark.slow
def test_schemathesis_finds_no_server_error(any_backend: Backend, tmp_path: Path) -> None:
    if not SCHEMATHESIS.exists():
        pytest.skip("schemathesis is not installed in the venv (pip install schemathesis)")
    cert, key = any_backend.pki.client(KIOSK)
    done = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{any_backend.url}/openapi.json",
            "--checks",
            "not_a_server_error",
            "--request-cert",
            str(cert),
            "--request-cert-key",
            str(key),
            "--tls-verify",
            str(any_backend.pki.pki.ca_cert),
            "--max-examples",
            "30",
            "--seed",
            "20261122",
            "--workers",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        cwd=tmp_path,
    )
    summary = done.stdout[-2500:]
    assert done.returncode == 0, summary + done.stderr[-2000:]
    assert "passed" in summary
    assert "failed" not in summary.split("SUMMARY")[-1].lower()
    counts = [
        line.strip()
        for line in summary.splitlines()
        if line.strip().endswith("passed") and "generated" in line
    ]
    print("\nFIGURES schemathesis:", counts[-1] if counts else "?")
