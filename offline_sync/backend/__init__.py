"""The reference city backend: HTTPS with client certificates, idempotent ingest, blob storage, lookup,
fleet view, OpenAPI. SQLite by default, PostgreSQL by URL."""

from offline_sync.backend.app import build_app, openapi_document
from offline_sync.backend.db import BackendDB
from offline_sync.backend.pki import DevPki, create_dev_pki, issue_client_cert
from offline_sync.backend.server import BackgroundServer, TlsFiles, make_server

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
