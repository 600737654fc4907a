"""`kiosk certify` (a visit from files, without the screen) and `kiosk demo` (a visit on simulated devices)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.commands._common import CommandContext, add_common_options
from kiosk.config import KioskConfig
from kiosk.errors import BadInputError, KioskError, NegativeVerdict

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
    demo.add_argument("--doc-type", default="birth_certificate", help="the kind of sample document")
    demo.set_defaults(handler=run_demo)


def printing_to(config: KioskConfig, out: Path, *, simulated: bool = False) -> KioskConfig:
    """The same config with the A4 copy and the receipt going to files in `out` (and, for the demo,
    every device simulated)."""
    devices = config.devices
    update: dict[str, Any] = {
        "document_printer": devices.document_printer.model_copy(
            update={"type": "pdf_folder", "folder": str(out)}
        ),
        "receipt_printer": devices.receipt_printer.model_copy(
            update={"type": "simulated", "folder": str(out)}
        ),
    }
    if simulated:
        update["scanner"] = devices.scanner.model_copy(update={"type": "simulated"})
        update["camera"] = devices.camera.model_copy(update={"type": "simulated"})
    return config.model_copy(update={"devices": devices.model_copy(update=update)})


def _load(path: str, what: str) -> np.ndarray:
    from ocr import ImageError, load_image

    try:
        return load_image(Path(path))
    except ImageError as exc:
        raise BadInputError(f"{what} is not a usable image: {exc}", subject=path) from None


def _file_dpi(path: str, default: int = 300) -> int:
    """The resolution a scan was saved with, so the copy shows the page at its real size."""
    from PIL import Image

    try:
        with Image.open(path) as img:
            dpi = img.info.get("dpi")
    except Exception:
        return default
    if dpi and 100 <= float(dpi[0]) <= 1200:
        return round(float(dpi[0]))
    return default


def _printed_path(job: Any, fallback: Path) -> str:
    for attr in ("output_path", "path", "output"):
        value = getattr(job, attr, None)
        if value:
            return str(value)
    return str(fallback)


def run_certify(args: argparse.Namespace, ctx: CommandContext) -> int:
    from kiosk.app import KioskApp
    from kiosk.certify import VisitData

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.copies < 1:
        raise BadInputError("--copies must be at least 1")
    card_image = _load(args.card, "the card image")
    frames = [_load(p, "the live frame") for p in args.live]
    page_images = [(_load(p, "the document page"), _file_dpi(p), p) for p in args.document]

    with KioskApp(printing_to(ctx.config, out)) as app:
        pipeline = app.pipeline
        try:
            card = pipeline.read_card(card_image)
        except KioskError as exc:
            exc.subject = args.card  # the CLI names the input file, not the step
            raise
        face = pipeline.verify_face(card_image, frames)
        if not face.match:
            raise NegativeVerdict(
                f"the live face does not match the card portrait (distance {face.distance:.2f}, "
                f"{face.frames_used} frame(s) used){': ' + face.reason if face.reason else ''}",
                subject=args.card,
            )
        pages = []
        for image, dpi, path in page_images:
            page = pipeline.read_page(image, dpi=dpi)
            if not page.quality.ok:
                raise BadInputError(
                    f"page cannot be read ({page.quality.reason}): {page.quality.message_en}", subject=path
                )
            pages.append(page)
        visit = VisitData(
            card=card,
            face=face,
            pages=pages,
            card_image=card_image,
            liveness="not_checked: still images",
            copies=args.copies,
        )
        copy = pipeline.certify(visit)
        job = pipeline.print_copy(copy, copies=args.copies)
        payload = copy.to_json() | {
            "pdf": _printed_path(job, out / f"{copy.code}.pdf"),
            "stored_pdf": str(copy.pdf_path),
            "fields": copy.fields,
            "face": {
                "match": face.match,
                "distance": round(float(face.distance), 4),
                "frames_used": face.frames_used,
            },
            "holder": card.masked_id(),
            "record": {"code": copy.code, "database": str(app.store.path)},
        }
    ctx.emit(payload, f"certified copy {copy.code} ({copy.doc_type}, {copy.pages} page(s)): {payload['pdf']}")
    return 0


def run_demo(args: argparse.Namespace, ctx: CommandContext) -> int:
    from kiosk.app import KioskApp
    from kiosk.certify import VisitData

    out = Path(args.out) if args.out else ctx.config.data_dir / "demo"
    out.mkdir(parents=True, exist_ok=True)
    with KioskApp(printing_to(ctx.config, out, simulated=True)) as app:
        pipeline = app.pipeline
        glass = app.glass
        assert glass is not None  # the demo's scanner is simulated
        glass.set_document(args.doc_type, pages=args.pages)
        card_image, card = pipeline.scan_card()
        challenge = pipeline.draw_challenge()
        frames = pipeline.capture_challenge(challenge, extra_frames=3)
        liveness = pipeline.check_liveness(challenge, frames)
        face = pipeline.verify_face(card_image, frames[-3:])
        if not face.match:
            raise NegativeVerdict(f"the simulated face did not match (distance {face.distance:.2f})")
        pages = [pipeline.scan_page() for _ in range(args.pages)]
        copy = pipeline.certify(
            VisitData(card=card, face=face, pages=pages, card_image=card_image, liveness=liveness)
        )
        job = pipeline.print_copy(copy)
        pipeline.print_receipt(copy)
        receipt = getattr(app.devices.receipt_printer, "last_output", None)
        verdict = pipeline.check_copy(copy.pdf_path)
        payload = copy.to_json() | {
            "pdf": _printed_path(job, out / f"{copy.code}.pdf"),
            "stored_pdf": str(copy.pdf_path),
            "receipt": str(receipt) if receipt else None,
            "record": {"code": copy.code, "database": str(app.store.path)},
            "verified": {"valid": verdict.valid, "reason": verdict.reason},
            "face": {"match": face.match, "distance": round(float(face.distance), 4)},
            "liveness": liveness,
        }
    human = "\n".join(
        [
            f"Certified copy {copy.code} ({copy.doc_type}, {copy.pages} page(s))",
            f"  signed PDF (printed):  {payload['pdf']}",
            f"  receipt:               {payload['receipt']}",
            f"  record:                code {copy.code} in {payload['record']['database']}",
            f"  liveness:              {liveness}",
            f"  verification:          {'VALID' if verdict.valid else 'INVALID'} - {verdict.reason}",
        ]
    )
    ctx.emit(payload, human)
    return 0 if verdict.valid else 1
