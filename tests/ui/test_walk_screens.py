"""Issue 25's walk (W2, W4 and what followed), on the real window (pytest-qt, offscreen): a page error after
page 1 goes on with the pages kept or back to them; the duplicate page's help and buttons agree; the scan
step's instruction per state; the start screen's reminder never moves the service buttons and names what
was laid on the glass; large text fits the thumbnails; check a copy says why a copy is refused and what
an older (VNC1) seal checks; the idle out-of-service screen gives a queue ticket."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRect

from drivers.errors import NoDocument
from kiosk.flow import Action, Screen
from kiosk.services.queue_ticket import QueueNumbers, QueueTicketService
from kiosk.services.readiness import DOCUMENT_PRINTER, Readiness
from signing.trust import TrustStore
from signing.verify import verify_seal_text
from tests.payment.test_flow_payment import Tickets
from tests.signing.vnc1_seals import golden_seal, golden_trust
from tests.ui.conftest import SlowFakeServices
from tests.ui.test_visit import click, run_to_review, start_face_check, wait_screen

pytestmark = pytest.mark.timeout(120)


class GlassServices(SlowFakeServices):
    """The glass can be empty (NoDocument) and the duplicate detector can be told what to say."""

    def __init__(self) -> None:
        super().__init__()
        self.empty_glass = 0
        self.duplicate_of: int | None = None
        self.verdict: Any = None

    def scan_page(self) -> np.ndarray:
        if self.empty_glass > 0:
            self.empty_glass -= 1
            raise NoDocument("the glass is empty", category="scanner")
        return super().scan_page()

    def find_duplicate(self, page: Any, earlier: Any) -> int | None:
        return self.duplicate_of

    def check_copy(self, image: Any) -> Any:
        return self.verdict if self.verdict is not None else super().check_copy(image)


def shown_buttons(error: Any) -> list[str]:
    return [b.text() for b in error.buttons if not b.isHidden()]


def where(widget: Any, window: Any) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


# -- W2: never trapped after page 1 ----------------------------------------------------------------------


def test_a_bad_page_after_two_pages_goes_on_with_the_two(qtbot: Any, make_kiosk: Any) -> None:
    services = GlassServices()
    kiosk = make_kiosk(services, language="vi")
    w, flow = kiosk.window, kiosk.flow
    run_to_review(qtbot, kiosk, pages=2)
    click(qtbot, w.screens[Screen.review].back)
    wait_screen(qtbot, kiosk, Screen.scan)
    services.bad_pages = 1  # "Quét trang tiếp theo" once too often: a page that cannot be used
    click(qtbot, w.screens[Screen.scan].add)
    wait_screen(qtbot, kiosk, Screen.error)
    error = w.screens[Screen.error]
    assert shown_buttons(error) == ["Quét lại", "Xong, tiếp tục với 2 trang", "Quay lại", "Gọi cán bộ"]
    assert "Làm lại từ đầu" not in shown_buttons(error)  # it would lose the card, the face and the pages
    assert (
        "Nếu không còn trang nào khác, Ông/Bà bấm “Xong, tiếp tục với 2 trang”." in error.instruction.text()
    )
    assert "Xong, tiếp tục với 2 trang" in error.spoken_prompt()
    click(qtbot, error.buttons[error.error_actions.index(Action.finish_pages)])
    wait_screen(qtbot, kiosk, Screen.review)
    assert len(flow.visit.pages) == 2
    assert w.screens[Screen.review].values[1].text() == "2"


def test_an_empty_glass_after_two_pages_goes_back_to_them(qtbot: Any, make_kiosk: Any) -> None:
    services = GlassServices()
    kiosk = make_kiosk(services, language="en")
    w, flow = kiosk.window, kiosk.flow
    run_to_review(qtbot, kiosk, pages=2)
    click(qtbot, w.screens[Screen.review].back)
    wait_screen(qtbot, kiosk, Screen.scan)
    services.empty_glass = 1
    click(qtbot, w.screens[Screen.scan].add)
    wait_screen(qtbot, kiosk, Screen.error)
    error = w.screens[Screen.error]
    assert flow.visit.error.kind == "no_document"
    assert shown_buttons(error) == ["Scan again", "Done, continue with 2 pages", "Back", "Call staff"]
    click(qtbot, error.buttons[error.error_actions.index(Action.back_to_pages)])
    wait_screen(qtbot, kiosk, Screen.scan)
    scan = w.screens[Screen.scan]
    assert len(flow.visit.pages) == 2 and len(scan.thumbs) == 2
    assert scan.count.text() == "Pages scanned: 2"


# -- W4: the duplicate page, the scan step's instruction ---------------------------------------------------


def test_the_duplicate_screen_names_its_buttons_scans_again_and_can_cancel(
    qtbot: Any, make_kiosk: Any
) -> None:
    services = GlassServices()
    kiosk = make_kiosk(services, language="vi")
    w, flow = kiosk.window, kiosk.flow
    run_to_review(qtbot, kiosk, pages=1)
    click(qtbot, w.screens[Screen.review].back)
    wait_screen(qtbot, kiosk, Screen.scan)
    services.duplicate_of = 0
    click(qtbot, w.screens[Screen.scan].add)
    wait_screen(qtbot, kiosk, Screen.error)
    error = w.screens[Screen.error]
    assert shown_buttons(error) == ["Quét lại", "Giữ trang này", "Quay lại", "Hủy"]
    help_text = error.instruction.text()
    assert "bấm “Quét lại”" in help_text and "“Giữ trang này”" in help_text  # the help says the buttons
    assert "Hãy quét trang tiếp theo" not in help_text
    services.duplicate_of = None  # the citizen lays page 2, then presses "Quét lại": it is scanned at once
    click(qtbot, error.buttons[0])
    qtbot.waitUntil(lambda: len(flow.visit.pages) == 2 and not flow.busy, timeout=10000)
    assert flow.screen == Screen.scan and flow.visit.pending_duplicate is None
    services.duplicate_of = 1
    click(qtbot, w.screens[Screen.scan].add)
    wait_screen(qtbot, kiosk, Screen.error)
    click(qtbot, error.buttons[error.error_actions.index(Action.cancel)])
    assert w.confirm_overlay.isVisible()  # ending the visit is asked first
    assert flow.screen == Screen.error and len(flow.visit.pages) == 2


def test_the_scan_instruction_fits_each_state(qtbot: Any, make_kiosk: Any) -> None:
    kiosk = make_kiosk(GlassServices(), language="vi")
    w = kiosk.window
    click(qtbot, w.screens[Screen.attract].certify)
    click(qtbot, w.screens[Screen.card].go)
    wait_screen(qtbot, kiosk, Screen.face)
    start_face_check(qtbot, kiosk)
    wait_screen(qtbot, kiosk, Screen.scan)
    scan = w.screens[Screen.scan]
    first = scan.instruction.text()
    assert "“Quét trang đầu tiên”" in first and "mỗi trang" not in first
    click(qtbot, scan.add)
    qtbot.waitUntil(lambda: len(kiosk.flow.visit.pages) == 1 and not kiosk.flow.busy, timeout=10000)
    after = scan.instruction.text()
    assert "“Quét trang tiếp theo”" in after and "“Xong, tiếp tục”" in after
    assert "Quét trang đầu tiên" not in after


# -- W4: the start screen's reminder ---------------------------------------------------------------------


def test_the_reminder_never_moves_the_service_buttons(qtbot: Any, make_kiosk: Any) -> None:
    kiosk = make_kiosk(GlassServices(), size=(1920, 1080), language="vi", large_text=True)
    w = kiosk.window
    attract = w.screens[Screen.attract]
    qtbot.wait(50)
    before = [where(b, w) for b in (attract.certify, attract.check, attract.reprint)]
    click(qtbot, attract.certify)
    click(qtbot, w.screens[Screen.card].go)
    wait_screen(qtbot, kiosk, Screen.face)
    kiosk.flow.cancel()
    wait_screen(qtbot, kiosk, Screen.attract)
    qtbot.wait(50)
    assert attract.reminder.isVisibleTo(w)
    assert attract.reminder.text() == "Vui lòng lấy lại thẻ căn cước trên mặt kính."  # only the card was laid
    during = [where(b, w) for b in (attract.certify, attract.check, attract.reprint)]
    w.reminder_until = 0.0
    w._reminder_over()
    qtbot.wait(50)
    after = [where(b, w) for b in (attract.certify, attract.check, attract.reprint)]
    assert not attract.reminder.isVisibleTo(w)
    assert before == during == after  # a tap lands where the citizen saw the button


def test_after_checking_a_copy_the_reminder_names_the_copy(qtbot: Any, make_kiosk: Any) -> None:
    kiosk = make_kiosk(GlassServices(), language="en")
    w, flow = kiosk.window, kiosk.flow
    attract = w.screens[Screen.attract]
    click(qtbot, attract.check)
    wait_screen(qtbot, kiosk, Screen.check_copy)
    click(qtbot, w.screens[Screen.check_copy].go)  # laid on the glass
    wait_screen(qtbot, kiosk, Screen.check_result)
    click(qtbot, w.screens[Screen.check_result].go)
    wait_screen(qtbot, kiosk, Screen.attract)
    assert attract.reminder.isVisibleTo(w)
    assert attract.reminder.text() == "Please take your copy from the glass."
    assert "ID card" not in attract.spoken_prompt()
    w.reminder_until = 0.0
    w._reminder_over()
    click(qtbot, attract.check)
    wait_screen(qtbot, kiosk, Screen.check_copy)
    click(qtbot, w.screens[Screen.check_copy].camera)  # held up to the camera: nothing on the glass
    wait_screen(qtbot, kiosk, Screen.check_result)
    flow.finish()
    wait_screen(qtbot, kiosk, Screen.attract)
    assert not attract.reminder.isVisibleTo(w)


# -- W4: large text on the thumbnails -------------------------------------------------------------------


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 800)])
def test_large_text_thumbnails_keep_the_number_off_the_picture(
    qtbot: Any, make_kiosk: Any, size: Any
) -> None:
    kiosk = make_kiosk(GlassServices(), size=size, language="en", large_text=True)
    w = kiosk.window
    run_to_review(qtbot, kiosk, pages=2)
    click(qtbot, w.screens[Screen.review].back)
    wait_screen(qtbot, kiosk, Screen.scan)
    qtbot.wait(100)
    for thumb in w.screens[Screen.scan].thumbs:
        picture, number = where(thumb.view, w), where(thumb.number, w)
        assert not picture.intersects(number), (picture, number)
        assert number.height() >= thumb.number.sizeHint().height()
        for button in (thumb.rescan, thumb.remove):
            assert button.width() >= button.sizeHint().width(), button.text()  # "Scan again" not clipped
            assert not where(button, w).intersects(number)


# -- W4 and (a): check a copy -----------------------------------------------------------------------------


def checked(qtbot: Any, kiosk: Any) -> Any:
    w = kiosk.window
    click(qtbot, w.screens[Screen.attract].check)
    wait_screen(qtbot, kiosk, Screen.check_copy)
    click(qtbot, w.screens[Screen.check_copy].go)
    wait_screen(qtbot, kiosk, Screen.check_result)
    return w.screens[Screen.check_result]


@pytest.mark.parametrize(
    ("language", "because"),
    [
        ("en", "The QR code was not made by a kiosk that this system knows and trusts."),
        ("vi", "Mã QR không do một ki-ốt mà hệ thống này biết và tin cậy tạo ra."),
    ],
)
def test_a_refused_copy_says_why_in_plain_words(
    qtbot: Any, make_kiosk: Any, language: str, because: str
) -> None:
    """The walk's copy came from another kiosk's data folder: a seal this verifier does not trust."""
    services = GlassServices()
    services.verdict = verify_seal_text(golden_seal(), TrustStore())  # the real verdict
    assert services.verdict.reason_key == "seal_untrusted" and not services.verdict.valid
    result = checked(qtbot, make_kiosk(services, language=language))
    assert because in result.details.text().splitlines()
    assert because in result.spoken_prompt() or because in result.details.text()


def test_an_unknown_refusal_still_gets_a_plain_sentence(qtbot: Any, make_kiosk: Any) -> None:
    services = GlassServices()
    services.verdict = SimpleNamespace(valid=False, code=None, reason_key="something_new", reason="x")
    result = checked(qtbot, make_kiosk(services, language="en"))
    assert "The copy could not be confirmed as genuine." in result.details.text()
    assert "x" not in result.details.text().splitlines()  # the CLI's English detail is not shown


@pytest.mark.parametrize("language", ["vi", "en"])
def test_an_older_copy_says_what_its_seal_checks_and_whose_it_is(
    qtbot: Any, make_kiosk: Any, language: str
) -> None:
    services = GlassServices()
    verdict = verify_seal_text(golden_seal(), golden_trust())  # the golden VNC1 copy's seal
    assert verdict.valid and verdict.seal_format == "VNC1" and verdict.older_seal
    services.verdict = verdict
    kiosk = make_kiosk(services, language=language)
    result = checked(qtbot, kiosk)
    details, note = result.details.text(), result.instruction.text()  # the note takes the instruction's place
    assert verdict.holder_name
    if language == "vi":
        assert f"Họ tên trên giấy tờ: {verdict.holder_name}" in details.splitlines()
        assert note.startswith("Bản sao cấp theo mẫu cũ (dấu VNC1)")
        assert note.endswith("Ông/Bà hãy so sánh phần còn lại bằng mắt.")
    else:
        assert f"Name on the document: {verdict.holder_name}" in details.splitlines()
        assert note.startswith("Copy issued in the older form (VNC1 seal)")
        assert note.endswith("Compare the rest of the copy by eye.")
    if verdict.doc_number:
        assert verdict.doc_number in details
    assert "older seal (VNC1): checks" not in details + note  # the verifier's English line is not pasted in


def test_a_current_copy_has_no_older_seal_note(qtbot: Any, make_kiosk: Any) -> None:
    kiosk = make_kiosk(GlassServices(), language="en")
    result = checked(qtbot, kiosk)
    assert "older form" not in result.instruction.text() + result.details.text()
    assert result.instruction.text().startswith("The QR code and the page are checked on this kiosk")


# -- (b): the idle out-of-service screen's ticket -------------------------------------------------------


class IdleServices(GlassServices):
    def __init__(self, tmp_path: Path) -> None:
        super().__init__()
        self.missing: tuple[str, ...] = ()
        self.tickets = QueueTicketService(Tickets(), QueueNumbers(tmp_path / "q.json"))
        self.slips: list[Any] = []

    def print_slip(self, receipt: Any) -> str:
        self.slips.append(receipt)
        return "receipt_printer"

    def check_devices(self, roles: tuple[str, ...]) -> Readiness:
        return Readiness(not self.missing, self.missing, tuple("absent" for _ in self.missing))


def test_the_idle_out_of_service_screen_offers_a_queue_ticket(
    qtbot: Any, make_kiosk: Any, tmp_path: Path
) -> None:
    services = IdleServices(tmp_path)
    kiosk = make_kiosk(services, language="vi")
    w, flow = kiosk.window, kiosk.flow
    w.device_timer.stop()
    services.missing = (DOCUMENT_PRINTER,)
    flow.check_devices_while_idle()
    qtbot.waitUntil(lambda: flow.screen == Screen.out_of_service, timeout=5000)
    screen = w.screens[Screen.out_of_service]
    assert screen.ticket.isVisibleTo(w) and screen.ticket.text() == "Lấy số thứ tự"
    assert "Bấm “Lấy số thứ tự”" in screen.instruction.text()
    assert screen.number.text() == ""
    click(qtbot, screen.ticket)
    qtbot.waitUntil(lambda: flow.visit.queue_ticket is not None, timeout=5000)
    assert screen.number.text() == flow.visit.queue_ticket.number != ""
    assert len(services.slips) == 1
    assert not screen.ticket.isVisibleTo(w)  # one ticket at a time
    w.check_idle()
    assert screen.countdown.text() == ""  # the screen stays out of service: it does not "close"
    flow.clock = lambda: 1e12  # the number does not stay for the next citizen to read
    w.check_idle()
    assert flow.screen == Screen.out_of_service and flow.visit.queue_ticket is None
    assert screen.number.text() == "" and screen.ticket.isVisibleTo(w)


def test_no_ticket_button_without_a_working_printer(qtbot: Any, make_kiosk: Any, tmp_path: Path) -> None:
    services = IdleServices(tmp_path)
    kiosk = make_kiosk(services, language="en")
    w, flow = kiosk.window, kiosk.flow
    w.device_timer.stop()
    services.missing = (DOCUMENT_PRINTER, "receipt_printer")
    flow.check_devices_while_idle()
    qtbot.waitUntil(lambda: flow.screen == Screen.out_of_service, timeout=5000)
    screen = w.screens[Screen.out_of_service]
    assert not screen.ticket.isVisibleTo(w)
    assert "Get a queue number" not in screen.instruction.text()


# -- W9: where the receipt and the ticket came out -------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_done_screen_says_where_the_receipt_came_out_and_that_the_slip_is_void(
    qtbot: Any, make_kiosk: Any, language: str
) -> None:
    kiosk = make_kiosk(GlassServices(), language=language)
    w, flow = kiosk.window, kiosk.flow
    flow.visit.copy = SimpleNamespace(code="HN001-000042-U", doc_type="birth_certificate", pages=1)
    flow.visit.receipt_printed_on = "document_printer"  # kiosk.flow.print_step: the receipt printer failed
    flow.visit.void_slip = True  # a collect slip printed, then "try again" printed the copy
    flow._go(Screen.done)
    take = w.screens[Screen.done].take.text()
    if language == "en":
        assert "your receipt came out of the large printer, with the copy." in take
        assert "the slip “Fee received – copy to collect” is no longer needed." in take
    else:
        assert "biên nhận của Ông/Bà đã in ra ở máy in khổ A4" in take
        assert "không còn cần dùng nữa" in take
    flow.visit.receipt_printed_on, flow.visit.void_slip = "", False
    w.refresh()
    assert w.screens[Screen.done].take.text() in (
        "Please take your ID card, your original, the copy and the receipt.",
        "Vui lòng nhận lại thẻ căn cước, bản chính, bản sao chứng thực và phiếu biên nhận.",
    )


def test_the_ticket_says_which_printer_it_came_out_of(qtbot: Any, make_kiosk: Any, tmp_path: Path) -> None:
    services = IdleServices(tmp_path)
    services.print_slip = lambda receipt: "document_printer"  # type: ignore[method-assign]  # receipt one down
    kiosk = make_kiosk(services, language="en")
    w, flow = kiosk.window, kiosk.flow
    w.device_timer.stop()
    services.missing = ("receipt_printer",)
    flow.check_devices_while_idle()
    qtbot.waitUntil(lambda: flow.screen == Screen.out_of_service, timeout=5000)
    click(qtbot, w.screens[Screen.out_of_service].ticket)
    qtbot.waitUntil(lambda: flow.visit.queue_ticket is not None, timeout=5000)
    assert w.screens[Screen.out_of_service].where.text() == "Take your queue ticket from the large printer."
