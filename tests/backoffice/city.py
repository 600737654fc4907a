"""The back office with issue 17's services wired as `kiosk-backend serve` wires them: the delivery queue,
the retrieval secrets and the KPI rows hooked after ingest, the retrieval pages and /ops on the public
listener. Plus what the kiosks send the dashboard: heartbeats with device states, sync log lines."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from backoffice import BackendDB, BackgroundServer, make_server
from backoffice.server import make_public_server
from backoffice.services.auth import add_user
from backoffice.services.delivery import DeliveryOptions, SmtpSettings
from backoffice.services.operations import OpsOptions
from backoffice.services.seals import SealChecker, load_trust
from backoffice.services.wiring import CityServices
from backoffice.storage.at_rest import load_or_create_key
from backoffice.web.public import RateLimit, build_public_app
from backoffice.web.retrieval import GuardLimits
from offline_sync.protocol.citizen import hash_retrieval_secret, new_retrieval_secret
from tests.backoffice.helpers import KIOSKS, PASSWORD, WARD, BackOffice, Kiosks, len_pages, record_body
from tests.sync.helpers import Pki

IT_USER, IT_NAME = "minh.it", "Trần Văn Minh"
OFFICER_USER = "lan.officer"


class CityOffice(BackOffice):
    """BackOffice (issue 16's harness) plus CityServices; cookies not Secure (plain HTTP on loopback)."""

    def __init__(
        self,
        pki: Pki,
        kiosks: Kiosks,
        data: Path,
        *,
        db_url: str = "",
        smtp: SmtpSettings | None = None,
        limits: GuardLimits | None = None,
        rate: RateLimit | None = None,
        ops: OpsOptions | None = None,
    ) -> None:
        super().__init__(pki, kiosks, data, db_url=db_url, rate=rate)
        self.smtp, self.limits, self.ops = smtp, limits, ops
        self.services: CityServices | None = None

    def start(self) -> CityOffice:
        checker = SealChecker(load_trust([self.kiosks.root_cert]))
        key = load_or_create_key(self.data)
        self.db = BackendDB(self.db_url, self.data / "blobs", data_key=key, seal_checker=checker)
        for kiosk in KIOSKS:
            self.db.set_kiosk_ward(kiosk, WARD, by="tests")
        self.services = CityServices.create(
            self.db,
            key,
            smtp=self.smtp,
            delivery=DeliveryOptions(public_base_url=self.public_url, poll_interval_s=0.2),
            limits=self.limits,
            ops=self.ops,
            secure_cookies=False,
        )
        app = build_public_app(
            self.db, rate=self.rate, secure_cookies=False, extra_routes=self.services.public_routes()
        )
        self._servers = [
            BackgroundServer(
                make_server(self.db, self.pki.tls, port=self.port, after_ingest=self.services.ingest_hooks())
            ).start(),
            BackgroundServer(make_public_server(app, port=self.public_port)).start(),
        ]
        self.services.start()
        return self

    def stop(self) -> None:
        if self.services is not None:
            self.services.stop()
            self.services = None
        super().stop()

    def add_staff(self) -> None:
        assert self.db is not None
        add_user(self.db, IT_USER, PASSWORD, "it", IT_NAME)
        add_user(self.db, OFFICER_USER, PASSWORD, "officer", "Lê Thị Lan", ward=WARD)

    def issue_with_secret(self, kiosk: str = "HN-001", **over: Any) -> tuple[str, str]:
        """A real certified copy uploaded with a retrieval hash; returns (code, secret)."""
        when = over.get("created_at")  # a backdated record: its seal says the same time (issue 24)
        issued_at = datetime.fromisoformat(when) if isinstance(when, str) else when
        code, pdf = self.kiosks.issue(kiosk, pages=over.pop("pages", 1), issued_at=issued_at)
        secret = new_retrieval_secret()
        body = record_body(
            code,
            pdf,
            kiosk=kiosk,
            pages=len_pages(pdf),
            retrieval_hash=hash_retrieval_secret(secret, code),
            **over,
        )
        answer = self.upload(body, kiosk)
        assert answer.status_code == 201, answer.text
        return code, secret

    def heartbeat(
        self, kiosk: str, *, backlog: int = 0, dead: int = 0, ago_s: float = 0, **health: Any
    ) -> None:
        sent = datetime.now(UTC) - timedelta(seconds=ago_s)
        beat = {
            "id": uuid.uuid4().hex,
            "kiosk_id": kiosk,
            "sent_at": sent.isoformat(),
            "backlog": backlog,
            "dead_letters": dead,
            "health": health,
        }
        with self.kiosk(kiosk) as client:
            answer = client.post("/v1/heartbeats", json={"heartbeats": [beat]})
        assert answer.status_code == 200, answer.text

    def log_lines(self, kiosk: str, entries: list[dict[str, Any]]) -> None:
        lines = [{"id": uuid.uuid4().hex, "kiosk": kiosk, **e} for e in entries]
        with self.kiosk(kiosk) as client:
            answer = client.post("/v1/sync-logs", json={"entries": lines})
        assert answer.status_code == 200, answer.text


def visit_metrics(
    seconds: float, *, ward: str = "Phường Hàng Bạc", rescans: int = 0, **over: Any
) -> dict[str, Any]:
    return {
        "ward": ward,
        "visit_seconds": seconds,
        "step_seconds": {"identify": 30.0, "face": 20.0, "scan": seconds - 80, "certify": 30.0},
        "pages_scanned": 1 + rescans,
        "rescans": rescans,
        "face_attempts": over.pop("face_attempts", 1),
        "face_failures": over.pop("face_failures", 0),
        "liveness_attempts": over.pop("liveness_attempts", 1),
        "liveness_failures": over.pop("liveness_failures", 0),
        **over,
    }


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


@contextmanager
def staff_login(
    office: BackOffice, username: str = IT_USER, password: str = PASSWORD
) -> Iterator[httpx.Client]:
    """An HTTP client logged in on the public listener through the real /login form."""
    with httpx.Client(base_url=office.public_url, timeout=60) as client:
        page = client.get("/login")
        answer = client.post(
            "/login", data={"username": username, "password": password, "csrf_token": csrf_of(page.text)}
        )
        assert answer.status_code in (200, 303), answer.text[:300]
        yield client
