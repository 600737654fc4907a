"""The ESC/POS receipt printer over a real pty, against the virtual printer in escpos_virtual_printer.py."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from drivers.base import Receipt
from drivers.errors import CoverOpen, DeviceAbsent, DeviceOffline, PaperOut
from drivers.escpos_serial import EscposSerialPrinter, encode_cp1258, receipt_bytes
from drivers.health import DeviceState
from drivers.receipt_render import text_image
from tests.drivers.escpos_virtual_printer import VirtualEscposPrinter

RECEIPT = Receipt(
    code="HN-001-000042-7",
    lines=("Trung tâm Phục vụ Hành chính công", "Bản sao chứng thực: 2 trang", "Lệ phí: 4.000 đồng"),
    qr_data="https://tra-cuu.example.vn/c/HN-001-000042-7",
)
QUERIES = b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04"


@pytest.fixture
def virtual() -> Iterator[VirtualEscposPrinter]:
    printer = VirtualEscposPrinter()
    yield printer
    printer.close()


@pytest.fixture
def driver(virtual: VirtualEscposPrinter) -> Iterator[EscposSerialPrinter]:
    with EscposSerialPrinter(virtual.path, paper_mm=80, reply_timeout=0.3) as printer:
        yield printer


def test_receipt_as_image_byte_for_byte(virtual: VirtualEscposPrinter, driver: EscposSerialPrinter) -> None:
    assert driver.status().state == DeviceState.ok
    virtual.raw.clear()
    driver.print_receipt(RECEIPT)
    expected = receipt_bytes(RECEIPT, paper_mm=80, text_mode="image")
    # status before, the job, status after: nothing else on the wire
    assert bytes(virtual.raw) == QUERIES + expected + QUERIES
    printed = virtual.snapshot()
    assert printed.unknown == []
    assert printed.inits == 1 and printed.cuts == 1
    assert printed.qr_codes == [RECEIPT.qr_data.encode()]
    assert RECEIPT.code.encode() in printed.lines
    # the Vietnamese lines arrive as a raster identical to the rendering, dot for dot
    picture = np.vstack(printed.images)
    rendered = ~np.array(text_image(RECEIPT.lines, 576, size=24), dtype=bool)
    assert picture.shape == rendered.shape
    assert np.array_equal(picture, rendered)
    assert picture.sum() > 1000


def test_receipt_in_cp1258(virtual: VirtualEscposPrinter) -> None:
    with EscposSerialPrinter(
        virtual.path, paper_mm=58, text_mode="cp1258", codepage=52, reply_timeout=0.3
    ) as p:
        p.print_receipt(RECEIPT)
    printed = virtual.snapshot()
    assert printed.codepage == 52 and printed.images == [] and printed.unknown == []
    text_lines = [unicodedata.normalize("NFC", line.decode("cp1258")) for line in printed.lines[:3]]
    assert text_lines == list(RECEIPT.lines)
    assert printed.lines[3] == RECEIPT.code.encode()


def test_encode_cp1258_round_trips_vietnamese() -> None:
    sample = "Chứng thực bản sao đúng với bản chính – Đồng Hới, Quảng Bình; Nguyễn Thị Ẩn"
    encoded = encode_cp1258(sample)
    assert unicodedata.normalize("NFC", encoded.decode("cp1258")) == sample
    assert b"?" not in encoded


def test_paper_near_end_is_a_warning_and_still_prints(
    virtual: VirtualEscposPrinter, driver: EscposSerialPrinter
) -> None:
    virtual.paper_near_end = True
    status = driver.status()
    assert (status.state, status.reason) == (DeviceState.warning, "paper_near_end")
    driver.print_receipt(RECEIPT)
    assert virtual.snapshot().cuts == 1


def test_paper_out_refuses_to_print(virtual: VirtualEscposPrinter, driver: EscposSerialPrinter) -> None:
    virtual.paper_out = True
    status = driver.status()
    assert (status.state, status.reason) == (DeviceState.error, "paper_out")
    with pytest.raises(PaperOut) as info:
        driver.print_receipt(RECEIPT)
    assert info.value.message_key == "device.receipt_printer.paper_out"
    assert "before printing" in info.value.detail
    assert bytes(virtual.raw).count(b"\x1b@") == 0
    virtual.paper_out = False  # staff put a new roll in
    driver.print_receipt(RECEIPT)
    assert virtual.snapshot().cuts == 1


def test_paper_running_out_during_the_receipt(
    virtual: VirtualEscposPrinter, driver: EscposSerialPrinter
) -> None:
    virtual.paper_out_after_bytes = 500
    with pytest.raises(PaperOut) as info:
        driver.print_receipt(RECEIPT)
    assert "after printing" in info.value.detail


def test_cover_open_and_offline(virtual: VirtualEscposPrinter, driver: EscposSerialPrinter) -> None:
    virtual.cover_open = True
    assert driver.status().reason == "cover_open"
    with pytest.raises(CoverOpen):
        driver.print_receipt(RECEIPT)
    virtual.cover_open = False
    virtual.offline = True
    assert (driver.status().state, driver.status().reason) == (DeviceState.error, "offline")
    with pytest.raises(DeviceOffline):
        driver.print_receipt(RECEIPT)


def test_powered_off_printer_is_absent(virtual: VirtualEscposPrinter, driver: EscposSerialPrinter) -> None:
    virtual.silent = True
    status = driver.status()
    assert status.state == DeviceState.absent and "no answer to DLE EOT 1" in status.detail
    with pytest.raises(DeviceAbsent):
        driver.print_receipt(RECEIPT)
    virtual.silent = False
    assert driver.status().state == DeviceState.ok


def test_unplugged_and_plugged_back(tmp_path: Path) -> None:
    link = tmp_path / "usb-Printer-if00-port0"  # like /dev/serial/by-id/...
    virtual = VirtualEscposPrinter(link=link)
    try:
        with EscposSerialPrinter(str(link), reply_timeout=0.3) as driver:
            assert driver.status().state == DeviceState.ok
            virtual.unplug()
            assert driver.status().state == DeviceState.absent
            with pytest.raises(DeviceAbsent):
                driver.print_receipt(RECEIPT)
            virtual.plug_in()
            assert driver.status().state == DeviceState.ok
            driver.print_receipt(RECEIPT)
            assert virtual.snapshot().cuts == 1
    finally:
        virtual.close()


def test_missing_port_is_absent(tmp_path: Path) -> None:
    with EscposSerialPrinter(str(tmp_path / "ttyUSB9")) as driver:
        status = driver.status()
        assert status.state == DeviceState.absent and "no such device" in status.detail
        with pytest.raises(DeviceAbsent) as info:
            driver.print_receipt(RECEIPT)
        assert info.value.message_key == "device.receipt_printer.absent"
