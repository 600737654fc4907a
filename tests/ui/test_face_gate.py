"""Issue 25 (walk W1): "Start" on the face step waits for a face in the oval, and the simulated citizen, at
the distance it stands, is such a face. Driven by the REAL simulated camera (drivers.simulated) playing the
simulated citizen (kiosk.identity.simulated_subject) and the real face detector the preview uses, not by
setting `preview.face_seen`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from drivers.simulated import SimulatedCamera
from kiosk.flow import Screen
from kiosk.identity.config import IdentityConfig
from kiosk.identity.face import FaceVerifier
from kiosk.identity.liveness import CLOSER_GROWTH
from kiosk.identity.simulated_subject import SimulatedSubject, challenge_frames
from tests.ui.conftest import SlowFakeServices
from tests.ui.test_visit import click, wait_screen
from ui.widgets import MIN_FACE_SHARE_OF_OVAL, face_position, oval_in_picture

pytestmark = pytest.mark.timeout(120)


class SimulatedCitizenPreview(SlowFakeServices):
    """The UI's fake core, except that the face step's preview is the kiosk's own: the simulated camera
    showing the simulated citizen, and the face box found by the face verifier (as kiosk.flow.adapter)."""

    def __init__(self) -> None:
        super().__init__()
        self.subject = SimulatedSubject()
        self.camera = SimulatedCamera(frames=self.subject.next_frame)
        self.verifier = FaceVerifier(IdentityConfig())
        self.boxes: list[tuple[int, int, int, int] | None] = []

    def preview_frame(self) -> tuple[np.ndarray, tuple[int, int, int, int] | None]:  # type: ignore[override]
        frame = self.camera.read()
        box = self.verifier.analyse_frame(frame, encode=False).box
        found = None if box is None else (int(box.left), int(box.top), int(box.width), int(box.height))
        self.boxes.append(found)
        return frame, found


def test_the_simulated_citizen_can_press_start_within_seconds(qtbot: Any, make_kiosk: Any) -> None:
    services = SimulatedCitizenPreview()
    services.preview_frame()  # loads the detector before the clock of the face step starts
    kiosk = make_kiosk(services, language="vi")
    window = kiosk.window
    click(qtbot, window.screens[Screen.attract].certify)
    click(qtbot, window.screens[Screen.card].go)
    wait_screen(qtbot, kiosk, Screen.face)
    face = window.screens[Screen.face]
    qtbot.waitUntil(face.go.isEnabled, timeout=5000)
    assert window.preview.face_where == "ok" and window.preview.frames_shown >= 1
    assert not face.reason.isVisible()
    # not a lucky frame: the citizen stays accepted, frame after frame, where they stand
    shown = window.preview.frames_shown
    qtbot.waitUntil(lambda: window.preview.frames_shown >= shown + 6, timeout=10000)
    assert face.go.isEnabled()
    _, _, _, oval_h = oval_in_picture(640, 480)
    found = [box for box in services.boxes if box is not None]
    assert len(found) >= 6  # the detector found the citizen: no stand-in decided it
    assert all(box[3] >= MIN_FACE_SHARE_OF_OVAL * oval_h for box in found)
    click(qtbot, face.go)  # and the press starts the check
    wait_screen(qtbot, kiosk, Screen.scan)


def test_an_empty_camera_keeps_start_disabled(qtbot: Any, make_kiosk: Any) -> None:
    """The same real preview with nobody in front of the camera: "Start" stays grey and says why."""
    services = SimulatedCitizenPreview()
    services.camera = SimulatedCamera(frames=lambda: np.full((480, 640, 3), 120, np.uint8))
    kiosk = make_kiosk(services, language="en")
    window = kiosk.window
    click(qtbot, window.screens[Screen.attract].certify)
    click(qtbot, window.screens[Screen.card].go)
    wait_screen(qtbot, kiosk, Screen.face)
    face = window.screens[Screen.face]
    qtbot.waitUntil(lambda: window.preview.frames_shown >= 4, timeout=10000)
    assert not face.go.isEnabled()
    assert face.reason.text().startswith("No face in the picture")


def test_the_gate_leaves_room_for_the_move_closer_step() -> None:
    """A face the gate only just accepts can still grow by the liveness check's CLOSER_GROWTH inside the
    oval, and the simulated citizen stands where the gate accepts it and comes closer than the check needs."""
    width, height = 640, 480
    _, _, _, oval_h = oval_in_picture(width, height)
    # grown by the step, a face the gate only just accepts still fills less than half the oval
    assert MIN_FACE_SHARE_OF_OVAL * CLOSER_GROWTH * oval_h <= 0.5 * oval_h
    # the smallest face accepted is still one the face check can compare (identity.min_face_px wide)
    assert MIN_FACE_SHARE_OF_OVAL * oval_h >= IdentityConfig().min_face_px
    just_in = round(MIN_FACE_SHARE_OF_OVAL * oval_h) + 1
    assert face_position((320 - just_in // 2, 240 - just_in // 2, just_in, just_in), width, height) == "ok"
    too_small = round(MIN_FACE_SHARE_OF_OVAL * oval_h) - 2
    assert face_position((320 - too_small // 2, 240, too_small, too_small), width, height) == "too_far"

    verifier = FaceVerifier(IdentityConfig())
    frames = challenge_frames("move_closer")
    boxes = [verifier.analyse_frame(frame, encode=False).box for frame in frames]
    first, last = boxes[0], boxes[-1]
    assert first is not None and last is not None
    assert face_position((first.left, first.top, first.width, first.height), width, height) == "ok"
    assert last.width >= CLOSER_GROWTH * first.width  # the step is passed from where Start was pressed
    assert last.top >= 0 and last.top + last.height <= height  # and the grown face is still in the frame
