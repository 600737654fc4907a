"""Issue 25 walk W13 and W7: the camera is one of the devices a visit needs. Unplugged before the visit, the
kiosk is out of service with its queue ticket; unplugged at the face step, or a picture without a usable
face (a grey frame, a covered lens, a wheelchair user below the frame), the face step ends with its own
reason and offers staff help or a ticket, spoken; the preview failure is logged once, not every frame."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from drivers.errors import DeviceAbsent
from kiosk.flow import Action, Screen
from tests.ui.test_issue25_idle_and_duplicates import DeviceServices
from tests.ui.test_issue25_screens import with_tickets
from tests.ui.test_visit import click, wait_screen

pytestmark = pytest.mark.timeout(120)


def to_face_step(qtbot: Any, kiosk: Any) -> Any:
    window = kiosk.window
    click(qtbot, window.screens[Screen.attract].certify)
    wait_screen(qtbot, kiosk, Screen.card)
    click(qtbot, window.screens[Screen.card].go)
    wait_screen(qtbot, kiosk, Screen.face)
    return window.screens[Screen.face]


def unpluggable(services: Any) -> dict[str, bool]:
    """Wrap the services' preview (the window keeps the bound method it was built with) with a plug."""
    plug = {"in": True}
    working = services.preview_frame

    def preview() -> Any:
        if not plug["in"]:
            raise DeviceAbsent("camera: unplugged", category="camera")
        return working()

    services.preview_frame = preview
    return plug


def shown_buttons(kiosk: Any) -> list[str]:
    error = kiosk.window.screens[Screen.error]
    return [b.text() for b in error.buttons if b.isVisibleTo(kiosk.window)]


def said(kiosk: Any) -> list[str]:
    return [text for _language, text in kiosk.window.voice.spoken]


def test_a_camera_unplugged_before_the_visit_puts_the_kiosk_out_of_service_with_a_ticket(
    qtbot: Any, make_kiosk: Any, tmp_path: Path, audit_events: list
) -> None:
    services = DeviceServices(tmp_path)
    with_tickets(services, tmp_path)
    kiosk = make_kiosk(services)
    kiosk.window.device_timer.stop()
    services.devices.camera.set_fault("absent")  # training "Camera: unplugged"
    click(qtbot, kiosk.window.screens[Screen.attract].certify)
    wait_screen(qtbot, kiosk, Screen.out_of_service)
    assert kiosk.flow.visit.readiness.missing == ("camera",)
    assert kiosk.flow.visit.queue_ticket is not None  # the counter serves the citizen, the card never laid
    assert ("kiosk.out_of_service", kiosk.flow.visit.readiness.to_json()) in audit_events


def test_a_camera_unplugged_at_the_face_step_offers_staff_or_a_ticket_and_logs_once(
    qtbot: Any, make_kiosk: Any, fake_services: Any, tmp_path: Path, caplog: Any
) -> None:
    with_tickets(fake_services, tmp_path)
    plug = unpluggable(fake_services)
    kiosk = make_kiosk(fake_services, voice=True)
    face = to_face_step(qtbot, kiosk)
    face.camera_failed_s = 0.5  # shortened for the test (CAMERA_FAILED_S in the product)
    caplog.set_level(logging.INFO, logger="ui.window")
    plug["in"] = False  # training "Camera: unplugged" at the face step
    wait_screen(qtbot, kiosk, Screen.error)
    error = kiosk.window.screens[Screen.error]
    assert kiosk.flow.visit.error is not None and kiosk.flow.visit.error.kind == "camera"
    assert error.title.text() == "Camera không hoạt động"
    assert shown_buttons(kiosk) == ["Gọi cán bộ", "Lấy số thứ tự", "Làm lại từ đầu"]
    qtbot.waitUntil(lambda: any("Camera không hoạt động" in text for text in said(kiosk)), timeout=5000)
    failed = [r for r in caplog.records if "camera preview failed" in r.getMessage()]
    assert len(failed) == 1 and failed[0].levelno == logging.WARNING  # once per change, not 8 a second
    kiosk.flow.error_action(Action.ticket)
    wait_screen(qtbot, kiosk, Screen.ticket)


def test_the_preview_logs_a_failure_once_and_its_recovery_once(
    qtbot: Any, make_kiosk: Any, fake_services: Any, caplog: Any
) -> None:
    plug = unpluggable(fake_services)
    kiosk = make_kiosk(fake_services)
    face = to_face_step(qtbot, kiosk)
    face.camera_failed_s = 1e9  # no escalation here: only the log is looked at
    preview = kiosk.window.preview
    caplog.set_level(logging.INFO, logger="ui.window")
    plug["in"] = False
    qtbot.waitUntil(lambda: face.reason.text() == "Camera không hoạt động.", timeout=10000)
    qtbot.wait(1000)  # about 8 preview ticks, each one failing
    assert preview.failing_since is not None and kiosk.flow.screen == Screen.face
    plug["in"] = True
    qtbot.waitUntil(lambda: preview.failing_since is None, timeout=10000)
    messages = [r.getMessage() for r in caplog.records if r.name == "ui.window"]
    assert sum("camera preview failed" in m for m in messages) == 1
    assert sum("camera preview works again" in m for m in messages) == 1


def test_a_grey_frame_escalates_with_its_own_reason(
    qtbot: Any, make_kiosk: Any, fake_services: Any, tmp_path: Path
) -> None:
    with_tickets(fake_services, tmp_path)
    fake_services.face_in_view = False  # a grey frame: pictures, never a face
    kiosk = make_kiosk(fake_services, voice=True)
    face = to_face_step(qtbot, kiosk)
    face.no_face_s = 0.5  # shortened for the test (NO_FACE_S in the product)
    wait_screen(qtbot, kiosk, Screen.error)
    error = kiosk.window.screens[Screen.error]
    assert kiosk.flow.visit.error is not None
    assert (kiosk.flow.visit.error.kind, kiosk.flow.visit.error.reason) == ("no_face", "not_seen")
    assert error.reason.text() == "Chưa thấy khuôn mặt."
    assert "đứng (hoặc ngồi) trước camera" in error.instruction.text()
    assert shown_buttons(kiosk) == ["Thử lại", "Gọi cán bộ", "Lấy số thứ tự", "Làm lại từ đầu"]
    qtbot.waitUntil(lambda: any("Chưa thấy khuôn mặt" in text for text in said(kiosk)), timeout=5000)
    click(qtbot, error.buttons[0])  # try again: the wait starts over on the face step
    wait_screen(qtbot, kiosk, Screen.face)
    assert not face.go.isEnabled()


def test_a_face_in_view_never_escalates(qtbot: Any, make_kiosk: Any, fake_services: Any) -> None:
    kiosk = make_kiosk(fake_services)
    face = to_face_step(qtbot, kiosk)
    face.no_face_s = face.camera_failed_s = 0.3
    qtbot.waitUntil(face.go.isEnabled, timeout=10000)
    frames = kiosk.window.preview.frames_shown
    qtbot.waitUntil(lambda: kiosk.window.preview.frames_shown >= frames + 8, timeout=10000)
    assert kiosk.flow.screen == Screen.face  # a citizen in the oval who has not pressed Start yet stays
