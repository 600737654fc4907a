"""`kiosk id read CARD_IMAGE` (the CCCD QR of a card image) and `kiosk face verify --card --live`.

Exit status: 0 a card read / the same person; 1 not the same person; 2 bad input (no QR, malformed or
inconsistent fields, no face on the card, an unreadable image).
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

import numpy as np

from kiosk.commands._common import CommandContext, add_common_options, load_image_file
from kiosk.errors import UnavailableError

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    id_parser = sub.add_parser("id", help="the citizen's ID card (CCCD)")
    id_sub = id_parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
    read = id_sub.add_parser("read", help="read and check the CCCD QR of a card image")
    add_common_options(read)
    read.add_argument("card", metavar="CARD_IMAGE", help="scan or photo of the card front")
    read.add_argument(
        "--ocr",
        action="store_true",
        help="also OCR the printed card front and check that its ID number and name match the QR",
    )
    read.set_defaults(handler=run_id_read)
    from kiosk.commands.chip_cmd import register_chip

    register_chip(id_sub)

    face_parser = sub.add_parser("face", help="face verification against the card portrait")
    face_sub = face_parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
    verify = face_sub.add_parser("verify", help="compare live frames with the card portrait")
    add_common_options(verify)
    verify.add_argument("--card", required=True, metavar="CARD_IMAGE", help="scan or photo of the card front")
    verify.add_argument("--live", required=True, nargs="+", metavar="IMAGE", help="live camera frames")
    verify.set_defaults(handler=run_face_verify)


def _ocr_text(ctx: CommandContext, image: np.ndarray) -> str:
    try:
        engine = ctx.app.ocr
    except ImportError as exc:
        raise UnavailableError(f"OCR is not available in this build: {exc}", subject="ocr") from None
    return str(engine.read_page(image).text)


def run_id_read(args: argparse.Namespace, ctx: CommandContext) -> int:
    from kiosk.identity import CardError, cross_check_ocr, read_card
    from kiosk.runtime.logs import register_sensitive

    image = load_image_file(args.card, "the card image")
    try:
        card = read_card(image)
    except CardError as exc:
        exc.subject = args.card
        raise
    register_sensitive(card.full_name, card.id_number)
    payload: dict[str, Any] = card.to_json()
    payload["masked_id"] = card.masked_id()
    if args.ocr:
        check = cross_check_ocr(card, _ocr_text(ctx, image))
        payload["ocr_check"] = {"id_agrees": check.id_agrees, "name_agrees": check.name_agrees}
        if not check.ok:
            what = "ID number" if check.id_agrees is False else "name"
            raise CardError(
                f"the {what} printed on the card does not match the card's QR",
                reason="ocr_mismatch",
                subject=args.card,
            )
    human = "\n".join(
        [
            f"ID number:     {card.id_number}",
            f"Old ID:        {card.old_id or '-'}",
            f"Full name:     {card.full_name}",
            f"Date of birth: {card.date_of_birth.isoformat()}",
            f"Sex:           {card.sex}",
            f"Address:       {card.address}",
            f"Issue date:    {card.issue_date.isoformat()}",
        ]
    )
    ctx.emit(payload, human)
    return 0


def run_face_verify(args: argparse.Namespace, ctx: CommandContext) -> int:
    from kiosk.identity import FaceError, FaceVerifier

    card_image = load_image_file(args.card, "the card image")
    frames = [load_image_file(path, "the live frame") for path in args.live]
    verifier = FaceVerifier(ctx.config.identity)
    try:
        decision = verifier.verify(card_image, frames)
    except FaceError as exc:
        exc.subject = args.card
        raise
    finally:
        for frame in frames:
            frame.fill(0)
        card_image.fill(0)
    if decision.reason in {"no_face", "two_faces", "face_too_small", "no_frames"}:
        messages = {
            "no_face": "no face found in the live frames",
            "two_faces": "more than one face in the live frames: one person at a time",
            "face_too_small": "the face in the live frames is too small (too far from the camera)",
            "no_frames": "no live frames given",
        }
        raise FaceError(messages[decision.reason], reason=decision.reason, subject=" ".join(args.live))
    verdict = "same person" if decision.match else "NOT the same person"
    human = (
        f"{verdict}: distance {decision.distance:.3f} (threshold {ctx.config.identity.face_threshold}), "
        f"{decision.frames_matched} of {decision.frames_used} frame(s) matched"
        + (f"; reason: {decision.reason}" if decision.reason else "")
    )
    ctx.emit(decision.to_json(), human)
    return 0 if decision.match else 1
