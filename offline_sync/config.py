"""Store and sync settings: the `[sync]` table."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SyncConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    database: str = "kiosk.db"
    backend_url: str = ""
    retention_days: int = Field(default=30, ge=1)
