"""Paying the fee (the VietQR of the visit, confirmed through the city backend) and the queue ticket.

The flow (kiosk.flow.payment_step) opens the payment, waits for the backend's confirmation on a worker, and
prints nothing before it comes. This screen shows the QR with the amount and the reference, says that it
waits, and offers cash at the counter, which prints a queue ticket.

Issue 25 (walk W6): while the payment is pending the idle reset does not run (a citizen in the bank app,
logging in or typing an OTP, is not reset); the payment's own time-out (``[payment] timeout_s``) is shown as
a countdown, and when it runs out the screen offers "try again", cash at the counter, or cancel.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout

from kiosk.flow import Screen
from kiosk.services.fee import compute_fee
from kiosk.services.payment import PayeeAccount, PaymentRequest, VietQR
from ui import messages
from ui.screen_registry import screen
from ui.screens_visit import format_vnd
from ui.widgets import QrView, ScreenBase, TicketCard, make_button, make_card_frame, make_label

if TYPE_CHECKING:
    from kiosk.flow import VisitFlow


# The countdown and the time-out's lines, in the visit's language (issue 25 W6).
PAY_TEXT = {
    "vi": {
        "left": "Thời gian thanh toán còn {time}.",
        "expired": "Đã hết thời gian chờ thanh toán. Nếu Ông/Bà đã chuyển khoản, bấm “{again}”.",
        "again": "Thử lại",
        "cancelling": "Đang hủy thanh toán…",
    },
    "en": {
        "left": "Time left to pay: {time}.",
        "expired": "The time to pay has run out. If you have already paid, press “{again}”.",
        "again": "Try again",
        "cancelling": "Cancelling the payment…",
    },
}


def pay_text(flow: VisitFlow, key: str) -> str:
    return PAY_TEXT["en" if flow.visit.language == "en" else "vi"][key]


def minutes_seconds(seconds: float) -> str:
    whole = max(0, int(seconds + 0.999))
    return f"{whole // 60}:{whole % 60:02d}"


@screen(
    Screen.payment,
    shots={"19-payment": lambda s: {"pages": s.pages, "copies": 2, "payment_request": sample_payment()}},
)
class PaymentScreen(ScreenBase):
    center_in_portrait = False

    def __init__(self, host: Any) -> None:
        super().__init__(host)
        self.row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.qr = QrView()
        self.row.addWidget(self.qr, 1)
        frame, box = make_card_frame()
        self.amount_label = make_label("muted")
        self.amount = make_label("amount", wrap=False)
        self.breakdown = make_label("muted")
        self.reference_label = make_label("muted")
        self.reference = make_label("title", wrap=False)
        self.how = make_label()
        self.waiting = make_label(align=Qt.AlignmentFlag.AlignLeft)
        for widget in (
            self.amount_label,
            self.amount,
            self.breakdown,
            self.reference_label,
            self.reference,
            self.how,
            self.waiting,
        ):
            box.addWidget(widget)
        box.addStretch(1)
        self.row.addWidget(frame, 1)
        self.body.addLayout(self.row, 1)
        # the payment's time left, in the footer as on the ticket screen (not spoken: it changes each second)
        self.countdown = make_label("muted")
        self.countdown.setVisible(False)
        self.cancel = make_button(on_click=self.flow.cancel_payment)
        self.cash = make_button(on_click=self.flow.pay_cash)
        self.again = make_button(primary=True, on_click=self.flow.retry_payment_wait)
        self.footer.addWidget(self.cancel)
        self.footer.addWidget(self.countdown)
        self.footer.addStretch(1)
        self.footer.addWidget(self.cash)
        self.footer.addWidget(self.again)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        portrait = self.height() > self.width()
        self.row.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )

    def tick(self, seconds_left: float) -> None:
        """Each idle-timer tick (ui.window.check_idle): while the bank is awaited, the payment's own time
        left is shown."""
        flow = self.flow
        if flow.screen != Screen.payment:
            return
        if flow.payment_pending:  # the flow keeps the visit alive meanwhile (no idle overlay, no reset)
            self.countdown.setText(
                pay_text(flow, "left").format(time=minutes_seconds(flow.payment_seconds_left()))
            )
        else:
            self.countdown.setText("")
        self.countdown.setVisible(bool(self.countdown.text()))  # no room taken when there is nothing to count

    def show_state(self, flow: VisitFlow) -> None:
        request = flow.visit.payment_request
        self.step.setText(messages.step_line(Screen.payment, self.tr("check and pay")))
        self.title.setText(self.tr("Pay the fee"))
        self.instruction.setText(
            self.tr(
                "Scan the QR code with your banking app (VietQR). The copy prints once the payment is confirmed."
            )
        )
        fee = getattr(request, "fee", None)
        amount = int(getattr(request, "amount_vnd", 0) or getattr(flow, "fee_vnd", 0))
        self.amount_label.setText(self.tr("Amount"))
        self.amount.setText(format_vnd(amount))
        if fee is not None:
            self.breakdown.setText(
                self.tr("%1 × %2, Circular 226/2016/TT-BTC")
                .replace("%1", messages.pages_text(fee.pages))
                .replace("%2", messages.copies_text(fee.copies))
            )
        else:
            self.breakdown.setText("")
        self.reference_label.setText(self.tr("Payment reference (transfer note)"))
        self.reference.setText(str(getattr(request, "reference", "") or "—"))
        self.how.setText(
            self.tr(
                "Do not change the amount or the transfer note: they tell the kiosk the payment is yours."
            )
        )
        payload = str(getattr(request, "qr_payload", "") or "")
        self.qr.set_payload(payload)
        expired, cancelling = flow.payment_expired, flow.payment_cancelling
        if request is None:
            self.waiting.setText(self.tr("Preparing the payment…"))
        elif flow.visit.payment_cash:
            self.waiting.setText(self.tr("Printing your queue ticket…"))
        elif cancelling:
            self.waiting.setText(pay_text(flow, "cancelling"))
        elif expired:
            self.waiting.setText(pay_text(flow, "expired").format(again=pay_text(flow, "again")))
        else:
            self.waiting.setText("⏳ " + self.tr("Waiting for the bank's confirmation…"))
        if not flow.payment_pending:
            self.countdown.setText("")
        self.countdown.setVisible(bool(self.countdown.text()))
        self.cancel.setText(self.tr("Cancel the payment"))
        self.cash.setText(self.tr("Pay cash at the counter"))
        self.cash.setEnabled(request is not None and not flow.visit.payment_cash and not cancelling)
        self.cancel.setEnabled(not cancelling)
        self.again.setText(pay_text(flow, "again"))
        self.again.setVisible(expired and not cancelling and not flow.visit.payment_cash)

    def left(self) -> None:
        self.qr.set_payload("")


@screen(
    Screen.ticket,
    shots={
        "20-ticket": lambda s: {
            "queue_ticket": SimpleNamespace(number="A012", counter="Quầy 2 - Thu phí", reason="payment_cash")
        }
    },
)
class TicketScreen(ScreenBase):
    """A queue ticket came out of the receipt printer: its number, the counter, why."""

    def __init__(self, host: Any) -> None:
        super().__init__(host)
        self.card = TicketCard(self.body)
        self.number, self.counter, self.reason = self.card.number, self.card.counter, self.card.detail
        self.take = make_label(align=Qt.AlignmentFlag.AlignCenter)  # issue 25: the card and the original
        self.body.addWidget(self.take)
        self.body.addStretch(1)
        self.countdown = make_label("muted")
        self.footer.addWidget(self.countdown, 1)
        self.go = make_button(primary=True, on_click=self.flow.finish)
        self.footer.addWidget(self.go)

    def tick(self, seconds_left: float) -> None:
        if self.flow.screen == Screen.ticket:
            self.countdown.setText(self.tr("This screen closes in %d s.") % max(0, int(seconds_left + 0.999)))

    def show_state(self, flow: VisitFlow) -> None:
        ticket = flow.visit.queue_ticket if flow.screen == Screen.ticket else None
        self.step.setText(self.tr("Queue ticket"))
        self.title.setText(self.tr("Take your queue ticket"))
        self.instruction.setText(self.tr("Wait until your number is called, then go to the counter."))
        reason = str(getattr(ticket, "reason", "") or "")
        why = messages.text(messages.TICKET_REASONS, reason, "staff_needed") if ticket else ""
        if reason == "payment_cash" and ticket is not None:  # issue 25: the amount to pay at the counter
            amount = int(getattr(ticket, "amount_vnd", 0) or getattr(flow, "fee_vnd", 0) or 0)
            if amount:
                why += "\n" + self.tr("Amount to pay: %s") % format_vnd(amount)
        self.card.show(
            self.title,
            high_contrast=self.host.high_contrast,
            number_label=self.tr("Your number"),
            number=str(getattr(ticket, "number", "") or ""),
            counter=str(getattr(ticket, "counter", "") or ""),
            detail=why,
        )
        self.take.setText(messages.take_things())
        if flow.screen != Screen.ticket:
            self.countdown.setText("")
        self.go.setText(self.tr("Finish"))


def sample_payment() -> Any:
    """The payment the screen would show for 2 pages x 2 copies (a VietQR of the sample payee)."""
    fee = compute_fee(2, 2)
    payee = PayeeAccount()
    reference = "HN001PK7Q2M9XA"
    payload = VietQR(
        bank_bin=payee.bank_bin,
        account=payee.account,
        amount_vnd=fee.total_vnd,
        purpose=reference,
        merchant_name=payee.name,
    ).encode()
    return PaymentRequest(reference, fee.total_vnd, payload, fee)
