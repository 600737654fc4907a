"""`kiosk verify FILE`: is this a genuine certified copy? A PDF, or a photo or scan of a printed page."""

from __future__ import annotations

import argparse
from functools import cache
from typing import Any

from kiosk.commands._common import MAX_PDF_BYTES, CommandContext, add_common_options, read_input_file
from kiosk.copy_check.online_compare import copy_seal_text, online_verdict, refresh_revocations
from kiosk.copy_check.verify import ocr_words, quiet_libraries, verify_copy
from kiosk.runtime.kiosk_keys import kiosk_trust
from ocr import OcrEngine
from signing.seal_fields import field_kind, field_label
from signing.seal_v1 import FORMAT_V1


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
    """What a person checking the paper compares with it, in large clear lines: every field the seal holds
    (the document's subject), then who asked for the copy, the page, the code and the issue time."""
    rule = "  " + "=" * 60
    lines = [rule, f"  DOCUMENT         {(result.doc_type or '?').replace('_', ' ').upper()}"]
    for key, value in (result.fields or {}).items():
        lines.append(f"  {field_label(key):<16} {value.upper() if field_kind(key) == 'name' else value}")
    if not result.fields:  # a copy sealed before issue 22: the number and date it has
        if result.doc_number:
            lines.append(f"  {'NUMBER':<16} {result.doc_number}")
        if result.doc_date:
            lines.append(f"  {'DATE':<16} {result.doc_date}")
    lines.append(rule)
    if result.holder_name or result.holder:
        who = " ".join(
            p
            for p in ((result.holder_name or "").upper(), f"(ID {result.holder})" if result.holder else "")
            if p
        )
        # An older (VNC1) seal names the document's holder; a VNC2 seal, who asked for the copy.
        older = getattr(result, "seal_format", None) == FORMAT_V1
        lines.append(f"  {'HOLDER' if older else 'REQUESTED BY':<16} {who}")
    if result.pages:
        lines.append(
            f"  PAGE             {result.page} of {result.pages}"
            if result.page
            else f"  PAGES            {result.pages}"
        )
    if result.code:
        lines.append(f"  CODE             {result.code}")
    if result.issued_at:
        lines.append(f"  ISSUED           {result.issued_at:%Y-%m-%d %H:%M} UTC")
    lines.append(rule)
    note = getattr(result, "older_seal", None)
    if note:  # what an older copy's seal checks, and what is left to the eye (signing.seal_v1)
        lines.append(f"  {note[0].upper()}{note[1:]}")
    return lines


def run_verify(args: argparse.Namespace, ctx: CommandContext) -> int:
    # A missing, special or oversized file is refused before any byte is read or any key is loaded.
    data = read_input_file(args.file, "the file to check", limit=MAX_PDF_BYTES)
    online = bool(getattr(args, "online", False))
    city = (getattr(args, "status_url", "") or ctx.config.sync.public_url) if online else ""
    # Online, the city's current kiosk revocation list replaces the configured one (issue 22).
    # Only the trust store and the OCR: the command never composes the kiosk (kiosk.runtime.kiosk_keys).
    trust = kiosk_trust(ctx.config)
    notes = refresh_revocations(trust, city) if online else []
    engine = cache(lambda: OcrEngine(ctx.config.ocr))  # made for the first page that is read
    with quiet_libraries(verbose=bool(getattr(args, "verbose", False))):
        result = verify_copy(data, trust, subject=args.file, read_words=ocr_words(engine))
    payload = result.to_json()
    verdict = "VALID" if result.valid else "NOT VALID"
    details = [f"{args.file}: {verdict}: {result.reason}"]
    if result.valid:
        details += checker_lines(result)
    else:
        details = [details[0]]  # a refused copy: one clear line
    revoked = False
    if not getattr(args, "online", False):
        # Offline, only the paper and its seal were checked: say so, so nobody reads VALID as "not revoked".
        payload["status"], payload["status_checked"] = None, False
        if result.valid:  # a refused copy stays one line: its status changes nothing
            details.append("  STATUS: not checked (offline); run with --online to ask the city")
    if online:
        # Issue 22: the city's record must match the QR, and the check fails closed (online_compare.py).
        if not result.valid:
            payload.update({"status": None, "status_checked": False, "revocation_notes": notes})
            ctx.emit(payload, "\n".join(details))
            return 1
        said = online_verdict(ctx.config.sync, copy_seal_text(data, result), url=city)
        payload.update(said.to_json())
        payload["revocation_notes"] = notes
        lines = [said.first_line(args.file)]
        if said.verdict in ("VALID", "REVOKED"):
            lines += details[1:]
        lines += [f"  NOTE: {note}" for note in notes]
        ctx.emit(payload, "\n".join(lines))
        return said.exit_code
    ctx.emit(payload, "\n".join(details))
    return 0 if result.valid and not revoked else 1
