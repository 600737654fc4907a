"""Renewing the kiosk's short-lived seal certificate over its mTLS link (issue 22).

Seal certificates live ``signing.dev_seal_days`` (default 90 days). Once the certificate has
``signing.renew_before_days`` or fewer left, the kiosk asks the city for a new one over the same key: it
signs a certificate request (PKCS#10) with its seal signer (a file key or a PKCS#11 token alike: the
request is built here and signed with ``sign_es256``, so the key never leaves the token), posts it to
``/v1/seal-certificate``, checks that what comes back certifies its own key for its own kiosk and chains
to a trusted root, and only then replaces ``kiosk-seal.pem`` (and the token's certificate object).
``renewal_status`` is what maintenance shows: the expiry, the days left, whether a renewal is due.

Who renews, and when:

* The screen process (`kiosk run`, ``ScreenSealRenewal``, started by ``KioskApp.start_seal_renewal``) holds
  the seal key, so on a kiosk installed with the packaged units it is the one that renews: a thread of its
  own looks every ``SCREEN_POLL_S``, takes the day's check when no attempt is recorded for the last day,
  and renews a due certificate through its own mTLS client (``[sync]`` client certificate; the screen's
  unit gets a read-only copy of it). Whoever renewed (the screen, the sync worker, a technician), a
  certificate on disk that is newer than the one the screen seals with is loaded on that thread and put in
  place between visits (``KioskApp.reload_seal_certificate``, called on the attract screen), never
  mid-visit and without a restart.
* The sync worker (`kiosk sync run`) checks once a day from its loop where it can use the seal key
  (``SealRenewalLoop.tick`` from ``on_tick``; the attempt runs in a thread of its own, the upload loop never
  waits). The packaged sync unit hides keys/ from it on purpose: there it defers to the screen, quietly,
  and warns only when no check has been recorded for days (the screen is not running).
* A technician renews at once with `kiosk keys renew`; the outcome is recorded the same way.
* The day's check is one for both processes: it is taken under a lock file next to the store
  (``renewal_lock_path``) and recorded in the store's meta table (``started``, then the outcome) before
  the city is asked, so the screen and the worker never both renew on one day, and a restart does not ask
  again. A ``no_key`` record never holds the other process back.
* Maintenance shows ``maintenance_data`` / ``maintenance_line``: the expiry, days left, renewal due, and the
  last attempt's outcome.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

from asn1crypto import algos, csr, keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from kiosk.runtime.seal_status import (
    MetaStore,
    RenewalOutcome,
    last_outcome,
    record_outcome,
    renewal_status,
)
from offline_sync.client import BackendClient, renew_seal_certificate
from offline_sync.protocol.errors import StoreError, SyncError
from signing.config import SigningConfig
from signing.errors import KeyUnavailableError, SigningError
from signing.keys import load_seal_signer
from signing.pkcs11_keys import store_token_cert
from signing.signer import SEAL_CERT, SEAL_KEY, SealSigner, load_cert, resolve
from signing.trust import TrustStore, load_trust_store

log = logging.getLogger(__name__)

# The store's meta key holding the last renewal attempt (RenewalOutcome JSON).
CHECK_INTERVAL_S = 86_400.0  # the kiosk checks (and renews when due) at most once a day
SCREEN_POLL_S = 600.0  # how often the screen's thread looks at the day's check and the certificate on disk
SCREEN_FIRST_LOOK_S = 60.0  # its first look waits this long: the attract screen and the warm-up go first
# A sync worker that defers to the screen warns when no check has been recorded for this long.
STALE_CHECK_S = 3 * CHECK_INTERVAL_S


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


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@contextlib.contextmanager
def _link(client: BackendClient | Callable[[], BackendClient]) -> Iterator[BackendClient]:
    """``client`` itself (left open), or one opened from the factory for this attempt and closed after."""
    if isinstance(client, BackendClient):
        yield client
        return
    with client() as opened:
        yield opened


def renew_if_due(
    config: SigningConfig,
    data_dir: Path,
    client: BackendClient | Callable[[], BackendClient],
    *,
    kiosk_id: str,
) -> RenewalOutcome:
    """Renew the seal certificate when it has ``renew_before_days`` or fewer left. ``client`` is the mTLS
    client, or a factory opened only when a renewal is due. Never raises: the outcome says what happened
    (``renewed``, ``not_due``, ``no_key`` or ``failed``)."""
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
        with load_seal_signer(config, data_dir) as signer, _link(client) as link:
            cert = renew(signer, link, trust, config, data_dir, kiosk_id=kiosk_id)
    except KeyUnavailableError as exc:
        detail = f"the seal key cannot be used here ({exc}); renew it with `kiosk keys renew`"
        return RenewalOutcome("no_key", _now(), detail, status.not_after)
    except (SigningError, SyncError) as exc:
        return RenewalOutcome("failed", _now(), str(exc)[:500], status.not_after)
    except Exception as exc:  # a bug must not kill the process that checks: the next day's check tries again
        log.exception("seal certificate renewal failed")
        return RenewalOutcome("failed", _now(), f"{type(exc).__name__}: {exc}"[:500], status.not_after)
    return RenewalOutcome(
        "renewed", _now(), f"new certificate serial {cert.serial_number:x}", cert.not_valid_after_utc
    )


def seal_key_unreachable(config: SigningConfig, data_dir: Path) -> str | None:
    """Why this process cannot renew with the seal key (None when it can open the files a renewal needs).

    Cheap (no key is decrypted): the packaged sync worker sees an empty keys/ and defers to the screen."""
    keys_dir = resolve(config.keys_dir, data_dir)
    needed = [keys_dir / SEAL_CERT]
    if config.key_backend == "file":
        needed.append(keys_dir / SEAL_KEY)
        if not os.environ.get(config.passphrase_env):
            needed.append(resolve(config.passphrase_file, data_dir))
    elif not os.environ.get(config.pkcs11_pin_env):
        needed.append(resolve(config.pkcs11_pin_file, data_dir))
    for path in needed:
        try:
            with open(path, "rb"):
                pass
        except OSError as exc:
            return f"{path}: {exc.strerror or exc}"
    return None


def log_outcome(outcome: RenewalOutcome) -> None:
    if outcome.outcome == "renewed":
        until = f"{outcome.not_after:%Y-%m-%d}" if outcome.not_after else "?"
        log.info("seal certificate renewed, valid until %s (%s)", until, outcome.detail)
    elif outcome.outcome == "not_due":
        log.info("seal certificate renewal not due yet (%s)", outcome.detail)
    else:
        log.warning("seal certificate renewal %s: %s", outcome.outcome.replace("_", " "), outcome.detail)


def renewal_lock_path(database: Path) -> Path:
    """The lock file next to the store under which a process takes the day's check (the screen and the
    sync worker share the store's folder)."""
    return database.with_name(database.name + ".seal-renewal.lock")


@contextlib.contextmanager
def _check_lock(path: Path | None) -> Iterator[bool]:
    """Hold the cross-process lock on ``path`` without waiting: True when held (or no lock is used), False
    when another process holds it right now. A lock file that cannot be opened is said, and not waited for:
    at worst both processes renew on one day, which costs the city one certificate."""
    if path is None:
        yield True
        return
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o660)
    except PermissionError:
        try:
            fd = os.open(path, os.O_RDONLY)  # flock works on a descriptor opened for reading too
        except OSError as exc:
            log.warning("seal renewal lock %s cannot be opened (%s); checking without it", path, exc)
            yield True
            return
    except OSError as exc:
        log.warning("seal renewal lock %s cannot be opened (%s); checking without it", path, exc)
        yield True
        return
    try:
        with contextlib.suppress(OSError):  # the other user (screen or worker) opens it too; umask aside
            os.fchmod(fd, 0o660)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class DailyCheck:
    """The day's seal certificate check, one for every process of the kiosk.

    ``claim`` is cheap: at most once per ``interval_s`` in this process it takes the lock next to the store
    and, when no attempt is recorded for the last ``interval_s`` (``no_key`` aside: a process without the
    key never holds the one with it back), records ``started`` and says so. The caller then attempts and
    hands the outcome to ``finish``. ``store`` is only touched from the thread that calls them."""

    def __init__(
        self,
        store: Callable[[], MetaStore],
        *,
        interval_s: float = CHECK_INTERVAL_S,
        clock: Callable[[], float] = time.time,
        lock_path: Path | None = None,
    ) -> None:
        self.store = store
        self.interval_s = interval_s
        self.clock = clock
        self.lock_path = lock_path
        self.next_check = float("-inf")

    def due(self) -> bool:
        return self.clock() >= self.next_check

    def last(self) -> RenewalOutcome | None:
        try:
            return last_outcome(self.store())
        except StoreError as exc:  # the store cannot be opened: try again on a later turn
            log.warning("cannot read the last seal certificate renewal: %s", exc)
            return None

    def claim(self) -> bool:
        now = self.clock()
        if now < self.next_check:
            return False
        with _check_lock(self.lock_path) as held:
            if not held:  # the other process is taking the check this moment: the next turn sees its record
                return False
            try:
                store = self.store()
            except StoreError as exc:
                log.warning("the seal certificate check cannot open the store: %s", exc)
                return False
            last = last_outcome(store)
            # A record from the future (a clock that was wrong) does not hold the check back.
            if (
                last is not None
                and last.outcome != "no_key"
                and 0 <= now - last.at.timestamp() < self.interval_s
            ):
                self.next_check = last.at.timestamp() + self.interval_s
                return False
            self.next_check = now + self.interval_s
            record_outcome(store, RenewalOutcome("started", dt.datetime.fromtimestamp(int(now), dt.UTC)))
            return True

    def finish(self, outcome: RenewalOutcome) -> None:
        try:
            record_outcome(self.store(), outcome)
        except StoreError as exc:
            log.warning("cannot record the seal certificate renewal (%s): %s", outcome.outcome, exc)
        log_outcome(outcome)


class SealRenewalLoop:
    """The sync worker's daily seal certificate check, driven by its loop (``tick`` from ``on_tick``).

    ``tick`` is cheap and never blocks: at most once per ``interval_s`` (persisted in the store, so a
    restarting worker does not ask again) it starts ``attempt`` in a thread of its own, and on a later tick
    records and logs the outcome. With ``can_renew`` (``seal_key_unreachable``), a worker that cannot use
    the seal key does not take the day's check: it leaves it to the screen, which holds the key, and warns
    only when no check has been recorded for ``STALE_CHECK_S``. ``store`` is only touched from the thread
    that calls ``tick`` and ``close`` (the worker's own, as the store wants)."""

    def __init__(
        self,
        attempt: Callable[[], RenewalOutcome],
        store: Callable[[], MetaStore],
        *,
        interval_s: float = CHECK_INTERVAL_S,
        clock: Callable[[], float] = time.time,
        lock_path: Path | None = None,
        can_renew: Callable[[], str | None] | None = None,
    ) -> None:
        self.attempt = attempt
        self.check = DailyCheck(store, interval_s=interval_s, clock=clock, lock_path=lock_path)
        self.can_renew = can_renew
        self._job: threading.Thread | None = None
        self._result: RenewalOutcome | None = None
        self._deferred = 0  # days this worker left the check to the screen
        self.outcomes: list[RenewalOutcome] = []  # this process's finished attempts, oldest first

    def tick(self) -> None:
        if self._job is not None:
            if self._job.is_alive():
                return
            self._finish()
        if not self.check.due():
            return
        if self.can_renew is not None and (reason := self.can_renew()) is not None:
            self._defer(reason)
            return
        if not self.check.claim():
            return
        self._result = None
        self._job = threading.Thread(target=self._run, name="seal-renewal", daemon=True)
        self._job.start()

    def _defer(self, reason: str) -> None:
        """No seal key here: the screen renews. Quiet, unless no check has been recorded for days (the
        screen is not running); never on this worker's first day, when the screen may not have looked yet."""
        now = self.check.clock()
        self.check.next_check = now + self.check.interval_s
        last = self.check.last()
        stale = last is None or now - last.at.timestamp() >= STALE_CHECK_S
        if stale and self._deferred > 0:
            since = f"since {last.at:%Y-%m-%d}" if last is not None else "ever"
            log.warning(
                "no seal certificate renewal check recorded %s: the screen (kiosk-ui), which holds the seal "
                "key, renews it; if it is not running, renew with `sudo kiosk keys renew`",
                since,
            )
        else:
            log.debug("seal certificate renewal left to the screen (no seal key here: %s)", reason)
        self._deferred += 1

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
        self.check.finish(outcome)

    def close(self, timeout: float = 30.0) -> None:
        """Wait (up to ``timeout`` seconds) for an attempt under way, and record it."""
        if self._job is None:
            return
        self._job.join(timeout)
        if not self._job.is_alive():
            self._finish()


class ClosableMetaStore(MetaStore, Protocol):
    def close(self) -> None: ...


class ScreenSealRenewal:
    """The seal certificate's renewal in the screen process (`kiosk run`), the process that holds the key.

    ``turn`` (every ``poll_s`` on a thread of its own, never the GUI thread) takes the day's check
    (``DailyCheck``, shared with the sync worker through the store and the lock file), renews a due
    certificate through the screen's own mTLS client (``open_client``; None when no city backend is
    configured: then it only looks at the certificate on disk), records and logs the outcome, and then
    ``refresh``es: when the certificate on disk is newer than the one in use (renewed here, by the sync
    worker or by `kiosk keys renew`), it loads a signer with it. ``take_pending`` hands that signer over;
    KioskApp puts it in place between visits. ``open_store`` opens a store connection of its own (the
    visit's is not shared across threads), kept for the thread's life."""

    def __init__(
        self,
        config: SigningConfig,
        data_dir: Path,
        *,
        kiosk_id: str,
        open_client: Callable[[], BackendClient] | None,
        open_store: Callable[[], ClosableMetaStore],
        lock_path: Path | None,
        in_use: Callable[[], SealSigner | None],
        load_signer: Callable[[], SealSigner] | None = None,
        interval_s: float = CHECK_INTERVAL_S,
        poll_s: float = SCREEN_POLL_S,
        first_look_s: float = SCREEN_FIRST_LOOK_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.data_dir = data_dir
        self.kiosk_id = kiosk_id
        self.open_client = open_client
        self.open_store = open_store
        self.in_use = in_use
        self.load_signer = load_signer or (lambda: load_seal_signer(config, data_dir))
        self.poll_s = poll_s
        self.first_look_s = first_look_s
        self.check = DailyCheck(self._store, interval_s=interval_s, clock=clock, lock_path=lock_path)
        self.outcomes: list[RenewalOutcome] = []  # this process's attempts, oldest first
        self._store_handle: ClosableMetaStore | None = None
        self._pending: SealSigner | None = None
        self._pending_lock = threading.Lock()
        self._refused: set[bytes] = set()  # certificates on disk already refused (said once each)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._said_no_backend = False

    # -- the thread ------------------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="seal-renewal-screen", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        wait = self.first_look_s
        while not self._stop.wait(wait):
            try:
                self.turn()
            except Exception:  # never let the thread die: the next look tries again
                log.exception("the screen's seal certificate check failed")
            wait = self.poll_s
        self._close_store()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the thread (an attempt under way finishes first, up to ``timeout``), release what it holds."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("the seal certificate renewal did not finish within %.0f s", timeout)
                return
            self._thread = None
        else:
            self._close_store()
        with self._pending_lock:
            pending, self._pending = self._pending, None
        if pending is not None:
            pending.close()

    # -- one look ----------------------------------------------------------------------------------------
    def turn(self) -> RenewalOutcome | None:
        """The day's check when this process takes it (its outcome; None otherwise), then ``refresh``."""
        outcome = None
        if self.open_client is None:
            if not self._said_no_backend:
                log.info(
                    "no city backend configured ([sync] backend_url): the seal certificate is not renewed"
                )
                self._said_no_backend = True
        elif self.check.claim():
            outcome = renew_if_due(self.config, self.data_dir, self.open_client, kiosk_id=self.kiosk_id)
            self.outcomes.append(outcome)
            self.check.finish(outcome)
        self.refresh()
        return outcome

    def refresh(self) -> bool:
        """Load a signer with the certificate on disk when it is newer than the one in use (or waiting):
        same key, valid now, issued no earlier. True when one now waits for ``take_pending``."""
        current = self.in_use()
        if current is None:  # nothing loaded yet: the first visit loads what is on disk
            return False
        with self._pending_lock:
            waiting = self._pending
        newest = waiting.cert if waiting is not None else current.cert
        try:
            on_disk = load_cert(resolve(self.config.keys_dir, self.data_dir) / SEAL_CERT)
        except (SigningError, OSError):
            return False
        if on_disk == newest:
            return False
        fingerprint = on_disk.fingerprint(hashes.SHA256())
        if fingerprint in self._refused:
            return False
        now = dt.datetime.now(dt.UTC)
        problem = None
        if on_disk.public_key() != current.cert.public_key():
            problem = "it is for another key: restart the screen to use it"
        elif not on_disk.not_valid_before_utc <= now <= on_disk.not_valid_after_utc:
            problem = "it is not valid now"
        elif on_disk.not_valid_before_utc < newest.not_valid_before_utc:
            problem = "it was issued before the one in use (an old copy put back?)"
        if problem is not None:
            self._refused.add(fingerprint)
            log.warning(
                "the seal certificate on disk (serial %x) is not used: %s", on_disk.serial_number, problem
            )
            return False
        try:
            fresh = self.load_signer()
        except Exception as exc:  # the key or the token cannot be opened now: the next look tries again
            log.warning("the renewed seal certificate cannot be loaded yet: %s", exc)
            return False
        if fresh.cert != on_disk:  # replaced again meanwhile: the next look takes the newest
            fresh.close()
            return False
        with self._pending_lock:
            replaced, self._pending = self._pending, fresh
        if replaced is not None:
            replaced.close()
        log.info(
            "seal certificate serial %x (valid until %s) loaded: it seals from the next visit on",
            fresh.cert.serial_number,
            f"{fresh.cert.not_valid_after_utc:%Y-%m-%d}",
        )
        return True

    def take_pending(self) -> SealSigner | None:
        """The signer with the renewed certificate, once (None when there is none); cheap, any thread."""
        with self._pending_lock:
            pending, self._pending = self._pending, None
        return pending

    # -- its own store connection ---------------------------------------------------------------------
    def _store(self) -> MetaStore:
        if self._store_handle is None:
            self._store_handle = self.open_store()
        return self._store_handle

    def _close_store(self) -> None:
        handle, self._store_handle = self._store_handle, None
        if handle is not None:
            try:
                handle.close()
            except Exception:
                log.exception("closing the seal renewal's store connection failed")


# ---------------------------------------------------------------------- what maintenance shows
