"""`kiosk-backend`: the reference city backend.

kiosk-backend dev-certs DIR [--kiosk HN-001 ...]   a dev CA, the server cert, client certs per kiosk
kiosk-backend serve --data DIR --tls DIR [--db URL] [--trust PEM]... [--public-port N]
                                                    the kiosks' mTLS API, and the public listener
kiosk-backend user add NAME --role officer|it|admin --data DIR [--db URL]   password on stdin
kiosk-backend approve CODE --officer NAME --data DIR [--db URL]   post-check: the officer signs
kiosk-backend revoke CODE --reason TEXT --data DIR [--db URL]
kiosk-backend officer-key NAME --data DIR --issuer-cert PEM --issuer-key PEM   a dev officer key
kiosk-backend openapi                               print the OpenAPI document
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from backoffice.api.kiosk_app import openapi_document
from backoffice.pki import DevPki, create_dev_pki, issue_client_cert
from backoffice.server import TlsFiles, make_server
from backoffice.services.wiring import add_serve_arguments, services_from_args
from backoffice.storage.db import BackendDB
from offline_sync.protocol.errors import SyncError

log = logging.getLogger(__name__)

DEFAULT_OFFICER_MODULE = "/usr/lib/softhsm/libsofthsm2.so"


def _store_options(parser: argparse.ArgumentParser, data_help: str = "the backend's data folder") -> None:
    parser.add_argument("--data", required=True, type=Path, help=data_help)
    parser.add_argument("--db", default="", help="database URL: postgresql://... (default: SQLite in --data)")


def _officer_token_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--officer-token-module", default=DEFAULT_OFFICER_MODULE, help="PKCS#11 module of the officers' keys"
    )
    parser.add_argument(
        "--officer-token-label", default="officer", help="token holding the keys (PIN: $KIOSK_OFFICER_PIN)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk-backend", description="Reference city backend for kiosk sync."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = sub.add_parser("serve", help="serve the API over HTTPS with client certificates")
    _store_options(serve, "folder for the SQLite file, the PDF blobs, the data key and trust/")
    serve.add_argument("--tls", required=True, type=Path, help="folder with ca.crt, server.crt, server.key")
    add_serve_arguments(serve)  # issue 17: --smtp-url, --public-url, --attach-pdf, --silent-minutes ...
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8443)
    serve.add_argument(
        "--trust",
        action="append",
        type=Path,
        default=[],
        help="a city root (PEM file or folder) that kiosk seal certificates chain to; repeatable "
        "(default: the PEM files in DATA/trust/)",
    )
    serve.add_argument(
        "--crl",
        type=Path,
        default=None,
        help="the kiosk CA's revocation list (PEM): revoked kiosk certificates are refused "
        "(default: TLS/crl.pem when it exists)",
    )
    serve.add_argument(
        "--public-port", type=int, default=0, help="port of the public listener (status, staff console)"
    )
    serve.add_argument("--public-host", default="", help="host of the public listener (default: --host)")
    serve.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        help="address of the reverse proxy whose X-Forwarded-For names the client (repeatable)",
    )
    serve.add_argument(
        "--insecure-cookies",
        action="store_true",
        help="session cookies without the Secure flag (development over plain HTTP on a LAN only)",
    )
    serve.add_argument(
        "--dev-no-seal-check",
        action="store_true",
        help="store uploads without checking their seal (transport tests that upload generated PDFs only)",
    )
    serve.add_argument(
        "--seal-workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes that check uploads' seals (default: one per core; 0: in the server threads)",
    )
    _officer_token_options(serve)
    serve.add_argument("--log-level", default="warning", choices=["debug", "info", "warning", "error"])

    certs = sub.add_parser("dev-certs", help="create a development CA, server and kiosk client certificates")
    certs.add_argument("folder", type=Path)
    certs.add_argument("--kiosk", action="append", default=[], help="kiosk id to issue a client cert for")
    certs.add_argument(
        "--host", action="append", default=[], help="server host name or IP (default: loopback)"
    )

    user = sub.add_parser("user", help="staff accounts")
    user_sub = user.add_subparsers(dest="user_command", metavar="ACTION")
    add = user_sub.add_parser("add", help="create or replace an account; the password is read from stdin")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=["officer", "it", "admin"])
    add.add_argument("--full-name", default="", help="the name an officer signs with (default: NAME)")
    _store_options(add)

    approve = sub.add_parser(
        "approve", help="post-check a copy: the officer's signature, status post_checked"
    )
    approve.add_argument("code")
    approve.add_argument("--officer", required=True, help="the officer's user name")
    _store_options(approve)
    _officer_token_options(approve)

    revoke = sub.add_parser("revoke", help="revoke a copy with a reason")
    revoke.add_argument("code")
    revoke.add_argument("--reason", required=True)
    revoke.add_argument("--officer", default="cli", help="who revokes (an account name; default 'cli')")
    _store_options(revoke)

    officer = sub.add_parser(
        "officer-key", help="development: an officer's key on the token and a certificate"
    )
    officer.add_argument("name", help="the officer's user name")
    officer.add_argument("--full-name", default="", help="the name in the certificate (default: NAME)")
    officer.add_argument("--data", required=True, type=Path)
    officer.add_argument("--issuer-cert", required=True, type=Path, help="the dev city root (PEM)")
    officer.add_argument("--issuer-key", required=True, type=Path, help="its key (PEM, encrypted or not)")
    officer.add_argument(
        "--issuer-passphrase-env", default="KIOSK_KEY_PASSPHRASE", help="variable with the key's passphrase"
    )
    _officer_token_options(officer)

    sub.add_parser("openapi", help="print the OpenAPI document")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    try:
        if args.command == "openapi":
            sys.stdout.write(json.dumps(openapi_document(), indent=2) + "\n")
            return 0
        if args.command == "dev-certs":
            pki = create_dev_pki(args.folder, hosts=tuple(args.host) or ("127.0.0.1", "localhost", "::1"))
            for kiosk in args.kiosk:
                issue_client_cert(pki, kiosk, args.folder / f"{kiosk}.crt", args.folder / f"{kiosk}.key")
            sys.stdout.write(f"wrote {pki.ca_cert}, {pki.server_cert} and {len(args.kiosk)} client cert(s)\n")
            return 0
        if args.command == "user":
            return _user(args, parser)
        if args.command in ("approve", "revoke"):
            return _post_check(args)
        if args.command == "officer-key":
            return _officer_key(args)
        return _serve(args)
    except SyncError as exc:
        sys.stderr.write(f"kiosk-backend {args.command}: {exc.subject + ': ' if exc.subject else ''}{exc}\n")
        return exc.exit_code


def open_db(args: argparse.Namespace, **kw: Any) -> BackendDB:
    """The backend's database and blobs, with the data key under --data (made on first use)."""
    from backoffice.storage.at_rest import load_or_create_key

    key = load_or_create_key(args.data)
    return BackendDB(args.db or str(args.data / "backend.sqlite3"), args.data / "blobs", data_key=key, **kw)


def _officer_tokens(args: argparse.Namespace) -> Any:
    from backoffice.services.seals import OfficerTokens

    return OfficerTokens(args.data, module=args.officer_token_module, token_label=args.officer_token_label)


def _user(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from backoffice.services.auth import add_user

    if args.user_command != "add":
        parser.parse_args(["user", "--help"])
        return 2
    password = sys.stdin.readline().rstrip("\r\n")
    db = open_db(args)
    try:
        add_user(db, args.name, password, args.role, args.full_name)
    finally:
        db.close()
    sys.stdout.write(f"user {args.name} ({args.role}) saved\n")
    return 0


def _post_check(args: argparse.Namespace) -> int:
    from backoffice.services.auth import get_user
    from backoffice.services.postcheck import approve, revoke

    db = open_db(args)
    try:
        if args.command == "approve":
            officer = get_user(db, args.officer)
            if officer is None or officer.role != "officer":
                sys.stderr.write(
                    f"kiosk-backend approve: {args.officer}: no officer account with this name\n"
                )
                return 2
            state = approve(
                db,
                args.code,
                username=officer.username,
                full_name=officer.full_name,
                approver=_officer_tokens(args),
            )
        else:
            state = revoke(db, args.code, username=args.officer, reason=args.reason)
    finally:
        db.close()
    sys.stdout.write(json.dumps({"code": state["code"], "status": state["status"]}) + "\n")
    return 0


def _officer_key(args: argparse.Namespace) -> int:
    from backoffice.services.seals import make_dev_officer_key

    path = make_dev_officer_key(
        args.data,
        username=args.name,
        full_name=args.full_name or args.name,
        issuer_cert=args.issuer_cert,
        issuer_key=args.issuer_key,
        passphrase=os.environ.get(args.issuer_passphrase_env),
        module=args.officer_token_module,
        token_label=args.officer_token_label,
    )
    sys.stdout.write(f"officer {args.name}: key on token '{args.officer_token_label}', certificate {path}\n")
    return 0


def _crl(args: argparse.Namespace) -> Path | None:
    if args.crl is not None:
        return Path(args.crl)
    default = Path(args.tls) / "crl.pem"
    return default if default.is_file() else None


def _serve(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for name in ("port", "public_port"):
        value = getattr(args, name)
        if not 0 < value < 65536 and not (name == "public_port" and value == 0):
            sys.stderr.write(f"kiosk-backend serve: --{name.replace('_', '-')} {value}: not a TCP port\n")
            return 2
    checker = None
    if not args.dev_no_seal_check:
        from backoffice.services.seals import TRUST_DIR, SealChecker, load_trust

        roots = list(args.trust) or [args.data / TRUST_DIR]
        for root in roots:
            if not root.exists():
                sys.stderr.write(
                    f"kiosk-backend serve: {root}: no city root to check kiosk seals against "
                    "(give --trust PEM, or put the roots in DATA/trust/)\n"
                )
                return 2
        checker = SealChecker(load_trust(roots), workers=max(0, args.seal_workers))
    pki = DevPki(args.tls / "ca.crt", args.tls / "ca.key", args.tls / "server.crt", args.tls / "server.key")
    db = open_db(args, seal_checker=checker)
    public = None
    services = None
    try:
        from backoffice.storage.at_rest import load_or_create_key

        services = services_from_args(
            args, db, load_or_create_key(args.data), secure_cookies=not args.insecure_cookies
        ).start()
        server = make_server(
            db,
            TlsFiles(pki.server_cert, pki.server_key, pki.ca_cert, crl=_crl(args)),
            host=args.host,
            port=args.port,
            log_level=args.log_level,
            after_ingest=services.ingest_hooks(),
        )
        if args.public_port:
            from backoffice.server import BackgroundServer, make_public_server
            from backoffice.web.public import build_public_app

            app = build_public_app(
                db,
                approver=_officer_tokens(args),
                secure_cookies=not args.insecure_cookies,
                extra_routes=services.public_routes(),
            )
            public = BackgroundServer(
                make_public_server(
                    app,
                    host=args.public_host or args.host,
                    port=args.public_port,
                    log_level=args.log_level,
                    trusted_proxies=args.trusted_proxy,
                )
            ).start()
        server.run()
    finally:
        if public is not None:
            public.stop()
        if services is not None:
            services.stop()
        db.close()
        if checker is not None:
            checker.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
