"""Queue tickets on the receipt printer: literal ESC/POS bytes, the pty printer, the PNG of the simulated one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pyzbar import pyzbar

from drivers.base import Receipt
from drivers.escpos_serial import EscposSerialPrinter, receipt_bytes
from drivers.receipt_render import receipt_lines, render_receipt
from drivers.sim_printers import SimulatedReceiptPrinter
from kiosk.services.queue_ticket import QueueNumbers, QueueTicket, QueueTicketService, TicketReason
from tests.drivers.escpos_virtual_printer import VirtualEscposPrinter

WHEN = datetime(2026, 12, 1, 8, 11, tzinfo=UTC)  # 15:11 in Hanoi
TICKET = QueueTicket("A017", "Quầy 2 - Thu phí", TicketReason.payment_cash, WHEN, "HN001PABCDEFGH")

# The ticket in CP1258 text mode, byte for byte: ESC @, ESC t 52, the lines (tone marks as CP1258's
# combining characters; the take-your-things reminder of issue 25 before the call line), centre + bold + double size, the number, back to normal, the native QR
# (model 2, module size 6, error level L, store, print), feed, full cut.
GOLDEN = (
    b"\x1b@"
    b"\x1bt\x34"
    b"PHI\xca\xecU S\xd4\xec TH\xdd\xec T\xdd\xf2\n"
    b"M\xf5\xcci \xf0\xea\xecn: Qu\xe2\xccy 2 - Thu ph\xed\n"
    b"N\xf4\xf2i dung: N\xf4\xf2p ph\xed b\xe3\xccng ti\xea\xccn m\xe3\xf2t\n"
    b"Th\xf5\xcci gian: 01/12/2026 15:11\n"
    b"Ma\xde giao di\xf2ch: HN001PABCDEFGH\n"
    b"Nh\xf5\xec l\xe2\xecy la\xf2i the\xd2 c\xe3n c\xfd\xf5\xecc v\xe0 gi\xe2\xecy t\xf5\xcc g\xf4\xecc tr\xean m\xe3\xf2t k\xednh.\n"
    b"Vui lo\xccng ch\xf5\xcc go\xf2i s\xf4\xec. S\xf4\xec th\xfd\xec t\xfd\xf2 cu\xd2a \xd4ng/B\xe0:\n"
    b"\x1ba\x01\x1bE\x01\x1d!\x11"
    b"A017\n"
    b"\x1d!\x00\x1bE\x00"
    b"\x1d(k\x04\x00\x31\x41\x32\x00"
    b"\x1d(k\x03\x00\x31\x43\x06"
    b"\x1d(k\x03\x00\x31\x45\x30"
    b"\x1d(k\x29\x00\x31\x50\x30QUEUE|A017|payment_cash|HN001PABCDEFGH"
    b"\x1d(k\x03\x00\x31\x51\x30"
    b"\n\x1ba\x00"
    b"\x1bd\x06\x1dV\x00"
)


class Recorder:
    def __init__(self) -> None:
        self.receipts: list[Receipt] = []

    def print_receipt(self, receipt: Receipt) -> None:
        self.receipts.append(receipt)


def test_ticket_bytes_are_golden() -> None:
    assert receipt_bytes(TICKET.as_receipt(), paper_mm=80, text_mode="cp1258") == GOLDEN


def test_ticket_content() -> None:
    receipt = TICKET.as_receipt()
    assert receipt.code == "A017"
    assert "Mời đến: Quầy 2 - Thu phí" in receipt.lines
    assert "Nội dung: Nộp phí bằng tiền mặt" in receipt.lines
    assert "Thời gian: 01/12/2026 15:11" in receipt.lines
    assert receipt.qr_data.isascii()


@pytest.fixture
def virtual() -> Iterator[VirtualEscposPrinter]:
    printer = VirtualEscposPrinter()
    yield printer
    printer.close()


def test_ticket_on_the_serial_printer(virtual: VirtualEscposPrinter, tmp_path: Path) -> None:
    with EscposSerialPrinter(virtual.path, paper_mm=80, reply_timeout=0.3, text_mode="cp1258") as printer:
        service = QueueTicketService(printer, QueueNumbers(tmp_path / "queue.json"))
        ticket = service.issue(TicketReason.face_failures, "HN001PABCDEFGH", now=WHEN)
    printed = virtual.snapshot()
    assert ticket.number == "A001"
    assert ticket.counter == "Quầy 1 - Tiếp nhận hồ sơ"
    assert printed.qr_codes == [b"QUEUE|A001|face_failures|HN001PABCDEFGH"]
    assert b"A001" in printed.lines
    assert printed.cuts == 1 and printed.unknown == []


def test_ticket_png_from_the_simulated_printer(tmp_path: Path) -> None:
    with SimulatedReceiptPrinter(tmp_path / "out") as printer:
        QueueTicketService(printer, QueueNumbers(tmp_path / "q.json")).issue("unsupported_document", now=WHEN)
        png = printer.last_output
    assert png is not None and png.suffix == ".png"
    with Image.open(png) as image:
        assert image.width == 576
        pixels = np.array(image.convert("L"))
    assert np.array_equal(pixels > 127, np.array(render_receipt(_first_ticket(), 80).convert("L")) > 127)
    found = pyzbar.decode(pixels)
    assert [f.data for f in found] == [b"QUEUE|A001|unsupported_document|"]


def _first_ticket() -> Receipt:
    return QueueTicket(
        "A001", "Quầy 1 - Tiếp nhận hồ sơ", TicketReason.unsupported_document, WHEN
    ).as_receipt()


def test_numbers_survive_a_restart_and_start_again_each_day(tmp_path: Path) -> None:
    path = tmp_path / "queue.json"
    assert [QueueNumbers(path).next(WHEN) for _ in range(3)] == ["A001", "A002", "A003"]
    assert QueueNumbers(path, letter="b").next(WHEN) == "B004"
    # 18:00 UTC is already the next day in Hanoi
    assert QueueNumbers(path).next(datetime(2026, 12, 1, 18, 0, tzinfo=UTC)) == "A001"
    assert json.loads(path.read_text()) == {"day": "2026-12-02", "last": 1}
    path.write_text("{damaged")
    assert QueueNumbers(path).next(WHEN) == "A001"


def test_numbers_wrap_after_999(tmp_path: Path) -> None:
    path = tmp_path / "queue.json"
    path.write_text(json.dumps({"day": "2026-12-01", "last": 999}))
    assert QueueNumbers(path).next(WHEN) == "A001"


def test_each_reason_has_a_counter(tmp_path: Path) -> None:
    recorder = Recorder()
    service = QueueTicketService(
        recorder, QueueNumbers(tmp_path / "q.json"), counters={TicketReason.payment_cash: "Quầy 5"}
    )
    tickets = [service.issue(reason, now=WHEN) for reason in TicketReason]
    assert [t.number for t in tickets] == [f"A{n:03d}" for n in range(1, len(TicketReason) + 1)]
    assert tickets[list(TicketReason).index(TicketReason.payment_cash)].counter == "Quầy 5"
    assert len(recorder.receipts) == len(TicketReason) == 6
    with pytest.raises(ValueError):
        service.issue("lost_cat", now=WHEN)


def test_receipt_shows_copies_fee_and_payment_reference() -> None:
    receipt = Receipt(
        code="HN-001-000042-7",
        lines=("BIÊN NHẬN",),
        qr_data="HN-001-000042-7",
        copies=2,
        amount_vnd=14000,
        payment_reference="HN001PABCDEFGH",
    )
    assert receipt_lines(receipt) == (
        "BIÊN NHẬN",
        "Số bản sao: 2",
        "Phí chứng thực: 14.000 đ",
        "Mã thanh toán: HN001PABCDEFGH",
    )
    text = receipt_bytes(receipt, paper_mm=80, text_mode="cp1258")
    assert b"14.000 \xf0" in text  # "đ" is 0xF0 in CP1258
    plain = Receipt(code="X", lines=("a",), qr_data="X")
    assert receipt_lines(plain) == ("a",)
