"""The handlers of `kiosk run` and `kiosk screenshots` (their parsers: ui/commands.py).

`kiosk.cli` imports this module only once one of these commands has been chosen, so that `kiosk --help` and
the commands that need no screen never load Qt.
"""

from __future__ import annotations

import argparse
from pathlib import Path

# Before ui.app, so that the whole kiosk is imported before Qt: once PySide6 is loaded, its feature hook reads
# the source of every module imported after it (~80 ms of `kiosk run`'s start for the kiosk's ~500 modules).
from kiosk.app import KioskApp
from kiosk.commands._common import CommandContext
from kiosk.commands._kiosk_app import kiosk_app
from kiosk.errors import BadInputError
from ui.app import run
from ui.screenshots import render_all


def run_kiosk(args: argparse.Namespace, ctx: CommandContext) -> int:
    """`kiosk run [--windowed]`."""
    composed: KioskApp = kiosk_app(ctx)
    return int(run(ctx.config, windowed=args.windowed, kiosk_app=composed))


def render_screenshots(args: argparse.Namespace, ctx: CommandContext) -> int:
    """`kiosk screenshots OUT`."""
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise BadInputError("not a folder", subject=str(out))
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
