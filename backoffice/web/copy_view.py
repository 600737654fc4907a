"""The public view of one copy (issue 22): ``/v/{code}`` for a person, ``/api/public/copies/{code}`` for a
program, and the city's kiosk revocation list.

* Without the token: the status alone (``{code, status}``); the page says the QR's link opens the rest.
* With ``?t=TOKEN`` (the QR's link; programs may send the ``X-Copy-Token`` header instead): the status and
  the public revoke reason, the sealed fields, and the issued page images side by side (one column on a
  phone), in Vietnamese (default) or English (``&lang=en``). The JSON answer holds the facts a verifier
  compares with its QR (``access_tokens.copy_facts``).
* A copy whose seal the current kiosk revocation list voids (its kiosk's key revoked from a time at or
  before the copy's, ``access_tokens.seal_revocation``) reads NOT VALID (``seal_revoked``), with or without
  the token, even when it was stored before the revocation; the JSON answers carry ``"seal_revoked": true``.
* A wrong token is refused with 403 and nothing more; the throttle is ``access_tokens.TokenBook``.
* ``GET /api/public/kiosk-revocations``: the signed list of revoked kiosk seal keys (PEM CRL).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from backoffice.services.access_tokens import TOKEN_FORM, TokenBook, copy_facts, seal_revocation
from backoffice.services.kiosk_keys import current_revocations
from backoffice.services.postcheck import REVOKE_REASONS, public_status
from backoffice.web.common import SECURITY_HEADERS, Web
from backoffice.web.console import render_page_png
from offline_sync.protocol.errors import BackendError
from signing.seal_fields import field_label

PUBLIC_PREFIX = "/api/public"
TOKEN_HEADER = "x-copy-token"  # noqa: S105 - a header name, not a secret
PAGE_DPI = 100
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "title": "Kiểm tra bản sao chứng thực",
        "code": "Mã bản sao",
        "status": "Trạng thái",
        "st_issued": "HỢP LỆ · đã cấp, chờ hậu kiểm",
        "st_post_checked": "HỢP LỆ · đã hậu kiểm",
        "st_revoked": "ĐÃ THU HỒI",
        "st_seal_revoked": "KHÔNG HỢP LỆ · khóa ký của ki-ốt đã bị thu hồi",
        "seal_revoked": "Thành phố đã thu hồi khóa ký của ki-ốt cấp bản sao này: mọi dấu tạo từ thời điểm thu hồi"
        " trở đi đều vô hiệu, kể cả bản sao này. Đừng chấp nhận bản sao này.",
        "unknown": "KHÔNG HỢP LỆ · không có bản sao nào mang mã này",
        "need_token": "Quét mã QR in trên bản sao để xem nội dung đã được chứng thực và ảnh các trang.",
        "refused": "Đường dẫn không đúng: mã truy cập không khớp với bản sao này.",
        "locked": "Thử sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.",
        "reason": "Lý do thu hồi",
        "fields": "Nội dung được chứng thực",
        "compare": "So từng dòng dưới đây với tờ giấy trong tay. Bản sao chỉ hợp lệ khi mọi dòng giống nhau.",
        "issued_at": "Thời điểm cấp (UTC)",
        "kiosk": "Ki-ốt",
        "doc_type": "Loại giấy tờ",
        "pages": "Các trang đã cấp",
        "page": "Trang",
        "requester": "Người yêu cầu",
        "language": "English",
    },
    "en": {
        "title": "Check a certified copy",
        "code": "Copy code",
        "status": "Status",
        "st_issued": "VALID · issued, awaiting post-check",
        "st_post_checked": "VALID · post-checked",
        "st_revoked": "REVOKED",
        "st_seal_revoked": "NOT VALID · the kiosk's seal key was revoked",
        "seal_revoked": "The city revoked the seal key of the kiosk that issued this copy: every seal it made"
        " from the revocation time on is void, this copy's too. Do not accept it.",
        "unknown": "NOT VALID · no copy has this code",
        "need_token": "Scan the QR printed on the copy to see what was certified and the issued pages.",
        "refused": "Wrong link: the access token does not match this copy.",
        "locked": "Too many wrong attempts. Please try again in {minutes} min.",
        "reason": "Reason for revocation",
        "fields": "What was certified",
        "compare": "Compare every line below with the paper in your hand. The copy is valid only if all match.",
        "issued_at": "Issued (UTC)",
        "kiosk": "Kiosk",
        "doc_type": "Document type",
        "pages": "Issued pages",
        "page": "Page",
        "requester": "Requested by",
        "language": "Tiếng Việt",
    },
}

# Vietnamese labels of the sealed fields (English ones: signing.seal_fields.field_label).
FIELD_LABELS_VI = {
    "full_name": "Họ và tên",
    "date_of_birth": "Ngày sinh",
    "sex": "Giới tính",
    "place_of_birth": "Nơi sinh",
    "mother_name": "Họ tên mẹ",
    "father_name": "Họ tên cha",
    "document_number": "Số",
    "issue_date": "Ngày cấp/đăng ký",
    "id_number": "Số định danh",
    "ethnicity": "Dân tộc",
    "classification": "Xếp loại",
    "graduation_year": "Năm tốt nghiệp",
    "parcel_number": "Thửa đất số",
    "map_sheet": "Tờ bản đồ số",
    "area": "Diện tích",
    "address": "Địa chỉ",
    "husband_name": "Họ tên chồng",
    "wife_name": "Họ tên vợ",
    "permanent_address": "Nơi thường trú",
    "date_of_expiry": "Có giá trị đến",
    "issuing_authority": "Cơ quan cấp",
}

PUBLIC_CSS = """body{margin:0;font:17px/1.45 system-ui,sans-serif;color:#111;background:#f4f4f2}
main{max-width:1100px;margin:0 auto;padding:12px}
header{display:flex;justify-content:space-between;align-items:center;padding:8px 12px;background:#7a0d0d;color:#fff}
header a{color:#fff}
.verdict{font-size:1.9em;font-weight:800;margin:.4em 0;padding:.35em .5em;border-radius:6px}
.st-issued,.st-post_checked{background:#dff3e4;color:#0b5d1e}
.st-revoked,.st-unknown,.st-seal_revoked{background:#fbe1e1;color:#8b0000}
.mono{font-family:ui-monospace,monospace}
.side{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start}
.side>section{flex:1 1 320px;min-width:280px;background:#fff;border-radius:6px;padding:10px}
dl.fields dt{font-size:.85em;color:#555;margin-top:.5em}dl.fields dd{margin:0;font-size:1.25em;font-weight:700}
.pages img{width:100%;height:auto;border:1px solid #ccc;margin-bottom:10px}
.note{color:#444}.error{color:#8b0000;font-weight:700}
.v-valid{background:#dff3e4;color:#0b5d1e}.v-revoked,.v-not-valid{background:#fbe1e1;color:#8b0000}
button,label{font-size:1.05em;padding:.4em .6em}
"""


def _token(request: Request) -> str:
    return (request.query_params.get("t") or request.headers.get(TOKEN_HEADER) or "").strip()


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "?"


def field_rows(claims: Any, lang: str) -> list[dict[str, str]]:
    """The sealed fields as (label, value, page) rows in the page's language."""
    if claims is None:
        return []
    rows = []
    for name, value in dict(getattr(claims, "fields", {}) or {}).items():
        label = (
            FIELD_LABELS_VI.get(name, field_label(name).capitalize()) if lang == "vi" else field_label(name)
        )
        page = int(dict(getattr(claims, "field_pages", {}) or {}).get(name, 0))
        rows.append({"name": name, "label": label, "value": str(value), "page": str(page or "")})
    return rows


class PageCache:
    """Rendered page images, the most recent few in memory (never on disk)."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int]) -> bytes | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: tuple[str, int], png: bytes) -> None:
        with self._lock:
            self._items[key] = png
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def copy_view_routes(web: Web, book: TokenBook, *, revocation_list: Path | None = None) -> list[BaseRoute]:
    db = web.db
    pages = PageCache()
    no_store = {"Cache-Control": "no-store"}

    def code_of(request: Request) -> str | None:
        code = str(request.path_params["code"]).strip().upper()
        return code if _CODE.fullmatch(code) else None

    def seal_void(code: str) -> bool:
        """Whether the stored copy's seal is void under the current kiosk revocation list (issue 22): a copy
        stored before its kiosk's key was revoked, sealed after the key's void time."""
        return seal_revocation(book, code, current_revocations(db)) is not None

    async def attempt(request: Request, code: str, token: str) -> str:
        if not TOKEN_FORM.fullmatch(token):
            token = ""
        return await run_in_threadpool(book.attempt, code, token, client_ip(request))

    async def status_json(request: Request) -> Response:
        code = code_of(request)
        if code is None:
            return JSONResponse({"error": "not a copy code"}, status_code=400)
        token = _token(request)
        if not token:
            found = await run_in_threadpool(public_status, db, code)
            if found is None:
                return JSONResponse({"error": f"no copy with code {code}"}, status_code=404, headers=no_store)
            if await run_in_threadpool(seal_void, code):
                found = {**found, "seal_revoked": True}  # status-level: the copy is not valid
            return JSONResponse(found, headers=no_store)
        outcome = await attempt(request, code, token)
        if outcome.startswith("locked:"):
            seconds = outcome.split(":", 1)[1]
            return JSONResponse(
                {"error": "too many wrong tokens; try again later"},
                status_code=429,
                headers={**no_store, "Retry-After": seconds},
            )
        if outcome != "granted":
            return JSONResponse(
                {"error": "wrong access token for this code"}, status_code=403, headers=no_store
            )
        facts = await run_in_threadpool(copy_facts, book, code)
        if facts is None:  # granted means a stored record: the copy row is there too
            return JSONResponse({"error": f"no copy with code {code}"}, status_code=404, headers=no_store)
        if await run_in_threadpool(seal_void, code):
            facts = {**facts, "seal_revoked": True}
        return JSONResponse(facts, headers=no_store)

    async def view_page(request: Request) -> Response:
        lang = web.lang(request)
        text = TEXT[lang]
        code = code_of(request)
        token = _token(request)
        ctx: dict[str, Any] = {"tt": text, "code": code or "", "token": "", "message": ""}
        if code is None:
            return web.render(request, "public_copy.html", 404, lang=lang, copy_status="unknown", **ctx)
        status = await run_in_threadpool(public_status, db, code)
        state = status["status"] if status else "unknown"
        void: bool = status is not None and await run_in_threadpool(seal_void, code)
        if void:
            state = "seal_revoked"  # NOT VALID, whatever the copy's own status says
        if not token:
            return web.render(
                request, "public_copy.html", 200 if status else 404, lang=lang, copy_status=state, **ctx
            )
        outcome = await attempt(request, code, token)
        if outcome.startswith("locked:"):
            minutes = -(-int(outcome.split(":", 1)[1]) // 60)
            ctx["message"] = text["locked"].format(minutes=minutes)
            return web.render(request, "public_copy.html", 429, lang=lang, copy_status=state, **ctx)
        if outcome != "granted":
            ctx["message"] = text["refused"]
            return web.render(request, "public_copy.html", 403, lang=lang, copy_status=state, **ctx)
        facts = await run_in_threadpool(copy_facts, book, code)
        seal = await run_in_threadpool(book.seal, code)
        claims = seal.claims if seal else None
        reason = (facts or {}).get("revoked_reason")
        return web.render(
            request,
            "public_copy.html",
            200,
            lang=lang,
            copy_status=state,
            facts=facts,
            fields=field_rows(claims, lang),
            requester=getattr(claims, "holder_name", "") if claims else "",
            reason=REVOKE_REASONS[reason][lang] if reason in REVOKE_REASONS else "",
            page_numbers=list(range(1, int((facts or {}).get("pages") or 0) + 1)),
            **{**ctx, "token": token},
        )

    async def page_image(request: Request) -> Response:
        code = code_of(request)
        number = int(request.path_params["page"])
        token = _token(request)
        if code is None or not token:
            return JSONResponse({"error": "not found"}, status_code=404)
        outcome = await attempt(request, code, token)
        if outcome != "granted":
            return JSONResponse(
                {"error": "wrong access token"}, status_code=403 if outcome == "refused" else 429
            )
        found = await run_in_threadpool(db.get_record, code)
        if found is None or not 1 <= number <= int(found["pages"]):
            return JSONResponse({"error": "no such page"}, status_code=404)
        png = pages.get((code, number))
        if png is None:
            pdf = await run_in_threadpool(db.blobs.get, found["pdf_sha256"])
            if pdf is None:
                return JSONResponse({"error": "the copy's file is missing"}, status_code=404)
            try:
                png = await run_in_threadpool(render_page_png, pdf, number, PAGE_DPI)
            except BackendError as exc:
                return JSONResponse({"error": exc.message}, status_code=503)
            pages.put((code, number), png)
        return Response(
            png, media_type="image/png", headers={**SECURITY_HEADERS, "Cache-Control": "private, no-store"}
        )

    async def stylesheet(request: Request) -> Response:
        return Response(PUBLIC_CSS, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    async def kiosk_revocations(request: Request) -> Response:
        path = revocation_list
        data = await run_in_threadpool(path.read_bytes) if path is not None and path.is_file() else None
        if data is None:
            return JSONResponse({"error": "no kiosk revocation list is published"}, status_code=404)
        return Response(data, media_type="application/x-pem-file", headers={"Cache-Control": "max-age=300"})

    return [
        Route(PUBLIC_PREFIX + "/copies/{code}", status_json, methods=["GET"]),
        Route(PUBLIC_PREFIX + "/kiosk-revocations", kiosk_revocations, methods=["GET"]),
        Route("/v/{code}", view_page, methods=["GET"]),
        Route("/v/{code}/pages/{page:int}.png", page_image, methods=["GET"]),
        Route("/static/public.css", stylesheet, methods=["GET"]),
    ]
