"""Renewing the kiosk's short-lived seal certificate over its mTLS link (issue 22).

Seal certificates live ``signing.dev_seal_days`` (default 90 days). Once the certificate has
``signing.renew_before_days`` or fewer left, the kiosk asks the city for a new one over the same key: it
signs a certificate request (PKCS#10) with its seal signer (a file key or a PKCS#11 token alike: the
request is built here and signed with ``sign_es256``, so the key never leaves the token), posts it to
``/v1/seal-certificate``, checks that what comes back certifies its own key for its own kiosk and chains
to a trusted root, and only then replaces ``kiosk-seal.pem`` (and the token's certificate object).
``renewal_status`` is what maintenance shows: the expiry, the days left, whether a renewal is due.

Who renews, and when:

* The sync worker (`kiosk sync run`) checks once a day from its loop: ``SealRenewalLoop.tick`` is called on
  each turn of the upload loop (``on_tick``), starts ``renew_if_due`` in a thread of its own at most once a
  day (the last attempt is kept in the store's meta table, so a restarting worker does not ask again), and
  logs and records the outcome on a later turn. The upload loop never waits for it.
* A technician renews at once with `kiosk keys renew`; the outcome is recorded the same way.
* Maintenance shows ``maintenance_data`` / ``maintenance_line``: the expiry, days left, renewal due, and the
  last attempt's outcome.

The worker renews only where it can use the seal key. The packaged sync unit (systemd/kiosk-sync.service)
hides keys/ from the worker on purpose, so there the daily check records ``no_key`` with a warning and the
technician renews with `kiosk keys renew` (as root) once maintenance says a renewal is due.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from asn1crypto import algos, csr, keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from offline_sync.client import BackendClient, renew_seal_certificate
from offline_sync.protocol.errors import StoreError, SyncError
from signing.config import SigningConfig
from signing.errors import KeyUnavailableError, SigningError
from signing.keys import load_seal_signer
from signing.pkcs11_keys import store_token_cert
from signing.signer import SEAL_CERT, SealSigner, load_cert, resolve
from signing.trust import TrustStore, load_trust_store

log = logging.getLogger(__name__)

# The store's meta key holding the last renewal attempt (RenewalOutcome JSON).
RENEWAL_META_KEY = "seal_renewal_last"
CHECK_INTERVAL_S = 86_400.0  # the worker checks (and renews when due) at most once a day
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


def certificate_request(signer: SealSigner) -> str:
    """A PKCS#10 request for the signer's own key, signed by it (ES256), as PEM."""
    public = signer.cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    info = csr.CertificationRequestInfo(
        {
            "version": "v1",
            "subject": asn1_x509.Name.load(signer.cert.subject.public_bytes()),
            "subject_pk_info": keys.PublicKeyInfo.load(public),
            "attributes": [],
        }
    )
    raw = signer.sign_es256(info.dump())
    der_signature = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    request = csr.CertificationRequest(
        {
            "certification_request_info": info,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
            "signature": der_signature,
        }
    )
    text = base64.encodebytes(request.dump()).decode("ascii")
    return f"-----BEGIN CERTIFICATE REQUEST-----\n{text}-----END CERTIFICATE REQUEST-----\n"


def renew(
    signer: SealSigner,
    client: BackendClient,
    trust: TrustStore,
    config: SigningConfig,
    data_dir: Path,
    *,
    kiosk_id: str,
) -> x509.Certificate:
    """Ask the city for a new seal certificate over the signer's key and install it; SigningError when the
    answer is not one this kiosk may use (another key, another kiosk, not from a trusted root)."""
    pem = renew_seal_certificate(client, certificate_request(signer))
    try:
        cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    except ValueError:
        raise SigningError("the city's answer is not a certificate") from None
    if cert.public_key() != signer.cert.public_key():
        raise SigningError("the city's certificate is not for this kiosk's seal key")
    units = [
        str(a.value) for a in cert.subject.get_attributes_for_oid(x509.oid.NameOID.ORGANIZATIONAL_UNIT_NAME)
    ]
    if units != [kiosk_id]:
        raise SigningError(f"the city's certificate is for {', '.join(units) or 'no kiosk'}, not {kiosk_id}")
    problem = trust.chain_problem(cert, dt.datetime.now(dt.UTC))
    if problem is not None:
        raise SigningError(f"the city's certificate is not usable: {problem}")
    target = resolve(config.keys_dir, data_dir) / SEAL_CERT
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    os.replace(tmp, target)
    if config.key_backend == "pkcs11":
        store_token_cert(config, data_dir, cert)
    return cert


# ---------------------------------------------------------------------- the daily check, and its record

# What each outcome reads as on the maintenance screen (Vietnamese first, as the screen's other lines).
OUTCOME_TEXT = {
    "renewed": ("đã gia hạn", "renewed"),
    "not_due": ("chưa đến hạn, không cần gia hạn", "not due, nothing to do"),
    "no_key": ("tiến trình đồng bộ không dùng được khóa ký", "the sync worker cannot use the seal key"),
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


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def renew_if_due(
    config: SigningConfig, data_dir: Path, client: BackendClient, *, kiosk_id: str
) -> RenewalOutcome:
    """Renew the seal certificate when it has ``renew_before_days`` or fewer left. Never raises: the
    outcome says what happened (``renewed``, ``not_due``, ``no_key`` or ``failed``)."""
    path = resolve(config.keys_dir, data_dir) / SEAL_CERT
    try:
        current = load_cert(path)
    except (SigningError, OSError) as exc:
        return RenewalOutcome(
            "no_key",
            _now(),
            f"the seal certificate cannot be read here ({exc}); renew it with `kiosk keys renew`",
        )
    status = renewal_status(current, config)
    if not status.due:
        return RenewalOutcome(
            "not_due",
            _now(),
            f"{status.days_left} days left; renewal from {config.renew_before_days}",
            status.not_after,
        )
    try:
        trust = load_trust_store(config, data_dir)
        with load_seal_signer(config, data_dir) as signer:
            cert = renew(signer, client, trust, config, data_dir, kiosk_id=kiosk_id)
    except KeyUnavailableError as exc:
        detail = f"the seal key cannot be used here ({exc}); renew it with `kiosk keys renew`"
        return RenewalOutcome("no_key", _now(), detail, status.not_after)
    except (SigningError, SyncError) as exc:
        return RenewalOutcome("failed", _now(), str(exc)[:500], status.not_after)
    except Exception as exc:  # a bug must not kill the sync worker: the next day's check tries again
        log.exception("seal certificate renewal failed")
        return RenewalOutcome("failed", _now(), f"{type(exc).__name__}: {exc}"[:500], status.not_after)
    return RenewalOutcome(
        "renewed", _now(), f"new certificate serial {cert.serial_number:x}", cert.not_valid_after_utc
    )


def log_outcome(outcome: RenewalOutcome) -> None:
    if outcome.outcome == "renewed":
        until = f"{outcome.not_after:%Y-%m-%d}" if outcome.not_after else "?"
        log.info("seal certificate renewed, valid until %s (%s)", until, outcome.detail)
    elif outcome.outcome == "not_due":
        log.info("seal certificate renewal not due yet (%s)", outcome.detail)
    else:
        log.warning("seal certificate renewal %s: %s", outcome.outcome.replace("_", " "), outcome.detail)


class SealRenewalLoop:
    """The sync worker's daily seal certificate check, driven by its loop (``tick`` from ``on_tick``).

    ``tick`` is cheap and never blocks: at most once per ``interval_s`` (persisted in the store, so a
    restarting worker does not ask again) it starts ``attempt`` in a thread of its own, and on a later tick
    records and logs the outcome. ``store`` is only touched from the thread that calls ``tick`` and
    ``close`` (the worker's own, as the store wants)."""

    def __init__(
        self,
        attempt: Callable[[], RenewalOutcome],
        store: Callable[[], MetaStore],
        *,
        interval_s: float = CHECK_INTERVAL_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.attempt = attempt
        self.store = store
        self.interval_s = interval_s
        self.clock = clock
        self._job: threading.Thread | None = None
        self._result: RenewalOutcome | None = None
        self._next_check = float("-inf")
        self.outcomes: list[RenewalOutcome] = []  # this process's finished attempts, oldest first

    def tick(self) -> None:
        if self._job is not None:
            if self._job.is_alive():
                return
            self._finish()
        now = self.clock()
        if now < self._next_check:
            return
        last = last_outcome(self.store())
        # A record from the future (a clock that was wrong) does not hold the check back.
        if last is not None and 0 <= now - last.at.timestamp() < self.interval_s:
            self._next_check = last.at.timestamp() + self.interval_s
            return
        self._next_check = now + self.interval_s
        record_outcome(self.store(), RenewalOutcome("started", dt.datetime.fromtimestamp(int(now), dt.UTC)))
        self._result = None
        self._job = threading.Thread(target=self._run, name="seal-renewal", daemon=True)
        self._job.start()

    def _run(self) -> None:
        try:
            self._result = self.attempt()
        except Exception as exc:  # attempt() should not raise; if it does, say so and try tomorrow
            log.exception("seal certificate renewal crashed")
            self._result = RenewalOutcome("failed", _now(), f"{type(exc).__name__}: {exc}"[:500])

    def _finish(self) -> None:
        self._job = None
        outcome = self._result or RenewalOutcome(
            "failed", _now(), "the renewal thread ended without a result"
        )
        self.outcomes.append(outcome)
        record_outcome(self.store(), outcome)
        log_outcome(outcome)

    def close(self, timeout: float = 30.0) -> None:
        """Wait (up to ``timeout`` seconds) for an attempt under way, and record it."""
        if self._job is None:
            return
        self._job.join(timeout)
        if not self._job.is_alive():
            self._finish()


# ---------------------------------------------------------------------- what maintenance shows


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
