"""Payment through the real reference backend: the kiosk opens it, the simulated gateway pays the VietQR,
the backend tells the kiosk; nothing prints before that."""

from __future__ import annotations

import json
import threading

import httpx
import pytest

from kiosk.errors import UnavailableError
from kiosk.services.fee import compute_fee
from kiosk.services.payment import PaymentRequired, PaymentService, new_reference
from offline_sync.client import BackendClient
from offline_sync.gateway_sim import SimulatedGateway
from offline_sync.kiosk_api_client import BackendRefused, KioskApiClient
from offline_sync.protocol.errors import BackendError
from offline_sync.protocol.payment_notice import SIGNATURE_HEADER, notice_body, sign_notice
from offline_sync.vietqr import VietQR, VietQRError
from tests.sync.helpers import Backend, Pki, free_port


def service(api: KioskApiClient) -> PaymentService:
    return PaymentService(api, kiosk_id="HN-001", poll_interval=0.05)


def test_qr_payment_confirmed_through_the_backend(api: KioskApiClient, gateway: SimulatedGateway) -> None:
    payments = service(api)
    request = payments.create(compute_fee(5, 2))
    assert request.amount_vnd == 14000
    qr = VietQR.decode(request.qr_payload)
    assert (qr.amount_vnd, qr.purpose, qr.account) == (14000, request.reference, "113366668888")
    assert api.payment(request.reference)["status"] == "pending"
    with pytest.raises(PaymentRequired):
        payments.permit(request.reference)

    # the citizen's bank pays while the kiosk waits
    paying = threading.Thread(target=gateway.pay, args=(request.qr_payload,))
    paying.start()
    result = payments.wait_confirmed(request.reference, timeout=20)
    paying.join()
    assert result.to_json() == {"method": "vietqr", "status": "paid", "reference": request.reference}
    stored = api.payment(request.reference)
    assert stored["status"] == "paid" and stored["gateway_txn"].startswith("SIM")

    permit = payments.permit(request.reference)
    printed: list[str] = []
    assert payments.print_with(permit, "copy", lambda: printed.append("copy") or "job-1") == "job-1"
    assert printed == ["copy"]


def test_nothing_prints_before_payment(api: KioskApiClient) -> None:
    payments = service(api)
    request = payments.create(7000)
    calls: list[int] = []
    with pytest.raises(PaymentRequired, match="not confirmed"):
        payments.print_with(payments.permit(request.reference), "copy", lambda: calls.append(1))
    assert calls == []


def test_forged_permit_refused(api: KioskApiClient, gateway: SimulatedGateway) -> None:
    from kiosk.services.payment import PrintPermit

    payments = service(api)
    calls: list[int] = []
    forged = PrintPermit("HN001PAAAAAAAA", 7000, "vietqr")
    with pytest.raises(PaymentRequired, match="not issued"):
        payments.print_with(forged, "copy", lambda: calls.append(1))
    assert calls == []


def test_failed_print_is_reprinted_free_once(api: KioskApiClient, gateway: SimulatedGateway) -> None:
    payments = service(api)
    request = payments.create(2000)
    gateway.pay(request.qr_payload)
    permit = payments.permit(request.reference)

    def jam() -> None:
        raise OSError("paper jam")

    with pytest.raises(OSError, match="jam"):
        payments.print_with(permit, "copy", jam)
    assert payments.free_reprint_due(request.reference) == ["copy"]
    # the retry needs no new payment, and does not re-run the receipt
    assert payments.print_with(permit, "copy", lambda: "ok") == "ok"
    assert payments.free_reprint_due(request.reference) == []
    with pytest.raises(PaymentRequired, match="already printed"):
        payments.print_with(permit, "copy", lambda: "again")
    assert payments.print_with(permit, "receipt", lambda: "receipt") == "receipt"


def test_cash_fallback(api: KioskApiClient) -> None:
    payments = service(api)
    request = payments.create(4000)
    result = payments.choose_cash(request.reference)
    assert result.to_json() == {"method": "cash", "status": "cash_at_counter", "reference": request.reference}
    assert api.payment(request.reference)["status"] == "cash_at_counter"
    with pytest.raises(PaymentRequired, match="cash_at_counter"):
        payments.permit(request.reference)


def test_wait_times_out_and_can_be_cancelled(api: KioskApiClient) -> None:
    payments = service(api)
    request = payments.create(2000)
    assert payments.wait_confirmed(request.reference, timeout=0.2).status == "timeout"
    stop = threading.Event()
    stop.set()
    assert payments.wait_confirmed(request.reference, timeout=30, cancelled=stop).status == "cancelled"
    payments.cancel(request.reference)
    assert api.payment(request.reference)["status"] == "cancelled"


def test_free_fee_needs_no_backend() -> None:
    class NoBackend:
        def __getattr__(self, name: str) -> object:
            raise AssertionError(f"{name} must not be called for a fee of 0")

    payments = PaymentService(NoBackend(), kiosk_id="HN-001")  # type: ignore[arg-type]
    request = payments.create(0)
    assert request.qr_payload == ""
    permit = payments.permit(request.reference)
    assert permit.method == "free"


def test_gateway_signature_is_required(api: KioskApiClient, backend: Backend, pki: Pki) -> None:
    payments = service(api)
    request = payments.create(2000)
    body = notice_body("T1", request.reference, 2000)
    # the kiosk itself cannot confirm a payment: it has no gateway secret
    with httpx.Client(base_url=backend.url, verify=pki.ssl_context()) as http:
        for signature in ("", sign_notice(b"k" * 32, body)):
            answer = http.post(
                "/v1/payments/gateway/notify",
                content=body,
                headers={"Content-Type": "application/json", SIGNATURE_HEADER: signature},
            )
            assert answer.status_code == 401, answer.text
    assert api.payment(request.reference)["status"] == "pending"


def test_wrong_amount_is_not_applied(api: KioskApiClient, gateway: SimulatedGateway) -> None:
    payments = service(api)
    request = payments.create(7000)
    with pytest.raises(BackendError, match="amount_mismatch"):
        gateway.pay(request.qr_payload, amount_vnd=6000)
    assert api.payment(request.reference)["status"] == "pending"


def test_gateway_pays_only_its_account(api: KioskApiClient, gateway: SimulatedGateway) -> None:
    other = VietQR(bank_bin="970436", account="999", amount_vnd=2000, purpose="HN001PAAAAAAAA").encode()
    with pytest.raises(VietQRError, match="not this gateway"):
        gateway.pay(other)


def test_notice_replay_is_idempotent(
    api: KioskApiClient, backend: Backend, gateway: SimulatedGateway
) -> None:
    payments = service(api)
    request = payments.create(2000)
    body = notice_body("TXN-1", request.reference, 2000)
    first = gateway._notify(body)
    again = gateway._notify(body)
    assert (first["outcome"], first["replayed"]) == ("paid", False)
    assert (again["outcome"], again["replayed"]) == ("paid", True)


def test_reference_replay_and_clash(api: KioskApiClient) -> None:
    reference = new_reference("HN-001")
    assert api.open_payment(reference, 2000)["status"] == "pending"
    assert api.open_payment(reference, 2000)["amount_vnd"] == 2000  # a retry is a replay
    with pytest.raises(BackendRefused, match="already used") as caught:
        api.open_payment(reference, 3000)
    assert caught.value.status == 409


def test_another_kiosk_cannot_read_or_cancel(api: KioskApiClient, backend: Backend) -> None:
    reference = new_reference("HN-001")
    api.open_payment(reference, 2000)
    with backend.client("HN-002") as other_client:
        other = KioskApiClient(other_client)
        with pytest.raises(BackendRefused) as caught:
            other.payment(reference)
        assert caught.value.status == 404
        with pytest.raises(BackendRefused):
            other.cancel_payment(reference)


@pytest.mark.parametrize(
    "body",
    [
        {"reference": "lower-case", "amount_vnd": 2000},
        {"reference": "HN001PAAAAAAAA", "amount_vnd": 0},
        {"reference": "HN001PAAAAAAAA", "amount_vnd": 2000, "extra": 1},
    ],
)
def test_bad_open_refused(backend: Backend, pki: Pki, body: dict[str, object]) -> None:
    with httpx.Client(base_url=backend.url, verify=pki.ssl_context()) as http:
        answer = http.post("/v1/payments", content=json.dumps(body))
    assert answer.status_code == 400
    assert "error" in answer.json()


def test_unreachable_backend_is_unavailable(pki: Pki) -> None:
    client = BackendClient(f"https://127.0.0.1:{free_port()}", pki.ssl_context(), timeout=2)
    payments = PaymentService(KioskApiClient(client), kiosk_id="HN-001")
    with pytest.raises(UnavailableError) as caught:
        payments.create(2000)
    assert caught.value.exit_code == 3
    client.close()
