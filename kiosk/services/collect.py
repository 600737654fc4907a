"""A paid copy that did not print is never lost (issue 25).

When a paid visit's copy or receipt cannot be printed, the kiosk

* marks the copy paid-not-printed in its store (offline_sync.uncollected: the PDF is kept, the heartbeat
  lists it for the city's back office);
* prints a "paid, copy to collect" slip on whatever printer works (`SlipPrinter`: the receipt printer, else
  the slip drawn on an A4 page); the slip is the receipt (code, fee, payment reference, retrieval secret)
  under a heading that says the fee was received and where to collect the copy;
* and the screen says the fee was received and shows the code (kiosk.flow.print_step).

A technician (maintenance) or the counter prints the copy again at no charge (`Collect.free_reprint`),
which closes the row. It prints what the row lists as missing (walk W12): the copy, and the receipt when no
slip carried it (then a receipt of the code, fee and payment reference; the retrieval secret is not kept on
the kiosk, so it cannot be printed again).
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from drivers.base import Receipt
from drivers.errors import DeviceError
from drivers.receipt_render import render_receipt
from kiosk.errors import UnknownCodeError
from kiosk.services.queue_ticket import VIETNAM_TIME
from offline_sync.uncollected import Uncollected, UncollectedBook

log = logging.getLogger(__name__)

RECEIPT_PRINTER, DOCUMENT_PRINTER = "receipt_printer", "document_printer"

SLIP_TEXT = {
    "vi": {
        "heading": "ĐÃ NHẬN PHÍ - BẢN SAO CHỜ NHẬN",
        "why": "Máy in gặp sự cố: bản sao của Ông/Bà đã được lưu.",
        "collect": "Mang phiếu này và CCCD đến {counter} để nhận bản sao, không mất thêm phí.",
        "no_code": "Bản sao chưa được cấp mã. Cán bộ tra cứu theo mã thanh toán.",
        "reference": "Mã thanh toán: {reference}",
        "amount": "Số tiền đã nộp: {amount} đ",
    },
    "en": {
        "heading": "FEE RECEIVED - COPY TO COLLECT",
        "why": "The printer failed: your copy is saved.",
        "collect": "Bring this slip and your ID card to {counter} to collect the copy, at no extra charge.",
        "no_code": "The copy has no code yet. Staff find it by the payment reference.",
        "reference": "Payment reference: {reference}",
        "amount": "Fee paid: {amount} VND",
    },
}
REPRINT_RECEIPT_TEXT = {
    "heading": "BIÊN NHẬN - ĐÃ NHẬN PHÍ (IN LẠI MIỄN PHÍ)",
    "code": "Mã bản sao: {code}",
    "reference": "Mã thanh toán: {reference}",
    "note": "Tra cứu bản sao bằng mã QR trên phiếu này.",
}
COLLECT_COUNTER = {"vi": "Quầy 1 - Tiếp nhận hồ sơ", "en": "counter 1 (reception)"}


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def collect_slip(
    base: Receipt | None,
    *,
    reference: str,
    amount_vnd: int,
    copies: int,
    authority: str = "",
    language: str = "vi",
    issued_at: datetime | None = None,
) -> Receipt:
    """The "paid, copy to collect" slip: the visit's receipt (`base`, when the copy was certified) under a
    heading saying the fee was received; without a certified copy, the payment reference is the key."""
    text = SLIP_TEXT["en" if language == "en" else "vi"]
    counter = COLLECT_COUNTER["en" if language == "en" else "vi"]
    head = (
        *([authority] if authority else []),
        text["heading"],
        text["why"],
        text["collect"].format(counter=counter),
    )
    if base is not None:
        return replace(
            base,
            # the receipt's lines under the slip's heading (which has the authority and replaces the title)
            lines=(*head, *(base.lines[2:] if base.lines[:1] == (authority,) else base.lines)),
            copies=base.copies or copies,
            amount_vnd=base.amount_vnd if base.amount_vnd is not None else amount_vnd,
            payment_reference=base.payment_reference or reference,
        )
    when = f"{(issued_at or datetime.now(VIETNAM_TIME)).astimezone(VIETNAM_TIME):%d/%m/%Y %H:%M}"
    lines = (*head, text["no_code"], text["reference"].format(reference=reference), when)
    return Receipt(
        code=reference,
        lines=lines,
        qr_data=f"PAID|{reference}",
        copies=copies,
        amount_vnd=amount_vnd,
        payment_reference=reference,
        language="en" if language == "en" else "vi",  # issue 25: receipt_render's labels too
    )


def reprint_receipt(item: Uncollected, *, authority: str = "") -> Receipt:
    """The receipt of a paid copy printed again at no charge (its original receipt never printed)."""
    text = REPRINT_RECEIPT_TEXT
    lines = (
        *([authority] if authority else []),
        text["heading"],
        text["code"].format(code=item.code),
        text["reference"].format(reference=item.payment_reference),
        text["note"],
    )
    return Receipt(
        code=item.code,
        lines=lines,
        qr_data=item.code,
        copies=item.copies,
        amount_vnd=item.amount_vnd,
        payment_reference=item.payment_reference,
    )


class SlipPrinter:
    """Prints a receipt (or a queue ticket, or a slip) on whatever printer works: the receipt printer, else
    the receipt drawn on an A4 page by the document printer. `print_slip` names the printer that took it."""

    def __init__(self, receipt_printer: Any, document_printer: Any, work_dir: Path | None = None) -> None:
        self.receipt_printer = receipt_printer
        self.document_printer = document_printer
        self.work_dir = work_dir

    def print_slip(self, receipt: Receipt) -> str:
        """The printer that printed it; the last DeviceError when none could."""
        failure: DeviceError | None = None
        if self.receipt_printer is not None:
            try:
                self.receipt_printer.print_receipt(receipt)
                return RECEIPT_PRINTER
            except DeviceError as exc:
                failure = exc
                log.warning("slip %s: the receipt printer failed (%s); trying A4", receipt.code, exc.reason)
        if self.document_printer is not None:
            try:
                self._print_on_a4(receipt)
                return DOCUMENT_PRINTER
            except DeviceError as exc:
                failure = exc
                log.warning("slip %s: the A4 printer failed too (%s)", receipt.code, exc.reason)
        raise failure or DeviceError("no printer to print the slip on", category="printer")

    # The receipt printer's picture, on an A4 page: 80 mm wide at 203 dpi, placed at the top.
    def _print_on_a4(self, receipt: Receipt) -> None:
        image = render_receipt(receipt, 80).convert("L")
        folder = self.work_dir if self.work_dir is not None else Path(tempfile.gettempdir())
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(prefix="slip-", suffix=".pdf", dir=folder)
        os.close(descriptor)
        path = Path(name)
        try:
            image.save(path, format="PDF", resolution=203.0)
            self.document_printer.print_pdf(path, copies=1, title=f"slip-{receipt.code}")
        finally:
            path.unlink(missing_ok=True)


@dataclass
class Collect:
    """The paid-not-printed copies of this kiosk: marking, listing, and the free reprint."""

    book: Callable[[], UncollectedBook]
    copy_pdf: Callable[[str], Path | None]  # the kept PDF of a code (None: not kept here)
    document_printer: Callable[[], Any]
    # a receipt on whatever printer works (PipelineServices.print_slip): the free reprint's missing receipt
    print_slip: Callable[[Receipt], str] | None = None
    authority: str = ""

    def mark(
        self, code: str, *, reference: str, amount_vnd: int, copies: int, missing: tuple[str, ...]
    ) -> None:
        self.book().mark(
            code, payment_reference=reference, amount_vnd=amount_vnd, copies=copies, missing=missing
        )
        log.warning("copy %s paid (%s) but not printed: %s", code, reference, ", ".join(missing))

    def collected(self, code: str, how: str) -> bool:
        return self.book().collected(code, how)

    def open(self) -> list[Uncollected]:
        return self.book().open()

    def free_reprint(self, code: str) -> Any:
        """Print an uncollected copy again, at no charge (the fee was paid), and close its row."""
        item = self.book().get(code)
        if item is None or item.collected_at is not None:
            raise UnknownCodeError(f"{code} is not a paid copy waiting to be collected", subject=code)
        job = None
        if "copy" in item.missing or not item.missing:
            pdf = self.copy_pdf(code)
            if pdf is None or not pdf.is_file():
                raise UnknownCodeError(f"the copy {code} is not kept on this kiosk", subject=code)
            job = self.document_printer().print_pdf(pdf, copies=item.copies, title=code)
        if "receipt" in item.missing and self.print_slip is not None:
            try:  # what the list said was missing, all of it (walk W12)
                where = self.print_slip(reprint_receipt(item, authority=self.authority))
                log.info("copy %s: its receipt printed at no charge (%s)", code, where)
            except DeviceError as exc:
                if job is None:  # only the receipt was owed, and it did not print: the row stays
                    raise
                # the copy is out, which is what the citizen came for
                log.warning("copy %s: the copy printed again, its receipt did not (%s)", code, exc.reason)
        self.book().collected(code, "free_reprint")
        log.info("copy %s printed again at no charge (%d copies)", code, item.copies)
        return job
