"""The reference backend over real HTTPS with client certificates, on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import json
import ssl
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from backoffice import create_dev_pki, issue_client_cert, openapi_document
from offline_sync.client import make_ssl_context
from tests.sync.helpers import KIOSK, Backend, Pki


def record(
    code: str = "HN001-0000001", *, kiosk: str = KIOSK, pdf: bytes = b"%PDF-1.7 test", **over: Any
) -> dict:
    body = {
        "code": code,
        "kiosk_id": kiosk,
        "created_at": "2026-11-22T08:30:00+00:00",
        "doc_type": "birth_certificate",
        "pages": 1,
        "pdf_sha256": hashlib.sha256(pdf).hexdigest(),
        "pdf": base64.b64encode(pdf).decode(),
        "holder_id": "001090001234",
        "holder_name": "Nguyễn Văn An",
        "ocr_text": "GIẤY KHAI SINH",
        "fields": {"full_name": "Nguyễn Văn An"},
        "face_match": True,
        "face_distance": 0.4,
        "liveness": "blink",
    }
    body.update(over)
    return body


def http(backend: Backend, kiosk: str = KIOSK) -> httpx.Client:
    return httpx.Client(base_url=backend.url, verify=backend.pki.ssl_context(kiosk), timeout=10)


def post_record(client: httpx.Client, body: dict, key: str | None = None) -> httpx.Response:
    headers = {"Idempotency-Key": key if key is not None else body["code"]}
    return client.post("/v1/records", json=body, headers=headers)


def test_ingest_is_idempotent_by_code(any_backend: Backend) -> None:
    with http(any_backend) as c:
        first = post_record(c, record())
        assert first.status_code == 201
        assert first.json()["code"] == "HN001-0000001"
        again = post_record(c, record())
        assert again.status_code == 201
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json()["received_at"] == first.json()["received_at"]  # the original result
        other = post_record(c, record(holder_name="Trần Thị Bình"))
        assert other.status_code == 422
        assert "different record" in other.json()["error"]
        assert post_record(c, record(), key="").status_code == 400
        assert post_record(c, record(), key="HN001-9999999").status_code == 400
    assert any_backend.codes() == ["HN001-0000001"]
    assert any_backend.db is not None
    assert any_backend.db.counters(KIOSK) == {"stored": 1, "replayed": 1, "conflicts": 1}


def test_batch_gives_one_result_per_record(any_backend: Backend) -> None:
    with http(any_backend) as c:
        assert post_record(c, record("B-1")).status_code == 201
        bad_pdf = record("B-3")
        bad_pdf["pdf_sha256"] = "0" * 64
        answer = c.post(
            "/v1/records/batch",
            json={
                "records": [
                    record("B-1"),
                    record("B-2"),
                    bad_pdf,
                    record("B-1", pages=9),
                    record("B-4", kiosk="HN-002"),
                ]
            },
        )
        assert answer.status_code == 200
        results = answer.json()["results"]
        assert [(r["code"], r["status"], r["replayed"]) for r in results] == [
            ("B-1", 201, True),
            ("B-2", 201, False),
            ("B-3", 400, False),
            ("B-1", 422, False),
            ("B-4", 403, False),
        ]
    assert any_backend.codes() == ["B-1", "B-2"]


def test_lookup_and_pdf_from_blob_storage(any_backend: Backend) -> None:
    pdf = b"%PDF-1.7 " + bytes(range(256)) * 40
    with http(any_backend) as c:
        assert post_record(c, record("L-1", pdf=pdf)).status_code == 201
        found = c.get("/v1/records/L-1")
        assert found.status_code == 200
        assert found.json()["pdf_sha256"] == hashlib.sha256(pdf).hexdigest()
        assert found.json()["pages"] == 1
        assert "holder_id" not in found.json()  # lookup does not hand out personal data
        got = c.get("/v1/records/L-1/pdf")
        assert got.status_code == 200
        assert got.headers["content-type"] == "application/pdf"
        assert got.content == pdf
        assert c.get("/v1/records/NOPE").status_code == 404
        assert c.get("/v1/records/NOPE/pdf").status_code == 404


def test_bad_input_is_a_4xx_with_a_message(any_backend: Backend) -> None:
    with http(any_backend) as c:
        cases = [
            c.post("/v1/records", content=b"{not json", headers={"Idempotency-Key": "X"}),
            c.post("/v1/records", content=b"", headers={"Idempotency-Key": "X"}),
            post_record(c, record(pages=0)),
            post_record(c, record(created_at="2026-11-22T08:30:00")),
            post_record(c, {**record(), "pdf": "***"}),
            post_record(c, {**record(), "extra": 1}),
            c.post("/v1/records/batch", json={"records": []}),
            c.post("/v1/heartbeats", json={"heartbeats": "x"}),
            c.get("/v1/sync-logs", params={"limit": "-1"}),
        ]
        for answer in cases:
            assert 400 <= answer.status_code < 500, answer.text
            assert answer.json()["error"]
        assert post_record(c, record(kiosk_id="HN-002")).status_code == 403


def test_client_certificate_is_required(backend: Backend, tmp_path: Path) -> None:
    no_cert = ssl.create_default_context(cafile=str(backend.pki.pki.ca_cert))
    with pytest.raises(httpx.TransportError), httpx.Client(base_url=backend.url, verify=no_cert) as c:
        c.get("/healthz")
    rogue = create_dev_pki(tmp_path / "rogue")
    issue_client_cert(rogue, KIOSK, tmp_path / "r.crt", tmp_path / "r.key")
    ctx = make_ssl_context(tmp_path / "r.crt", tmp_path / "r.key", backend.pki.pki.ca_cert)
    with pytest.raises(httpx.TransportError), httpx.Client(base_url=backend.url, verify=ctx) as c:
        c.get("/healthz")
    with http(backend) as c:
        assert c.get("/healthz").json() == {"ok": True}


def test_heartbeats_logs_and_fleet_view(any_backend: Backend, pki: Pki) -> None:
    beat = {
        "id": "hb000000001",
        "kiosk_id": KIOSK,
        "sent_at": datetime.now(UTC).isoformat(),
        "backlog": 7,
        "dead_letters": 1,
        "oldest_unsynced": "2026-11-22T07:00:00+00:00",
        "last_error": "HTTP 503",
        "health": {"disk_free_bytes": 123},
    }
    entries = [
        {
            "id": f"log{i:08d}",
            "time": datetime.now(UTC).isoformat(),
            "kiosk": KIOSK,
            "code": f"C-{i}",
            "bytes": 100,
            "status": 201 if i % 4 else 503,
            "latency_ms": 3.5,
            "outcome": "synced" if i % 4 else "retry",
        }
        for i in range(20)
    ]
    with http(any_backend) as c:
        assert c.post("/v1/heartbeats", json={"heartbeats": [beat]}).json() == {"accepted": 1, "new": 1}
        assert c.post("/v1/heartbeats", json={"heartbeats": [beat]}).json() == {"accepted": 1, "new": 0}
        assert c.post("/v1/sync-logs", json={"entries": entries}).json() == {"accepted": 20, "new": 20}
        assert c.post("/v1/sync-logs", json={"entries": entries[:5]}).json()["new"] == 0
        assert (
            c.post("/v1/heartbeats", json={"heartbeats": [{**beat, "kiosk_id": "HN-002"}]}).status_code == 403
        )
        fleet = c.get("/v1/fleet").json()["kiosks"]
        logs = c.get("/v1/sync-logs", params={"kiosk": KIOSK, "limit": 5}).json()["entries"]
    assert len(logs) == 5
    (kiosk,) = fleet
    assert kiosk["kiosk_id"] == KIOSK
    assert kiosk["backlog"] == 7
    assert kiosk["dead_letters"] == 1
    assert kiosk["error_rate"] == 0.25
    assert kiosk["attempts_considered"] == 20
    assert kiosk["health"] == {"disk_free_bytes": 123}
    assert kiosk["last_error"] == "HTTP 503"
    assert kiosk["oldest_unsynced"].startswith("2026-11-22T07:00:00")
    assert abs(kiosk["clock_offset_s"]) < 60


def test_openapi_document_describes_the_api(backend: Backend) -> None:
    with http(backend) as c:
        served = c.get("/openapi.json").json()
    assert served == json.loads(json.dumps(openapi_document()))
    assert served["openapi"].startswith("3.1")
    assert {"/v1/records", "/v1/records/batch", "/v1/records/{code}", "/v1/fleet"} <= set(served["paths"])
    assert "RecordUpload" in served["components"]["schemas"]


def test_kiosk_backend_command(tmp_path: Path) -> None:
    """`kiosk-backend dev-certs`, `serve` (its own process) and `openapi`, end to end."""
    import subprocess
    import sys

    from tests.sync.helpers import REPO, BackendProcess, Pki, env_with_repo

    cli = [sys.executable, "-m", "backoffice.cli"]
    done = subprocess.run(
        [*cli, "dev-certs", str(tmp_path / "tls"), "--kiosk", KIOSK],
        capture_output=True, text=True, check=False, cwd=REPO, env=env_with_repo(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "tls" / f"{KIOSK}.crt").exists()
    assert oct((tmp_path / "tls" / f"{KIOSK}.key").stat().st_mode & 0o777) == "0o600"
    done = subprocess.run([*cli, "openapi"], capture_output=True, text=True, check=False, cwd=REPO)
    assert json.loads(done.stdout)["paths"]
    from backoffice.pki import DevPki

    tls = tmp_path / "tls"
    pki = Pki(DevPki(tls / "ca.crt", tls / "ca.key", tls / "server.crt", tls / "server.key"), tls)
    server = BackendProcess(pki, tmp_path / "data").start()
    try:
        with httpx.Client(base_url=server.url, verify=pki.ssl_context(KIOSK), timeout=10) as c:
            assert post_record(c, record()).status_code == 201
            assert c.get("/v1/records/HN001-0000001").json()["kiosk_id"] == KIOSK
    finally:
        server.stop()
    no_roots = subprocess.run(
        [*cli, "serve", "--data", str(tmp_path / "d2"), "--tls", str(tls)],
        capture_output=True, text=True, check=False, cwd=REPO,
    )  # fmt: skip
    assert no_roots.returncode == 2 and "no city root" in no_roots.stderr  # issue 16: seals are checked
    bad = subprocess.run(
        [*cli, "serve", "--data", str(tmp_path / "d2"), "--tls", str(tmp_path / "nothing"), "--dev-no-seal-check"],
        capture_output=True, text=True, check=False, cwd=REPO,
    )  # fmt: skip
    assert bad.returncode == 3
    assert "TLS file not found" in bad.stderr


def test_backend_survives_losing_its_postgresql_connection(postgres, pki: Pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import psycopg

    url = postgres.new_database()
    backend = Backend(pki, tmp_path / "backend", db_url=url).start()
    try:
        with http(backend) as c:
            assert post_record(c, record("PG-1")).status_code == 201
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            lost = post_record(c, record("PG-2"))
            assert lost.status_code == 503  # retryable for the kiosk, never a crash
            assert lost.headers["Retry-After"] == "1"
            assert post_record(c, record("PG-2")).status_code == 201
            assert post_record(c, record("PG-1")).headers["Idempotent-Replayed"] == "true"
        assert backend.codes() == ["PG-1", "PG-2"]
    finally:
        backend.stop()
