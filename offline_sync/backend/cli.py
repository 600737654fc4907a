"""`kiosk-backend`: the reference city backend.

kiosk-backend dev-certs DIR [--kiosk HN-001 ...]   a dev CA, the server cert, client certs per kiosk
kiosk-backend serve --data DIR --tls DIR [--db URL] [--host 127.0.0.1] [--port 8443]
kiosk-backend openapi                               print the OpenAPI document
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from offline_sync.backend.app import openapi_document
from offline_sync.backend.db import BackendDB
from offline_sync.backend.pki import DevPki, create_dev_pki, issue_client_cert
from offline_sync.backend.server import TlsFiles, make_server
from offline_sync.errors import SyncError

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk-backend", description="Reference city backend for kiosk sync."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = sub.add_parser("serve", help="serve the API over HTTPS with client certificates")
    serve.add_argument(
        "--data", required=True, type=Path, help="folder for the SQLite file and the PDF blobs"
    )
    serve.add_argument("--tls", required=True, type=Path, help="folder with ca.crt, server.crt, server.key")
    serve.add_argument("--db", default="", help="database URL: postgresql://... (default: SQLite in --data)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8443)
    serve.add_argument("--log-level", default="warning", choices=["debug", "info", "warning", "error"])
    certs = sub.add_parser("dev-certs", help="create a development CA, server and kiosk client certificates")
    certs.add_argument("folder", type=Path)
    certs.add_argument("--kiosk", action="append", default=[], help="kiosk id to issue a client cert for")
    certs.add_argument(
        "--host", action="append", default=[], help="server host name or IP (default: loopback)"
    )
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
        return _serve(args)
    except SyncError as exc:
        sys.stderr.write(f"kiosk-backend {args.command}: {exc.subject + ': ' if exc.subject else ''}{exc}\n")
        return exc.exit_code


def _serve(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if not 0 < args.port < 65536:
        sys.stderr.write(f"kiosk-backend serve: --port {args.port}: not a TCP port\n")
        return 2
    pki = DevPki(args.tls / "ca.crt", args.tls / "ca.key", args.tls / "server.crt", args.tls / "server.key")
    db = BackendDB(args.db or str(args.data / "backend.sqlite3"), args.data / "blobs")
    try:
        server = make_server(
            db,
            TlsFiles(pki.server_cert, pki.server_key, pki.ca_cert),
            host=args.host,
            port=args.port,
            log_level=args.log_level,
        )
        server.run()
    finally:
        db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
