"""Issue 25 walk W10: a bank transfer for a payment the kiosk had already cancelled (the citizen left, the
visit was reset) is refused by the backend and listed in the back office for a refund or the copy, with the
reference, kiosk, amount and time; a cancel never takes a paid payment off "paid". Real loopback backend,
the gateway's signed notice, the staff login."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from offline_sync.protocol.payment_notice import SIGNATURE_HEADER, notice_body, sign_notice
from tests.backoffice.city import IT_USER, OFFICER_USER, CityOffice, staff_login
from tests.backoffice.helpers import Kiosks
from tests.sync.helpers import Pki


@pytest.fixture
def city(pki: Pki, kiosks: Kiosks, tmp_path: Path) -> Iterator[CityOffice]:
    office = CityOffice(pki, kiosks, tmp_path / "backend").start()
    office.add_staff()
    yield office
    office.stop()


def bank_notice(city: CityOffice, txn: str, reference: str, amount: int) -> httpx.Response:
    """What the payment gateway sends when the citizen's bank has moved the money (signed)."""
    body = notice_body(txn, reference, amount)
    secret = (city.data / "gateway.secret").read_bytes().strip()
    with city.kiosk("HN-002") as gateway:  # the transport needs a certificate of the city CA
        return gateway.post(
            "/v1/payments/gateway/notify",
            content=body,
            headers={SIGNATURE_HEADER: sign_notice(secret, body), "content-type": "application/json"},
        )


def open_payment(city: CityOffice, reference: str, amount: int) -> None:
    with city.kiosk("HN-001") as kiosk:
        answer = kiosk.post("/v1/payments", json={"reference": reference, "amount_vnd": amount})
        assert answer.status_code == 201, answer.text


def cancel(city: CityOffice, reference: str) -> httpx.Response:
    with city.kiosk("HN-001") as kiosk:
        return kiosk.post(f"/v1/payments/{reference}/cancel", json={})


def test_paid_after_cancel_is_listed_for_refund(city: CityOffice) -> None:
    late, normal = "HN001PLATE2345", "HN001PGOOD6789"
    open_payment(city, late, 4000)
    open_payment(city, normal, 2000)
    assert cancel(city, late).status_code == 200  # the idle reset / the citizen cancelled
    # the citizen's bank pays anyway (the QR was still in their phone)
    refused = bank_notice(city, "TXN-LATE-1", late, 4000)
    assert refused.status_code == 422 and "cancelled" in refused.text
    assert bank_notice(city, "TXN-GOOD-1", normal, 2000).status_code == 200  # applied: not listed
    with httpx.Client(base_url=city.public_url, timeout=30) as anonymous:
        assert anonymous.get("/api/ops/late-payments").status_code == 401
    with staff_login(city, IT_USER) as client:
        rows = client.get("/api/ops/late-payments").json()["late_payments"]
        assert [
            (r["reference"], r["kiosk_id"], r["amount_vnd"], r["outcome"], r["txn_id"]) for r in rows
        ] == [(late, "HN-001", 4000, "cancelled", "TXN-LATE-1")]
        assert rows[0]["received_at"] and rows[0]["payment_status"] == "cancelled"
        page = client.get("/ops/uncollected")
        assert page.status_code == 200
        assert "Đã nhận tiền sau khi hủy: hoàn tiền hoặc cấp bản sao" in page.text
        assert late in page.text and "4.000 đ" in page.text and "HN-001" in page.text
        assert normal not in page.text
        assert 'href="/ops/uncollected"' in client.get("/ops").text  # reachable from the ops page
    with staff_login(city, OFFICER_USER) as officer:  # the officer of the kiosk's ward sees it too
        assert [r["reference"] for r in officer.get("/api/ops/late-payments").json()["late_payments"]] == [
            late
        ]
    assert city.db is not None
    city.db.set_kiosk_ward("HN-001", "Phường Khác", by="tests")
    with staff_login(city, OFFICER_USER) as officer:  # another ward's kiosk: not theirs
        assert officer.get("/api/ops/late-payments").json()["late_payments"] == []


def test_a_cancel_never_undoes_a_payment(city: CityOffice) -> None:
    """The kiosk's cancel and the bank's notice at once: whichever lands second, no money is lost."""
    reference = "HN001PRACE2345"
    open_payment(city, reference, 4000)
    assert bank_notice(city, "TXN-RACE-1", reference, 4000).status_code == 200
    refused = cancel(city, reference)
    assert refused.status_code == 409  # the kiosk learns it was paid and prints (kiosk.flow.payment_step)
    with city.kiosk("HN-001") as kiosk:
        assert kiosk.get(f"/v1/payments/{reference}").json()["status"] == "paid"
    with staff_login(city, IT_USER) as client:
        assert client.get("/api/ops/late-payments").json()["late_payments"] == []
