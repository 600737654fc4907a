"""The console and the public listener over real HTTP, with OWASP cases: CSRF missing or wrong, session
fixation, lockout, roles, XSS in the reason and the fields, code enumeration; and the officer's approval
giving a file with two valid signatures (pyHanko, pdfsig, the kiosk's own verifier)."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import httpx
import pytest

from backoffice.services.auth import LOCKOUT_AFTER, add_user
from backoffice.web.public import RateLimit
from tests.backoffice.helpers import OFFICER, PASSWORD, BackOffice


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


class StaffClient(httpx.Client):
    """An HTTP client that keeps the session cookie although the test talks plain HTTP to 127.0.0.1
    (the cookie is Secure: a browser behind the city's TLS proxy sends it; httpx's jar would not)."""

    def __init__(self, office: BackOffice, **kw) -> None:
        self.kept: dict[str, str] = {}
        super().__init__(
            base_url=office.public_url,
            timeout=60,
            event_hooks={"request": [self._send], "response": [self._keep]},
            **kw,
        )

    def _send(self, request: httpx.Request) -> None:
        if self.kept:
            request.headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.kept.items())

    def _keep(self, response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0].strip('"')
            if value and "max-age=0" not in header.lower():
                self.kept[name] = value
            else:
                self.kept.pop(name, None)


def staff_client(office: BackOffice, **kw) -> StaffClient:
    return StaffClient(office, **kw)


def login(
    office: BackOffice, username: str = OFFICER, password: str = PASSWORD
) -> tuple[httpx.Client, httpx.Response]:
    client = staff_client(office, follow_redirects=False)
    page = client.get("/login")
    answer = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": _csrf(page.text)}
    )
    return client, answer


def test_login_rotates_the_session_and_needs_the_csrf_token(sqlite_office: BackOffice) -> None:
    office = sqlite_office
    office.add_officer()
    client = staff_client(office)
    page = client.get("/login")
    cookie = page.headers["set-cookie"]
    assert (
        "HttpOnly" in cookie
        and "Secure" in cookie
        and "SameSite=strict" in cookie.replace("Strict", "strict")
    )
    before = client.kept["kb_session"]
    # No token, then a wrong one: refused, not logged in.
    assert client.post("/login", data={"username": OFFICER, "password": PASSWORD}).status_code == 403
    token = _csrf(client.get("/login").text)
    wrong = client.post("/login", data={"username": OFFICER, "password": PASSWORD, "csrf_token": token + "x"})
    assert wrong.status_code == 403
    token = _csrf(client.get("/login").text)
    fixed = client.kept["kb_session"]
    ok = client.post("/login", data={"username": OFFICER, "password": PASSWORD, "csrf_token": token})
    assert ok.status_code == 303 and ok.headers["location"] == "/console"
    after = client.kept["kb_session"]
    assert after not in (before, fixed)  # a new session id at login: no fixation
    # The id an attacker planted before login is worth nothing afterwards.
    planted = httpx.Client(base_url=office.public_url, cookies={"kb_session": fixed}, timeout=60)
    assert planted.get("/console").status_code == 303
    assert client.get("/console").status_code == 200
    assert client.get("/console").headers.get("x-frame-options") == "DENY"
    # Logging out needs the token too, and ends the session.
    console = client.get("/console").text
    client.post("/logout", data={"csrf_token": _csrf(console)})
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_lockout_after_failed_logins(sqlite_office: BackOffice) -> None:
    office = sqlite_office
    office.add_officer()
    for _ in range(LOCKOUT_AFTER - 1):
        _client, answer = login(office, password="wrong password!")
        assert answer.status_code == 401
    _client, answer = login(office, password="wrong password!")
    assert answer.status_code == 429 and "khoá" in answer.text
    _client, answer = login(office)  # the right password, but the account is locked now
    assert answer.status_code == 429
    _client, unknown = login(office, username="nobody")
    assert unknown.status_code == 401  # an unknown user answers like a wrong password


def test_post_without_or_with_a_wrong_csrf_token_changes_nothing(sqlite_office: BackOffice) -> None:
    office = sqlite_office
    office.add_officer()
    code = office.upload_copy("HN-001")
    client, _ = login(office)
    assert client.post(f"/console/copies/{code}/revoke", data={"reason": "x"}).status_code == 403
    wrong = client.post(f"/console/copies/{code}/revoke", data={"reason": "x", "csrf_token": "forged"})
    assert wrong.status_code == 403
    assert client.post(f"/console/copies/{code}/approve", data={}).status_code == 403
    assert httpx.get(f"{office.public_url}/api/public/copies/{code}").json()["status"] == "issued"


def test_roles_it_cannot_post_check_and_anonymous_sees_nothing(sqlite_office: BackOffice) -> None:
    office = sqlite_office
    code = office.upload_copy("HN-001")
    assert office.db is not None
    add_user(office.db, "it.ops", PASSWORD, "it")
    anon = httpx.Client(base_url=office.public_url, timeout=60)
    for path in (
        "/console",
        f"/console/copies/{code}",
        f"/console/copies/{code}/pdf",
        f"/console/copies/{code}/pages/1.png",
    ):
        answer = anon.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/login", path
    client, answer = login(office, "it.ops")
    assert answer.status_code == 303
    assert client.get("/console").status_code == 403
    assert client.get(f"/console/copies/{code}/pdf").status_code == 403


def test_approve_gives_two_valid_signatures_and_revoke_escapes_the_reason(
    office: BackOffice, tmp_path: Path
) -> None:
    office.add_officer()
    first = office.upload_copy("HN-001", fields={"note": "<script>alert('field')</script>"})
    second = office.upload_copy("HN-001")
    client, _ = login(office)
    queue = client.get("/console").text
    assert queue.index(first) < queue.index(second)  # oldest first (issue 24)
    view = client.get(f"/console/copies/{first}")
    assert view.status_code == 200
    assert "<script>alert('field')</script>" not in view.text and "&lt;script&gt;" in view.text
    assert "001******234" in view.text and "001090001234" not in view.text  # masked ID
    assert "Content-Security-Policy" in view.headers
    image = client.get(f"/console/copies/{first}/pages/1.png")
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    answer = client.post(
        f"/console/copies/{first}/approve", data={"csrf_token": _csrf(view.text), "confirmed": "1"}
    )
    assert answer.status_code == 303, answer.text
    again = client.post(
        f"/console/copies/{first}/approve", data={"csrf_token": _csrf(view.text), "confirmed": "1"}
    )
    assert again.status_code == 409 and "post_checked" in again.text  # approved once, not twice
    assert client.get(f"/console/copies/{first}?msg=Call+0900+to+confirm").text.count("0900") == 0
    reason = "<img src=x onerror=alert(1)> ảnh trang 2 bị thay"
    view2 = client.get(f"/console/copies/{second}").text
    client.post(
        f"/console/copies/{second}/revoke",
        data={"csrf_token": _csrf(view2), "reason": reason, "reason_code": "other_reason", "confirmed": "1"},
    )

    public = httpx.Client(base_url=office.public_url, timeout=60)
    status1 = public.get(f"/api/public/copies/{first}").json()
    assert status1 == {"code": first, "status": "post_checked"}  # issue 22: the status alone
    status2 = public.get(f"/api/public/copies/{second}").json()
    assert status2 == {"code": second, "status": "revoked"}  # the officer's free text stays internal
    page = public.get(f"/v/{second}")
    assert "ĐÃ THU HỒI" in page.text and "<img src=x" not in page.text and "img src=x" not in page.text
    assert "đã hậu kiểm" in public.get(f"/v/{first}").text
    assert public.get("/v/HN001-999999-0").status_code == 404

    # The approved file: the kiosk's certification and the officer's approval, both valid.
    pdf = client.get(f"/console/copies/{first}/pdf").content
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from signing.trust import load_certs

    roots = load_certs(office.kiosks.root_cert)
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization

    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(r.public_bytes(serialization.Encoding.DER)) for r in roots]
    )
    signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    assert len(signatures) == 2
    for sig in signatures:
        status = validate_pdf_signature(sig, signer_validation_context=context)
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert "Nguyễn Thị Hoa" in signatures[1].signer_cert.subject.human_friendly
    path = tmp_path / "approved.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdfsig", str(path)], capture_output=True, text=True, timeout=60, check=False
    ).stdout
    assert out.count("Signature Validation: Signature is Valid.") == 2, out
    # The kiosk's own verifier (what `kiosk verify` runs) accepts the two-signature file.
    from backoffice.services.seals import load_trust
    from signing.verify import verify_pdf

    verdict = verify_pdf(pdf, load_trust([office.kiosks.root_cert]))
    kiosk_accepts = verdict.valid
    print("kiosk verify on the approved copy:", verdict.valid, verdict.reason_key, verdict.reason)
    assert kiosk_accepts, verdict.reason
    # The audit trail names who read the copy.
    from backoffice.services.auth import audit_trail

    assert office.db is not None
    actions = {(a["actor"], a["action"]) for a in audit_trail(office.db, first)}
    assert {(OFFICER, "view"), (OFFICER, "read_pdf"), (OFFICER, "approve")} <= actions


@pytest.mark.parametrize("path", ["/api/public/copies/HN001-{n:06d}-X", "/v/HN001-{n:06d}-X"])
def test_public_lookups_are_rate_limited_per_client(sqlite_office: BackOffice, path: str) -> None:
    office = sqlite_office
    office.stop()
    office.rate = RateLimit(lookup_rate=0.5, lookup_burst=10, page_rate=50, page_burst=100)
    office.start()
    codes = []
    with httpx.Client(base_url=office.public_url, timeout=30) as c:
        for n in range(40):
            # A forged X-Forwarded-For from a peer that is not a trusted proxy buys no fresh bucket.
            codes.append(c.get(path.format(n=n), headers={"X-Forwarded-For": f"10.0.0.{n}"}).status_code)
    assert codes[:10] == [404] * 10
    limited = [s for s in codes[10:] if s == 429]
    assert len(limited) >= 28  # enumeration runs at the refill rate, not at line speed
