"""The kiosk window: renders the flow's current screen, sends its events, and keeps the kiosk locked down.

The window owns no visit logic. It listens to `VisitFlow` and shows the matching screen; buttons call the
flow's events; work runs on `QtRunner`. An idle timer asks the flow for its idle status and shows the
countdown overlay. Escape, Alt+F4, Ctrl+Q/W and closing the window do nothing outside maintenance mode.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QFrame, QStackedWidget, QVBoxLayout, QWidget

# Importing the screen modules registers their classes (`@screen`, ui/screen_registry.py); the window
# builds one page per registered screen, so a new screen class in one of these modules needs nothing here.
import ui.screens_error
import ui.screens_face
import ui.screens_other
import ui.screens_pay
import ui.screens_service
import ui.screens_visit  # noqa: F401
from kiosk.config.screen import UiConfig
from kiosk.flow import Action, ErrorInfo, Screen, VisitFlow
from kiosk.flow.record import wipe_array
from ui import screen_registry, theme
from ui.email_entry import EmailOverlay
from ui.i18n import Translations
from ui.overlays import ConfirmOverlay, HelpOverlay, PageOverlay, fit_height
from ui.screen_pages import ScreenPages
from ui.voice import Voice, sentences, split_sentences
from ui.widgets import ImageView, ScreenBase, bgr_to_qimage, face_position, make_button, make_label
from ui.workers import QtRunner

log = logging.getLogger(__name__)

REMINDER_S = 20.0  # how long the start screen says "take your ID card and documents" after a visit
# Issue 25: while the kiosk waits on the start screen, the devices a visit needs are asked again this often
# (on the worker, kiosk.flow: check_devices_while_idle): a printer that died puts up the out-of-service
# screen before a citizen starts, and the kiosk comes back once it works again.
DEVICE_RECHECK_MS = 30_000
LOCKED_KEYS = {Qt.Key.Key_Escape, Qt.Key.Key_F4, Qt.Key.Key_F11, Qt.Key.Key_Q, Qt.Key.Key_W, Qt.Key.Key_Tab}
SIZES = {"landscape": (1920, 1080), "small": (1280, 800), "portrait": (1080, 1920)}
# The pages of the screens not shown first are built from this long after the window is made: once the
# attract screen has shown and systemd has been told the kiosk is ready (ui/screen_pages.py).
PAGES_AFTER_START_MS = 300


class FacePreview(QObject):
    """Fetches camera frames + face box on a worker, one at a time, while the face screen shows."""

    def __init__(
        self, runner: QtRunner, source: Callable[[], Any] | None, flow: VisitFlow, fps: float = 8
    ) -> None:
        super().__init__()
        self.runner, self.source, self.flow = runner, source, flow
        self.view: ImageView | None = None
        self.in_flight = False
        self.frames_shown = 0
        # Whether the last frames showed a face in the oval: None before the first frame (or with no
        # camera); `face_where` says where it was when it was not: none, outside, too_far (widgets).
        self.face_seen: bool | None = None
        self.face_where = "none"
        self._recent: list[bool] = []
        # Walk W7/W13: since when the camera has failed (None: it works) and when a face was last in the oval
        # (or the preview started); the face screen escalates from them. `failed` is logged once per change.
        self.failing_since: float | None = None
        self.last_face_at = time.monotonic()
        self.failed = False
        self.on_face: Callable[[bool | None], None] = lambda seen: None
        self.timer = QTimer(self)
        self.timer.setInterval(int(1000 / fps))
        self.timer.timeout.connect(self._tick)

    def start(self, view: ImageView) -> None:
        self.view = view
        self.face_seen, self._recent = None, []
        self.failing_since, self.last_face_at = None, time.monotonic()
        if self.source is not None:
            self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self.view = None
        self.face_seen, self._recent, self.face_where = None, [], "none"

    def _tick(self) -> None:
        if self.in_flight or self.source is None or self.view is None or self.flow.busy:
            return
        self.in_flight = True
        source = self.source

        def work(report: Any) -> tuple[Any, Any]:
            frame, box = source()
            try:
                return bgr_to_qimage(frame), box  # the conversion happens here, off the GUI thread
            finally:
                wipe_array(frame)  # the screen keeps its own copy; the camera's pixels do not linger

        self.runner.submit("preview", work, self._show, self._failed)

    def _show(self, result: tuple[Any, Any]) -> None:
        self.in_flight = False
        if self.view is not None:
            image, box = result
            self.view.set_image(image, box)
            self.frames_shown += 1
            self.failing_since = None
            if self.failed:
                self.failed = False
                log.info("camera preview works again")
            where = face_position(box, image.width(), image.height())
            # One frame without a face (a blink, a turn) does not disable "Start": the last three decide.
            self._recent = [*self._recent[-2:], where == "ok"]
            seen = any(self._recent)
            if seen:
                self.last_face_at = time.monotonic()
            if seen != self.face_seen or (not seen and where != self.face_where):
                self.face_seen, self.face_where = seen, where
                self.on_face(seen)

    def _failed(self, exc: BaseException) -> None:
        self.in_flight = False
        if self.failing_since is None:
            self.failing_since = time.monotonic()
        if not self.failed:  # once per change (W13: 8 lines a second filled the journal), not every frame
            self.failed = True
            log.warning("camera preview failed: %s", exc)


class IdleOverlay(QWidget):
    """ "Are you still there?" with a countdown; any touch keeps the visit. Its backdrop is opaque
    (issue 25): the visit's pages are not left readable behind a dimmed veil for the countdown."""

    def __init__(self, parent: QWidget, on_stay: Callable[[], None]) -> None:
        super().__init__(parent)
        self.setObjectName("IdleOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box = QFrame()
        box.setObjectName("IdleBox")
        inner = QVBoxLayout(box)
        self.title = make_label("title", align=Qt.AlignmentFlag.AlignCenter)
        self.seconds = make_label("huge", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.note = make_label(align=Qt.AlignmentFlag.AlignCenter)
        self.stay = make_button(primary=True, on_click=on_stay)
        for widget in (self.title, self.seconds, self.note, self.stay):
            inner.addWidget(widget)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(1)
        self.box = box
        self.hide()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        width = max(320, int(self.width() * (0.85 if self.height() > self.width() else 0.7)))
        self.box.setFixedWidth(width)
        fit_height(self.box)

    def showEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        fit_height(self.box)

    def show_seconds(self, seconds_left: float) -> None:
        self.title.setText(self.tr("Are you still there?"))
        self.seconds.setText(str(max(0, int(seconds_left + 0.999))))
        self.note.setText(self.tr("For your privacy, the kiosk will start over and forget your data."))
        self.stay.setText(self.tr("I am still here"))
        fit_height(self.box)

    def spoken_prompt(self) -> str:
        return sentences((self.title.text(), self.note.text(), self.stay.text()))


class SecretCorner(QWidget):
    """An invisible square in the top-left corner; taps go to the flow's maintenance gesture."""

    def __init__(self, parent: QWidget, on_tap: Callable[[], None]) -> None:
        super().__init__(parent)
        self.on_tap = on_tap
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground, True)

    def mousePressEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        self.on_tap()
        event.accept()


class CurrentPageStack(QStackedWidget):
    """A stack whose size hints are those of the page on show, so hidden screens never widen the window."""

    def sizeHint(self) -> Any:  # noqa: N802 (Qt override)
        current = self.currentWidget()
        return current.sizeHint() if current is not None else super().sizeHint()

    def minimumSizeHint(self) -> Any:  # noqa: N802 (Qt override)
        current = self.currentWidget()
        return current.minimumSizeHint() if current is not None else super().minimumSizeHint()


class KioskWindow(QWidget):
    """Renders the flow; see the module docstring."""

    error_reported = Signal(str)  # from the exception hooks, possibly on another thread

    def __init__(
        self,
        flow: VisitFlow,
        runner: QtRunner,
        *,
        ui_config: UiConfig | None = None,
        preview_source: Callable[[], Any] | None = None,
        maintenance: Any = None,
        audit: Callable[[str, dict[str, Any]], None] | None = None,
        windowed: bool = True,
        size: tuple[int, int] = SIZES["small"],
    ) -> None:
        super().__init__()
        self.setObjectName("KioskRoot")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.ui_config = ui_config or UiConfig()
        self.flow, self.runner = flow, runner
        self.maintenance = maintenance
        self.audit = audit or (lambda event, data: None)
        self.windowed = windowed
        self.allow_close = False
        self.large_text = self.ui_config.large_text
        self.high_contrast = self.ui_config.high_contrast
        self.translations = Translations()
        self.voice = Voice(self.ui_config.espeak_command, self)
        self.preview = FacePreview(runner, preview_source, flow)
        self._metrics_key: tuple[int, int, bool, bool] | None = None
        self._shown: Screen | None = None
        # what was said of the screen on show (screen, language, sentences): only what is new is said next
        self._said_here: tuple[Screen | None, str, set[str]] = (None, "", set())
        self._resets_seen = flow.resets
        # Issue 25: after a visit that put a card or pages on the glass ends (done, ticket, cancel,
        # time-out), the start screen reminds the citizen to take them, for REMINDER_S seconds.
        self._visit_laid: frozenset[str] = frozenset()  # what the visit on show laid on the glass
        self.reminder_laid: frozenset[str] = frozenset()  # what the reminder names (a copy is not a card)
        self.reminder_until = 0.0

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.stack = CurrentPageStack()
        layout.addWidget(self.stack)
        # Built when first needed: the screen shown first now, the others after it has shown (ui/screen_pages.py).
        self._registrations = {page.screen: page for page in screen_registry.registrations()}
        self._page_layout: tuple[int, int, bool] | None = None  # margin, spacing, portrait (apply_theme)
        self.screens = ScreenPages(self._build_page)
        self.page_builder = QTimer(self)
        self.page_builder.setSingleShot(True)
        self.page_builder.timeout.connect(self._build_next_page)
        self.overlay = IdleOverlay(self, self._still_here)
        self.confirm_overlay = ConfirmOverlay(self)
        self.help_overlay = HelpOverlay(self, self)
        self.email_overlay = EmailOverlay(self, self)
        self.page_overlay = PageOverlay(self)
        for modal in (self.confirm_overlay, self.help_overlay, self.email_overlay):
            modal.on_shown = self.announce  # a dialog is read out like a screen
        self.help_timer = QTimer(self)  # a call that got no answer in time: "go to the counter"
        self.help_timer.setSingleShot(True)
        self.help_timer.setInterval(15000)
        self.help_timer.timeout.connect(self._help_timed_out)
        self.corner = SecretCorner(self, flow.secret_tap)
        self.idle_timer = QTimer(self)
        self.idle_timer.setInterval(250)
        self.idle_timer.timeout.connect(self.check_idle)
        self.idle_timer.start()
        self.device_timer = QTimer(self)
        self.device_timer.setInterval(DEVICE_RECHECK_MS)
        self.device_timer.timeout.connect(flow.check_devices_while_idle)
        self.device_timer.start()
        self.error_reported.connect(self._show_internal_error)

        flow.subscribe(self._flow_changed)
        self.flow.visit.voice = self.flow.visit.voice or self.ui_config.voice
        self.translations.install(flow.visit.language)
        if windowed:
            self.resize(*size)
            self.setWindowTitle("Smart Kiosk")
        else:
            self.setWindowFlags(Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint)
        self.apply_theme(force=True)
        self.refresh()
        QApplication.instance().installEventFilter(self)  # type: ignore[union-attr]
        self.page_builder.start(PAGES_AFTER_START_MS)

    def _build_page(self, screen: Screen) -> ScreenBase:
        page = self._registrations[screen].build(self)
        self.stack.addWidget(page)
        # What building the page posted (child polish, layout requests) is handled now, as it was for every
        # page before the window first showed: a page built as the flow goes to it is laid out as it shows.
        QApplication.sendPostedEvents(page, 0)
        self._lay_out(page)
        return page

    def _lay_out(self, page: ScreenBase) -> None:
        """The window's margins, spacing and orientation (apply_theme), on a page built before or after."""
        if self._page_layout is not None:
            margin, spacing, portrait = self._page_layout
            page.apply_metrics(margin, spacing)
            page.set_portrait(portrait)

    def _build_next_page(self) -> None:
        """One more page per turn of the event loop, so a touch is never kept waiting behind them all."""
        if self.screens.build_next():
            self.page_builder.start(0)

    # -- host API used by the screens ----------------------------------------------------------------------

    def set_language(self, language: str) -> None:
        self.flow.set_language(language)

    def toggle_large_text(self) -> None:
        self.large_text = not self.large_text
        self.apply_theme(force=True)
        self.refresh()

    def toggle_high_contrast(self) -> None:
        self.high_contrast = not self.high_contrast
        self.apply_theme(force=True)
        self.refresh()

    def speak_current(self) -> None:
        """Say the current screen, cutting what was being said (a new screen, a new language)."""
        self.voice.enabled = self.flow.visit.voice
        prompt = self.current_screen().spoken_prompt()
        self._said_here = (self.flow.screen, self.flow.visit.language, set(split_sentences(prompt)))
        if self.voice.enabled:
            self.voice.say(prompt, self.flow.visit.language)
        else:
            self.voice.stop()

    def speak_changes(self) -> None:
        """The same screen shows something new ("page 2 scanned", "payment received", a verdict): say the
        new sentences after what is being said. A new language is said whole, cutting."""
        screen, language, said = self._said_here
        self.voice.enabled = self.flow.visit.voice
        if not self.voice.enabled:
            return  # nothing to say: the screen's text is not even gathered
        if screen != self.flow.screen or language != self.flow.visit.language:
            self.speak_current()
            return
        sentences_now = split_sentences(self.current_screen().spoken_prompt())
        new = [s for s in sentences_now if s not in said]
        self._said_here = (screen, language, set(sentences_now))
        if new and self.voice.enabled:  # what waits to be said is what the screen shows now
            self.voice.queue(" ".join(new), language, replaces="screen changes")

    def speak(self, text: str) -> None:
        """Say `text`, after what is being said, when the citizen has voice on (a liveness step, a reason
        that appears): a hint never cuts an instruction."""
        self.voice.enabled = self.flow.visit.voice
        if self.voice.enabled:
            self.voice.queue(text, self.flow.visit.language)

    def announce(self, text: str) -> None:
        """Say `text` now, cutting what was being said: a dialog or the idle countdown covers the screen."""
        self.voice.enabled = self.flow.visit.voice
        if self.voice.enabled:
            self.voice.say(text, self.flow.visit.language)

    def restore_defaults(self) -> None:
        """The kiosk's configured settings for the next citizen (issue 25: voice stays on where configured)."""
        self.flow.visit.voice = self.ui_config.voice
        defaults = (self.ui_config.large_text, self.ui_config.high_contrast)
        if (self.large_text, self.high_contrast) != defaults:
            self.large_text, self.high_contrast = defaults
            self.apply_theme(force=True)  # restyling every widget costs ~100 ms: only when it changed

    # -- help and confirmations ------------------------------------------------------------------------

    def call_staff(self, reason: str = "citizen_request", *, from_error: bool = False) -> None:
        """ "Trợ giúp / Gọi cán bộ": raise a staff call (light + backend) and show its panel; the visit stays."""
        self.flow.touch()
        if getattr(self.flow.services, "staff_calls", None) is None or not hasattr(self.flow, "call_staff"):
            log.warning("help pressed, but this kiosk has no staff-call service")
            self.help_overlay.show_state("unavailable")
            return
        self.audit("ui.help", {"screen": str(self.flow.screen), "reason": reason})
        if self.flow.visit.staff_call is not None:
            self.help_overlay.show_state("coming")
            return
        self.help_overlay.show_state("calling")
        self.help_timer.start()
        if from_error:
            self.flow.error_action(Action.call_staff)  # the flow names the reason from the error
        else:
            self.flow.call_staff(reason)

    def close_help(self) -> None:
        self.help_timer.stop()
        self.help_overlay.hide()
        self.flow.touch()

    def cancel_staff_call(self) -> None:
        self.help_timer.stop()
        self.help_overlay.hide()
        cancel = getattr(self.flow, "cancel_staff_call", None)
        if cancel is not None:
            cancel()

    def end_visit_from_help(self) -> None:
        self.cancel_staff_call()
        self.confirm_cancel()

    def _help_timed_out(self) -> None:
        if self.help_overlay.isVisible() and self.help_overlay.state == "calling":
            self.help_overlay.show_state("failed")

    def _update_help(self) -> None:
        overlay = self.help_overlay
        if overlay.isVisible() and overlay.state == "calling" and self.flow.visit.staff_call is not None:
            self.help_timer.stop()
            overlay.show_state("coming")

    def open_page(self, index: int) -> None:
        """A page's thumbnail touched: the page full size (issue 25)."""
        pages = self.flow.visit.pages
        if 0 <= index < len(pages) and getattr(pages[index], "image", None) is not None:
            self.flow.touch()
            title = self.screens[Screen.scan].tr("Page %d") % (index + 1)
            self.page_overlay.open_page(title, bgr_to_qimage(pages[index].image, 1600))

    def open_email(self) -> None:
        """The review screen's optional e-mail, on the on-screen keyboard."""
        if self.flow.screen == Screen.review:
            self.flow.touch()
            self.email_overlay.open()

    def confirm(
        self,
        title: str,
        text: str,
        yes: str,
        no: str,
        on_yes: Callable[[], None],
        *,
        destructive: bool = False,
    ) -> None:
        self.flow.touch()
        self.confirm_overlay.ask(title, text, yes, no, on_yes, destructive=destructive)

    def confirm_cancel(self) -> None:
        """ "Hủy": asks first when the visit holds anything the citizen would lose."""
        visit = self.flow.visit
        if (
            visit.card is None
            and not visit.pages
            and not visit.reprint_code
            and self.flow.screen
            in (
                Screen.card,
                Screen.check_copy,
                Screen.reprint,
                Screen.attract,
            )
        ):
            self.flow.cancel()
            return
        # Issue 25: the safe way, going on with the visit, is the main button; ending it is not.
        self.confirm(
            self.tr("End this visit?"),
            self.tr("What you have scanned and entered will be erased. Nothing is printed."),
            self.tr("Yes, end the visit"),
            self.tr("Continue the visit"),
            self.flow.cancel,
            destructive=True,
        )

    def maintenance_action(self, section: str, action: str, done: Callable[[Any], None]) -> None:
        if self.flow.screen != Screen.maintenance or self.maintenance is None:
            return
        self.audit("maintenance.action", {"section": section, "action": action})
        self.flow.touch()
        run = self.maintenance.run
        self.runner.submit(
            f"maintenance.{section}.{action}",
            lambda report: run(section, action),
            done,
            lambda exc: done(f"{type(exc).__name__}: {exc}"),
        )

    def quit_kiosk(self) -> None:
        if self.flow.screen != Screen.maintenance:
            return
        self.audit("maintenance.action", {"section": "exit", "action": "close_program"})
        self.allow_close = True
        self.close()
        app = QApplication.instance()
        if app is not None:
            app.quit()

    # -- rendering ------------------------------------------------------------------------------------

    def current_screen(self) -> ScreenBase:
        return self.screens[self.flow.screen]

    def _flow_changed(self, flow: VisitFlow) -> None:
        if flow.resets != self._resets_seen:
            self._resets_seen = flow.resets
            if self._visit_laid:
                self.reminder_laid = self._visit_laid
                self.reminder_until = time.monotonic() + REMINDER_S
                QTimer.singleShot(int(REMINDER_S * 1000) + 50, self._reminder_over)
            self.wipe_screens()
        visit = flow.visit
        laid = set(getattr(visit, "laid_on_glass", ()))
        laid |= {"card"} if visit.card is not None else set()
        self._visit_laid = frozenset(laid | ({"pages"} if visit.pages else set()))
        self.translations.install(flow.visit.language)
        self.refresh()
        self._update_help()

    def take_things_reminder(self) -> bool:
        """Whether the start screen reminds the last citizen to take their card and documents."""
        return time.monotonic() < self.reminder_until

    def _reminder_over(self) -> None:
        if self.flow.screen == Screen.attract and not self.take_things_reminder():
            self.current_screen().show_state(self.flow)

    def wipe_screens(self) -> None:
        """After a reset: the next citizen sees nothing of the last one (texts, thumbnails, preview)."""
        self.restore_defaults()
        self.preview.stop()
        for screen in self.screens.values():
            screen.left()
            screen.show_state(self.flow)
        self.overlay.hide()
        self.confirm_overlay.hide()
        self.email_overlay.hide()
        self.page_overlay.close_page()
        self.help_timer.stop()
        self.help_overlay.hide()

    def refresh(self) -> None:
        screen = self.flow.screen
        widget = self.screens[screen]
        previous = self._shown
        if previous != screen:
            if previous is not None:
                self.screens[previous].left()
            self.stack.setCurrentWidget(widget)
            self.stack.updateGeometry()
        widget.show_state(self.flow)
        widget.show_help(not self.in_maintenance())
        if previous != screen:
            self.confirm_overlay.hide()  # a question about the last screen does not apply to this one
            self.email_overlay.hide()
            self.page_overlay.close_page()
            self._shown = screen
            widget.entered()
            self.speak_current()
        elif not self.in_maintenance():
            self.speak_changes()
        if screen == Screen.attract:
            self.overlay.hide()

    def apply_theme(self, *, force: bool = False) -> None:
        w, h = (self.width(), self.height()) if self.width() > 200 else (1280, 800)
        key = (w, h, self.large_text, self.high_contrast)
        if key == self._metrics_key and not force:
            return
        self._metrics_key = key
        m = theme.metrics_for(w, h, large_text=self.large_text)
        palette = theme.HIGH_CONTRAST if self.high_contrast else theme.NORMAL
        self.setStyleSheet(theme.style_sheet(m, palette))
        self._page_layout = (m.margin, m.spacing, h > w)
        for screen in self.screens.values():
            self._lay_out(screen)
        corner = max(theme.MIN_TOUCH_PX, round(96 * m.scale))
        self.corner.setGeometry(0, 0, corner, corner)
        self.corner.raise_()
        for overlay in (
            self.overlay,
            self.confirm_overlay,
            self.help_overlay,
            self.email_overlay,
            self.page_overlay,
        ):
            overlay.setGeometry(self.rect())

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self.apply_theme()
        for overlay in (
            self.overlay,
            self.confirm_overlay,
            self.help_overlay,
            self.email_overlay,
            self.page_overlay,
        ):
            overlay.setGeometry(self.rect())
        self.corner.raise_()

    # -- idle -------------------------------------------------------------------------------------------

    def check_idle(self) -> None:
        if self.flow.screen == Screen.maintenance_pin and self.flow.pin_message == "locked":
            self.current_screen().show_state(self.flow)  # the lockout countdown ticks on screen
        if self.help_overlay.isVisible() and self.help_overlay.state in ("calling", "coming"):
            self.flow.touch()  # staff are on their way: the visit waits for them
        status = self.flow.idle_status()
        tick = getattr(self.current_screen(), "tick", None)
        if tick is not None:
            tick(status.seconds_left)
        if status.countdown:
            self.overlay.show_seconds(status.seconds_left)
            if not self.overlay.isVisible():
                self.overlay.setGeometry(self.rect())
                self.overlay.show()
                self.overlay.raise_()
                self.corner.raise_()
                self.announce(self.overlay.spoken_prompt())
        elif self.overlay.isVisible():
            self.overlay.hide()

    def _still_here(self) -> None:
        self.flow.still_here()
        self.overlay.hide()

    # -- lockdown and activity ------------------------------------------------------------------------------

    def in_maintenance(self) -> bool:
        return self.flow.screen in (Screen.maintenance, Screen.maintenance_pin)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        kind = event.type()
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress):
            self.flow.touch()
        is_key = kind in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride) and isinstance(event, QKeyEvent)
        if is_key and self.is_locked_key(event):  # type: ignore[arg-type]
            event.accept()
            return True
        return False

    def is_locked_key(self, event: QKeyEvent) -> bool:
        """Keys that would leave or disturb the kiosk; allowed only in maintenance mode."""
        if self.in_maintenance() and event.key() != Qt.Key.Key_F4:
            return False
        if event.matches(QKeySequence.StandardKey.Close) or event.matches(QKeySequence.StandardKey.Quit):
            return True
        modifiers = event.modifiers()
        if event.key() == Qt.Key.Key_F4 and modifiers & Qt.KeyboardModifier.AltModifier:
            return not self.in_maintenance()
        if event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_F11):
            return True
        return bool(modifiers & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)) and (
            event.key() in LOCKED_KEYS
        )

    def closeEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        if self.allow_close or self.windowed:
            self.preview.stop()
            self.voice.stop()
            event.accept()
        else:
            log.info("close request ignored outside maintenance mode")
            event.ignore()

    def _show_internal_error(self, detail: str) -> None:
        log.error("unexpected error, visit will reset: %s", detail)
        if self.flow.screen in (Screen.maintenance, Screen.maintenance_pin):
            return
        self.flow.busy = False
        self.flow.show_error(ErrorInfo("internal", "", (Action.call_staff, Action.start_over), detail))
