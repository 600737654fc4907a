"""The operations dashboard for central IT, on the public listener behind the staff login (role `it`, or
`admin`): `/ops` (fleet, alerts, post-check deadlines per ward and day, KPIs with SVG charts, deliveries,
retrieval lockouts), `/ops/kpis.csv`, `/ops/logs` (search in the sync logs), `POST /ops/alerts/ack`
(acknowledge an alert: CSRF token, audited), and the same data as JSON under `/api/ops/` for scripts.
Every time is shown in Vietnam time, labelled GMT+7.

Without a session a page redirects to /login and an API call answers 401; another role gets 403. Every
string a kiosk sent (ward, software version, device detail, last error, log lines) reaches the page through
Jinja2's autoescaping or the SVG builder's escaping, and the CSV export neutralises formula cells.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from backoffice.api.kiosk_app import HttpProblem
from backoffice.services.fleet import AlertGone
from backoffice.services.operations import (
    GROUPS,
    LogQuery,
    kpi_csv,
    log_outcomes,
    parse_time,
    search_logs,
)
from backoffice.web.common import SECURITY_HEADERS, Web, staff_only
from backoffice.web.i18n import vietnam_time
from backoffice.web.ops_svg import bar_chart

if TYPE_CHECKING:
    from backoffice.services.wiring import CityServices

log = logging.getLogger(__name__)

OPS_ROLES = ("it", "admin")

TEXT = {
    "vi": {
        "title": "Điều hành hệ thống ki-ốt (CNTT thành phố)",
        "fleet": "Tình trạng ki-ốt",
        "alerts": "Cảnh báo",
        "no_alerts": "Không có cảnh báo.",
        "kpis": "Chỉ số theo",
        "day": "ngày",
        "ward": "phường/xã",
        "kiosk": "ki-ốt",
        "ward_day": "phường/xã và ngày",
        "from": "Từ",
        "to": "Đến",
        "show": "Xem",
        "csv": "Tải CSV",
        "logs": "Tra cứu nhật ký đồng bộ",
        "uncollected": "Đã thu phí, chưa giao: bản sao chờ nhận, tiền cần hoàn",
        "deliveries": "Thư điện tử gửi công dân",
        "locks": "Tra cứu bị khoá (nhập sai mã bí mật)",
        "version": "Phiên bản",
        "last_heartbeat": "Tín hiệu gần nhất (GMT+7)",
        "clock_offset": "Lệch đồng hồ (s)",
        "backlog": "Tồn đồng bộ",
        "dead_letters": "Thư chết",
        "kiosk_says": "ki-ốt báo",
        "ward_kiosk_says": "ki-ốt tự báo",
        "devices": "Thiết bị",
        "copies": "Bản sao",
        "pages": "Trang",
        "on_time": "Lượt ≤ 5 phút",
        "late": "Lượt > 5 phút",
        "median": "Trung vị lượt (s)",
        "rescans": "Quét lại/trang",
        "face_fail": "Lỗi khuôn mặt",
        "liveness_fail": "Lỗi liveness",
        "backlog_pc": "Chờ hậu kiểm",
        "revoked": "Thu hồi",
        "outcome": "Kết quả",
        "code": "Mã bản sao",
        "time": "Thời gian (GMT+7)",
        "search": "Tìm",
        "none": "Không có dữ liệu.",
        "state": "Trạng thái",
        "attempts": "Số lần gửi",
        "last_error": "Lỗi gần nhất",
        "sent_at": "Đã gửi lúc (GMT+7)",
        "chart_copies": "Bản sao đã cấp và tỉ lệ lượt ≤ 5 phút",
        "kind_device": "Thiết bị lỗi",
        "kind_backlog": "Tồn đồng bộ tăng",
        "kind_silent": "Ki-ốt im lặng",
        "kind_dead_letters": "Thư chết",
        "kind_clock": "Lệch đồng hồ > 60 s",
        "kind_staff_call": "Gọi cán bộ",
        "kind_overdue": "Quá hạn hậu kiểm",
        "kind_overdue_more": "Quá hạn hậu kiểm (còn nữa)",
        "back": "Về bảng điều hành",
        "total": "Tổng",
        "postcheck": "Hậu kiểm theo phường/xã và ngày (hạn: ngày làm việc, GMT+7)",
        "issued": "Đã cấp",
        "pc_on_time": "Hậu kiểm đúng hạn",
        "pc_late": "Hậu kiểm trễ hạn",
        "overdue_now": "Đang quá hạn",
        "awaiting": "Chờ, còn hạn",
        "ack": "Xác nhận đã biết",
        "acked": "Đã xác nhận",
        "view_logs": "Nhật ký",
        "now": "Lúc",
        "alert_gone": "Cảnh báo này không còn (đã hết hoặc đã thay đổi). Xem lại bảng điều hành.",
        "bad_csrf": "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Tải lại trang rồi thử lại.",
        "tech_detail": "Chi tiết kỹ thuật",
        "minutes": "{n} phút",
    },
    "en": {
        "title": "Kiosk fleet operations (city IT)",
        "fleet": "Fleet",
        "alerts": "Alerts",
        "no_alerts": "No alerts.",
        "kpis": "KPIs by",
        "day": "day",
        "ward": "ward",
        "kiosk": "kiosk",
        "ward_day": "ward and day",
        "from": "From",
        "to": "To",
        "show": "Show",
        "csv": "Download CSV",
        "logs": "Search the sync logs",
        "uncollected": "Paid, not delivered: copies to collect, money to refund",
        "deliveries": "E-mail to citizens",
        "locks": "Retrieval lockouts (wrong secrets)",
        "version": "Version",
        "last_heartbeat": "Last heartbeat (GMT+7)",
        "clock_offset": "Clock offset (s)",
        "backlog": "Backlog",
        "dead_letters": "Dead letters",
        "kiosk_says": "kiosk says",
        "ward_kiosk_says": "kiosk claims",
        "devices": "Devices",
        "copies": "Copies",
        "pages": "Pages",
        "on_time": "Visits ≤ 5 min",
        "late": "Visits > 5 min",
        "median": "Median visit (s)",
        "rescans": "Rescans/page",
        "face_fail": "Face failures",
        "liveness_fail": "Liveness failures",
        "backlog_pc": "Awaiting post-check",
        "revoked": "Revoked",
        "outcome": "Outcome",
        "code": "Copy code",
        "time": "Time (GMT+7)",
        "search": "Search",
        "none": "No data.",
        "state": "State",
        "attempts": "Attempts",
        "last_error": "Last error",
        "sent_at": "Sent at (GMT+7)",
        "chart_copies": "Copies issued and share of visits within 5 minutes",
        "kind_device": "Device in error",
        "kind_backlog": "Growing backlog",
        "kind_silent": "Silent kiosk",
        "kind_dead_letters": "Dead letters",
        "kind_clock": "Clock off by more than 60 s",
        "kind_staff_call": "Staff call",
        "kind_overdue": "Post-check overdue",
        "kind_overdue_more": "Post-check overdue (more)",
        "back": "Back to the dashboard",
        "total": "Total",
        "postcheck": "Post-check by ward and day (deadline in working days, GMT+7)",
        "issued": "Issued",
        "pc_on_time": "Post-checked on time",
        "pc_late": "Post-checked late",
        "overdue_now": "Overdue now",
        "awaiting": "Awaiting, in time",
        "ack": "Acknowledge",
        "acked": "Acknowledged",
        "view_logs": "Logs",
        "now": "At",
        "alert_gone": "This alert is no longer raised (it cleared or changed). See the dashboard again.",
        "bad_csrf": "The session expired or the form is not valid. Reload the page and try again.",
        "tech_detail": "Technical detail",
        "minutes": "{n} min",
    },
}


def _range(request: Request, services: CityServices) -> tuple[str, str]:
    default_from, default_to = services.kpis.window(services.ops.kpi_days)
    since = request.query_params.get("from") or default_from
    until = request.query_params.get("to") or default_to
    for value in (since, until):
        try:
            datetime.strptime(value, "%Y-%m-%d")
        except ValueError:
            raise HttpProblem(400, "from and to must be dates (YYYY-MM-DD)") from None
    return since, until


def _group(request: Request) -> str:
    by = request.query_params.get("by", "day")
    if by not in GROUPS:
        raise HttpProblem(400, f"by must be one of {', '.join(GROUPS)}")
    return by


def _log_query(request: Request) -> LogQuery:
    q = request.query_params
    try:
        since, until = parse_time(q.get("since", "")), parse_time(q.get("until", ""))
    except ValueError:
        raise HttpProblem(400, "since and until must be ISO dates or date-times") from None
    raw_limit = q.get("limit", "200")
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 5000:
        raise HttpProblem(400, "limit must be an integer from 1 to 5000")
    return LogQuery(
        kiosk=q.get("kiosk", "").strip()[:64],
        code=q.get("code", "").strip().upper()[:64],
        outcome=q.get("outcome", "").strip()[:32],
        since=since,
        until=until,
        limit=int(raw_limit),
    )


def ops_routes(web: Web, services: CityServices) -> list[Route]:
    db = web.db
    fleet = services.fleet

    def staff(fn: Any, *, api: bool = False) -> Any:
        async def checked(request: Request) -> Response:
            session, user = await web.user(request, OPS_ROLES)
            return await fn(request, session, user)

        def page(request: Request, status: int, words: str) -> Response:
            back = None if status == 403 else "/ops"  # a 403 here: /ops is not for this role
            return web.render(request, "message.html", status, message=words, back_url=back)

        forbidden = "the it role is required" if api else (lambda r: TEXT[web.lang(r)]["title"] + ": 403")
        return staff_only(web, checked, area="ops", api=api, forbidden=forbidden, page=page)

    def dashboard_data(by: str, since: str, until: str) -> dict[str, Any]:
        now = datetime.now(UTC)
        kiosks, alerts = fleet.health(now=now)
        return {
            "kiosks": kiosks,
            "alerts": alerts,
            "kpis": services.kpis.kpis(by, since, until, now=now),
            "totals": services.kpis.totals(since, until, now=now),
            "postcheck": services.kpis.kpis("ward_day", since, until, now=now),
            "deliveries": services.delivery.outcomes(limit=50),
            "delivery_counts": services.delivery.counts(),
            "locks": services.retrieval.guard_rows(50),
            "now": now.isoformat(timespec="seconds"),
        }

    async def dashboard(request: Request, session: Any, user: Any) -> Response:
        by, (since, until) = _group(request), _range(request, services)
        lang = web.lang(request)
        o = TEXT[lang]
        data = await run_in_threadpool(dashboard_data, by, since, until)
        rows = data["kpis"]
        chart = bar_chart(
            f"{o['chart_copies']} ({o[by]})",
            [str(r["group"]) or "—" for r in rows],
            [r["copies"] for r in rows],
            rates=[r["on_time_rate"] for r in rows],
            rate_label=o["on_time"],
            chart_id="chart-copies",
        )
        chart_failures = bar_chart(
            f"{o['rescans']} / {o['face_fail']} ({o[by]})",
            [str(r["group"]) or "—" for r in rows],
            [r["rescans_per_page"] or 0 for r in rows],
            rates=[r["face_failure_rate"] for r in rows],
            rate_label=o["face_fail"],
            chart_id="chart-quality",
        )
        return web.render(
            request,
            "ops.html",
            lang=lang,
            o=o,
            user=user,
            csrf=session.csrf,
            by=by,
            since=since,
            until=until,
            groups=GROUPS,
            chart=chart,
            chart_failures=chart_failures,
            vt=vietnam_time,
            **data,
        )

    async def acknowledge(request: Request, session: Any, user: Any) -> Response:
        """POST /ops/alerts/ack (key, csrf_token): the alert, acknowledged by this account now."""
        form = await web.form(request)
        o = TEXT[web.lang(request)]
        if not web.csrf_ok(session, form):
            return web.render(request, "message.html", 403, message=o["bad_csrf"], back_url="/ops")
        key = form.get("key", "")[:300]
        try:
            await run_in_threadpool(lambda: fleet.acknowledge(key, username=user.username))
        except AlertGone:
            return web.render(request, "message.html", 409, message=o["alert_gone"], back_url="/ops")
        return RedirectResponse("/ops#alerts", status_code=303, headers=SECURITY_HEADERS)

    async def kpis_csv(request: Request, session: Any, user: Any) -> Response:
        by, (since, until) = _group(request), _range(request, services)
        rows = await run_in_threadpool(services.kpis.kpis, by, since, until)
        headers = {
            **SECURITY_HEADERS,
            "Content-Disposition": f'attachment; filename="kpis-{by}-{since}-{until}.csv"',
        }
        return Response(kpi_csv(rows, by), media_type="text/csv; charset=utf-8", headers=headers)

    async def logs_page(request: Request, session: Any, user: Any) -> Response:
        query = _log_query(request)
        lang = web.lang(request)
        entries = await run_in_threadpool(search_logs, db, query)
        outcomes = await run_in_threadpool(log_outcomes, db)
        return web.render(
            request,
            "ops_logs.html",
            lang=lang,
            o=TEXT[lang],
            user=user,
            csrf=session.csrf,
            q=request.query_params,
            entries=entries,
            outcomes=outcomes,
            vt=vietnam_time,
        )

    async def fleet_json(request: Request, session: Any, user: Any) -> Response:
        kiosks, alerts = await run_in_threadpool(fleet.health)
        return JSONResponse({"kiosks": kiosks, "alerts": alerts}, headers=SECURITY_HEADERS)

    async def kpis_json(request: Request, session: Any, user: Any) -> Response:
        by, (since, until) = _group(request), _range(request, services)
        rows = await run_in_threadpool(services.kpis.kpis, by, since, until)
        return JSONResponse(
            {"by": by, "from": since, "to": until, "time_zone": "GMT+7", "kpis": rows},
            headers=SECURITY_HEADERS,
        )

    async def logs_json(request: Request, session: Any, user: Any) -> Response:
        entries = await run_in_threadpool(search_logs, db, _log_query(request))
        return JSONResponse({"entries": entries}, headers=SECURITY_HEADERS)

    return [
        Route("/ops", staff(dashboard), methods=["GET"]),
        Route("/ops/alerts/ack", staff(acknowledge), methods=["POST"]),
        Route("/ops/kpis.csv", staff(kpis_csv), methods=["GET"]),
        Route("/ops/logs", staff(logs_page), methods=["GET"]),
        Route("/api/ops/fleet", staff(fleet_json, api=True), methods=["GET"]),
        Route("/api/ops/kpis", staff(kpis_json, api=True), methods=["GET"]),
        Route("/api/ops/logs", staff(logs_json, api=True), methods=["GET"]),
    ]
