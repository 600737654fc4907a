"""Paid copies a kiosk could not print (issue 25): the back office's list, with a reprint at no charge.

Each kiosk lists the paid copies it still owes in every heartbeat (``health["uncollected"]``, the shared
model offline_sync.protocol.uncollected); this page shows the newest list of every kiosk, with the copy's
type and pages from its synced record. The citizen collects the copy at the counter: staff print it from
the record's PDF (the console's download), at no charge, the fee having been paid at the kiosk; the kiosk's
technician can also print it there (maintenance), which takes it off the list.

``GET /ops/uncollected`` (HTML) and ``GET /api/ops/uncollected`` (JSON), behind the staff login: roles it,
admin and supervisor see every kiosk; an officer sees the kiosks the city assigned to their ward.

The same page lists the money the bank moved for nothing (issue 25 walk W10): a gateway notice for a payment
the kiosk had already cancelled (the citizen left, or the visit was reset, before the bank confirmed), a
wrong amount, or an unknown reference. The backend refuses to apply it (422), and it is shown here with the
reference, kiosk, amount and time, for a refund or the copy at the counter (``GET /api/ops/late-payments``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from backoffice.services.payments import money_not_applied
from backoffice.storage.db import BackendDB
from backoffice.web.common import SECURITY_HEADERS, Web, staff_only
from offline_sync.protocol.uncollected import parse_uncollected

ROLES = ("officer", "supervisor", "it", "admin")
VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")
TEXT = {
    "vi": {
        "title": "Bản sao đã thu phí, chưa in",
        "intro": "Ki-ốt đã thu phí nhưng máy in gặp sự cố. Công dân nhận bản sao tại quầy, không thu thêm phí.",
        "kiosk": "Ki-ốt",
        "code": "Mã bản sao",
        "reference": "Mã thanh toán",
        "doc": "Giấy tờ",
        "pages": "trang",
        "fee": "Phí đã nộp",
        "missing": "Chưa in",
        "since": "Từ lúc",
        "reprint": "In lại miễn phí (PDF)",
        "not_synced": "chưa đồng bộ",
        "none": "Không có bản sao nào chờ nhận.",
        "copy": "bản sao",
        "receipt": "biên nhận",
        "late_title": "Đã nhận tiền sau khi hủy: hoàn tiền hoặc cấp bản sao",
        "late_intro": "Ngân hàng đã chuyển tiền cho các giao dịch dưới đây nhưng ki-ốt đã hủy giao dịch (hoặc số tiền, mã không khớp). Công dân chưa nhận được gì: liên hệ để hoàn tiền hoặc cấp bản sao tại quầy.",
        "late_none": "Không có khoản tiền nào chờ hoàn hoặc cấp.",
        "received": "Ngân hàng báo lúc",
        "amount": "Số tiền",
        "why": "Lý do",
        "txn": "Mã giao dịch ngân hàng",
        "cancelled": "giao dịch đã hủy",
        "amount_mismatch": "sai số tiền",
        "unknown_reference": "không rõ mã thanh toán",
    },
    "en": {
        "title": "Paid copies not yet printed",
        "intro": "The kiosk took the fee but its printer failed. The citizen collects the copy at the counter, at no extra charge.",
        "kiosk": "Kiosk",
        "code": "Copy code",
        "reference": "Payment reference",
        "doc": "Document",
        "pages": "pages",
        "fee": "Fee paid",
        "missing": "Not printed",
        "since": "Since",
        "reprint": "Reprint at no charge (PDF)",
        "not_synced": "not synced yet",
        "none": "No copy is waiting to be collected.",
        "copy": "copy",
        "receipt": "receipt",
        "late_title": "Paid after cancel: refund or issue",
        "late_intro": "The bank moved the money for these payments, but the kiosk had cancelled them (or the amount or reference did not match). The citizen received nothing: refund them, or issue the copy at the counter.",
        "late_none": "No payment is waiting for a refund or the copy.",
        "received": "Bank notice at",
        "amount": "Amount",
        "why": "Why",
        "txn": "Bank transaction",
        "cancelled": "payment cancelled",
        "amount_mismatch": "wrong amount",
        "unknown_reference": "unknown reference",
    },
}


def uncollected_rows(db: BackendDB, *, ward: str | None = None) -> list[dict[str, Any]]:
    """Every kiosk's newest list of paid copies still to collect (`ward`: only that ward's kiosks)."""
    rows = []
    wards = db.kiosk_wards() if ward is not None else {}  # the city's assignment, not what a kiosk claims
    for kiosk in db.fleet():
        health = kiosk.get("health") or {}
        if ward is not None and wards.get(kiosk["kiosk_id"]) != ward:
            continue
        for item in parse_uncollected(health):
            with db._tx() as cur:
                cur.execute(
                    "SELECT doc_type, pages FROM records WHERE code = ? AND kiosk_id = ?",
                    (item.code, kiosk["kiosk_id"]),
                )
                record = cur.fetchone()
            rows.append(
                {
                    "kiosk_id": kiosk["kiosk_id"],
                    "code": item.code,
                    "payment_reference": item.payment_reference,
                    "amount_vnd": item.amount_vnd,
                    "copies": item.copies,
                    "missing": list(item.missing),
                    "since": item.since.isoformat(),
                    "doc_type": record[0] if record else None,
                    "pages": int(record[1]) if record else None,
                    "held": record is not None,  # the PDF is here: staff can print it
                }
            )
    return sorted(rows, key=lambda row: row["since"])


def late_payment_rows(db: BackendDB, *, ward: str | None = None) -> list[dict[str, Any]]:
    """The money the bank moved for nothing (`ward`: only that ward's kiosks; an unknown reference names
    no kiosk and is shown only to the roles that see every kiosk)."""
    rows = money_not_applied(db)
    if ward is None:
        return rows
    wards = db.kiosk_wards()
    return [row for row in rows if row["kiosk_id"] is not None and wards.get(row["kiosk_id"]) == ward]


def _vnd(amount: int) -> str:
    """An amount in dong as the page writes it: 12.000."""
    return f"{amount:,}".replace(",", ".")


def _local_time(text: str | None) -> str:
    if not text:
        return "—"
    try:
        return datetime.fromisoformat(text).astimezone(VIETNAM_TIME).strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return text[:16]


def uncollected_routes(web: Web) -> list[Route]:
    async def allowed(request: Request) -> tuple[Any, str | None]:
        _session, user = await web.user(request, ROLES)
        if getattr(user, "role", "") != "officer":
            return user, None
        return user, str(getattr(user, "ward", "") or "\x00")  # an officer with no ward sees no kiosk

    async def page(request: Request) -> Response:
        _user, ward = await allowed(request)
        lang = web.lang(request)
        text = TEXT["en" if lang == "en" else "vi"]
        rows = await run_in_threadpool(uncollected_rows, web.db, ward=ward)
        late = [
            {
                **row,
                "amount": _vnd(row["amount_vnd"]),
                "why": text.get(row["outcome"], row["outcome"]),
                "received": _local_time(row["received_at"]),
            }
            for row in await run_in_threadpool(late_payment_rows, web.db, ward=ward)
        ]
        shown = [
            {
                **row,
                "amount": _vnd(row["amount_vnd"]),
                "missing": ", ".join(text.get(m, m) for m in row["missing"]),
                "since": row["since"][:16].replace("T", " "),
            }
            for row in rows
        ]
        return web.render(request, "uncollected.html", rows=shown, late=late, text=text)

    def json_list(key: str, rows_of: Callable[..., list[dict[str, Any]]]) -> Callable[[Request], Any]:
        """An /api/ops list: the same login, role and ward scope as the page, the rows under ``key``."""

        async def handler(request: Request) -> Response:
            _user, ward = await allowed(request)
            rows = await run_in_threadpool(rows_of, web.db, ward=ward)
            return JSONResponse({key: rows}, headers=SECURITY_HEADERS)

        return staff_only(web, handler, area="uncollected", api=True)

    return [
        Route(
            "/ops/uncollected", staff_only(web, page, area="uncollected", forbidden="403"), methods=["GET"]
        ),
        Route("/api/ops/uncollected", json_list("uncollected", uncollected_rows), methods=["GET"]),
        Route("/api/ops/late-payments", json_list("late_payments", late_payment_rows), methods=["GET"]),
    ]
