"""What every subcommand shares: the context that loads config and services once, and output."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from kiosk.config import KioskConfig, load_config

if TYPE_CHECKING:
    from kiosk.app import KioskApp

Handler = Callable[[argparse.Namespace, "CommandContext"], int]


class CommandContext:
    """Built once per CLI call; loads the config and composes services lazily."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args

    @cached_property
    def config(self) -> KioskConfig:
        return load_config(getattr(self.args, "config", None))

    @cached_property
    def app(self) -> KioskApp:
        from kiosk.app import KioskApp

        return KioskApp(self.config)

    @property
    def as_json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    def emit(self, payload: dict[str, Any], human: str) -> None:
        """Print one JSON object with --json, else the human text."""
        if self.as_json:
            sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")
        else:
            sys.stdout.write(human.rstrip("\n") + "\n")
        sys.stdout.flush()


def add_common_options(parser: argparse.ArgumentParser, *, json_output: bool = True) -> None:
    parser.add_argument(
        "--config", metavar="PATH", help="kiosk config file (TOML); default: simulated profile"
    )
    if json_output:
        parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
