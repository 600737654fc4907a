"""Issue 22, the public side of a copy: without its token the public learns the status alone; the token
(only its hash is stored) opens the facts, the sealed fields and the issued pages; wrong tokens are
throttled per (code, address) and per code, never per address alone, and audited; the revoke reason the public reads
is a fixed key, never the officer's words; a sweep over the sequential codes is throttled."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backoffice.services.access_tokens import TokenLimits
from backoffice.services.auth import add_user, audit_trail
from backoffice.services.postcheck import REVOKE_REASONS, CopyStateError, copy_state, revoke
from backoffice.web.public import RateLimit
from signing.seal_qr import seal_digest
from tests.backoffice.helpers import PASSWORD, Kiosks
from tests.backoffice.online_city import BIRTH_FIELDS, OnlineCity
from tests.sync.helpers import Pki

FACT_KEYS = {
    "code",
    "status",
    "kiosk_id",
    "issued_at",
    "doc_type",
    "pages",
    "seal_digest",
    "revoked_reason",
    "revoked_reason_label",
}


@pytest.fixture
def city(pki: Pki, kiosks: Kiosks, tmp_path: Path) -> Iterator[OnlineCity]:
    office = OnlineCity(pki, kiosks, tmp_path / "backend", token_limits=TokenLimits(per_client=3)).start()
    yield office
    office.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_city(
    request: pytest.FixtureRequest, pki: Pki, kiosks: Kiosks, tmp_path: Path
) -> Iterator[OnlineCity]:
    db_url = request.getfixturevalue("postgres").new_database() if request.param == "postgresql" else ""
    office = OnlineCity(pki, kiosks, tmp_path / "backend", db_url=db_url).start()
    yield office
    office.stop()


def public(office: OnlineCity) -> httpx.Client:
    return httpx.Client(base_url=office.public_url, timeout=60)


def test_without_the_token_the_public_learns_the_status_alone(any_city: OnlineCity) -> None:
    copy = any_city.stored_copy(pages=2)
    with public(any_city) as client:
        status = client.get(f"/api/public/copies/{copy.code}")
        assert status.status_code == 200 and status.json() == {"code": copy.code, "status": "issued"}
        page = client.get(f"/v/{copy.code}")
        en = client.get(f"/v/{copy.code}?lang=en")
        unknown = client.get("/api/public/copies/HN001-999999-0")
    assert unknown.status_code == 404 and set(unknown.json()) == {"error"}
    assert page.status_code == 200 and "HỢP LỆ" in page.text and "VALID" in en.text
    for text in (status.text, page.text, en.text):
        for leak in (
            "birth_certificate",
            "HN-001",
            copy.issued_at.strftime("%Y-%m-%d"),
            "Trần Thị Bình",
            "/pages/",
        ):
            assert leak not in text, leak


def test_the_token_opens_the_facts_the_fields_and_the_issued_pages(any_city: OnlineCity) -> None:
    copy = any_city.stored_copy(pages=2)
    with public(any_city) as client:
        facts = client.get(f"/api/public/copies/{copy.code}?t={copy.token}")
        by_header = client.get(f"/api/public/copies/{copy.code}", headers={"X-Copy-Token": copy.token})
        page = client.get(f"/v/{copy.code}?t={copy.token}")
        image = client.get(f"/v/{copy.code}/pages/2.png?t={copy.token}")
        no_page = client.get(f"/v/{copy.code}/pages/3.png?t={copy.token}")
        en = client.get(f"/v/{copy.code}?t={copy.token}&lang=en")
    assert facts.status_code == 200 and set(facts.json()) == FACT_KEYS, facts.text
    assert by_header.json() == facts.json()
    got = facts.json()
    assert (got["kiosk_id"], got["doc_type"], got["pages"], got["status"]) == (
        "HN-001",
        "birth_certificate",
        2,
        "issued",
    )
    assert got["issued_at"] == copy.issued_at.isoformat()
    assert got["seal_digest"] == seal_digest(copy.qr)  # the QR the city holds is the one printed
    assert page.status_code == 200
    for value in BIRTH_FIELDS.values():  # every sealed field, for the checker to compare with the paper
        assert value in page.text, value
    assert f"/v/{copy.code}/pages/1.png?t={copy.token}" in page.text and "pages/2.png" in page.text
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    assert no_page.status_code == 404
    assert "Date of birth".upper() in en.text.upper() and "Ngày sinh" in page.text


def test_only_a_hash_of_the_token_is_stored(city: OnlineCity) -> None:
    copy = city.stored_copy()
    with public(city) as client:
        assert client.get(f"/v/{copy.code}?t={copy.token}").status_code == 200
    assert city.db is not None
    city.db.close()  # flush SQLite's WAL into the file
    city.db = None
    raw = b"".join(p.read_bytes() for p in city.data.glob("backend.sqlite3*"))
    assert copy.token.encode() not in raw and copy.token.upper().encode() not in raw
    city.stop()


def test_wrong_tokens_are_refused_throttled_and_audited(city: OnlineCity) -> None:
    copy = city.stored_copy()
    other = city.stored_copy()
    with public(city) as client:
        # Another copy's genuine token does not open this one; neither does a near miss.
        assert client.get(f"/api/public/copies/{copy.code}?t={other.token}").status_code == 403
        near = copy.token[:-1] + ("a" if copy.token[-1] != "a" else "b")
        refused = client.get(f"/v/{copy.code}?t={near}")
        assert (
            refused.status_code == 403
            and "Trần Thị Bình" not in refused.text
            and "/pages/" not in refused.text
        )
        assert client.get(f"/v/{copy.code}/pages/1.png?t={near}").status_code in (403, 429)
        # Three wrong tries from this address lock the (code, address): now even the right token waits.
        locked = client.get(f"/api/public/copies/{copy.code}?t={copy.token}")
        assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 60
        assert client.get(f"/api/public/copies/{copy.code}").json() == {"code": copy.code, "status": "issued"}
        assert client.get(f"/api/public/copies/{other.code}?t={other.token}").status_code == 200
    assert city.db is not None
    trail = audit_trail(city.db, copy.code)
    actions = [row["action"] for row in trail]
    assert actions.count("copy.token_refused") >= 4 and all(r["actor"] == "public:127.0.0.1" for r in trail)
    assert "copy.token_granted" in [row["action"] for row in audit_trail(city.db, other.code)]


def test_wrong_tokens_from_one_address_never_lock_that_address_out_of_other_copies(
    pki: Pki, kiosks: Kiosks, tmp_path: Path
) -> None:
    """Every citizen behind the city's proxy shares one address: one person's wrong tokens over many codes
    must not lock the others (issue 24: lockouts that attackers cannot turn against users)."""
    office = OnlineCity(pki, kiosks, tmp_path / "backend", token_limits=TokenLimits(per_client=2)).start()
    try:
        # 33 wrong tokens over 11 codes from one address: more than any per-address limit would allow
        copies = [office.stored_copy() for _ in range(12)]
        with public(office) as client:
            for copy in copies[:11]:
                for _ in range(3):
                    wrong = copy.token[:-1] + ("a" if copy.token[-1] != "a" else "b")
                    assert client.get(f"/api/public/copies/{copy.code}?t={wrong}").status_code in (403, 429)
            # the swept copies are locked for this address; the last copy's holder still gets in
            assert client.get(f"/api/public/copies/{copies[0].code}?t={copies[0].token}").status_code == 429
            granted = client.get(f"/api/public/copies/{copies[11].code}?t={copies[11].token}")
            assert granted.status_code == 200 and granted.json()["code"] == copies[11].code
    finally:
        office.stop()


def test_the_public_reads_a_fixed_revoke_reason_never_the_officers_words(city: OnlineCity) -> None:
    copy = city.stored_copy()
    plain = city.stored_copy()
    assert city.db is not None
    add_user(city.db, "hoa.nt", PASSWORD, "admin", "Nguyễn Thị Hoa")
    words = "Nguyễn Văn An 001090001234 nộp giấy khai sinh giả"
    revoke(city.db, copy.code, username="hoa.nt", reason=words, reason_code="original_forged")
    revoke(city.db, plain.code, username="hoa.nt", reason="trùng hồ sơ")  # free text only: other_reason
    with public(city) as client:
        facts = client.get(f"/api/public/copies/{copy.code}?t={copy.token}").json()
        page = client.get(f"/v/{copy.code}?t={copy.token}").text
        en = client.get(f"/v/{copy.code}?t={copy.token}&lang=en").text
        bare = client.get(f"/api/public/copies/{copy.code}").json()
        other = client.get(f"/api/public/copies/{plain.code}?t={plain.token}").json()
    assert bare == {"code": copy.code, "status": "revoked"}
    assert facts["revoked_reason"] == "original_forged"
    assert facts["revoked_reason_label"] == REVOKE_REASONS["original_forged"]
    assert other["revoked_reason"] == "other_reason"
    assert "ĐÃ THU HỒI" in page and REVOKE_REASONS["original_forged"]["vi"] in page
    assert REVOKE_REASONS["original_forged"]["en"] in en
    for text in (page, en, str(facts)):
        for leak in ("Nguyễn Văn An", "001090001234", "giấy khai sinh giả", "hoa.nt"):
            assert leak not in text, leak


def test_a_sweep_over_the_sequential_codes_is_throttled(pki: Pki, kiosks: Kiosks, tmp_path: Path) -> None:
    office = OnlineCity(pki, kiosks, tmp_path / "backend", rate=RateLimit()).start()
    try:
        copy = office.stored_copy()
        prefix = copy.code.rsplit("-", 2)[0]
        answers = []
        with public(office) as client:
            for n in range(30):
                answers.append(client.get(f"/api/public/copies/{prefix}-{n:06d}-0"))
        codes = [a.status_code for a in answers]
        assert codes[:20].count(429) == 0 and codes[20:].count(429) == 10, codes
        assert int(answers[-1].headers["Retry-After"]) >= 30
        assert all(set(a.json()) <= {"code", "status", "error"} for a in answers)
    finally:
        office.stop()


def test_revoke_cli_maps_free_text_to_a_public_key(city: OnlineCity) -> None:
    assert city.db is not None
    add_user(city.db, "cli", PASSWORD, "admin", "CLI")
    a, b = city.stored_copy(), city.stored_copy()
    revoke(city.db, a.code, username="cli", reason="identity_doubt")  # the key given as the reason
    assert copy_state(city.db, a.code)["revoked_reason_code"] == "identity_doubt"  # type: ignore[index]
    with pytest.raises(CopyStateError, match="unknown revoke reason"):
        revoke(city.db, b.code, username="cli", reason="x", reason_code="because")
    assert re.fullmatch(r"[a-z_]+", "".join(REVOKE_REASONS)) and len(REVOKE_REASONS) == 5
