"""`kiosk audit`: placeholder until its owner lands it (see the contracts)."""

from __future__ import annotations

import argparse

from kiosk.commands._common import CommandContext, add_common_options
from kiosk.errors import KioskError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("audit", help="(not yet available)")
    add_common_options(parser)
    parser.add_argument("rest", nargs="*")
    parser.set_defaults(handler=_not_yet)


def _not_yet(args: argparse.Namespace, ctx: CommandContext) -> int:
    raise KioskError("this command is not available in this build yet")
