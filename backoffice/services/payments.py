"""Payments of the kiosk fee: the kiosk opens a payment, the payment gateway confirms it, the kiosk polls.

The flow (the backend is the only party both sides trust):

1. The kiosk ``POST /v1/payments`` ``{reference, amount_vnd}`` over its mTLS link, and shows the citizen a
   VietQR whose transfer note is the reference. The same reference again with the same amount is a replay.
2. The citizen's bank pays; the payment gateway (its IPN) ``POST /v1/payments/gateway/notify`` with
   ``{txn_id, reference, amount_vnd, paid_at}`` and ``X-Gateway-Signature: hex(HMAC-SHA256(secret, body))``.
   The backend marks the payment ``paid`` only when the signature holds and the amount is exactly the one
   opened; a notify is idempotent by ``txn_id``. A kiosk cannot confirm its own payment: it has no secret.
3. The kiosk polls ``GET /v1/payments/{reference}`` (only its own payments) until ``paid``.

A kiosk may also ``POST /v1/payments/{reference}/cash`` (the citizen pays at the counter, status
``cash_at_counter``) or ``.../cancel`` (status ``cancelled``, only while nothing was paid).

The gateway's shared secret is read from ``$KIOSK_GATEWAY_SECRET_FILE`` or ``<data>/gateway.secret``
(created, 0600, on first start). In production the gateway connector also holds a client certificate of
the city CA, like a kiosk, since the API listener requires one.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backoffice.api.common import (
    ApiProblem,
    Guard,
    KioskOf,
    StrictBody,
    answering,
    json_answer,
    parse_model,
    read_body,
)
from backoffice.storage.db import BackendDB
from offline_sync.protocol import API_PREFIX
from offline_sync.protocol.payment_notice import SIGNATURE_HEADER, load_or_create_secret, sign_notice

REFERENCE_PATTERN = r"^[A-Z0-9]{6,25}$"
STATUSES = ("pending", "paid", "cash_at_counter", "cancelled")

_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS payments (
        reference TEXT PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        amount_vnd BIGINT NOT NULL,
        method TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        paid_at TEXT,
        gateway_txn TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS payments_kiosk ON payments(kiosk_id, created_at)",
    """CREATE TABLE IF NOT EXISTS gateway_events (
        txn_id TEXT PRIMARY KEY,
        reference TEXT NOT NULL,
        amount_vnd BIGINT NOT NULL,
        received_at TEXT NOT NULL,
        outcome TEXT NOT NULL,
        body TEXT NOT NULL
    )""",
]


class PaymentOpen(StrictBody):
    reference: str = Field(pattern=REFERENCE_PATTERN)
    amount_vnd: int = Field(gt=0, le=10**12)
    method: Literal["vietqr"] = "vietqr"


class GatewayNotice(StrictBody):
    txn_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    reference: str = Field(pattern=REFERENCE_PATTERN)
    amount_vnd: int = Field(gt=0, le=10**12)
    paid_at: datetime


def _now() -> str:
    return datetime.now(UTC).isoformat()


def reference_prefix(kiosk: str) -> str:
    """What every reference of ``kiosk`` starts with: its letters and digits (at most 14), then "P"
    (the formula of kiosk.services.payment.new_reference)."""
    return "".join(ch for ch in kiosk.upper() if ch.isalnum())[:14] + "P"


class PaymentBook:
    """The payments table on the backend's database (SQLite or PostgreSQL, same SQL)."""

    def __init__(self, db: BackendDB, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the gateway secret must be at least 16 bytes")
        self.db = db
        self.secret = secret
        with db._tx() as cur:
            for statement in _SCHEMA:
                cur.execute(statement)

    @classmethod
    def for_db(cls, db: BackendDB) -> PaymentBook:
        return cls(db, load_or_create_secret(db.blobs.root.parent))

    @staticmethod
    def _row(row: Any) -> dict[str, Any]:
        reference, kiosk, amount, method, status, created, updated, paid_at, txn = row
        return {
            "reference": reference,
            "kiosk_id": kiosk,
            "amount_vnd": int(amount),
            "method": method,
            "status": status,
            "created_at": created,
            "updated_at": updated,
            "paid_at": paid_at,
            "gateway_txn": txn,
        }

    _COLUMNS = "reference, kiosk_id, amount_vnd, method, status, created_at, updated_at, paid_at, gateway_txn"

    def open(self, kiosk: str, request: PaymentOpen) -> tuple[int, dict[str, Any]]:
        """(201, payment) when new, (200, payment) for a replay, ApiProblem 409 for a clash, 403 for a
        reference outside the kiosk's own namespace (a leaked certificate cannot squat another kiosk's)."""
        if not request.reference.startswith(reference_prefix(kiosk)):
            raise ApiProblem(
                403, f"a kiosk opens payments only under its own prefix {reference_prefix(kiosk)}"
            )
        now = _now()
        opened = {
            "reference": request.reference,
            "kiosk_id": kiosk,
            "amount_vnd": request.amount_vnd,
            "method": request.method,
            "status": "pending",
            "created_at": now,
            "updated_at": now,
            "paid_at": None,
            "gateway_txn": None,
        }
        with self.db._tx() as cur:
            created, stored = cur.insert_once("payments", "reference", opened)
        payment = self._row(stored)
        if not created and (payment["kiosk_id"] != kiosk or payment["amount_vnd"] != request.amount_vnd):
            raise ApiProblem(409, "this reference is already used for another payment")
        return (201 if created else 200), payment

    def get(self, kiosk: str, reference: str) -> dict[str, Any]:
        with self.db._tx() as cur:
            cur.execute(
                "SELECT reference, kiosk_id, amount_vnd, method, status, created_at, updated_at, paid_at, gateway_txn FROM payments WHERE reference = ?",
                (reference,),
            )
            row = cur.fetchone()
        if row is None or row[1] != kiosk:
            raise ApiProblem(404, f"no payment with reference {reference!r}")
        return self._row(row)

    def set_status(self, kiosk: str, reference: str, status: str) -> dict[str, Any]:
        """The kiosk moves its own payment to ``cash_at_counter`` or ``cancelled``; never off ``paid``."""
        with self.db._tx() as cur:
            cur.execute(
                "SELECT reference, kiosk_id, amount_vnd, method, status, created_at, updated_at, paid_at, gateway_txn FROM payments WHERE reference = ?",
                (reference,),
            )
            row = cur.fetchone()
            if row is None or row[1] != kiosk:
                raise ApiProblem(404, f"no payment with reference {reference!r}")
            current = row[4]
            if current == "paid":
                raise ApiProblem(409, "the payment is already paid")
            if current == "cancelled" and status != "cancelled":
                raise ApiProblem(409, "the payment was cancelled")
            # never off "paid", even if the bank's notice landed since the SELECT (another process)
            cur.execute(
                "UPDATE payments SET status = ?, updated_at = ? WHERE reference = ? AND status <> 'paid'",
                (status, _now(), reference),
            )
            cur.execute(
                "SELECT reference, kiosk_id, amount_vnd, method, status, created_at, updated_at, paid_at, gateway_txn FROM payments WHERE reference = ?",
                (reference,),
            )
            payment = self._row(cur.fetchone())
        if payment["status"] == "paid":  # the cancel and the notice at once: the payment stays paid
            raise ApiProblem(409, "the payment is already paid")
        return payment

    def notify(self, body: bytes, signature: str) -> dict[str, Any]:
        """A gateway notice: checked, recorded once by txn_id, and applied to the payment."""
        expected = sign_notice(self.secret, body)
        if not signature or not hmac.compare_digest(expected, signature.strip().lower()):
            raise ApiProblem(401, f"missing or wrong {SIGNATURE_HEADER}")
        notice = parse_model(body, GatewayNotice)
        with self.db._tx() as cur:
            cur.execute("SELECT reference, outcome FROM gateway_events WHERE txn_id = ?", (notice.txn_id,))
            seen = cur.fetchone()
            if seen is not None:
                if seen[0] != notice.reference:
                    raise ApiProblem(409, "this txn_id was already used for another reference")
                return {"txn_id": notice.txn_id, "outcome": seen[1], "replayed": True}
            cur.execute(
                "SELECT reference, kiosk_id, amount_vnd, method, status, created_at, updated_at, paid_at, gateway_txn FROM payments WHERE reference = ?",
                (notice.reference,),
            )
            row = cur.fetchone()
            if row is None:
                outcome = "unknown_reference"
            elif int(row[2]) != notice.amount_vnd:
                outcome = "amount_mismatch"
            elif row[4] == "paid":
                outcome = "already_paid"
            elif row[4] == "cancelled":
                outcome = "cancelled"
            else:
                outcome = "paid"
                # only a payment still open: a cancel that landed since the SELECT (another process) wins,
                # and the notice is then recorded as "cancelled" for the back office's refund list
                cur.execute(
                    "UPDATE payments SET status = 'paid', paid_at = ?, gateway_txn = ?, updated_at = ?"
                    " WHERE reference = ? AND status IN ('pending', 'cash_at_counter')",
                    (notice.paid_at.isoformat(), notice.txn_id, _now(), notice.reference),
                )
                cur.execute(
                    "SELECT status, gateway_txn FROM payments WHERE reference = ?", (notice.reference,)
                )
                applied = cur.fetchone()
                if applied is None or applied[0] != "paid" or applied[1] != notice.txn_id:
                    outcome = "cancelled"
            cur.execute(
                "INSERT INTO gateway_events(txn_id, reference, amount_vnd, received_at, outcome, body)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (notice.txn_id, notice.reference, notice.amount_vnd, _now(), outcome, body.decode()),
            )
        if outcome in ("unknown_reference", "amount_mismatch", "cancelled"):
            # recorded for reconciliation, but the gateway must know the payment was not applied
            raise ApiProblem(422, f"payment not applied: {outcome}")
        return {"txn_id": notice.txn_id, "outcome": outcome, "replayed": False}


# What a gateway notice that was not applied means for the citizen: the bank moved the money, the kiosk
# gave nothing for it (issue 25 walk W10). The back office lists these for a refund or the copy.
NOT_APPLIED = ("cancelled", "amount_mismatch", "unknown_reference")


def money_not_applied(db: BackendDB) -> list[dict[str, Any]]:
    """Every transfer the gateway confirmed that paid for nothing: a payment cancelled (the citizen left,
    or the kiosk reset) before the bank's notice, a wrong amount, or an unknown reference. Oldest first,
    with the payment's kiosk (None for an unknown reference) and when the kiosk gave it up."""
    with db._tx() as cur:
        for statement in _SCHEMA:
            cur.execute(statement)
        cur.execute(
            "SELECT g.txn_id, g.reference, g.amount_vnd, g.received_at, g.outcome,"
            " p.kiosk_id, p.amount_vnd, p.status, p.updated_at"
            " FROM gateway_events g LEFT JOIN payments p ON p.reference = g.reference"
            " WHERE g.outcome IN (?, ?, ?) ORDER BY g.received_at",
            NOT_APPLIED,
        )
        rows = cur.fetchall()
    return [
        {
            "txn_id": txn,
            "reference": reference,
            "amount_vnd": int(amount),
            "received_at": received,
            "outcome": outcome,
            "kiosk_id": kiosk,
            "opened_amount_vnd": int(opened) if opened is not None else None,
            "payment_status": status,
            "given_up_at": updated,
        }
        for txn, reference, amount, received, outcome, kiosk, opened, status, updated in rows
    ]


def payment_routes(db: BackendDB, guarded: Guard, kiosk_of: KioskOf) -> list[Route]:
    """The payment endpoints, wrapped in the backend's guard; ``kiosk_of`` names the client certificate."""
    book = PaymentBook.for_db(db)

    async def open_payment(request: Request) -> Response:
        kiosk = kiosk_of(request)
        body = parse_model(await read_body(request), PaymentOpen)
        status, payment = await run_in_threadpool(book.open, kiosk, body)
        return json_answer(payment, status)

    async def get_payment(request: Request) -> Response:
        kiosk = kiosk_of(request)
        return json_answer(await run_in_threadpool(book.get, kiosk, request.path_params["reference"]))

    def setting(status: str) -> Any:
        async def endpoint(request: Request) -> Response:
            kiosk = kiosk_of(request)
            reference = request.path_params["reference"]
            return json_answer(await run_in_threadpool(book.set_status, kiosk, reference, status))

        return endpoint

    async def gateway_notify(request: Request) -> Response:
        kiosk_of(request)  # the transport still needs a certificate of the city CA
        body = await read_body(request)
        result = await run_in_threadpool(book.notify, body, request.headers.get(SIGNATURE_HEADER, ""))
        return json_answer(result)

    base = f"{API_PREFIX}/payments"
    return [
        Route(base, guarded(answering(open_payment)), methods=["POST"]),
        Route(f"{base}/gateway/notify", guarded(answering(gateway_notify)), methods=["POST"]),
        Route(f"{base}/{{reference}}", guarded(answering(get_payment)), methods=["GET"]),
        Route(f"{base}/{{reference}}/cash", guarded(answering(setting("cash_at_counter"))), methods=["POST"]),
        Route(f"{base}/{{reference}}/cancel", guarded(answering(setting("cancelled"))), methods=["POST"]),
    ]
