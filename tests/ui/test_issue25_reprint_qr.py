"""Issue 25 (Deliver 9), the screen's side: the reprint screen reads the receipt's QR on the glass or at the
camera, through the product's simulated scanner and camera, on the flow's worker; a receipt whose QR cannot
be read says so on the screen, spoken, and typing the code stays."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest

from drivers.simulated import SimulatedCamera, SimulatedScanner
from kiosk.flow import Screen
from kiosk.services.reprint import code_from_qr
from ocr.barcodes import decode_qr_codes
from tests.kiosk.test_reprint_by_qr import CODE, receipt_scan
from tests.ui.conftest import SlowFakeServices
from tests.ui.test_visit import click, wait_screen

pytestmark = pytest.mark.timeout(120)


class ReceiptDevices(SlowFakeServices):
    """The visit services with the simulated scanner and camera of the product (drivers.simulated) showing
    `picture`: a printed receipt (its thermal rendering) or anything else the citizen lays down."""

    def __init__(self, picture: np.ndarray) -> None:
        super().__init__()
        self.scanner = SimulatedScanner(sample_pages=picture.copy, source_dpi=300)
        self.camera = SimulatedCamera(frames=[picture], fps=0)  # with its shift and brightness jitter
        self.read_on: list[str] = []

    def scan_receipt(self) -> np.ndarray:
        self._work()
        self.read_on.append(threading.current_thread().name)
        return self.scanner.scan()

    def photo_receipt(self) -> np.ndarray:
        self._work()
        self.read_on.append(threading.current_thread().name)
        return self.camera.read()

    def receipt_code(self, image: np.ndarray) -> str:
        return code_from_qr(decode_qr_codes(image))


def open_reprint(qtbot: Any, kiosk: Any) -> Any:
    window = kiosk.window
    click(qtbot, window.screens[Screen.attract].reprint)
    wait_screen(qtbot, kiosk, Screen.reprint)
    return window.screens[Screen.reprint]


def said(kiosk: Any) -> list[str]:
    return [text for _language, text in kiosk.window.voice.spoken]


@pytest.mark.parametrize(
    ("button", "reading"),
    [("by_glass", "Đang đọc mã QR trên mặt kính…"), ("by_camera", "Đang đọc mã QR qua camera…")],
)
def test_each_button_reads_the_receipts_qr_off_the_gui_thread_then_asks_for_the_holder(
    qtbot: Any, make_kiosk: Any, button: str, reading: str
) -> None:
    services = ReceiptDevices(receipt_scan())
    kiosk = make_kiosk(services, voice=True)
    screen = open_reprint(qtbot, kiosk)
    assert screen.by_glass.text() == "Đọc mã QR trên mặt kính"
    assert screen.by_camera.text() == "Đọc mã QR bằng camera"
    # the instruction says how to lay the receipt, and is what the voice says on arrival
    assert screen.instruction.text().startswith("Đặt phiếu biên nhận lên mặt kính, mã QR úp xuống")
    assert said(kiosk)[-1] == screen.spoken_prompt() and screen.instruction.text() in said(kiosk)[-1]
    services.gate = threading.Event()  # the device takes its time: the window stays live meanwhile
    click(qtbot, getattr(screen, button))
    assert kiosk.flow.busy and screen.status.text() == reading
    assert said(kiosk)[-1] == reading  # the status line is spoken too
    assert not screen.by_glass.isEnabled() and not screen.by_camera.isEnabled()
    assert not screen.go.isEnabled()
    services.gate.set()
    wait_screen(qtbot, kiosk, Screen.card)
    assert kiosk.flow.visit.reprint_code == CODE  # the lookup QR's code, not the retrieval link's
    assert services.read_on and threading.main_thread().name not in services.read_on
    assert (services.scanner.scans, services.camera.frames_read) == (
        (1, 0) if button == "by_glass" else (0, 1)
    )


@pytest.mark.parametrize("button", ["by_glass", "by_camera"])
def test_an_unreadable_receipt_is_said_on_the_screen_and_typing_stays(
    qtbot: Any, make_kiosk: Any, button: str
) -> None:
    services = ReceiptDevices(np.full((900, 700, 3), 238, np.uint8))  # a receipt with no QR to read
    kiosk = make_kiosk(services, voice=True)
    screen = open_reprint(qtbot, kiosk)
    click(qtbot, getattr(screen, button))
    qtbot.waitUntil(lambda: not kiosk.flow.busy, timeout=10000)
    assert kiosk.flow.screen == Screen.reprint  # no error screen: the citizen stays where typing is
    message = screen.status.text()
    assert message.startswith("Chưa đọc được mã QR.") and "nhập mã" in message
    assert ("camera" in message) == (button == "by_camera")
    assert screen.status.property("role") == "error"
    assert said(kiosk)[-1] == message
    assert screen.by_glass.isEnabled() and screen.keypad.isEnabled()
    for key in CODE:  # the fallback: the code typed on the keypad
        click(qtbot, screen.keypad.buttons[key])
    assert screen.code.text() == CODE and screen.status.text() == ""
    click(qtbot, screen.go)
    wait_screen(qtbot, kiosk, Screen.card)


def test_the_reprint_screen_in_english(qtbot: Any, make_kiosk: Any) -> None:
    services = ReceiptDevices(np.full((900, 700, 3), 238, np.uint8))
    kiosk = make_kiosk(services, language="en")
    screen = open_reprint(qtbot, kiosk)
    assert screen.title.text() == "Read the QR code on your receipt, or type its code"
    assert screen.by_glass.text() == "Read the QR on the glass"
    assert screen.by_camera.text() == "Read the QR at the camera"
    click(qtbot, screen.by_glass)
    qtbot.waitUntil(lambda: not kiosk.flow.busy, timeout=10000)
    assert screen.status.text().startswith("The QR code could not be read.")


def test_without_a_qr_reader_the_screen_offers_typing_only(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    kiosk = make_kiosk(fake_services)  # services that cannot read a receipt (no scan_receipt)
    screen = open_reprint(qtbot, kiosk)
    assert screen.by_glass.isHidden() and screen.by_camera.isHidden()
    assert screen.title.text() == "Nhập mã in trên phiếu biên nhận"
