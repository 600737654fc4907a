"""The kiosk's data folder and the keys a command checks copies with, from the config alone.

``kiosk.app.KioskApp`` composes the whole kiosk from these; ``kiosk verify`` needs only the trust store, so
it takes it from here and never loads the visit's stack (devices, identity, the chip, the sync store).
"""

from __future__ import annotations

from pathlib import Path

from kiosk.config import KioskConfig
from kiosk.errors import UnavailableError
from signing.keys import init_dev_keys
from signing.trust import TrustStore, load_trust_store


def data_folder(config: KioskConfig) -> Path:
    """The kiosk's data folder, made private (0700) when it does not exist yet."""
    path = config.data_dir
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise UnavailableError(f"cannot create the data folder: {exc}", subject=str(path)) from None
    return path


def ensure_dev_keys(config: KioskConfig) -> None:
    """The simulated profile makes its own development keys on first use; a real kiosk never does."""
    if config.profile != "simulated" or config.signing.key_backend != "file":
        return
    init_dev_keys(
        config.signing, data_folder(config), authority=config.kiosk.authority, kiosk_id=config.kiosk.id
    )


def kiosk_trust(config: KioskConfig) -> TrustStore:
    """The city root and the kiosk certificates that copies are checked against."""
    ensure_dev_keys(config)
    return load_trust_store(config.signing, data_folder(config))
