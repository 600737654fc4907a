"""Audit log settings: the `[audit]` table."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class AuditConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # The hash-chained JSON-lines log; its head file sits next to it as `<log_file>.head`.
    log_file: str = "audit.jsonl"
    # A signed checkpoint after this many entries...
    checkpoint_every: int = Field(default=50, ge=1)
    # ...and at the first entry once the last checkpoint is older than this (seconds).
    checkpoint_max_age_s: float = Field(default=3600.0, gt=0)
    # PEM public key or certificate that checks checkpoint signatures (`kiosk audit verify`); relative to
    # the data folder. Empty: the kiosk's own seal certificate, as wired by the app.
    verify_key: str = ""
