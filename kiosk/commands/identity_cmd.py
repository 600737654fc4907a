"""`kiosk id read CARD_IMAGE` (the CCCD QR of a card image), `kiosk face verify --card --live` and
`kiosk face calibrate PAIRS.json` (a face model's threshold for a target false-accept rate).

Exit status: 0 a card read / the same person / a calibration; 1 not the same person; 2 bad input (no QR,
malformed or inconsistent fields, no face on the card, an unreadable image, a bad pairs file).
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.commands._common import CommandContext, add_common_options, load_image_file, read_input_file
from kiosk.commands._kiosk_app import kiosk_app
from kiosk.commands.chip_cmd import register_chip
from kiosk.errors import BadInputError, UnavailableError
from kiosk.identity import CardError, FaceError, cross_check_ocr, read_card
from kiosk.identity.face import FaceVerifier
from kiosk.identity.face_calibration import calibrate, parse_pairs, score_pairs
from kiosk.identity.face_models import matcher_for
from kiosk.identity.liveness import Challenge, check_challenge
from kiosk.runtime.logs import register_sensitive

log = logging.getLogger(__name__)

# A pairs file lists paths, not images: a few MB is already hundreds of thousands of pairs.
MAX_PAIRS_FILE_BYTES = 16 * 1024 * 1024


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
    register_chip(id_sub)

    face_parser = sub.add_parser("face", help="face verification against the card portrait")
    face_sub = face_parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
    verify = face_sub.add_parser("verify", help="compare live frames with the card portrait")
    add_common_options(verify)
    verify.add_argument("--card", required=True, metavar="CARD_IMAGE", help="scan or photo of the card front")
    verify.add_argument("--live", required=True, nargs="+", metavar="IMAGE", help="live camera frames")
    verify.set_defaults(handler=run_face_verify)
    liveness = face_sub.add_parser(
        "liveness",
        help="judge a liveness challenge from image files, with the visit's own decision code",
        description="Judge a liveness challenge (e.g. turn_left+blink) performed in FRAMES, in order, exactly "
        "as the visit does. Exit 0 passed, 1 not passed, 2 bad input.",
    )
    add_common_options(liveness)
    liveness.add_argument(
        "--challenge", required=True, metavar="STEP+STEP", help="e.g. turn_left+blink (blink, turn_left, ...)"
    )
    liveness.add_argument(
        "--frames", required=True, nargs="+", metavar="IMAGE", help="camera frames, in order"
    )
    liveness.set_defaults(handler=run_face_liveness)
    calibrate = face_sub.add_parser(
        "calibrate",
        help="a face model's threshold for a target false-accept rate, from card/live pairs",
        description="Computes the threshold at which the face model accepts at most --target-far of the "
        "impostor pairs, and prints FAR and FRR per group at that threshold (docs/FACE_MODELS.md).",
    )
    add_common_options(calibrate)
    calibrate.add_argument(
        "pairs",
        metavar="PAIRS.json",
        help='{"pairs": [{"card", "live", "same", "group"}...]} (paths relative to it)',
    )
    calibrate.add_argument(
        "--target-far",
        type=_target_far,
        default=0.001,
        metavar="F",
        help="largest false-accept rate allowed over the impostor pairs (default 0.001)",
    )
    calibrate.add_argument(
        "--model", metavar="NAME", help="face model to calibrate (default: [identity] face_model)"
    )
    calibrate.set_defaults(handler=run_face_calibrate)


def _ocr_text(ctx: CommandContext, image: np.ndarray) -> str:
    try:
        engine = kiosk_app(ctx).ocr
    except ImportError as exc:
        raise UnavailableError(f"OCR is not available in this build: {exc}", subject="ocr") from None
    return str(engine.read_page(image).text)


def run_id_read(args: argparse.Namespace, ctx: CommandContext) -> int:
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
        f"{verdict}: distance {decision.distance:.3f} (threshold {verifier.threshold:g}), "
        f"{decision.frames_matched} of {decision.frames_used} frame(s) matched"
        + (f"; reason: {decision.reason}" if decision.reason else "")
    )
    ctx.emit(decision.to_json(), human)
    return 0 if decision.match else 1


def _target_far(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (e.g. 0.001), got {text}")
    return value


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f} %"


def run_face_calibrate(args: argparse.Namespace, ctx: CommandContext) -> int:
    raw = read_input_file(args.pairs, "the pairs file", limit=MAX_PAIRS_FILE_BYTES)
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadInputError("the pairs file is not UTF-8 text", subject=args.pairs) from None
    except json.JSONDecodeError as exc:
        raise BadInputError(
            f"the pairs file is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            subject=args.pairs,
        ) from None
    pairs = parse_pairs(data, Path(args.pairs).resolve().parent, args.pairs)
    identity = ctx.config.identity
    verifier = FaceVerifier(identity, matcher=matcher_for(identity, args.model))
    verifier.warm_up()
    scored = score_pairs(verifier, pairs, lambda path: load_image_file(str(path), "the pair's image"))
    report = calibrate(verifier, scored, args.target_far)
    lines = [
        f"face model {report.model} ({report.metric} distance); target FAR {report.target_far:g}",
        f"pairs: {report.overall.genuine} genuine, {report.overall.impostor} impostor"
        + (f" ({report.per_visit_pairs} as visits, k of n)" if report.per_visit_pairs else ""),
        f"threshold {report.threshold:.4f}   (config: {report.threshold_key} = {report.threshold:.4f})",
        "",
        f"  {'group':<24} {'genuine':>8} {'impostor':>9} {'FAR':>10} {'FRR':>10}",
    ]
    for name, group in [*sorted(report.groups.items()), ("(all pairs)", report.overall)]:
        lines.append(
            f"  {name:<24} {group.genuine:>8} {group.impostor:>9} {_rate(group.far):>10} {_rate(group.frr):>10}"
        )
    if not report.enough_impostors:
        lines.append(
            f"\nnote: {report.overall.impostor} impostor pairs resolve FAR only to "
            f"{1 / report.overall.impostor:.4f}; showing FAR <= {report.target_far:g} needs at least "
            f"{report.impostors_needed} impostor pairs (rule of three)"
        )
    ctx.emit(report.to_json(), "\n".join(lines))
    return 0


def run_face_liveness(args: argparse.Namespace, ctx: CommandContext) -> int:
    """`kiosk face liveness`: the visit's `check_challenge` on image files (outside testers attack it here)."""
    try:
        challenge = Challenge.parse(args.challenge)
    except ValueError as exc:
        raise BadInputError(
            f"{exc}; write the steps joined by '+', e.g. turn_left+blink", subject="--challenge"
        ) from None
    frames = [load_image_file(path, "the frame") for path in args.frames]
    try:
        result = check_challenge(challenge, frames, ctx.config.identity)
    finally:
        for frame in frames:
            frame.fill(0)
    payload = {
        "passed": result.passed,
        "reason": result.reason,
        "challenge": result.challenge,
        "frames_used": result.frames_used,
    }
    human = f"passed: {'yes' if result.passed else 'no'}\nreason: {result.reason or '-'}\nchallenge: {result.challenge}"
    ctx.emit(payload, human)
    return 0 if result.passed else 1
