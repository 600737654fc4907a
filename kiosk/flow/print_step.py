"""Certify and print, and the rule that a paid visit never ends without a way to the copy (issue 25).

Part of `VisitFlow` (a mixin, like `payment_step.PaymentSteps`):

* **Before** a visit starts and again before the payment, the devices the visit needs are asked for their
  state (``services.check_devices``, kiosk.services.readiness). A kiosk that cannot finish shows the
  out-of-service screen with a queue ticket for the counter; no payment is opened.
* **Printing** goes in two steps, the A4 copy then the receipt, each retried on its own.
* **A paid copy that does not print** (certify, the copy or the receipt fails after the payment): the copy
  is marked paid-not-printed in the store (``services.collect``), a "paid, copy to collect" slip prints on
  whatever printer works (``services.print_slip``: the receipt printer, else A4), and the collect screen
  says the fee was received and shows the code; "try again" prints under the same payment, at no charge.
  A receipt that fails after the copy printed is first printed on A4: the visit then ends as usual.
* **A reset of a paid visit** that had not delivered everything (the citizen walked away from a screen, the
  idle time ran out) delivers the slip first, on the runner, before the next visit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kiosk.flow.contracts import Report
from kiosk.flow.errors import classify_error
from kiosk.flow.record import Screen, VisitRecord
from kiosk.services.readiness import DOCUMENT_PRINTER, PAYMENT_DEVICES, RECEIPT_PRINTER, Readiness

if TYPE_CHECKING:
    from kiosk.flow.machine import VisitFlow
    from kiosk.pipeline.visit_pipeline import CertifiedCopy

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CollectState:
    """What the collect screen shows: the fee was received, the code (or the payment reference when the
    copy could not even be certified), where the slip printed ("" = nowhere: the screen is the only proof),
    and what is missing."""

    code: str
    reference: str
    amount_vnd: int
    copies: int
    printed_on: str
    missing: tuple[str, ...]
    ticket: Any = None  # kiosk.services.queue_ticket.QueueTicket when the copy has no code
    error_kind: str = ""  # why it did not print (paper_out, device...), for the screen and the log


@dataclass(frozen=True)
class _PaidVisit:
    """A snapshot of what a paid visit delivered, taken on the GUI thread for the work on the runner."""

    copy: Any
    code: str
    reference: str
    amount_vnd: int
    copies: int
    language: str
    copy_printed: bool
    receipt_printed: bool


def _paid_visit(visit: VisitRecord) -> _PaidVisit | None:
    permit = visit.print_permit
    if permit is None:
        return None
    copy = visit.copy
    return _PaidVisit(
        copy,
        str(getattr(copy, "code", "") or ""),
        str(getattr(permit, "reference", "") or ""),
        int(getattr(permit, "amount_vnd", 0) or 0),
        visit.copies,
        visit.language,
        visit.copy_printed,
        visit.receipt_printed,
    )


class PrintSteps:
    """Mixed into VisitFlow; uses its _go, _run, _fail, show_error, audit, visit and services."""

    # -- can the kiosk finish? -------------------------------------------------------------------------
    def _check_then(self: VisitFlow, roles: tuple[str, ...], then: Callable[[], None]) -> None:  # type: ignore[misc]
        """Go on with `then` when the devices in `roles` work; else the out-of-service screen."""
        check = getattr(self.services, "check_devices", None)
        if check is None:  # services without devices (tests, files): nothing to ask
            then()
            return

        def checked(readiness: Readiness) -> None:
            if getattr(readiness, "ok", True):
                then()
            else:
                self._out_of_service(readiness)

        def failed(exc: BaseException) -> None:  # asking failed (a bug): the print step still protects
            log.warning("the device check failed: %s", exc, exc_info=exc)
            then()

        self._run("check_devices", lambda report: check(roles), checked, failed)
        self._changed()

    def _out_of_service(self: VisitFlow, readiness: Readiness) -> None:  # type: ignore[misc]
        """A device the visit needs is down: a queue ticket (on any printer that works) for the counter."""
        self.visit.readiness = readiness
        self.audit("kiosk.out_of_service", readiness.to_json())
        self.call_staff("out_of_service")  # the screen says staff have been told: the light and /ops know
        tickets = getattr(self.services, "tickets", None)
        print_slip = getattr(self.services, "print_slip", None)
        reference = self.visit.payment_request.reference if self.visit.payment_request else ""
        language = self.visit.language  # issue 25: the ticket in the visit's language

        def shown(ticket: Any) -> None:
            self.visit.queue_ticket = ticket
            self._go(Screen.out_of_service)

        if tickets is None:
            shown(None)
            return
        self._run(
            "queue_ticket",
            lambda report: tickets.issue(
                "out_of_service", reference, print_slip=print_slip, language=language
            ),
            shown,
            lambda exc: shown(None),
        )

    def idle_ticket_offered(self: VisitFlow) -> bool:  # type: ignore[misc]
        """Issue 25 walk: the out-of-service screen the idle re-check put up offers a queue ticket for the
        counter, as a visit's does, when a printer can print it (any printer through ``print_slip``, else the
        receipt printer) and none has been taken on this screen yet."""
        if not (self.screen == Screen.out_of_service and self.visit.idle_out_of_service):
            return False
        if getattr(self.services, "tickets", None) is None or self.visit.queue_ticket is not None:
            return False
        missing = set(getattr(self.visit.readiness, "missing", ()) or ())
        if getattr(self.services, "print_slip", None) is not None:
            return not {DOCUMENT_PRINTER, RECEIPT_PRINTER} <= missing
        return RECEIPT_PRINTER not in missing

    def take_idle_ticket(self: VisitFlow) -> None:  # type: ignore[misc]
        """ "Lấy số thứ tự" on the idle out-of-service screen: a ticket for the counter; the screen shows
        its number until `done_timeout_s` passes, and the kiosk stays out of service."""
        if self.busy or not self.idle_ticket_offered():
            return
        tickets = self.services.tickets  # type: ignore[attr-defined]  # idle_ticket_offered: it has one
        print_slip = getattr(self.services, "print_slip", None)
        language = self.visit.language

        def shown(ticket: Any) -> None:
            self.visit.queue_ticket = ticket
            self.touch()
            self._changed()

        def failed(exc: BaseException) -> None:  # the printer failed after all: the screen stays as it was
            log.warning("the idle out-of-service ticket failed: %s", exc)
            self._changed()

        self.audit("kiosk.out_of_service_ticket", {})
        self._run(
            "queue_ticket",
            lambda report: tickets.issue("out_of_service", "", print_slip=print_slip, language=language),
            shown,
            failed,
        )
        self._changed()

    def check_payment_devices_then(self: VisitFlow, then: Callable[[], None]) -> None:  # type: ignore[misc]
        """Before the money: the printers that deliver what is paid for must work."""
        self._check_then(PAYMENT_DEVICES, then)

    # -- certify and print -----------------------------------------------------------------------------
    def _certify(self: VisitFlow) -> None:  # type: ignore[misc]
        self.visit.progress_stage, self.visit.progress = "start", 0.0
        self._go(Screen.processing)
        visit = self.visit
        self._run(
            "certify",
            lambda report: self.services.certify(visit, report),
            self._certified,
            self._certify_failed,
            with_progress=True,
        )

    def _certify_failed(self: VisitFlow, exc: BaseException) -> None:  # type: ignore[misc]
        if self.visit.print_permit is not None:  # paid, and no copy: the payment reference is the key
            self._paid_not_printed(exc)
            return
        self._fail(exc, back_to=Screen.review)

    def _certified(self: VisitFlow, copy: CertifiedCopy) -> None:  # type: ignore[misc]
        self.visit.copy = copy
        self.visit.copy_printed = False
        self.visit.receipt_printed = False
        self.audit(
            "visit.certified", {"code": str(getattr(copy, "code", "")), "pages": len(self.visit.pages)}
        )
        self._print()

    def _print(self: VisitFlow) -> None:  # type: ignore[misc]
        """Print in two steps, the A4 copy then the receipt; a retry redoes only the step that failed."""
        self._go(Screen.printing)
        copy, copies = self.visit.copy, self.visit.copies
        if self.visit.copy_printed:
            self._print_receipt()
            return

        def work(report: Report) -> None:
            report("print_copy", 0.1)
            self._paid_print("copy", lambda: self.services.print_copy(copy, copies))  # type: ignore[arg-type]

        self._run("print_copy", work, self._copy_printed, self._print_failed, with_progress=True)

    def _copy_printed(self: VisitFlow, _result: object) -> None:  # type: ignore[misc]
        self.visit.copy_printed = True
        self._print_receipt()

    def _print_receipt(self: VisitFlow) -> None:  # type: ignore[misc]
        copy = self.visit.copy

        def work(report: Report) -> None:
            report("print_receipt", 0.8)
            paid = self.receipt_payment()  # copies, fee and payment reference, when the visit paid
            self._paid_print("receipt", lambda: self.services.print_receipt(copy, **paid))  # type: ignore[arg-type]
            report("printed", 1.0)

        self._run("print_receipt", work, self._all_printed, self._print_failed, with_progress=True)

    def _all_printed(self: VisitFlow, _result: object = None) -> None:  # type: ignore[misc]
        self.visit.receipt_printed = True
        collect, state = getattr(self.services, "collect", None), self.visit.collect
        if collect is not None and state is not None and state.code:  # printed after all: nothing owed
            code = state.code
            self.runner.submit(
                "collected", lambda report: collect.collected(code, "printed"), lambda _: None, log.warning
            )
        if state is not None and state.printed_on and state.missing:  # its slip is void now (walk W9)
            self.visit.void_slip = True
        self.visit.collect = None
        self._go(Screen.done)

    def _print_failed(self: VisitFlow, exc: BaseException) -> None:  # type: ignore[misc]
        if self.visit.print_permit is None:  # nothing paid: the error screen, try again
            self._fail(exc, back_to=Screen.printing)
            return
        self._paid_not_printed(exc)

    def retry_print(self: VisitFlow) -> None:  # type: ignore[misc]
        """ "Try again" on the collect screen: certify or print what is missing, under the same payment."""
        if self.screen != Screen.collect or self.busy:
            return
        if self.visit.copy is None:
            self._certify()
        else:
            self._print()

    # -- a paid visit that did not deliver ------------------------------------------------------------
    def _paid_not_printed(self: VisitFlow, exc: BaseException) -> None:  # type: ignore[misc]
        """Mark, print the slip on any printer that works, then the collect screen with the code."""
        paid = _paid_visit(self.visit)
        assert paid is not None
        kind = classify_error(exc).kind
        log.warning("paid visit %s did not print (%s): %s", paid.reference, kind, exc)
        self.visit.progress_stage = "print_receipt"
        self._changed()

        slip_out = self.visit.collect.printed_on if self.visit.collect is not None else ""

        def done(state: CollectState) -> None:
            if not state.missing:  # the receipt printed on A4 after the copy: nothing is owed
                self.visit.receipt_printed_on = state.printed_on  # the done screen says where it came out
                self._all_printed()
                return
            self.visit.collect = state
            self.visit.queue_ticket = state.ticket
            self.audit(
                "visit.paid_not_printed",
                {
                    "code": state.code,
                    "reference": state.reference,
                    "missing": list(state.missing),
                    "kind": kind,
                },
            )
            self._go(Screen.collect)

        self._run(
            "collect_slip",
            lambda report: self._deliver_collect(paid, kind, slip_out=slip_out),
            done,
            self._fail,
        )

    def _deliver_collect(  # type: ignore[misc]
        self: VisitFlow, paid: _PaidVisit, kind: str = "", *, slip_out: str = ""
    ) -> CollectState:
        """On the runner: what a paid visit that did not print leaves the citizen with. Never raises.
        `slip_out` names the printer its collect slip already came out of ("try again" with the printer
        still down): the citizen holds it, so no second one prints (walk W9)."""
        services = self.services
        print_slip = getattr(services, "print_slip", None)
        missing = tuple(
            part
            for part, printed in (("copy", paid.copy_printed), ("receipt", paid.receipt_printed))
            if not printed
        )
        if not paid.code:  # not even certified: a queue ticket (any printer), the payment reference
            ticket, printed_on = None, ""
            tickets = getattr(services, "tickets", None)
            if tickets is not None:
                try:
                    ticket = tickets.issue(
                        "paid_not_printed", paid.reference, print_slip=print_slip, language=paid.language
                    )
                    printed_on = str(getattr(ticket, "printed_on", "receipt_printer"))
                except Exception as exc:
                    log.warning("paid visit %s: no ticket: %s", paid.reference, exc)
            return CollectState(
                "", paid.reference, paid.amount_vnd, paid.copies, printed_on, ("copy",), ticket, kind
            )
        receipt = self._paid_receipt(paid)
        if missing == ("receipt",) and receipt is not None and print_slip is not None:
            try:  # the copy is out: the receipt itself on any printer that works, and the visit is whole
                where = str(print_slip(receipt) or "")
                return CollectState(
                    paid.code, paid.reference, paid.amount_vnd, paid.copies, where, (), None, kind
                )
            except Exception as exc:
                log.warning("copy %s: the receipt did not print on any printer: %s", paid.code, exc)
        printed_on = slip_out
        slip_of = getattr(services, "collect_slip", None)
        if print_slip is not None and slip_of is not None and not slip_out:
            try:
                printed_on = str(
                    print_slip(slip_of(receipt, paid.reference, paid.amount_vnd, paid.copies, paid.language))
                )
            except Exception as exc:
                log.warning("copy %s: the collect slip did not print on any printer: %s", paid.code, exc)
        # The slip is the receipt (code, fee, reference, secret) under its heading: once it is out, only the
        # copy is owed, and the list (maintenance, the back office) says so (walk W9/W12).
        owed = tuple(p for p in missing if p != "receipt") if printed_on and receipt is not None else missing
        collect = getattr(services, "collect", None)
        if collect is not None and owed:
            try:
                collect.mark(
                    paid.code,
                    reference=paid.reference,
                    amount_vnd=paid.amount_vnd,
                    copies=paid.copies,
                    missing=owed,
                )
            except Exception as exc:  # the screen and the slip still carry the code
                log.error("copy %s: cannot mark it paid, not printed: %s", paid.code, exc)
        return CollectState(
            paid.code, paid.reference, paid.amount_vnd, paid.copies, printed_on, missing, None, kind
        )

    def _paid_receipt(self: VisitFlow, paid: _PaidVisit) -> Any:  # type: ignore[misc]
        receipt_of = getattr(self.services, "receipt_of", None)
        if receipt_of is None or paid.copy is None:
            return None
        try:
            return receipt_of(
                paid.copy, copies=paid.copies, amount_vnd=paid.amount_vnd, payment_reference=paid.reference
            )
        except Exception as exc:
            log.warning("copy %s: no receipt to print: %s", paid.code, exc)
            return None

    def _paid_reset(self: VisitFlow, old: VisitRecord) -> None:  # type: ignore[misc]
        """At reset: a paid visit that has not delivered, and has no slip yet, gets its slip now."""
        paid = _paid_visit(old)
        if paid is None or old.collect is not None or (paid.copy_printed and paid.receipt_printed):
            return
        log.warning("paid visit %s reset before it delivered: printing the collect slip", paid.reference)
        self.audit("visit.paid_reset", {"code": paid.code, "reference": paid.reference})
        # not through _run: the new visit's generation must not drop it
        self.runner.submit(
            "collect_slip", lambda report: self._deliver_collect(paid, "reset"), lambda _: None, log.warning
        )
