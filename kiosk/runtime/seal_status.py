"""The seal certificate's renewal as the kiosk reports it: its expiry, whether renewal is due, the last
attempt kept in the local store, and the maintenance screen's lines.

Kept apart from ``kiosk.runtime.seal_renewal`` (which signs the request and talks to the city) so that the
screen can show it without loading the signing stack at start-up: this module needs only ``cryptography``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cryptography import x509

from offline_sync.protocol.errors import StoreError
from signing.config import SigningConfig
from signing.errors import SigningError
from signing.signer import SEAL_CERT, load_cert, resolve

log = logging.getLogger(__name__)

RENEWAL_META_KEY = "seal_renewal_last"
VIETNAM_TIME = dt.timezone(dt.timedelta(hours=7), "ICT")  # what the technician's screen shows times in


@dataclass(frozen=True)
class RenewalStatus:
    not_after: dt.datetime
    days_left: int
    due: bool  # within renew_before_days of expiry (or past it)

    def to_json(self) -> dict[str, object]:
        return {"not_after": self.not_after.isoformat(), "days_left": self.days_left, "renewal_due": self.due}


def renewal_status(
    cert: x509.Certificate, config: SigningConfig, now: dt.datetime | None = None
) -> RenewalStatus:
    moment = now or dt.datetime.now(dt.UTC)
    left = cert.not_valid_after_utc - moment
    return RenewalStatus(
        cert.not_valid_after_utc, left.days, left <= dt.timedelta(days=config.renew_before_days)
    )


# What each outcome reads as on the maintenance screen (Vietnamese first, as the screen's other lines).
OUTCOME_TEXT = {
    "renewed": ("đã gia hạn", "renewed"),
    "not_due": ("chưa đến hạn, không cần gia hạn", "not due, nothing to do"),
    "no_key": ("tiến trình kiểm tra không dùng được khóa ký", "the checking process cannot use the seal key"),
    "failed": ("không gia hạn được", "failed"),
    "started": ("đang gia hạn (hoặc bị ngắt giữa chừng)", "in progress (or cut short)"),
}


@dataclass(frozen=True)
class RenewalOutcome:
    """One renewal attempt: what happened, when, why, and the certificate's expiry after it (if known)."""

    outcome: str  # a key of OUTCOME_TEXT
    at: dt.datetime
    detail: str = ""
    not_after: dt.datetime | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "outcome": self.outcome,
            "at": self.at.isoformat(),
            "detail": self.detail,
            "not_after": self.not_after.isoformat() if self.not_after else None,
        }

    @classmethod
    def from_json(cls, text: str | None) -> RenewalOutcome | None:
        """The record kept in the store; None when there is none or it cannot be read."""
        if not text:
            return None
        try:
            data = json.loads(text)
            at = dt.datetime.fromisoformat(str(data["at"]))
            not_after = dt.datetime.fromisoformat(str(data["not_after"])) if data.get("not_after") else None
            outcome = str(data["outcome"])
        except (ValueError, KeyError, TypeError):
            return None
        if outcome not in OUTCOME_TEXT or at.tzinfo is None:
            return None
        return cls(outcome, at, str(data.get("detail") or "")[:500], not_after)


class MetaStore(Protocol):
    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...


def last_outcome(store: MetaStore) -> RenewalOutcome | None:
    """The last renewal attempt recorded in the store (None when none, or the store cannot be read)."""
    try:
        return RenewalOutcome.from_json(store.get_meta(RENEWAL_META_KEY))
    except StoreError as exc:
        log.warning("cannot read the last seal certificate renewal: %s", exc)
        return None


def record_outcome(store: MetaStore, outcome: RenewalOutcome) -> None:
    """Keep ``outcome`` in the store; a store that cannot be written is logged, never raised."""
    try:
        store.set_meta(RENEWAL_META_KEY, json.dumps(outcome.to_json()))
    except StoreError as exc:
        log.warning("cannot record the seal certificate renewal (%s): %s", outcome.outcome, exc)


def maintenance_data(
    config: SigningConfig, data_dir: Path, store: MetaStore | None = None, *, now: dt.datetime | None = None
) -> dict[str, object]:
    """The seal certificate's expiry for the maintenance screen: ``not_after``, ``days_left``,
    ``renewal_due`` and the last renewal attempt (``last_renewal``, None when none is recorded); ``error``
    instead when the certificate cannot be read."""
    last = last_outcome(store) if store is not None else None
    try:
        cert = load_cert(resolve(config.keys_dir, data_dir) / SEAL_CERT)
    except (SigningError, OSError) as exc:
        return {"error": str(exc), "last_renewal": last.to_json() if last else None}
    return {
        **renewal_status(cert, config, now).to_json(),
        "renew_before_days": config.renew_before_days,
        "last_renewal": last.to_json() if last else None,
    }


def maintenance_line(data: dict[str, object]) -> str:
    """``maintenance_data`` as the screen's plain lines, Vietnamese first, then English."""
    if "error" in data:
        head = f"Chứng thư con dấu: không đọc được · Seal certificate: cannot be read ({data['error']})"
    else:
        until = dt.datetime.fromisoformat(str(data["not_after"])).astimezone(VIETNAM_TIME)
        days = int(str(data["days_left"]))
        due = bool(data["renewal_due"])
        if days < 0:
            vi, en = "ĐÃ HẾT HẠN, ki-ốt không đóng dấu được", "EXPIRED, the kiosk cannot seal"
        elif due:
            vi, en = "ĐẾN HẠN GIA HẠN", "RENEWAL DUE"
        else:
            vi, en = "chưa đến hạn gia hạn", "renewal not due"
        head = (
            f"Chứng thư con dấu: hết hạn {until:%d/%m/%Y} (còn {max(days, 0)} ngày), {vi}"
            f" · Seal certificate: expires {until:%Y-%m-%d} ({days} days left), {en}"
        )
    last = data.get("last_renewal")
    if not isinstance(last, dict):
        return head + "\n  Chưa gia hạn lần nào · No renewal attempt recorded"
    vi_text, en_text = OUTCOME_TEXT.get(str(last.get("outcome")), ("?", "?"))
    at = dt.datetime.fromisoformat(str(last["at"])).astimezone(VIETNAM_TIME)
    detail = (
        f" ({last['detail']})" if last.get("detail") and last.get("outcome") in ("failed", "no_key") else ""
    )
    return (
        head
        + f"\n  Lần gia hạn gần nhất {at:%d/%m/%Y %H:%M} (GMT+7): {vi_text} · Last renewal: {en_text}{detail}"
    )
