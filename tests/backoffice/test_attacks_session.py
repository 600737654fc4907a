"""Attacks on staff authentication and sessions (OWASP ASVS V2/V3, the authentication and CSRF cheat
sheets), each against the real public listener: open redirects, login CSRF, fixation, logout, expiry,
password reset, lockout races and bypasses, user enumeration, and role confusion between officer, it and
admin."""

from __future__ import annotations

import re
import threading
import unicodedata
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from backoffice.services import auth
from backoffice.services.auth import LOCKOUT_AFTER, add_user, audit_trail
from tests.backoffice.attacks import anon, logged_in, login_page, page_csrf, try_login
from tests.backoffice.city import IT_USER, OFFICER_USER, CityOffice
from tests.backoffice.helpers import PASSWORD

EVIL = "https://evil.example/phish"


def test_login_never_redirects_off_site(city_office: CityOffice) -> None:
    # `next`, `return_to` and friends are not honoured: the landing page is fixed by the role.
    for target in (EVIL, "//evil.example", "/\\evil.example", "javascript:alert(1)"):
        client = anon(city_office, follow_redirects=False)
        token = login_page(client)
        answer = client.post(
            f"/login?next={target}&return_to={target}",
            data={"username": OFFICER_USER, "password": PASSWORD, "csrf_token": token, "next": target},
        )
        assert answer.status_code == 303 and answer.headers["location"] == "/console"
        again = client.get(f"/login?next={target}")  # already logged in
        assert again.headers["location"] == "/console"
        assert "evil" not in client.get(f"/logout?next={target}").headers.get("location", "")


def test_login_csrf_a_token_from_another_session_is_refused(city_office: CityOffice) -> None:
    # The attacker's own login form token, posted from the victim's browser (which has its own session).
    attacker = anon(city_office)
    attacker_token = login_page(attacker)
    victim = anon(city_office, follow_redirects=False)
    login_page(victim)
    forged = victim.post(
        "/login", data={"username": IT_USER, "password": PASSWORD, "csrf_token": attacker_token}
    )
    assert forged.status_code == 403
    assert victim.get("/ops").status_code == 303  # not logged in as the attacker's account
    # And without any session cookie at all (a cross-site form post the browser sends cookie-less).
    bare = anon(city_office, follow_redirects=False)
    answer = bare.post(
        "/login", data={"username": IT_USER, "password": PASSWORD, "csrf_token": attacker_token}
    )
    assert answer.status_code == 403


def test_session_cookie_flags_and_a_new_id_at_login(city_office: CityOffice) -> None:
    # CityOffice runs plain HTTP with Secure off; the flags that do not depend on TLS must hold.
    _client, answer = try_login(city_office)
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    assert "domain=" not in cookie  # host-only: a sibling subdomain cannot read or plant it


def test_logout_kills_the_session_on_the_server(city_office: CityOffice) -> None:
    client = logged_in(city_office)
    stolen = client.cookies["kb_session"]
    client.post("/logout", data={"csrf_token": page_csrf(client)})
    replay = anon(city_office, follow_redirects=False, cookies={"kb_session": stolen})
    assert replay.get("/console").status_code == 303  # the copied cookie is worth nothing now


def test_logout_csrf_a_forged_logout_changes_nothing(city_office: CityOffice) -> None:
    client = logged_in(city_office)
    forged = client.post("/logout", data={})
    assert forged.status_code == 403
    assert "kb_session" not in forged.headers.get("set-cookie", "")  # the cookie is not wiped either
    assert client.get("/console", follow_redirects=False).status_code == 200


def test_an_expired_session_is_refused(city_office: CityOffice) -> None:
    client = logged_in(city_office)
    assert city_office.db is not None
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    with city_office.db._tx() as cur:
        cur.execute("UPDATE sessions SET expires_at = ? WHERE username = ?", (past, OFFICER_USER))
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_a_password_reset_ends_the_accounts_sessions(city_office: CityOffice) -> None:
    client = logged_in(city_office)  # e.g. the attacker's session with a stolen password
    assert city_office.db is not None
    add_user(city_office.db, OFFICER_USER, "a brand new passphrase", "officer")
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_a_forged_or_guessed_session_cookie_is_refused(city_office: CityOffice) -> None:
    for value in ("' OR '1'='1", "x" * 500, "%00", "null", ""):
        client = anon(city_office, follow_redirects=False, cookies={"kb_session": value})
        assert client.get("/console").status_code == 303


def test_concurrent_wrong_passwords_still_lock_after_five(city_office: CityOffice) -> None:
    # A race: many guesses in flight at once all read "0 failures" before any is counted.
    guesses = 24
    clients = [anon(city_office, follow_redirects=False) for _ in range(guesses)]
    tokens = [login_page(c) for c in clients]
    statuses: list[int] = []
    start = threading.Barrier(guesses)

    def guess(i: int) -> None:
        start.wait()
        form = {"username": OFFICER_USER, "password": f"guess number {i}", "csrf_token": tokens[i]}
        statuses.append(clients[i].post("/login", data=form).status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(guesses)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert city_office.db is not None
    checked = [
        e
        for e in audit_trail(city_office.db)
        if e["actor"] == OFFICER_USER and e["action"] in ("login_failed", "login_locked")
    ]
    assert len(checked) <= LOCKOUT_AFTER, f"{len(checked)} passwords were tried, not at most {LOCKOUT_AFTER}"
    _client, right = try_login(city_office)
    assert right.status_code == 429  # locked: the right password does not get in either


def test_lockout_holds_across_case_unicode_and_forwarded_for_variants(city_office: CityOffice) -> None:
    for i in range(LOCKOUT_AFTER):
        try_login(city_office, password=f"wrong password {i}")
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in OFFICER_USER)
    assert unicodedata.normalize("NFKC", fullwidth) == OFFICER_USER
    for name in (OFFICER_USER, OFFICER_USER.upper(), OFFICER_USER.title(), f" {OFFICER_USER} ", fullwidth):
        _c, answer = try_login(city_office, username=name, **{"X-Forwarded-For": "203.0.113.9"})
        assert answer.status_code == 429, (name, answer.status_code)


def test_usernames_differing_only_in_case_are_one_account(city_office: CityOffice) -> None:
    assert city_office.db is not None
    add_user(city_office.db, OFFICER_USER.upper(), "the attacker's password", "admin")
    # The upper-case twin did not become a second account beside the officer's: it replaced it (one name).
    assert auth.get_user(city_office.db, OFFICER_USER) is not None
    with city_office.db._tx() as cur:
        cur.execute("SELECT COUNT(*) FROM users WHERE lower(username) = ?", (OFFICER_USER,))
        assert cur.fetchone()[0] == 1


def test_the_lockout_does_not_tell_which_accounts_exist(city_office: CityOffice) -> None:
    answers = {}
    for name in (OFFICER_USER, "no.such.user"):
        for i in range(LOCKOUT_AFTER):
            _c, answer = try_login(city_office, username=name, password=f"wrong password {i}")
        page = re.sub(r'name="csrf_token" value="[^"]+"', "", answer.text)  # each form has its own token
        answers[name] = (answer.status_code, page)
    assert answers[OFFICER_USER][0] == answers["no.such.user"][0] == 429
    assert answers[OFFICER_USER][1] == answers["no.such.user"][1]


def test_every_login_answer_costs_one_argon2_verification(
    city_office: CityOffice, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Timing-based enumeration: unknown user, wrong password and a locked account must all do the same work.
    calls: list[str] = []
    real = auth._hasher

    class Counting:
        def verify(self, hash_: str, password: str) -> bool:
            calls.append(password)
            return real.verify(hash_, password)

        def __getattr__(self, name: str) -> object:
            return getattr(real, name)

    monkeypatch.setattr(auth, "_hasher", Counting())
    assert city_office.db is not None
    db = city_office.db
    for name in ("no.such.user", OFFICER_USER):
        calls.clear()
        with pytest.raises(auth.LoginRefused):
            auth.authenticate(db, name, "wrong password!")
        assert len(calls) == 1, name
    for i in range(LOCKOUT_AFTER):
        with pytest.raises(auth.LoginRefused):
            auth.authenticate(db, IT_USER, f"wrong password {i}")
    calls.clear()
    with pytest.raises(auth.LoginRefused) as locked:
        auth.authenticate(db, IT_USER, PASSWORD)
    assert locked.value.locked_until is not None and len(calls) == 1


def test_roles_do_not_cross(city_office: CityOffice) -> None:
    code = city_office.upload_copy("HN-001")
    assert city_office.db is not None
    add_user(city_office.db, "root.admin", PASSWORD, "admin")
    it = logged_in(city_office, IT_USER)
    officer = logged_in(city_office, OFFICER_USER)
    admin = logged_in(city_office, "root.admin")
    # central IT: no citizen's copy, no post-check
    for path in ("/console", f"/console/copies/{code}", f"/console/copies/{code}/pdf"):
        assert it.get(path).status_code == 403, path
    token = page_csrf(it, "/ops")
    for action in ("approve", "revoke"):
        answer = it.post(f"/console/copies/{code}/{action}", data={"csrf_token": token, "reason": "x"})
        assert answer.status_code == 403
    # a judicial officer: no operations dashboard
    for path in ("/ops", "/ops/logs", "/ops/kpis.csv", "/api/ops/fleet", "/api/ops/logs"):
        assert officer.get(path).status_code == 403, path
    # admin reviews but never signs in an officer's name
    token = page_csrf(admin, f"/console/copies/{code}")
    assert admin.post(f"/console/copies/{code}/approve", data={"csrf_token": token}).status_code == 403
    public = httpx.get(f"{city_office.public_url}/api/public/copies/{code}").json()
    assert public["status"] == "issued"
    # the mTLS listener serves no staff page: a kiosk certificate is never a staff login
    with city_office.kiosk("HN-001") as kiosk:
        for path in ("/console", "/ops", "/login", "/api/ops/fleet"):
            assert kiosk.get(path).status_code == 404, path


def test_csrf_token_of_another_session_does_not_approve_or_revoke(city_office: CityOffice) -> None:
    code = city_office.upload_copy("HN-001")
    officer = logged_in(city_office)
    it = logged_in(city_office, IT_USER)
    foreign = page_csrf(it, "/ops")
    stale = login_page(anon(city_office))
    for token in (foreign, stale, "", "A" * 43):
        answer = officer.post(
            f"/console/copies/{code}/revoke", data={"csrf_token": token, "reason": "forged"}
        )
        assert answer.status_code == 403
    # a JSON or multipart body with a good token is not a form either: 415, nothing changes
    good = page_csrf(officer)
    assert officer.post(
        f"/console/copies/{code}/revoke", json={"csrf_token": good, "reason": "x"}
    ).status_code in (403, 415)
    assert httpx.get(f"{city_office.public_url}/api/public/copies/{code}").json()["status"] == "issued"
