"""`kiosk run [--windowed]` and `kiosk screenshots OUT`: the subcommands that need the screen package.

`ui` sits above `kiosk` (import-linter layers), so `kiosk` never imports it. Instead `ui` adds these
subcommands to the `kiosk` command line through the `smart_kiosk.commands` entry point (pyproject.toml);
`kiosk.cli` loads the registered plug-ins at every start, so this module only declares the parsers: each
handler is named as "module:function" (ui/command_handlers.py), which `kiosk.cli` imports once its command
has been chosen. Commands that need no screen never load Qt.
"""

from __future__ import annotations

import argparse

from kiosk.commands._common import add_common_options


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = sub.add_parser("run", help="the fullscreen kiosk for citizens (--windowed for development)")
    add_common_options(run, json_output=False)
    run.add_argument("--windowed", action="store_true", help="a normal window instead of locked fullscreen")
    run.set_defaults(handler="ui.command_handlers:run_kiosk")

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
    shots.set_defaults(handler="ui.command_handlers:render_screenshots")
