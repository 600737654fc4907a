"""`kiosk-backend kiosk set-ward ID WARD` and `kiosk-backend kiosk wards`: which ward each kiosk serves
(issue 24).

A copy's ward, which decides which officers may see and act on it, is the ward of the kiosk that issued it,
as the city set it here: never what a kiosk writes in its records or heartbeats (a kiosk's own claim
cannot move its copies to another ward's officers). Copies a kiosk issued before it had a ward get the
ward when it is first set; until then only city-wide roles (supervisor, admin) see them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from backoffice.services.auth import MAX_WARD, normalize_ward
from backoffice.storage.db import BackendDB
from offline_sync.protocol.errors import BackendError

COMMANDS = ("kiosk",)


class WardError(BackendError):
    exit_code = 2


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], store_options: Callable[..., None]
) -> None:
    kiosk = sub.add_parser("kiosk", help="the kiosks' wards (which officers post-check their copies)")
    actions = kiosk.add_subparsers(dest="kiosk_command", metavar="ACTION")
    set_ward = actions.add_parser("set-ward", help="the ward a kiosk serves (its copies go to that ward)")
    set_ward.add_argument("kiosk_id", help="the kiosk's id, e.g. HN-001")
    set_ward.add_argument("ward", help="the ward's name, as officers' accounts spell it (user add --ward)")
    set_ward.add_argument("--by", default="cli", help="who sets it (for the record; default 'cli')")
    store_options(set_ward)
    listing = actions.add_parser("wards", help="print each kiosk's ward (JSON)")
    store_options(listing)


def run(args: argparse.Namespace, open_db: Callable[[argparse.Namespace], BackendDB]) -> int:
    if args.kiosk_command not in ("set-ward", "wards"):
        sys.stderr.write("kiosk-backend kiosk: give an action: set-ward ID WARD, or wards\n")
        return 2
    if args.kiosk_command == "set-ward":
        ward = normalize_ward(args.ward)
        kiosk_id = str(args.kiosk_id).strip()
        if not ward or len(ward) > MAX_WARD:
            raise WardError(f"a ward is 1-{MAX_WARD} characters", subject=repr(args.ward))
        if not kiosk_id or len(kiosk_id) > 64:
            raise WardError("a kiosk id is 1-64 characters", subject=repr(args.kiosk_id))
    db = open_db(args)
    try:
        if args.kiosk_command == "wards":
            sys.stdout.write(json.dumps(db.kiosk_wards(), ensure_ascii=False, indent=2) + "\n")
            return 0
        assert ward is not None  # checked above
        moved = db.set_kiosk_ward(kiosk_id, ward, by=args.by)
    finally:
        db.close()
    sys.stdout.write(f"kiosk {kiosk_id}: ward {ward} ({moved} earlier copies without a ward given it)\n")
    return 0
