"""Issue 25: the screens that keep a visit from ending in nothing.

* `OutOfServiceScreen`: a device the visit needs is down (checked before the visit starts and again before
  the payment): no visit starts, no money is taken, a queue ticket sends the citizen to the counter.
* `CollectScreen`: the fee was paid but the copy (or its receipt) did not print: the screen says the fee was
  received, shows the code (the payment reference when the copy has none yet), says where the "paid, copy
  to collect" slip came out, and offers to try again at no charge.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt

from kiosk.flow import Screen
from ui import messages
from ui.screen_registry import screen
from ui.screens_visit import format_vnd
from ui.widgets import ScreenBase, TicketCard, make_button, make_card_frame, make_label, mark_primary

if TYPE_CHECKING:
    from kiosk.flow import VisitFlow


@screen(
    Screen.out_of_service,
    shots={
        "25-out-of-service": {
            "readiness": SimpleNamespace(ok=False, missing=("document_printer",), reasons=("paper_out",)),
            "queue_ticket": SimpleNamespace(
                number="A013",
                counter="Quầy 1 - Tiếp nhận hồ sơ",
                reason="out_of_service",
                printed_on="receipt_printer",
            ),
        }
    },
)
class OutOfServiceScreen(ScreenBase):
    """The kiosk cannot finish a visit now: nothing was taken, the counter serves, with a ticket."""

    def __init__(self, host: Any) -> None:
        super().__init__(host)
        self.card = TicketCard(self.body)
        self.number, self.counter, self.where = self.card.number, self.card.counter, self.card.detail
        self.take = make_label(align=Qt.AlignmentFlag.AlignCenter)  # issue 25: what is on the glass
        self.body.addWidget(self.take)
        self.body.addStretch(1)
        self.countdown = make_label("muted")
        self.footer.addWidget(self.countdown, 1)
        # issue 25 walk: the screen the idle re-check put up offers a ticket, as a visit's does
        self.ticket = make_button(primary=True, on_click=self._take_ticket)
        self.footer.addWidget(self.ticket)
        self.go = make_button(primary=True, on_click=self.flow.finish)
        self.footer.addWidget(self.go)

    def _take_ticket(self) -> None:
        take = getattr(self.flow, "take_idle_ticket", None)
        if take is not None:
            take()

    def tick(self, seconds_left: float) -> None:
        if self.flow.screen != Screen.out_of_service:
            return
        if not self.flow.visit.idle_out_of_service:  # an idle one stays (its ticket's number goes quietly)
            self.countdown.setText(self.tr("This screen closes in %d s.") % max(0, int(seconds_left + 0.999)))

    def show_state(self, flow: VisitFlow) -> None:
        ticket = flow.visit.queue_ticket if flow.screen == Screen.out_of_service else None
        self.step.setText(self.tr("Out of service"))
        self.title.setText(self.tr("This kiosk cannot make copies right now"))
        if flow.visit.idle_out_of_service:  # found while no one used the kiosk: no visit, nothing charged
            self.instruction.setText(
                self.tr("Staff have been told. A clerk will serve you at the counter.")
                + " "
                + self.tr("The kiosk comes back by itself once it works again.")
            )
        else:
            self.instruction.setText(
                self.tr(
                    "Nothing has been charged. Staff have been told. A clerk will serve you at the counter."
                )
            )
        number = str(getattr(ticket, "number", "") or "")
        printed_on = str(getattr(ticket, "printed_on", "") or "")
        if not number:
            where = ""
        elif printed_on == "document_printer":  # walk W9: say which printer (the receipt one is broken)
            where = self.tr("Take your queue ticket from the large printer.")
        elif printed_on:
            where = self.tr("Take your queue ticket from the receipt printer.")
        else:
            where = self.tr("The ticket could not be printed: please remember this number.")
        self.card.show(
            self.title,
            high_contrast=self.host.high_contrast,
            number_label=self.tr("Your number") if number else "",
            number=number,
            counter=str(getattr(ticket, "counter", "") or self.tr("Please go to the counter.")),
            detail=where,
        )
        holds = flow.visit.card is not None or bool(flow.visit.pages)  # checked again before the payment
        self.take.setText(messages.take_things() if holds else "")
        self.take.setVisible(holds)
        idle = flow.visit.idle_out_of_service
        if flow.screen != Screen.out_of_service or idle:  # the latter stays up
            self.countdown.setText("")
        offered = bool(getattr(flow, "idle_ticket_offered", lambda: False)())
        self.ticket.setText(self.tr("Get a queue number"))
        self.ticket.setVisible(offered)
        self.ticket.setEnabled(offered and not flow.busy)
        if idle and offered:
            self.instruction.setText(
                self.instruction.text()
                + " "
                + self.tr("Press “%1” for your turn at the counter.").replace("%1", self.ticket.text())
            )
        self.go.setText(self.tr("Finish"))
        mark_primary(self.go, not offered)  # the ticket, when offered, is the way forward


@screen(
    Screen.collect,
    shots={
        "26-paid-not-printed": {
            "copies": 1,
            "collect": SimpleNamespace(
                code="HN001-000042-U",
                reference="HN001PK7Q2M9XA",
                amount_vnd=4000,
                copies=1,
                printed_on="receipt_printer",
                missing=("copy", "receipt"),
                ticket=None,
                error_kind="paper_out",
            ),
        }
    },
)
class CollectScreen(ScreenBase):
    """Paid, and the copy did not print: the fee was received, the code, the slip, try again for free."""

    def __init__(self, host: Any) -> None:
        super().__init__(host)
        self.paid = make_label("title", align=Qt.AlignmentFlag.AlignCenter)
        self.paid.setProperty("role", "ok")
        self.body.addWidget(self.paid)
        frame, box = make_card_frame()
        self.code_label = make_label("muted", align=Qt.AlignmentFlag.AlignCenter)
        self.code = make_label("huge", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.slip = make_label(align=Qt.AlignmentFlag.AlignCenter)
        for widget in (self.code_label, self.code, self.slip):
            box.addWidget(widget)
        self.body.addWidget(frame)
        self.take = make_label(align=Qt.AlignmentFlag.AlignCenter)  # issue 25: the card and the original
        self.body.addWidget(self.take)
        self.body.addStretch(1)
        self.countdown = make_label("muted")
        self.again = make_button(on_click=self._again)
        self.go = make_button(primary=True, on_click=self.flow.finish)
        self.footer.addWidget(self.countdown, 1)
        self.footer.addWidget(self.again)
        self.footer.addWidget(self.go)

    def _again(self) -> None:
        retry = getattr(self.flow, "retry_print", None)
        if retry is not None:
            retry()

    def tick(self, seconds_left: float) -> None:
        if self.flow.screen == Screen.collect:
            self.countdown.setText(self.tr("This screen closes in %d s.") % max(0, int(seconds_left + 0.999)))

    def show_state(self, flow: VisitFlow) -> None:
        state = flow.visit.collect if flow.screen == Screen.collect else None
        code = str(getattr(state, "code", "") or "")
        ticket = getattr(state, "ticket", None)
        self.step.setText(self.tr("Fee received"))
        self.title.setText(self.tr("The printer has a problem: your copy is saved"))
        self.instruction.setText(
            self.tr("Collect your copy at the counter at no extra charge, with your ID card and this code.")
        )
        amount = int(getattr(state, "amount_vnd", 0) or 0)
        self.paid.setText(self.tr("Fee received: %s") % format_vnd(amount))
        if code:
            self.code_label.setText(self.tr("Code of the copy"))
            self.code.setText(code)
        elif ticket is not None:
            self.code_label.setText(
                self.tr("Your number (payment reference %s)") % str(getattr(state, "reference", ""))
            )
            self.code.setText(str(getattr(ticket, "number", "")))
        else:
            self.code_label.setText(self.tr("Payment reference"))
            self.code.setText(str(getattr(state, "reference", "") or ""))
        printed_on = str(getattr(state, "printed_on", "") or "")
        if printed_on == "receipt_printer":
            self.slip.setText(
                self.tr("Take the slip “Fee received – copy to collect” from the receipt printer.")
            )
        elif printed_on == "document_printer":
            self.slip.setText(
                self.tr("Take the slip “Fee received – copy to collect” from the large printer.")
            )
        else:
            self.slip.setText(self.tr("No slip could be printed: please write down or photograph this code."))
        reason = str(getattr(state, "error_kind", "") or "")
        self.slip.setToolTip(messages.text(messages.ERROR_TITLES, reason, "device") if reason else "")
        self.take.setText(messages.take_things())
        if flow.screen != Screen.collect:
            self.countdown.setText("")
        self.again.setText(self.tr("Try printing again (free)"))
        self.again.setEnabled(not flow.busy)
        self.go.setText(self.tr("Finish"))
