"""The wire protocol between a kiosk and the city backend, shared by both sides.

A record travels as one JSON object with its PDF in base64. The Idempotency-Key of an upload is the
record's code. The backend fingerprints the validated record (canonical JSON, sorted keys), so "the same
body" means the same record, whichever endpoint (single or batch) carried it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    field_validator,
    model_validator,
)

from offline_sync.protocol.citizen import RETRIEVAL_SECRET_PATTERN, SECRET_HASH_PATTERN, check_email

API_PREFIX = "/v1"
MAX_BATCH = 500
MAX_PDF_BYTES = 50 * 1024 * 1024
MAX_HEALTH_BYTES = 16 * 1024

Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
KioskId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
]
Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
ShortText = Annotated[str, StringConstraints(max_length=500)]
IdentityFlag = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


def _reject_nul(value: Any, where: str = "") -> None:
    """NUL characters are refused everywhere: PostgreSQL text cannot hold them, and no document has one."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError(f"{where or 'a value'} contains a NUL character")
    elif isinstance(value, dict):
        for key, item in value.items():
            _reject_nul(key, where)
            _reject_nul(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list | tuple):
        for item in value:
            _reject_nul(item, where)


class _NoNul(BaseModel):
    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        _reject_nul(data)
        return data


# The record's fields that name or identify the citizen: encrypted at rest on both sides, never logged.
PERSONAL_FIELDS = ("holder_id", "holder_name", "ocr_text", "fields", "delivery_email")
StepName = Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,32}$")]


class VisitMetrics(_NoNul):
    """How the visit went, for the operations KPIs: durations and counts, never personal data."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ward: Annotated[str, StringConstraints(max_length=100)] | None = None
    started_at: datetime | None = None
    visit_seconds: float = Field(ge=0, le=86_400)
    step_seconds: dict[StepName, Annotated[float, Field(ge=0, le=86_400)]] = Field(
        default_factory=dict, max_length=32
    )
    pages_scanned: int = Field(default=0, ge=0, le=10_000)
    rescans: int = Field(default=0, ge=0, le=10_000)
    face_attempts: int = Field(default=0, ge=0, le=1000)
    face_failures: int = Field(default=0, ge=0, le=1000)
    liveness_attempts: int = Field(default=0, ge=0, le=1000)
    liveness_failures: int = Field(default=0, ge=0, le=1000)


class RecordUpload(_NoNul):
    """One certified copy as uploaded by a kiosk."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Code
    kiosk_id: KioskId
    created_at: datetime
    doc_type: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    pages: int = Field(ge=1, le=1000)
    pdf_sha256: Sha256Hex
    pdf: str = Field(description="the signed PDF, base64", max_length=MAX_PDF_BYTES * 4 // 3 + 8)
    holder_id: ShortText
    holder_name: ShortText
    ocr_text: Annotated[str, StringConstraints(max_length=1_000_000)]
    fields: dict[
        Annotated[str, StringConstraints(max_length=100)], Annotated[str, StringConstraints(max_length=2000)]
    ]
    face_match: StrictBool
    face_distance: float = Field(ge=0, le=100)
    liveness: ShortText
    # Issue 17: the visit's language (the e-mail's language), the optional delivery address, the scrypt
    # hash of the receipt's retrieval secret (the secret itself never leaves the kiosk), the visit's KPIs.
    language: Literal["vi", "en"] | None = None
    delivery_email: Annotated[str, StringConstraints(max_length=254)] | None = None
    retrieval_hash: Annotated[str, StringConstraints(pattern=SECRET_HASH_PATTERN)] | None = None
    visit_metrics: VisitMetrics | None = None
    # Issue 16, risk flags of the post-check queue (optional; a kiosk that does not send them raises none):
    # where the identity came from (chip, or the card's printed QR only), the mean OCR confidence (0-1),
    # and the face threshold the match was decided against.
    identity_source: Literal["chip", "qr"] | None = None
    ocr_confidence: float | None = Field(default=None, ge=0, le=1)
    face_threshold: float | None = Field(default=None, gt=0, le=100)
    # Issue 22: SHA-256 (lowercase hex) of the copy's QR access token (``?t=``); the token stays on paper.
    access_token_sha256: Sha256Hex | None = None
    # Issue 24 (optional): the key fields as OCR read them before the citizen confirmed them (``fields``
    # and the seal carry the confirmed values), and the words OCR read with low confidence; the officer's
    # console shows both as OCR beside the page image, marking where they differ from the seal.
    ocr_fields: (
        dict[
            Annotated[str, StringConstraints(max_length=100)],
            Annotated[str, StringConstraints(max_length=2000)],
        ]
        | None
    ) = Field(default=None, max_length=100)
    ocr_low_words: list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] | None = Field(
        default=None, max_length=500
    )
    # Chip outcomes the officer should see (kiosk.identity.chip.identity.ChipIdentity.flags), e.g.
    # "dg13_absent": a CCCD chip without DG13, the name from its MRZ. Absent (None) when the chip raised
    # none: an empty list is read as None, so a record without flags keeps its fingerprint.
    identity_flags: list[IdentityFlag] | None = Field(default=None, max_length=16)
    # Issue 25: the receipt's retrieval secret (canonical, no hyphen), sent only when the citizen gave a
    # delivery e-mail, so the backend can write it into that message. The backend strips it before the
    # record is stored or hooked, and it never enters the fingerprint (a replay without it is the same
    # body; a stored fingerprint must not become a fast hash of the secret). Absent otherwise.
    retrieval_secret_for_email: Annotated[str, StringConstraints(pattern=RETRIEVAL_SECRET_PATTERN)] | None = (
        Field(default=None, repr=False)
    )

    @field_validator("identity_flags")
    @classmethod
    def _no_empty_flags(cls, value: list[str] | None) -> list[str] | None:
        return value or None

    @field_validator("delivery_email")
    @classmethod
    def _email_form(cls, value: str | None) -> str | None:
        return None if value is None else check_email(value)

    @model_validator(mode="after")
    def _secret_only_for_email(self) -> RecordUpload:
        if self.retrieval_secret_for_email is not None and (
            self.delivery_email is None or self.retrieval_hash is None
        ):
            raise ValueError("retrieval_secret_for_email is sent only with delivery_email and retrieval_hash")
        return self

    @field_validator("created_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("created_at must carry a time zone")
        return value

    def pdf_bytes(self) -> bytes:
        """The decoded PDF; ValueError when it is not base64 or does not match pdf_sha256."""
        try:
            data = binascii.a2b_base64(self.pdf.encode("ascii"), strict_mode=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            raise ValueError("pdf is not valid base64") from None
        if hashlib.sha256(data).hexdigest() != self.pdf_sha256:
            raise ValueError("pdf does not match pdf_sha256")
        return data

    def fingerprint(self) -> str:
        """sha256 of the canonical JSON of the record: what "the same body" means for idempotency.

        The PDF enters through `pdf_sha256` (which `pdf_bytes` checks against the content), so megabytes
        of base64 are not serialised a second time.
        """
        content = self.model_dump(mode="json", exclude={"pdf", "retrieval_secret_for_email"})
        # Optional fields added later (every field whose default is None) are left out when absent, so an
        # older record keeps its fingerprint and its replay after an upgrade is still "the same body".
        for name, spec in type(self).model_fields.items():
            if spec.default is None and content.get(name) is None:
                content.pop(name, None)
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class RecordBatch(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    records: list[RecordUpload] = Field(min_length=1, max_length=MAX_BATCH)


class IngestResult(BaseModel):
    """The backend's answer for one record; a replay returns the original answer."""

    code: str
    status: int
    replayed: bool = False
    received_at: str | None = None
    pdf_sha256: str | None = None
    error: str | None = None


class BatchResult(BaseModel):
    results: list[IngestResult]


class Heartbeat(_NoNul):
    """Device health sent every interval, queued while offline and sent when the link returns."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, StringConstraints(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
    kiosk_id: KioskId
    sent_at: datetime
    backlog: int = Field(ge=0)
    dead_letters: int = Field(default=0, ge=0)
    oldest_unsynced: datetime | None = None
    last_error: Annotated[str, StringConstraints(max_length=1000)] | None = None
    health: dict[str, Any] = Field(default_factory=dict)

    @field_validator("health")
    @classmethod
    def _small_health(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(json.dumps(value, default=str)) > MAX_HEALTH_BYTES:
            raise ValueError(f"health is larger than {MAX_HEALTH_BYTES} bytes of JSON")
        return value


class HeartbeatBatch(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    heartbeats: list[Heartbeat] = Field(min_length=1, max_length=MAX_BATCH)


class SyncLogEntry(_NoNul):
    """One line of the kiosk's sync log, as shipped to the backend."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, StringConstraints(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
    time: datetime
    kiosk: KioskId
    code: Annotated[str, StringConstraints(max_length=64)] | None = None
    bytes: int = Field(default=0, ge=0)
    status: int | None = Field(default=None, ge=0, le=999)
    latency_ms: float = Field(default=0, ge=0)
    outcome: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    error: Annotated[str, StringConstraints(max_length=1000)] | None = None


class SyncLogBatch(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    entries: list[SyncLogEntry] = Field(min_length=1, max_length=5000)


def encode_pdf(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
