"""Kiosk API routes of issue 22 (mTLS: the kiosk is whoever its client certificate names).

* ``POST /v1/seal-certificate`` ``{"csr": PEM}``: renew the kiosk's seal certificate (``SealIssuer``);
  ``{"certificate": PEM, "not_after": ISO}``. 503 when this backend does not issue seal certificates,
  400 for a request that is refused (not a CSR, not signed by its key, not P-256, a revoked key).
* ``GET /v1/copies/{code}/facts``: what a verifier compares with a copy's QR (kiosk, issue time, pages,
  document type, seal digest, status, public revoke reason): for the kiosk's "check a copy" screen and
  `kiosk verify --online` on a kiosk, which need no access token. No personal data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cryptography.hazmat.primitives.serialization import Encoding
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from backoffice.api.kiosk_app import Endpoint, HttpProblem, client_kiosk, read_body
from backoffice.api.kiosk_key_models import MAX_RENEWAL_BODY, SealCertificateRequest
from backoffice.services.access_tokens import TokenBook, copy_facts
from backoffice.services.kiosk_keys import KioskKeyError, KioskKeys, SealIssuer
from offline_sync.protocol import API_PREFIX


def kiosk_key_routes(
    keys: KioskKeys, book: TokenBook, issuer: SealIssuer | None
) -> Callable[[Callable[[Endpoint], Endpoint]], Sequence[Route]]:
    """A route factory for ``build_app(route_factories=...)``."""

    async def renew(request: Request) -> Response:
        kiosk = client_kiosk(request)
        if issuer is None:
            raise HttpProblem(503, "this backend does not issue seal certificates (--seal-issuer-cert)")
        body = await read_body(request, MAX_RENEWAL_BODY)
        try:  # the model the OpenAPI document shows (backoffice.api.kiosk_key_models)
            csr = SealCertificateRequest.model_validate_json(body or b"{}").csr
        except ValidationError:
            raise HttpProblem(400, 'expected a JSON object {"csr": PEM}') from None
        try:
            cert = await run_in_threadpool(issuer.issue, csr.encode("utf-8", "replace"), kiosk, keys)
        except KioskKeyError as exc:
            raise HttpProblem(400, exc.message) from None
        return JSONResponse(
            {
                "certificate": cert.public_bytes(Encoding.PEM).decode("ascii"),
                "not_after": cert.not_valid_after_utc.isoformat(),
            },
            status_code=201,
        )

    async def facts(request: Request) -> Response:
        client_kiosk(request)
        code = str(request.path_params["code"]).strip().upper()
        found = await run_in_threadpool(copy_facts, book, code)
        if found is None:
            raise HttpProblem(404, f"no copy with code {code!r}")
        return JSONResponse(found)

    def factory(guarded: Callable[[Endpoint], Endpoint]) -> Sequence[Route]:
        return [
            Route(f"{API_PREFIX}/seal-certificate", guarded(renew), methods=["POST"]),
            Route(f"{API_PREFIX}/copies/{{code}}/facts", guarded(facts), methods=["GET"]),
        ]

    return factory
