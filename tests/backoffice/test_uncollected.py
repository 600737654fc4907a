"""Issue 25: the back office lists the paid copies a kiosk could not print (from its newest heartbeat), with
the record's PDF to print at no charge; behind the staff login; an officer sees their ward's kiosks only;
what a kiosk sends is validated and escaped."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tests.backoffice.city import IT_USER, OFFICER_USER, CityOffice, staff_login
from tests.backoffice.helpers import Kiosks
from tests.sync.helpers import Pki


@pytest.fixture
def city(pki: Pki, kiosks: Kiosks, tmp_path: Path) -> Iterator[CityOffice]:
    office = CityOffice(pki, kiosks, tmp_path / "backend").start()
    office.add_staff()
    yield office
    office.stop()


def entry(code: str, **over: object) -> dict[str, object]:
    return {
        "code": code,
        "payment_reference": "HN001PABCDEFGH",
        "amount_vnd": 4000,
        "copies": 1,
        "missing": ["copy", "receipt"],
        "since": datetime.now(UTC).isoformat(),
        **over,
    }


def test_paid_copies_to_collect_are_listed_with_a_free_reprint(city: CityOffice) -> None:
    code, _ = city.issue_with_secret("HN-001")
    city.heartbeat(
        "HN-001",
        uncollected=[
            entry(code),
            entry("HN001-000999-Z", payment_reference="<script>x</script>"),  # malformed: left out
            entry("<b>bad</b>"),
        ],
    )
    with staff_login(city, IT_USER) as client:
        rows = client.get("/api/ops/uncollected").json()["uncollected"]
        assert [(r["kiosk_id"], r["code"], r["held"], r["amount_vnd"]) for r in rows] == [
            ("HN-001", code, True, 4000)
        ]
        page = client.get("/ops/uncollected")
        assert page.status_code == 200
        assert code in page.text and f"/console/copies/{code}/pdf" in page.text
        assert "<script>x</script>" not in page.text and "<b>bad</b>" not in page.text
    # the kiosk printed it again (maintenance): its next heartbeat no longer lists it
    city.heartbeat("HN-001", uncollected=[])
    with staff_login(city, IT_USER) as client:
        assert client.get("/api/ops/uncollected").json()["uncollected"] == []
        assert "Không có bản sao nào chờ nhận." in client.get("/ops/uncollected").text


def test_login_and_ward(city: CityOffice) -> None:
    code, _ = city.issue_with_secret("HN-001")
    city.heartbeat("HN-001", ward="Phường Khác", uncollected=[entry(code)])
    with httpx.Client(base_url=city.public_url, timeout=30) as anonymous:
        assert anonymous.get("/api/ops/uncollected").status_code == 401
        assert anonymous.get("/ops/uncollected", follow_redirects=False).status_code == 303
    # the kiosk claims another ward in its heartbeat; the city's assignment (the officer's ward) decides
    with staff_login(city, OFFICER_USER) as officer:
        assert [r["code"] for r in officer.get("/api/ops/uncollected").json()["uncollected"]] == [code]
    assert city.db is not None
    city.db.set_kiosk_ward("HN-001", "Phường Khác", by="tests")
    with staff_login(city, OFFICER_USER) as officer:  # another ward's kiosk now: not theirs
        assert officer.get("/api/ops/uncollected").json()["uncollected"] == []
