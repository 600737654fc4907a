"""Small shared plumbing of the payment and staff-call endpoints (kept out of app.py, which imports them).

Their handlers raise :class:`ApiProblem` for a 4xx; :func:`answering` turns it into the backend's usual
``{"error": ...}`` answer. Anything else goes on to app.py's guard (a logged 503).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

MAX_SMALL_BODY = 64 * 1024
M = TypeVar("M", bound=BaseModel)
Endpoint = Callable[[Request], Awaitable[Response]]
Guard = Callable[[Endpoint], Endpoint]
KioskOf = Callable[[Request], str]


class StrictBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ApiProblem(Exception):
    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error


def answering(fn: Endpoint) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        try:
            return await fn(request)
        except ApiProblem as exc:
            return JSONResponse({"error": exc.error}, status_code=exc.status)

    return endpoint


async def read_body(request: Request) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_SMALL_BODY:
            raise ApiProblem(413, f"body larger than {MAX_SMALL_BODY} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    if not body:
        raise ApiProblem(400, "empty body: expected a JSON object")
    return body


def parse_model(body: bytes, model: type[M]) -> M:
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(body)"
        raise ApiProblem(400, f"{where}: {first['msg']} ({exc.error_count()} problem(s))") from None


def json_answer(body: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status)
