"""The `kiosk` subcommands, one module each.

Each module has ``register(subparsers)``, which adds its parser(s) and sets ``handler`` to a function
``handler(args, ctx: CommandContext) -> int``. Each module imports what its commands need at its top, so
`kiosk.cli` loads a command's module only when that command is chosen (as pip does with its commands):
``COMMANDS`` names every command, the module that registers it and its one-line help, which is all that
`kiosk --help` needs. tests/kiosk/test_cli.py checks that this table and the modules agree.

Packages above `kiosk` (the screens: `kiosk run`, `kiosk screenshots`) add their subcommands through the
`smart_kiosk.commands` entry-point group instead, so nothing in `kiosk` names them (`kiosk.cli`).
"""

from __future__ import annotations

from typing import NamedTuple


class CommandInfo(NamedTuple):
    """Where a subcommand is registered, and the line `kiosk --help` shows for it before it is loaded."""

    module: str
    help: str


COMMANDS: dict[str, CommandInfo] = {
    "certify": CommandInfo("kiosk.commands.certify", "certify a copy from image files, without the screen"),
    "demo": CommandInfo("kiosk.commands.certify", "one whole visit, headless, on simulated devices"),
    "reprint": CommandInfo(
        "kiosk.commands.reprint", "print a copy again, for its holder only (card + live face)"
    ),
    "verify": CommandInfo(
        "kiosk.commands.verify", "check a certified copy (PDF, or a picture of a printed page)"
    ),
    "config": CommandInfo("kiosk.commands.config_cmd", "check a config file"),
    "ocr": CommandInfo("kiosk.commands.ocr_cmd", "read the text, type and key fields of a scanned document"),
    "id": CommandInfo("kiosk.commands.identity_cmd", "the citizen's ID card (CCCD)"),
    "face": CommandInfo("kiosk.commands.identity_cmd", "face verification against the card portrait"),
    "keys": CommandInfo("kiosk.commands.keys", "seal keys and certificates"),
    "devices": CommandInfo("kiosk.commands.devices", "show each device's state (scanner, camera, printers)"),
    "sync": CommandInfo("kiosk.commands.sync", "sync with the city backend: run the worker, status, log"),
    "maintenance-pin": CommandInfo(
        "kiosk.commands.maintenance_cmd", "print the scrypt hash of a maintenance PIN for [ui]"
    ),
    "audit": CommandInfo("kiosk.commands.audit", "check or read the tamper-evident audit log"),
}

# Every command module, in the order `kiosk --help` lists their commands.
COMMAND_MODULES = tuple(dict.fromkeys(info.module for info in COMMANDS.values()))
