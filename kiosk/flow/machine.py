"""The visit as a Qt-free state machine (the shape of Electrum's wizard).

`VisitFlow` holds which screen the citizen is on, the data of the visit (`record.VisitRecord`), and the
rules that move from one screen to the next. It never blocks: every piece of work (device I/O, OCR, face,
signing, printing) is handed to a `TaskRunner`, and its result comes back as an event. The UI supplies a
runner that uses Qt worker threads and delivers results on the GUI thread; the tests and the headless CLI
(`kiosk certify`, `kiosk demo`) use `ImmediateRunner`, so the whole flow runs without Qt.

What the flow needs from the kiosk core is `contracts.VisitServices`; `adapter.PipelineServices` adapts the
real `kiosk.pipeline.visit_pipeline.VisitPipeline` and the devices to it. Exceptions become error screens through the
routing table of `errors`.

A reset wipes the visit: numpy buffers are zeroed in place, temporary files are deleted, the names
registered with the log redactor are forgotten, and any task still running for the old visit has its
result thrown away (each task carries the visit's generation number).
"""

from __future__ import annotations

import contextlib
import logging
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.errors import UnknownCodeError
from kiosk.flow.contracts import ImmediateRunner, Report, TaskRunner, VisitServices
from kiosk.flow.errors import INTERNAL, Action, ErrorInfo, classify_error, route_for
from kiosk.flow.page_steps import MAX_PAGE_REJECTS, MAX_PAGES, PageSteps  # noqa: F401 (the limits, as before)
from kiosk.flow.payment_step import PaymentSteps
from kiosk.flow.print_step import PrintSteps
from kiosk.flow.record import BUSY_SCREENS, Screen, Service, VisitRecord, wipe_array, wipe_result
from kiosk.runtime.logs import forget_sensitive, register_sensitive
from kiosk.runtime.maintenance_pin import MaintenanceAuth
from kiosk.runtime.memory import release_later
from kiosk.services.delivery import note_count, note_screen
from kiosk.services.readiness import REPRINT_DEVICES, VISIT_DEVICES
from kiosk.services.reprint import HolderReprint

if TYPE_CHECKING:
    import numpy as np

    from kiosk.identity import CardData, FaceDecision
    from kiosk.identity.chip.kiosk_chip import ChipCheck
    from kiosk.pipeline.visit_pipeline import ReprintedCopy
    from signing.model import Verification

log = logging.getLogger(__name__)

# Fallback challenges when the services cannot draw their own; steps joined by "+".
# Each has a head turn: the liveness check refuses a challenge without one (a print with cut-out eyes).
LIVENESS_CHALLENGES = ("turn_left+blink", "turn_right+blink", "blink+turn_left", "move_closer+turn_right")
MAX_FACE_ATTEMPTS = 3
MAX_COPIES = 5
SECRET_TAPS = 5
SECRET_WINDOW_S = 3.0
DEVICE_KINDS = frozenset({"paper_out", "cover_open", "device", "internal", "camera"})
FACE_KINDS = frozenset({"no_match", "liveness_failed", "no_face"})
# Screens that end a visit: they show a code or a ticket, then go back to the start on their own.
FINAL_SCREENS = frozenset(
    {Screen.done, Screen.check_result, Screen.ticket, Screen.out_of_service, Screen.collect}
)


@dataclass(frozen=True)
class IdleStatus:
    countdown: bool  # show the countdown overlay
    seconds_left: float


class VisitFlow(PageSteps, PrintSteps, PaymentSteps):
    """The states, events and data of a visit. Listeners are called after every change."""

    visit: VisitRecord  # declared for the mixins (page_steps, print_step, payment_step) that use it
    maintenance_timeout_s = 120.0  # maintenance mode untouched this long: back to the attract screen
    done_timeout_s = 25.0  # a final screen's own countdown back to the start (20-30 s)

    def __init__(
        self,
        services: VisitServices,
        runner: TaskRunner | None = None,
        *,
        idle_timeout_s: float = 90.0,
        countdown_s: float = 15.0,
        default_language: str = "vi",
        auth: MaintenanceAuth | None = None,
        audit: Callable[[str, dict[str, Any]], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        frames_per_check: int = 5,
        rng: random.Random | None = None,
        on_reset: Callable[[], None] | None = None,
        temp_root: Path | None = None,
    ) -> None:
        self.services = services
        self.runner: TaskRunner = runner or ImmediateRunner()
        self.idle_timeout_s = idle_timeout_s
        self.countdown_s = countdown_s
        self.default_language = default_language
        self.auth = auth
        self.audit = audit or (lambda event, data: None)
        self.clock = clock
        self.frames_per_check = frames_per_check
        self.rng = rng or random.SystemRandom()
        self.on_reset = on_reset
        self.temp_root = temp_root  # where each visit's private temporary folder goes (None: the system's)
        self.screen = Screen.attract
        self.visit = VisitRecord(language=default_language)
        self.generation = 0
        self.busy = False
        self._idle_check_running = False  # check_devices_while_idle: one at a time
        self.pin_message = ""  # "wrong", "locked" for the PIN screen
        self.resets = 0
        self._last_activity = clock()
        self._taps: list[float] = []
        self._listeners: list[Callable[[VisitFlow], None]] = []

    # -- plumbing ---------------------------------------------------------------------------------------

    def subscribe(self, listener: Callable[[VisitFlow], None]) -> None:
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener(self)

    def _go(self, screen: Screen) -> None:
        log.info("screen %s -> %s", self.screen, screen)
        note_screen(self.visit, screen.value)  # the visit's KPI durations (kiosk.services.delivery)
        self.screen = screen
        self.touch()
        self._changed()

    def _run(
        self,
        name: str,
        work: Callable[[Report], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None] | None = None,
        *,
        with_progress: bool = False,
    ) -> None:
        """Hand `work` to the runner; drop its result if the visit has been reset meanwhile."""
        generation = self.generation
        self.busy = True

        def on_done(result: Any) -> None:
            if generation != self.generation:
                wipe_result(result)
                return
            self.busy = False
            done(result)

        def on_failed(exc: BaseException) -> None:
            if generation != self.generation:
                return
            self.busy = False
            if route_for(exc) is INTERNAL:  # a bug or an unforeseen fault: the traceback is for the log
                log.warning("task %s failed: %s", name, exc, exc_info=exc)
            else:  # a refused card, a blurred page, a printer out of paper: the error screen says it
                log.info("task %s failed: %s: %s", name, type(exc).__name__, exc)
            (failed or self._fail)(exc)

        def on_progress(stage: str, fraction: float) -> None:
            if generation != self.generation:
                return
            self.visit.progress_stage, self.visit.progress = stage, max(0.0, min(1.0, fraction))
            self._changed()

        self.runner.submit(name, work, on_done, on_failed, on_progress if with_progress else None)

    def _fail(self, exc: BaseException, *, back_to: Screen | None = None) -> None:
        self.show_error(classify_error(exc), back_to=back_to)

    def show_error(self, error: ErrorInfo, *, back_to: Screen | None = None) -> None:
        self.visit.error = error
        self.visit.error_return = back_to
        log.info("error screen %s (%s) %s", error.kind, error.reason, error.detail)
        self._go(Screen.error)

    def touch(self) -> None:
        """The citizen did something: restart the idle timer."""
        self._last_activity = self.clock()

    # -- idle and reset -----------------------------------------------------------------------------------

    def idle_status(self) -> IdleStatus:
        """Whether the countdown overlay shows; resets the visit when the countdown has run out.

        Maintenance mode closes after `maintenance_timeout_s` untouched (the next passer-by must not find
        "Close the program"); a final screen (done, check result, ticket) goes back to the start after its
        own `done_timeout_s`, without the overlay, so a code is not left on screen for the next citizen.
        """
        if self.screen in (Screen.maintenance_pin, Screen.maintenance):
            if self.clock() - self._last_activity >= self.maintenance_timeout_s:
                self.audit("maintenance.timeout", {"screen": str(self.screen)})
                self.reset(reason="maintenance_timeout")
            return IdleStatus(False, self.countdown_s)
        if self.screen == Screen.out_of_service and self.visit.idle_out_of_service:
            # no visit to end: back once the devices work; a ticket taken there goes after done_timeout_s
            left = self.done_timeout_s - (self.clock() - self._last_activity)
            if self.visit.queue_ticket is not None and left <= 0:
                self.visit.queue_ticket = None
                self._changed()
            return IdleStatus(
                False, max(0.0, left) if self.visit.queue_ticket is not None else self.countdown_s
            )
        if self.screen in FINAL_SCREENS:
            left = self.done_timeout_s - (self.clock() - self._last_activity)
            if left <= 0:
                self.reset(reason="done_timeout")
            return IdleStatus(False, max(0.0, left))
        # issue 25 W6: no idle reset while the bank is awaited: the payment's own time-out rules then
        if self.screen == Screen.attract or self.screen in BUSY_SCREENS or self.payment_pending:
            self.touch()
            return IdleStatus(False, self.countdown_s)
        idle = self.clock() - self._last_activity
        if idle < self.idle_timeout_s:
            return IdleStatus(False, self.countdown_s)
        left = self.idle_timeout_s + self.countdown_s - idle
        if left <= 0:
            self.reset(reason="idle")
            return IdleStatus(False, self.countdown_s)
        return IdleStatus(True, left)

    def still_here(self) -> None:
        """The citizen touched the countdown overlay."""
        self.touch()
        self._changed()

    def reset(self, *, reason: str = "finished") -> None:
        """Wipe the visit's memory and temporary files and return to the attract screen."""
        old = self.visit
        self.generation += 1
        self.busy = False
        self._paid_reset(old)  # a paid visit that did not deliver prints its collect slip first
        self._payment_reset(old)
        for value in (old.card_image, *old.frames):
            wipe_array(value)
        for page in old.pages:
            wipe_array(getattr(page, "image", None))
        if old.pending_duplicate is not None:
            wipe_array(getattr(old.pending_duplicate[0], "image", None))
        if old.temp_dir is not None:
            shutil.rmtree(old.temp_dir, ignore_errors=True)
        with contextlib.suppress(Exception):
            forget_sensitive()
        self.visit = VisitRecord(language=self.default_language)
        release_later(self.runner)  # the visit's buffers go back to the system, not just to malloc
        self.pin_message = ""
        self.resets += 1
        log.info("visit reset (%s)", reason)
        if self.on_reset is not None:
            self.on_reset()
        self._go(Screen.attract)

    def temp_dir(self) -> Path:
        """A private temporary folder for this visit, deleted at reset."""
        if self.visit.temp_dir is None:
            self.visit.temp_dir = Path(tempfile.mkdtemp(prefix="visit-", dir=self.temp_root))
        return self.visit.temp_dir

    # -- attract -----------------------------------------------------------------------------------------

    def set_language(self, language: str) -> None:
        self.visit.language = language
        self.touch()
        self._changed()

    def toggle_voice(self) -> None:
        self.visit.voice = not self.visit.voice
        self.touch()
        self._changed()

    def choose_service(self, service: Service | str) -> None:
        """Start a visit; a certification or a reprint first asks the devices it needs (issue 25)."""
        if self.screen != Screen.attract or self.busy:
            return
        service = Service(service)
        self.visit.service = service
        if service == Service.certify:
            self._check_then(VISIT_DEVICES, lambda: self._go(Screen.card))
        elif service == Service.check:
            self._go(Screen.check_copy)
        else:
            self._check_then(REPRINT_DEVICES, lambda: self._go(Screen.reprint))

    def cancel(self) -> None:
        """The citizen pressed "cancel" / "start over"."""
        self.reset(reason="cancelled")

    # -- issue 25: the devices, asked again while the kiosk waits ------------------------------------------

    def check_devices_while_idle(self) -> None:
        """Called every re-check period by the window. On the attract screen, a device a visit needs that went
        down puts the kiosk out of service (no ticket printed: no one asked); on the out-of-service screen
        this check put up, the kiosk comes back once they all work. The check runs on the worker and never
        makes the flow busy, so a citizen's tap is not lost to it."""
        check = getattr(self.services, "check_devices", None)
        idle_out = self.screen == Screen.out_of_service and self.visit.idle_out_of_service
        if (
            check is None
            or self.busy
            or self._idle_check_running
            or not (self.screen == Screen.attract or idle_out)
        ):
            return
        generation = self.generation
        self._idle_check_running = True

        def done(readiness: Any) -> None:
            self._idle_check_running = False
            if generation == self.generation and not self.busy:
                self._idle_checked(readiness)

        def failed(exc: BaseException) -> None:
            self._idle_check_running = False
            log.warning("the idle device check failed: %s", exc, exc_info=exc)

        self.runner.submit("check_devices_idle", lambda report: check(VISIT_DEVICES), done, failed)

    def _idle_checked(self, readiness: Any) -> None:
        ok = bool(getattr(readiness, "ok", True))
        if self.screen == Screen.attract and not ok:
            self.visit.readiness = readiness
            self.visit.idle_out_of_service = True
            self.audit(
                "kiosk.out_of_service", {"missing": list(getattr(readiness, "missing", ())), "idle": True}
            )
            self.call_staff("out_of_service")  # the screen says staff have been told: the light and /ops know
            self._go(Screen.out_of_service)
        elif self.screen == Screen.out_of_service and self.visit.idle_out_of_service and ok:
            self.audit("kiosk.back_in_service", {})
            self.reset(reason="back_in_service")
        elif self.screen == Screen.out_of_service and self.visit.idle_out_of_service:
            before = getattr(self.visit.readiness, "missing", None)
            self.visit.readiness = readiness  # which printer still works decides the ticket's offer
            if getattr(readiness, "missing", None) != before:
                self._changed()

    # -- card ----------------------------------------------------------------------------------------

    def card_placed(self) -> None:
        if self.screen != Screen.card or self.busy:
            return
        self.visit.laid_on_glass.add("card")  # the start screen reminds the citizen to take it (ui.window)
        self._changed()
        self._run("read_card", lambda report: self._read_card(), self._card_read, self._card_failed)
        self._changed()

    def _read_card(self) -> tuple[np.ndarray, CardData, ChipCheck]:
        image = self.services.scan_card()
        card = self.services.read_card(image)
        return image, card, self.services.read_chip(card)

    def _card_read(self, result: tuple[np.ndarray, CardData, ChipCheck]) -> None:
        image, self.visit.card, chip = result
        # The face is checked against the chip's portrait (DG2) when the chip was read, else the printed one.
        self.visit.card_image = chip.portrait if chip.portrait is not None else image
        self.visit.identity_source = chip.identity_source
        # The chip's flagged outcomes (ChipCheck.flags), carried into the record for the officer; a
        # services double that reads no chip may leave them out.
        self.visit.identity_flags = tuple(getattr(chip, "flags", ()))
        with contextlib.suppress(Exception):
            card = self.visit.card
            register_sensitive(str(getattr(card, "full_name", "")), str(getattr(card, "id_number", "")))
        self.visit.challenge = self._draw_challenge()
        self.visit.face_attempts = 0
        self._go(Screen.face)

    def _card_failed(self, exc: BaseException) -> None:
        self._fail(exc, back_to=Screen.card)

    # -- face ----------------------------------------------------------------------------------------

    def _draw_challenge(self) -> str:
        """A fresh random liveness challenge such as "turn_left+blink" (a built-in one if the services fail)."""
        try:
            return str(self.services.draw_challenge())
        except Exception:
            log.exception("drawing a liveness challenge failed; using a built-in one")
        return self.rng.choice(LIVENESS_CHALLENGES)

    def start_face_check(self) -> None:
        if self.screen != Screen.face or self.busy:
            return
        self.visit.face_attempts += 1
        card_image, challenge, n = self.visit.card_image, self.visit.challenge, self.frames_per_check

        def work(report: Report) -> tuple[list[np.ndarray], str, FaceDecision]:
            if card_image is None:  # the face screen comes after a card was read
                raise RuntimeError("face check without a card image")
            frames = self.services.capture_frames(n, challenge)
            liveness = self.services.check_liveness(challenge, frames)
            return frames, liveness, self.services.verify_face(card_image, frames)

        self._run("verify_face", work, self._face_checked, self._face_failed)
        self._changed()

    def _face_checked(self, result: tuple[list[np.ndarray], str, FaceDecision]) -> None:
        frames, liveness, decision = result
        for frame in self.visit.frames:
            wipe_array(frame)
        self.visit.frames = list(frames)
        self.visit.liveness, self.visit.face = liveness, decision
        note_count(self.visit, "face_attempts")
        note_count(self.visit, "liveness_attempts")
        if not getattr(decision, "match", False):
            note_count(self.visit, "face_failures")
        if getattr(decision, "match", False):
            self.audit("visit.face_match", {"distance": float(getattr(decision, "distance", 0.0))})
            if self.visit.service == Service.reprint:
                self._reprint_for_holder()  # the holder's card and face: now the copy may print again
                return
            self._go(Screen.scan)
            return
        self.audit("visit.face_no_match", {"distance": float(getattr(decision, "distance", 0.0))})
        self.show_error(
            ErrorInfo("no_match", str(getattr(decision, "reason", "") or ""), self._face_actions()),
            back_to=Screen.face,
        )

    def _face_actions(self) -> tuple[Action, ...]:
        """Issue 25: the ways on after a failed face check. Try again, with a way out each time; after two
        failures staff help or a queue ticket for the counter; after MAX_FACE_ATTEMPTS no more tries."""
        ticket = (Action.ticket,) if getattr(self.services, "tickets", None) is not None else ()
        if self.visit.face_attempts < 2:
            return (Action.try_again, Action.call_staff, Action.start_over)
        if self.visit.face_attempts < MAX_FACE_ATTEMPTS:
            return (Action.try_again, Action.call_staff, *ticket, Action.start_over)
        return (*ticket, Action.call_staff, Action.start_over)

    def face_unavailable(self, reason: str) -> None:
        """Issue 25 walk W7/W13: the face step's camera fails (`reason` "camera") or shows no usable face
        for a while ("not_seen": a covered lens, a wheelchair user below the frame). Counted as a failure
        with its own reason, and staff help or a queue ticket are offered at once, as after two failures."""
        if self.screen != Screen.face or self.busy:
            return
        camera = reason == "camera"
        note_count(self.visit, "face_failures")
        self.audit("visit.face_unavailable", {"reason": reason})
        ticket = (Action.ticket,) if getattr(self.services, "tickets", None) is not None else ()
        actions = (Action.call_staff, *ticket, Action.start_over)
        if not camera:
            actions = (Action.try_again, *actions)
        self.show_error(ErrorInfo("camera" if camera else "no_face", reason, actions), back_to=Screen.face)

    def _face_failed(self, exc: BaseException) -> None:
        error = classify_error(exc)
        if error.kind == "liveness_failed":
            note_count(self.visit, "liveness_attempts")
            note_count(self.visit, "liveness_failures")
            self.visit.challenge = self._draw_challenge()  # the next attempt gets a new challenge
        if error.kind in FACE_KINDS:
            error = replace(error, actions=self._face_actions())
        self.show_error(error, back_to=Screen.face)

    # -- review, certify, print ---------------------------------------------------------------------------

    @property
    def fee_vnd(self) -> int:
        return self.fee.total_vnd  # Thông tư 226/2016/TT-BTC, see kiosk.services.fee

    def set_copies(self, copies: int) -> None:
        if self.screen == Screen.review:
            self.visit.copies = max(1, min(MAX_COPIES, int(copies)))
            self.touch()
            self._changed()

    def back_to_pages(self) -> None:
        if self.screen == Screen.review:
            self._go(Screen.scan)

    def confirm(self) -> None:
        if self.screen != Screen.review or self.busy:
            return
        if self.payments is not None and self.visit.print_permit is None:
            # no money is taken unless the printers can deliver it; certifies once the payment is confirmed
            self.check_payment_devices_then(self.start_payment)
            return
        if self.payments is None and self.payment_required:
            self.counter_payment()  # no payment service: cash at the counter, nothing prints here
            return
        self.check_payment_devices_then(self._certify)

    def finish(self) -> None:
        """ "I have my documents": end the visit."""
        self.reset(reason="finished")

    # -- error screen -------------------------------------------------------------------------------------

    def error_action(self, action: Action | str) -> None:
        if self.screen != Screen.error:
            return
        action = Action(action)
        back = self.visit.error_return
        error = self.visit.error
        if back == Screen.scan and self.page_error_action(action):  # the pages' own ways on (page_steps)
            return
        if action in (Action.rescan, Action.try_again) and back is not None:
            self.visit.error = None
            if back == Screen.printing:
                self._print()
                return
            if back == Screen.payment:  # a payment wait timed out: wait again for the same payment
                self.retry_payment_wait()
                return
            self._go(back)
            if action == Action.rescan and back == Screen.card:  # issue 25: "Scan again" scans again
                self.card_placed()
            elif (
                action == Action.rescan
                and back == Screen.scan
                and (error is None or error.kind != "no_pages")
            ):
                self.scan_page()
            return
        if action == Action.ticket:  # the kiosk cannot finish: a queue ticket for the counter
            kind = error.kind if error else ""
            if kind == "page_quality":
                self.print_queue_ticket("unsupported_document")
            else:
                self.print_queue_ticket("face_failures" if kind in FACE_KINDS else "staff_needed")
            return
        if action == Action.call_staff:  # help comes to the kiosk: the visit is kept
            kind = error.kind if error else ""
            if getattr(self.services, "staff_calls", None) is None and getattr(
                self.services, "tickets", None
            ):
                self.print_queue_ticket("staff_needed")  # no one can be called: the counter helps
                return
            reason = "face_failures" if kind in FACE_KINDS else "citizen_request"
            self.call_staff("device_fault" if kind in DEVICE_KINDS else reason)
            return
        self.reset(reason="start_over")

    # -- check a copy, reprint ----------------------------------------------------------------------------

    def check_placed(self) -> None:
        """Check the printed copy laid on the glass."""
        self._check_copy("scan_copy")

    def check_by_camera(self) -> None:
        """Check the printed copy the citizen holds up to the camera (put upright before it is read)."""
        self._check_copy("photo_copy")

    def _check_copy(self, source: str) -> None:
        """`source` names the services' call that takes the picture: scan_copy or photo_copy."""
        if self.screen != Screen.check_copy or self.busy:
            return
        status_of = getattr(self.services, "copy_status", None)
        if source == "scan_copy":
            self.visit.laid_on_glass.add("copy")

        def work(report: Report) -> tuple[Verification, Any]:
            image = getattr(self.services, source)()
            try:
                verification = self.services.check_copy(image)
            finally:
                wipe_array(image)
            code = getattr(verification, "code", None)
            # The post-check status (post_checked / revoked) from the city's public listener; offline it
            # says it could not be checked, and the seal's verdict stands on its own.
            online = status_of(code) if status_of is not None and code and verification.valid else None
            return verification, online

        def done(result: tuple[Verification, Any]) -> None:
            self.visit.online_status = result[1]
            self._checked(result[0])

        self._run("check_copy", work, done, lambda exc: self._fail(exc, back_to=Screen.check_copy))
        self._changed()

    def _checked(self, verification: Verification) -> None:
        self.visit.verification = verification
        self.audit(
            "visit.check_copy",
            {
                "valid": bool(getattr(verification, "valid", False)),
                "code": getattr(verification, "code", None),
            },
        )
        self._go(Screen.check_result)

    def set_reprint_code(self, text: str) -> None:
        self.visit.reprint_qr_unread = ""
        self.visit.reprint_code = "".join(ch for ch in text.upper() if ch.isalnum() or ch == "-")[:32]
        self.touch()
        self._changed()

    def submit_reprint(self) -> None:
        """The code is typed: a reprint is for the copy's holder only, so the card and the face come next
        (kiosk.services.reprint.HolderReprint decides once both are in)."""
        if self.screen != Screen.reprint or self.busy or not self.visit.reprint_code:
            return
        try:
            self.visit.reprint_code = HolderReprint.normalize(self.visit.reprint_code)
        except UnknownCodeError as exc:  # a mistyped code: said at once, before the card is asked for
            self._fail(exc, back_to=Screen.reprint)
            return
        self._go(Screen.card)

    def reprint_by_glass(self) -> None:
        """Read the code off the receipt laid on the glass (its QR), then go on as if it were typed."""
        self._reprint_by_qr("scan_receipt")

    def reprint_by_camera(self) -> None:
        """Read the code off the receipt held up to the camera."""
        self._reprint_by_qr("photo_receipt")

    def _reprint_by_qr(self, source: str) -> None:
        read_code = getattr(self.services, "receipt_code", None)
        take = getattr(self.services, source, None)
        if self.screen != Screen.reprint or self.busy or read_code is None or take is None:
            return

        def work(report: Report) -> str:
            image = take()
            try:
                return str(read_code(image))
            finally:
                wipe_array(image)

        def done(code: str) -> None:
            self.visit.reprint_code = code
            self.submit_reprint()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, UnknownCodeError):  # no code in the picture: said on the screen, typing stays
                self.visit.reprint_qr_unread = "glass" if source == "scan_receipt" else "camera"
                self._changed()
                return
            self._fail(exc, back_to=Screen.reprint)  # the scanner or the camera failed: the error screen

        self.visit.reprint_qr_unread = ""
        if source == "scan_receipt":
            self.visit.laid_on_glass.add("receipt")
        self._run("receipt_code", work, done, failed)
        self._changed()

    def _reprint_for_holder(self) -> None:
        code, card, card_image = self.visit.reprint_code, self.visit.card, self.visit.card_image
        frames = list(self.visit.frames)
        self.visit.progress_stage, self.visit.progress = "print_copy", 0.1
        self._go(Screen.printing)

        def failed(exc: BaseException) -> None:
            self._fail(exc, back_to=Screen.reprint)

        def done(copy: ReprintedCopy) -> None:
            self.visit.copy = copy
            self.audit("visit.reprint", {"code": code})
            self._go(Screen.done)

        self._run(
            "reprint",
            lambda report: self.services.reprint_for_holder(code, card, card_image, frames),  # type: ignore[arg-type]  # set by _card_read
            done,
            failed,
        )

    # -- maintenance ------------------------------------------------------------------------------------

    def secret_tap(self) -> None:
        """A tap in the hidden corner; five within three seconds open the PIN pad."""
        now = self.clock()
        self._taps = [t for t in self._taps if now - t <= SECRET_WINDOW_S] + [now]
        if len(self._taps) >= SECRET_TAPS and self.screen == Screen.attract:
            self._taps.clear()
            self.pin_message = ""
            self.audit("maintenance.gesture", {})
            self._go(Screen.maintenance_pin)

    def enter_pin(self, pin: str) -> None:
        if self.screen != Screen.maintenance_pin:
            return
        if self.auth is None:
            self.pin_message = "not_configured"
            self._changed()
            return
        result = self.auth.check(pin)
        if result.ok:
            self.pin_message = ""
            self._go(Screen.maintenance)
        else:
            self.pin_message = "locked" if result.locked_for_s > 0 else "wrong"
            self._changed()

    def exit_maintenance(self) -> None:
        if self.screen in (Screen.maintenance, Screen.maintenance_pin):
            self.audit("maintenance.logout", {})
            self.reset(reason="maintenance_exit")
