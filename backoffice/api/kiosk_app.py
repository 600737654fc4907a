"""The reference city backend: a Starlette app behind uvicorn with client-certificate TLS.

The kiosk is whoever its client certificate names (the certificate's common name is the kiosk id):
a kiosk may upload only its own records, heartbeats and log lines, and reads back only its own records,
log lines and fleet entry (another kiosk's record is "not found", so codes cannot be probed). With a seal
checker on the database (``kiosk-backend serve`` always has one), an upload is stored only when its code
carries the kiosk's prefix and a correct check character and its PDF is that kiosk's certified copy of
that code (see BackendDB.ingest). Every answer is JSON; bad input is a 4xx with an `error` message,
never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from backoffice.api.holder_check import holder_check_routes
from backoffice.api.openapi_paths import kiosk_api_paths
from backoffice.services.auth import audit
from backoffice.services.payments import payment_routes
from backoffice.services.staff_calls import staff_call_routes
from backoffice.storage.db import BackendDB
from offline_sync.protocol import (
    API_PREFIX,
    MAX_BATCH,
    BatchResult,
    Heartbeat,
    HeartbeatBatch,
    IngestResult,
    RecordBatch,
    RecordUpload,
    SyncLogBatch,
)

log = logging.getLogger(__name__)

# A record is at most a 50 MB PDF in base64 (67 MB) plus its text; the worker keeps batches smaller.
MAX_BODY_BYTES = 72 * 1024 * 1024
MAX_SMALL_BODY_BYTES = 8 * 1024 * 1024  # heartbeats and log lines
TLS_EXTENSION = "kiosk.tls"


class HttpProblem(Exception):
    def __init__(self, status: int, error: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.headers = headers or {}


def _problem(status: int, error: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": error}, status_code=status, headers=headers)


def client_kiosk(request: Request) -> str:
    """The kiosk id from the verified client certificate (set by the TLS protocol, see server.py)."""
    tls = request.scope.get("extensions", {}).get(TLS_EXTENSION) or {}
    kiosk = tls.get("client_cn")
    if not kiosk:
        raise HttpProblem(401, "a client certificate is required")
    return str(kiosk)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, read chunk by chunk and refused (413) as soon as it passes ``limit`` bytes,
    whether it came with a Content-Length or chunked."""
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > limit):
        raise HttpProblem(413, f"body larger than {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HttpProblem(413, f"body larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _read_json_model(request: Request, model: type[BaseModel], limit: int = MAX_BODY_BYTES) -> Any:
    body = await read_body(request, limit)
    if not body:
        raise HttpProblem(400, "empty body: expected a JSON object")
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(body)"
        raise HttpProblem(400, f"{where}: {first['msg']} ({exc.error_count()} problem(s))") from None


Endpoint = Callable[[Request], Awaitable[Response]]


IngestHook = Callable[[Sequence[RecordUpload], Sequence[IngestResult]], Any]
# Issue 25: receives {code: retrieval secret} of the e-mails to send, before the records (stripped of the
# secret) are stored; the delivery service keeps them in memory only.
EmailSecretSink = Callable[[dict[str, str]], None]
# More kiosk API routes, built with the app's error guard (issue 22: seal certificate renewal, copy facts).
RouteFactory = Callable[[Callable[[Endpoint], Endpoint]], Sequence[Route]]


def build_app(
    db: BackendDB,
    *,
    after_ingest: Sequence[IngestHook] = (),
    route_factories: Sequence[RouteFactory] = (),
    hold_email_secrets: EmailSecretSink | None = None,
) -> Starlette:
    async def ingested(records: Sequence[RecordUpload], kiosk: str) -> list[IngestResult]:
        """db.ingest, then the hooks (delivery queue, KPI rows); a failing hook never fails the upload.
        A record's e-mail retrieval secret is taken out first: neither the database nor a hook sees it."""
        email_secrets = {
            rec.code: rec.retrieval_secret_for_email for rec in records if rec.retrieval_secret_for_email
        }
        if email_secrets:
            records = [rec.model_copy(update={"retrieval_secret_for_email": None}) for rec in records]
            if hold_email_secrets is not None:
                hold_email_secrets(email_secrets)
        results = await run_in_threadpool(db.ingest, records, kiosk)
        for hook in after_ingest:
            try:
                await run_in_threadpool(hook, records, results)
            except Exception:
                log.exception("an after-ingest hook failed for %d record(s)", len(records))
        return results

    def guarded(fn: Endpoint) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            try:
                params = [*request.path_params.values(), *request.query_params.values()]
                if any("\x00" in str(value) for value in params):
                    raise HttpProblem(400, "NUL characters are not allowed in the URL")
                return await fn(request)
            except HttpProblem as exc:
                return _problem(exc.status, exc.error, exc.headers)
            except Exception:
                log.exception("backend error on %s %s", request.method, request.url.path)
                return _problem(503, "temporarily unavailable, retry later", {"Retry-After": "1"})

        return endpoint

    async def upload_record(request: Request) -> Response:
        kiosk = client_kiosk(request)
        key = request.headers.get("idempotency-key")
        if not key:
            raise HttpProblem(400, "the Idempotency-Key header is required (the record code)")
        record: RecordUpload = await _read_json_model(request, RecordUpload)
        if key != record.code:
            raise HttpProblem(400, "Idempotency-Key must equal the record code")
        (result,) = await ingested([record], kiosk)
        headers = {"Idempotent-Replayed": "true"} if result.replayed else {}
        return JSONResponse(result.model_dump(mode="json"), status_code=result.status, headers=headers)

    async def upload_batch(request: Request) -> Response:
        kiosk = client_kiosk(request)
        batch: RecordBatch = await _read_json_model(request, RecordBatch)
        results = await ingested(batch.records, kiosk)
        return JSONResponse(BatchResult(results=results).model_dump(mode="json"))

    async def get_record(request: Request) -> Response:
        kiosk = client_kiosk(request)
        code = request.path_params["code"]
        found = await run_in_threadpool(db.get_record, code, kiosk)
        if found is None:
            raise HttpProblem(404, f"no record with code {code!r}")
        return JSONResponse(found)

    async def get_record_pdf(request: Request) -> Response:
        kiosk = client_kiosk(request)
        code = request.path_params["code"]
        found = await run_in_threadpool(db.get_record, code, kiosk)
        if found is None:
            raise HttpProblem(404, f"no record with code {code!r}")
        data = await run_in_threadpool(db.blobs.get, found["pdf_sha256"])
        if data is None:
            raise HttpProblem(404, f"the PDF of {code!r} is missing from blob storage")
        await run_in_threadpool(audit, db, f"kiosk:{kiosk}", "read_pdf", code)
        return Response(data, media_type="application/pdf")

    async def post_heartbeats(request: Request) -> Response:
        kiosk = client_kiosk(request)
        batch: HeartbeatBatch = await _read_json_model(request, HeartbeatBatch, MAX_SMALL_BODY_BYTES)
        if any(hb.kiosk_id != kiosk for hb in batch.heartbeats):
            raise HttpProblem(403, "kiosk_id does not match the client certificate")
        added = await run_in_threadpool(db.add_heartbeats, batch.heartbeats)
        return JSONResponse({"accepted": len(batch.heartbeats), "new": added})

    async def post_sync_logs(request: Request) -> Response:
        kiosk = client_kiosk(request)
        batch: SyncLogBatch = await _read_json_model(request, SyncLogBatch, MAX_SMALL_BODY_BYTES)
        if any(e.kiosk != kiosk for e in batch.entries):
            raise HttpProblem(403, "kiosk does not match the client certificate")
        added = await run_in_threadpool(db.add_log_entries, batch.entries)
        return JSONResponse({"accepted": len(batch.entries), "new": added})

    def _limit(request: Request) -> int:
        raw = request.query_params.get("limit", "100")
        if not raw.isdigit() or not 1 <= int(raw) <= 10_000:
            raise HttpProblem(400, "limit must be an integer from 1 to 10000")
        return int(raw)

    async def get_sync_logs(request: Request) -> Response:
        kiosk = client_kiosk(request)
        limit = _limit(request)
        if (request.query_params.get("kiosk") or kiosk) != kiosk:
            raise HttpProblem(403, "a kiosk reads only its own log lines")
        entries = await run_in_threadpool(db.log_entries, kiosk, limit)
        return JSONResponse({"entries": entries})

    async def get_fleet(request: Request) -> Response:
        kiosk = client_kiosk(request)  # the whole fleet is central IT's, behind a staff login
        return JSONResponse({"kiosks": await run_in_threadpool(db.fleet, 500, kiosk)})

    async def healthz(request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_document())

    routes = [
        Route(f"{API_PREFIX}/records", guarded(upload_record), methods=["POST"]),
        Route(f"{API_PREFIX}/records/batch", guarded(upload_batch), methods=["POST"]),
        Route(f"{API_PREFIX}/records/{{code}}", guarded(get_record), methods=["GET"]),
        Route(f"{API_PREFIX}/records/{{code}}/pdf", guarded(get_record_pdf), methods=["GET"]),
        Route(f"{API_PREFIX}/heartbeats", guarded(post_heartbeats), methods=["POST"]),
        Route(f"{API_PREFIX}/sync-logs", guarded(post_sync_logs), methods=["POST"]),
        Route(f"{API_PREFIX}/sync-logs", guarded(get_sync_logs), methods=["GET"]),
        Route(f"{API_PREFIX}/fleet", guarded(get_fleet), methods=["GET"]),
        *payment_routes(db, guarded, client_kiosk),
        *staff_call_routes(db, guarded, client_kiosk),
        *holder_check_routes(db, guarded, client_kiosk),
        *[route for factory in route_factories for route in factory(guarded)],
        Route("/healthz", guarded(healthz), methods=["GET"]),
        Route("/openapi.json", guarded(openapi), methods=["GET"]),
    ]
    # An unknown path or method is answered like every other refusal: JSON {"error"}, not Starlette's text.
    return Starlette(routes=routes, exception_handlers={HTTPException: _http_exception})


async def _http_exception(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):  # registered for HTTPException only
        return _problem(503, "temporarily unavailable, retry later", {"Retry-After": "1"})
    error = "no such endpoint (see /openapi.json)" if exc.status_code == 404 else str(exc.detail)
    return _problem(exc.status_code, error, dict(exc.headers or {}))


def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema(ref_template="#/components/schemas/{model}")


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the backend (what schemathesis fuzzes)."""
    components: dict[str, Any] = {}
    for model in (
        RecordUpload,
        RecordBatch,
        IngestResult,
        BatchResult,
        Heartbeat,
        HeartbeatBatch,
        SyncLogBatch,
    ):
        schema = _schema(model)
        components.update(schema.pop("$defs", {}))
        components[model.__name__] = schema
    error = {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}
    components["Error"] = error

    def ref(name: str) -> dict[str, Any]:
        return {"$ref": f"#/components/schemas/{name}"}

    def json_body(name: str) -> dict[str, Any]:
        return {"required": True, "content": {"application/json": {"schema": ref(name)}}}

    def answer(description: str, name: str = "Error") -> dict[str, Any]:
        return {"description": description, "content": {"application/json": {"schema": ref(name)}}}

    errors = {
        "400": answer("malformed request"),
        "401": answer("no client certificate"),
        "403": answer("record of another kiosk"),
        "413": answer("body too large"),
        "503": answer("temporarily unavailable"),
    }
    code_param = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
    accepted = {"type": "object", "properties": {"accepted": {"type": "integer"}, "new": {"type": "integer"}}}
    components["Accepted"] = accepted
    return {
        "openapi": "3.1.0",
        "info": {"title": "Smart Kiosk city backend", "version": "1"},
        "paths": {
            f"{API_PREFIX}/records": {
                "post": {
                    "summary": "Upload one certified copy (idempotent by code)",
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": True,
                            "schema": {"type": "string"},
                            "description": "the record code",
                        }
                    ],
                    "requestBody": json_body("RecordUpload"),
                    "responses": {
                        "201": answer("stored (or the original answer, replayed)", "IngestResult"),
                        "422": answer("the code was already used with a different record", "IngestResult"),
                        **errors,
                    },
                }
            },
            f"{API_PREFIX}/records/batch": {
                "post": {
                    "summary": f"Upload up to {MAX_BATCH} records; one result per record",
                    "requestBody": json_body("RecordBatch"),
                    "responses": {"200": answer("per-record results", "BatchResult"), **errors},
                }
            },
            f"{API_PREFIX}/records/{{code}}": {
                "get": {
                    "summary": "Look up a certified copy by code",
                    "parameters": [code_param],
                    "responses": {
                        "200": {"description": "the record"},
                        "404": answer("unknown code"),
                        **errors,
                    },
                }
            },
            f"{API_PREFIX}/records/{{code}}/pdf": {
                "get": {
                    "summary": "The signed PDF of a record, for reprint",
                    "parameters": [code_param],
                    "responses": {
                        "200": {"description": "the PDF", "content": {"application/pdf": {}}},
                        "404": answer("unknown code"),
                        **errors,
                    },
                }
            },
            f"{API_PREFIX}/heartbeats": {
                "post": {
                    "summary": "Device health, queued while offline",
                    "requestBody": json_body("HeartbeatBatch"),
                    "responses": {"200": answer("stored", "Accepted"), **errors},
                }
            },
            f"{API_PREFIX}/sync-logs": {
                "post": {
                    "summary": "Ship sync log lines",
                    "requestBody": json_body("SyncLogBatch"),
                    "responses": {"200": answer("stored", "Accepted"), **errors},
                },
                "get": {
                    "summary": "Sync log lines, newest first",
                    "parameters": [
                        {"name": "kiosk", "in": "query", "required": False, "schema": {"type": "string"}},
                        {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer"}},
                    ],
                    "responses": {"200": {"description": "log lines"}, **errors},
                },
            },
            f"{API_PREFIX}/fleet": {
                "get": {
                    "summary": "Per kiosk: last heartbeat, backlog, error rate",
                    "responses": {"200": {"description": "the fleet"}, **errors},
                }
            },
            **kiosk_api_paths(components),  # payments, staff calls, holder check
            "/healthz": {"get": {"summary": "liveness", "responses": {"200": {"description": "up"}}}},
        },
        "components": {"schemas": components},
    }
