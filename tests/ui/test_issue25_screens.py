"""Issue 25, the screens' side: settings and voice survive a reset, everything shown is spoken, the secret
stays off the screen, face failures say why with a way out, the visit's language everywhere (plurals, the
ticket's amount, the receipt), the take-your-things reminder on every ending, the card's side, the safe
button first, the opaque idle countdown, and the wording."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel

from drivers.base import Receipt
from drivers.receipt_render import receipt_lines
from kiosk.flow import Action, ErrorInfo, Screen, Service
from kiosk.services.queue_ticket import QueueNumbers, QueueTicket, QueueTicketService, TicketReason
from tests.ui.test_visit import click, run_to_review, start_face_check, wait_screen
from ui import messages, theme
from ui.i18n import TRANSLATIONS_DIR
from ui.voice import Voice
from ui.widgets import face_position, icon_pixmap, pixmap_of_card

pytestmark = pytest.mark.timeout(120)


class Tickets:
    """A receipt printer for queue tickets that keeps what it printed."""

    def __init__(self) -> None:
        self.printed: list[Receipt] = []

    def print_receipt(self, receipt: Receipt) -> None:
        self.printed.append(receipt)


def with_tickets(services: Any, tmp_path: Path) -> Tickets:
    printer = Tickets()
    services.tickets = QueueTicketService(printer, QueueNumbers(tmp_path / "numbers.json"))
    return printer


def said(kiosk: Any) -> list[str]:
    return [text for _language, text in kiosk.window.voice.spoken]


# -- 2. settings and voice ----------------------------------------------------------------------------------


def test_an_idle_reset_restores_the_configured_voice_and_keeps_speaking(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    kiosk = make_kiosk(fake_services, voice=True, idle_timeout_s=0.05, countdown_s=0.05)
    flow, window = kiosk.flow, kiosk.window
    window.idle_timer.stop()  # the test drives the idle checks itself
    attract = window.screens[Screen.attract]
    assert flow.visit.voice and attract.voice.text().startswith("✓")
    click(qtbot, attract.voice)  # the citizen turns it off...
    assert not flow.visit.voice
    click(qtbot, attract.certify)
    wait_screen(qtbot, kiosk, Screen.card)
    time.sleep(0.15)
    window.check_idle()  # ...and walks away: the visit resets
    window.check_idle()
    assert flow.screen == Screen.attract
    assert flow.visit.voice, "the reset must restore the configured voice, never leave it off"
    assert attract.voice.text().startswith("✓")
    assert window.voice.enabled
    assert said(kiosk)[-1].endswith(attract.instruction.text())  # the start screen is spoken again


def test_dialogs_and_the_idle_countdown_are_spoken(qtbot: Any, make_kiosk: Any, fake_services: Any) -> None:
    kiosk = make_kiosk(fake_services, voice=True, language="en")
    window = kiosk.window
    click(qtbot, window.screens[Screen.attract].certify)
    wait_screen(qtbot, kiosk, Screen.card)
    window.voice.spoken.clear()
    kiosk.flow.visit.card = SimpleNamespace(id_number="001090001234")  # something to lose: the dialog asks
    click(qtbot, window.screens[Screen.card].cancel)
    spoken = said(kiosk)[-1]
    assert spoken.startswith("End this visit?") and "Continue the visit." in spoken
    window.confirm_overlay.hide()
    window.overlay.show_seconds(9)
    assert "Are you still there?" in window.overlay.spoken_prompt()
    window.help_overlay.show_state("failed")
    assert said(kiosk)[-1].startswith("Staff could not be called")


def test_liveness_steps_are_spoken_as_they_light_up(qtbot: Any, make_kiosk: Any, fake_services: Any) -> None:
    kiosk = make_kiosk(fake_services, voice=True, language="en")
    window, flow = kiosk.window, kiosk.flow
    click(qtbot, window.screens[Screen.attract].certify)
    click(qtbot, window.screens[Screen.card].go)
    wait_screen(qtbot, kiosk, Screen.face)
    face = window.screens[Screen.face]
    flow.busy = True  # the check is running: the steps light up one after the other
    face.started_at = time.monotonic() - 0.1
    face.show_state(flow)
    face.started_at = time.monotonic() - 2.6
    face.show_state(flow)
    face.started_at = time.monotonic() - 5.1
    face.show_state(flow)
    flow.busy = False
    spoken = said(kiosk)
    assert spoken[-3:] == [
        "Turn your head slowly to the left",
        "Blink your eyes twice",
        "Comparing your face with the card photo…",
    ]


def test_the_voice_is_unhurried() -> None:
    arguments = Voice.arguments("Xin chào", "vi")
    speed = int(arguments[arguments.index("-s") + 1])
    gap = int(arguments[arguments.index("-g") + 1])
    assert speed <= 130 < 175  # espeak-ng's default is 175 words a minute
    assert gap >= 5  # a pause between words (10 ms units)
    assert arguments[-2:] == ["--", "Xin chào"]  # the text is never taken for an option


def test_an_error_screen_says_the_problem_why_what_to_do_and_every_choice(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    kiosk = make_kiosk(fake_services, voice=True, language="en")
    kiosk.flow.visit.service = Service.certify
    kiosk.flow.show_error(
        ErrorInfo("no_match", "face_too_small", (Action.try_again, Action.call_staff, Action.start_over)),
        back_to=Screen.face,
    )
    spoken = said(kiosk)[-1]
    assert "Your face was too far from the camera." in spoken
    assert "Come a little closer, with your face inside the oval." in spoken
    assert spoken.endswith("Try again. Call staff. Start over.")


# -- 3. the secret ------------------------------------------------------------------------------------------


def test_the_receipt_carries_the_secret_and_says_to_keep_it_private() -> None:
    receipt = Receipt(
        "HN001-000042-U", ("X",), "HN001-000042-U", retrieval_secret="K7QM2-X9APL", language="en"
    )
    lines = receipt_lines(receipt)
    assert "Secret to download the copy again: K7QM2-X9APL" in lines
    assert any("Keep the secret private" in line for line in lines)


# -- 4. face guidance ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("box", "where"),
    [
        (None, "none"),
        ((250, 150, 140, 180), "ok"),  # the middle of a 640x480 picture, big enough
        ((10, 10, 120, 150), "outside"),  # in the top-left corner
        ((300, 220, 40, 50), "too_far"),  # in the oval but small
    ],
)
def test_where_the_face_is_against_the_oval(box: Any, where: str) -> None:
    assert face_position(box, 640, 480) == where


def test_start_waits_for_a_face_in_the_oval_and_says_why_not(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    kiosk = make_kiosk(fake_services, language="en")
    window = kiosk.window
    click(qtbot, window.screens[Screen.attract].certify)
    click(qtbot, window.screens[Screen.card].go)
    wait_screen(qtbot, kiosk, Screen.face)
    face = window.screens[Screen.face]
    qtbot.waitUntil(face.go.isEnabled, timeout=30000)  # the fake's face is in the oval
    preview = window.preview
    preview.timer.stop()  # the test gives the frames from here on
    qtbot.waitUntil(lambda: not preview.in_flight, timeout=10000)
    # the face moves to a corner of the picture: three frames later "Start" waits
    for _ in range(3):
        preview.in_flight = True
        preview._show((face.view.image, (5, 5, 120, 150)))
    assert not face.go.isEnabled()
    assert face.reason.text() == "Move so that your face is inside the oval."
    for _ in range(3):
        preview.in_flight = True
        preview._show((face.view.image, (300, 220, 40, 50)))
    assert face.reason.text() == "Come a little closer to the camera, with your face inside the oval."
    assert not face.go.isEnabled()


def test_after_two_face_failures_staff_help_or_a_ticket_and_always_a_way_out(
    qtbot: Any, make_kiosk: Any, fake_services: Any, tmp_path: Path
) -> None:
    with_tickets(fake_services, tmp_path)
    fake_services.match = False
    kiosk = make_kiosk(fake_services, language="en")
    window = kiosk.window
    click(qtbot, window.screens[Screen.attract].certify)
    click(qtbot, window.screens[Screen.card].go)
    error = window.screens[Screen.error]
    seen = []
    for _attempt in range(3):
        wait_screen(qtbot, kiosk, Screen.face)
        start_face_check(qtbot, kiosk)
        wait_screen(qtbot, kiosk, Screen.error)
        seen.append([b.text() for b in error.buttons if b.isVisibleTo(window)])
        if "Try again" in seen[-1]:
            click(qtbot, error.buttons[0])
    assert seen[0] == ["Try again", "Call staff", "Start over"]
    assert seen[1] == ["Try again", "Call staff", "Get a queue ticket", "Start over"]
    assert seen[2] == ["Get a queue ticket", "Call staff", "Start over"]
    assert error.title.text() == "Your face does not match the card"


def test_a_liveness_failure_says_why_and_what_to_do(qtbot: Any, make_kiosk: Any, fake_services: Any) -> None:
    from kiosk.identity.errors import LivenessError

    def refuse(challenge: str, frames: Any) -> str:
        raise LivenessError("not done in time", reason="timeout")

    fake_services.check_liveness = refuse
    kiosk = make_kiosk(fake_services)
    window = kiosk.window
    click(qtbot, window.screens[Screen.attract].certify)
    click(qtbot, window.screens[Screen.card].go)
    wait_screen(qtbot, kiosk, Screen.face)
    start_face_check(qtbot, kiosk)
    wait_screen(qtbot, kiosk, Screen.error)
    error = window.screens[Screen.error]
    assert error.title.text() == "Chưa kiểm tra xong khuôn mặt"  # no longer "…người thật"
    assert error.reason.text() == "Camera chưa thấy Ông/Bà làm xong một bước kịp thời gian."
    assert "từng bước thật chậm" in error.instruction.text()
    assert "Làm lại từ đầu" in [b.text() for b in error.buttons if b.isVisibleTo(window)]


# -- 5. the visit's language -------------------------------------------------------------------------------


def test_english_plurals_on_the_review_and_payment_screens(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    kiosk = make_kiosk(fake_services, language="en")
    run_to_review(qtbot, kiosk, pages=2)
    review = kiosk.window.screens[Screen.review]
    assert "4.000 đ a copy × 1 copy = 4.000 đ" in review.breakdown.text()
    click(qtbot, review.plus)
    assert "× 2 copies = 8.000 đ" in review.breakdown.text()
    assert messages.pages_text(1) == "1 page" and messages.pages_text(2) == "2 pages"


def test_receipt_and_ticket_in_the_visits_language_with_the_amount() -> None:
    receipt = Receipt("HN001-000042-U", ("X",), "q", copies=1, amount_vnd=4000, language="en")
    assert receipt_lines(receipt)[1:3] == ("Copies: 1", "Certification fee: 4.000 đ")
    ticket = QueueTicket(
        "A012",
        "Counter 2",
        TicketReason.payment_cash,
        datetime(2026, 12, 1, 2, 0, tzinfo=UTC),
        language="en",
        amount_vnd=8000,
    )
    lines = ticket.as_receipt().lines
    assert lines[0] == "QUEUE TICKET"
    assert "Amount to pay: 8.000 đ" in lines
    assert "Remember your ID card and your documents on the glass." in lines
    vi = QueueTicket(
        "A013", "Quầy 2", TicketReason.payment_cash, datetime(2026, 12, 1, tzinfo=UTC), amount_vnd=8000
    )
    assert "Số tiền cần nộp: 8.000 đ" in vi.as_receipt().lines
    assert not any(re.search(r"[ăâđêôơưạảấầẩẫậ]", line) for line in lines if "đ" not in line)


def test_paying_cash_prints_a_ticket_with_the_amount_and_the_reminder(
    qtbot: Any, make_kiosk: Any, fake_services: Any, tmp_path: Path
) -> None:
    printer = with_tickets(fake_services, tmp_path)
    kiosk = make_kiosk(fake_services, language="en")
    run_to_review(qtbot, kiosk, pages=2)
    kiosk.flow.print_queue_ticket("payment_cash")  # no payment service: cash at the counter
    wait_screen(qtbot, kiosk, Screen.ticket)
    screen = kiosk.window.screens[Screen.ticket]
    assert "Amount to pay: 4.000 đ" in screen.reason.text()
    assert "Amount to pay: 4.000 đ" in printer.printed[-1].lines
    assert screen.take.text() == "Please take your ID card and your documents from the glass."
    assert printer.printed[-1].language == "en"
    assert printer.printed[-1].lines[0] == "QUEUE TICKET"


def test_the_start_screen_reminds_after_a_cancel_or_a_time_out(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    kiosk = make_kiosk(fake_services, language="en", voice=True)
    window = kiosk.window
    attract = window.screens[Screen.attract]
    assert not attract.reminder.isVisibleTo(window)  # nothing was on the glass yet
    click(qtbot, attract.certify)
    click(qtbot, window.screens[Screen.card].go)
    wait_screen(qtbot, kiosk, Screen.face)
    kiosk.flow.cancel()  # the card was read: it is on the glass
    wait_screen(qtbot, kiosk, Screen.attract)
    assert attract.reminder.isVisibleTo(window)
    assert attract.reminder.text() == "Please take your ID card from the glass."  # only the card was laid
    assert said(kiosk)[-1].startswith("Please take your ID card")
    window.reminder_until = 0.0  # the reminder's time is over
    window._reminder_over()
    assert not attract.reminder.isVisibleTo(window)


# -- 6. the card step --------------------------------------------------------------------------------------


def test_the_card_picture_shows_the_front_and_the_glass() -> None:
    image = pixmap_of_card(600, 240).toImage()
    assert not image.isNull()
    # the card's front (blue frame, left half) and the scanner's glass (light blue, right half) are drawn
    left = {image.pixelColor(x, y).name() for x in range(0, 300, 3) for y in range(0, 240, 3)}
    right = {image.pixelColor(x, y).name() for x in range(300, 600, 3) for y in range(0, 240, 3)}
    assert "#0b5cad" in left and "#bfd9f2" in right


def test_card_back_and_empty_glass_each_have_their_message_and_a_way_out(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    kiosk = make_kiosk(fake_services, language="en")
    flow, window = kiosk.flow, kiosk.window
    error = window.screens[Screen.error]
    flow.show_error(ErrorInfo("card_unreadable", "error.card.no_qr", (Action.rescan,)), back_to=Screen.card)
    assert error.reason.text() == "No QR code was found: this may be the back of the card."
    assert "Turn it over" in error.instruction.text()
    assert error.picture.isVisibleTo(window)
    from drivers.errors import NoDocument
    from kiosk.flow import classify_error

    empty = classify_error(NoDocument("nothing on the glass", category="scanner"))
    assert Action.start_over in empty.actions
    flow.show_error(empty, back_to=Screen.card)
    assert error.title.text() == "Nothing was found on the glass"
    assert "Lay your ID card face down" in error.instruction.text()
    flow.show_error(ErrorInfo("page_quality", "blank", (Action.rescan,)), back_to=Screen.scan)
    assert error.reason.text() == "The page is blank."
    assert "printed side goes face down" in error.instruction.text()
    assert not error.picture.isVisibleTo(window)


def test_scan_again_after_a_card_error_reads_the_card_again(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    kiosk = make_kiosk(fake_services)
    flow = kiosk.flow
    click(qtbot, kiosk.window.screens[Screen.attract].certify)
    wait_screen(qtbot, kiosk, Screen.card)
    flow.show_error(ErrorInfo("card_unreadable", "error.card.no_qr", (Action.rescan,)), back_to=Screen.card)
    scans = len(fake_services.images)
    click(qtbot, kiosk.window.screens[Screen.error].buttons[0])
    wait_screen(qtbot, kiosk, Screen.face)  # scanned and read at once, not just one step back
    assert len(fake_services.images) > scans


# -- 7. the safe button first --------------------------------------------------------------------------------


def test_the_cancel_dialog_makes_going_on_the_main_action(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    kiosk = make_kiosk(fake_services)
    run_to_review(qtbot, kiosk, pages=1)
    click(qtbot, kiosk.window.screens[Screen.review].cancel)
    dialog = kiosk.window.confirm_overlay
    keep, end = dialog.buttons[0], dialog.buttons[1]
    assert keep.text() == "Tiếp tục giao dịch" and keep.property("primary") is True
    assert end.text() == "Hủy giao dịch" and not end.property("primary") and end.property("danger") is True
    click(qtbot, keep)
    assert kiosk.flow.screen == Screen.review and len(kiosk.flow.visit.pages) == 1


# -- the idle countdown -----------------------------------------------------------------------------------


def test_the_idle_countdown_hides_the_pages_behind_it(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    kiosk = make_kiosk(fake_services)
    window = kiosk.window
    run_to_review(qtbot, kiosk, pages=1)
    click(qtbot, window.screens[Screen.review].back)
    wait_screen(qtbot, kiosk, Screen.scan)
    thumb = window.screens[Screen.scan].thumbs[0]
    window.overlay.show_seconds(10)
    window.overlay.setGeometry(window.rect())
    window.overlay.show()
    window.overlay.raise_()
    shot = window.grab().toImage()
    spot = thumb.mapTo(window, thumb.view.geometry().center())
    assert shot.pixelColor(spot) == QColor(theme.NORMAL.background)  # not the page, not a dimmed page


# -- 14. wording -------------------------------------------------------------------------------------------


def test_no_guillemets_and_no_awkward_liveness_title() -> None:
    ts = (TRANSLATIONS_DIR / "kiosk_vi.ts").read_text(encoding="utf-8")
    assert "«" not in ts and "»" not in ts
    assert "người thật" not in ts


def test_a_printer_fault_while_printing_says_the_copy_is_saved(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    kiosk = make_kiosk(fake_services)
    kiosk.flow.show_error(ErrorInfo("device", "", (Action.try_again,)), back_to=Screen.printing)
    error = kiosk.window.screens[Screen.error]
    assert "Bản sao đã được lưu" in error.instruction.text()
    kiosk.flow.show_error(ErrorInfo("device", "", (Action.try_again,)), back_to=Screen.scan)
    assert "Bản sao đã được lưu" not in error.instruction.text()


def test_the_error_icon_is_strong_in_high_contrast() -> None:
    normal = icon_pixmap("problem", 96).toImage().pixelColor(30, 48)
    strong = icon_pixmap("problem", 96, high_contrast=True).toImage()
    disc = strong.pixelColor(30, 48)
    assert normal.name() == "#b3261e"
    assert disc.lightness() > 150  # a bright disc on the black background
    assert strong.pixelColor(48, 30).lightness() < 60  # with a black mark


def test_the_receipt_names_the_buttons_as_the_screen_does() -> None:
    from kiosk.pipeline.visit_pipeline import RECEIPT_TEXT

    ts = (TRANSLATIONS_DIR / "kiosk_vi.ts").read_text(encoding="utf-8")
    for language, check, reprint in (
        ("vi", "Kiểm tra bản sao chứng thực", "In lại bản sao"),
        ("en", "Check a certified copy", "Reprint a copy"),
    ):
        assert f"“{check}”" in RECEIPT_TEXT[language]["check"]
        assert f"“{reprint}”" in RECEIPT_TEXT[language]["reprint"]
        if language == "vi":
            assert (
                f"<translation>{check}</translation>" in ts and f"<translation>{reprint}</translation>" in ts
            )


def test_done_screen_secret_note_only(qtbot: Any, make_kiosk: Any, fake_services: Any) -> None:
    kiosk = make_kiosk(fake_services, language="en")
    kiosk.flow.visit.copy = SimpleNamespace(
        code="HN001-000042-U", retrieval=SimpleNamespace(display="AB12C-D34EF")
    )
    kiosk.flow.screen = Screen.done
    kiosk.window.refresh()
    texts = [label.text() for label in kiosk.window.findChildren(QLabel)]
    assert not any("AB12C" in text for text in texts)


# -- 12. check a copy ---------------------------------------------------------------------------------------


class FactsApi:
    """The kiosk's mTLS client as the check screen's lookup uses it (KioskApiClient.copy_facts)."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.asked: list[str] = []

    def copy_facts(self, code: str) -> Any:
        self.asked.append(code)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def test_the_status_is_asked_from_the_connected_backend() -> None:
    from kiosk.copy_check.online_status import status_over_api
    from offline_sync.protocol.errors import BackendError
    from ui.visit_parts import use_for_status

    services = SimpleNamespace(status_lookup=None)
    api = FactsApi({"code": "HN001-000042-U", "status": "revoked", "revoked_reason": "wrong_document"})
    use_for_status(services, api)
    status = services.status_lookup("HN001-000042-U")
    assert (status.checked, status.status, status.revoked_reason) == (True, "revoked", "wrong_document")
    assert api.asked == ["HN001-000042-U"]
    assert status_over_api(FactsApi(None), "X").checked  # the city answered: it does not know the code
    down = status_over_api(FactsApi(BackendError("cannot reach the backend")), "X")
    assert not down.checked and down.status is None
    configured = SimpleNamespace(status_lookup=lambda code: "public listener")
    use_for_status(configured, api)  # a configured public listener is kept
    assert configured.status_lookup("X") == "public listener"


def test_the_check_result_names_the_documents_subject(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    kiosk = make_kiosk(fake_services, language="en")
    kiosk.flow.visit.verification = SimpleNamespace(
        valid=True,
        code="HN001-000042-U",
        pages=1,
        doc_type="birth_certificate",
        issued_at=None,
        fields={"full_name": "ĐỖ THỊ MINH NHUNG"},
        holder_name="NGUYỄN THỊ MINH ANH",
    )
    kiosk.flow.visit.online_status = SimpleNamespace(checked=False, status=None, revoked_reason=None)
    kiosk.flow.screen = Screen.check_result
    kiosk.window.refresh()
    screen = kiosk.window.screens[Screen.check_result]
    assert "Name on the document: ĐỖ THỊ MINH NHUNG" in screen.details.text()
    assert "Copy requested by: NGUYỄN THỊ MINH ANH" in screen.details.text()
    assert "no network" not in screen.online.text()


def test_a_page_that_does_not_match_its_seal_says_to_check_it_again_then_ask_staff(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    """A genuine copy held up at the camera can still be misread (a digit of a number): the verdict says
    what was found, then how to go on, in Vietnamese, the kiosk's first language."""
    kiosk = make_kiosk(fake_services, language="vi")
    kiosk.flow.visit.verification = SimpleNamespace(
        valid=False,
        code="HN001-000042-U",
        pages=1,
        doc_type="birth_certificate",
        issued_at=None,
        fields={"id_number": "001192989530"},
        holder_name="NGUYỄN THỊ MINH ANH",
        reason_key="page_mismatch",
        mismatched_fields=["id_number"],
    )
    kiosk.flow.visit.online_status = None
    kiosk.flow.screen = Screen.check_result
    kiosk.window.refresh()
    text = kiosk.window.screens[Screen.check_result].details.text()
    assert "Trang giấy không khớp với mã QR" in text
    assert "hãy đặt phẳng trang giấy ở nơi đủ sáng và kiểm tra lại" in text
    assert text.index("kiểm tra lại") < text.index(
        kiosk.window.screens[Screen.check_result].tr("Ask staff to look at the original record.")
    )
    assert "001192989530" not in text  # a refused page shows none of the seal's fields


# -- 8. pages full size, a page scanned twice ---------------------------------------------------------------


def test_a_thumbnail_opens_the_page_full_size(qtbot: Any, make_kiosk: Any, fake_services: Any) -> None:

    kiosk = make_kiosk(fake_services, language="en")
    window = kiosk.window
    run_to_review(qtbot, kiosk, pages=2)
    click(qtbot, window.screens[Screen.review].back)
    wait_screen(qtbot, kiosk, Screen.scan)
    thumb = window.screens[Screen.scan].thumbs[1]
    qtbot.mouseClick(thumb.view, Qt.MouseButton.LeftButton)
    page = window.page_overlay
    assert page.isVisible() and page.title.text() == "Page 2"
    assert page.view.height() > 3 * thumb.view.height() // 2  # far bigger than the thumbnail
    assert page.view.image is not None and page.view.image.height() > thumb.view.image.height()
    click(qtbot, page.close_button)
    assert not page.isVisible() and page.view.image is None  # the page does not linger


def test_a_page_scanned_twice_shows_both_pages_before_review(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    fake_services.find_duplicate = lambda page, earlier: 0  # the detector (kiosk.services) says: page 1
    kiosk = make_kiosk(fake_services, language="en")
    window = kiosk.window
    run_to_review(qtbot, kiosk, pages=1)
    click(qtbot, window.screens[Screen.review].back)
    wait_screen(qtbot, kiosk, Screen.scan)
    click(qtbot, window.screens[Screen.scan].add)
    wait_screen(qtbot, kiosk, Screen.error)
    error = window.screens[Screen.error]
    assert error.title.text() == "This page looks the same as page 1"
    assert error.compare.isVisibleTo(window)
    assert [label.text() for label in error.compare_labels] == ["Page 1", "The page just scanned"]
    assert all(view.image is not None for view in error.compare_views)
    qtbot.mouseClick(error.compare_views[0], Qt.MouseButton.LeftButton)
    assert window.page_overlay.isVisible() and window.page_overlay.title.text() == "Page 1"
    window.page_overlay.close_page()
    click(qtbot, error.buttons[error.error_actions.index(Action.back_to_pages)])  # "Back": dropped
    wait_screen(qtbot, kiosk, Screen.scan)
    assert all(view.image is None for view in error.compare_views)
