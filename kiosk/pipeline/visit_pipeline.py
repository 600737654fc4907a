"""The visit's steps, shared by the headless CLI (`kiosk certify`, `kiosk demo`) and the Qt screens.

Each step is a plain method that may take seconds (device I/O, OCR, face work, signing); the UI runs them
on workers, never on the GUI thread. Errors are kiosk.errors types with a citizen message key, so every
caller can show a way forward. A record is stored only when the signed copy exists, and the copy is
stored before it is printed, so a printer fault never loses a citizen's copy: it can be reprinted by code.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import numpy as np

from drivers.base import Receipt
from kiosk.copy_check.verify import ocr_words, verify_copy
from kiosk.errors import (
    BadInputError,
    KioskError,
    NegativeVerdict,
    RescanNeeded,
    UnavailableError,
    UnknownCodeError,
)
from kiosk.identity import read_card
from kiosk.identity.chip.kiosk_chip import check_chip
from kiosk.identity.liveness import (
    Challenge,
    LivenessChecker,
    LivenessError,
    LivenessState,
    check_challenge,
    draw_challenge,
)
from kiosk.pipeline.copy_fields import copy_fields, low_confidence_words
from kiosk.runtime.logs import mask_id, register_sensitive
from kiosk.services.delivery import new_retrieval
from ocr import classify, document_marks, extract_fields
from offline_sync.store import RecordIn
from signing.certify import issue_certified_copy
from signing.code import is_valid_code, normalize_code
from signing.errors import SigningError
from signing.model import CopyMeta, CopyPage, TextWord

if TYPE_CHECKING:
    from drivers.build import Devices
    from kiosk.audit import AuditLog
    from kiosk.config import KioskConfig
    from kiosk.identity import CardData, FaceDecision, FaceVerifier
    from kiosk.identity.chip.kiosk_chip import ChipCheck
    from kiosk.identity.liveness import LivenessResult
    from kiosk.pipeline.store import KioskStore
    from ocr import OcrEngine, PageResult
    from signing.keys import SealSigner
    from signing.model import Verification
    from signing.trust import TrustStore

log = logging.getLogger(__name__)

Progress = Callable[[str, float], None]
# The receipt in the visit's language (issue 25); it names the kiosk's buttons as the screens do.
RECEIPT_TEXT = {
    "vi": {
        "title": "BIÊN NHẬN CHỨNG THỰC BẢN SAO",
        "code": "Mã: {code}",
        "pages": "Số trang: {pages}",
        "time": "Thời gian: {time}",
        "check": "Kiểm tra bản sao: bấm “Kiểm tra bản sao chứng thực” tại kiosk",
        "reprint": "In lại: bấm “In lại bản sao” tại kiosk, mang theo CCCD",
    },
    "en": {
        "title": "RECEIPT: CERTIFIED COPY",
        "code": "Code: {code}",
        "pages": "Pages: {pages}",
        "time": "Time: {time}",
        "check": "To check the copy: press “Check a certified copy” at the kiosk",
        "reprint": "To reprint: press “Reprint a copy” at the kiosk, with your ID card",
    },
}
# Vietnam keeps one time zone, UTC+7, with no daylight saving: what the citizen's receipt shows.
VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")
# A challenge reads at most this many frames (about 6 s at 15 fps) before its time limit decides.
MAX_CHALLENGE_FRAMES = 90


class Stage(Protocol):
    """Who and what is in front of the kiosk's sensors, told what the screen asks of the citizen.

    A real kiosk's stage does nothing: the citizen acts. The simulated glass lays a sample of the asked
    kind and the simulated citizen performs the challenge (`KioskApp` is the stage of the composition root).
    """

    def prompted(self, item: str) -> None: ...  # "card", "document" or "copy" asked on the glass

    # A liveness challenge asked; the frames its performance takes when the performer is simulated.
    def challenged(self, challenge: str) -> int | None: ...


class NoStage:
    """The stage of a kiosk with real sensors: nobody to tell."""

    def prompted(self, item: str) -> None:
        return None

    def challenged(self, challenge: str) -> int | None:
        return None


T = TypeVar("T")
Lazy = Callable[[], T]  # a collaborator loaded on first use (face models, keys), from the composition root


@dataclass
class VisitData:
    """What one citizen's visit has gathered so far; dropped at reset."""

    card: CardData
    face: FaceDecision
    pages: list[PageResult]
    card_image: np.ndarray | None = None
    liveness: str = "not_checked"
    copies: int = 1
    # Issue 17: the visit's language, the optional delivery address, and a kiosk.services.delivery.VisitClock.
    language: str = "vi"
    delivery_email: str | None = None
    metrics: Any = None
    # Issue 18: "chip" when the chip was read and authenticated (the face was checked against DG2), "qr"
    # when the visit went on from the card's QR (no reader, no chip): the post-check queue flags it.
    identity_source: str = "qr"
    # The chip's flagged outcomes (kiosk.identity.chip.kiosk_chip.ChipCheck.flags), e.g. "dg13_absent"
    # (a CCCD chip without DG13: the card's name checked against its MRZ only); the record carries them.
    identity_flags: tuple[str, ...] = ()
    # Issue 22: key fields the citizen confirmed or corrected on the review screen (ocr.doctypes names);
    # they win over the OCR reading in the copy's seal.
    confirmed_fields: dict[str, str] | None = None


@dataclass(frozen=True)
class CertifiedCopy:
    code: str
    pdf_path: Path
    doc_type: str
    pages: int
    seal: str
    issued_at: datetime
    fields: dict[str, str] = field(default_factory=dict)
    # What the receipt prints so the holder can download the copy again (the record keeps only its hash).
    retrieval: Any = field(default=None, repr=False)
    language: str = "vi"  # the visit's: the receipt is printed in it (issue 25)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "pdf": str(self.pdf_path),
            "doc_type": self.doc_type,
            "pages": self.pages,
            "issued_at": self.issued_at.isoformat(),
        }


@dataclass(frozen=True)
class ReprintedCopy:
    """A copy this kiosk keeps, printed again for its holder."""

    code: str
    pdf_path: Path
    job: object = None
    doc_type: str = ""
    pages: int = 0


def _write_atomically(path: Path, data: bytes) -> None:
    """Write, fsync, then rename: a power cut leaves the old file or the new one, never half of it."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UnavailableError(
            f"cannot save the certified copy: {exc.strerror or exc}", key="error.disk", subject=str(path)
        ) from None


class VisitPipeline:
    """The steps of a visit over the collaborators that the composition root hands it.

    Heavy or fallible parts (the face models, the seal key, the trust store) come as `Lazy` providers, so
    building the pipeline loads nothing; the others are the objects themselves.
    """

    def __init__(
        self,
        *,
        settings: KioskConfig,
        devices: Devices,
        ocr: OcrEngine,
        face: Lazy[FaceVerifier],
        signer: Lazy[SealSigner],
        trust: Lazy[TrustStore],
        store: KioskStore,
        audit: AuditLog,
        copies_dir: Path,
        stage: Stage | None = None,
        chip_trust: Lazy[list[Any]] | None = None,
    ) -> None:
        self.settings = settings
        self.chip_trust = chip_trust or (lambda: [])
        self.devices = devices
        self.ocr = ocr
        self.face = face
        self.signer = signer
        self.trust = trust
        self.store = store
        self.audit = audit
        self.copies_dir = copies_dir
        self.stage: Stage = stage or NoStage()

    # -- identify ---------------------------------------------------------------------------------
    def scan_card(self) -> tuple[np.ndarray, CardData]:
        """Scan whatever lies on the glass and read it as a CCCD card."""
        self.stage.prompted("card")
        image = self.devices.scanner.scan()
        return image, self.read_card(image)

    def read_card(self, image: np.ndarray) -> CardData:
        card = read_card(image)
        register_sensitive(card.full_name, card.id_number, *([card.old_id] if card.old_id else []))
        log.info("card read: holder %s", card.masked_id())
        return card

    def read_chip(self, card: CardData) -> ChipCheck:
        """Read and authenticate the chip of the card whose QR gave ``card`` (kiosk.identity.chip): its
        DG2 portrait is then what the face is checked against. Goes on from the QR, flagged, without a
        reader or a chip; refuses (ChipRefused, NegativeVerdict) a chip that fails authentication or
        disagrees with the QR."""
        check = check_chip(
            getattr(self.devices, "chip_reader", None), card, self.chip_trust, self.settings.identity
        )
        log.info("identity from the %s %s", check.identity_source, check.qr_only_reason or "")
        return check

    # -- face -------------------------------------------------------------------------------------
    def draw_challenge(self) -> str:
        """A random liveness challenge, e.g. ``turn_left+blink``."""
        return draw_challenge(steps=int(self.settings.identity.liveness_steps)).name

    def capture_challenge(
        self, challenge: str, extra_frames: int = 3, *, watch: bool = True
    ) -> list[np.ndarray]:
        """Frames taken while the citizen performs `challenge`, then `extra_frames` for the face check.

        The one capture loop of the kiosk. The camera is read at its own pace until the challenge is
        done (`watch`: a liveness checker follows the frames here) or its time is up: the configured time
        limit, or about 2.5 s a step when the frames are judged elsewhere (the UI's face process). A
        simulated citizen is asked to perform the challenge and its performance bounds the frames read.
        """
        camera = self.devices.camera
        identity = self.settings.identity
        frames: list[np.ndarray] = []
        if challenge:
            parsed = Challenge.parse(challenge)
            performance = self.stage.challenged(challenge)
            checker = LivenessChecker(identity, challenge=parsed) if watch else None
            window = float(identity.liveness_time_limit_s)
            if checker is None and performance is None:
                window = min(window, 2.5 * max(len(parsed.steps), 1))
            limit = (
                min(MAX_CHALLENGE_FRAMES, performance) if performance is not None else MAX_CHALLENGE_FRAMES
            )
            deadline = time.monotonic() + window
            while time.monotonic() < deadline and len(frames) < limit:
                frame = camera.read()
                frames.append(frame)
                if checker is not None and checker.feed_frame(frame).state is not LivenessState.pending:
                    break
        frames.extend(camera.read() for _ in range(extra_frames))
        return frames

    def check_liveness(self, challenge: str, frames: Sequence[np.ndarray]) -> str:
        """``passed:<challenge>`` for the record, or LivenessError (a NegativeVerdict) with the reason."""
        return self.liveness_verdict(challenge, check_challenge(challenge, frames, self.settings.identity))

    def liveness_verdict(self, challenge: str, result: LivenessResult) -> str:
        """What the record keeps for a checked challenge, wherever it was checked; LivenessError if failed."""
        if not result.passed:
            raise LivenessError(
                f"liveness challenge {challenge} not passed: {result.reason}",
                reason=result.reason or "failed",
            )
        return result.record()

    def verify_face(self, card_image: np.ndarray, frames: Sequence[np.ndarray]) -> FaceDecision:
        return self.face_decided(self.face().verify(card_image, frames))

    def face_decided(self, decision: FaceDecision) -> FaceDecision:
        """Log a face decision, wherever it was computed (here or in the screen's face process)."""
        log.info(
            "face decision: match=%s distance=%.3f frames=%d",
            decision.match,
            decision.distance,
            decision.frames_used,
        )
        return decision

    # -- document ---------------------------------------------------------------------------------
    def scan_page(self) -> PageResult:
        return self.read_page(self.scan_page_image(), dpi=self.settings.devices.scanner.dpi)

    def scan_page_image(self) -> np.ndarray:
        self.stage.prompted("document")
        return self.devices.scanner.scan()

    def read_page(self, image: np.ndarray, dpi: int = 300) -> PageResult:
        return self.ocr.read_page(image, dpi=dpi)

    # -- certify ----------------------------------------------------------------------------------
    def certify(self, visit: VisitData, progress: Progress | None = None) -> CertifiedCopy:
        """Classify, code, render, seal, sign, save and record one certified copy."""
        report = progress or (lambda _step, _fraction: None)
        if not visit.face.match:
            raise NegativeVerdict(
                "the face does not match the card portrait",
                key="error.face_mismatch",
                detail=f"distance {visit.face.distance:.3f}",
            )
        if not visit.pages:
            raise BadInputError("no page was scanned", key="error.no_pages")
        for number, page in enumerate(visit.pages, 1):
            if not page.quality.ok:
                raise RescanNeeded(
                    f"page {number} cannot be read: {page.quality.message_en}",
                    reason=page.quality.reason or "unreadable",
                    key=f"rescan.{page.quality.reason}",
                )

        report("classify", 0.1)
        text = "\f".join(page.text for page in visit.pages)
        doc_type = classify(text)
        fields = extract_fields(doc_type, text)
        fields.update(document_marks(visit.pages))  # seal/signature present: for the officer's post-check
        low_words = low_confidence_words(visit.pages)

        report("code", 0.2)
        config = self.settings
        code = self.store.next_code()
        issued_at = datetime.now(UTC).replace(microsecond=0)
        sealed = copy_fields(doc_type, [page.text for page in visit.pages], visit.confirmed_fields)
        meta = CopyMeta(
            code=code,
            issued_at=issued_at,
            authority=config.kiosk.authority,
            kiosk_id=config.kiosk.id,
            doc_type=doc_type,
            holder_masked_id=visit.card.masked_id(),
            watermark_text=config.signing.watermark_text,
            # What a checker compares with the paper; the seal carries them (signing.seal).
            holder_name=visit.card.full_name,
            doc_number=fields.get("document_number", ""),
            doc_date=fields.get("issue_date", ""),
            fields=sealed.fields,
            field_pages=sealed.field_pages,
            verify_base_url=config.kiosk.verify_base_url or config.sync.public_url,
            access_token=sealed.access_token,
        )
        pages = [
            CopyPage(
                image=page.image,
                dpi=page.dpi,
                words=tuple(TextWord(w.text, w.left, w.top, w.width, w.height) for w in page.words if w.text),
            )
            for page in visit.pages
        ]
        # Issue 24: the record's fields are the sealed ones, exactly (the city refuses any other); what OCR
        # read (its key fields before the citizen's confirmation, the other fields, the seal/signature
        # marks) and the words it was unsure of travel apart, shown to the officer as OCR.
        sealed_fields = meta.seal_fields()
        ocr_fields = {**sealed.read, **fields}

        report("sign", 0.35)
        try:
            issued = issue_certified_copy(pages, meta, self.signer())
        except SigningError as exc:
            raise UnavailableError(
                f"the copy cannot be signed: {exc}", key="error.signing_unavailable"
            ) from None

        self.audit.record("key.used", code=code, purpose="certified_copy", pages=len(pages))
        report("save", 0.8)
        self.copies_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        pdf_path = self.copies_dir / f"{code}.pdf"
        _write_atomically(pdf_path, issued.pdf)
        # The retrieval secret is printed on the receipt; only its hash is kept.
        retrieval = new_retrieval(code, config.sync.public_url)
        record = RecordIn(
            code=code,
            created_at=issued_at,
            kiosk_id=config.kiosk.id,
            doc_type=doc_type,
            pages=len(pages),
            pdf_path=str(pdf_path),
            pdf_sha256=hashlib.sha256(issued.pdf).hexdigest(),
            holder_id=visit.card.id_number,
            holder_name=visit.card.full_name,
            ocr_text=text,
            fields=sealed_fields,
            ocr_fields=ocr_fields,
            ocr_low_words=low_words,
            face_match=visit.face.match,
            face_distance=float(visit.face.distance),
            face_threshold=visit.face.threshold,
            liveness=visit.liveness,
            language="en" if visit.language == "en" else "vi",
            delivery_email=visit.delivery_email,
            retrieval_hash=retrieval.hash,
            visit_metrics=(
                visit.metrics.metrics(ward=config.sync.ward, pages=len(pages)) if visit.metrics else None
            ),
            identity_source=visit.identity_source,
            identity_flags=list(visit.identity_flags) or None,
            access_token_sha256=sealed.access_token_sha256,
            # Issue 25: the e-mail carries the secret too, so it travels (sealed) only when one was given.
            retrieval_secret_for_email=retrieval.secret if visit.delivery_email else None,
        )
        try:
            self.store.add_record(record)
        except KioskError:
            pdf_path.unlink(missing_ok=True)
            raise
        except OSError as exc:
            pdf_path.unlink(missing_ok=True)
            raise UnavailableError(f"cannot store the record: {exc}", key="error.disk") from None
        report("done", 1.0)
        log.info(
            "certified copy %s: %s, %d page(s), holder %s",
            code,
            doc_type,
            len(pages),
            mask_id(visit.card.id_number),
        )
        return CertifiedCopy(
            code, pdf_path, doc_type, len(pages), issued.seal, issued_at, fields, retrieval, visit.language
        )

    # -- print ------------------------------------------------------------------------------------
    def print_copy(self, copy: CertifiedCopy, copies: int = 1) -> object:
        return self.devices.document_printer.print_pdf(copy.pdf_path, copies=copies, title=copy.code)

    def print_receipt(
        self,
        copy: CertifiedCopy,
        *,
        copies: int | None = None,
        amount_vnd: int | None = None,
        payment_reference: str = "",
    ) -> object:
        """The receipt: the code, and for a paid visit the copies, the fee and the payment reference."""
        receipt = self.receipt_of(
            copy, copies=copies, amount_vnd=amount_vnd, payment_reference=payment_reference
        )
        self.devices.receipt_printer.print_receipt(receipt)
        return None

    def receipt_of(
        self,
        copy: CertifiedCopy,
        *,
        copies: int | None = None,
        amount_vnd: int | None = None,
        payment_reference: str = "",
    ) -> Receipt:
        """What the receipt of `copy` says (issue 25: also laid out as the "paid, copy to collect" slip)."""
        language = "en" if getattr(copy, "language", "vi") == "en" else "vi"
        text = RECEIPT_TEXT[language]
        lines = (
            self.settings.kiosk.authority,
            text["title"],
            text["code"].format(code=copy.code),
            text["pages"].format(pages=copy.pages),
            text["time"].format(time=f"{copy.issued_at.astimezone(VIETNAM_TIME):%d/%m/%Y %H:%M}"),
            text["check"],
            text["reprint"],
        )
        receipt = Receipt(
            language=language,
            code=copy.code,
            lines=lines,
            qr_data=copy.code,
            copies=copies,
            amount_vnd=amount_vnd,
            payment_reference=payment_reference,
            retrieval_secret=copy.retrieval.display if copy.retrieval else "",
            retrieval_url=copy.retrieval.url if copy.retrieval else "",
        )
        return receipt

    def reprint(self, code: str, copies: int = 1) -> ReprintedCopy:
        wanted = normalize_code(code)
        if not is_valid_code(wanted):
            raise UnknownCodeError(
                f"{code!r} is not a valid copy code (check the characters)", key="error.bad_code"
            )
        record = self.store.get_record(wanted)
        pdf_path = Path(record.pdf_path) if record is not None and record.pdf_path else None
        if pdf_path is None or not pdf_path.is_file():
            raise UnknownCodeError(f"no certified copy {wanted} is kept on this kiosk")
        assert record is not None  # a kept PDF has its record
        job = self.devices.document_printer.print_pdf(pdf_path, copies=copies, title=wanted)
        return ReprintedCopy(wanted, pdf_path, job, record.doc_type, record.pages)

    # -- check ------------------------------------------------------------------------------------
    def scan_copy(self) -> np.ndarray:
        """Scan a printed certified copy that the citizen laid on the glass, to check its seal."""
        self.stage.prompted("copy")
        return self.devices.scanner.scan()

    def check_copy(self, source: Path | bytes | np.ndarray) -> Verification:
        return verify_copy(source, self.trust(), read_words=ocr_words(lambda: self.ocr))
