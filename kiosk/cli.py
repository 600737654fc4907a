"""`kiosk`: the command line that technicians, scripts and the systemd units use.

Contracts (docs/ARCHITECTURE.md): every command takes --config; --json prints one JSON object on stdout; an error
is one line on stderr naming the input and what is wrong. Exit status: 0 success or a positive verdict,
1 a negative verdict, 2 bad input or usage, 3 a device or backend that cannot be reached.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence

from kiosk.commands import COMMAND_MODULES
from kiosk.commands._common import CommandContext

log = logging.getLogger(__name__)

EXIT_OK, EXIT_NEGATIVE, EXIT_BAD_INPUT, EXIT_UNAVAILABLE = 0, 1, 2, 3
# Entry-point group through which packages above kiosk (ui) add subcommands.
COMMAND_PLUGINS = "smart_kiosk.commands"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Smart Kiosk: certified copies, self-service.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    for register in plugin_commands():
        register(sub)
    return parser


def plugin_commands() -> list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]]:
    """The `register` functions that packages above kiosk publish in the `smart_kiosk.commands` group.

    A plug-in that cannot load here (the screen package without Qt) leaves its commands out, so the
    commands that need no screen still work.
    """
    from importlib.metadata import entry_points

    found = []
    for point in sorted(entry_points(group=COMMAND_PLUGINS), key=lambda p: p.name):
        try:
            found.append(point.load())
        except ImportError as exc:
            log.debug("command plug-in %s not loaded: %s", point.name, exc)
    return found


def exit_code_of(exc: BaseException) -> int | None:
    """The exit status an error family declares (`exit_code` on KioskError, DeviceError, ImageError,
    OcrUnavailable, SigningError, SyncError and their subclasses); None for an error no family claims."""
    code = getattr(exc, "exit_code", None)
    return code if isinstance(code, int) and not isinstance(code, bool) else None


def _error_line(command: str, exc: BaseException) -> str:
    subject = getattr(exc, "subject", "")
    message = str(exc) or type(exc).__name__
    if subject and not message.startswith(subject):
        message = f"{subject}: {message}"
    return f"kiosk {command}: {message}"


def main(argv: Sequence[str] | None = None) -> int:
    from kiosk.runtime.logs import setup_logging

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    setup_logging(verbose=args.verbose)
    command = " ".join(a for a in (args.command, getattr(args, "subcommand", None)) if a)
    try:
        return int(args.handler(args, CommandContext(args)))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        code = exit_code_of(exc)
        if code is None:
            raise
        log.debug("command failed", exc_info=True)
        sys.stderr.write(_error_line(command, exc) + "\n")
        return code


if __name__ == "__main__":
    raise SystemExit(main())
