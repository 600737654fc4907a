"""`kiosk verify FILE`: is this a genuine certified copy? A PDF, or a photo or scan of a printed page."""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.commands._common import CommandContext, add_common_options


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("verify", help="check a certified copy (PDF, or a picture of a printed page)")
    add_common_options(parser)
    parser.add_argument("file", metavar="FILE", help="the PDF, PNG or JPEG to check")
    parser.add_argument(
        "--online", action="store_true", help="also ask the backend's status service: post-checked, revoked"
    )
    parser.add_argument("--status-url", default="", help="the public listener (default: sync.public_url)")
    parser.set_defaults(handler=run_verify)


def run_verify(args: argparse.Namespace, ctx: CommandContext) -> int:
    from kiosk.verify import read_copy_file, verify_copy

    data = read_copy_file(Path(args.file))  # a missing file is reported before any key is loaded
    result = verify_copy(data, ctx.app.trust, subject=args.file)
    payload = result.to_json()
    verdict = "VALID" if result.valid else "NOT VALID"
    details = [f"{args.file}: {verdict}: {result.reason}"]
    if result.code:
        details.append(f"  code: {result.code}")
    if result.issued_at:
        details.append(f"  issued: {result.issued_at}")
    if result.pages:
        details.append(f"  pages: {result.pages}")
    revoked = False
    if getattr(args, "online", False):
        from kiosk.copy_status import online_status

        online = online_status(ctx.config.sync, result.code, url=args.status_url) if result.code else None
        if online is None:
            payload["status"], payload["status_checked"] = None, False
            details.append("  status: could not be checked (no code)")
        else:
            payload.update(online.to_json())
            revoked = online.status == "revoked"
            shown = online.status or online.message
            reason = f" ({online.revoked_reason})" if online.revoked_reason else ""
            details.append(f"  status: {shown}{reason}" if online.checked else f"  status: {online.message}")
    ctx.emit(payload, "\n".join(details))
    return 0 if result.valid and not revoked else 1
