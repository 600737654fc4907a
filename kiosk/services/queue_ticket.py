"""Queue tickets: when the kiosk cannot finish a visit, it sends the citizen to a counter with a number.

Hanoi's service centres call citizens by number. The kiosk prints a ticket on its receipt printer (the
same device, through the same ``print_receipt``: a ticket is laid out as a receipt whose big code is the
queue number) with the number, the counter and the reason, and a QR the counter can scan
(``QUEUE|<number>|<reason>|<visit reference>``, ASCII, no personal data).

Numbers are per kiosk and per day (``A001``…``A999``; the letter is configurable per kiosk so two kiosks
in one hall do not clash), kept in a small file so they survive a restart, and start again each day.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from drivers.base import Receipt
from drivers.errors import DeviceError

log = logging.getLogger(__name__)
VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")


class TicketReason(StrEnum):
    unsupported_document = "unsupported_document"
    face_failures = "face_failures"
    payment_cash = "payment_cash"
    staff_needed = "staff_needed"
    out_of_service = "out_of_service"  # a device the visit needs is down: the counter serves (issue 25)
    paid_not_printed = "paid_not_printed"  # paid, the copy did not print: collect it at the counter


REASON_TEXT = {
    TicketReason.unsupported_document: "Giấy tờ chưa được kiosk hỗ trợ",
    TicketReason.face_failures: "Chưa xác thực được khuôn mặt",
    TicketReason.payment_cash: "Nộp phí bằng tiền mặt",
    TicketReason.staff_needed: "Cần cán bộ hỗ trợ",
    TicketReason.out_of_service: "Kiosk tạm ngừng phục vụ",
    TicketReason.paid_not_printed: "Đã nộp phí, nhận bản sao tại quầy",
}
# Issue 25: a ticket is printed in the visit's language.
REASON_TEXT_EN = {
    TicketReason.unsupported_document: "Document the kiosk cannot certify",
    TicketReason.face_failures: "Face could not be confirmed",
    TicketReason.payment_cash: "Pay the fee in cash",
    TicketReason.staff_needed: "Staff help needed",
    TicketReason.out_of_service: "Kiosk out of service",
    TicketReason.paid_not_printed: "Fee paid, collect the copy at the counter",
}
TICKET_TEXT = {
    "vi": {
        "title": "PHIẾU SỐ THỨ TỰ",
        "counter": "Mời đến: {counter}",
        "reason": "Nội dung: {reason}",
        "amount": "Số tiền cần nộp: {amount}",
        "time": "Thời gian: {time}",
        "reference": "Mã giao dịch: {reference}",
        "take": "Nhớ lấy lại thẻ căn cước và giấy tờ gốc trên mặt kính.",
        "wait": "Vui lòng chờ gọi số. Số thứ tự của Ông/Bà:",
    },
    "en": {
        "title": "QUEUE TICKET",
        "counter": "Please go to: {counter}",
        "reason": "For: {reason}",
        "amount": "Amount to pay: {amount}",
        "time": "Time: {time}",
        "reference": "Visit reference: {reference}",
        "take": "Remember your ID card and your documents on the glass.",
        "wait": "Please wait until your number is called. Your number:",
    },
}


def format_amount(amount_vnd: int) -> str:
    """12.000 đ, as the screens and the receipt print it."""
    return f"{amount_vnd:,}".replace(",", ".") + " đ"


# Where each reason is served; a kiosk's deployment can map them to its own counters.
DEFAULT_COUNTERS = {
    TicketReason.unsupported_document: "Quầy 1 - Tiếp nhận hồ sơ",
    TicketReason.face_failures: "Quầy 1 - Tiếp nhận hồ sơ",
    TicketReason.payment_cash: "Quầy 2 - Thu phí",
    TicketReason.staff_needed: "Quầy 1 - Tiếp nhận hồ sơ",
    TicketReason.out_of_service: "Quầy 1 - Tiếp nhận hồ sơ",
    TicketReason.paid_not_printed: "Quầy 1 - Tiếp nhận hồ sơ",
}


class ReceiptPrinterLike(Protocol):
    def print_receipt(self, receipt: Receipt) -> None: ...


@dataclass(frozen=True)
class QueueTicket:
    number: str
    counter: str
    reason: TicketReason
    issued_at: datetime
    visit_ref: str = ""
    authority: str = ""
    # Which printer printed it (issue 25): "receipt_printer", "document_printer" (the receipt printer
    # failed: the ticket on an A4 page), or "" when none could: the screen shows the number to remember.
    printed_on: str = "receipt_printer"
    # Issue 25: the visit's language, and the fee to pay at the counter (a cash payment) when there is one.
    language: str = "vi"
    amount_vnd: int | None = None

    @property
    def qr_data(self) -> str:
        return f"QUEUE|{self.number}|{self.reason}|{self.visit_ref}"

    def as_receipt(self) -> Receipt:
        """The ticket laid out for the receipt printer: the lines, then the number in large bold, then QR."""
        language = "en" if self.language == "en" else "vi"
        text = TICKET_TEXT[language]
        reason = (REASON_TEXT_EN if language == "en" else REASON_TEXT)[self.reason]
        lines = [
            *([self.authority] if self.authority else []),
            text["title"],
            text["counter"].format(counter=self.counter),
            text["reason"].format(reason=reason),
            *([text["amount"].format(amount=format_amount(self.amount_vnd))] if self.amount_vnd else []),
            text["time"].format(time=f"{self.issued_at.astimezone(VIETNAM_TIME):%d/%m/%Y %H:%M}"),
            *([text["reference"].format(reference=self.visit_ref)] if self.visit_ref else []),
            text["take"],
            text["wait"],
        ]
        return Receipt(code=self.number, lines=tuple(lines), qr_data=self.qr_data, language=language)

    def to_json(self) -> dict[str, str | int | None]:
        return {
            "number": self.number,
            "counter": self.counter,
            "reason": str(self.reason),
            "issued_at": self.issued_at.isoformat(),
            "visit_ref": self.visit_ref,
            "amount_vnd": self.amount_vnd,
        }


class QueueNumbers:
    """The day's next number, in a JSON file written atomically (``{"day": "2026-12-01", "last": 17}``)."""

    def __init__(self, path: Path, *, letter: str = "A") -> None:
        if len(letter) != 1 or not letter.isascii() or not letter.isalpha():
            raise ValueError(f"the ticket letter must be one ASCII letter, got {letter!r}")
        self.path = Path(path)
        self.letter = letter.upper()
        self._lock = threading.Lock()

    def next(self, now: datetime | None = None) -> str:
        day = (now or datetime.now(UTC)).astimezone(VIETNAM_TIME).date().isoformat()
        with self._lock:
            last = 0
            try:
                state = json.loads(self.path.read_text(encoding="utf-8"))
                if state.get("day") == day:
                    last = int(state.get("last", 0))
            except (OSError, ValueError, AttributeError):
                pass  # no file yet, or a damaged one: the day starts again at 1
            number = last % 999 + 1
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.tmp")
            tmp.write_text(json.dumps({"day": day, "last": number}), encoding="utf-8")
            os.replace(tmp, self.path)
        return f"{self.letter}{number:03d}"


class QueueTicketService:
    """Issues and prints tickets. ``issue`` raises the printer's DeviceError when the ticket cannot print
    (the screen then tells the citizen to go to the counter named on screen)."""

    def __init__(
        self,
        printer: ReceiptPrinterLike,
        numbers: QueueNumbers,
        *,
        counters: dict[TicketReason, str] | None = None,
        authority: str = "",
    ) -> None:
        self.printer = printer
        self.numbers = numbers
        self.counters = {**DEFAULT_COUNTERS, **(counters or {})}
        self.authority = authority

    def issue(
        self,
        reason: TicketReason | str,
        visit_ref: str = "",
        now: datetime | None = None,
        *,
        print_slip: Callable[[Receipt], str] | None = None,
        language: str = "vi",
        amount_vnd: int | None = None,
    ) -> QueueTicket:
        """Number a ticket and print it, in the visit's `language`, with the fee to pay (`amount_vnd`)
        for a cash payment. With `print_slip` (kiosk.services.collect.SlipPrinter.print_slip:
        any printer that works) a ticket is issued even when no printer can print it: `printed_on` is then
        "" and the screen shows the number; without it, the receipt printer's DeviceError is raised."""
        why = TicketReason(reason)
        ticket = QueueTicket(
            number=self.numbers.next(now),
            counter=self.counters[why],
            reason=why,
            issued_at=now or datetime.now(UTC),
            visit_ref=visit_ref,
            authority=self.authority,
            language="en" if language == "en" else "vi",
            amount_vnd=amount_vnd,
        )
        if print_slip is None:
            self.printer.print_receipt(ticket.as_receipt())
        else:
            try:
                ticket = replace(ticket, printed_on=print_slip(ticket.as_receipt()))
            except DeviceError as exc:
                log.warning("queue ticket %s could not be printed (%s): shown on screen", ticket.number, exc)
                ticket = replace(ticket, printed_on="")
        log.info("queue ticket %s for %s (%s)", ticket.number, ticket.counter, why)
        return ticket
