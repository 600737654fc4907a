"""`kiosk ocr IMAGE... --json`: OCR of the pages of one document, with its type and key fields.

JSON keys (docs/ARCHITECTURE.md): ``text`` (pages joined by form feed), ``pages`` [{``text``, ``confidence``,
``quality``}], ``doc_type``, ``fields``. A file that is not a usable image is an error naming the file
(exit 2). A page that cannot be read is not an error of the command: its ``quality`` says "rescan"
with the reason; the exit status is then 2 as well, so scripts notice, but the JSON is still printed.
"""

from __future__ import annotations

import argparse
import logging
import sys

from kiosk.commands._common import CommandContext, add_common_options, check_input_file
from kiosk.errors import BadInputError, UnavailableError
from ocr import ImageError, OcrEngine, OcrUnavailable, load_image

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "ocr",
        help="read the text, type and key fields of a scanned document",
        description="OCR the page images of one document (in order) and print text, page quality, "
        "document type and fields.",
    )
    add_common_options(parser)
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="page image files (PNG, JPEG, TIFF...)")
    parser.add_argument("--dpi", type=int, default=300, help="scan resolution of the images (default 300)")
    parser.set_defaults(handler=run_ocr)


def run_ocr(args: argparse.Namespace, ctx: CommandContext) -> int:
    if not 50 <= args.dpi <= 1200:
        raise BadInputError(f"--dpi must be between 50 and 1200 (got {args.dpi})", subject="--dpi")
    pages = []
    for name in args.images:
        check_input_file(name, "the page image")  # no FIFO, device or huge file is ever read
        try:
            pages.append(load_image(name))
        except ImageError as exc:
            raise BadInputError(str(exc), subject=name) from None
    try:
        result = OcrEngine(ctx.config.ocr).read_document(pages, dpi=args.dpi)
    except OcrUnavailable as exc:
        raise UnavailableError(f"OCR is not available on this machine: {exc}", subject="tesseract") from None
    lines = []
    for number, (name, page) in enumerate(zip(args.images, result.pages, strict=True), 1):
        if page.quality.ok:
            lines.append(f"--- page {number} ({name}): confidence {page.confidence:.0f}")
            lines.append(page.text)
        else:
            lines.append(
                f"--- page {number} ({name}): rescan needed ({page.quality.reason}): {page.quality.message_en}"
            )
    lines.append(f"--- document type: {result.doc_type}")
    lines += [f"{key}: {value}" for key, value in result.fields.items()]
    ctx.emit(result.to_json(), "\n".join(lines))
    status = 0
    for name, page in zip(args.images, result.pages, strict=True):
        if not page.quality.ok:
            sys.stderr.write(
                f"kiosk ocr: {name}: rescan needed ({page.quality.reason}): {page.quality.message_en}\n"
            )
            status = 2
    return status
