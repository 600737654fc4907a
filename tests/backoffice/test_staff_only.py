"""``backoffice.web.common.staff_only``: the one wrapper of the staff pages and staff JSON routes (the
console, /ops, /ops/uncollected). A handler behind it, on a real database with real sessions: no session
is the login redirect (JSON: 401), the wrong role a 403 with its words, an HttpProblem its status, and any
other error a logged 503 with no trace in the answer."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from backoffice.api.kiosk_app import HttpProblem
from backoffice.services.auth import COOKIE, add_user, get_user, new_session
from backoffice.storage.db import BackendDB
from backoffice.web.common import Web, staff_only

ROLES = ("officer",)


@pytest.fixture
def web(tmp_path: Path) -> Iterator[Web]:
    db = BackendDB(str(tmp_path / "backend.sqlite3"), tmp_path / "blobs", data_key=os.urandom(32))
    add_user(db, "officer1", "a long enough password 1", "officer", "Lê Thị Lan", ward="Phường Cửa Nam")
    add_user(db, "it1", "a long enough password 2", "it", "Trần Văn Bình")
    yield Web(db, secure_cookies=False)
    db.close()


def app_with(web: Web, *, api: bool) -> Starlette:
    async def hello(request: Request) -> Response:
        _session, user = await web.user(request, ROLES)
        what = request.query_params.get("fail", "")
        if what == "problem":
            raise HttpProblem(409, "already decided")
        if what == "bug":
            raise RuntimeError("secret internals: /srv/kb/backend.sqlite3")
        return PlainTextResponse(f"hello {user.username}")

    def page(request: Request, status: int, words: str) -> Response:
        return PlainTextResponse(f"page {status}: {words}", status_code=status)

    forbidden = "officers only" if api else (lambda request: f"forbidden ({web.lang(request)})")
    wrapped = staff_only(
        web, hello, area="test-area", api=api, forbidden=forbidden, page=None if api else page
    )
    return Starlette(routes=[Route("/hello", wrapped)])


def session_of(web: Web, username: str) -> str:
    user = get_user(web.db, username)
    assert user is not None
    return new_session(web.db, user).id


def get(app: Starlette, path: str, session: str | None = None) -> httpx.Response:
    """One request to ``app`` in this process (httpx's ASGI transport), with the session cookie if given."""

    async def send() -> httpx.Response:
        cookies = {COOKIE: session} if session else None
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://city.test", cookies=cookies
        ) as client:
            return await client.get(path)

    return asyncio.run(send())


def test_a_staff_page_answers_each_failure_its_own_way(web: Web, caplog: pytest.LogCaptureFixture) -> None:
    app = app_with(web, api=False)
    anonymous = get(app, "/hello")
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login"
    wrong_role = get(app, "/hello?lang=en", session_of(web, "it1"))
    assert (wrong_role.status_code, wrong_role.text) == (403, "page 403: forbidden (en)")
    officer = session_of(web, "officer1")
    assert get(app, "/hello", officer).text == "hello officer1"
    problem = get(app, "/hello?fail=problem", officer)
    assert (problem.status_code, problem.text) == (409, "page 409: already decided")
    with caplog.at_level(logging.ERROR, logger="backoffice.web.common"):
        bug = get(app, "/hello?fail=bug", officer)
    assert (bug.status_code, bug.text) == (503, "page 503: temporarily unavailable")
    assert "secret internals" not in bug.text
    (record,) = [r for r in caplog.records if r.name == "backoffice.web.common"]
    assert "test-area error on GET /hello" in record.getMessage() and record.exc_info is not None


def test_a_staff_json_route_answers_json_and_never_redirects(web: Web) -> None:
    app = app_with(web, api=True)
    anonymous = get(app, "/hello")
    assert (anonymous.status_code, anonymous.json()) == (401, {"error": "log in first"})
    wrong_role = get(app, "/hello", session_of(web, "it1"))
    assert (wrong_role.status_code, wrong_role.json()) == (403, {"error": "officers only"})
    officer = session_of(web, "officer1")
    problem = get(app, "/hello?fail=problem", officer)
    assert (problem.status_code, problem.json()) == (409, {"error": "already decided"})
    bug = get(app, "/hello?fail=bug", officer)
    assert (bug.status_code, bug.json()) == (503, {"error": "temporarily unavailable"})
    assert bug.headers["x-content-type-options"] == "nosniff"


def test_the_default_page_is_the_message_template(web: Web) -> None:
    async def refuse(request: Request) -> Response:
        await web.user(request, ROLES)
        return PlainTextResponse("not reached")

    app = Starlette(routes=[Route("/x", staff_only(web, refuse, area="test", forbidden="403"))])
    answer = get(app, "/x", session_of(web, "it1"))
    assert answer.status_code == 403 and answer.headers["content-type"].startswith("text/html")
    assert "403" in answer.text and answer.headers["x-frame-options"] == "DENY"
