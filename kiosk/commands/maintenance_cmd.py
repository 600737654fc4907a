"""`kiosk maintenance-pin`: the scrypt hash of a technician's PIN, for the [ui] section of the config."""

from __future__ import annotations

import argparse
import getpass
import sys

from kiosk.commands._common import CommandContext, add_common_options
from kiosk.errors import BadInputError
from kiosk.runtime.maintenance_pin import hash_pin


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    pin = sub.add_parser("maintenance-pin", help="print the scrypt hash of a maintenance PIN for [ui]")
    add_common_options(pin)
    pin.add_argument("--stdin", action="store_true", help="read the PIN from standard input")
    pin.set_defaults(handler=_maintenance_pin)


def _maintenance_pin(args: argparse.Namespace, ctx: CommandContext) -> int:
    if args.stdin:
        pin = sys.stdin.readline().strip()
    else:
        pin = getpass.getpass("maintenance PIN: ")
        if getpass.getpass("again: ") != pin:
            raise BadInputError("the two PINs differ", subject="PIN")
    digest = hash_pin(pin)
    ctx.emit({"maintenance_pin_hash": digest}, f'[ui]\nmaintenance_pin_hash = "{digest}"')
    return 0
