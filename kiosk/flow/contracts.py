"""What the flow needs from the rest of the kiosk: the visit's services and a runner for their work.

`VisitServices` is the whole kiosk core as the flow sees it; `kiosk.flow.adapter.PipelineServices` is the
real one, the tests bring fakes. Every call may block for seconds, so the flow only makes them on a
`TaskRunner`: Qt workers in the UI (`ui.workers.QtRunner`), `ImmediateRunner` in tests and the CLI.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np

    from kiosk.flow.record import VisitRecord
    from kiosk.identity import CardData, FaceDecision, LivenessResult
    from kiosk.identity.chip.kiosk_chip import ChipCheck
    from kiosk.pipeline.visit_pipeline import CertifiedCopy, ReprintedCopy
    from ocr import PageResult
    from signing.model import Verification

Report = Callable[[str, float], None]
FaceBox = tuple[int, int, int, int]  # left, top, width, height


class VisitServices(Protocol):
    """The kiosk core as the flow sees it. Every call may block; the flow only calls them on a runner."""

    @property
    def fee_per_page_vnd(self) -> int: ...

    def scan_card(self) -> np.ndarray: ...
    def read_card(self, image: np.ndarray) -> CardData: ...
    def read_chip(self, card: CardData) -> ChipCheck: ...  # the chip, or a flagged QR-only identity
    def draw_challenge(self) -> str: ...  # e.g. "turn_left+blink"
    def capture_frames(self, count: int, challenge: str) -> list[np.ndarray]: ...
    def check_liveness(self, challenge: str, frames: Sequence[np.ndarray]) -> str: ...  # "passed:..."
    def verify_face(self, card_image: np.ndarray, frames: Sequence[np.ndarray]) -> FaceDecision: ...
    def scan_page(self) -> np.ndarray: ...
    def read_page(self, image: np.ndarray) -> PageResult: ...
    def classify_document(self, texts: list[str]) -> str: ...  # the doc_type the pages so far look like
    def certify(self, visit: VisitRecord, progress: Report) -> CertifiedCopy: ...
    def print_copy(self, copy: CertifiedCopy, copies: int) -> object: ...
    def print_receipt(self, copy: CertifiedCopy) -> object: ...
    def reprint(self, code: str) -> ReprintedCopy: ...
    # Refused (ReprintRefused) unless the card is the holder's and the live face is the card's.
    def reprint_for_holder(
        self, code: str, card: CardData, card_image: np.ndarray, frames: Sequence[np.ndarray]
    ) -> ReprintedCopy: ...
    def scan_copy(self) -> np.ndarray: ...  # a printed certified copy laid on the glass
    def check_copy(self, image: np.ndarray) -> Verification: ...
    def photo_copy(self) -> np.ndarray: ...  # a printed certified copy held up to the camera

    # Optional: def copy_status(self, code: str) -> OnlineStatus | None (kiosk.copy_check.online_status), the post-check
    # status for the check-a-copy result; without it the result says the seal's verdict only.


class FaceWorker(Protocol):
    """Face work done elsewhere (the UI's face process, so dlib never holds the GUI process's GIL)."""

    def liveness(self, challenge: str, frames: Sequence[np.ndarray]) -> LivenessResult: ...
    def verify(self, card_image: np.ndarray, frames: Sequence[np.ndarray]) -> FaceDecision: ...
    def face_box(self, frame: np.ndarray) -> FaceBox | None: ...


class TaskRunner(Protocol):
    def submit(
        self,
        name: str,
        work: Callable[[Report], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None],
        progress: Report | None = None,
    ) -> None: ...


class ImmediateRunner:
    """Runs each task at once on the caller's thread: for tests and the headless CLI."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def submit(
        self,
        name: str,
        work: Callable[[Report], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None],
        progress: Report | None = None,
    ) -> None:
        self.names.append(name)
        try:
            result = work(progress or (lambda stage, fraction: None))
        except Exception as exc:
            failed(exc)
            return
        done(result)
