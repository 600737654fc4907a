"""Issue 24: lockouts an attacker cannot turn against users. Staff logins are slowed per (account, client
address), the wait growing with each failure, so anonymous wrong passwords from elsewhere never lock the
real officer out; `serve` warns when X-Forwarded-For comes from a proxy it does not trust (then everyone
behind that proxy is one address), and a trusted proxy's header names the client."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from backoffice.server import BackgroundServer, make_public_server
from backoffice.services import auth
from tests.backoffice.city import IT_USER, OFFICER_USER, CityOffice, csrf_of
from tests.backoffice.helpers import PASSWORD
from tests.sync.helpers import free_port


def login_from(office: CityOffice, address: str, username: str, password: str) -> httpx.Response:
    with httpx.Client(
        base_url=office.public_url, timeout=60, transport=httpx.HTTPTransport(local_address=address)
    ) as client:
        page = client.get("/login")
        form = {"username": username, "password": password, "csrf_token": csrf_of(page.text)}
        return client.post("/login", data=form)


def test_anonymous_wrong_passwords_do_not_lock_the_officer_out(city_office: CityOffice) -> None:
    # The issue: four anonymous wrong passwords locked the real officer out for 15 minutes. Ten now.
    answers = [
        login_from(city_office, "127.0.0.2", OFFICER_USER, f"guess {i}!").status_code for i in range(10)
    ]
    assert answers[:4] == [401] * 4 and answers[-1] == 429  # the guesser's own address is slowed down
    assert login_from(city_office, "127.0.0.1", OFFICER_USER, PASSWORD).status_code == 303
    # ... and another guesser's address starts from nothing, for this account as for any other.
    assert login_from(city_office, "127.0.0.3", OFFICER_USER, "one more guess").status_code == 401


def test_the_slow_down_grows_with_each_failure_and_a_success_clears_it(city_office: CityOffice) -> None:
    db = city_office.db
    assert db is not None
    waits = []
    for _ in range(auth.LOCKOUT_AFTER + 3):
        with db._tx() as cur:  # time passes: whatever wait there was is over
            cur.execute("UPDATE login_throttle SET wait_until = NULL")
        before = datetime.now(UTC)
        with pytest.raises(auth.LoginRefused) as refused:
            auth.authenticate(db, IT_USER, "wrong password!", "192.0.2.10")
        until = refused.value.locked_until
        waits.append(0 if until is None else round((until - before).total_seconds()))
    assert waits[: auth.LOCKOUT_AFTER - 1] == [0] * (auth.LOCKOUT_AFTER - 1)
    grown = waits[auth.LOCKOUT_AFTER - 1 :]
    assert grown == sorted(grown) and grown[0] >= auth.SLOWDOWN_FIRST_S - 1 and grown[-1] > grown[0] * 4
    assert all(w <= auth.SLOWDOWN_MAX_S for w in grown)
    # While waiting, even the right password is refused (guessing meanwhile gains nothing) ...
    with pytest.raises(auth.LoginRefused) as waiting:
        auth.authenticate(db, IT_USER, PASSWORD, "192.0.2.10")
    assert waiting.value.locked_until is not None and waiting.value.locked_until > datetime.now(UTC)
    # ... from that address only; and once in, the address's count starts again.
    assert auth.authenticate(db, IT_USER, PASSWORD, "192.0.2.11").username == IT_USER
    with db._tx() as cur:
        cur.execute(
            "UPDATE login_throttle SET wait_until = ?", ((datetime.now(UTC) - timedelta(1)).isoformat(),)
        )
    assert auth.authenticate(db, IT_USER, PASSWORD, "192.0.2.10").username == IT_USER
    with pytest.raises(auth.LoginRefused) as fresh:
        auth.authenticate(db, IT_USER, "wrong again!", "192.0.2.10")
    assert fresh.value.locked_until is None


async def _whoami(request: Request) -> PlainTextResponse:
    return PlainTextResponse(request.client.host if request.client else "?")


@pytest.mark.parametrize("trusted", [(), ("127.0.0.1",), ("127.0.0.0/8",)])
def test_forwarded_for_from_an_untrusted_proxy_is_ignored_and_warned_about(
    caplog: pytest.LogCaptureFixture, trusted: tuple[str, ...]
) -> None:
    port = free_port()
    app = Starlette(routes=[Route("/who", _whoami)])
    server = BackgroundServer(make_public_server(app, port=port, trusted_proxies=trusted))
    with server, caplog.at_level(logging.WARNING, logger="backoffice.server"):
        plain = httpx.get(f"http://127.0.0.1:{port}/who", timeout=30)
        answers = [
            httpx.get(f"http://127.0.0.1:{port}/who", headers={"X-Forwarded-For": "203.0.113.7"}, timeout=30)
            for _ in range(3)
        ]
    warnings = [r.getMessage() for r in caplog.records if "X-Forwarded-For" in r.getMessage()]
    assert plain.text == "127.0.0.1"
    if trusted:
        assert [a.text for a in answers] == ["203.0.113.7"] * 3 and warnings == []
    else:
        assert [a.text for a in answers] == ["127.0.0.1"] * 3  # the header is not believed
        assert len(warnings) == 1  # once, not per request
        assert "--trusted-proxy 127.0.0.1" in warnings[0]
