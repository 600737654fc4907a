"""offline_sync: the kiosk's local store and outbox, the sync worker, the sync log, and a reference
city backend that speaks the same protocol."""

from offline_sync.errors import SyncError
from offline_sync.store import LocalStore, RecordIn, RecordSummary, StoredRecord, load_or_create_data_key

__all__ = ["LocalStore", "RecordIn", "RecordSummary", "StoredRecord", "SyncError", "load_or_create_data_key"]
