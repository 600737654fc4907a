"""The post-check console: staff log in, officers review issued copies and approve (their own PAdES
signature, added by the backend through the officer's PKCS#11 key) or revoke them with a reason.

Served on the public listener (staff use accounts, not certificates). Every page needs a session with the
right role; every POST needs the session's CSRF token; every read of a citizen's copy (its page, a page
image, the PDF) is written to the audit trail.
"""

from __future__ import annotations

import logging
import math
import re
import subprocess
from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from backoffice.api.kiosk_app import HttpProblem
from backoffice.services import auth
from backoffice.services.postcheck import (
    Approver,
    CopyNotFound,
    CopyStateError,
    QueueFilter,
    approve,
    copy_pdf,
    copy_state,
    filter_choices,
    queue,
    revoke,
)
from backoffice.services.risk import FLAGS
from backoffice.web.common import SECURITY_HEADERS, TEMPLATES, Forbidden, NeedLogin, Web
from offline_sync.protocol.errors import BackendError

log = logging.getLogger(__name__)

REVIEWERS = ("officer", "admin")
SIGNERS = ("officer",)
PAGE_DPI = 80
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def mask_id(value: str) -> str:
    """An ID number with all but the first three and last three characters hidden."""
    value = str(value or "")
    if len(value) <= 6:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 6) + value[-3:]


def render_page_png(pdf: bytes, page: int, dpi: int = PAGE_DPI) -> bytes:
    """One page of the PDF as PNG, by poppler's pdftoppm, from memory to memory (nothing on disk)."""
    try:
        done = subprocess.run(
            ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", "-"],
            input=pdf,
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BackendError(f"pdftoppm could not render the page: {exc}") from None
    if done.returncode != 0 or not done.stdout.startswith(b"\x89PNG"):
        raise BackendError("pdftoppm could not render the page")
    return done.stdout


def _code(request: Request) -> str:
    code = str(request.path_params["code"])
    if not _CODE.fullmatch(code):
        raise HttpProblem(404, "no such copy")
    return code


def console_routes(web: Web, approver: Approver | None) -> list[Route]:
    db = web.db

    def staff_page(fn: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            try:
                return await fn(request)
            except NeedLogin:
                return web.login_redirect(request)
            except Forbidden:
                return web.render(request, "message.html", 403, message=web_t(request)["forbidden"])
            except HttpProblem as exc:
                return web.render(request, "message.html", exc.status, message=exc.error)
            except Exception:
                log.exception("console error on %s %s", request.method, request.url.path)
                return web.render(request, "message.html", 503, message="temporarily unavailable")

        return endpoint

    def web_t(request: Request) -> dict[str, str]:
        from backoffice.web.i18n import translator

        return translator(web.lang(request))

    async def login_form(request: Request) -> Response:
        session = await web.session(request)
        if session is not None and session.user is not None:
            return RedirectResponse("/console", status_code=303, headers=SECURITY_HEADERS)
        return await _login_page(request, None, 200)

    async def _login_page(request: Request, error: str | None, status: int) -> Response:
        # An anonymous session carries the login form's CSRF token; it is thrown away at login.
        session = await run_in_threadpool(auth.new_session, db, None)
        response = web.render(request, "login.html", status, csrf=session.csrf, error=error)
        web.set_session_cookie(response, session)
        return response

    async def login(request: Request) -> Response:
        form = await web.form(request)
        t = web_t(request)
        anon = await web.session(request)
        if not web.csrf_ok(anon, form):
            return await _login_page(request, t["csrf"], 403)
        assert anon is not None
        try:
            user = await run_in_threadpool(
                auth.authenticate, db, form.get("username", "")[:64], form.get("password", "")[:1024]
            )
        except auth.LoginRefused as refused:
            if refused.locked_until is not None:
                left = (refused.locked_until - datetime.now(UTC)).total_seconds()
                error = t["login_locked"].format(minutes=max(1, math.ceil(left / 60)))
                return await _login_page(request, error, 429)
            return await _login_page(request, t["login_failed"], 401)
        await run_in_threadpool(auth.end_session, db, anon.id)  # no session fixation: a new id at login
        session = await run_in_threadpool(auth.new_session, db, user)
        await run_in_threadpool(auth.audit, db, user.username, "login")
        landing = "/ops" if user.role == "it" else "/console"  # central IT's page is the dashboard (issue 17)
        response = RedirectResponse(landing, status_code=303, headers=SECURITY_HEADERS)
        web.set_session_cookie(response, session)
        return response

    async def logout(request: Request) -> Response:
        form = await web.form(request)
        session = await web.session(request)
        if session is not None and not web.csrf_ok(session, form):
            # A forged logout (login CSRF's twin) neither ends the session nor wipes the cookie.
            return web.render(request, "message.html", 403, message=web_t(request)["csrf"])
        if session is not None:
            await run_in_threadpool(auth.end_session, db, session.id)
        response = RedirectResponse("/login", status_code=303, headers=SECURITY_HEADERS)
        response.delete_cookie(auth.COOKIE, path="/")
        return response

    async def queue_page(request: Request) -> Response:
        session, user = await web.user(request, REVIEWERS)
        q = request.query_params
        f = QueueFilter(
            kiosk=q.get("kiosk", "")[:64],
            ward=q.get("ward", "")[:100],
            doc_type=q.get("doc_type", "")[:64],
            flag=q.get("flag", "") if q.get("flag", "") in FLAGS else "",
            status=q.get("status", "issued"),
        )
        items = await run_in_threadpool(queue, db, f)
        choices = await run_in_threadpool(filter_choices, db)
        return web.render(
            request,
            "queue.html",
            items=items,
            f=f,
            choices=choices,
            flags=FLAGS,
            user=user,
            csrf=session.csrf,
        )

    async def copy_page(request: Request) -> Response:
        session, user = await web.user(request, REVIEWERS)
        return await _render_copy(request, session, user, _code(request))

    async def _render_copy(
        request: Request,
        session: auth.Session,
        user: auth.User,
        code: str,
        *,
        message: str = "",
        status: int = 200,
    ) -> Response:
        # A message is never taken from the URL: a crafted link cannot put words on the officer's screen.
        state = await run_in_threadpool(copy_state, db, code)
        body = await run_in_threadpool(db.record_body, code) if state else None
        if state is None or body is None:
            raise HttpProblem(404, web_t(request)["not_found"])
        await run_in_threadpool(auth.audit, db, user.username, "view", code)
        identity = {
            "holder_id": mask_id(body.get("holder_id", "")),
            "holder_name": body.get("holder_name", ""),
            "face_match": body.get("face_match"),
            "face_distance": body.get("face_distance"),
            "liveness": body.get("liveness", ""),
            "identity_source": body.get("identity_source"),
        }
        trail = await run_in_threadpool(auth.audit_trail, db, code, 20)
        return web.render(
            request,
            "copy.html",
            status,
            copy=state,
            fields=body.get("fields") or {},
            ocr_text=str(body.get("ocr_text") or "")[:20000],
            identity=identity,
            trail=trail,
            user=user,
            csrf=session.csrf,
            can_sign=user.role in SIGNERS and approver is not None,
            message=message,
        )

    async def page_image(request: Request) -> Response:
        _session, user = await web.user(request, REVIEWERS)
        code = _code(request)
        page = int(request.path_params["page"])
        state = await run_in_threadpool(copy_state, db, code)
        if state is None or not 1 <= page <= int(state["pages"]):
            raise HttpProblem(404, "no such page")
        pdf = await run_in_threadpool(copy_pdf, db, code, actor=user.username)
        png = await run_in_threadpool(render_page_png, pdf, page)
        return Response(png, media_type="image/png", headers=SECURITY_HEADERS)

    async def pdf_download(request: Request) -> Response:
        _session, user = await web.user(request, REVIEWERS)
        code = _code(request)
        try:
            pdf = await run_in_threadpool(copy_pdf, db, code, actor=user.username)
        except CopyNotFound:
            raise HttpProblem(404, web_t(request)["not_found"]) from None
        headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{code}.pdf"'}
        return Response(pdf, media_type="application/pdf", headers=headers)

    async def act(request: Request, action: str) -> Response:
        roles = SIGNERS if action == "approve" else REVIEWERS
        session, user = await web.user(request, roles)
        code = _code(request)
        form = await web.form(request)
        t = web_t(request)
        if not web.csrf_ok(session, form):
            return web.render(request, "message.html", 403, message=t["csrf"])
        message = ""
        try:
            if action == "approve":
                if approver is None:
                    raise CopyStateError("no officer key store is configured on this backend")
                await run_in_threadpool(
                    lambda: approve(
                        db, code, username=user.username, full_name=user.full_name, approver=approver
                    )
                )
            else:
                reason = form.get("reason", "")
                if not reason.strip():
                    message = t["reason_needed"]
                else:
                    await run_in_threadpool(lambda: revoke(db, code, username=user.username, reason=reason))
        except CopyNotFound:
            raise HttpProblem(404, t["not_found"]) from None
        except BackendError as exc:
            log.warning("%s of %s by %s failed: %s", action, code, user.username, exc.message)
            message = t["approve_failed"].format(error=exc.message) if action == "approve" else exc.message
        if message:  # the same page, with what went wrong (no redirect that would carry the text)
            return await _render_copy(request, session, user, code, message=message, status=409)
        return RedirectResponse(f"/console/copies/{code}", status_code=303, headers=SECURITY_HEADERS)

    async def approve_copy(request: Request) -> Response:
        return await act(request, "approve")

    async def revoke_copy(request: Request) -> Response:
        return await act(request, "revoke")

    async def stylesheet(request: Request) -> Response:
        css = (TEMPLATES / "console.css").read_text(encoding="utf-8")
        return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    async def home(request: Request) -> Response:
        return RedirectResponse("/console", status_code=303)

    return [
        Route("/", staff_page(home), methods=["GET"]),
        Route("/login", staff_page(login_form), methods=["GET"]),
        Route("/login", staff_page(login), methods=["POST"]),
        Route("/logout", staff_page(logout), methods=["POST"]),
        Route("/console", staff_page(queue_page), methods=["GET"]),
        Route("/console/copies/{code}", staff_page(copy_page), methods=["GET"]),
        Route("/console/copies/{code}/pages/{page:int}.png", staff_page(page_image), methods=["GET"]),
        Route("/console/copies/{code}/pdf", staff_page(pdf_download), methods=["GET"]),
        Route("/console/copies/{code}/approve", staff_page(approve_copy), methods=["POST"]),
        Route("/console/copies/{code}/revoke", staff_page(revoke_copy), methods=["POST"]),
        Route("/static/console.css", stylesheet, methods=["GET"]),
    ]
