"""The bodies of the issue-22 kiosk API routes (backoffice.api.kiosk_keys_api), as pydantic models: the
renewal request is parsed with one, and the OpenAPI document (backoffice.api.openapi_paths) is built from
all of them, so what schemathesis fuzzes is what the routes read and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from backoffice.services.kiosk_keys import MAX_CSR_BYTES

# The renewal's body limit: the PEM request plus its JSON quoting (kiosk_keys_api reads no more).
MAX_RENEWAL_BODY = MAX_CSR_BYTES * 2


class SealCertificateRequest(BaseModel):
    """``POST /v1/seal-certificate``: a PKCS#10 request (PEM) for the kiosk's seal key."""

    model_config = ConfigDict(frozen=True)

    csr: Annotated[str, StringConstraints(min_length=1, max_length=MAX_CSR_BYTES, pattern=r"\S")] = Field(
        description="the certificate signing request, PEM (the kiosk's seal key signs it)"
    )


class SealCertificateIssued(BaseModel):
    """The renewal's answer (201)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    certificate: str = Field(description="the new seal certificate, PEM")
    not_after: datetime = Field(description="when it expires (ISO 8601, UTC)")


class CopyFacts(BaseModel):
    """``GET /v1/copies/{code}/facts``: what a verifier compares with the copy's QR. No personal data."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    status: str = Field(description="the post-check state of the copy, e.g. pending, approved, revoked")
    kiosk_id: str
    issued_at: str = Field(description="ISO 8601, UTC, to the second")
    doc_type: str
    pages: int
    seal_digest: str | None = Field(description="the seal's digest as ingest recorded it")
    revoked_reason: str | None = Field(description="the public reason code of a revoked copy")
    revoked_reason_label: dict[str, str] | None = Field(description="that reason in Vietnamese and English")
