"""The kiosk's side of the local store: identity codes and visit records over offline_sync.LocalStore.

The record and its outbox row are committed in one transaction by LocalStore.add_record; the sync worker,
a separate process, reads the same file. The data key that encrypts personal fields at rest lives in the
key folder, next to the seal key, with mode 0600.
"""

from __future__ import annotations

import logging
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.errors import UnavailableError
from offline_sync.personal_data import load_or_create_data_key
from offline_sync.store import LocalStore
from signing.code import make_code

if TYPE_CHECKING:
    from kiosk.config import KioskConfig
    from offline_sync.store import LocalStore, RecordIn, StoredRecord

log = logging.getLogger(__name__)


def data_key_path(config: KioskConfig) -> Path:
    """The data key the kiosk and the sync worker share: [sync] data_key, else the key store's data.key."""
    if config.sync.data_key:
        return config.path(config.sync.data_key)
    return config.path(config.signing.keys_dir) / "data.key"


@dataclass
class KioskStore:
    local: LocalStore
    authority_code: str
    kiosk_id: str
    path: Path

    @classmethod
    def open(cls, config: KioskConfig) -> KioskStore:
        """The store of the database and data key that `config` names (created on first use)."""
        db_path = config.path(config.sync.database)
        key_path = data_key_path(config)
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            key_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            local = LocalStore(db_path, load_or_create_data_key(key_path))
            # Personal fields are encrypted, but the file still says who came when: owner only, or owner
            # and group where the appliance shares the folder with the sync worker's user (a setgid folder,
            # made by systemd/install.sh). SQLite gives the -wal and -shm files the database file's mode.
            shared = db_path.parent.stat().st_mode & stat.S_ISGID
            db_path.chmod(0o660 if shared else 0o600)
        except OSError as exc:
            raise UnavailableError(f"cannot open the local store: {exc}", subject=str(db_path)) from None
        return cls(local, config.kiosk.authority_code, config.kiosk.id, db_path)

    def next_code(self) -> str:
        """A fleet-unique identity code: authority, kiosk and a sequence that survives restarts."""
        return make_code(self.authority_code, self.kiosk_id, self.local.next_sequence())

    def add_record(self, record: RecordIn) -> None:
        self.local.add_record(record)
        log.info("record %s stored with its outbox row", record.code)

    def get_record(self, code: str) -> StoredRecord | None:
        return self.local.get_record(code)

    def close(self) -> None:
        self.local.close()
