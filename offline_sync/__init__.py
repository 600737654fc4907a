"""offline_sync."""
