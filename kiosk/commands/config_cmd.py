"""`kiosk config check`: validate a config file and say what is wrong, by file and key."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kiosk.commands._common import CommandContext, add_common_options


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("config", help="check a config file")
    groups = parser.add_subparsers(dest="subcommand", metavar="ACTION", required=True)
    check = groups.add_parser("check", help="validate a config file (TOML)")
    add_common_options(check)
    check.add_argument("file", nargs="?", help="the file to check (default: --config, or the defaults)")
    check.set_defaults(handler=check_config)


def check_config(args: argparse.Namespace, ctx: CommandContext) -> int:
    if args.file:
        args.config = args.file
    config = ctx.config  # raises ConfigError naming the file and key
    warnings = config_warnings(config)
    for line in warnings:  # for the technician; the config is still valid (exit 0)
        sys.stderr.write(f"kiosk config check: warning: {line}\n")
    sys.stderr.flush()
    ctx.emit(
        {
            "valid": True,
            "file": config.source,
            "profile": config.profile,
            "data_dir": str(config.data_dir),
            "warnings": warnings,
        },
        f"{config.source}: OK (profile {config.profile}, data in {config.data_dir})",
    )
    return 0


def config_warnings(config: Any) -> list[str]:
    """What a valid config will do that the technician may not expect (as `kiosk run` behaves)."""
    out: list[str] = []
    # ui/visit_parts.py: with no backend, the VietQR payment cannot be confirmed; off the simulated
    # profile (which pays on the loopback demo gateway) every visit pays cash at the counter.
    if config.payment.mode == "vietqr" and not config.sync.backend_url and config.profile != "simulated":
        out.append(
            '[payment] mode = "vietqr" but no [sync] backend_url: no VietQR payment at the kiosk; '
            "visits pay cash at the counter with a queue ticket"
        )
    return out
