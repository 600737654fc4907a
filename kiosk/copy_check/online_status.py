"""Is a certified copy still good? The backend's post-check status, asked online (for `kiosk verify
--online` and the kiosk's "check a copy" screen). Offline, the answer says the status could not be checked;
it never blocks the offline verdict of the signature."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from offline_sync.client import fetch_copy_status
from offline_sync.config import SyncConfig
from offline_sync.protocol.errors import BackendError


@dataclass(frozen=True)
class OnlineStatus:
    checked: bool  # False: the backend could not be asked (offline, not configured, refused)
    status: str | None  # issued | post_checked | revoked; None when unchecked or unknown to the backend
    revoked_reason: str | None = None
    message: str = ""  # why it could not be checked, or that the backend does not know the code

    def to_json(self) -> dict[str, object]:
        return {
            "status": self.status,
            "status_checked": self.checked,
            "revoked_reason": self.revoked_reason,
            "status_message": self.message,
        }


def online_status(config: SyncConfig, code: str, *, url: str = "", timeout: float = 5.0) -> OnlineStatus:
    """The status of ``code`` from the public listener at ``url`` (default: ``sync.public_url``)."""
    base = url or config.public_url
    if not base:
        return OnlineStatus(
            False, None, message="the status could not be checked: no status service configured"
        )
    try:
        found = fetch_copy_status(base, code, timeout=timeout)
    except BackendError as exc:
        return OnlineStatus(False, None, message=f"the status could not be checked: {exc.message}")
    if found is None:
        return OnlineStatus(True, None, message="the backend does not know this code (not synced yet?)")
    return OnlineStatus(True, str(found["status"]), found.get("revoked_reason") or None)


def status_over_api(api: Any, code: str) -> OnlineStatus:
    """The status of ``code`` asked over the kiosk's own mTLS client (``api.copy_facts``, the configured
    backend or the simulated profile's loopback one): the check screen's lookup when no public listener
    is configured (issue 25: it said "no network" while the backend was serving)."""
    try:
        found = api.copy_facts(code)
    except BackendError as exc:
        return OnlineStatus(False, None, message=f"the status could not be checked: {exc.message}")
    if found is None:
        return OnlineStatus(True, None, message="the backend does not know this code (not synced yet?)")
    status = str(found.get("status") or "") or None
    return OnlineStatus(True, status, found.get("revoked_reason") or None)
