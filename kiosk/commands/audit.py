"""`kiosk audit verify` and `kiosk audit show`: check and read the tamper-evident audit log.

kiosk audit verify [--log FILE] [--key PEM] [--json]   exit 0 intact, 1 tampered (each problem names its line)
kiosk audit show [--tail N] [--json]                   the last entries
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from kiosk.audit import AuditReport, head_path_for, iter_entries, load_verify_key, verify_log
from kiosk.commands._common import CommandContext, add_common_options
from kiosk.errors import BadInputError
from signing.keys import SEAL_CERT

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("audit", help="check or read the tamper-evident audit log")
    nested = parser.add_subparsers(dest="subcommand", metavar="ACTION")

    verify = nested.add_parser("verify", help="check hashes, chain, signed checkpoints; exit 1 when tampered")
    add_common_options(verify)
    _add_log_options(verify)
    verify.add_argument(
        "--key",
        metavar="PEM",
        action="append",
        help="public key or certificate that signed checkpoints (repeat for renewed keys; default: the kiosk's)",
    )
    verify.set_defaults(handler=run_verify)

    show = nested.add_parser("show", help="print the last entries")
    add_common_options(show)
    _add_log_options(show)
    show.add_argument("--tail", type=int, default=20, metavar="N", help="how many entries (default 20)")
    show.set_defaults(handler=run_show)


def _add_log_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--log", metavar="FILE", help="audit log to read (default: [audit] log_file)")
    parser.add_argument("--head", metavar="FILE", help="its head file (default: FILE.head)")


def _log_path(args: argparse.Namespace, ctx: CommandContext) -> Path:
    """--log (a regular file: a folder or a device is one line, exit 2), else [audit] log_file."""
    if args.head:
        _existing_file(args.head, "--head")
    if args.log:
        return _existing_file(args.log, "--log")
    return ctx.config.path(ctx.config.audit.log_file)


def _existing_file(path: str, option: str) -> Path:
    file = Path(path)
    if file.exists() and not file.is_file():
        raise BadInputError(f"{option} must be a file (this is a folder, a device or a FIFO)", subject=path)
    return file


def _load_key_file(path: Path) -> Any:
    try:
        return load_verify_key(path.read_bytes())
    except OSError as exc:
        raise BadInputError(f"cannot read the verify key: {exc.strerror}", subject=str(path)) from None
    except BadInputError as exc:
        raise BadInputError(exc.message, subject=str(path)) from None


def _verify_keys(args: argparse.Namespace, ctx: CommandContext) -> list[Any]:
    """--key files; else [audit] verify_key; else the kiosk's seal certificate in its key folder.

    Read-only on purpose: composing the app would load (or create) keys and note the config in the log.
    """
    if args.key:
        return [_load_key_file(Path(k)) for k in args.key]
    if ctx.config.audit.verify_key:
        return [_load_key_file(ctx.config.path(ctx.config.audit.verify_key))]
    cert = ctx.config.path(ctx.config.signing.keys_dir) / SEAL_CERT
    if cert.is_file():
        return [_load_key_file(cert)]
    log.warning("no kiosk seal certificate at %s: checkpoint signatures are not checked", cert)
    return []


def run_verify(args: argparse.Namespace, ctx: CommandContext) -> int:
    path = _log_path(args, ctx)
    keys = _verify_keys(args, ctx)
    report: AuditReport = verify_log(path, verify_key=keys, head_path=Path(args.head) if args.head else None)
    ctx.emit(report.to_json(), report.summary())
    return 0 if report.ok else 1


def run_show(args: argparse.Namespace, ctx: CommandContext) -> int:
    if args.tail < 1:
        raise BadInputError(f"--tail must be at least 1, got {args.tail}", subject="--tail")
    path = _log_path(args, ctx)
    if not path.exists():
        raise BadInputError("no audit log here", subject=str(path))
    entries = list(iter_entries(path))[-args.tail :]
    lines = [
        f"{e.get('seq'):>6} {e.get('ts')} {e.get('event')} "
        + " ".join(f"{k}={v}" for k, v in sorted(e.get("data", {}).items()))
        for e in entries
    ]
    ctx.emit(
        {"path": str(path), "head": str(head_path_for(path)), "entries": entries},
        "\n".join(lines) or "(empty)",
    )
    return 0
