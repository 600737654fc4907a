"""`kiosk run [--windowed]`, `kiosk screenshots OUT` and `kiosk maintenance-pin`.

The Qt package `ui` sits above `kiosk` (import-linter layers), so these handlers load it by name at
run time with `importlib`, never with an import statement; commands that need no screen never load Qt.
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import sys
from pathlib import Path

from kiosk.commands._common import CommandContext, add_common_options
from kiosk.errors import BadInputError, UnavailableError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = sub.add_parser("run", help="the fullscreen kiosk for citizens (--windowed for development)")
    add_common_options(run, json_output=False)
    run.add_argument("--windowed", action="store_true", help="a normal window instead of locked fullscreen")
    run.set_defaults(handler=_run)

    shots = sub.add_parser("screenshots", help="render every screen offscreen to PNG files")
    add_common_options(shots)
    shots.add_argument("out", metavar="OUT", help="folder for the PNG files")
    shots.add_argument(
        "--language", action="append", choices=("vi", "en"), help="only this language (repeatable)"
    )
    shots.add_argument(
        "--orientation",
        action="append",
        choices=("landscape", "portrait", "small"),
        help="landscape 1920x1080, small 1280x800, portrait 1080x1920 (repeatable; default all)",
    )
    shots.set_defaults(handler=_screenshots)

    pin = sub.add_parser("maintenance-pin", help="print the scrypt hash of a maintenance PIN for [ui]")
    add_common_options(pin)
    pin.add_argument("--stdin", action="store_true", help="read the PIN from standard input")
    pin.set_defaults(handler=_maintenance_pin)


def _run(args: argparse.Namespace, ctx: CommandContext) -> int:
    run = importlib.import_module("ui.app").run
    return int(run(ctx.config, windowed=args.windowed, kiosk_app=ctx.app))


def _screenshots(args: argparse.Namespace, ctx: CommandContext) -> int:
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise BadInputError("not a folder", subject=str(out))
    try:
        render_all = importlib.import_module("ui.screenshots").render_all
    except ImportError as exc:
        raise UnavailableError(f"the screen package cannot be loaded: {exc}") from None
    languages = tuple(args.language or ("vi", "en"))
    orientations = tuple(args.orientation or ("landscape", "portrait", "small"))
    try:
        files = render_all(out, languages=languages, orientations=orientations)
    except OSError as exc:
        raise BadInputError(f"cannot write the screenshots: {exc}", subject=str(out)) from None
    ctx.emit(
        {"out": str(out), "files": [str(f) for f in files], "count": len(files)},
        f"{len(files)} screenshots in {out}",
    )
    return 0


def _maintenance_pin(args: argparse.Namespace, ctx: CommandContext) -> int:
    from kiosk.maintenance import hash_pin

    if args.stdin:
        pin = sys.stdin.readline().strip()
    else:
        pin = getpass.getpass("maintenance PIN: ")
        if getpass.getpass("again: ") != pin:
            raise BadInputError("the two PINs differ", subject="PIN")
    digest = hash_pin(pin)
    ctx.emit({"maintenance_pin_hash": digest}, f'[ui]\nmaintenance_pin_hash = "{digest}"')
    return 0
