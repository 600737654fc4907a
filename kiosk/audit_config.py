"""Audit log settings: the `[audit]` table."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class AuditConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    log_file: str = "audit.jsonl"
    checkpoint_every: int = Field(default=50, ge=1)
