"""The citizen and central-IT services of the backend (issue 17), wired in one place for `kiosk-backend
serve` and for the tests: delivery by e-mail, retrieval with a secret, and the operations dashboard.

`CityServices.ingest_hooks()` go to `make_server(after_ingest=...)`, `public_routes()` to
`build_public_app(extra_routes=...)`; `start()` and `stop()` run the delivery thread.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

from starlette.routing import BaseRoute

from backoffice.api.kiosk_app import IngestHook
from backoffice.services.deadlines import DEFAULT_WORKING_DAYS, DeadlineBook, DeadlineRule, WorkingCalendar
from backoffice.services.delivery import DeliveryOptions, DeliveryService, SmtpSettings, parse_smtp_url
from backoffice.services.fleet import FleetView
from backoffice.services.operations import KpiBook, OpsOptions
from backoffice.storage.db import BackendDB
from backoffice.web.common import Web
from backoffice.web.ops import ops_routes
from backoffice.web.retrieval import GuardLimits, RetrievalBook, retrieval_routes
from backoffice.web.uncollected import uncollected_routes


@dataclass
class CityServices:
    db: BackendDB
    delivery: DeliveryService
    retrieval: RetrievalBook
    kpis: KpiBook
    secure_cookies: bool = True
    ops: OpsOptions = field(default_factory=OpsOptions)
    # Issue 24: post-check deadlines (filled at ingest) and the fleet as the city saw it (/ops).
    deadlines: DeadlineBook = field(kw_only=True)
    fleet: FleetView = field(kw_only=True)

    @classmethod
    def create(
        cls,
        db: BackendDB,
        data_key: bytes,
        *,
        smtp: SmtpSettings | None = None,
        delivery: DeliveryOptions | None = None,
        limits: GuardLimits | None = None,
        ops: OpsOptions | None = None,
        secure_cookies: bool = True,
        deadline_rule: DeadlineRule | None = None,
    ) -> CityServices:
        ops = ops or OpsOptions()
        return cls(
            db=db,
            delivery=DeliveryService(db, data_key, smtp, delivery),
            retrieval=RetrievalBook(db, limits),
            kpis=KpiBook(db),
            secure_cookies=secure_cookies,
            ops=ops,
            deadlines=DeadlineBook(db, deadline_rule),
            fleet=FleetView(db, ops),
        )

    def ingest_hooks(self) -> list[IngestHook]:
        return [
            self.deadlines.record_deadlines,
            self.delivery.enqueue,
            self.retrieval.record_hashes,
            self.kpis.record_visits,
            self.fleet.truth.record_answers,
        ]

    def public_routes(self) -> list[BaseRoute]:
        web = Web(self.db, secure_cookies=self.secure_cookies)
        return [*retrieval_routes(web, self.retrieval), *ops_routes(web, self), *uncollected_routes(web)]

    def start(self) -> CityServices:
        self.deadlines.fill_missing()  # copies received before deadlines existed
        self.delivery.start()
        return self

    def stop(self) -> None:
        self.delivery.stop()


def add_serve_arguments(serve: argparse.ArgumentParser) -> None:
    """`kiosk-backend serve` options for delivery, retrieval and the dashboard."""
    serve.add_argument(
        "--smtp-url",
        default="",
        help="smtp://HOST:PORT (STARTTLS required) or smtps://HOST:PORT (implicit TLS); user:password@ optional",
    )
    serve.add_argument("--smtp-from", default="", help="sender address of the citizens' messages")
    serve.add_argument("--smtp-password-file", type=Path, default=None, help="SMTP password (first line)")
    serve.add_argument("--smtp-ca", type=Path, default=None, help="CA file to verify the SMTP server (PEM)")
    serve.add_argument(
        "--public-url",
        default="http://127.0.0.1:8080",
        help="base URL of the public listener as citizens reach it (status and retrieval links)",
    )
    serve.add_argument("--attach-pdf", action="store_true", help="attach the signed PDF to the message")
    serve.add_argument(
        "--silent-minutes",
        type=float,
        default=15.0,
        help="alert when a kiosk sends no heartbeat for this long",
    )
    serve.add_argument(
        "--postcheck-working-days",
        type=int,
        default=DEFAULT_WORKING_DAYS,
        help="a copy's post-check is due by the end of this many working days after its issue day (GMT+7)",
    )
    serve.add_argument(
        "--holidays",
        type=Path,
        default=None,
        help="public holiday calendar (one YYYY-MM-DD a line); default: Vietnam's for 2026-2027, shipped",
    )


def services_from_args(
    args: argparse.Namespace, db: BackendDB, data_key: bytes, *, secure_cookies: bool = True
) -> CityServices:
    """BackendError (exit status 2) when an option is malformed."""
    smtp = None
    if args.smtp_url:
        smtp = parse_smtp_url(
            args.smtp_url, sender=args.smtp_from, password_file=args.smtp_password_file, ca_file=args.smtp_ca
        )
    return CityServices.create(
        db,
        data_key,
        smtp=smtp,
        delivery=DeliveryOptions(public_base_url=args.public_url, attach_pdf=args.attach_pdf),
        ops=OpsOptions(silent_minutes=args.silent_minutes),
        secure_cookies=secure_cookies,
        deadline_rule=DeadlineRule(args.postcheck_working_days, WorkingCalendar.load(args.holidays)),
    )
