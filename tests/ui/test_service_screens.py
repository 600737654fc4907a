"""Issue 25 on the real window (pytest-qt, offscreen, Qt workers): a kiosk whose printer is down shows the
out-of-service screen with the queue ticket's number; a paid copy that did not print shows that the fee was
received, the code, where the slip came out, and "try again" prints it at no charge."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from drivers.base import Receipt
from drivers.errors import PaperJam
from kiosk.flow import Screen
from kiosk.services.queue_ticket import QueueNumbers, QueueTicketService
from kiosk.services.readiness import READY, Readiness
from tests.ui.test_visit import click, run_to_review, wait_screen


class TicketPrinter:
    def __init__(self) -> None:
        self.receipts: list[Receipt] = []

    def print_receipt(self, receipt: Receipt) -> None:
        self.receipts.append(receipt)


def with_devices(services: Any, tmp_path: Any, readiness: Readiness = READY) -> TicketPrinter:
    printer = TicketPrinter()
    services.tickets = QueueTicketService(printer, QueueNumbers(tmp_path / "queue.json"))
    services.check_devices = lambda roles: readiness
    return printer


def test_out_of_service_screen_with_the_ticket_number(
    qtbot: Any, make_kiosk: Any, fake_services: Any, tmp_path: Any
) -> None:
    printer = with_devices(fake_services, tmp_path, Readiness(False, ("document_printer",), ("absent",)))
    kiosk = make_kiosk(fake_services, language="en")
    w = kiosk.window
    click(qtbot, w.screens[Screen.attract].certify)
    wait_screen(qtbot, kiosk, Screen.out_of_service)
    shown = w.screens[Screen.out_of_service]
    number = kiosk.flow.visit.queue_ticket.number
    assert shown.number.text() == number and printer.receipts[-1].code == number
    assert shown.title.text() == "This kiosk cannot make copies right now"
    assert "Nothing has been charged" in shown.instruction.text()
    assert shown.where.text() == "Take your queue ticket from the receipt printer."  # which one (walk W9)
    click(qtbot, shown.go)
    wait_screen(qtbot, kiosk, Screen.attract)


def test_paid_copy_that_did_not_print(qtbot: Any, make_kiosk: Any, fake_services: Any, tmp_path: Any) -> None:
    printer = with_devices(fake_services, tmp_path)
    slips: list[Receipt] = []

    def print_slip(receipt: Receipt) -> str:
        slips.append(receipt)
        return "receipt_printer"

    fake_services.print_slip = print_slip
    fake_services.receipt_of = lambda copy, **paid: Receipt(copy.code, ("BIÊN NHẬN",), copy.code, **paid)
    fake_services.collect_slip = lambda receipt, reference, amount, copies, language: receipt
    marked: list[tuple[str, tuple[str, ...]]] = []
    fake_services.collect = SimpleNamespace(
        mark=lambda code, **kw: marked.append((code, kw["missing"])), collected=lambda code, how: True
    )
    kiosk = make_kiosk(fake_services, language="vi")
    w = kiosk.window
    run_to_review(qtbot, kiosk, pages=1)
    # the visit is paid (the permit the payment step gives) and the A4 printer jams
    kiosk.flow.visit.print_permit = SimpleNamespace(reference="HN001PABCDEFGH", amount_vnd=2000)
    original = fake_services.print_copy
    jams = [PaperJam("jam", category="printer")]

    def jamming(copy: Any, copies: int) -> Any:
        if jams:
            raise jams.pop()
        return original(copy, copies)

    fake_services.print_copy = jamming
    click(qtbot, w.screens[Screen.review].go)
    wait_screen(qtbot, kiosk, Screen.collect)
    shown = w.screens[Screen.collect]
    assert shown.code.text() == "HN001-000042-U"
    assert shown.paid.text() == "Đã nhận phí: 2.000 đ"
    assert "biên nhận" in shown.slip.text()
    # the slip is the receipt: only the copy is owed (walk W12)
    assert marked == [("HN001-000042-U", ("copy",))] and slips[-1].code == "HN001-000042-U"
    assert printer.receipts == []  # no queue ticket: the slip is the receipt itself
    click(qtbot, shown.again)  # try again, free: the jam is cleared
    wait_screen(qtbot, kiosk, Screen.done)
    assert fake_services.printed == [("HN001-000042-U", 1)]
