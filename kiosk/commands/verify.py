"""`kiosk verify FILE`: is this a genuine certified copy? A PDF, or a photo or scan of a printed page."""

from __future__ import annotations

import argparse
from typing import Any

from kiosk.commands._common import MAX_PDF_BYTES, CommandContext, add_common_options, read_input_file


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("verify", help="check a certified copy (PDF, or a picture of a printed page)")
    add_common_options(parser)
    parser.add_argument("file", metavar="FILE", help="the PDF, PNG or JPEG to check")
    parser.add_argument(
        "--online", action="store_true", help="also ask the backend's status service: post-checked, revoked"
    )
    parser.add_argument("--status-url", default="", help="the public listener (default: sync.public_url)")
    parser.set_defaults(handler=run_verify)


def checker_lines(result: Any) -> list[str]:
    """What a person checking the paper compares with it, in large clear lines."""
    rule = "  " + "=" * 60
    lines = [rule]
    if result.holder_name:
        lines.append(f"  HOLDER     {result.holder_name.upper()}")
    document = result.doc_type or "?"
    if result.doc_number:
        document += f"   No. {result.doc_number}"
    if result.doc_date:
        document += f"   of {result.doc_date}"
    lines.append(f"  DOCUMENT   {document}")
    if result.pages:
        lines.append(
            f"  PAGE       {result.page} of {result.pages}" if result.page else f"  PAGES      {result.pages}"
        )
    if result.code:
        lines.append(f"  CODE       {result.code}")
    if result.issued_at:
        lines.append(f"  ISSUED     {result.issued_at:%Y-%m-%d %H:%M} UTC")
    lines.append(rule)
    return lines


def run_verify(args: argparse.Namespace, ctx: CommandContext) -> int:
    from kiosk.copy_check.verify import ocr_words, quiet_libraries, verify_copy

    # A missing, special or oversized file is refused before any byte is read or any key is loaded.
    data = read_input_file(args.file, "the file to check", limit=MAX_PDF_BYTES)
    with quiet_libraries(verbose=bool(getattr(args, "verbose", False))):
        result = verify_copy(
            data, ctx.app.trust, subject=args.file, read_words=ocr_words(lambda: ctx.app.ocr)
        )
    payload = result.to_json()
    verdict = "VALID" if result.valid else "NOT VALID"
    details = [f"{args.file}: {verdict}: {result.reason}"]
    if result.valid:
        details += checker_lines(result)
    else:
        details = [details[0]]  # a refused copy: one clear line
    revoked = False
    if getattr(args, "online", False):
        from kiosk.copy_check.online_status import online_status

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
