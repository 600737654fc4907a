"""Issue 25 walk W6: a citizen busy in the bank app is not reset by the idle timer while the payment is
pending; the payment's own time-out (the configured one) ends the wait, shown as a countdown, and offers
"try again", cash at the counter and cancel. Real window (offscreen), real loopback backend, a payer who
never pays."""

from __future__ import annotations

from typing import Any

from kiosk.flow import Screen
from kiosk.services.payment import PaymentService
from tests.payment.conftest import api, backend, pki  # noqa: F401 (fixtures)
from tests.ui.test_visit import click, run_to_review


def test_no_idle_reset_while_paying_then_the_payment_time_out(
    qtbot: Any,
    make_kiosk: Any,
    fake_services: Any,
    api: Any,  # noqa: F811 (fixture)
) -> None:
    fake_services.payments = PaymentService(api, kiosk_id="HN-001", poll_interval=0.05)
    kiosk = make_kiosk(fake_services)
    w, flow = kiosk.window, kiosk.flow
    run_to_review(qtbot, kiosk, pages=1)
    flow.payment_timeout_s = 2.5  # as [payment] timeout_s would set it (ui.app.build_kiosk)
    click(qtbot, w.screens[Screen.review].go)
    qtbot.waitUntil(lambda: flow.payment_pending, timeout=30000)
    # the idle timer is now far shorter than the payment's time-out: without the W6 rule it would reset
    flow.idle_timeout_s, flow.countdown_s = 0.3, 0.3
    pay = w.screens[Screen.payment]
    seen: dict[str, Any] = {"overlay": False, "countdown": set(), "screens": set()}

    def watch() -> bool:
        if flow.payment_pending:
            seen["overlay"] |= w.overlay.isVisible()
            seen["countdown"].add(pay.countdown.text())
        seen["screens"].add(flow.screen)
        return flow.payment_expired

    qtbot.waitUntil(watch, timeout=30000)
    assert seen["overlay"] is False, "the idle overlay came while the payment was pending"
    assert seen["screens"] == {Screen.payment}, "the visit left the payment screen during the wait"
    assert any(text.startswith("Thời gian thanh toán còn") for text in seen["countdown"]), seen["countdown"]
    # the time-out: on the payment screen, with try again / cash at the counter / cancel
    assert flow.screen == Screen.payment and fake_services.printed == []
    assert pay.again.isVisible() and pay.again.text() == "Thử lại"
    assert pay.cash.isVisible() and pay.cash.isEnabled() and pay.cancel.isVisible()
    assert "hết thời gian chờ thanh toán" in pay.waiting.text() and pay.countdown.text() == ""
    # "try again" waits again (a citizen who paid late); no more idle protection once it times out again
    click(qtbot, pay.again)
    assert flow.payment_pending
    qtbot.waitUntil(lambda: flow.payment_expired, timeout=30000)
    # with no payment pending, a citizen who left is met by the idle overlay again
    qtbot.waitUntil(lambda: w.overlay.isVisible() or flow.screen == Screen.attract, timeout=30000)
