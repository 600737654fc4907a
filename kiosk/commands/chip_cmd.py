"""`kiosk id chip`: read the CCCD chip on the configured reader and authenticate it.

The chip's access key (BAC) comes from the card's QR: the card image given with ``--card``, else the card
lying on the configured scanner (the simulated glass holds the sample citizen's card); or from
``--number``, ``--birth`` and ``--expiry`` (the MRZ on the back). The JSON has the ``kiosk id read``
keys from the chip (DG13), ``passive_authentication`` (``valid`` or the failure reason),
``chip_authentication`` (one verdict over the anti-cloning checks: ``valid``, ``failed``, ``not_supported``,
``not_offered``), ``active_authentication`` (DG15's: the same verdicts, with ``active_authentication_detail``
naming the check that failed, e.g. ``digest_mismatch``, and ``active_authentication_algorithm``, e.g.
``rsa-iso9796-2/sha1``), and ``qr_check`` when a QR gave the key. ``reason`` is ``aa_failed`` for a chip
whose Active Authentication answer does not verify (a copy), ``aa_unsupported`` for a DG15 key the kiosk
cannot verify, ``chip_authentication_failed`` for a failed Chip Authentication.
``dg13`` says where the fields came from: ``present`` (DG13), ``absent`` (a CCCD chip without DG13: the
name is the MRZ's, ``name_source`` ``mrz``, and ``issue_date`` and ``address`` are null, not known), or
``not_applicable`` (a passport, ``document_type`` ``passport``, or another country's ID card: the MRZ
gives the document number, name, nationality, date of birth, sex and expiry).

Whatever goes wrong is a ``reason`` key: with ``--json`` the command prints ``{"ok": false, "reason":
..., "message": ..., "detail": ...}`` (``sod_malformed``, ``dg1_malformed``, ``chip_read_failed``,
``bac_failed``...), and one line on stderr; never a traceback.

Exit status: 0 a genuine chip; 1 a chip that fails passive or active authentication, or whose data
disagrees with the card's QR; 2 bad input (no card, no chip, a wrong access key, a card moved away);
3 no reader.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date
from typing import Any

from kiosk.commands._common import CommandContext, add_common_options, load_image_file
from kiosk.commands._kiosk_app import kiosk_app
from kiosk.errors import BadInputError, UnavailableError
from kiosk.identity import CardData, read_card
from kiosk.identity.chip import aa
from kiosk.identity.chip.errors import ChipError, ChipRefused
from kiosk.identity.chip.holder import DG13_ABSENT, DG13_NOT_APPLICABLE
from kiosk.identity.chip.identity import ChipIdentity, bac_key_for, cross_check, read_identity
from kiosk.identity.chip.mrz import BacKey, document_number_for
from kiosk.runtime.logs import register_sensitive

log = logging.getLogger(__name__)


def register_chip(id_sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    chip = id_sub.add_parser("chip", help="read and authenticate the CCCD chip on the chip reader")
    add_common_options(chip)
    chip.add_argument("--card", metavar="CARD_IMAGE", help="the card front whose QR gives the chip's key")
    chip.add_argument("--number", help="the ID number (or the MRZ's document number) for the chip's key")
    chip.add_argument("--birth", metavar="YYYY-MM-DD", help="date of birth, for the chip's key")
    chip.add_argument("--expiry", metavar="YYYY-MM-DD", help="date of expiry (default: from the law's ages)")
    chip.add_argument("--wait", type=float, default=None, metavar="S", help="seconds to wait for a card")
    chip.set_defaults(handler=run_id_chip)


def _iso(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadInputError(f"{what} must be YYYY-MM-DD, not {text!r}", subject=what) from None


def run_id_chip(args: argparse.Namespace, ctx: CommandContext) -> int:
    app = kiosk_app(ctx)
    reader = app.devices.chip_reader
    if reader is None:
        raise UnavailableError(
            'no chip reader is configured ([devices.chip_reader] type = "none")', subject="chip_reader"
        )
    identity_settings = ctx.config.identity
    qr: CardData | None = None
    if args.number or args.birth:
        if not (args.number and args.birth and args.expiry):
            raise BadInputError("--number, --birth and --expiry go together", subject="kiosk id chip")
        key = BacKey(
            document_number_for(args.number), _iso(args.birth, "--birth"), _iso(args.expiry, "--expiry")
        )
    else:
        if args.card:
            image = load_image_file(args.card, "the card image")
        else:
            app.prompted("card")
            image = app.devices.scanner.scan()
        qr = read_card(image)
        image.fill(0)
        register_sensitive(qr.full_name, qr.id_number)
        key = bac_key_for(qr, expiry=_iso(args.expiry, "--expiry") if args.expiry else None)
    wait = identity_settings.chip_wait_s if args.wait is None else max(0.0, args.wait)
    try:
        identity = read_identity(
            reader, key, app.chip_trust, time_limit_s=identity_settings.chip_time_limit_s, wait_s=wait
        )
    except (ChipError, ChipRefused) as exc:
        return _report_failure(ctx, exc)
    holder = identity.holder
    register_sensitive(holder.full_name, *[v for v in (holder.id_number, holder.document_number) if v])
    payload: dict[str, Any] = identity.to_json()
    payload["masked_id"] = holder.masked_id()
    mismatches: list[str] = []
    if qr is not None:
        mismatches = cross_check(holder, qr)
        payload["qr_check"] = {"agrees": not mismatches, "mismatches": mismatches}
    refusal = identity.refusal
    payload["ok"] = not (refusal or mismatches)
    payload["reason"] = refusal or ("qr_mismatch" if mismatches else None)
    ctx.emit(payload, _human(identity, payload, mismatches))
    return 1 if refusal or mismatches else 0


def _report_failure(ctx: CommandContext, exc: ChipError | ChipRefused) -> int:
    """A read that ended in a reason: the JSON says it (``ok`` false, ``reason``), stderr has one line."""
    sys.stderr.write(f"kiosk id chip: {exc} (reason: {exc.reason})\n")
    if ctx.as_json:
        payload = {"ok": False, "reason": exc.reason, "message": str(exc), "detail": exc.detail}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    return exc.exit_code


def _dg13_line(identity: ChipIdentity) -> str:
    if identity.dg13_status == DG13_ABSENT:
        return "absent: a CCCD chip without DG13; the name is the MRZ's, no issue date or address"
    if identity.dg13_status == DG13_NOT_APPLICABLE:
        return f"not applicable ({identity.holder.document_type})"
    return "present"


def _active_line(identity: ChipIdentity) -> str:
    read = identity.read
    parts = [read.active_authentication]
    if read.active_authentication_algorithm:
        parts.append(f"({read.active_authentication_algorithm})")
    if read.active_authentication_detail:
        parts.append(
            f"- {aa.DETAILS.get(read.active_authentication_detail, read.active_authentication_detail)}"
        )
    return " ".join(parts)


def _human(identity: ChipIdentity, payload: dict[str, Any], mismatches: list[str]) -> str:
    holder = identity.holder
    return "\n".join(
        [
            f"Document:               {holder.document_type} {holder.issuing_state}",
            f"Document number:        {holder.document_number}",
            f"ID number:              {holder.id_number or '-'}",
            f"Full name:              {holder.full_name}"
            + (" (from the MRZ)" if holder.name_source == "mrz" else ""),
            f"Date of birth:          {holder.date_of_birth.isoformat()}",
            f"Sex:                    {holder.sex or '-'}",
            f"Nationality:            {holder.nationality}",
            f"Address:                {holder.address or '-'}",
            f"Issue date:             {holder.issue_date.isoformat() if holder.issue_date else '-'}",
            f"Expiry date:            {payload['expiry_date'] or '-'}",
            f"DG13:                   {_dg13_line(identity)}",
            f"Portrait (DG2):         {payload['portrait'] or '-'}",
            f"Passive authentication: {identity.passive.status}"
            + (f" ({identity.passive.detail})" if identity.passive.detail else ""),
            f"Chip authentication:    {identity.chip_authentication}",
            f"Active authentication:  {_active_line(identity)}",
            f"Read:                   {identity.read.apdus} APDUs in {identity.read.seconds:.2f} s",
        ]
        + ([f"QR check:               disagrees on {', '.join(mismatches)}"] if mismatches else [])
    )
