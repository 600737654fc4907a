"""Store and sync settings: the `[sync]` table. Relative paths resolve against the kiosk's data folder."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SyncConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    database: str = "kiosk.db"
    # https://host:port of the city backend; empty = no backend configured (records queue up locally).
    backend_url: str = ""
    # The ward (phường/xã) the kiosk serves: sent with heartbeats and visit metrics for the city's KPIs.
    ward: str = Field(default="", max_length=100)
    # http(s)://host:port of the backend's public listener (copy status, no client certificate); empty:
    # `kiosk verify --online` and the check-a-copy screen say the status could not be checked.
    # The receipt's retrieval QR opens <public_url>/r/CODE (no QR when empty; the secret is printed anyway).
    public_url: str = ""
    retention_days: int = Field(default=30, ge=1)
    # `kiosk verify --online`: a copy the city does not know yet, younger than this, is UNCONFIRMED (still
    # not valid) rather than NOT VALID: the kiosk that issued it may not have synced it yet.
    sync_window_hours: float = Field(default=72.0, gt=0)
    # The AES-GCM key that seals personal fields in the local store (created 0600 on first use).
    # Empty: the kiosk's key store decides (`<signing.keys_dir>/data.key`, see kiosk/commands/sync.py).
    data_key: str = ""
    # mTLS: the kiosk's client certificate and key, and the CA that signed the backend's certificate.
    client_cert: str = "sync/client.crt"
    client_key: str = "sync/client.key"
    ca_cert: str = "sync/ca.crt"
    # The JSON-lines sync log for central IT, rotated by size.
    sync_log: str = "sync/sync.jsonl"
    log_max_bytes: int = Field(default=5_000_000, ge=10_000)
    log_backups: int = Field(default=5, ge=1, le=100)
    # Upload shape: records per request and requests in flight.
    batch_size: int = Field(default=50, ge=1, le=500)
    concurrency: int = Field(default=4, ge=1, le=32)
    # A batch also stops growing at this many bytes of PDF (one PDF alone may exceed it).
    batch_max_bytes: int = Field(default=8_000_000, ge=100_000)
    # Full-jitter exponential backoff: sleep uniform(0, min(cap, base * 2**attempt)).
    backoff_base_s: float = Field(default=1.0, gt=0)
    backoff_cap_s: float = Field(default=300.0, gt=0)
    request_timeout_s: float = Field(default=30.0, gt=0)
    heartbeat_interval_s: float = Field(default=60.0, gt=0)
    heartbeat_queue_max: int = Field(default=10_000, ge=1)
    ship_log_interval_s: float = Field(default=60.0, gt=0)
    purge_interval_s: float = Field(default=3600.0, gt=0)
