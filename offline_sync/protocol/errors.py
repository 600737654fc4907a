"""The sync package's error family. The kiosk CLI maps `SyncError` to exit status 3 unless the
instance carries its own `exit_code`."""

from __future__ import annotations


class SyncError(Exception):
    """Something in the local store, the sync worker or the backend link went wrong."""

    exit_code = 3

    def __init__(self, message: str, *, subject: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.subject = subject


class StoreError(SyncError):
    """The local store cannot be opened, read or written."""


class StoreFullError(StoreError):
    """The disk under the local store is full; nothing was written."""


class DataKeyError(StoreError):
    """The data key is missing, malformed, or does not decrypt the records."""

    exit_code = 2


class BadRecordError(SyncError):
    """A record handed to the store is malformed (wrong types, empty code...)."""

    exit_code = 2


class BackendError(SyncError):
    """The city backend answered with an error or could not be reached."""
