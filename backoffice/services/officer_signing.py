"""The officers' signing worker: one thread per PKCS#11 token, one logged-in session, a queue of jobs.

Why (issue 24): an approval used to open a session and log in to the token for every copy. PKCS#11 login
state belongs to the process, not the session, so two approvals at once made the second ``C_Login``
fail with ``UserAlreadyLoggedIn``. Worse, SoftHSM2 rewrites ``token.object`` at every ``C_Login``
(``Token::loginUser`` -> ``OSToken::setTokenFlags`` -> ``ObjectFile::store``, which ``fopen(path, "w")``
truncates the file *before* taking its lock and writes it back at ``fclose``): a process killed, or
another process reading the token, inside that window leaves or sees an empty or short ``token.object``,
and the token is unusable until it is restored. Logging in once per approval multiplied that window by
the number of approvals.

So here:

* each (module, token label) has exactly one worker thread; it logs in once (under an exclusive lock file
  shared by every backend process on the same data folder, so two of them never log in at the same
  moment) and keeps that session for its life. Approvals never log in, never initialise the token,
  never create or change an object on it: a signature only reads the key. A ``kill -9`` in the middle of
  a signature therefore cannot touch the token's files;
* jobs run one at a time in arrival order; a job carries a ``still_wanted`` check that runs in the
  worker right before its signature, so the second approval of the same copy is told it was already done
  instead of signing it again;
* a token that cannot be opened or that fails mid-way (removed, damaged, restored from a backup) drops the
  session and re-reads the module's token list before the next job: once the token is readable again,
  signing resumes without a restart. The error says that the token cannot be read, never the raw
  PKCS#11 exception.
"""

from __future__ import annotations

import fcntl
import logging
import os
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pkcs11
from cryptography import x509
from pkcs11 import Attribute, ObjectClass

from signing.config import SigningConfig
from signing.countersign import countersign, officer_config
from signing.errors import KeyUnavailableError, SigningError
from signing.pkcs11_keys import Pkcs11SealSigner, _lib, open_session
from signing.signer import issuer_chain, load_cert, resolve

log = logging.getLogger(__name__)

LOGIN_LOCK = "officer-token.lock"


class TokenUnavailable(SigningError):
    """The officer token cannot be opened or read (absent, damaged, wrong PIN, module missing)."""


class NotWanted(Exception):
    """A job's ``still_wanted`` check said no (the copy was approved or revoked meanwhile)."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


@dataclass
class SignJob:
    pdf: bytes
    username: str
    full_name: str
    still_wanted: Callable[[], str | None] = lambda: None  # None: sign it; else why not
    future: Future[bytes] = field(default_factory=Future)


_STOP = object()


class TokenSigningWorker:
    """The one thread that talks to one officer token."""

    def __init__(self, data_dir: Path, *, module: str, token_label: str) -> None:
        self.data_dir = Path(data_dir)
        self.module = module
        self.token_label = token_label
        self._queue: queue.Queue[Any] = queue.Queue()
        self._session: Any = None
        self._signers: dict[str, Pkcs11SealSigner] = {}
        # A new worker (a backend start) reads the token afresh, as does the first job after a failure.
        self._needs_rescan = True
        self.logins = 0  # how many times this worker logged in (one, unless the token was lost)
        self._thread = threading.Thread(target=self._run, name=f"officer-token:{token_label}", daemon=True)
        self._thread.start()

    # -- the callers' side
    def submit(self, job: SignJob) -> Future[bytes]:
        if not self._thread.is_alive():
            job.future.set_exception(TokenUnavailable("the officer token's signing worker has stopped"))
        else:
            self._queue.put(job)
        return job.future

    def sign(self, pdf: bytes, *, username: str, full_name: str, timeout: float = 300.0) -> bytes:
        return self.submit(SignJob(pdf, username, full_name)).result(timeout)

    def close(self, timeout: float = 30.0) -> None:
        """Finish the queued jobs, then log out and stop."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    # -- the worker's side
    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is _STOP:
                break
            if not job.future.set_running_or_notify_cancel():
                continue
            try:
                job.future.set_result(self._do(job))
            except BaseException as exc:  # every failure goes back to the caller waiting on it
                job.future.set_exception(exc)
        self._drop_session()

    def _do(self, job: SignJob) -> bytes:
        for attempt in (1, 2):
            try:
                signer = self._signer(job.username)
                # As late as possible: right before the signature, is the copy still awaiting it?
                why = job.still_wanted()
                if why is not None:
                    raise NotWanted(why)
                return countersign(job.pdf, signer, officer_name=job.full_name)
            except (TokenUnavailable, KeyUnavailableError, pkcs11.PKCS11Error, SigningError) as exc:
                lost = self._session_lost(exc)
                self._drop_session()
                self._needs_rescan = True
                if attempt == 1 and lost:
                    log.warning("officer token %s: session lost (%s); opening it again", self.token_label,
                                type(exc).__name__)  # fmt: skip
                    continue
                if isinstance(exc, TokenUnavailable):
                    raise
                if isinstance(exc, KeyUnavailableError) and "no key labelled" in str(exc):
                    raise TokenUnavailable(
                        f"the officer's key is not on token '{self.token_label}'"
                    ) from None
                if isinstance(exc, SigningError) and not isinstance(exc, KeyUnavailableError) and not lost:
                    raise
                raise self._unreadable(exc) from None
        raise AssertionError("unreachable")

    def _session_lost(self, exc: BaseException) -> bool:
        text = f"{type(exc).__name__} {exc}"
        return any(
            name in text
            for name in ("SessionHandleInvalid", "SessionClosed", "UserNotLoggedIn", "CryptokiNotInitialized",
                         "DeviceRemoved", "TokenNotPresent", "GeneralError")
        )  # fmt: skip

    def _unreadable(self, exc: BaseException) -> TokenUnavailable:
        log.error("officer token %s cannot be used: %s", self.token_label, exc)
        return TokenUnavailable(
            f"the officer token '{self.token_label}' cannot be read (absent, damaged or locked); "
            "signing resumes by itself once it is restored"
        )

    def _config(self, username: str) -> SigningConfig:
        return officer_config(username, module=self.module, token_label=self.token_label)

    def _open(self, config: SigningConfig) -> Any:
        """The one login of this worker, under the data folder's exclusive lock (SoftHSM2 rewrites
        token.object at every login: two processes logging in at once must not overlap)."""
        if self._needs_rescan:
            try:
                _lib(config.pkcs11_module).reinitialize()  # re-read the tokens (one restored from backup)
            except (pkcs11.PKCS11Error, RuntimeError) as exc:
                raise self._unreadable(exc) from None
            self._needs_rescan = False
        self.data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.data_dir / LOGIN_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                session = open_session(config, self.data_dir)
            except KeyUnavailableError as exc:
                if "UserAlreadyLoggedIn" in str(exc):
                    # PKCS#11 login belongs to the process: another session of this process logged in
                    # already, so a session without a login of its own has the key too.
                    return self._open_logged_in(config)
                if "wrong PIN" in str(exc) or "no PKCS#11 PIN" in str(exc) or "module" in str(exc):
                    raise TokenUnavailable(str(exc)) from None
                raise self._unreadable(exc) from None
        finally:
            os.close(fd)  # closing the descriptor releases the lock
        self.logins += 1
        return session

    def _open_logged_in(self, config: SigningConfig) -> Any:
        try:
            token = _lib(config.pkcs11_module).get_token(token_label=config.pkcs11_token_label)
            return token.open()
        except (pkcs11.PKCS11Error, RuntimeError) as exc:
            raise self._unreadable(exc) from None

    def _signer(self, username: str) -> Pkcs11SealSigner:
        config = self._config(username)
        label = config.pkcs11_key_label
        if self._session is None:
            self._session = self._open(config)
            self._signers.clear()
        if label not in self._signers:
            session = self._session
            try:
                key = session.get_key(object_class=ObjectClass.PRIVATE_KEY, label=label)
            except pkcs11.NoSuchKey:
                raise KeyUnavailableError(
                    f"no key labelled '{label}' on token '{self.token_label}'"
                ) from None
            cert = _officer_cert(session, config, self.data_dir)
            chain = issuer_chain(resolve(config.keys_dir, self.data_dir), cert)
            signer = _SharedSessionSigner(session, key, label, cert, chain)
            self._signers[label] = signer
        return self._signers[label]

    def _drop_session(self) -> None:
        session, self._session = self._session, None
        self._signers.clear()
        if session is not None:
            try:
                session.close()
            except Exception:  # a session already gone is what we wanted
                log.debug("closing the officer token session failed", exc_info=True)


class _SharedSessionSigner(Pkcs11SealSigner):
    """A signer on the worker's session: closing it must not close the session the others share."""

    def close(self) -> None:
        return None


def _officer_cert(session: Any, config: SigningConfig, data_dir: Path) -> x509.Certificate:
    keys_dir = resolve(config.keys_dir, data_dir)
    file = keys_dir / f"{config.pkcs11_key_label}.pem"
    if file.is_file():
        return load_cert(file)
    for obj in session.get_objects(
        {Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.LABEL: config.pkcs11_key_label}
    ):
        return x509.load_der_x509_certificate(bytes(obj[Attribute.VALUE]))
    raise KeyUnavailableError(f"no certificate for '{config.pkcs11_key_label}' ({file} or on the token)")


_WORKERS: dict[tuple[str, str], TokenSigningWorker] = {}
_WORKERS_LOCK = threading.Lock()


def worker_for(data_dir: Path, *, module: str, token_label: str) -> TokenSigningWorker:
    """The process's one worker of this token (made on first use, made again if it stopped). One per
    token, whatever the data folder: PKCS#11 login state belongs to the process, so two workers of one
    token would be two logins (the second refused with UserAlreadyLoggedIn). A worker made for another data
    folder (where the PIN file and the officers' certificates are) is replaced once its queue is done."""
    key = (module, token_label)
    with _WORKERS_LOCK:
        worker = _WORKERS.get(key)
        if worker is not None and worker.alive and worker.data_dir != Path(data_dir):
            worker.close()
            worker = None
        if worker is None or not worker.alive:
            worker = TokenSigningWorker(Path(data_dir), module=module, token_label=token_label)
            _WORKERS[key] = worker
        return worker


def stop_workers(workers: Sequence[TokenSigningWorker] | None = None) -> None:
    """Finish queued signatures and log out (``serve``'s shutdown)."""
    with _WORKERS_LOCK:
        chosen = list(_WORKERS.values()) if workers is None else list(workers)
        for key, worker in list(_WORKERS.items()):
            if worker in chosen:
                del _WORKERS[key]
    for worker in chosen:
        worker.close()
