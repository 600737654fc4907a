"""Issue 25 (Deliver 9): reprint by scanning the receipt's QR, on the glass or at the camera; typing the code
stays as the fallback. The receipt's lookup QR holds the bare code; its second QR (the retrieval page, with
the secret in the fragment) must never be taken for the code."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import cv2
import numpy as np
import pytest

from drivers.base import Receipt
from drivers.errors import ScanFailed
from drivers.receipt_render import render_receipt
from kiosk.errors import UnknownCodeError
from kiosk.flow import ImmediateRunner, Screen, Service, VisitFlow
from kiosk.services.reprint import code_from_qr
from ocr.barcodes import decode_qr_codes
from offline_sync.protocol.citizen import retrieval_url
from signing.code import make_code
from tests.kiosk.test_flow import FakeServices

CODE = make_code("HN", "HN-001", 42)


def receipt_scan(code: str = CODE) -> np.ndarray:
    """The printed receipt as the scanner sees it: the thermal picture, grey, on a white glass."""
    receipt = Receipt(
        code=code,
        lines=("UBND", "BIÊN NHẬN", f"Mã: {code}"),
        qr_data=code,
        retrieval_secret="ABCDE-FGHJK",
        retrieval_url=retrieval_url("https://city.example", code, "ABCDE-FGHJK"),
    )
    picture = np.array(render_receipt(receipt, 80).convert("L"))
    glass = np.full((picture.shape[0] + 200, picture.shape[1] + 200), 235, np.uint8)
    glass[100:-100, 100:-100] = picture
    return cv2.cvtColor(glass, cv2.COLOR_GRAY2BGR)


def test_the_receipt_qr_gives_the_code_and_never_the_retrieval_link() -> None:
    payloads = decode_qr_codes(receipt_scan())
    assert any(b"#s=" in p for p in payloads)  # both QRs were read...
    assert code_from_qr(payloads) == CODE  # ...and the code is the lookup QR's
    assert code_from_qr([retrieval_url("https://c.example", CODE, "SECRET").encode(), CODE.encode()]) == CODE


def test_no_code_in_the_qr_codes_is_said_clearly() -> None:
    with pytest.raises(UnknownCodeError):
        code_from_qr([])
    with pytest.raises(UnknownCodeError):  # a link with a secret alone is not a code
        code_from_qr([retrieval_url("https://c.example", CODE, "SECRET").encode()])
    with pytest.raises(UnknownCodeError):  # a code with a wrong check character
        code_from_qr([CODE[:-1].encode() + (b"A" if CODE[-1] != "A" else b"B")])
    blank = np.full((400, 400, 3), 255, np.uint8)
    with pytest.raises(UnknownCodeError):
        code_from_qr(decode_qr_codes(blank))


class ReceiptServices(FakeServices):
    def __init__(self, image: np.ndarray) -> None:
        super().__init__()
        self.image = image
        self.taken: list[str] = []

    def scan_receipt(self) -> np.ndarray:
        self.taken.append("glass")
        return self.image.copy()

    def photo_receipt(self) -> np.ndarray:
        self.taken.append("camera")
        return self.image.copy()

    def receipt_code(self, image: np.ndarray) -> str:
        return code_from_qr(decode_qr_codes(image))

    def reprint(self, code: str) -> Any:
        return SimpleNamespace(code=code, doc_type="birth_certificate", pages=1)


@pytest.mark.parametrize("how", ["glass", "camera"])
def test_the_flow_takes_the_code_from_the_receipt_then_asks_for_the_holder(how: str) -> None:
    services = ReceiptServices(receipt_scan())
    flow = VisitFlow(services, ImmediateRunner())
    flow.choose_service(Service.reprint)
    assert flow.screen == Screen.reprint
    (flow.reprint_by_glass if how == "glass" else flow.reprint_by_camera)()
    assert services.taken == [how]
    assert flow.visit.reprint_code == CODE
    assert flow.screen == Screen.card  # the holder's card and face come next, as after typing
    flow.card_placed()
    flow.start_face_check()
    assert flow.screen == Screen.done and flow.visit.copy.code == CODE


def test_a_receipt_without_a_readable_qr_stays_on_the_reprint_screen_with_typing() -> None:
    services = ReceiptServices(np.full((300, 300, 3), 255, np.uint8))
    flow = VisitFlow(services, ImmediateRunner())
    flow.choose_service(Service.reprint)
    flow.reprint_by_camera()
    assert flow.screen == Screen.reprint and flow.visit.reprint_qr_unread == "camera"
    assert flow.visit.reprint_code == "" and not flow.busy
    flow.reprint_by_glass()  # tried again on the glass: still nothing, said again
    assert flow.screen == Screen.reprint and flow.visit.reprint_qr_unread == "glass"
    flow.set_reprint_code(CODE)  # type the code instead: the message goes
    assert flow.visit.reprint_qr_unread == ""
    flow.submit_reprint()
    assert flow.screen == Screen.card


def test_a_scanner_fault_while_reading_the_receipt_is_the_error_screen() -> None:
    class BrokenGlass(ReceiptServices):
        def scan_receipt(self) -> np.ndarray:
            raise ScanFailed("lamp failed", category="scanner")

    flow = VisitFlow(BrokenGlass(receipt_scan()), ImmediateRunner())
    flow.choose_service(Service.reprint)
    flow.reprint_by_glass()
    assert flow.screen == Screen.error and flow.visit.error_return == Screen.reprint
    assert flow.visit.reprint_qr_unread == ""
