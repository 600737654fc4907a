"""Issue 25 walk W5: `kiosk run` (ui.app.build_kiosk over a KioskApp) builds the visit's payment from the
``[payment]`` table: a real kiosk's VietQR names the centre's configured account, never the sample one, and
the flow waits the configured ``timeout_s``."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from kiosk.app import KioskApp
from kiosk.config import parse_config
from kiosk.services.fee import compute_fee
from kiosk.services.payment import PayeeAccount
from offline_sync.vietqr import VietQR
from tests.sync.helpers import Backend, Pki
from ui.app import build_kiosk


def test_kiosk_run_pays_the_configured_account(
    tmp_path: Path, backend: Backend, pki: Pki, qtbot: QtBot
) -> None:
    cert, key = pki.client("HN-001")
    config = parse_config(
        {
            "kiosk": {"data_dir": str(tmp_path / "data")},
            "sync": {
                "backend_url": backend.url,
                "client_cert": str(cert),
                "client_key": str(key),
                "ca_cert": str(pki.pki.ca_cert),
            },
            "payment": {
                "bank_bin": "970436",
                "account": "0011002233445",
                "payee_name": "TT HCC PHUONG BA DINH",
                "timeout_s": 42,
                "poll_interval_s": 0.25,
            },
        }
    )
    with KioskApp(config) as app:
        kiosk = build_kiosk(config, kiosk_app=app, audit=lambda e, d: None, use_face_process=False)
        try:
            assert kiosk.parts_ready.wait(60), "the visit parts were not set up"
            assert kiosk.flow.payment_timeout_s == 42
            payments = kiosk.services.payments
            assert payments is not None, "no payment service although a backend is configured"
            assert payments.poll_interval == 0.25
            request = payments.create(compute_fee(1, 1))  # opened on the real loopback backend
            qr = VietQR.decode(request.qr_payload)
            assert (qr.bank_bin, qr.account, qr.merchant_name) == (
                "970436",
                "0011002233445",
                "TT HCC PHUONG BA DINH",
            )
            assert qr.amount_vnd == request.amount_vnd and qr.purpose == request.reference
            assert PayeeAccount().account not in request.qr_payload
            payments.cancel(request.reference)
        finally:
            kiosk.close()
