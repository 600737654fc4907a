"""`kiosk-backend revoke-kiosk` and `kiosk-backend revocation-list`: revoking a kiosk's seal key for every
verifier (issue 22).

kiosk-backend revoke-kiosk ID --from TIME --issuer-cert PEM --issuer-key PEM [--cert PEM]... --data DIR
    every seal certificate of kiosk ID the city knows (or the --cert ones) is revoked: seals it made at or
    after TIME are void. The signed list is written to DATA/kiosk-revocations.pem, which the public
    listener serves (GET /api/public/kiosk-revocations) and `kiosk verify` uses.
kiosk-backend revocation-list --issuer-cert PEM --issuer-key PEM --data DIR
    sign the list again with a fresh next-update time (run it daily: a list past its next update is stale)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from cryptography import x509

from backoffice.api.kiosk_app import IngestHook, RouteFactory
from backoffice.api.kiosk_keys_api import kiosk_key_routes
from backoffice.services.access_tokens import TokenBook
from backoffice.services.kiosk_keys import (
    REVOCATION_FILE,
    KioskKeyError,
    KioskKeys,
    RevocationGuard,
    SealIssuer,
    parse_time,
)
from backoffice.services.seals import SealChecker
from backoffice.storage.db import BackendDB, SealCheck

COMMANDS = ("revoke-kiosk", "revocation-list")


def _issuer_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--issuer-cert", required=True, type=Path, help="the city CA that issued the seal certificates"
    )
    parser.add_argument("--issuer-key", required=True, type=Path, help="its key (PEM, encrypted or not)")
    parser.add_argument(
        "--issuer-passphrase-env", default="KIOSK_KEY_PASSPHRASE", help="variable with the key's passphrase"
    )
    parser.add_argument(
        "--next-update-days", type=float, default=7.0, help="days until the list is due again"
    )


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], store_options: Callable[..., None]
) -> None:
    revoke = sub.add_parser(
        "revoke-kiosk", help="revoke a kiosk's seal key for every verifier from a time on"
    )
    revoke.add_argument("kiosk", help="the kiosk id, e.g. HN-001")
    revoke.add_argument(
        "--from",
        dest="void_from",
        required=True,
        help="seals made from this time on are void (ISO 8601, or now)",
    )
    revoke.add_argument(
        "--cert",
        action="append",
        type=Path,
        default=[],
        help="a seal certificate to revoke (default: all known)",
    )
    revoke.add_argument("--actor", default="cli", help="who revokes (for the audit trail)")
    _issuer_options(revoke)
    store_options(revoke)
    publish = sub.add_parser("revocation-list", help="sign and publish the kiosk revocation list again")
    _issuer_options(publish)
    store_options(publish)


def run(args: argparse.Namespace, open_db: Callable[[argparse.Namespace], BackendDB]) -> int:
    """Exit status: 0 done, 2 bad input (KioskKeyError and the like are raised to the CLI's handler)."""
    if args.next_update_days <= 0:
        raise KioskKeyError("must be more than 0", subject="--next-update-days")
    issuer = SealIssuer.load(args.issuer_cert, args.issuer_key, os.environ.get(args.issuer_passphrase_env))
    certs = []
    if args.command == "revoke-kiosk":
        void_from = parse_time(args.void_from)
        for path in args.cert:
            try:
                certs.append(x509.load_pem_x509_certificate(Path(path).read_bytes()))
            except (OSError, ValueError):
                raise KioskKeyError("not a readable PEM certificate", subject=str(path)) from None
    db = open_db(args)
    try:
        keys = KioskKeys(db)
        revoked = []
        if args.command == "revoke-kiosk":
            revoked = keys.revoke(args.kiosk, void_from, actor=args.actor, certs=certs)
        target = Path(args.data) / REVOCATION_FILE
        keys.publish(issuer, target, next_update=timedelta(days=args.next_update_days))
        total = len(keys.entries())
    finally:
        db.close()
    out = {"list": str(target), "entries": total, "revoked": [e.to_json() for e in revoked]}
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


# ---------------------------------------------------------------------- `kiosk-backend serve` wiring


def add_serve_arguments(serve: argparse.ArgumentParser) -> None:
    """`kiosk-backend serve` options of issue 22."""
    serve.add_argument(
        "--seal-issuer-cert",
        type=Path,
        default=None,
        help="the city CA that renews kiosk seal certificates over mTLS (with --seal-issuer-key)",
    )
    serve.add_argument("--seal-issuer-key", type=Path, default=None, help="its key (PEM)")
    serve.add_argument(
        "--seal-issuer-passphrase-env",
        default="KIOSK_KEY_PASSPHRASE",
        help="variable with that key's passphrase",
    )
    serve.add_argument(
        "--seal-cert-days", type=int, default=90, help="validity of a renewed seal certificate"
    )
    serve.add_argument(
        "--web-vendor",
        type=Path,
        default=None,
        help="folder of the npm packages the pages use (default: var/web-vendor)",
    )


def guarded_checker(args: argparse.Namespace, checker: SealChecker | None) -> SealCheck | None:
    """The upload seal check with the kiosk revocation list of DATA (a revoked key's copies are refused)."""
    if checker is None:
        return None
    return RevocationGuard(checker, Path(args.data) / REVOCATION_FILE, checker.trust)


@dataclass
class ServeParts:
    keys: KioskKeys
    tokens: TokenBook
    issuer: SealIssuer | None

    def ingest_hooks(self) -> list[IngestHook]:
        return [self.keys.record_signers]

    def route_factories(self) -> list[RouteFactory]:
        return [kiosk_key_routes(self.keys, self.tokens, self.issuer)]


def serve_parts(args: argparse.Namespace, db: BackendDB) -> ServeParts:
    issuer = None
    if args.seal_issuer_cert or args.seal_issuer_key:
        if not (args.seal_issuer_cert and args.seal_issuer_key):
            raise KioskKeyError("give both --seal-issuer-cert and --seal-issuer-key", subject="serve")
        issuer = SealIssuer.load(
            args.seal_issuer_cert,
            args.seal_issuer_key,
            os.environ.get(args.seal_issuer_passphrase_env),
            days=args.seal_cert_days,
        )
    return ServeParts(KioskKeys(db), TokenBook(db), issuer)


def public_options(args: argparse.Namespace) -> dict[str, Any]:
    """build_public_app's issue-22 arguments."""
    return {"revocation_list": Path(args.data) / REVOCATION_FILE, "vendor_dir": args.web_vendor}
