"""The kiosk window driven like a citizen would: whole visits, every error path, reset and privacy."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from kiosk.flow import Screen
from ui.widgets import ImageView

pytestmark = pytest.mark.timeout(120)


def click(qtbot: Any, button: QPushButton) -> None:
    assert button.isVisible(), button.text()
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def wait_screen(qtbot: Any, kiosk: Any, screen: Screen) -> None:
    qtbot.waitUntil(lambda: kiosk.flow.screen == screen and not kiosk.flow.busy, timeout=60000)


def start_face_check(qtbot: Any, kiosk: Any) -> None:
    """Press Start on the face screen once the preview has shown a face (it is disabled until then)."""
    face = kiosk.window.screens[Screen.face]
    qtbot.waitUntil(face.go.isEnabled, timeout=30000)
    click(qtbot, face.go)


def confirm_yes(qtbot: Any, kiosk: Any) -> None:
    """Answer "yes" to the "are you sure?" dialog (its right button; for ending a visit or removing a page
    that is not the main one: issue 25 makes going on the main action)."""
    dialog = kiosk.window.confirm_overlay
    assert dialog.isVisible()
    click(qtbot, dialog.buttons[1])
    assert not dialog.isVisible()


def visible_texts(kiosk: Any) -> list[str]:
    window = kiosk.window
    return [w.text() for w in window.findChildren(QLabel) + window.findChildren(QPushButton) if w.text()]


def run_to_review(qtbot: Any, kiosk: Any, pages: int = 2) -> None:
    w = kiosk.window
    click(qtbot, w.screens[Screen.attract].certify)
    wait_screen(qtbot, kiosk, Screen.card)
    click(qtbot, w.screens[Screen.card].go)
    wait_screen(qtbot, kiosk, Screen.face)
    start_face_check(qtbot, kiosk)
    wait_screen(qtbot, kiosk, Screen.scan)
    for count in range(1, pages + 1):
        click(qtbot, w.screens[Screen.scan].add)
        qtbot.waitUntil(
            lambda c=count: len(kiosk.flow.visit.pages) == c and not kiosk.flow.busy, timeout=60000
        )
    click(qtbot, w.screens[Screen.scan].go)
    wait_screen(qtbot, kiosk, Screen.review)


def test_whole_visit_in_vietnamese(
    qtbot: Any, make_kiosk: Any, fake_services: Any, audit_events: list
) -> None:
    kiosk = make_kiosk(fake_services)
    w = kiosk.window
    assert w.screens[Screen.attract].certify.text() == "Chứng thực bản sao giấy tờ"
    run_to_review(qtbot, kiosk, pages=2)
    review = w.screens[Screen.review]
    assert review.values[1].text() == "2"
    click(qtbot, review.plus)
    assert review.values[2].text() == "2"
    assert review.values[3].text() == "8.000 đ"  # 2 pages x 2 copies x 2.000 đ (Circular 226: pages 1-2)
    assert review.go.text() == "Xác nhận và in"
    stages: list[float] = []
    kiosk.flow.subscribe(lambda f: stages.append(f.visit.progress))
    click(qtbot, review.go)
    wait_screen(qtbot, kiosk, Screen.done)
    assert 0.35 in stages  # progress came from the worker, through the flow, to the screen
    done = w.screens[Screen.done]
    assert done.code.text() == "HN001-000042-U"
    assert fake_services.printed == [("HN001-000042-U", 2)]
    assert fake_services.receipts == ["HN001-000042-U"]
    # Every blocking call ran on a worker thread, none on the GUI thread.
    assert "MainThread" not in fake_services.threads
    click(qtbot, done.go)
    wait_screen(qtbot, kiosk, Screen.attract)


def test_language_switch_translates_every_screen(qtbot: Any, make_kiosk: Any, fake_services: Any) -> None:
    kiosk = make_kiosk(fake_services)
    attract = kiosk.window.screens[Screen.attract]
    click(qtbot, attract.english)
    assert attract.certify.text() == "Certify a copy of a document"
    click(qtbot, attract.certify)
    wait_screen(qtbot, kiosk, Screen.card)
    assert kiosk.window.screens[Screen.card].title.text() == "Place your ID card on the glass"
    click(qtbot, kiosk.window.screens[Screen.card].cancel)
    wait_screen(qtbot, kiosk, Screen.attract)
    # The next citizen starts in the default language again.
    assert attract.certify.text() == "Chứng thực bản sao giấy tờ"


def test_no_match_then_try_again_then_staff(
    qtbot: Any, make_kiosk: Any, fake_services: Any, audit_events: list
) -> None:
    fake_services.match = False
    kiosk = make_kiosk(fake_services)
    w = kiosk.window
    click(qtbot, w.screens[Screen.attract].certify)
    wait_screen(qtbot, kiosk, Screen.card)
    click(qtbot, w.screens[Screen.card].go)
    wait_screen(qtbot, kiosk, Screen.face)
    start_face_check(qtbot, kiosk)
    wait_screen(qtbot, kiosk, Screen.error)
    error = w.screens[Screen.error]
    assert error.title.text() == "Khuôn mặt không khớp với ảnh trên thẻ"
    assert error.buttons[0].text() == "Thử lại"
    assert error.buttons[0].property("primary") is True
    click(qtbot, error.buttons[0])
    wait_screen(qtbot, kiosk, Screen.face)
    fake_services.match = True
    start_face_check(qtbot, kiosk)
    wait_screen(qtbot, kiosk, Screen.scan)
    assert [e for e, _ in audit_events].count("visit.face_no_match") == 1


def test_blurred_page_rescan(qtbot: Any, make_kiosk: Any, fake_services: Any) -> None:
    kiosk = make_kiosk(fake_services, language="en")
    w = kiosk.window
    run_to_review(qtbot, kiosk, pages=1)
    click(qtbot, w.screens[Screen.review].back)
    wait_screen(qtbot, kiosk, Screen.scan)
    fake_services.bad_pages = 1
    click(qtbot, w.screens[Screen.scan].add)
    wait_screen(qtbot, kiosk, Screen.error)
    error = w.screens[Screen.error]
    assert error.title.text() == "Please place the page again"
    assert error.reason.text() == "The page is blurred."
    # issue 25 walk (W2): with a page kept, the citizen can go on with it or back to it, not only start over
    assert [b.text() for b in error.buttons if b.isVisible()] == [
        "Scan again",
        "Done, continue with 1 page",
        "Back",
        "Call staff",
    ]
    click(qtbot, error.buttons[0])
    wait_screen(qtbot, kiosk, Screen.scan)
    # Issue 25: "Scan again" scans again (it does not only go back a step): the page is read at once.
    qtbot.waitUntil(lambda: len(kiosk.flow.visit.pages) == 2 and not kiosk.flow.busy, timeout=60000)
    # Rescan page 1 in place, then remove it.
    thumb = w.screens[Screen.scan].thumbs[0]
    first, second = kiosk.flow.visit.pages
    click(qtbot, thumb.rescan)
    qtbot.waitUntil(lambda: kiosk.flow.visit.pages[0] is not first and not kiosk.flow.busy, timeout=60000)
    click(qtbot, thumb.remove)
    assert len(kiosk.flow.visit.pages) == 2  # nothing is thrown away before the citizen confirms
    confirm_yes(qtbot, kiosk)
    assert kiosk.flow.visit.pages == [second]
    click(qtbot, w.screens[Screen.scan].thumbs[0].remove)
    confirm_yes(qtbot, kiosk)
    assert kiosk.flow.visit.pages == []
    assert not w.screens[Screen.scan].go.isVisibleTo(w)  # no page: only "Scan the first page"


def test_paper_out_then_print_again(qtbot: Any, make_kiosk: Any, fake_services: Any) -> None:
    fake_services.paper_out = 1
    kiosk = make_kiosk(fake_services)
    w = kiosk.window
    run_to_review(qtbot, kiosk, pages=1)
    click(qtbot, w.screens[Screen.review].go)
    wait_screen(qtbot, kiosk, Screen.error)
    error = w.screens[Screen.error]
    assert error.title.text() == "Máy in đã hết giấy"
    assert fake_services.printed == []
    click(qtbot, error.buttons[0])
    wait_screen(qtbot, kiosk, Screen.done)
    assert fake_services.printed == [("HN001-000042-U", 1)]


def test_check_copy_and_reprint(qtbot: Any, make_kiosk: Any, fake_services: Any) -> None:
    kiosk = make_kiosk(fake_services, language="en")
    w = kiosk.window
    click(qtbot, w.screens[Screen.attract].check)
    wait_screen(qtbot, kiosk, Screen.check_copy)
    click(qtbot, w.screens[Screen.check_copy].go)
    wait_screen(qtbot, kiosk, Screen.check_result)
    assert w.screens[Screen.check_result].verdict.text() == "This is a valid certified copy"
    click(qtbot, w.screens[Screen.check_result].go)
    wait_screen(qtbot, kiosk, Screen.attract)
    click(qtbot, w.screens[Screen.attract].reprint)
    wait_screen(qtbot, kiosk, Screen.reprint)
    reprint = w.screens[Screen.reprint]
    for key in "HN001-000042-X":
        click(qtbot, reprint.keypad.buttons[key])
    click(qtbot, reprint.go)
    wait_screen(qtbot, kiosk, Screen.error)
    assert w.screens[Screen.error].title.text() == "We could not find this code"
    click(qtbot, w.screens[Screen.error].buttons[0])
    wait_screen(qtbot, kiosk, Screen.reprint)
    click(qtbot, reprint.keypad.buttons["⌫"])
    click(qtbot, reprint.keypad.buttons["U"])
    assert reprint.code.text() == "HN001-000042-U"
    click(qtbot, reprint.go)
    # A reprint is for the holder: the card, then the face, before anything prints.
    wait_screen(qtbot, kiosk, Screen.card)
    assert fake_services.reprinted == []
    click(qtbot, w.screens[Screen.card].go)
    wait_screen(qtbot, kiosk, Screen.face)
    start_face_check(qtbot, kiosk)
    wait_screen(qtbot, kiosk, Screen.done)
    assert w.screens[Screen.done].code.text() == "HN001-000042-U"
    assert fake_services.reprinted == ["HN001-000042-U"]


def test_citizen_data_does_not_survive_the_reset(qtbot: Any, make_kiosk: Any, fake_services: Any) -> None:
    kiosk = make_kiosk(fake_services)
    w = kiosk.window
    run_to_review(qtbot, kiosk, pages=2)
    click(qtbot, w.screens[Screen.review].go)
    wait_screen(qtbot, kiosk, Screen.done)
    temp = kiosk.flow.temp_dir()
    (temp / "page.png").write_bytes(b"pixels")
    assert "HN001-000042-U" in visible_texts(kiosk)
    click(qtbot, w.screens[Screen.done].go)
    wait_screen(qtbot, kiosk, Screen.attract)
    texts = "\n".join(visible_texts(kiosk))
    assert "HN001-000042-U" not in texts
    assert "NGUYỄN" not in texts
    # No screen keeps a picture of the citizen or their pages.
    assert [view for view in w.findChildren(ImageView) if view.image is not None] == []
    # Every buffer the visit held (card, frames, pages) was zeroed in place, and its files deleted.
    assert fake_services.images
    assert all(not np.any(image) for image in fake_services.images)
    assert not temp.exists()
    visit = kiosk.flow.visit
    assert (visit.card, visit.face, visit.copy, visit.pages, visit.frames) == (None, None, None, [], [])


def test_slow_device_keeps_the_window_responsive(qtbot: Any, make_kiosk: Any, fake_services: Any) -> None:
    """The scanner hangs (held by a gate): the GUI keeps painting and a citizen can still cancel."""
    fake_services.gate = threading.Event()
    kiosk = make_kiosk(fake_services)
    w = kiosk.window
    click(qtbot, w.screens[Screen.attract].certify)
    wait_screen(qtbot, kiosk, Screen.card)
    click(qtbot, w.screens[Screen.card].go)
    assert kiosk.flow.busy
    assert w.screens[Screen.card].status.text() == "Đang đọc thẻ…"
    ticks = []
    qtbot.waitUntil(lambda: (ticks.append(1), len(ticks) > 5)[1])  # the event loop turns while the scan hangs
    w.check_idle()
    click(qtbot, w.screens[Screen.card].cancel)
    assert kiosk.flow.screen == Screen.attract
    fake_services.gate.set()
    qtbot.waitUntil(lambda: kiosk.runner.pending() == 0, timeout=60000)
    # The late card never reaches the new visit, and its pixels were wiped.
    assert kiosk.flow.visit.card_image is None
    assert kiosk.flow.screen == Screen.attract
    assert not np.any(fake_services.images[0])


def test_idle_countdown_then_reset(qtbot: Any, make_kiosk: Any, fake_services: Any) -> None:
    kiosk = make_kiosk(fake_services, idle_timeout_s=0.3, countdown_s=3.0)
    w = kiosk.window
    click(qtbot, w.screens[Screen.attract].certify)
    wait_screen(qtbot, kiosk, Screen.card)
    qtbot.waitUntil(w.overlay.isVisible, timeout=30000)
    assert w.overlay.title.text() == "Ông/Bà có tiếp tục giao dịch không?"
    click(qtbot, w.overlay.stay)
    assert not w.overlay.isVisible()
    assert kiosk.flow.screen == Screen.card
    qtbot.waitUntil(w.overlay.isVisible, timeout=30000)
    qtbot.waitUntil(lambda: kiosk.flow.screen == Screen.attract, timeout=30000)
    assert not w.overlay.isVisible()


def test_uncaught_exception_shows_error_screen(qtbot: Any, make_kiosk: Any, fake_services: Any) -> None:
    kiosk = make_kiosk(fake_services)
    click(qtbot, kiosk.window.screens[Screen.attract].certify)
    wait_screen(qtbot, kiosk, Screen.card)
    thread = threading.Thread(target=lambda: 1 / 0)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: kiosk.flow.screen == Screen.error, timeout=30000)
    error = kiosk.window.screens[Screen.error]
    assert error.title.text() == "Kiosk đang gặp sự cố"
    click(qtbot, error.buttons[1])  # start over, once confirmed
    confirm_yes(qtbot, kiosk)
    wait_screen(qtbot, kiosk, Screen.attract)


def test_accessibility_choices_end_with_the_visit(qtbot: Any, make_kiosk: Any, fake_services: Any) -> None:
    kiosk = make_kiosk(fake_services)
    w = kiosk.window
    attract = w.screens[Screen.attract]
    normal = w.styleSheet()
    click(qtbot, attract.large)
    click(qtbot, attract.contrast)
    assert w.large_text
    assert w.high_contrast
    assert w.styleSheet() != normal
    click(qtbot, attract.certify)
    wait_screen(qtbot, kiosk, Screen.card)
    assert w.high_contrast  # kept through the visit
    click(qtbot, w.screens[Screen.card].cancel)
    wait_screen(qtbot, kiosk, Screen.attract)
    assert not w.large_text
    assert not w.high_contrast
    assert w.styleSheet() == normal
