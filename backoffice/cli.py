"""`kiosk-backend`: the reference city backend.

kiosk-backend dev-certs DIR [--kiosk HN-001 ...]   a dev CA, the server cert, client certs per kiosk
kiosk-backend serve --data DIR --tls DIR [--db URL] [--trust PEM]... [--public-port N]
                                                    the kiosks' mTLS API, and the public listener
kiosk-backend user add NAME --role officer|it|admin --data DIR [--db URL]   password on stdin
kiosk-backend approve CODE --officer NAME --data DIR [--db URL]   post-check: the officer signs
kiosk-backend revoke CODE --reason TEXT [--reason-code KEY] --data DIR [--db URL]
kiosk-backend officer-key NAME --data DIR --issuer-cert PEM --issuer-key PEM   a dev officer key
kiosk-backend revoke-kiosk ID --from TIME --issuer-cert PEM --issuer-key PEM --data DIR
                                                    a kiosk's seal key void from TIME on, for every verifier
kiosk-backend revocation-list --issuer-cert PEM --issuer-key PEM --data DIR   sign the list again
kiosk-backend openapi                               print the OpenAPI document
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from backoffice import key_commands, ward_commands
from backoffice.api.kiosk_app import openapi_document
from backoffice.pki import DevPki, create_dev_pki, issue_client_cert
from backoffice.server import BackgroundServer, TlsFiles, make_public_server, make_server
from backoffice.services.auth import OPERATOR, ROLES, add_user, get_user
from backoffice.services.officer_signing import stop_workers
from backoffice.services.postcheck import approve, revoke
from backoffice.services.seals import TRUST_DIR, OfficerTokens, SealChecker, load_trust, make_dev_officer_key
from backoffice.services.wiring import add_serve_arguments, services_from_args
from backoffice.storage.at_rest import load_or_create_key
from backoffice.storage.db import BackendDB
from backoffice.web.public import build_public_app
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
    serve.add_argument(
        "--parent-pid",
        type=int,
        default=0,
        help="stop (gracefully) once process PID is gone: a kiosk demo's child backend, which must not "
        "outlive a kiosk that was killed or ended without its clean-up",
    )
    _officer_token_options(serve)
    key_commands.add_serve_arguments(serve)  # issue 22: seal certificate renewal, the QR decoder's folder
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
    add.add_argument("--role", required=True, choices=list(ROLES))
    add.add_argument("--full-name", default="", help="the name an officer signs with (default: NAME)")
    add.add_argument(
        "--ward",
        default=None,
        help="an officer's ward: they see and act on that ward's copies only (supervisor: every ward)",
    )
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
    revoke.add_argument("--reason", required=True, help="the officer's own words (internal to staff)")
    revoke.add_argument(
        "--reason-code",
        default=None,
        help="the reason the public reads: wrong_document, issued_in_error, identity_doubt, "
        "original_forged or other_reason (default: other_reason, or --reason when it is one of them)",
    )
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

    key_commands.register(sub, _store_options)  # issue 22: revoke-kiosk, revocation-list
    ward_commands.register(sub, _store_options)  # issue 24: kiosk set-ward, kiosk wards
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
        if args.command in key_commands.COMMANDS:
            return key_commands.run(args, open_db)
        if args.command in ward_commands.COMMANDS:
            return ward_commands.run(args, open_db)
        return _serve(args)
    except SyncError as exc:
        sys.stderr.write(f"kiosk-backend {args.command}: {exc.subject + ': ' if exc.subject else ''}{exc}\n")
        return exc.exit_code


def open_db(args: argparse.Namespace, **kw: Any) -> BackendDB:
    """The backend's database and blobs, with the data key under --data (made on first use)."""
    key = load_or_create_key(args.data)
    return BackendDB(args.db or str(args.data / "backend.sqlite3"), args.data / "blobs", data_key=key, **kw)


def _officer_tokens(args: argparse.Namespace) -> Any:
    return OfficerTokens(args.data, module=args.officer_token_module, token_label=args.officer_token_label)


def _user(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.user_command != "add":
        parser.parse_args(["user", "--help"])
        return 2
    password = sys.stdin.readline().rstrip("\r\n")
    db = open_db(args)
    try:
        add_user(db, args.name, password, args.role, args.full_name, ward=args.ward)
        saved = get_user(db, args.name)
    finally:
        db.close()
    sys.stdout.write(f"user {args.name} ({args.role}) saved\n")
    if saved is not None and saved.role == "officer" and not saved.ward:
        sys.stderr.write(
            f"kiosk-backend user add: {args.name}: an officer without a ward sees no copy; give --ward WARD\n"
        )
    return 0


def _post_check(args: argparse.Namespace) -> int:
    db = open_db(args)
    tokens = None
    try:
        if args.command == "approve":
            officer = get_user(db, args.officer)
            if officer is None or officer.role not in ("officer", "supervisor"):
                sys.stderr.write(
                    f"kiosk-backend approve: {args.officer}: no officer account with this name\n"
                )
                return 2
            tokens = _officer_tokens(args)
            state = approve(
                db,
                args.code,
                username=officer.username,
                full_name=officer.full_name,
                approver=tokens,
                user=officer,
            )
        else:
            # An account's name: within its ward. The default 'cli': the server's operator, city-wide.
            actor = get_user(db, args.officer) or (OPERATOR if args.officer == OPERATOR.username else None)
            if actor is None:
                sys.stderr.write(f"kiosk-backend revoke: {args.officer}: no account with this name\n")
                return 2
            state = revoke(
                db,
                args.code,
                username=actor.username,
                reason=args.reason,
                reason_code=args.reason_code,
                user=actor,
            )
    finally:
        if tokens is not None:
            tokens.close()  # finish the signature and log out of the token
        db.close()
    sys.stdout.write(json.dumps({"code": state["code"], "status": state["status"]}) + "\n")
    return 0


def _officer_key(args: argparse.Namespace) -> int:
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
    db = open_db(args, seal_checker=key_commands.guarded_checker(args, checker))
    public = None
    services = None
    try:
        services = services_from_args(
            args, db, load_or_create_key(args.data), secure_cookies=not args.insecure_cookies
        ).start()
        issue22 = key_commands.serve_parts(args, db)
        server = make_server(
            db,
            TlsFiles(pki.server_cert, pki.server_key, pki.ca_cert, crl=_crl(args)),
            host=args.host,
            port=args.port,
            log_level=args.log_level,
            after_ingest=[*services.ingest_hooks(), *issue22.ingest_hooks()],
            route_factories=issue22.route_factories(),
            hold_email_secrets=services.delivery.hold_email_secrets,
        )
        if args.public_port:
            app = build_public_app(
                db,
                approver=_officer_tokens(args),
                secure_cookies=not args.insecure_cookies,
                extra_routes=services.public_routes(),
                **key_commands.public_options(args),
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
        with _graceful_signals():
            if args.parent_pid:
                _stop_when_orphaned(server, args.parent_pid)
            server.run()  # SIGTERM/SIGINT: stop accepting, finish the requests in flight, return
    finally:
        if public is not None:
            public.stop()  # its requests in flight finish too
        stop_workers()  # the officer tokens' queued signatures finish, then log out
        if services is not None:
            services.stop()
        db.close()
        if checker is not None:
            checker.close()  # the seal-check processes exit with the server (no orphans)
    return 0


def _stop_when_orphaned(server: Any, parent_pid: int, period_s: float = 1.0) -> threading.Thread:
    """A daemon thread that asks ``server`` to stop as SIGTERM would once ``parent_pid`` is no longer this
    process's parent (it exited, even by SIGKILL or ``os._exit``, and the child was re-parented)."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(period_s)
        log.warning("stopping: the parent process %d is gone", parent_pid)
        server.should_exit = True

    watcher = threading.Thread(target=watch, name="parent-watch", daemon=True)
    watcher.start()
    return watcher


@contextlib.contextmanager
def _graceful_signals() -> Iterator[None]:
    """While serving, SIGTERM and SIGINT only note that a stop was asked. uvicorn catches them to shut down
    gracefully, then raises the signal again with the handler it found: with Python's default handlers
    that killed the process right there, before this function's cleanup, leaving the seal-check
    processes orphaned (issue 24). With these handlers, the re-raised signal is a no-op and the cleanup
    runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    asked: list[int] = []

    def note(signum: int, _frame: object) -> None:
        asked.append(signum)

    previous = {sig: signal.signal(sig, note) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if asked:
            log.warning("stopping on %s: requests in flight finished", signal.Signals(asked[0]).name)


if __name__ == "__main__":
    raise SystemExit(main())
