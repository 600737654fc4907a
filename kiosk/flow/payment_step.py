"""The payment step of a certification visit, and the staff call, as part of `VisitFlow` (a mixin).

They are active only when the services offer them: ``services.payments`` (a kiosk.services.payment.PaymentService),
``services.tickets`` (a kiosk.services.queue_ticket.QueueTicketService) and ``services.staff_calls`` (a
kiosk.services.staff_call.StaffCallService). Without ``payments`` the visit goes from review straight to certify,
as before; with it:

    review --confirm--> payment (the VietQR of the fee; the backend is polled on the runner)
      paid      -> processing -> printing (each print goes through PaymentService.print_with)
      pay_cash  -> ticket (the backend records "cash at the counter", a queue ticket prints)
      cancel    -> review (the backend is told first; a payment it already holds as paid goes on to print)
      timeout   -> the payment screen says the time ran out: try again (a new wait on the same payment),
                   cash at the counter, or cancel

Issue 25 (walk W6): while the kiosk waits for the bank, the idle reset does not run (the citizen is busy
in the bank app: login, OTP); the payment's own time-out (``[payment] timeout_s``) rules instead, shown as
a countdown on the payment screen (``payment_pending``, ``payment_seconds_left``).

A print that failed after payment is retried under the same permit, so it is free; a part that printed
is never printed twice on one payment.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from kiosk.flow.errors import Action, ErrorInfo
from kiosk.flow.record import Screen
from kiosk.services.fee import Fee, compute_fee
from kiosk.services.payment import PaymentRequired

if TYPE_CHECKING:
    from kiosk.flow.machine import VisitFlow
    from kiosk.services.payment import PaymentRequest, PaymentResult

log = logging.getLogger(__name__)
PAYMENT_TIMEOUT_S = 180.0


class PaymentSteps:
    """Mixed into VisitFlow; uses its _go, _run, _fail, show_error, visit and services."""

    payment_timeout_s: float = PAYMENT_TIMEOUT_S
    # The wait now running (None when none): its deadline on the flow's clock; the time-out; a cancel asked
    payment_deadline: float | None = None
    payment_expired: bool = False
    payment_cancelling: bool = False

    @property
    def payment_pending(self: VisitFlow) -> bool:  # type: ignore[misc]
        """The payment screen waits for the bank: no idle reset now (the payment's time-out rules)."""
        return (
            self.screen == Screen.payment
            and not self.payment_expired
            and not self.visit.payment_cash
            and self.payment_deadline is not None
        )

    def payment_seconds_left(self: VisitFlow) -> float:  # type: ignore[misc]
        """Seconds left before the payment's time-out (0 when no wait is running)."""
        if self.payment_deadline is None:
            return 0.0
        return max(0.0, self.payment_deadline - self.clock())

    # -- what is on offer ------------------------------------------------------------------------------
    @property
    def payments(self: VisitFlow) -> Any:  # type: ignore[misc]
        return getattr(self.services, "payments", None)

    @property
    def payment_required(self: VisitFlow) -> bool:  # type: ignore[misc]
        """`kiosk run` with ``[payment] mode = "vietqr"``: nothing prints unpaid, even with no payment
        service (no backend configured): then the visit goes to cash at the counter with a queue ticket."""
        return bool(getattr(self.services, "payment_required", False))

    @property
    def fee(self: VisitFlow) -> Fee:  # type: ignore[misc]
        """The fee of the pages scanned so far and the copies chosen (Thông tư 226/2016/TT-BTC)."""
        return compute_fee(max(1, len(self.visit.pages)), max(1, self.visit.copies))

    # -- payment -----------------------------------------------------------------------------------------
    def start_payment(self: VisitFlow) -> None:  # type: ignore[misc]
        payments = self.payments
        fee = self.fee
        self.visit.payment_stop = threading.Event()
        self.visit.payment_cash = False
        self.payment_expired = self.payment_cancelling = False
        self.payment_deadline = None
        self._go(Screen.payment)
        reference = self.visit.payment_request.reference if self.visit.payment_request else None
        self._run(
            "open_payment",
            lambda report: payments.create(fee, reference),
            self._payment_opened,
            lambda exc: self._fail(exc, back_to=Screen.review),
        )

    def _payment_opened(self: VisitFlow, request: PaymentRequest) -> None:  # type: ignore[misc]
        self.visit.payment_request = request
        self.audit("visit.payment_opened", {"reference": request.reference, "amount_vnd": request.amount_vnd})
        self._changed()  # the screen shows the QR now
        self._wait_payment()

    def _wait_payment(self: VisitFlow) -> None:  # type: ignore[misc]
        payments, request, stop = self.payments, self.visit.payment_request, self.visit.payment_stop
        assert request is not None
        assert stop is not None
        timeout = self.payment_timeout_s
        self.payment_expired = False
        self.payment_deadline = self.clock() + timeout
        self._run(
            "wait_payment",
            lambda report: payments.wait_confirmed(request.reference, timeout=timeout, cancelled=stop),
            self._payment_result,
            lambda exc: self._fail(exc, back_to=Screen.review),
        )

    def _payment_result(self: VisitFlow, result: PaymentResult) -> None:  # type: ignore[misc]
        self.payment_deadline = None
        if result.status == "cancelled" and self.payment_cancelling:
            self._cancel_on_backend()  # the citizen cancelled during the wait: tell the backend now
            return
        self.visit.payment = result
        self.audit("visit.payment", result.to_json())
        if result.paid:
            self.payment_cancelling = False
            self.visit.print_permit = self.payments.permit(result.reference)
            self._certify()
        elif self.visit.payment_cash or result.status == "cash_at_counter":
            self._pay_at_counter()
        elif result.status == "cancelled":
            self._go(Screen.review)
        elif result.status == "timeout":
            # W6: the screen says the time ran out, with try again / cash at the counter / cancel
            self.payment_expired = True
            self.touch()  # the idle timer counts from now: a citizen who left is reset later
            self._go(Screen.payment)
            self._changed()
        else:
            self.show_error(
                ErrorInfo(f"payment_{result.status}", "", (Action.try_again, Action.call_staff)),
                back_to=Screen.payment,
            )

    def retry_payment_wait(self: VisitFlow) -> None:  # type: ignore[misc]
        """After a timeout: wait again for the same payment (the citizen may have paid late)."""
        if self.visit.payment_request is None or self.busy:
            return
        self.visit.payment_stop = threading.Event()
        self._go(Screen.payment)
        self._wait_payment()
        self._changed()

    def pay_cash(self: VisitFlow) -> None:  # type: ignore[misc]
        """The citizen pays at the counter instead: stop waiting, record it, print a queue ticket."""
        if self.screen != Screen.payment:
            return
        self.visit.payment_cash = True
        if self.visit.payment_stop is not None:
            self.visit.payment_stop.set()
        if not self.busy:
            self._pay_at_counter()

    def cancel_payment(self: VisitFlow) -> None:  # type: ignore[misc]
        """Back to the review screen once the backend has recorded the cancel (on the runner, never on the
        GUI thread). A payment the bank confirmed meanwhile is not lost: the backend refuses to cancel a
        paid payment, and the visit goes on to print it (issue 25 W10: the cancel and the notice at once)."""
        if self.screen != Screen.payment or self.payment_cancelling:
            return
        self.payment_cancelling = True
        if self.visit.payment_stop is not None:
            self.visit.payment_stop.set()
        self._changed()
        if not self.busy:  # no wait running (timed out, or the payment not opened yet)
            self._cancel_on_backend()

    def _cancel_on_backend(self: VisitFlow) -> None:  # type: ignore[misc]
        request, payments = self.visit.payment_request, self.payments
        if request is None or payments is None:
            self._payment_cancelled(None)
            return
        reference = request.reference
        self._run(
            "cancel_payment",
            lambda report: payments.cancel(reference),
            self._payment_cancelled,
            lambda exc: self._payment_cancelled(None),
        )

    def _payment_cancelled(self: VisitFlow, result: PaymentResult | None) -> None:  # type: ignore[misc]
        if result is not None and result.paid:  # paid while the citizen cancelled: the copy is theirs
            log.warning("payment %s: paid while being cancelled; the visit prints it", result.reference)
            self.audit("visit.payment_paid_during_cancel", {"reference": result.reference})
            self.payment_cancelling = False
            self._payment_result(result)
            return
        self.payment_cancelling = False
        self.payment_expired = False
        self.payment_deadline = None
        self.visit.payment_request = None
        self._go(Screen.review)

    def _pay_at_counter(self: VisitFlow) -> None:  # type: ignore[misc]
        payments, request = self.payments, self.visit.payment_request
        tickets = getattr(self.services, "tickets", None)
        assert request is not None

        def work(report: Any) -> Any:
            payments.choose_cash(request.reference)
            if tickets is None:
                return None
            # issue 25: the ticket in the visit's language, with the fee to pay at the counter
            language, amount = self.visit.language, int(request.amount_vnd)
            return tickets.issue("payment_cash", request.reference, language=language, amount_vnd=amount)

        def done(ticket: Any) -> None:
            self.visit.queue_ticket = ticket
            self._go(Screen.ticket)

        self._run("pay_cash", work, done, lambda exc: self._fail(exc, back_to=Screen.payment))

    def _paid_print(self: VisitFlow, part: str, print_fn: Any) -> Any:  # type: ignore[misc]
        """Run one print of the visit under its payment's permit (or directly, without payments)."""
        payments = self.payments
        if payments is None:
            if self.payment_required:
                raise PaymentRequired("no payment service: nothing is printed unpaid")
            return print_fn()

        permit = self.visit.print_permit
        if permit is None:
            raise PaymentRequired("the visit's payment is not confirmed: nothing is printed")
        return payments.print_with(permit, part, print_fn)

    def receipt_payment(self: VisitFlow) -> dict[str, Any]:  # type: ignore[misc]
        """What the receipt shows of the payment (empty without payments)."""
        permit = self.visit.print_permit
        if self.payments is None or permit is None:
            return {}
        return {
            "copies": self.visit.copies,
            "amount_vnd": permit.amount_vnd,
            "payment_reference": permit.reference,
        }

    def counter_payment(self: VisitFlow) -> None:  # type: ignore[misc]
        """No payment service although payment is required: cash at the counter, through a queue ticket."""
        self.audit("visit.payment", {"method": "cash", "status": "cash_at_counter", "reference": ""})
        if getattr(self.services, "tickets", None) is None:
            self.show_error(
                ErrorInfo("device", "no_payment_service", (Action.call_staff, Action.start_over)),
                back_to=Screen.review,
            )
            return
        self.print_queue_ticket("payment_cash")

    # -- queue ticket and staff call --------------------------------------------------------------------
    def print_queue_ticket(self: VisitFlow, reason: str) -> None:  # type: ignore[misc]
        """The kiosk cannot finish (unsupported document, repeated face failures, staff needed): a ticket."""
        tickets = getattr(self.services, "tickets", None)
        if tickets is None:
            return
        reference = self.visit.payment_request.reference if self.visit.payment_request else ""

        def done(ticket: Any) -> None:
            self.visit.queue_ticket = ticket
            self._go(Screen.ticket)

        # issue 25: the ticket in the visit's language, with the fee when it is to be paid at the counter
        language = self.visit.language
        amount = self.fee_vnd if reason == "payment_cash" and self.visit.pages else None
        self._run(
            "queue_ticket",
            lambda report: tickets.issue(reason, reference, language=language, amount_vnd=amount),
            done,
        )

    def call_staff(self: VisitFlow, reason: str = "citizen_request") -> None:  # type: ignore[misc]
        """Raise a staff call (light + backend); the visit is kept."""
        calls = getattr(self.services, "staff_calls", None)
        if calls is None:
            return
        reference = self.visit.payment_request.reference if self.visit.payment_request else ""
        self.audit("visit.call_staff", {"reason": reason})

        def done(call: Any) -> None:
            self.visit.staff_call = call
            self._changed()

        # not through _run: the citizen may go on with the visit while the call is raised
        self.runner.submit(
            "call_staff", lambda report: calls.raise_call(reason, reference), done, log.warning
        )

    def cancel_staff_call(self: VisitFlow) -> None:  # type: ignore[misc]
        calls = getattr(self.services, "staff_calls", None)
        if calls is None or self.visit.staff_call is None:
            return
        self.visit.staff_call = None
        self._changed()
        self.runner.submit("cancel_staff_call", lambda report: calls.cancel(), lambda _: None, log.warning)

    def _payment_reset(self: VisitFlow, old: Any) -> None:  # type: ignore[misc]
        """At reset: stop a wait still running; an unpaid payment is cancelled on the backend."""
        stop = getattr(old, "payment_stop", None)
        if stop is not None:
            stop.set()
        self.payment_deadline = None
        self.payment_expired = self.payment_cancelling = False
        payments, request, result = self.payments, old.payment_request, old.payment
        if payments is not None and request is not None:
            unpaid = result is None or not result.paid
            services, language, copies = self.services, old.language, old.copies

            def cancel_then_forget(report: Any) -> None:  # one task: forget never runs before the cancel
                try:
                    if unpaid:
                        answer = payments.cancel(request.reference)
                        if answer.paid:  # the bank confirmed as the visit ended: the citizen gets proof
                            paid_after_reset(services, request, copies, language)
                finally:
                    payments.forget(request.reference)

            self.runner.submit("cancel_payment", cancel_then_forget, lambda _: None, log.warning)


def paid_after_reset(services: Any, request: PaymentRequest, copies: int, language: str) -> None:
    """A payment the bank confirmed while the visit was being ended (the cancel and the notice at once,
    issue 25 W10): nothing was certified, so the "fee received" slip with the payment reference prints on
    any printer that works; the counter finds the payment by it (refund or the copy)."""
    log.error("payment %s was paid as the visit ended: printing the fee-received slip", request.reference)
    print_slip = getattr(services, "print_slip", None)
    slip_of = getattr(services, "collect_slip", None)
    if print_slip is None or slip_of is None:
        return
    try:
        print_slip(slip_of(None, request.reference, int(request.amount_vnd), max(1, copies), language))
    except Exception as exc:  # no printer works: the back office still has the payment as paid
        log.error("payment %s: the fee-received slip did not print: %s", request.reference, exc)
