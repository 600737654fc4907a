"""Retrieval with a secret on the public listener (a real uvicorn on loopback, real signed copies): the
holder gets the PDF with code + secret; the code alone, a wrong secret, another copy's secret, or the stored
hash typed as the secret get nothing; wrong secrets lock the code and the address out, and are audited."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from backoffice.services.auth import audit_trail
from backoffice.web.retrieval import GuardLimits
from offline_sync.protocol.citizen import display_secret, new_retrieval_secret
from tests.backoffice.city import CityOffice
from tests.backoffice.helpers import Kiosks
from tests.sync.helpers import Pki

REPO = Path(__file__).resolve().parents[2]
LIMITS = GuardLimits(code_failures=3, shared_code_failures=8, code_lock_s=60, shared_code_lock_s=60)


@pytest.fixture
def city(pki: Pki, kiosks: Kiosks, tmp_path: Path) -> Iterator[CityOffice]:
    office = CityOffice(pki, kiosks, tmp_path / "backend", limits=LIMITS).start()
    yield office
    office.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_city(
    request: pytest.FixtureRequest, pki: Pki, kiosks: Kiosks, tmp_path: Path
) -> Iterator[CityOffice]:
    db_url = request.getfixturevalue("postgres").new_database() if request.param == "postgresql" else ""
    office = CityOffice(pki, kiosks, tmp_path / "backend", db_url=db_url, limits=LIMITS).start()
    yield office
    office.stop()


def post(city: CityOffice, code: str, secret: str, **kw: object) -> httpx.Response:
    return httpx.post(f"{city.public_url}/r", data={"code": code, "secret": secret}, timeout=60, **kw)  # type: ignore[arg-type]


def test_code_and_secret_give_the_pdf_and_nothing_else_does(any_city: CityOffice) -> None:
    city = any_city
    code, secret = city.issue_with_secret()
    other_code, other_secret = city.issue_with_secret()
    assert city.db is not None
    pdf = city.db.blobs.get(city.db.get_record(code)["pdf_sha256"])  # type: ignore[index]

    form = httpx.get(f"{city.public_url}/r/{code}", timeout=60)
    assert form.status_code == 200 and f'value="{code}"' in form.text
    assert "script-src 'self'" in form.headers["content-security-policy"]

    # As printed (with the hyphen, lower case): the PDF, as an attachment.
    granted = post(city, code.lower(), display_secret(secret).lower())
    assert granted.status_code == 200, granted.text[:300]
    assert granted.headers["content-type"] == "application/pdf"
    assert granted.content == pdf
    assert f'filename="{code}.pdf"' in granted.headers["content-disposition"]

    refusals = {
        "code alone": post(city, code, ""),
        "wrong secret": post(city, code, new_retrieval_secret()),
        "another copy's secret (IDOR)": post(city, code, other_secret),
    }
    for why, answer in refusals.items():
        assert answer.status_code == 403, why
        assert b"%PDF" not in answer.content, why
        assert "Mã bản sao hoặc mã bí mật không đúng" in answer.text, why
    # No GET variant hands out a PDF for a code.
    for path in (f"/r/{code}", f"/r/{code}/pdf", f"/r/{code}?secret={secret}"):
        answer = httpx.get(f"{city.public_url}{path}", timeout=60)
        assert b"%PDF" not in answer.content, path
    # The other holder still gets theirs (the lockout is per code).
    assert post(city, other_code, other_secret).status_code == 200

    trail = audit_trail(city.db, code)
    actions = [(row["action"], row["detail"]) for row in trail]
    assert ("copy.retrieved", "code and secret") in actions
    assert actions.count(("copy.retrieve_refused", "wrong secret")) == 3
    assert all(row["actor"] == "public:127.0.0.1" for row in trail)


def test_the_backend_keeps_only_a_salted_hash_and_the_hash_is_not_a_secret(city: CityOffice) -> None:
    code, secret = city.issue_with_secret()
    assert city.services is not None
    stored = city.services.retrieval.secret_hash(code)
    assert stored is not None and stored.startswith("scrypt$") and secret not in stored
    assert post(city, code, stored).status_code == 403
    assert post(city, code, stored.split("$")[-1][:10]).status_code == 403


def test_wrong_secrets_lock_the_code_even_for_the_right_secret_then_unlock(any_city: CityOffice) -> None:
    city = any_city
    code, secret = city.issue_with_secret()
    for _ in range(LIMITS.code_failures):
        assert post(city, code, new_retrieval_secret()).status_code == 403
    locked = post(city, code, secret)
    assert locked.status_code == 429
    assert 0 < int(locked.headers["retry-after"]) <= 60
    assert b"%PDF" not in locked.content
    assert city.db is not None
    assert ("copy.retrieve_refused", "locked out") in [
        (r["action"], r["detail"]) for r in audit_trail(city.db, code)
    ]
    # The lock ends: move it into the past (as time would) and the right secret works again.
    with city.db._tx() as cur:
        cur.execute("UPDATE retrieval_guard SET locked_until = 0 WHERE key LIKE ?", (f"code:{code}%",))
    assert post(city, code, secret).status_code == 200


def test_one_address_guessing_across_many_codes_does_not_lock_out_the_others_behind_it(
    city: CityOffice,
) -> None:
    """Issue 24: the city's proxy is one address for everyone. 20 wrong secrets from it (a guesser, or
    citizens mistyping) slow down only the codes guessed at, from that address; every other citizen behind
    the same address still gets their copy."""
    codes = [city.issue_with_secret()[0] for _ in range(3)]
    for n in range(20):
        post(city, codes[n % len(codes)], new_retrieval_secret())
    assert post(city, codes[0], new_retrieval_secret()).status_code == 429  # the guessed codes wait here
    for _ in range(3):
        code, secret = city.issue_with_secret()
        got = post(city, code, secret)  # another citizen, same address, right secret
        assert got.status_code == 200 and got.content.startswith(b"%PDF")


def test_wrong_secrets_from_elsewhere_do_not_lock_the_citizen_out(city: CityOffice) -> None:
    """Issue 24: six wrong secrets from an attacker's address do not lock the citizen's own retrieval."""
    code, secret = city.issue_with_secret()
    with httpx.Client(
        base_url=city.public_url, timeout=60, transport=httpx.HTTPTransport(local_address="127.0.0.2")
    ) as attacker:
        answers = [attacker.post("/r", data={"code": code, "secret": new_retrieval_secret()}).status_code
                   for _ in range(6)]  # fmt: skip
    assert answers[-1] == 429  # the attacker's address waits
    got = post(city, code, secret)  # the citizen, from their own address
    assert got.status_code == 200 and got.content.startswith(b"%PDF")


def test_a_guess_spread_over_many_addresses_still_meets_a_limit(city: CityOffice) -> None:
    """The per-code limit from everyone: more addresses do not give more guesses than it allows."""
    code, secret = city.issue_with_secret()
    seen = []
    for n in range(LIMITS.shared_code_failures + 2):
        with httpx.Client(
            base_url=city.public_url,
            timeout=60,
            transport=httpx.HTTPTransport(local_address=f"127.0.1.{n + 1}"),
        ) as guesser:
            seen.append(guesser.post("/r", data={"code": code, "secret": new_retrieval_secret()}).status_code)
    assert seen.count(403) == LIMITS.shared_code_failures and seen[-1] == 429
    assert post(city, code, secret).status_code == 429  # the code waits a while, for everyone


def test_a_forged_x_forwarded_for_does_not_escape_the_lockout(city: CityOffice) -> None:
    """No proxy is trusted by default: the header is ignored, so rotating it does not reset the counter."""
    code, secret = city.issue_with_secret()
    for n in range(LIMITS.code_failures):
        post(city, code, new_retrieval_secret(), headers={"X-Forwarded-For": f"203.0.113.{n + 1}"})
    assert post(city, code, secret, headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 429
    assert city.db is not None
    assert {row["actor"] for row in audit_trail(city.db, code)} == {"public:127.0.0.1"}


def test_malformed_input_is_refused_cleanly(city: CityOffice) -> None:
    code, _ = city.issue_with_secret()
    for data in ({"code": "'; DROP TABLE copies;--", "secret": "X"}, {"code": code, "secret": "A" * 5000}):
        answer = httpx.post(f"{city.public_url}/r", data=data, timeout=60)
        assert answer.status_code == 403
    assert httpx.post(f"{city.public_url}/r", json={"code": code}, timeout=60).status_code == 415
    xss = httpx.get(f"{city.public_url}/r/%3Cscript%3Ealert(1)%3C%2Fscript%3E", timeout=60)
    assert "<script>alert(1)" not in xss.text


def test_the_receipt_qr_opens_a_filled_form_and_the_browser_downloads_the_copy(
    city: CityOffice, tmp_path: Path
) -> None:
    """Headless Chromium opens the QR's URL (/r/CODE#s=SECRET): the page's own script copies the secret
    from the fragment (which no server or proxy ever sees) into the form and drops it from the address."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from offline_sync.protocol.citizen import retrieval_url
    from tests.backoffice.browser import chromium

    code, secret = city.issue_with_secret()
    assert city.db is not None
    pdf = city.db.blobs.get(city.db.get_record(code)["pdf_sha256"])  # type: ignore[index]
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with chromium(1000, 900, download_dir=downloads) as browser:
        d: Any = browser
        d.get(retrieval_url(city.public_url, code, secret))
        WebDriverWait(d, 30).until(ec.presence_of_element_located((By.ID, "retrieve-form")))
        WebDriverWait(d, 30).until(lambda drv: drv.find_element(By.ID, "secret").get_attribute("value"))
        assert d.find_element(By.ID, "secret").get_attribute("value") == secret
        assert d.find_element(By.ID, "code").get_attribute("value") == code
        assert "#" not in d.current_url  # the secret left the address bar
        if os.environ.get("KIOSK_SCREENSHOTS") == "1":
            d.save_screenshot(str(REPO / "docs" / "screenshots" / "retrieve-form.png"))
        d.find_element(By.ID, "download").click()
        target = downloads / f"{code}.pdf"
        WebDriverWait(d, 60).until(lambda _: target.exists() and target.stat().st_size == len(pdf or b""))
        assert target.read_bytes() == pdf
        # A wrong secret in the same form: the refusal page, no download.
        d.get(f"{city.public_url}/r/{code}")
        d.find_element(By.ID, "secret").send_keys(new_retrieval_secret())
        d.find_element(By.ID, "download").click()
        WebDriverWait(d, 30).until(ec.presence_of_element_located((By.ID, "message")))
        assert "không đúng" in d.find_element(By.ID, "message").text
    assert sorted(p.name for p in downloads.iterdir()) == [f"{code}.pdf"]
