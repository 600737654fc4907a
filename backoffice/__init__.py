"""The reference city backend: HTTPS with client certificates, idempotent ingest, blob storage, lookup,
fleet view, OpenAPI. SQLite by default, PostgreSQL by URL."""

from backoffice.api.kiosk_app import build_app, openapi_document
from backoffice.pki import DevPki, create_dev_pki, issue_client_cert
from backoffice.server import BackgroundServer, TlsFiles, make_server
from backoffice.storage.db import BackendDB

__all__ = [
    "BackendDB",
    "BackgroundServer",
    "DevPki",
    "TlsFiles",
    "build_app",
    "create_dev_pki",
    "issue_client_cert",
    "make_server",
    "openapi_document",
]
