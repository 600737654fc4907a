"""`kiosk`: the command line that technicians, scripts and the systemd units use.

Contracts (docs/ARCHITECTURE.md): every command takes --config; --json prints one JSON object on stdout; an error
is one line on stderr naming the input and what is wrong. Exit status: 0 success or a positive verdict,
1 a negative verdict, 2 bad input or usage, 3 a device or backend that cannot be reached.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
import warnings
from collections.abc import Callable, Collection, Sequence
from importlib.metadata import entry_points

from kiosk.commands import COMMANDS
from kiosk.commands._common import CommandContext, Handler
from kiosk.errors import UnavailableError
from kiosk.runtime.logs import setup_logging
from kiosk.runtime.memory import collection_paused

log = logging.getLogger(__name__)

EXIT_OK, EXIT_NEGATIVE, EXIT_BAD_INPUT, EXIT_UNAVAILABLE = 0, 1, 2, 3
# Entry-point group through which packages above kiosk (ui) add subcommands.
COMMAND_PLUGINS = "smart_kiosk.commands"


def build_parser(load: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The `kiosk` command line. The modules of the commands named in `load` are imported and register their
    options and handlers; every other command is listed by its name and help line only (`kiosk --help`
    needs no more), so a command pays only for its own imports. `load=None` loads every command (the whole
    parser, as the tests read it)."""
    parser = argparse.ArgumentParser(prog="kiosk", description="Smart Kiosk: certified copies, self-service.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    # First the modules of the chosen commands (one module may register several commands: certify and
    # demo), then a listing-only parser for every command not registered by now.
    modules = dict.fromkeys(info.module for name, info in COMMANDS.items() if load is None or name in load)
    for module in modules:
        importlib.import_module(module).register(sub)  # the command modules are its plug-ins
    for name, info in COMMANDS.items():
        if name not in sub.choices:
            sub.add_parser(name, help=info.help)  # listed; its module loads when it is chosen
    for register in plugin_commands():
        register(sub)
    return parser


def chosen_command(argv: Sequence[str]) -> set[str]:
    """The subcommand named on the command line (the first word that is not an option: the top-level
    options take no value), as the `load` of `build_parser`; empty for `kiosk` or `kiosk --help`."""
    return {next((word for word in argv if not word.startswith("-")), "")} - {""}


def handler_of(args: argparse.Namespace) -> Handler:
    """The chosen command's handler. A plug-in may name it as "module:function" so that its `register`
    stays light; that module is imported here, once its command has been chosen."""
    handler: Handler | str = args.handler
    if isinstance(handler, str):
        try:
            resolved: Handler = pkgutil.resolve_name(handler)
        except ImportError as exc:  # the screen package without Qt, say
            raise UnavailableError(f"this command cannot load ({exc})") from None
        return resolved
    return handler


def plugin_commands() -> list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]]:
    """The `register` functions that packages above kiosk publish in the `smart_kiosk.commands` group.

    A plug-in that cannot load here (the screen package without Qt) leaves its commands out, so the
    commands that need no screen still work.
    """
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
    # A library's deprecation notice (pyHanko importing cryptography's DSA) is for developers: it never
    # reaches a technician's screen or a script's stderr.
    warnings.filterwarnings("ignore", message="DSA is deprecated", category=UserWarning)
    words = list(sys.argv[1:] if argv is None else argv)
    with collection_paused():  # the chosen command's modules load (kiosk.runtime.memory)
        parser = build_parser(load=chosen_command(words))
        args = parser.parse_args(words)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    setup_logging(verbose=args.verbose)
    command = " ".join(a for a in (args.command, getattr(args, "subcommand", None)) if a)
    try:
        with collection_paused():  # a plug-in's handler module loads
            handler = handler_of(args)
        return int(handler(args, CommandContext(args)))
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
