"""What the visit knows and where it stands: the screens, the numbered steps, and the visit's record.

The record holds everything the kiosk learnt about the citizen in front of it; `wipe_array` and
`wipe_result` zero its pixels in place at reset, so nothing of the visit lingers in memory.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from kiosk.flow.errors import ErrorInfo
    from kiosk.identity import CardData, FaceDecision
    from kiosk.pipeline.visit_pipeline import CertifiedCopy, ReprintedCopy
    from ocr import PageQuality, PageResult
    from signing.model import Verification


class Screen(StrEnum):
    attract = "attract"
    card = "card"
    face = "face"
    scan = "scan"
    review = "review"
    payment = "payment"  # the VietQR of the fee, while the backend is asked whether it was paid
    ticket = "ticket"  # a queue ticket printed: go to the counter it names
    processing = "processing"
    printing = "printing"
    done = "done"
    error = "error"
    check_copy = "check_copy"
    check_result = "check_result"
    reprint = "reprint"
    maintenance_pin = "maintenance_pin"
    maintenance = "maintenance"
    # Issue 25: a device the visit needs is down: no visit starts, a queue ticket for the counter.
    out_of_service = "out_of_service"
    # Issue 25: the fee was paid but the copy (or its receipt) did not print: the code, and a slip to
    # collect the copy at the counter at no charge (kiosk.flow.print_step).
    collect = "collect"


class Service(StrEnum):
    certify = "certify"
    check = "check"
    reprint = "reprint"


# The numbered steps of a certification visit, in order: the screens of each step. "Step n of N" on the
# screens is derived from this one list, so a new step is one entry here.
VISIT_STEPS: tuple[tuple[Screen, ...], ...] = (
    (Screen.card,),
    (Screen.face,),
    (Screen.scan,),
    (Screen.review, Screen.payment),
    (Screen.processing, Screen.printing),
)

# Screens where the kiosk is working and the citizen has nothing to do: the idle timer does not run.
BUSY_SCREENS = frozenset({Screen.processing, Screen.printing})


def step_of(screen: Screen) -> tuple[int, int] | None:
    """(n, N) for a screen that is step n of the N steps of a visit; None for the others."""
    for number, screens in enumerate(VISIT_STEPS, 1):
        if screen in screens:
            return number, len(VISIT_STEPS)
    return None


@dataclass
class VisitRecord:
    """Everything the kiosk knows about the citizen in front of it. Wiped at reset."""

    language: str = "vi"
    service: Service | None = None
    voice: bool = False
    card: CardData | None = None
    card_image: np.ndarray | None = None  # the chip's portrait (DG2) if the chip was read, else the card
    identity_source: str = "qr"  # "chip" or "qr" (kiosk.identity.chip.kiosk_chip.check_chip)
    identity_flags: tuple[str, ...] = ()  # the chip's flagged outcomes (ChipCheck.flags), e.g. dg13_absent
    challenge: str = ""
    liveness: str = ""
    face: FaceDecision | None = None
    face_attempts: int = 0
    page_rejects: int = 0  # pages refused for their quality: after MAX_PAGE_REJECTS the counter helps
    frames: list[np.ndarray] = field(default_factory=list)
    pages: list[PageResult] = field(default_factory=list)
    page_quality: PageQuality | None = None  # the last rejected page's quality, for the rescan screen
    copies: int = 1
    delivery_email: str | None = None  # kiosk.services.delivery.set_delivery_email; optional
    metrics: Any = None  # kiosk.services.delivery.VisitClock, started at the first touch
    copy: CertifiedCopy | ReprintedCopy | None = None
    copy_printed: bool = False  # the A4 copy is out; a retry after a receipt fault prints the receipt only
    receipt_printed: bool = False  # the receipt is out too: the visit delivered everything it was paid for
    # Issue 25 walk W9: the receipt came out of another printer ("document_printer": the receipt printer
    # failed), and a "collect at the counter" slip printed that a later print made needless: the done screen
    # says both, so the citizen does not wait at the receipt slot nor queue with a void slip
    receipt_printed_on: str = ""
    void_slip: bool = False
    # Issue 25: kiosk.services.readiness.Readiness of the last device check that failed (out of service)
    readiness: Any = None
    idle_out_of_service: bool = False  # found by the check while the kiosk waited: no ticket, no visit
    collect: Any = None  # kiosk.flow.print_step.CollectState: a paid copy that did not print
    # Issue 25: a page scanned again by mistake, held until the citizen says keep or drop it:
    # (the page, the document-type guess, the index of the earlier page with the same content)
    pending_duplicate: tuple[Any, str, int] | None = None
    pending_duplicate_of: Any = None  # the earlier page the pending one repeats
    # (kept page, earlier page) for each repeated page the citizen chose to keep: its thumbnail says so
    kept_duplicates: list[tuple[Any, Any]] = field(default_factory=list)
    progress_stage: str = ""
    progress: float = 0.0
    verification: Verification | None = None
    # kiosk.copy_check.online_status.OnlineStatus of the checked copy (None: not asked)
    online_status: Any = None
    reprint_code: str = ""
    # What the citizen laid on the glass ("card", "pages", "copy", "receipt"): the start screen's reminder
    # after the visit names those things (issue 25 walk W4: a copy checked is not an ID card)
    laid_on_glass: set[str] = field(default_factory=set)
    reprint_qr_unread: str = ""  # "glass" / "camera": the receipt's QR held no code (typing stays)
    error: ErrorInfo | None = None
    error_return: Screen | None = None  # where "rescan"/"try again" leads
    temp_dir: Path | None = None

    doc_type_guess: str = ""  # what the pages read so far look like, for the review screen
    # The payment step (kiosk.flow.payment_step): the open payment, its result, the permit to print.
    payment_request: Any = None  # kiosk.services.payment.PaymentRequest
    payment: Any = None  # kiosk.services.payment.PaymentResult
    print_permit: Any = None  # kiosk.services.payment.PrintPermit, only once the backend said paid
    payment_stop: Any = None  # threading.Event that ends the wait for the payment
    payment_cash: bool = False
    queue_ticket: Any = None  # kiosk.services.queue_ticket.QueueTicket
    staff_call: Any = None  # kiosk.services.staff_call.StaffCall, while a call is open

    @property
    def doc_type(self) -> str:
        first = self.pages[0] if self.pages else None
        return str(
            getattr(self.copy, "doc_type", "")
            or self.doc_type_guess
            or getattr(first, "doc_type", "")
            or "other"
        )


def wipe_array(value: Any) -> None:
    """Zero a numpy buffer in place so the pixels do not linger in memory after the visit."""
    fill = getattr(value, "fill", None)
    flags = getattr(value, "flags", None)
    if fill is not None and flags is not None and getattr(flags, "writeable", False):
        with contextlib.suppress(Exception):
            fill(0)


def wipe_result(value: Any) -> None:
    """Wipe whatever images a late task result holds (tuples, lists, objects with an `image`)."""
    if isinstance(value, (tuple, list)):
        for item in value:
            wipe_result(item)
        return
    wipe_array(value)
    wipe_array(getattr(value, "image", None))
