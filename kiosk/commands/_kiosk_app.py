"""The composed kiosk (``kiosk.app.KioskApp``) for the commands that drive it: certify, chip, identity, verify.

It is apart from ``_common`` because ``kiosk --help`` and the commands that need only the config load
``_common``, and ``kiosk.app`` imports the whole kiosk at its top; a command module is loaded only once its
command has been chosen (``kiosk.cli.build_parser``).
"""

from __future__ import annotations

from kiosk.app import KioskApp
from kiosk.commands._common import CommandContext


def kiosk_app(ctx: CommandContext) -> KioskApp:
    """The call's kiosk, composed from its config on first use and kept for the rest of the call."""
    if ctx.kiosk_app is None:
        ctx.kiosk_app = KioskApp(ctx.config)
    return ctx.kiosk_app
