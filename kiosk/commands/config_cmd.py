"""`kiosk config check`: validate a config file and say what is wrong, by file and key."""

from __future__ import annotations

import argparse

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
    ctx.emit(
        {"valid": True, "file": config.source, "profile": config.profile, "data_dir": str(config.data_dir)},
        f"{config.source}: OK (profile {config.profile}, data in {config.data_dir})",
    )
    return 0
