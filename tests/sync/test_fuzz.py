"""Schemathesis against the backend's own OpenAPI document, over real mTLS, on SQLite and PostgreSQL:
no generated request may produce a server error (5xx), and every refusal (4xx) is a JSON problem
(tests/sync/fuzz_checks.py). The backend is wired as `kiosk-backend serve` wires it, with a seal issuer,
so the routes added by route factories (seal certificate renewal, copy facts) are served and fuzzed;
tests/backoffice/test_kiosk_api_document.py keeps the document naming every route."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from backoffice import BackendDB, BackgroundServer, make_server
from backoffice.key_commands import ServeParts
from backoffice.services.access_tokens import TokenBook
from backoffice.services.kiosk_keys import KioskKeys, SealIssuer
from tests.sync.helpers import KIOSK, Backend, Pki

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CHECKS = Path(__file__).with_name("fuzz_checks.py")


class ServedBackend(Backend):
    """The backend with the route factories and ingest hooks `serve` adds; the dev CA issues seal
    certificates (any CA will do: the fuzz never sends a valid request)."""

    def start(self) -> ServedBackend:
        self.db = BackendDB(self.db_url, self.data / "blobs")
        ca_key = serialization.load_pem_private_key(self.pki.pki.ca_key.read_bytes(), password=None)
        assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
        issuer = SealIssuer(x509.load_pem_x509_certificate(self.pki.pki.ca_cert.read_bytes()), ca_key)
        parts = ServeParts(KioskKeys(self.db), TokenBook(self.db), issuer)
        server = make_server(
            self.db,
            self.pki.tls,
            port=self.port,
            after_ingest=parts.ingest_hooks(),
            route_factories=parts.route_factories(),
        )
        self._server = BackgroundServer(server).start()
        return self


@pytest.fixture(params=["sqlite", "postgresql"])
def served_backend(request: pytest.FixtureRequest, pki: Pki, tmp_path: Path) -> Iterator[ServedBackend]:
    db_url = request.getfixturevalue("postgres").new_database() if request.param == "postgresql" else ""
    backend = ServedBackend(pki, tmp_path / "backend", db_url=db_url).start()
    yield backend
    backend.stop()


@pytest.mark.slow
def test_schemathesis_finds_no_server_error(served_backend: ServedBackend, tmp_path: Path) -> None:
    if not SCHEMATHESIS.exists():
        pytest.skip("schemathesis is not installed in the venv (pip install schemathesis)")
    cert, key = served_backend.pki.client(KIOSK)
    done = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{served_backend.url}/openapi.json",
            "--checks",
            "not_a_server_error,client_error_is_a_json_problem",
            "--request-cert",
            str(cert),
            "--request-cert-key",
            str(key),
            "--tls-verify",
            str(served_backend.pki.pki.ca_cert),
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
        env={**os.environ, "SCHEMATHESIS_HOOKS": str(CHECKS)},
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
    # The issue-22 routes were fuzzed (they are in the document, and the backend serves them).
    for operation in ("POST /v1/seal-certificate", "GET /v1/copies/{code}/facts"):
        assert operation in done.stdout, operation
