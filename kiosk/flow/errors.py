"""Error routing: which error screen, and which ways forward, an exception leads the citizen to.

`ROUTES` maps exception classes to a `Route` (the citizen's message key, called `kind`, and the actions
the error screen offers). An exception is looked up along its class's MRO, so the most specific entry
wins: `PaperOut` before `DeviceError`, `CardPortraitError` (a card and a face error) as a card error. A
new error family gets one `register_route` call; nothing here looks at class names or message texts.
Anything not routed is an internal error: the citizen is sent to staff, never told a wrong reason.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import StrEnum

from drivers.errors import CoverOpen, DeviceError, NoDocument, PaperOut
from kiosk.errors import NegativeVerdict, RescanNeeded, UnavailableError, UnknownCodeError
from kiosk.identity.chip.errors import ChipError, ChipRefused
from kiosk.identity.errors import CardError, FaceError, LivenessError
from kiosk.services.reprint import ReprintRefused
from ocr.errors import OcrUnavailable


class Action(StrEnum):
    """The ways forward an error screen offers."""

    rescan = "rescan"
    try_again = "try_again"
    call_staff = "call_staff"
    start_over = "start_over"
    ticket = "ticket"  # print a queue ticket: the counter finishes the visit
    keep_page = "keep_page"  # issue 25: a page that looks scanned twice is kept all the same
    # Issue 25 (walk W2): a page error after page 1 never traps the citizen: go on with the pages kept, or
    # back to the scan screen with them; "cancel" ends the visit (the screen asks first), like start_over.
    finish_pages = "finish_pages"
    back_to_pages = "back_to_pages"
    cancel = "cancel"


@dataclass(frozen=True)
class ErrorInfo:
    """What went wrong, in a form the screen can translate: a kind, a reason and the ways forward."""

    kind: str  # the message key of the error screen: card_unreadable, no_match, page_quality, internal...
    reason: str = ""
    actions: tuple[Action, ...] = (Action.call_staff,)
    detail: str = ""  # for the log only, never shown to the citizen
    # The exception behind it, for a headless caller that reports it (the CLI); dropped at reset.
    cause: BaseException | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Route:
    kind: str
    actions: tuple[Action, ...]
    # Which attribute of the exception becomes `ErrorInfo.reason`: its message key, or its machine reason.
    reason_attr: str = "message_key"


INTERNAL = Route("internal", (Action.call_staff, Action.start_over))
# A page to place again: scan it again, get help, or give up the visit.
RESCAN_ACTIONS = (Action.rescan, Action.call_staff, Action.start_over)
ROUTES: dict[type[BaseException], Route] = {}
_builtins_lock = threading.Lock()
_builtins_loaded = False


def register_route(
    cls: type[BaseException],
    kind: str,
    actions: tuple[Action, ...],
    *,
    reason_attr: str = "message_key",
) -> None:
    """Send exceptions of `cls` (and its subclasses without a more specific entry) to screen `kind`."""
    ROUTES[cls] = Route(kind, actions, reason_attr)


def _register_builtins() -> None:
    """The kiosk's and the leaf packages' error families; loaded on the first error, not at import."""
    global _builtins_loaded
    with _builtins_lock:
        if _builtins_loaded:
            return
        retry_or_staff = (Action.try_again, Action.call_staff)
        builtins: list[tuple[type[BaseException], Route]] = [
            (PaperOut, Route("paper_out", retry_or_staff)),
            (NoDocument, Route("no_document", RESCAN_ACTIONS)),  # issue 25: a way out too
            (CoverOpen, Route("cover_open", retry_or_staff)),
            (DeviceError, Route("device", retry_or_staff)),
            (UnavailableError, Route("device", retry_or_staff)),
            (OcrUnavailable, Route("device", retry_or_staff)),
            (CardError, Route("card_unreadable", (Action.rescan, Action.call_staff, Action.start_over))),
            (FaceError, Route("no_face", retry_or_staff)),
            (LivenessError, Route("liveness_failed", retry_or_staff)),
            (RescanNeeded, Route("page_quality", RESCAN_ACTIONS, "reason")),
            (
                UnknownCodeError,
                Route("code_not_found", (Action.try_again, Action.call_staff, Action.start_over)),
            ),
            (ReprintRefused, Route("reprint_refused", (Action.call_staff, Action.start_over), "reason_key")),
            (NegativeVerdict, Route("no_match", (Action.call_staff, Action.start_over))),
            # The chip (issue 18): moved away, wrong key, time out: lay the card on the reader again.
            (ChipError, Route("chip_unreadable", RESCAN_ACTIONS, "reason")),
            # A chip that fails passive or active authentication: nothing is certified, staff decide.
            (ChipRefused, Route("chip_refused", (Action.call_staff, Action.start_over), "reason")),
        ]
        for cls, route in builtins:
            ROUTES.setdefault(cls, route)  # a registration made before the first error wins
        _builtins_loaded = True


def route_for(exc: BaseException) -> Route:
    """The route of the most specific class of `exc` that has one; INTERNAL when none has."""
    _register_builtins()
    for cls in type(exc).__mro__:
        route = ROUTES.get(cls)
        if route is not None:
            return route
    return INTERNAL


def classify_error(exc: BaseException) -> ErrorInfo:
    """Map an exception from the core or a device to the citizen's error screen."""
    route = route_for(exc)
    reason = str(getattr(exc, route.reason_attr, "") or "")
    return ErrorInfo(route.kind, reason, route.actions, f"{type(exc).__name__}: {exc}", exc)
