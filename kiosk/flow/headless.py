"""A whole certification visit without a screen: `kiosk certify` and `kiosk demo` drive `VisitFlow` here.

The headless caller presses the buttons a citizen would press, on an `ImmediateRunner`, so the visit's
rules (the face check before the pages, the quality gate, printing in two steps) are the flow's and exist
once. Where the flow would show an error screen, `VisitStopped` (or the exception behind the screen) is
raised for the CLI to report with its exit status.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.errors import BadInputError, KioskError, NegativeVerdict
from kiosk.flow.errors import Action, ErrorInfo
from kiosk.flow.machine import VisitFlow
from kiosk.flow.record import Screen, Service
from kiosk.pipeline.visit_pipeline import CertifiedCopy

if TYPE_CHECKING:
    from kiosk.pipeline.visit_pipeline import CertifiedCopy


class VisitStopped(KioskError):
    """The flow stopped on an error screen that no exception is behind (a face or a page refused)."""

    def __init__(self, message: str, error: ErrorInfo, **kwargs: str) -> None:
        super().__init__(message, key=f"error.{error.kind}", **kwargs)
        self.error = error


def _stopped(flow: VisitFlow) -> BaseException:
    error = flow.visit.error or ErrorInfo("internal")
    if error.cause is not None:
        return error.cause
    if error.kind == "no_match":
        face = flow.visit.face
        detail = ""
        if face is not None:
            detail = f" (distance {face.distance:.2f}, {face.frames_used} frame(s) used)"
            detail += f": {face.reason}" if face.reason else ""
        return NegativeVerdict(f"the live face does not match the card portrait{detail}")
    if error.kind == "page_quality":
        quality = flow.visit.page_quality
        message = quality.message_en if quality is not None else "unreadable"
        return BadInputError(f"page cannot be read ({error.reason}): {message}")
    return VisitStopped(f"the visit stopped: {error.kind} {error.reason}".strip(), error)


def certify_visit(
    flow: VisitFlow,
    *,
    pages: int,
    copies: int = 1,
    subject: Callable[[Screen], str] = lambda screen: "",
) -> CertifiedCopy:
    """Card, face, `pages` pages, confirm, print; the certified copy, or the error that stopped the visit.

    `subject(screen)` names the input an error on that screen is about (the CLI's file names).
    """

    def press(action: Callable[[], None], screen: Screen) -> None:
        action()
        if flow.screen == Screen.error:
            exc = _stopped(flow)
            named = subject(screen)
            if named:  # the caller's name for the input (a file) beats the step's ("card")
                exc.subject = named  # type: ignore[attr-defined]
            raise exc

    flow.choose_service(Service.certify)
    press(flow.card_placed, Screen.card)
    press(flow.start_face_check, Screen.face)
    for _ in range(pages):
        press(flow.scan_page, Screen.scan)
    press(flow.pages_done, Screen.scan)
    flow.set_copies(copies)
    press(flow.confirm, Screen.review)
    if flow.screen == Screen.payment and flow.payment_expired:  # the payment screen's own time-out (W6)
        raise VisitStopped(
            "the visit stopped: payment_timeout (the payment was not confirmed in time)",
            ErrorInfo("payment_timeout", "", (Action.try_again, Action.call_staff)),
        )
    if flow.screen != Screen.done or not isinstance(flow.visit.copy, CertifiedCopy):
        raise VisitStopped(f"the visit ended on {flow.screen}", ErrorInfo("internal"))
    return flow.visit.copy
