"""The post-check console: staff log in, officers work through the queue of issued copies and approve
(their own PAdES signature, added by the backend through the officer's PKCS#11 key) or revoke them with a
reason from a fixed list and an internal note.

Made to be worked through fast (issue 24): the queue is oldest first with a count, paging and search by
code, and its filter travels in every link (Back, previous/next, the page after a decision); after each
decision the next copy in the same filter opens; j/k or the arrows move, ``a`` approves, ``r`` revokes,
``?`` shows the keys (static/console.js); approve and revoke each ask to confirm (a dialog; without script,
a confirmation page); batch approval signs N selected copies with one unlock of the officer's token.

Served on the public listener (staff use accounts, not certificates). Every page needs a session with the
right role; every POST needs the session's CSRF token; every read of a citizen's copy (its page, a page
image, the PDF) is written to the audit trail. Scripts come only from this server (CSP ``script-src
'self'``), never inline.
"""

from __future__ import annotations

import logging
import math
import re
import subprocess
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from backoffice.api.kiosk_app import HttpProblem, read_body
from backoffice.services import auth
from backoffice.services.postcheck import (
    MAX_BATCH,
    QUEUE_PAGE_SIZES,
    REVOKE_REASONS,
    ApprovalRefused,
    Approver,
    CopyNotFound,
    CopyStateError,
    Neighbours,
    QueueFilter,
    approve,
    approve_many,
    copy_pdf,
    copy_state,
    filter_choices,
    neighbours,
    queue_page,
    revoke,
)
from backoffice.services.risk import FLAGS
from backoffice.services.sealed_view import SealedCache
from backoffice.web.common import MAX_FORM_BYTES, SECURITY_HEADERS, TEMPLATES, Handler, Web, staff_only
from backoffice.web.console_views import (
    deadline_view,
    filter_from,
    filter_query,
    identity_view,
    is_overdue,
    mask_id,
    ocr_rows,
    requester_differs,
    sealed_disagreements,
    with_query,
)
from backoffice.web.i18n import Words, translator
from backoffice.web.retrieval import client_ip
from offline_sync.protocol.errors import BackendError

__all__ = ["console_routes", "mask_id", "render_page_png"]

log = logging.getLogger(__name__)

REVIEWERS = ("officer", "supervisor", "admin")
SIGNERS = ("officer", "supervisor")
PAGE_DPI = 80
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# The console's pages run one script of their own (console.js): keys, dialogs, batch selection.
CONSOLE_CSP = SECURITY_HEADERS["Content-Security-Policy"] + "; script-src 'self'"
STATIC = {"console.css": "text/css", "console.js": "text/javascript"}


# How long a copy an officer opened is skipped by the others' "next copy" (see OpenCopies).
CLAIM_S = 90.0
MAX_SKIPS = 20


class OpenCopies:
    """Which staff member last opened which copy, in this process (advisory: nothing is refused by it).
    Two officers working one queue would otherwise be sent to the same next copy after each decision and
    keep meeting on it (one signs, the other is told it was already done: measured in
    bench/postcheck_bench.py's "same" walk); the next copy offered skips one another officer opened in the
    last CLAIM_S seconds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._opened: dict[str, tuple[str, float]] = {}

    def claim(self, code: str, username: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._opened) > 10_000:
                self._opened = {c: v for c, v in self._opened.items() if now - v[1] < CLAIM_S}
            self._opened[code] = (username, now)

    def held_by_other(self, code: str, username: str) -> bool:
        with self._lock:
            held = self._opened.get(code)
        return held is not None and held[0] != username and time.monotonic() - held[1] < CLAIM_S


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
    sealed_cache = SealedCache()
    opened = OpenCopies()

    def around_for(f: QueueFilter, code: str, username: str) -> Neighbours:
        """The copy's neighbours, its next one skipping copies another officer has open (when every later
        copy is open elsewhere, the plain next one)."""
        around = neighbours(db, f, code)
        nxt, skips = around.next, 0
        while nxt is not None and opened.held_by_other(nxt, username) and skips < MAX_SKIPS:
            nxt, skips = neighbours(db, f, nxt).next, skips + 1
        return replace(around, next=nxt or around.next)

    def render(request: Request, template: str, status: int = 200, **ctx: Any) -> Response:
        response = web.render(request, template, status, **ctx)
        response.headers["Content-Security-Policy"] = CONSOLE_CSP
        return response

    def web_t(request: Request) -> Words:
        return translator(web.lang(request))

    def staff_page(fn: Handler) -> Handler:
        return staff_only(
            web,
            fn,
            area="console",
            forbidden=lambda request: web_t(request)["forbidden"],
            page=lambda request, status, words: render(request, "message.html", status, message=words),
        )

    # --- login ---------------------------------------------------------------------------------------

    async def login_form(request: Request) -> Response:
        session = await web.session(request)
        if session is not None and session.user is not None:
            return RedirectResponse("/console", status_code=303, headers=SECURITY_HEADERS)
        return await _login_page(request, None, 200)

    async def _login_page(request: Request, error: str | None, status: int) -> Response:
        # An anonymous session carries the login form's CSRF token; it is thrown away at login.
        session = await run_in_threadpool(auth.new_session, db, None)
        response = render(request, "login.html", status, csrf=session.csrf, error=error)
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
                auth.authenticate,
                db,
                form.get("username", "")[:64],
                form.get("password", "")[:1024],
                client_ip(request),
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
            return render(request, "message.html", 403, message=web_t(request)["csrf"])
        if session is not None:
            await run_in_threadpool(auth.end_session, db, session.id)
        response = RedirectResponse("/login", status_code=303, headers=SECURITY_HEADERS)
        response.delete_cookie(auth.COOKIE, path="/")
        return response

    # --- the queue -----------------------------------------------------------------------------------

    async def decided_note(request: Request, user: auth.User, t: Words) -> str:
        """'Approved X' after a decision, only when the database says this officer just decided X (the
        words never come from the URL: a crafted link cannot put a claim on the officer's screen)."""
        after = request.query_params.get("after", "")
        if not _CODE.fullmatch(after):
            return ""
        state = await run_in_threadpool(copy_state, db, after, user)
        if state is None:
            return ""
        if state["status"] == "post_checked" and state["post_checked_by"] == user.username:
            return t["done_approved"].format(code=after)
        if state["status"] == "revoked" and state["revoked_by"] == user.username:
            return t["done_revoked"].format(code=after)
        return ""

    async def queue_view(request: Request) -> Response:
        session, user = await web.user(request, REVIEWERS)
        t = web_t(request)
        f = replace(filter_from(request.query_params), scope=user)  # an officer's queue: their ward
        page = await run_in_threadpool(queue_page, db, f)
        choices = await run_in_threadpool(filter_choices, db, user)  # menus of what this user may see
        now = datetime.now(UTC)
        for item in page.items:
            item["overdue"] = is_overdue(item["due_at"], item["status"], now)
        f_now = replace(f, page=page.page)  # a page past the end showed the last one
        note = await decided_note(request, user, t)
        return render(
            request,
            "queue.html",
            page=page,
            f=f_now,
            fq=filter_query(f_now),
            page_query=lambda n: filter_query(f_now, page=n),
            choices=choices,
            flags=FLAGS,
            page_sizes=QUEUE_PAGE_SIZES,
            user=user,
            csrf=session.csrf,
            can_sign=user.role in SIGNERS and approver is not None,
            note=note,
            max_batch=MAX_BATCH,
        )

    # --- one copy ------------------------------------------------------------------------------------

    async def copy_page(request: Request) -> Response:
        session, user = await web.user(request, REVIEWERS)
        t = web_t(request)
        return await _render_copy(
            request, session, user, _code(request), note=await decided_note(request, user, t)
        )

    async def _sealed(code: str, body: dict[str, Any]) -> Any:
        sha = str(body.get("pdf_sha256") or "")
        return await run_in_threadpool(sealed_cache.get, sha, lambda: db.blobs.get(sha) if sha else None)

    async def _render_copy(
        request: Request,
        session: auth.Session,
        user: auth.User,
        code: str,
        *,
        message: str = "",
        note: str = "",
        status: int = 200,
    ) -> Response:
        # A message is never taken from the URL: a crafted link cannot put words on the officer's screen.
        state = await run_in_threadpool(copy_state, db, code, user)  # another ward's copy: not found
        body = await run_in_threadpool(db.record_body, code) if state else None
        if state is None or body is None:
            raise HttpProblem(404, web_t(request)["not_found"])
        await run_in_threadpool(auth.audit, db, user.username, "view", code)
        f = replace(filter_from(request.query_params), scope=user)
        opened.claim(code, user.username)
        around = await run_in_threadpool(around_for, f, code, user.username)
        sealed = await _sealed(code, body)
        rows, marks = ocr_rows(body, sealed)
        trail = await run_in_threadpool(auth.audit_trail, db, code, 20)
        fq = filter_query(f)
        lang = web.lang(request)
        return render(
            request,
            "copy.html",
            status,
            copy=state,
            deadline=deadline_view(state, datetime.now(UTC)),
            sealed=sealed,
            rows=rows,
            marks=marks,
            disagreements=sealed_disagreements(rows),
            low_words=body.get("ocr_low_words") or [],
            ocr_text=str(body.get("ocr_text") or "")[:20000],
            identity=identity_view(body),
            requester_differs=requester_differs(body, sealed),
            trail=trail,
            user=user,
            csrf=session.csrf,
            can_sign=user.role in SIGNERS and approver is not None,
            message=message,
            note=note,
            around=around,
            fq=fq,
            back_url=with_query("/console", fq),
            copy_url=lambda c: with_query(f"/console/copies/{c}", fq),
            reasons=[(key, labels.get(lang, labels["vi"])) for key, labels in REVOKE_REASONS.items()],
        )

    async def page_image(request: Request) -> Response:
        _session, user = await web.user(request, REVIEWERS)
        code = _code(request)
        page = int(request.path_params["page"])
        state = await run_in_threadpool(copy_state, db, code, user)
        if state is None or not 1 <= page <= int(state["pages"]):
            raise HttpProblem(404, "no such page")
        pdf = await run_in_threadpool(lambda: copy_pdf(db, code, actor=user.username, user=user))
        png = await run_in_threadpool(render_page_png, pdf, page)
        return Response(png, media_type="image/png", headers=SECURITY_HEADERS)

    async def pdf_download(request: Request) -> Response:
        _session, user = await web.user(request, REVIEWERS)
        code = _code(request)
        try:
            pdf = await run_in_threadpool(lambda: copy_pdf(db, code, actor=user.username, user=user))
        except CopyNotFound:
            raise HttpProblem(404, web_t(request)["not_found"]) from None
        headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{code}.pdf"'}
        return Response(pdf, media_type="application/pdf", headers=headers)

    # --- decisions -----------------------------------------------------------------------------------

    async def act(request: Request, action: str) -> Response:
        roles = SIGNERS if action == "approve" else REVIEWERS
        session, user = await web.user(request, roles)
        code = _code(request)
        form = await web.form(request)
        t = web_t(request)
        if not web.csrf_ok(session, form):
            return render(request, "message.html", 403, message=t["csrf"])
        reason_code = form.get("reason_code", "")
        if action == "revoke" and reason_code not in REVOKE_REASONS:
            return await _render_copy(request, session, user, code, message=t["reason_unknown"], status=400)
        if form.get("confirmed") != "1":  # no script, or a bare POST: ask once more, on a page of its own
            state = await run_in_threadpool(copy_state, db, code, user)
            if state is None:
                raise HttpProblem(404, t["not_found"])
            return render(
                request,
                "confirm.html",
                action=action,
                copy=state,
                form=form,
                fq=filter_query(filter_from(request.query_params)),
                reasons={k: v.get(web.lang(request), v["vi"]) for k, v in REVOKE_REASONS.items()},
                user=user,
                csrf=session.csrf,
            )
        message = ""
        try:
            if action == "approve":
                if approver is None:
                    raise CopyStateError("no officer key store is configured on this backend")
                await run_in_threadpool(
                    lambda: approve(
                        db,
                        code,
                        username=user.username,
                        full_name=user.full_name,
                        approver=approver,
                        user=user,
                    )
                )
            else:
                note = form.get("reason", "")[:500]
                await run_in_threadpool(
                    lambda: revoke(
                        db, code, username=user.username, reason=note, reason_code=reason_code, user=user
                    )
                )
        except CopyNotFound:
            raise HttpProblem(404, t["not_found"]) from None
        except ApprovalRefused as refused:  # its own plain words (already done by whom, token, ...)
            log.warning("approval of %s by %s refused: %s", code, user.username, refused.outcome)
            message = refused.text(web.lang(request))
        except BackendError as exc:
            log.warning("%s of %s by %s failed: %s", action, code, user.username, exc.message)
            message = await _refusal_words(code, t, action, user)
        if message:  # the same page, with what went wrong (no redirect that would carry the text)
            return await _render_copy(request, session, user, code, message=message, status=409)
        # The next copy of the same filter opens (the one that now sits where this one was).
        f = replace(filter_from(request.query_params), scope=user)
        around = await run_in_threadpool(around_for, f, code, user.username)
        if around.next:
            opened.claim(around.next, user.username)  # before the redirect: the other officer skips it now
        fq = filter_query(f)
        after = f"after={code}"
        target = (
            f"/console/copies/{around.next}?{fq + '&' if fq else ''}{after}"
            if around.next
            else f"/console?{fq + '&' if fq else ''}{after}"
        )
        return RedirectResponse(target, status_code=303, headers=SECURITY_HEADERS)

    async def _refusal_words(code: str, t: Words, action: str, user: auth.User) -> str:
        """What went wrong, in the officer's words: a copy someone already decided says so (with its state);
        anything else is "could not sign" / "not done", never an exception's English text."""
        state = await run_in_threadpool(copy_state, db, code, user)
        if (
            state is not None
            and state["status"] != "issued"
            and (action == "approve" or state["status"] == "revoked")
        ):
            return f"{t['res_already']}: {t.state(state['status'])}"
        return (
            t["approve_failed"].format(error=t["token_unavailable"])
            if action == "approve"
            else t["res_failed"]
        )

    async def approve_copy(request: Request) -> Response:
        return await act(request, "approve")

    async def revoke_copy(request: Request) -> Response:
        return await act(request, "revoke")

    async def batch_approve(request: Request) -> Response:
        session, user = await web.user(request, SIGNERS)
        t = web_t(request)
        form_pairs = await _form_multi(request)
        single = {k: v[0] for k, v in form_pairs.items()}
        if not web.csrf_ok(session, single):
            return render(request, "message.html", 403, message=t["csrf"])
        codes = list(dict.fromkeys(c for c in form_pairs.get("code", []) if _CODE.fullmatch(c)))
        fq = filter_query(filter_from(request.query_params))
        if not codes:
            return render(
                request, "message.html", 400, message=t["batch_none"], back_url=with_query("/console", fq)
            )
        if len(codes) > MAX_BATCH:
            return render(
                request,
                "message.html",
                400,
                message=t["batch_too_many"].format(n=MAX_BATCH),
                back_url=with_query("/console", fq),
            )
        if approver is None:
            return render(
                request, "message.html", 409, message=t["approve_failed"].format(error=t["res_failed"])
            )
        # One unlock of the officer's token: every copy is queued on its one signing session at once.
        results = await run_in_threadpool(lambda: approve_many(db, codes, user=user, approver=approver))
        await run_in_threadpool(auth.audit, db, user.username, "batch_approve", None, f"{len(codes)} copies")
        return render(
            request,
            "batch.html",
            results=results,
            signed=sum(1 for r in results if r.ok),
            user=user,
            csrf=session.csrf,
            back_url=with_query("/console", fq),
            fq=fq,
        )

    async def _form_multi(request: Request) -> dict[str, list[str]]:
        """The batch form: many ``code`` values (web.form keeps one value a field)."""
        raw = await read_body(request, MAX_FORM_BYTES)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if raw and kind != "application/x-www-form-urlencoded":
            raise HttpProblem(415, "expected an application/x-www-form-urlencoded form")
        try:
            parsed = parse_qs(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_BATCH + 10)
        except (UnicodeDecodeError, ValueError):
            raise HttpProblem(400, "the form is not valid UTF-8 or has too many fields") from None
        return {k: [v.replace("\x00", "") for v in vs] for k, vs in parsed.items()}

    # --- static --------------------------------------------------------------------------------------

    async def static_file(request: Request) -> Response:
        name = request.url.path.rsplit("/", 1)[-1]
        text = (TEMPLATES / name).read_text(encoding="utf-8")
        return Response(
            text,
            media_type=STATIC[name],
            headers={"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"},
        )

    async def home(request: Request) -> Response:
        return RedirectResponse("/console", status_code=303)

    return [
        Route("/", staff_page(home), methods=["GET"]),
        Route("/login", staff_page(login_form), methods=["GET"]),
        Route("/login", staff_page(login), methods=["POST"]),
        Route("/logout", staff_page(logout), methods=["POST"]),
        Route("/console", staff_page(queue_view), methods=["GET"]),
        Route("/console/batch-approve", staff_page(batch_approve), methods=["POST"]),
        Route("/console/copies/{code}", staff_page(copy_page), methods=["GET"]),
        Route("/console/copies/{code}/pages/{page:int}.png", staff_page(page_image), methods=["GET"]),
        Route("/console/copies/{code}/pdf", staff_page(pdf_download), methods=["GET"]),
        Route("/console/copies/{code}/approve", staff_page(approve_copy), methods=["POST"]),
        Route("/console/copies/{code}/revoke", staff_page(revoke_copy), methods=["POST"]),
        # one route per file: a /static/{name} pattern would swallow the other pages' /static/ files
        # (retrieval's retrieve.js, /check's check.js) mounted after the console
        *(Route(f"/static/{name}", static_file, methods=["GET"]) for name in STATIC),
    ]
