"""`kiosk reprint CODE --card CARD --live IMAGE... --out DIR --json`: a reprint for the copy's holder only."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from drivers.config import PdfFolderPrinterConfig
from kiosk.app import KioskApp, private_tmp_dir
from kiosk.commands._common import CommandContext, add_common_options, load_image_file, output_folder
from kiosk.config import KioskConfig
from kiosk.copy_check.verify import verify_copy
from kiosk.errors import KioskError
from kiosk.identity import read_card
from kiosk.services.reprint import BackendCopies, HolderReprint
from offline_sync.runner import open_client


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("reprint", help="print a copy again, for its holder only (card + live face)")
    add_common_options(parser)
    parser.add_argument("code", metavar="CODE", help="the identity code printed on the copy")
    parser.add_argument("--card", required=True, metavar="CARD", help="image of the holder's CCCD card")
    parser.add_argument("--live", required=True, nargs="+", metavar="IMAGE", help="live camera frames")
    parser.add_argument("--out", required=True, metavar="DIR", help="folder the copy is 'printed' to")
    parser.set_defaults(handler=run_reprint)


def _to_folder(config: KioskConfig, out: Path) -> KioskConfig:
    devices = config.devices
    printer = PdfFolderPrinterConfig(folder=str(out))
    return config.model_copy(update={"devices": devices.model_copy(update={"document_printer": printer})})


def _load(path: str, what: str) -> np.ndarray:
    return load_image_file(path, what)  # no FIFO, device, folder or huge file is read (one line, exit 2)


def run_reprint(args: argparse.Namespace, ctx: CommandContext) -> int:
    HolderReprint.normalize(args.code)  # a mistyped code is exit 2 before any image is read
    out = output_folder(args.out)
    card_image = _load(args.card, "the card image")
    frames = [_load(p, "the live frame") for p in args.live]
    try:
        card = read_card(card_image)
    except KioskError as exc:
        exc.subject = args.card
        raise
    config = _to_folder(ctx.config, out)
    with KioskApp(config) as app:
        backend: Any = None
        if config.sync.backend_url:

            def backend() -> Any:
                return BackendCopies(open_client(config.sync, config.path))

        checker = HolderReprint(
            app.store,
            face_verify=app.face.verify,
            verify_pdf=lambda data: verify_copy(data, app.trust, subject=args.code),
            backend=backend,
            work_dir=private_tmp_dir(app),
        )
        allowed = checker.authorize(args.code, card, card_image, frames)
        try:
            job = app.devices.document_printer.print_pdf(allowed.pdf, copies=1, title=allowed.code)
        finally:
            if allowed.source == "backend":
                allowed.pdf.unlink(missing_ok=True)
        printed = getattr(job, "output", None) or out / f"{allowed.code}.pdf"
    payload = {
        "code": allowed.code,
        "pdf": str(printed),
        "source": allowed.source,
        "face": {"match": True, "distance": round(allowed.face_distance, 4)},
    }
    ctx.emit(payload, f"reprinted {allowed.code} for its holder ({allowed.source} copy): {printed}")
    return 0
