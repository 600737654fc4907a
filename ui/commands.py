"""`kiosk run [--windowed]` and `kiosk screenshots OUT`: the subcommands that need the screen package.

`ui` sits above `kiosk` (import-linter layers), so `kiosk` never imports it. Instead `ui` adds these
subcommands to the `kiosk` command line through the `smart_kiosk.commands` entry point (pyproject.toml);
`kiosk.cli` loads the registered plug-ins, and commands that need no screen never load Qt.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.commands._common import CommandContext, add_common_options
from kiosk.errors import BadInputError


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


def _run(args: argparse.Namespace, ctx: CommandContext) -> int:
    from ui.app import run

    return int(run(ctx.config, windowed=args.windowed, kiosk_app=ctx.app))


def _screenshots(args: argparse.Namespace, ctx: CommandContext) -> int:
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise BadInputError("not a folder", subject=str(out))
    from ui.screenshots import render_all

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
