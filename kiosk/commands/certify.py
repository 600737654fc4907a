"""`kiosk certify` (a visit from files, without the screen) and `kiosk demo` (a visit on simulated devices).

Both drive the one `VisitFlow` with `ImmediateRunner` (`kiosk.flow.headless.certify_visit`), over the same
`PipelineServices` as the screens; `kiosk certify` only swaps the scanner and camera for files.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from drivers.config import (
    PdfFolderPrinterConfig,
    SimulatedCameraConfig,
    SimulatedChipReaderConfig,
    SimulatedReceiptPrinterConfig,
    SimulatedScannerConfig,
)
from kiosk.app import KioskApp
from kiosk.commands._common import CommandContext, add_common_options, check_input_file, output_folder
from kiosk.config import KioskConfig
from kiosk.errors import BadInputError
from kiosk.flow import MAX_COPIES, ImmediateRunner, Screen, VisitFlow
from kiosk.flow.adapter import PipelineServices
from kiosk.flow.headless import certify_visit
from kiosk.identity.chip.kiosk_chip import SOURCE_QR, ChipCheck
from kiosk.services.demo_payment import demo_payments
from ocr import ImageError, load_image

if TYPE_CHECKING:
    from kiosk.identity import CardData
    from ocr import PageResult

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    certify = sub.add_parser("certify", help="certify a copy from image files, without the screen")
    add_common_options(certify)
    certify.add_argument("--card", required=True, metavar="CARD", help="image of the CCCD card front")
    certify.add_argument("--live", required=True, nargs="+", metavar="IMAGE", help="live camera frames")
    certify.add_argument("--document", required=True, nargs="+", metavar="PAGE", help="page images, in order")
    certify.add_argument("--out", required=True, metavar="DIR", help="folder the copy is 'printed' to")
    certify.add_argument("--copies", type=int, default=1, help="number of printed copies (default 1)")
    certify.set_defaults(handler=run_certify)

    demo = sub.add_parser("demo", help="one whole visit, headless, on simulated devices")
    add_common_options(demo)
    demo.add_argument(
        "--out", metavar="DIR", help="where the printed copy and receipt go (default: DATA/demo)"
    )
    demo.add_argument(
        "--pages", type=int, default=1, choices=range(1, 6), help="pages of the sample document"
    )
    demo.add_argument(
        "--copies", type=int, default=1, help=f"printed copies, 1 to {MAX_COPIES}; they set the fee"
    )
    demo.add_argument("--doc-type", default="birth_certificate", help="the kind of sample document")
    demo.set_defaults(handler=run_demo)


PRINTERS = ("document_printer", "receipt_printer")


def named_printers(config: KioskConfig) -> tuple[str, ...]:
    """The printers a config file names beyond the simulated profile's (a CUPS queue, an ESC/POS printer,
    a PDF or receipt folder of its own): `kiosk demo` prints on them, so a technician can try the whole
    visit on the real printer (issue 25)."""
    if config.source in ("", "<defaults>"):
        return ()
    defaults: dict[str, Any] = {
        "document_printer": PdfFolderPrinterConfig(),
        "receipt_printer": SimulatedReceiptPrinterConfig(),
    }
    named = []
    for role in PRINTERS:
        settings, default = getattr(config.devices, role), defaults[role]
        if settings.type != default.type or getattr(settings, "folder", None) != getattr(
            default, "folder", None
        ):
            named.append(role)
    return tuple(named)


def printing_to(
    config: KioskConfig, out: Path, *, simulated: bool = False, keep: tuple[str, ...] = ()
) -> KioskConfig:
    """The same config with the A4 copy and the receipt going to files in `out` (and, for the demo,
    every other device simulated); the printers in `keep` stay as configured."""
    devices = config.devices
    update: dict[str, Any] = {
        "document_printer": PdfFolderPrinterConfig(folder=str(out)),
        "receipt_printer": SimulatedReceiptPrinterConfig(
            folder=str(out), paper_mm=devices.receipt_printer.paper_mm
        ),
    }
    for role in keep:
        update.pop(role, None)
    if simulated:
        scanner, camera = devices.scanner, devices.camera
        update["scanner"] = SimulatedScannerConfig(dpi=scanner.dpi, timeout_s=scanner.timeout_s)
        update["camera"] = SimulatedCameraConfig(
            width=camera.width, height=camera.height, fps=camera.fps, timeout_s=camera.timeout_s
        )
        if devices.chip_reader.type != "none":  # the glass's card is the sample citizen's: so is the chip
            update["chip_reader"] = SimulatedChipReaderConfig(timeout_s=devices.chip_reader.timeout_s)
    return config.model_copy(update={"devices": devices.model_copy(update=update)})


def _load(path: str, what: str) -> np.ndarray:
    check_input_file(path, what)  # no FIFO, device, directory or huge file is ever read
    try:
        return load_image(Path(path))
    except ImageError as exc:
        raise BadInputError(f"{what} is not a usable image: {exc}", subject=path) from None


def _file_dpi(path: str, default: int = 300) -> int:
    """The resolution a scan was saved with, so the copy shows the page at its real size."""
    try:
        with Image.open(path) as img:
            dpi = img.info.get("dpi")
    except Exception:
        return default
    if dpi and 100 <= float(dpi[0]) <= 1200:
        return round(float(dpi[0]))
    return default


def _printed_path(job: object, fallback: Path) -> str:
    for attr in ("output_path", "path", "output"):
        value = getattr(job, attr, None)
        if value:
            return str(value)
    return str(fallback)


class FileVisit(PipelineServices):
    """The visit's services with the card, the live frames and the pages read from files.

    Still images cannot show a liveness challenge, so none is drawn and the record says so.
    """

    def __init__(
        self,
        app: KioskApp,
        card_image: np.ndarray,
        frames: list[np.ndarray],
        pages: list[tuple[np.ndarray, int, str]],
    ) -> None:
        super().__init__(
            lambda: app.pipeline,
            lambda: app.face,
            fee_per_page_vnd=app.config.kiosk.fee_per_page_vnd,
            scanner_dpi=app.config.devices.scanner.dpi,
        )
        self.card_image, self.frames = card_image, frames
        self._pages = iter(pages)
        self.page_dpi, self.page_path = self.scanner_dpi, ""

    def scan_card(self) -> np.ndarray:
        return self.card_image

    def read_chip(self, card: CardData) -> ChipCheck:
        """A card given as an image file has no chip here, unless a real reader holds the card: the
        simulated reader's chip is the demo citizen's, not this card's."""
        if self.pipeline.settings.devices.chip_reader.type == "simulated":
            return ChipCheck(SOURCE_QR, qr_only_reason="no_chip")
        return super().read_chip(card)

    def draw_challenge(self) -> str:
        return ""

    def capture_frames(self, count: int, challenge: str) -> list[np.ndarray]:
        return list(self.frames)

    def check_liveness(self, challenge: str, frames: Sequence[np.ndarray]) -> str:
        return "not_checked: still images"

    def scan_page(self) -> np.ndarray:
        image, self.page_dpi, self.page_path = next(self._pages)
        return image

    def read_page(self, image: np.ndarray) -> PageResult:
        return self.pipeline.read_page(image, dpi=self.page_dpi)


def _flow(app: KioskApp, services: PipelineServices, frames_per_check: int = 3) -> VisitFlow:
    def audit(event: str, data: dict[str, Any]) -> None:
        app.audit.record(event, **data)

    return VisitFlow(
        services,
        ImmediateRunner(),
        audit=audit,
        frames_per_check=frames_per_check,
        temp_root=app.folder("tmp"),
    )


def run_certify(args: argparse.Namespace, ctx: CommandContext) -> int:
    if not 1 <= args.copies <= MAX_COPIES:
        raise BadInputError(f"--copies must be between 1 and {MAX_COPIES}")
    out = output_folder(args.out)
    card_image = _load(args.card, "the card image")
    frames = [_load(p, "the live frame") for p in args.live]
    page_images = [(_load(p, "the document page"), _file_dpi(p), p) for p in args.document]

    with KioskApp(printing_to(ctx.config, out)) as app:
        services = FileVisit(app, card_image, frames, page_images)
        flow = _flow(app, services)
        inputs = {Screen.card: args.card, Screen.face: args.card}
        copy = certify_visit(
            flow,
            pages=len(page_images),
            copies=args.copies,
            subject=lambda screen: inputs.get(screen, services.page_path),
        )
        card, face = flow.visit.card, flow.visit.face
        assert card is not None  # the flow certifies identified citizens only
        assert face is not None
        payload = copy.to_json() | {
            "pdf": _printed_path(services.copy_job, out / f"{copy.code}.pdf"),
            "stored_pdf": str(copy.pdf_path),
            "fields": copy.fields,
            "face": {
                "match": face.match,
                "distance": round(float(face.distance), 4),
                "frames_used": face.frames_used,
            },
            "holder": card.masked_id(),
            "identity_source": flow.visit.identity_source,
            "record": {"code": copy.code, "database": str(app.store.path)},
        }
        flow.finish()
    ctx.emit(payload, f"certified copy {copy.code} ({copy.doc_type}, {copy.pages} page(s)): {payload['pdf']}")
    return 0


def run_demo(args: argparse.Namespace, ctx: CommandContext) -> int:
    if not 1 <= args.copies <= MAX_COPIES:
        raise BadInputError(f"--copies must be between 1 and {MAX_COPIES}")
    # --out prints to files there; without it, the printers a config names are used (else DATA/demo)
    keep = () if args.out else named_printers(ctx.config)
    out = output_folder(args.out if args.out else ctx.config.data_dir / "demo")
    config = printing_to(ctx.config, out, simulated=True, keep=keep)
    with KioskApp(config) as app, demo_payments(app) as paying:
        glass = app.glass
        assert glass is not None  # the demo's scanner is simulated
        glass.set_document(args.doc_type, pages=args.pages)
        services = PipelineServices.of(app)
        if app.config.payment.mode == "vietqr":
            paying.attach(services)  # pay by VietQR, confirmed through the (loopback) city backend
        flow = _flow(app, services)
        flow.subscribe(paying.pay_when_shown)  # the simulated citizen pays the QR on the screen
        flow.payment_timeout_s = app.config.payment.timeout_s
        copy = certify_visit(flow, pages=args.pages, copies=args.copies)
        fee, payment = flow.fee, flow.visit.payment
        face, liveness = flow.visit.face, flow.visit.liveness
        identity_source = flow.visit.identity_source
        assert face is not None
        receipt = getattr(app.devices.receipt_printer, "last_output", None)
        verdict = app.pipeline.check_copy(copy.pdf_path)
        payload = copy.to_json() | {
            "pdf": _printed_path(services.copy_job, out / f"{copy.code}.pdf")
            if "document_printer" not in keep
            else f"{getattr(services.copy_job, 'printer', 'document_printer')} job {getattr(services.copy_job, 'job_id', '?')}",
            "stored_pdf": str(copy.pdf_path),
            "receipt": (str(receipt) if receipt else None)
            if "receipt_printer" not in keep
            else f"printed on {app.config.devices.receipt_printer.type}",
            "record": {"code": copy.code, "database": str(app.store.path)},
            "verified": {"valid": verdict.valid, "reason": verdict.reason},
            "face": {"match": face.match, "distance": round(float(face.distance), 4)},
            "liveness": liveness,
            "identity_source": identity_source,
            "fee_vnd": fee.total_vnd,
            "fee": fee.to_json(),
            "payment": payment.to_json() if payment is not None else None,
            "printers": {role: ("configured" if role in keep else "files") for role in PRINTERS},
        }
        flow.finish()
    human = "\n".join(
        [
            f"Certified copy {copy.code} ({copy.doc_type}, {copy.pages} page(s))",
            f"  fee:                   {fee.total_vnd} VND, {payload['payment']}",
            f"  signed PDF (printed):  {payload['pdf']}",
            f"  receipt:               {payload['receipt']}",
            f"  record:                code {copy.code} in {payload['record']['database']}",
            f"  liveness:              {liveness}",
            f"  identity from:         {identity_source}",
            f"  verification:          {'VALID' if verdict.valid else 'INVALID'} - {verdict.reason}",
        ]
    )
    ctx.emit(payload, human)
    return 0 if verdict.valid else 1
