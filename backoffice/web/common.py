"""What every staff and public page shares: Jinja2 templates (autoescaped), the language, security
headers, bounded form bodies, the session cookie and the role check.

Issue 17's pages (/ops, retrieval) reuse ``Web``: ``web.user(request, roles)`` for a staff page,
``web.form(request)`` plus ``web.csrf_ok`` for a POST, ``web.render(...)`` for the answer. Every staff page
and staff JSON route is wrapped in ``staff_only``, which turns that role check and any error into the answer.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from backoffice.api.kiosk_app import HttpProblem, read_body
from backoffice.services import auth
from backoffice.storage.db import BackendDB
from backoffice.web.i18n import LANGS, translator

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).with_name("templates")
MAX_FORM_BYTES = 64 * 1024
LANG_COOKIE = "kb_lang"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class NeedLogin(Exception):
    """Raised by ``Web.user`` when there is no logged-in session: the page answers a redirect."""


class Forbidden(Exception):
    """The logged-in user's role may not do this."""


@dataclass
class Web:
    db: BackendDB
    secure_cookies: bool = True

    def __post_init__(self) -> None:
        self.env = Environment(
            loader=FileSystemLoader(str(TEMPLATES)),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )

    # --- language ---------------------------------------------------------------------------------

    def lang(self, request: Request) -> str:
        asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "vi"
        return asked if asked in LANGS else "vi"

    def render(
        self, request: Request, template: str, status: int = 200, *, lang: str | None = None, **ctx: Any
    ) -> HTMLResponse:
        lang = lang or self.lang(request)
        html = self.env.get_template(template).render(
            t=translator(lang), lang=lang, path=request.url.path, **ctx
        )
        response = HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)
        if request.query_params.get("lang") in LANGS:
            response.set_cookie(
                LANG_COOKIE, lang, max_age=365 * 86400, **auth.cookie_options(self.secure_cookies)
            )
        return response

    # --- sessions and roles -------------------------------------------------------------------------

    async def session(self, request: Request) -> auth.Session | None:
        return await run_in_threadpool(auth.load_session, self.db, request.cookies.get(auth.COOKIE))

    async def user(self, request: Request, roles: Sequence[str]) -> tuple[auth.Session, auth.User]:
        session = await self.session(request)
        if session is None or session.user is None:
            raise NeedLogin()
        if session.user.role not in roles:
            raise Forbidden()
        return session, session.user

    def set_session_cookie(self, response: Response, session: auth.Session) -> None:
        response.set_cookie(auth.COOKIE, session.id, **auth.cookie_options(self.secure_cookies))

    def login_redirect(self, request: Request) -> Response:
        return RedirectResponse("/login", status_code=303, headers=SECURITY_HEADERS)

    # --- forms --------------------------------------------------------------------------------------

    async def form(self, request: Request) -> dict[str, str]:
        """An urlencoded form body (at most 64 KiB), one value per field."""
        body = await read_body(request, MAX_FORM_BYTES)
        if not body:
            return {}
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/x-www-form-urlencoded":
            raise HttpProblem(415, "expected an application/x-www-form-urlencoded form")
        try:
            parsed = parse_qs(
                body.decode("utf-8"), keep_blank_values=True, max_num_fields=50, strict_parsing=False
            )
        except (UnicodeDecodeError, ValueError):
            raise HttpProblem(400, "the form is not valid UTF-8") from None
        return {key: values[0].replace("\x00", "") for key, values in parsed.items()}

    @staticmethod
    def csrf_ok(session: auth.Session | None, form: dict[str, str]) -> bool:
        return session is not None and session.csrf_ok(form.get("csrf_token"))


Handler = Callable[[Request], Awaitable[Response]]
MessagePage = Callable[[Request, int, str], Response]


def staff_only(
    web: Web,
    handler: Handler,
    *,
    area: str,
    api: bool = False,
    forbidden: str | Callable[[Request], str] = "a staff role is required",
    page: MessagePage | None = None,
) -> Handler:
    """The one wrapper of every staff page and staff JSON route (the console, /ops, /ops/uncollected).

    The handler's first line is the role check, ``web.user(request, roles)``: a handler without it is open to
    anyone. This turns what that check and the handler raise into the answer. No session: the login redirect
    (a JSON route: 401). The wrong role: 403 with ``forbidden`` (words, or a function of the request for
    translated ones). An ``HttpProblem``: its status and words. Any other error: logged under ``area``, then
    503 "temporarily unavailable", never a trace. A page's message is ``page(request, status, words)``,
    by default ``message.html``; a JSON route answers ``{"error": words}``.
    """

    def answer(request: Request, status: int, words: str) -> Response:
        if api:
            return JSONResponse({"error": words}, status_code=status, headers=SECURITY_HEADERS)
        if page is not None:
            return page(request, status, words)
        return web.render(request, "message.html", status, message=words)

    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except NeedLogin:
            if api:
                return JSONResponse({"error": "log in first"}, status_code=401, headers=SECURITY_HEADERS)
            return web.login_redirect(request)
        except Forbidden:
            return answer(request, 403, forbidden(request) if callable(forbidden) else forbidden)
        except HttpProblem as exc:
            return answer(request, exc.status, exc.error)
        except Exception:
            log.exception("%s error on %s %s", area, request.method, request.url.path)
            return answer(request, 503, "temporarily unavailable")

    return endpoint
