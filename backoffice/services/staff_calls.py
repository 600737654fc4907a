"""Staff calls: a kiosk's "Trợ giúp / Gọi cán bộ" reaches the backend, where the fleet view lists it.

``POST /v1/staff-calls`` ``{call_id, reason, visit_ref}`` (idempotent by call_id) opens a call for the
kiosk of the client certificate; ``POST /v1/staff-calls/{call_id}/cancel`` (the citizen no longer needs
help) or ``/answer`` (a staff member is there) closes it; ``GET /v1/staff-calls?status=open`` lists calls,
newest first, the asking kiosk's own (the fleet's are on /ops). No personal data: the reason is a code,
the visit a reference.
"""

from __future__ import annotations

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

REASONS = (
    "citizen_request",
    "unsupported_document",
    "face_failures",
    "payment_cash",
    "device_fault",
    "out_of_service",
    "other",
)

_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS staff_calls (
        call_id TEXT PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        reason TEXT NOT NULL,
        visit_ref TEXT NOT NULL,
        status TEXT NOT NULL,
        raised_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS staff_calls_status ON staff_calls(status, raised_at)",
]
_COLUMNS = "call_id, kiosk_id, reason, visit_ref, status, raised_at, updated_at"


class StaffCallOpen(StrictBody):
    call_id: str = Field(pattern=r"^[A-Za-z0-9-]{8,64}$")
    reason: Literal[
        "citizen_request",
        "unsupported_document",
        "face_failures",
        "payment_cash",
        "device_fault",
        "out_of_service",
        "other",
    ]
    visit_ref: str = Field(default="", pattern=r"^[A-Z0-9]{0,25}$")


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _row(row: Any) -> dict[str, Any]:
    return dict(
        zip(
            ("call_id", "kiosk_id", "reason", "visit_ref", "status", "raised_at", "updated_at"),
            row,
            strict=True,
        )
    )


class StaffCallBook:
    def __init__(self, db: BackendDB) -> None:
        self.db = db
        with db._tx() as cur:
            for statement in _SCHEMA:
                cur.execute(statement)

    def raise_call(self, kiosk: str, call: StaffCallOpen) -> tuple[int, dict[str, Any]]:
        now = _now()
        raised = {
            "call_id": call.call_id,
            "kiosk_id": kiosk,
            "reason": call.reason,
            "visit_ref": call.visit_ref,
            "status": "open",
            "raised_at": now,
            "updated_at": now,
        }
        with self.db._tx() as cur:
            created, stored = cur.insert_once("staff_calls", "call_id", raised)
        found = _row(stored)
        if found["kiosk_id"] != kiosk:
            raise ApiProblem(409, "this call_id belongs to another kiosk")
        return (201 if created else 200), found

    def close_call(self, kiosk: str, call_id: str, status: str) -> dict[str, Any]:
        with self.db._tx() as cur:
            cur.execute(
                "SELECT call_id, kiosk_id, reason, visit_ref, status, raised_at, updated_at FROM staff_calls WHERE call_id = ?",
                (call_id,),
            )
            row = cur.fetchone()
            if row is None or row[1] != kiosk:
                raise ApiProblem(404, f"no staff call {call_id!r}")
            if row[4] == "open":
                cur.execute(
                    "UPDATE staff_calls SET status = ?, updated_at = ? WHERE call_id = ?",
                    (status, _now(), call_id),
                )
            cur.execute(
                "SELECT call_id, kiosk_id, reason, visit_ref, status, raised_at, updated_at FROM staff_calls WHERE call_id = ?",
                (call_id,),
            )
            return _row(cur.fetchone())

    def list_calls(
        self, status: str | None, limit: int = 200, *, kiosk: str | None = None
    ) -> list[dict[str, Any]]:
        """Calls, newest first; ``kiosk``: only that kiosk's (what a kiosk certificate may see)."""
        sql = f"SELECT {_COLUMNS} FROM staff_calls WHERE 1 = 1"  # noqa: S608 (fixed columns)
        params: list[Any] = []
        if status:
            sql += " AND status = ?"
            params.append(status)
        if kiosk is not None:
            sql += " AND kiosk_id = ?"
            params.append(kiosk)
        with self.db._tx() as cur:
            cur.execute(sql + " ORDER BY raised_at DESC LIMIT ?", (*params, limit))
            return [_row(r) for r in cur.fetchall()]


def staff_call_routes(db: BackendDB, guarded: Guard, kiosk_of: KioskOf) -> list[Route]:
    book = StaffCallBook(db)

    async def open_call(request: Request) -> Response:
        kiosk = kiosk_of(request)
        call = parse_model(await read_body(request), StaffCallOpen)
        status, found = await run_in_threadpool(book.raise_call, kiosk, call)
        return json_answer(found, status)

    def closing(status: str) -> Any:
        async def endpoint(request: Request) -> Response:
            kiosk = kiosk_of(request)
            call_id = request.path_params["call_id"]
            return json_answer(await run_in_threadpool(book.close_call, kiosk, call_id, status))

        return endpoint

    async def list_calls(request: Request) -> Response:
        # A kiosk sees its own calls only; the whole fleet's are central IT's, on /ops behind a staff login.
        kiosk = kiosk_of(request)
        status = request.query_params.get("status") or None
        if status not in (None, "open", "cancelled", "answered"):
            raise ApiProblem(400, "status must be open, cancelled or answered")
        calls = await run_in_threadpool(lambda: book.list_calls(status, kiosk=kiosk))
        return json_answer({"calls": calls})

    base = f"{API_PREFIX}/staff-calls"
    return [
        Route(base, guarded(answering(open_call)), methods=["POST"]),
        Route(base, guarded(answering(list_calls)), methods=["GET"]),
        Route(f"{base}/{{call_id}}/cancel", guarded(answering(closing("cancelled"))), methods=["POST"]),
        Route(f"{base}/{{call_id}}/answer", guarded(answering(closing("answered"))), methods=["POST"]),
    ]
