"""The face step of a visit: the camera preview in an oval, the liveness challenge step by step, and what to do
when the face check fails (moved out of `screens_visit`, which holds the other certify screens)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer

from kiosk.flow import Screen, Service
from ui import messages
from ui.screen_registry import screen
from ui.voice import sentences
from ui.widgets import (
    ImageView,
    ScreenBase,
    make_button,
    make_label,
)

if TYPE_CHECKING:
    from kiosk.flow import VisitFlow

# The UI's capture window of a liveness step (kiosk.pipeline.visit_pipeline.VisitPipeline.capture_challenge gives about
# 2.5 s a step when the face process judges the frames): the screen highlights the step being captured.
FACE_STEP_S = 2.5
# Issue 25 (walk W3): with voice on, the capture starts once the first step has been said whole (the camera's
# step window no longer runs while the citizen is still hearing what to do); never later than this.
FIRST_STEP_PROMPT_MAX_S = 8.0
# Issue 25 walk W13/W7: a camera that fails this long at the face step, or no usable face in the oval this
# long, is a failure with its own reason and offers staff help or a queue ticket (VisitFlow.face_unavailable).
CAMERA_FAILED_S = 5.0
NO_FACE_S = 20.0


@screen(Screen.face, shots={"03-face": {"challenge": "turn_left+blink"}})
class FaceScreen(ScreenBase):
    """The live preview with a face-shaped oval, the liveness steps (the current one highlighted), and a
    "Start" that stays disabled, with the reason shown, while no face is in the picture.

    In portrait the preview is as tall as the camera's 4:3 picture at the screen's width (no black bands),
    and the preview with its steps sits in the middle of the screen."""

    def __init__(self, host: Any) -> None:
        super().__init__(host)
        self.view = ImageView(guide=True)
        self.body.addWidget(self.view, 1)
        self.reason = make_label("error", align=Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.reason)
        self.steps_title = make_label(align=Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.steps_title)
        self.step_labels = [
            make_label("pending", wrap=False, align=Qt.AlignmentFlag.AlignCenter) for _ in range(3)
        ]
        for label in self.step_labels:
            self.body.addWidget(label)
        self.body.addStretch(0)  # grows only in portrait, with the top space (see set_portrait)
        self.cancel = make_button(on_click=host.confirm_cancel)
        self.go = make_button(primary=True, on_click=self.press_start)
        self.footer.addWidget(self.cancel)
        self.footer.addStretch(1)
        self.footer.addWidget(self.go)
        self.started_at: float | None = None
        self.first_said_at: float | None = None  # Start pressed with voice on: the first step is being said
        self._spoken_step = -1
        self._spoken_reason = ""
        self.ticker = QTimer(self)
        self.ticker.setInterval(250)
        self.ticker.timeout.connect(lambda: self.show_state(self.flow))
        self.camera_failed_s, self.no_face_s = CAMERA_FAILED_S, NO_FACE_S
        self.watch = QTimer(self)  # the camera and the face, watched while the screen shows
        self.watch.setInterval(500)
        self.watch.timeout.connect(self._watch_camera)
        host.preview.on_face = lambda seen: self.show_state(self.flow) if self.isVisible() else None

    def set_portrait(self, portrait: bool) -> None:
        super().set_portrait(portrait)
        self.body.setStretch(self.body.count() - 1, 1 if portrait else 0)
        self._portrait = portrait
        self._fit_view()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._fit_view()

    def _fit_view(self) -> None:
        if getattr(self, "_portrait", False):
            margins = self.outer.contentsMargins()
            height = max(160, int((self.width() - margins.left() - margins.right()) * 0.75))
            self.view.setFixedHeight(height)
        else:
            self.view.setMinimumHeight(120)
            self.view.setMaximumHeight(16777215)  # QWIDGETSIZE_MAX

    def current_step(self, count: int) -> int:
        """Which liveness step is being captured: -1 before Start, `count` once all are captured."""
        if self.started_at is None:
            return 0 if self.first_said_at is not None else -1
        return min(count, int((time.monotonic() - self.started_at) / FACE_STEP_S))

    def press_start(self) -> None:
        """Start the check; with voice on, once the first step has been said (it lights up meanwhile)."""
        flow = self.flow
        if flow.busy or self.first_said_at is not None:
            return
        steps = messages.challenge_steps(flow.visit.challenge or "blink")[: len(self.step_labels)]
        if not (flow.visit.voice and self.host.voice.available and steps):
            flow.start_face_check()
            return
        self.first_said_at = time.monotonic()
        self._spoken_step = 0
        self.host.announce(steps[0])
        self.ticker.start()
        self.show_state(flow)

    def _first_step_said(self, flow: VisitFlow) -> bool:
        """Whether the check was started now that the first step's prompt is over (or took too long)."""
        if self.first_said_at is None or flow.busy or flow.screen != Screen.face:
            self.first_said_at = None
            return False
        waited = time.monotonic() - self.first_said_at
        if self.host.voice.speaking and waited < FIRST_STEP_PROMPT_MAX_S:
            return False
        self.first_said_at = None
        flow.start_face_check()  # its change shows the screen again (a busy check, step 1 lit)
        return True

    def show_state(self, flow: VisitFlow) -> None:
        on_screen = flow.screen == Screen.face
        if self.first_said_at is not None and self._first_step_said(flow):
            return
        if flow.busy and on_screen and self.started_at is None:
            self.started_at = time.monotonic()
            self.ticker.start()
        elif not (flow.busy and on_screen) and self.first_said_at is None:
            self.started_at = None
            self._spoken_step = -1
            self.ticker.stop()
        if flow.visit.service == Service.reprint:
            self.step.setText(self.tr("Reprint a copy: your face"))
        else:
            self.step.setText(messages.step_line(Screen.face, self.tr("your face")))
        self.title.setText(self.tr("Look at the camera"))
        self.instruction.setText(
            self.tr("Keep your face inside the oval. Press Start, then do each step as it lights up.")
        )
        steps = messages.challenge_steps(flow.visit.challenge or "blink")[: len(self.step_labels)]
        current = self.current_step(len(steps))
        if current < 0:
            self.steps_title.setText(self.tr("When you press Start:"))
        elif current < len(steps):
            self.steps_title.setText(self.tr("Now:"))
        else:
            self.steps_title.setText(self.tr("Comparing your face with the card photo…"))
        # Issue 25: each step is said as it lights up, none skipped (a late tick says the ones it passed)
        while on_screen and self._spoken_step < current:
            self._spoken_step += 1
            if self._spoken_step == 0 and steps:
                self.host.announce(steps[0])  # Start pressed: the first step now, not the rest of the help
            elif 0 < self._spoken_step < len(steps):
                self.host.speak(steps[self._spoken_step])  # after the step before it has been said whole
            elif self._spoken_step >= len(steps) > 0:
                self.host.speak(self.steps_title.text())
        for index, label in enumerate(self.step_labels):
            if index < len(steps):
                role = "current" if index == current else ("passed" if index < current else "pending")
                mark = "✓ " if role == "passed" else ("▶ " if role == "current" else "")
                label.setText(f"{mark}{index + 1}. {steps[index]}")
                if label.property("role") != role:
                    label.setProperty("role", role)
                    label.style().unpolish(label)
                    label.style().polish(label)
                label.setVisible(True)
            else:
                label.setVisible(False)
        preview = self.host.preview
        seen = preview.face_seen
        no_camera = preview.source is None
        where = getattr(preview, "face_where", "none")
        if flow.busy or self.first_said_at is not None:
            self.reason.setText("")
        elif seen is False and where == "outside":
            self.reason.setText(self.tr("Move so that your face is inside the oval."))
        elif seen is False and where == "too_far":
            self.reason.setText(
                self.tr("Come a little closer to the camera, with your face inside the oval.")
            )
        elif seen is False:
            self.reason.setText(
                self.tr(
                    "No face in the picture. Stand in front of the camera with your whole face in the oval."
                )
            )
        elif seen is None and getattr(preview, "failing_since", None) is not None:
            self.reason.setText(self.tr("The camera is not working."))
        elif seen is None and not no_camera:
            self.reason.setText(self.tr("Starting the camera…"))
        else:
            self.reason.setText("")
        self.reason.setVisible(bool(self.reason.text()))
        if seen is False and on_screen and self.reason.text() != self._spoken_reason:
            self._spoken_reason = self.reason.text()  # said once, not at every preview frame
            self.host.speak(self._spoken_reason)
        self.cancel.setText(self.tr("Cancel"))
        waiting = flow.busy or self.first_said_at is not None
        self.go.setText(self.tr("Checking…") if waiting else self.tr("Start"))
        self.go.setEnabled(not waiting and (seen is True or no_camera))

    def _watch_camera(self) -> None:
        """Walk W13/W7: a camera that keeps failing, or no face seen for long, ends the wait with a failure
        that offers staff help or a ticket; never while a check runs or its first step is being said."""
        flow, preview = self.flow, self.host.preview
        if (
            flow.screen != Screen.face
            or flow.busy
            or self.first_said_at is not None
            or preview.source is None
        ):
            return
        now = time.monotonic()
        failing_since = preview.failing_since
        if failing_since is not None and now - failing_since >= self.camera_failed_s:
            flow.face_unavailable("camera")
        elif preview.face_seen is not True and now - preview.last_face_at >= self.no_face_s:
            flow.face_unavailable("not_seen")
        elif failing_since is not None:
            self.show_state(flow)  # "the camera is not working" instead of "starting the camera"

    def spoken_prompt(self) -> str:
        """The title, the instruction and the steps (without their marks: the same words whichever step
        lights up, so the window says nothing twice); the reason "Start" waits is said when it appears."""
        steps = [label.text() for label in self.step_labels if label.isVisibleTo(self)]
        before = self.tr("When you press Start:") if steps else ""
        return sentences((self.step.text(), self.title.text(), self.instruction.text(), before, *steps))

    def entered(self) -> None:
        self.host.preview.start(self.view)
        self.watch.start()
        self.show_state(self.flow)

    def left(self) -> None:
        self.host.preview.stop()
        self.watch.stop()
        self.view.clear()
        self.started_at = None
        self.first_said_at = None
        self._spoken_step = -1
        self._spoken_reason = ""
        self.ticker.stop()
