"""Attacks on retrieval with a secret and on the public status (a real public listener): guesses raced in
parallel past the per-code limit, unknown and known codes telling themselves apart, and status lookups
enumerated quickly (with or without a forged X-Forwarded-For)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backoffice.services.auth import audit_trail
from backoffice.web import retrieval
from backoffice.web.public import RateLimit
from backoffice.web.retrieval import GuardLimits
from tests.backoffice.city import CityOffice
from tests.backoffice.helpers import Kiosks
from tests.sync.helpers import Pki

LIMITS = GuardLimits(code_failures=3, shared_code_failures=100, code_lock_s=300, shared_code_lock_s=300)


@pytest.fixture
def city(pki: Pki, kiosks: Kiosks, tmp_path: Path) -> Iterator[CityOffice]:
    office = CityOffice(pki, kiosks, tmp_path / "backend", limits=LIMITS).start()
    yield office
    office.stop()


def test_parallel_guesses_do_not_pass_the_per_code_limit(city: CityOffice) -> None:
    code, secret = city.issue_with_secret()
    guesses = 16
    start = threading.Barrier(guesses)
    statuses: list[int] = []

    def guess(i: int) -> None:
        with httpx.Client(base_url=city.public_url, timeout=60) as client:
            start.wait()
            statuses.append(client.post("/r", data={"code": code, "secret": f"AAAAA-{i:05d}"}).status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(guesses)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert city.db is not None
    checked = [e for e in audit_trail(city.db, code) if e["detail"] == "wrong secret"]
    assert len(checked) <= LIMITS.code_failures, (
        f"{len(checked)} secrets were checked, not {LIMITS.code_failures}"
    )
    right = httpx.post(f"{city.public_url}/r", data={"code": code, "secret": secret})
    assert right.status_code == 429 and not right.content.startswith(b"%PDF")


def test_an_unknown_code_answers_like_a_wrong_secret(
    city: CityOffice, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _secret = city.issue_with_secret()
    unknown = code[:-3] + ("AAA" if not code.endswith("AAA") else "BBB")
    work: list[str] = []
    real = retrieval.verify_retrieval_secret

    def counting(typed: str, c: str, stored: str) -> bool:
        work.append(c)
        return real(typed, c, stored)

    monkeypatch.setattr(retrieval, "verify_retrieval_secret", counting)
    answers = {}
    for c in (code, unknown):
        work.clear()
        answer = httpx.post(f"{city.public_url}/r", data={"code": c, "secret": "AAAAA-AAAAA"})
        answers[c] = (answer.status_code, answer.text.replace(c, "CODE"))
        assert len(work) == 1, c  # the same scrypt work for both (no timing oracle)
    assert answers[code] == answers[unknown]
    # the form page for a code does not say whether it exists either
    known_form = httpx.get(f"{city.public_url}/r/{code}").text.replace(code, "CODE")
    assert known_form == httpx.get(f"{city.public_url}/r/{unknown}").text.replace(unknown, "CODE")


def test_status_lookups_cannot_be_enumerated_quickly(pki: Pki, kiosks: Kiosks, tmp_path: Path) -> None:
    office = CityOffice(pki, kiosks, tmp_path / "b", rate=RateLimit(lookup_rate=0.1, lookup_burst=5)).start()
    try:
        with httpx.Client(base_url=office.public_url, timeout=30) as client:
            seen = []
            for i in range(12):
                path = "/api/public/copies/" if i % 2 else "/v/"
                forged = {"X-Forwarded-For": f"198.51.100.{i}", "X-Real-IP": f"198.51.100.{i}"}
                seen.append(client.get(f"{path}HN001-{i:06d}", headers=forged).status_code)
        assert seen.count(429) >= 6, seen  # one bucket for both routes, whatever the forwarded address
        assert all(s in (404, 429) for s in seen)
    finally:
        office.stop()
