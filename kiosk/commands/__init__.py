"""The `kiosk` subcommands, one module each.

Each module has ``register(subparsers)``, which adds its parser(s) and sets ``handler`` to a function
``handler(args, ctx: CommandContext) -> int``. Modules are imported only when the CLI starts.

Packages above `kiosk` (the screens: `kiosk run`, `kiosk screenshots`) add their subcommands through the
`smart_kiosk.commands` entry-point group instead, so nothing in `kiosk` names them (`kiosk.cli`).
"""

COMMAND_MODULES = (
    "kiosk.commands.certify",  # certify, demo
    "kiosk.commands.reprint",  # reprint (holder only)
    "kiosk.commands.verify",  # verify
    "kiosk.commands.config_cmd",  # config check
    "kiosk.commands.ocr_cmd",  # ocr
    "kiosk.commands.identity_cmd",  # id read, face verify
    "kiosk.commands.keys",  # keys init-dev, keys show
    "kiosk.commands.devices",  # devices
    "kiosk.commands.sync",  # sync run / status / log
    "kiosk.commands.maintenance_cmd",  # maintenance-pin
    "kiosk.commands.audit",  # audit verify
)
