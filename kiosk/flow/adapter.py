"""`PipelineServices`: the flow's `VisitServices` over the real `VisitPipeline` and devices.

The UI (with Qt workers), `kiosk demo` and `kiosk certify` (with `ImmediateRunner`) all drive `VisitFlow`
through this one adapter. Its calls block; each device has one lock, so a preview frame and a face check
never talk to the camera at the same time. Face work may be handed to a `FaceWorker` (the UI's face
process), so dlib never holds the GIL of the process that draws the screens.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.app import KioskApp, private_tmp_dir
from kiosk.copy_check.online_status import online_status
from kiosk.copy_check.verify import verify_copy
from kiosk.errors import BadInputError
from kiosk.flow.contracts import FaceBox, FaceWorker, Report
from kiosk.pipeline.visit_pipeline import CertifiedCopy, ReprintedCopy, VisitData, VisitPipeline
from kiosk.services import duplicate_page
from kiosk.services.collect import Collect, SlipPrinter, collect_slip
from kiosk.services.readiness import Readiness, check_devices
from kiosk.services.reprint import BackendCopies, CopySource, HolderReprint, code_from_qr
from ocr import classify
from ocr.barcodes import decode_qr_codes
from offline_sync.runner import open_client
from offline_sync.uncollected import UncollectedBook

if TYPE_CHECKING:
    import numpy as np

    from drivers.base import Receipt
    from kiosk.copy_check.online_status import OnlineStatus
    from kiosk.flow.record import VisitRecord
    from kiosk.identity import CardData, FaceDecision, FaceVerifier
    from kiosk.identity.chip.kiosk_chip import ChipCheck
    from kiosk.services.payment import PaymentService
    from kiosk.services.queue_ticket import QueueTicketService
    from kiosk.services.staff_call import StaffCallService
    from ocr import PageResult
    from signing.model import Verification


class PipelineServices:
    """`kiosk.flow.VisitServices` over a `VisitPipeline` (see the module doc)."""

    def __init__(
        self,
        pipeline: Callable[[], VisitPipeline],
        face: Callable[[], FaceVerifier],
        *,
        fee_per_page_vnd: int,
        scanner_dpi: int,
        face_process: FaceWorker | None = None,
    ) -> None:
        self._pipeline = pipeline
        self._face = face
        self._fee_per_page_vnd = int(fee_per_page_vnd)
        self.scanner_dpi = int(scanner_dpi)
        self.face_process = face_process
        self.copy_job: object = None  # the last A4 print job (the CLI reports where the copy went)
        # Optional parts of a visit (kiosk.flow.payment_step): None = the visit goes without them.
        self.payments: PaymentService | None = None
        self.tickets: QueueTicketService | None = None
        self.staff_calls: StaffCallService | None = None
        # `kiosk run` with [payment] mode "vietqr": nothing prints unpaid, even without `payments`.
        self.payment_required = False
        # The holder's reprint: the backend's copies after local retention, and a private work folder.
        self.backend_copies: Callable[[], CopySource] | None = None
        self.work_dir: Path | None = None
        # kiosk.copy_check.online_status.online_status
        self.status_lookup: Callable[[str], OnlineStatus] | None = None
        self.camera_lock = threading.Lock()
        self.scanner_lock = threading.Lock()
        # Issue 25: the paid copies that did not print (marked, listed, reprinted free); set by `of`.
        self.collect: Collect | None = None
        self.authority = ""

    @classmethod
    def of(cls, app: KioskApp, face_process: FaceWorker | None = None) -> PipelineServices:
        """The services of the composition root's pipeline (built on first use)."""
        services = cls(
            lambda: app.pipeline,
            lambda: app.face,
            fee_per_page_vnd=app.config.kiosk.fee_per_page_vnd,
            scanner_dpi=app.config.devices.scanner.dpi,
            face_process=face_process,
        )
        config = app.config
        if config.sync.backend_url:

            def backend_copies() -> CopySource:
                return BackendCopies(open_client(config.sync, config.path))

            services.backend_copies = backend_copies
        services.work_dir = private_tmp_dir(app)
        if config.sync.public_url:
            services.status_lookup = lambda code: online_status(config.sync, code)
        services.authority = config.kiosk.authority
        services.collect = Collect(
            book=lambda: UncollectedBook(app.store.local),
            copy_pdf=services.kept_pdf,
            document_printer=lambda: app.devices.document_printer,
            print_slip=services.print_slip,  # the missing receipt, on whatever printer works (walk W12)
            authority=config.kiosk.authority,
        )
        return services

    @property
    def pipeline(self) -> VisitPipeline:
        return self._pipeline()

    @property
    def fee_per_page_vnd(self) -> int:
        return self._fee_per_page_vnd

    # -- card and face ----------------------------------------------------------------------------
    def scan_card(self) -> np.ndarray:
        pipeline = self.pipeline
        pipeline.stage.prompted("card")
        with self.scanner_lock:
            return pipeline.devices.scanner.scan()

    def read_card(self, image: np.ndarray) -> CardData:
        return self.pipeline.read_card(image)

    def read_chip(self, card: CardData) -> ChipCheck:
        return self.pipeline.read_chip(card)

    def draw_challenge(self) -> str:
        return self.pipeline.draw_challenge()

    def capture_frames(self, count: int, challenge: str) -> list[np.ndarray]:
        """Frames taken while the citizen performs `challenge`, plus `count` for the face comparison."""
        with self.camera_lock:
            return self.pipeline.capture_challenge(challenge, count, watch=self.face_process is None)

    def check_liveness(self, challenge: str, frames: Sequence[np.ndarray]) -> str:
        """`passed:<challenge>`, or LivenessError (a NegativeVerdict) with the reason."""
        if self.face_process is None:
            return self.pipeline.check_liveness(challenge, frames)
        return self.pipeline.liveness_verdict(challenge, self.face_process.liveness(challenge, frames))

    def verify_face(self, card_image: np.ndarray, frames: Sequence[np.ndarray]) -> FaceDecision:
        if self.face_process is None:
            return self.pipeline.verify_face(card_image, frames)
        return self.pipeline.face_decided(self.face_process.verify(card_image, frames))

    # -- document ---------------------------------------------------------------------------------
    def scan_page(self) -> np.ndarray:
        with self.scanner_lock:
            return self.pipeline.scan_page_image()

    def read_page(self, image: np.ndarray) -> PageResult:
        return self.pipeline.read_page(image, dpi=self.scanner_dpi)

    def classify_document(self, texts: list[str]) -> str:
        return str(classify("\f".join(texts)))

    def certify(self, visit: VisitRecord, progress: Report) -> CertifiedCopy:
        if visit.card is None or visit.face is None:
            raise BadInputError("the visit has no identified citizen yet", key="error.no_identity")
        data = VisitData(
            card=visit.card,
            face=visit.face,
            pages=list(visit.pages),
            card_image=visit.card_image,
            liveness=visit.liveness or "not_checked",
            copies=visit.copies,
            language=visit.language,
            delivery_email=visit.delivery_email,
            metrics=visit.metrics,
            identity_source=visit.identity_source,
            identity_flags=visit.identity_flags,
        )
        return self.pipeline.certify(data, progress)

    def print_copy(self, copy: CertifiedCopy, copies: int) -> object:
        self.copy_job = self.pipeline.print_copy(copy, copies)
        return self.copy_job

    def print_receipt(self, copy: CertifiedCopy, **paid: object) -> object:
        return self.pipeline.print_receipt(copy, **paid)  # type: ignore[arg-type]

    # -- reprint and check ------------------------------------------------------------------------
    def reprint(self, code: str) -> ReprintedCopy:
        return self.pipeline.reprint(code)

    def reprint_for_holder(
        self, code: str, card: CardData, card_image: np.ndarray, frames: Sequence[np.ndarray]
    ) -> ReprintedCopy:
        """Print a kept (or, after retention, the backend's) copy again for its holder only: the card's ID
        is the record's and the live face matches the card (kiosk.services.reprint.HolderReprint)."""
        pipeline = self.pipeline
        checker = HolderReprint(
            pipeline.store,
            face_verify=self.verify_face,
            verify_pdf=lambda data: verify_copy(data, pipeline.trust(), subject=code),
            backend=self.backend_copies,
            work_dir=self.work_dir or Path(tempfile.gettempdir()),
        )
        allowed = checker.authorize(code, card, card_image, frames)
        try:
            job = pipeline.devices.document_printer.print_pdf(allowed.pdf, copies=1, title=allowed.code)
        finally:
            if allowed.source == "backend":
                allowed.pdf.unlink(missing_ok=True)
        return ReprintedCopy(allowed.code, allowed.pdf, job, allowed.doc_type, allowed.pages)

    def scan_copy(self) -> np.ndarray:
        with self.scanner_lock:
            return self.pipeline.scan_copy()

    def check_copy(self, image: np.ndarray) -> Verification:
        return self.pipeline.check_copy(image)

    def photo_copy(self) -> np.ndarray:
        """A still of the printed copy the citizen holds up to the camera."""
        pipeline = self.pipeline
        pipeline.stage.prompted("copy_photo")
        with self.camera_lock:
            return pipeline.devices.camera.read()

    def copy_status(self, code: str) -> OnlineStatus | None:
        """The copy's post-check status from the city's public listener (None: no listener configured)."""
        return self.status_lookup(code) if self.status_lookup is not None else None

    # -- issue 25: can the kiosk finish, and a paid copy that did not print ----------------------------
    def check_devices(self, roles: tuple[str, ...]) -> Readiness:
        """The devices a visit needs, asked now (kiosk.services.readiness); recorded for the heartbeat."""
        return check_devices(self.pipeline.devices, roles)

    def print_slip(self, receipt: Receipt) -> str:
        """A receipt, ticket or slip on whatever printer works; names the printer (DeviceError: none)."""
        devices = self.pipeline.devices
        return SlipPrinter(devices.receipt_printer, devices.document_printer, self.work_dir).print_slip(
            receipt
        )

    def receipt_of(self, copy: CertifiedCopy, **paid: object) -> Receipt:
        return self.pipeline.receipt_of(copy, **paid)  # type: ignore[arg-type]

    def collect_slip(
        self, receipt: Receipt | None, reference: str, amount_vnd: int, copies: int, language: str
    ) -> Receipt:
        return collect_slip(
            receipt,
            reference=reference,
            amount_vnd=amount_vnd,
            copies=copies,
            authority=self.authority,
            language=language,
        )

    def kept_pdf(self, code: str) -> Path | None:
        """The PDF of a copy this kiosk keeps (None: unknown, or purged)."""
        record = self.pipeline.store.get_record(code)
        path = Path(record.pdf_path) if record is not None and record.pdf_path else None
        return path if path is not None and path.is_file() else None

    def find_duplicate(self, page: PageResult, earlier: Sequence[PageResult]) -> int | None:
        """The earlier page with the same content as `page` (kiosk.services.duplicate_page), or None."""
        return duplicate_page.find_duplicate(page, earlier)

    # -- issue 25: reprint by the receipt's QR --------------------------------------------------------
    def scan_receipt(self) -> np.ndarray:
        """The receipt laid on the glass (the simulated glass lays the newest copy, whose seal names it)."""
        pipeline = self.pipeline
        pipeline.stage.prompted("copy")
        with self.scanner_lock:
            return pipeline.devices.scanner.scan()

    def photo_receipt(self) -> np.ndarray:
        """The receipt held up to the camera."""
        pipeline = self.pipeline
        pipeline.stage.prompted("copy_photo")
        with self.camera_lock:
            return pipeline.devices.camera.read()

    def receipt_code(self, image: np.ndarray) -> str:
        """The copy code in the receipt's lookup QR (or a copy's seal); UnknownCodeError when none."""
        return code_from_qr(decode_qr_codes(image))

    # -- the live preview on the face screen --------------------------------------------------------
    def preview_frame(self) -> tuple[np.ndarray, FaceBox | None]:
        """One camera frame and the box of the largest face in it (left, top, width, height) or None."""
        with self.camera_lock:
            frame = self.pipeline.devices.camera.read()
        return frame, self.face_box(frame)

    def face_box(self, frame: np.ndarray) -> FaceBox | None:
        if self.face_process is not None:
            return self.face_process.face_box(frame)
        face = self._face().analyse_frame(frame, encode=False)
        box = getattr(face, "box", None)
        if box is None:
            return None
        return int(box.left), int(box.top), int(box.width), int(box.height)
