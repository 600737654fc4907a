"""Shared by the test_attacks_*.py files: the back office as an outside tester meets it (CityOffice: the
mTLS API, the public listener with the console, /ops and retrieval), and a staff client that logs in
through the real /login form."""

from __future__ import annotations

import re

import httpx

from tests.backoffice.city import OFFICER_USER, CityOffice, csrf_of
from tests.backoffice.helpers import PASSWORD

XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


def anon(office: CityOffice, **kw: object) -> httpx.Client:
    return httpx.Client(base_url=office.public_url, timeout=60, **kw)  # type: ignore[arg-type]


def login_page(client: httpx.Client) -> str:
    return csrf_of(client.get("/login").text)


def try_login(
    office: CityOffice, username: str = OFFICER_USER, password: str = PASSWORD, **headers: str
) -> tuple[httpx.Client, httpx.Response]:
    """A fresh client: the login form, then the POST. Returns the client (cookies kept) and the answer."""
    client = anon(office, follow_redirects=False)
    token = login_page(client)
    answer = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        headers=headers or None,
    )
    return client, answer


def logged_in(office: CityOffice, username: str = OFFICER_USER, password: str = PASSWORD) -> httpx.Client:
    client, answer = try_login(office, username, password)
    assert answer.status_code == 303, answer.text[:300]
    return client


def page_csrf(client: httpx.Client, path: str = "/console") -> str:
    return csrf_of(client.get(path).text)


def no_raw_markup(html: str) -> bool:
    """True when no injected tag survived unescaped."""
    return re.search(r"<script>alert|<img src=x|onerror=alert\(2\)>", html) is None
