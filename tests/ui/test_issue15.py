"""Issue 15's defects as a citizen or a technician meets them on the window (pytest-qt, offscreen).

Each test names its defect number. The payment and the staff call run over the real reference backend and
the simulated payment gateway (the fixtures of tests/payment), the light is the simulated twin.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from drivers.signal_light import SimulatedSignalLight
from kiosk.flow import Screen, Service
from kiosk.services.payment import PaymentService
from kiosk.services.queue_ticket import QueueNumbers, QueueTicketService
from kiosk.services.staff_call import StaffCallService
from tests.payment.conftest import api, backend, gateway, pki  # noqa: F401 (fixtures)
from tests.ui.test_visit import (
    click,
    confirm_yes,
    run_to_review,
    start_face_check,
    visible_texts,
    wait_screen,
)
from ui import screens_face, theme
from ui.widgets import PageThumb, pixmap_of_card, pixmap_of_printed_page

pytestmark = pytest.mark.timeout(180)


class Tickets:
    """The receipt printer as the queue-ticket service sees it (the tickets it printed)."""

    def __init__(self) -> None:
        self.receipts: list[Any] = []

    def print_receipt(self, receipt: Any) -> None:
        self.receipts.append(receipt)


@pytest.fixture
def paying_services(fake_services: Any, api: Any, tmp_path: Path) -> Any:  # noqa: F811 (fixture)
    fake_services.payments = PaymentService(api, kiosk_id="HN-001", poll_interval=0.05)
    fake_services.ticket_printer = Tickets()
    fake_services.tickets = QueueTicketService(
        fake_services.ticket_printer, QueueNumbers(tmp_path / "queue.json")
    )
    return fake_services


def texts_of(widget: QWidget) -> str:
    return "\n".join(
        w.text()
        for w in widget.findChildren(QLabel) + widget.findChildren(QPushButton)
        if w.isVisibleTo(widget)
    )


# -- 1. reprint only for the holder; the done screen forgets the code ---------------------------------------


def test_1_reprint_asks_for_the_holders_card_and_face(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    fake_services.holder = "079200000001"  # the copy belongs to someone else than the card on the glass
    kiosk = make_kiosk(fake_services)
    w = kiosk.window
    click(qtbot, w.screens[Screen.attract].reprint)
    reprint = w.screens[Screen.reprint]
    for key in "HN001-000042-U":
        click(qtbot, reprint.keypad.buttons[key])
    click(qtbot, reprint.go)
    wait_screen(qtbot, kiosk, Screen.card)  # the code alone prints nothing
    assert "Chỉ người được chứng thực" in w.screens[Screen.card].instruction.text()
    click(qtbot, w.screens[Screen.card].go)
    wait_screen(qtbot, kiosk, Screen.face)
    start_face_check(qtbot, kiosk)
    wait_screen(qtbot, kiosk, Screen.error)
    error = w.screens[Screen.error]
    assert error.title.text() == "Không thể in lại bản sao này"
    assert "Gọi cán bộ" in [b.text() for b in error.buttons if b.isVisible()]
    assert fake_services.reprinted == []
    assert kiosk.flow.visit.error.reason == "not_holder"


def test_1_done_screen_counts_down_and_forgets_the_code(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    kiosk = make_kiosk(fake_services)
    assert 20 <= kiosk.flow.done_timeout_s <= 30  # the product's own countdown, not the 105 s idle reset
    kiosk.flow.done_timeout_s = 1.5
    w = kiosk.window
    run_to_review(qtbot, kiosk, pages=1)
    click(qtbot, w.screens[Screen.review].go)
    wait_screen(qtbot, kiosk, Screen.done)
    done = w.screens[Screen.done]
    started = time.monotonic()
    assert done.code.text() == "HN001-000042-U"
    qtbot.waitUntil(lambda: "giây" in done.countdown.text(), timeout=5000)
    assert done.countdown.text().startswith("Màn hình sẽ trở về trang đầu sau")
    qtbot.waitUntil(lambda: kiosk.flow.screen == Screen.attract, timeout=10000)
    assert time.monotonic() - started < 5
    assert done.code.text() == ""
    assert "HN001-000042-U" not in visible_texts(kiosk)


# -- 2. the fee with its breakdown, then VietQR, then printing; cash gives a ticket --------------------------


def to_review_with(qtbot: Any, kiosk: Any, pages: int, copies: int) -> None:
    run_to_review(qtbot, kiosk, pages=pages)
    review = kiosk.window.screens[Screen.review]
    for _ in range(copies - 1):
        click(qtbot, review.plus)


def test_2_fee_breakdown_then_vietqr_then_print(
    qtbot: Any,
    make_kiosk: Any,
    paying_services: Any,
    gateway: Any,  # noqa: F811 (fixture)
) -> None:
    kiosk = make_kiosk(paying_services)
    w = kiosk.window
    to_review_with(qtbot, kiosk, pages=5, copies=2)
    review = w.screens[Screen.review]
    assert review.values[3].text() == "14.000 đ"  # (2 x 2.000 + 3 x 1.000) x 2, Circular 226
    breakdown = review.breakdown.text()
    assert "Trang 1–2: 2 × 2.000 đ = 4.000 đ" in breakdown
    assert "Trang 3–5: 3 × 1.000 đ = 3.000 đ" in breakdown
    assert "7.000 đ mỗi bản × 2 bản = 14.000 đ" in breakdown
    assert "226/2016/TT-BTC" in breakdown
    assert review.labels[3].text() == "Phí"
    assert "lệ phí" not in texts_of(review).lower()
    assert review.go.text() == "Xác nhận và nộp phí"
    click(qtbot, review.go)
    qtbot.waitUntil(lambda: kiosk.flow.visit.payment_request is not None, timeout=30000)
    pay = w.screens[Screen.payment]
    request = kiosk.flow.visit.payment_request
    assert kiosk.flow.screen == Screen.payment
    assert pay.qr.payload == request.qr_payload and pay.qr.matrix  # the VietQR is drawn
    assert pay.amount.text() == "14.000 đ"
    assert pay.reference.text() == request.reference
    assert "chờ ngân hàng xác nhận" in pay.waiting.text()
    assert paying_services.printed == [] and paying_services.receipts == []  # nothing before payment
    gateway.pay(request.qr_payload)
    wait_screen(qtbot, kiosk, Screen.done)
    assert paying_services.printed == [("HN001-000042-U", 2)]
    assert paying_services.receipt_payments[-1]["amount_vnd"] == 14000


def test_2_cash_at_the_counter_prints_a_queue_ticket_only(
    qtbot: Any, make_kiosk: Any, paying_services: Any
) -> None:
    kiosk = make_kiosk(paying_services)
    w = kiosk.window
    to_review_with(qtbot, kiosk, pages=1, copies=1)
    click(qtbot, w.screens[Screen.review].go)
    qtbot.waitUntil(w.screens[Screen.payment].cash.isEnabled, timeout=30000)
    click(qtbot, w.screens[Screen.payment].cash)
    wait_screen(qtbot, kiosk, Screen.ticket)
    ticket = w.screens[Screen.ticket]
    assert ticket.number.text() == kiosk.flow.visit.queue_ticket.number != ""
    assert "Thu phí" in ticket.counter.text()
    assert len(paying_services.ticket_printer.receipts) == 1
    assert paying_services.printed == [] and paying_services.receipts == []


# -- 3. help reaches staff and keeps the visit -------------------------------------------------------------


def test_3_help_on_every_screen_calls_staff_and_keeps_the_visit(
    qtbot: Any,
    make_kiosk: Any,
    fake_services: Any,
    api: Any,  # noqa: F811 (fixture)
) -> None:
    with SimulatedSignalLight() as light:
        fake_services.staff_calls = StaffCallService(light, api)
        kiosk = make_kiosk(fake_services)
        w = kiosk.window
        for screen, widget in w.screens.build_all().items():
            if screen not in (Screen.maintenance, Screen.maintenance_pin):
                widget.show_help(True)
                assert widget.help.text() == "Trợ giúp / Gọi cán bộ", screen
        run_to_review(qtbot, kiosk, pages=2)
        click(qtbot, w.screens[Screen.review].back)
        wait_screen(qtbot, kiosk, Screen.scan)
        scan = w.screens[Screen.scan]
        assert scan.help.isVisible()
        click(qtbot, scan.help)
        panel = w.help_overlay
        qtbot.waitUntil(lambda: panel.state == "coming", timeout=30000)
        assert panel.isVisible() and panel.title.text() == "Cán bộ đang đến"
        assert light.pattern == "call"
        assert [c["reason"] for c in api.staff_calls("open")] == ["citizen_request"]
        assert kiosk.flow.screen == Screen.scan and len(kiosk.flow.visit.pages) == 2  # the visit is kept
        # Waiting for staff does not let the idle timer wipe the visit.
        kiosk.flow.idle_timeout_s = 0.2
        qtbot.wait(600)
        w.check_idle()
        assert kiosk.flow.screen == Screen.scan and not w.overlay.isVisible()
        kiosk.flow.idle_timeout_s = 90
        keep = next(b for b in panel.buttons if b.text() == "Tiếp tục giao dịch")
        click(qtbot, keep)
        assert not panel.isVisible() and len(kiosk.flow.visit.pages) == 2
        # The citizen cancels the call: the light goes back to ready, the backend closes it.
        click(qtbot, scan.help)
        qtbot.waitUntil(lambda: panel.state == "coming", timeout=30000)
        click(qtbot, next(b for b in panel.buttons if b.text() == "Hủy yêu cầu hỗ trợ"))
        qtbot.waitUntil(lambda: light.pattern == "ready", timeout=30000)
        qtbot.waitUntil(lambda: api.staff_calls("open") == [], timeout=30000)
        assert kiosk.flow.screen == Screen.scan


def test_3_call_staff_from_an_error_keeps_the_visit(qtbot: Any, make_kiosk: Any, fake_services: Any) -> None:
    with SimulatedSignalLight() as light:
        fake_services.staff_calls = StaffCallService(
            light, None
        )  # the backend is down: the light still calls
        fake_services.match = False
        kiosk = make_kiosk(fake_services)
        w = kiosk.window
        click(qtbot, w.screens[Screen.attract].certify)
        click(qtbot, w.screens[Screen.card].go)
        wait_screen(qtbot, kiosk, Screen.face)
        start_face_check(qtbot, kiosk)
        wait_screen(qtbot, kiosk, Screen.error)
        error = w.screens[Screen.error]
        click(qtbot, next(b for b in error.buttons if b.text() == "Gọi cán bộ"))
        qtbot.waitUntil(lambda: w.help_overlay.state == "coming", timeout=30000)
        assert light.pattern == "call"
        assert kiosk.flow.visit.staff_call.reason == "face_failures"
        assert kiosk.flow.screen == Screen.error and kiosk.flow.visit.card is not None


def test_3_help_without_a_staff_call_service_sends_to_the_counter(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    kiosk = make_kiosk(fake_services)
    click(qtbot, kiosk.window.screens[Screen.attract].help)
    panel = kiosk.window.help_overlay
    assert panel.isVisible() and panel.title.text() == "Chưa gọi được cán bộ"  # never a false "coming"


# -- 4. maintenance times out -------------------------------------------------------------------------------


def test_4_maintenance_mode_times_out_to_attract(
    qtbot: Any, make_kiosk: Any, fake_services: Any, audit_events: list
) -> None:
    kiosk = make_kiosk(fake_services)
    kiosk.flow.maintenance_timeout_s = 0.5
    for _ in range(5):
        kiosk.flow.secret_tap()
    assert kiosk.flow.screen == Screen.maintenance_pin
    kiosk.flow.enter_pin("123456")
    assert kiosk.flow.screen == Screen.maintenance
    assert kiosk.window.screens[Screen.maintenance].close_app.isVisible()
    qtbot.waitUntil(lambda: kiosk.flow.screen == Screen.attract, timeout=10000)
    assert "maintenance.timeout" in [e for e, _ in audit_events]


# -- 5. "Hủy" and "Xóa" ask first ------------------------------------------------------------------------


def test_5_cancel_and_remove_ask_before_throwing_pages_away(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    kiosk = make_kiosk(fake_services)
    w = kiosk.window
    run_to_review(qtbot, kiosk, pages=2)
    click(qtbot, w.screens[Screen.review].back)
    wait_screen(qtbot, kiosk, Screen.scan)
    scan = w.screens[Screen.scan]
    click(qtbot, scan.cancel)
    dialog = w.confirm_overlay
    assert dialog.isVisible() and dialog.title.text() == "Hủy giao dịch này?"
    assert kiosk.flow.screen == Screen.scan and len(kiosk.flow.visit.pages) == 2
    click(qtbot, dialog.buttons[0])  # "Không, quay lại"
    assert not dialog.isVisible() and len(kiosk.flow.visit.pages) == 2
    click(qtbot, scan.thumbs[1].remove)
    assert dialog.title.text() == "Xóa trang 2?" and len(kiosk.flow.visit.pages) == 2
    click(qtbot, dialog.buttons[0])
    assert len(kiosk.flow.visit.pages) == 2
    click(qtbot, scan.thumbs[1].remove)
    confirm_yes(qtbot, kiosk)
    assert len(kiosk.flow.visit.pages) == 1
    click(qtbot, scan.cancel)
    confirm_yes(qtbot, kiosk)
    assert kiosk.flow.screen == Screen.attract


# -- 6. every page shows, with a count and scrolling ------------------------------------------------------


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_6_all_pages_show_with_a_count_and_scrolling(
    qtbot: Any, make_kiosk: Any, fake_services: Any, size: tuple[int, int]
) -> None:
    kiosk = make_kiosk(fake_services, size=size)
    w = kiosk.window
    run_to_review(qtbot, kiosk, pages=8)
    click(qtbot, w.screens[Screen.review].back)
    wait_screen(qtbot, kiosk, Screen.scan)
    scan = w.screens[Screen.scan]
    qtbot.wait(50)
    assert scan.count.text() == "Số trang đã quét: 8"
    assert [t.number.text() for t in scan.thumbs] == [f"Trang {i}" for i in range(1, 9)]
    assert all(t.view.image is not None for t in scan.thumbs)
    bar = scan.pages_area.verticalScrollBar()
    assert bar.maximum() > 0  # more pages than fit: the grid scrolls
    bar.setValue(0)
    scan.pages_area.ensureWidgetVisible(scan.thumbs[0])
    assert scan.thumbs[0].visibleRegion().boundingRect().height() > 0


# -- 7. no face: Start disabled, with the reason --------------------------------------------------------


def test_7_no_face_in_the_picture_disables_start_with_the_reason(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    fake_services.face_in_view = False
    kiosk = make_kiosk(fake_services)
    w = kiosk.window
    click(qtbot, w.screens[Screen.attract].certify)
    click(qtbot, w.screens[Screen.card].go)
    wait_screen(qtbot, kiosk, Screen.face)
    face = w.screens[Screen.face]
    qtbot.waitUntil(lambda: w.preview.face_seen is False, timeout=30000)
    assert not face.go.isEnabled()
    assert face.reason.isVisible()
    assert face.reason.text().startswith("Không thấy khuôn mặt trong khung hình")
    fake_services.face_in_view = True
    qtbot.waitUntil(face.go.isEnabled, timeout=30000)
    assert not face.reason.isVisible()


# -- 8, 9. check a copy: Vietnam time, and a drawing of a printed page ------------------------------------


def test_8_check_result_shows_vietnam_time_with_the_zone(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    kiosk = make_kiosk(fake_services)
    flow = kiosk.flow
    flow.visit.verification = SimpleNamespace(
        valid=True, code="HN001-000042-U", pages=1, doc_type="birth_certificate",
        issued_at=datetime(2026, 11, 22, 8, 11, tzinfo=UTC),
    )  # fmt: skip
    flow.visit.online_status = SimpleNamespace(checked=False, status=None, revoked_reason=None)
    flow.screen = Screen.check_result
    kiosk.window.refresh()
    result = kiosk.window.screens[Screen.check_result]
    assert "Thời điểm chứng thực: 22/11/2026 15:11 (GMT+7)" in result.details.text()
    assert "08:11" not in result.details.text()
    assert result.online.text() == "Chưa tra cứu được tình trạng lúc này: hệ thống của thành phố chưa trả lời"
    flow.visit.online_status = SimpleNamespace(checked=True, status="revoked", revoked_reason="giả mạo")
    kiosk.window.refresh()
    assert result.verdict.text() == "Bản sao này đã bị thu hồi"
    assert result.online.text() == "Tình trạng: ĐÃ BỊ THU HỒI: giả mạo"


def test_9_check_copy_screen_draws_a_printed_page_not_a_card(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    kiosk = make_kiosk(fake_services)
    click(qtbot, kiosk.window.screens[Screen.attract].check)
    picture = kiosk.window.screens[Screen.check_copy].picture.pixmap()
    w, h = picture.width(), picture.height()
    assert picture.toImage() == pixmap_of_printed_page(w, h).toImage()
    assert picture.toImage() != pixmap_of_card(w, h, "#1E7A34").toImage()
    assert kiosk.window.screens[Screen.check_copy].title.text() == "Đặt bản sao đã in lên mặt kính"


# -- 10. the scan screen agrees with itself; primary action; disabled buttons -------------------------------


def test_10_scan_text_names_its_buttons_and_the_main_action_is_primary(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    kiosk = make_kiosk(fake_services)
    w = kiosk.window
    click(qtbot, w.screens[Screen.attract].certify)
    click(qtbot, w.screens[Screen.card].go)
    wait_screen(qtbot, kiosk, Screen.face)
    start_face_check(qtbot, kiosk)
    wait_screen(qtbot, kiosk, Screen.scan)
    scan = w.screens[Screen.scan]
    assert scan.add.text() == "Quét trang đầu tiên"
    # issue 25: “…” quotes; before the first page, scanning it is the only way on (the walk's W4: the text
    # names only the buttons on show)
    assert f"“{scan.add.text()}”" in scan.instruction.text()
    assert f"“{scan.go.text()}”" not in scan.instruction.text()
    assert scan.add.property("primary") is True and not scan.go.isVisibleTo(w)
    click(qtbot, scan.add)
    qtbot.waitUntil(lambda: len(kiosk.flow.visit.pages) == 1 and not kiosk.flow.busy, timeout=30000)
    assert scan.add.text() == "Quét trang tiếp theo"
    assert scan.go.text() == "Xong, tiếp tục"
    assert (
        f"“{scan.add.text()}”" in scan.instruction.text() and f"“{scan.go.text()}”" in scan.instruction.text()
    )
    # issue 25: after a page the next page and "done" are equal choices (neither steers past page 2)
    assert scan.go.property("primary") is True and scan.add.property("primary") is True
    assert scan.go.isVisibleTo(w) and scan.add.isVisibleTo(w)
    sheet = w.styleSheet()
    assert "dashed" not in sheet
    assert ":focus:!disabled" in sheet


# -- 11. the face step guides ----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_11_face_oval_is_face_shaped_in_both_orientations(
    qtbot: Any, make_kiosk: Any, fake_services: Any, size: tuple[int, int]
) -> None:
    kiosk = make_kiosk(fake_services, size=size)
    w = kiosk.window
    click(qtbot, w.screens[Screen.attract].certify)
    click(qtbot, w.screens[Screen.card].go)
    wait_screen(qtbot, kiosk, Screen.face)
    view = w.screens[Screen.face].view
    qtbot.waitUntil(lambda: view.image is not None, timeout=30000)
    oval, picture = view.guide_rect(), view.image_rect()
    assert oval.width() / oval.height() == pytest.approx(0.75, abs=0.01)
    assert 0.5 <= oval.height() / picture.height() <= 0.8
    assert picture.contains(oval)


def test_11_current_liveness_step_is_highlighted_and_the_match_confirmed(
    qtbot: Any, make_kiosk: Any, fake_services: Any, monkeypatch: Any
) -> None:
    import threading

    monkeypatch.setattr(screens_face, "FACE_STEP_S", 0.3)
    kiosk = make_kiosk(fake_services)
    w = kiosk.window
    click(qtbot, w.screens[Screen.attract].certify)
    click(qtbot, w.screens[Screen.card].go)
    wait_screen(qtbot, kiosk, Screen.face)
    face = w.screens[Screen.face]
    labels = face.step_labels
    assert [lb.property("role") for lb in labels[:2]] == ["pending", "pending"]
    fake_services.gate = threading.Event()
    start_face_check(qtbot, kiosk)
    qtbot.waitUntil(lambda: labels[0].property("role") == "current", timeout=5000)
    assert labels[0].text().startswith("▶ 1. Quay đầu từ từ sang trái")
    qtbot.waitUntil(lambda: labels[1].property("role") == "current", timeout=5000)
    assert labels[0].property("role") == "passed" and labels[0].text().startswith("✓")
    fake_services.gate.set()
    fake_services.gate = None
    wait_screen(qtbot, kiosk, Screen.scan)
    banner = w.screens[Screen.scan].face_ok
    assert banner.isVisible() and banner.text() == "✓ Khuôn mặt khớp với ảnh trên thẻ căn cước."


# -- 12. error screens: icon and ways forward -------------------------------------------------------------


def test_12_error_screens_have_an_icon_and_call_staff(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    from kiosk.errors import UnknownCodeError
    from kiosk.flow import classify_error
    from kiosk.identity.errors import CardError

    kiosk = make_kiosk(fake_services, language="en")
    w = kiosk.window
    fake_services.bad_pages = 1
    click(qtbot, w.screens[Screen.attract].certify)
    click(qtbot, w.screens[Screen.card].go)
    wait_screen(qtbot, kiosk, Screen.face)
    start_face_check(qtbot, kiosk)
    wait_screen(qtbot, kiosk, Screen.scan)
    click(qtbot, w.screens[Screen.scan].add)
    wait_screen(qtbot, kiosk, Screen.error)
    error = w.screens[Screen.error]
    assert not error.icon.pixmap().isNull()
    assert [b.text() for b in error.buttons if b.isVisible()] == ["Scan again", "Call staff", "Start over"]
    for exc in (CardError("no QR on the card", reason="no_qr"), UnknownCodeError("no such copy")):
        assert "call_staff" in classify_error(exc).actions


# -- 13. a receipt-printer failure reprints only the receipt ----------------------------------------------


def test_13_receipt_failure_retry_prints_only_the_receipt(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    fake_services.receipt_out = 1
    kiosk = make_kiosk(fake_services)
    w = kiosk.window
    run_to_review(qtbot, kiosk, pages=1)
    click(qtbot, w.screens[Screen.review].go)
    wait_screen(qtbot, kiosk, Screen.error)
    assert fake_services.printed == [("HN001-000042-U", 1)] and fake_services.receipts == []
    click(qtbot, w.screens[Screen.error].buttons[0])  # try again
    wait_screen(qtbot, kiosk, Screen.done)
    assert fake_services.printed == [("HN001-000042-U", 1)]  # the A4 copy did not print twice
    assert fake_services.receipts == ["HN001-000042-U"]


# -- 14. internal errors are not "code not found" ---------------------------------------------------------


@pytest.mark.parametrize("fault", [KeyError("pages"), IndexError("list index out of range")])
def test_14_internal_error_is_not_shown_as_code_not_found(
    qtbot: Any, make_kiosk: Any, fake_services: Any, fault: BaseException
) -> None:
    fake_services.fail_with = fault
    kiosk = make_kiosk(fake_services)
    w = kiosk.window
    run_to_review(qtbot, kiosk, pages=1)
    click(qtbot, w.screens[Screen.review].go)
    wait_screen(qtbot, kiosk, Screen.error)
    assert kiosk.flow.visit.error.kind == "internal"
    assert w.screens[Screen.error].title.text() == "Kiosk đang gặp sự cố"
    assert w.screens[Screen.error].step.text() == "Có sự cố cần xử lý"


# -- 15. wording ---------------------------------------------------------------------------------------


def test_15_wording_as_a_ward_office_writes(qtbot: Any, make_kiosk: Any, fake_services: Any) -> None:
    import xml.etree.ElementTree as ET

    from ui.i18n import TRANSLATIONS_DIR

    root = ET.parse(TRANSLATIONS_DIR / "kiosk_vi.ts").getroot()
    vi = [m.findtext("translation") or "" for m in root.iter("message")]
    joined = "\n".join(vi)
    for wrong in ("Cần bạn hỗ trợ", "Trang giấy đọc quá lâu", "kiểm tra dấu", "lệ phí", "Lệ phí"):
        assert wrong not in joined, wrong
    assert "Có sự cố cần xử lý" in vi and "Đang kiểm tra mã QR…" in vi
    # After a reprint the done screen does not ask for papers that were never placed.
    kiosk = make_kiosk(fake_services)
    flow = kiosk.flow
    flow.visit.service = Service.reprint
    flow.visit.copy = SimpleNamespace(code="HN001-000042-U")
    flow.screen = Screen.done
    kiosk.window.refresh()
    take = kiosk.window.screens[Screen.done].take.text()
    assert "bản chính" not in take and "phiếu biên nhận" not in take
    assert take == "Vui lòng nhận lại thẻ căn cước và bản sao in lại."


def test_15_the_certified_copy_prints_no_developer_command_nor_english(tmp_path: Path) -> None:
    import subprocess

    from signing.certify import issue_certified_copy
    from signing.config import SigningConfig
    from signing.keys import init_dev_keys, load_seal_signer
    from tests.signing.sign_helpers import AUTHORITY, KIOSK, copy_meta, copy_page

    config = SigningConfig(passphrase_env="KIOSK_TEST_PASSPHRASE_UNSET")
    init_dev_keys(config, tmp_path, authority=AUTHORITY, kiosk_id=KIOSK)
    with load_seal_signer(config, tmp_path) as signer:
        issued = issue_certified_copy([copy_page(1)], copy_meta(7), signer)
    pdf = tmp_path / "copy.pdf"
    pdf.write_bytes(issued.pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Ký bởi" in text
    assert "kiosk verify" not in text
    assert " seal" not in text.lower() and "Kiosk " not in text
    assert f"Con dấu số của ki-ốt {KIOSK}" in text


# -- 16. layout and contrast ----------------------------------------------------------------------------


def contrast(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio of two sRGB colours."""

    def luminance(colour: str) -> float:
        rgb = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("palette", [theme.NORMAL, theme.HIGH_CONTRAST], ids=["normal", "high_contrast"])
def test_16_secondary_button_borders_have_3_to_1_contrast(palette: theme.Palette) -> None:
    # WCAG 2.2 SC 1.4.11: the border is what shows a secondary button's extent, against the page and
    # against its own fill; text keeps 4.5:1.
    assert contrast(palette.border, palette.background) >= 3.0
    assert contrast(palette.border, palette.secondary) >= 3.0
    assert contrast(palette.border, palette.surface) >= 3.0
    assert contrast(palette.secondary_text, palette.secondary) >= 4.5
    assert contrast(palette.primary_text, palette.primary) >= 4.5


def test_16_toggles_show_their_state_by_text_not_only_colour(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    kiosk = make_kiosk(fake_services)
    attract = kiosk.window.screens[Screen.attract]
    off = attract.large.text()
    click(qtbot, attract.large)
    on = attract.large.text()
    assert off.startswith("○") and on.startswith("✓") and off[1:] == on[1:]
    assert attract.vietnamese.text().startswith("✓") and attract.english.text().startswith("○")


def test_16_portrait_is_laid_out_for_a_tall_screen(qtbot: Any) -> None:
    from tests.ui.test_layout import render_states

    checked = set()
    for name, window in render_states(qtbot, "vi", (1080, 1920)):
        screen = window.current_screen()
        items = [
            w
            for w in screen.findChildren(QWidget)
            if w.isVisibleTo(window)
            and isinstance(w, (QLabel, QPushButton))
            and (w.text() or isinstance(w, QLabel))
        ]
        spans = sorted(
            (w.mapTo(window, w.rect().topLeft()).y(), w.mapTo(window, w.rect().bottomLeft()).y())
            for w in items
        )
        gaps, reach = [], spans[0][1]
        for top, bottom in spans[1:]:
            if top > reach:
                gaps.append(top - reach)
            reach = max(reach, bottom)
        if name[:2] in ("01", "05", "08", "13", "14", "15"):
            assert max(gaps, default=0) < 0.45 * 1920, f"{name}: a gap of {max(gaps)} px"
            checked.add(name)
        if name.endswith("reprint"):
            keypad = screen.keypad  # type: ignore[attr-defined]
            assert keypad.mapTo(window, keypad.rect().bottomLeft()).y() > 0.7 * 1920  # near the hands
        if name.endswith("idle-countdown"):
            box, stay = window.overlay.box, window.overlay.stay
            assert box.rect().contains(stay.geometry())
            assert stay.height() >= theme.MIN_TOUCH_PX
    assert {name[:2] for name in checked} == {"01", "05", "08", "13", "14", "15"}


# -- 18. the technicians' log view -------------------------------------------------------------------------


def test_18_recent_logs_show_one_line_per_event(
    qtbot: Any, make_kiosk: Any, fake_services: Any, caplog: Any
) -> None:
    from ui.services import MaintenanceServices

    caplog.set_level(logging.INFO)  # the kiosk logs at INFO; the test runner logs WARNING

    kiosk = make_kiosk(fake_services)
    w = kiosk.window
    click(qtbot, w.screens[Screen.attract].reprint)
    for key in "HN001-000042-X":  # a mistyped code (wrong check character)
        click(qtbot, w.screens[Screen.reprint].keypad.buttons[key])
    click(qtbot, w.screens[Screen.reprint].go)
    wait_screen(qtbot, kiosk, Screen.error)
    try:
        {}["pages"]
    except KeyError as exc:
        logging.getLogger("kiosk.flow.machine").warning("task certify failed: %s", exc, exc_info=exc)
    text = MaintenanceServices(None, fake_services, kiosk.logs).logs_show()
    assert "Traceback" not in text and 'File "' not in text
    lines = text.splitlines()
    assert any("[KeyError: 'pages']" in line for line in lines)
    assert any("error screen code_not_found" in line for line in lines)


# -- 19. screens do not keep widgets or pictures from visit to visit ------------------------------------


def test_19_scan_screen_keeps_no_widgets_or_pictures_across_visits(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    kiosk = make_kiosk(fake_services)
    w = kiosk.window
    for _ in range(3):
        run_to_review(qtbot, kiosk, pages=4)
        assert len(w.screens[Screen.scan].thumbs) == 4
        click(qtbot, w.screens[Screen.review].cancel)
        confirm_yes(qtbot, kiosk)
        wait_screen(qtbot, kiosk, Screen.attract)
        qtbot.wait(10)
    scan = w.screens[Screen.scan]
    assert scan.thumbs == [] and scan._thumb_cache == {}
    qtbot.waitUntil(lambda: w.findChildren(PageThumb) == [], timeout=5000)


# -- the new screens: check by camera with the online status, the optional e-mail ---------------------


def test_check_a_copy_by_camera_with_its_online_status(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    kiosk = make_kiosk(fake_services)
    w = kiosk.window
    click(qtbot, w.screens[Screen.attract].check)
    check = w.screens[Screen.check_copy]
    assert check.camera.text() == "Kiểm tra bằng camera"
    click(qtbot, check.camera)
    wait_screen(qtbot, kiosk, Screen.check_result)
    assert fake_services.photos == 1
    result = w.screens[Screen.check_result]
    assert result.online.text() == "Tình trạng: đã được cán bộ hậu kiểm và phê duyệt"
    click(qtbot, result.go)
    wait_screen(qtbot, kiosk, Screen.attract)
    fake_services.online = SimpleNamespace(checked=False, status=None, revoked_reason=None)
    click(qtbot, w.screens[Screen.attract].check)
    click(qtbot, w.screens[Screen.check_copy].go)
    wait_screen(qtbot, kiosk, Screen.check_result)
    assert result.online.text() == "Chưa tra cứu được tình trạng lúc này: hệ thống của thành phố chưa trả lời"
    assert result.verdict.text() == "Đây là bản sao chứng thực hợp lệ"  # offline, the seal still speaks


def test_optional_email_on_the_on_screen_keyboard(qtbot: Any, make_kiosk: Any, fake_services: Any) -> None:
    kiosk = make_kiosk(fake_services)
    w = kiosk.window
    run_to_review(qtbot, kiosk, pages=1)
    review = w.screens[Screen.review]
    assert review.email_value.text() == "(không bắt buộc)"
    click(qtbot, review.email)
    panel = w.email_overlay
    assert panel.isVisible() and panel.title.text() == "Nhận thông tin bản sao qua thư điện tử"
    for key in ("a", "n", "@gmail.com"):
        click(qtbot, panel.keypad.buttons[key])
    click(qtbot, panel.keypad.buttons["⌫"])
    assert panel.field.text() == "an@gmail.co"
    click(qtbot, panel.keypad.buttons["@"])
    click(qtbot, panel.buttons[1])  # confirm: two @ are refused, with the reason
    assert panel.isVisible() and panel.message.text() == "Địa chỉ cần đúng một ký tự @."
    assert kiosk.flow.visit.delivery_email is None
    click(qtbot, panel.keypad.buttons["⌫"])
    click(qtbot, panel.keypad.buttons["m"])
    click(qtbot, panel.buttons[1])
    assert not panel.isVisible()
    assert kiosk.flow.visit.delivery_email == "an@gmail.com"
    assert review.email_value.text() == "an@gmail.com"
    click(qtbot, review.go)
    wait_screen(qtbot, kiosk, Screen.done)
    click(qtbot, w.screens[Screen.done].go)
    wait_screen(qtbot, kiosk, Screen.attract)
    assert kiosk.flow.visit.delivery_email is None  # forgotten with the visit


def test_done_screen_never_shows_the_retrieval_secret(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    """Issue 25 (was issue 15's "shown once"): the next person in the queue can read the screen, so the
    secret is on the receipt only; the screen says where it is."""
    kiosk = make_kiosk(fake_services)
    kiosk.flow.visit.copy = SimpleNamespace(
        code="HN001-000042-U", retrieval=SimpleNamespace(display="K7QM-2X9A-PL4D")
    )
    kiosk.flow.screen = Screen.done
    kiosk.window.refresh()
    done = kiosk.window.screens[Screen.done]
    shown = [label.text() for label in done.findChildren(QLabel)]
    assert not any("K7QM" in text for text in shown)
    assert done.secret_label.isVisible() and "biên nhận" in done.secret_label.text()


def test_repeated_face_failures_offer_a_queue_ticket(
    qtbot: Any, make_kiosk: Any, fake_services: Any, tmp_path: Path
) -> None:
    fake_services.ticket_printer = Tickets()
    fake_services.tickets = QueueTicketService(
        fake_services.ticket_printer, QueueNumbers(tmp_path / "q.json")
    )
    fake_services.match = False
    kiosk = make_kiosk(fake_services)
    w = kiosk.window
    click(qtbot, w.screens[Screen.attract].certify)
    click(qtbot, w.screens[Screen.card].go)
    wait_screen(qtbot, kiosk, Screen.face)
    for attempt in range(3):
        start_face_check(qtbot, kiosk)
        wait_screen(qtbot, kiosk, Screen.error)
        if attempt < 2:
            click(qtbot, w.screens[Screen.error].buttons[0])  # try again
            wait_screen(qtbot, kiosk, Screen.face)
    error = w.screens[Screen.error]
    assert [b.text() for b in error.buttons if b.isVisible()] == [
        "Lấy số thứ tự",
        "Gọi cán bộ",
        "Làm lại từ đầu",
    ]
    click(qtbot, error.buttons[0])
    wait_screen(qtbot, kiosk, Screen.ticket)
    ticket = w.screens[Screen.ticket]
    assert ticket.number.text() == kiosk.flow.visit.queue_ticket.number
    assert ticket.reason.text().startswith("Chưa xác thực được khuôn mặt")
    assert len(fake_services.ticket_printer.receipts) == 1
