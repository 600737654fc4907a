"""The backend's one seam to the signing package: is an upload really that kiosk's certified copy, and
the officer's approval signature.

The backend is the city's server, not a kiosk part, but it checks the same seals, so it calls the signing
package's upload check (``signing.ingest_check.verify_upload``: ``verify_pdf``'s checks for a fresh copy,
without the work that cannot matter for one) and ``signing.countersign`` here and nowhere else
(.importlinter lets this module, alone in offline_sync, import signing).

With ``workers``, the checks run in a pool of processes (spawned, each with its own copy of the trust store
and its own cache of validated certificate paths): ingest runs in server threads, each waits for its
record's verdict while the pool uses every core.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from backoffice.services.officer_signing import SignJob, TokenSigningWorker, stop_workers, worker_for
from backoffice.services.sealed_claims import mismatched_record_field
from offline_sync.protocol.errors import BackendError
from signing.code import authority_of, is_valid_code
from signing.countersign import init_dev_officer, officer_config
from signing.errors import SigningError
from signing.ingest_check import root_pems, trust_from_pems, verify_upload
from signing.keys import load_cert, load_private_key, resolve
from signing.model import Verification
from signing.trust import TrustStore, load_certs

log = logging.getLogger(__name__)

TRUST_DIR = "trust"
SIGN_TIMEOUT_S = 300.0
PARENT_WATCH_S = 1.0


def load_trust(paths: Sequence[Path]) -> TrustStore:
    """The city roots (self-signed CA certificates) from PEM files or folders of them."""
    store = TrustStore()
    for path in paths:
        files = (
            sorted(p for p in path.iterdir() if p.suffix.lower() in (".pem", ".crt"))
            if path.is_dir()
            else [path]
        )
        for file in files:
            try:
                for cert in load_certs(file):
                    store.add(cert)
            except SigningError as exc:
                raise BackendError(str(exc), subject=str(file)) from None
    return store


def code_belongs_to(code: str, kiosk_id: str) -> bool:
    """A well-formed code with a correct check character, carrying ``kiosk_id``'s prefix."""
    return is_valid_code(code) and authority_of(code, kiosk_id) is not None


def _unit(signer: str | None) -> str | None:
    if not signer:
        return None
    try:
        units = x509.Name.from_rfc4514_string(signer).get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    except ValueError:
        return None
    return str(units[0].value) if units else None


class NoTrustRoot(BackendError):
    exit_code = 2


# The record's fields that the seal also carries and ingest holds to it (issue 24), by record field name;
# and each of the record's ``fields`` (the subject's), which must be the sealed ones exactly
# (``sealed_claims``: what OCR read travels apart, in ``ocr_fields``).
SEALED_RECORD_FIELDS = ("code", "kiosk_id", "doc_type", "pages", "created_at", "holder_name", "holder_id")
SEAL_MISMATCH = "seal_mismatch"


def _same_text(record: str, sealed: str) -> bool:
    def norm(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).split())

    return norm(record) == norm(sealed)


def _masked_match(full: str, masked: str) -> bool:
    """Does the full ID ``full`` fit the sealed ``masked`` form (``001******234``: same length, the shown
    characters equal)?"""
    full = full.strip()
    return len(full) == len(masked) and all(m in ("*", f) for m, f in zip(masked, full, strict=True))


def mismatched_field(verdict: Verification, claims: Mapping[str, str]) -> str | None:
    """The first record field (SEALED_RECORD_FIELDS' names) whose value is not what the seal carries; a
    field the seal does not carry (an older seal) is not compared."""
    if verdict.holder_name and not _same_text(claims.get("holder_name", ""), verdict.holder_name):
        return "holder_name"
    if verdict.holder:
        sealed_id = verdict.holder
        record_id = claims.get("holder_id", "")
        fits = _masked_match(record_id, sealed_id) if "*" in sealed_id else record_id.strip() == sealed_id
        if not fits:
            return "holder_id"
    if verdict.issued_at is not None:
        try:
            claimed = dt.datetime.fromisoformat(claims.get("created_at", ""))
        except ValueError:
            return "created_at"
        if claimed.tzinfo is None or claimed.replace(microsecond=0) != verdict.issued_at.replace(
            microsecond=0
        ):
            return "created_at"
    return None


def _judge(
    verdict: Verification,
    *,
    code: str,
    kiosk_id: str,
    pages: int,
    doc_type: str,
    claims: Mapping[str, str] | None = None,
) -> str | None:
    if not verdict.valid:
        return f"the PDF is not a valid certified copy: {verdict.reason}"
    if verdict.code != code:
        return f"the PDF's seal is for code {verdict.code!r}, not {code!r}"
    if verdict.kiosk_id != kiosk_id or _unit(verdict.signer) != kiosk_id:
        return f"the PDF was not sealed by kiosk {kiosk_id}"
    if verdict.pages != pages:
        return f"the record says {pages} page(s), the seal says {verdict.pages}"
    if verdict.doc_type != doc_type:
        return f"the record says document type {doc_type!r}, the seal says {verdict.doc_type!r}"
    if claims is not None and (field := mismatched_field(verdict, claims)) is not None:
        # Names the field, never its values (they are personal data, and this text is logged).
        return f"{SEAL_MISMATCH}:{field}: the record's {field} is not what the seal carries"
    if claims is not None and (wrong := mismatched_record_field(verdict.fields, claims)) is not None:
        return f"{SEAL_MISMATCH}:{wrong.field}: {wrong.why}"
    return None


def _full_problem(
    trust: TrustStore,
    *,
    code: str,
    kiosk_id: str,
    pages: int,
    doc_type: str,
    pdf: bytes,
    claims: Mapping[str, str] | None = None,
) -> str | None:
    try:
        verdict = verify_upload(pdf, trust)
    except Exception as exc:  # the verifier must never take the server down
        log.warning("seal verification crashed on %s: %s", code, type(exc).__name__)
        return "the PDF could not be verified"
    return _judge(verdict, code=code, kiosk_id=kiosk_id, pages=pages, doc_type=doc_type, claims=claims)


_WORKER_TRUST: TrustStore | None = None


def _worker_init(pems: list[bytes], parent: int | None = None) -> None:
    global _WORKER_TRUST
    _WORKER_TRUST = trust_from_pems(pems)
    if parent is not None:
        threading.Thread(
            target=_exit_with_parent, args=(parent,), name="seal-check-parent", daemon=True
        ).start()


def _exit_with_parent(parent: int) -> None:
    """A seal-check process outlives no server: once its parent is gone (even killed with SIGKILL, when
    nothing could shut the pool down), it exits within a second instead of idling as an orphan."""
    while os.getppid() == parent:
        time.sleep(PARENT_WATCH_S)
    os._exit(0)


def _worker_problem(  # noqa: PLR0917 - a pool task: positional arguments pickle the simplest
    code: str, kiosk_id: str, pages: int, doc_type: str, pdf: bytes, claims: dict[str, str] | None = None
) -> str | None:
    assert _WORKER_TRUST is not None
    return _full_problem(
        _WORKER_TRUST, code=code, kiosk_id=kiosk_id, pages=pages, doc_type=doc_type, pdf=pdf, claims=claims
    )


def _warm() -> bool:
    return _WORKER_TRUST is not None


class SealChecker:
    """Checks an upload against its own seal: the certificate chain, the code, pages and document type.

    ``workers`` > 0: in that many processes (the backend gives the number of cores); 0: in the caller's
    thread. A pool that breaks (a worker killed) is replaced, and the record checked in the caller's
    thread meanwhile: a verdict is never lost to it."""

    def __init__(self, trust: TrustStore, *, workers: int = 0) -> None:
        if not trust.roots:
            raise NoTrustRoot("no city root certificate to check kiosk seals against (--trust PEM)")
        self.trust = trust
        self.workers = max(0, workers)
        self._pool: ProcessPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        if self.workers:
            self._start_pool()

    def _start_pool(self) -> None:
        pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init,
            initargs=(root_pems(self.trust), os.getpid()),
        )
        for future in [pool.submit(_warm) for _ in range(self.workers)]:
            future.result()  # every worker up (imports done) before the first upload waits for one
        self._pool = pool

    def close(self) -> None:
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def code_problem(self, code: str, kiosk_id: str) -> str | None:
        if not code_belongs_to(code, kiosk_id):
            return f"code {code!r} is not a valid code of kiosk {kiosk_id}"
        return None

    def problem(
        self,
        *,
        code: str,
        kiosk_id: str,
        pages: int,
        doc_type: str,
        pdf: bytes,
        claims: Mapping[str, str] | None = None,
    ) -> str | None:
        """None when ``pdf`` is ``kiosk_id``'s certified copy ``code`` as described (and, with ``claims``,
        the record's requester, issue time and fields are the sealed ones: sealed_claims.record_claims());
        else why not."""
        sent = dict(claims) if claims is not None else None
        if (cheap := self.code_problem(code, kiosk_id)) is not None:
            return cheap
        pool = self._pool
        if pool is not None:
            try:
                return pool.submit(_worker_problem, code, kiosk_id, pages, doc_type, pdf, sent).result()
            except (BrokenProcessPool, RuntimeError) as exc:
                log.warning(
                    "seal check pool failed (%s): checking %s here, restarting the pool",
                    type(exc).__name__,
                    code,
                )
                self._restart(pool)
        return _full_problem(
            self.trust, code=code, kiosk_id=kiosk_id, pages=pages, doc_type=doc_type, pdf=pdf, claims=sent
        )

    def _restart(self, broken: ProcessPoolExecutor) -> None:
        with self._pool_lock:
            if self._pool is not broken:
                return  # another thread did it
            self._pool = None
            broken.shutdown(wait=False, cancel_futures=True)
            try:
                self._start_pool()
            except Exception as exc:
                log.error("cannot restart the seal check pool (%s): checking in the server threads", exc)


class OfficerTokens:
    """Where the officers' keys live: one PKCS#11 token (an HSM at the city), a key per officer labelled
    ``officer-<username>``; PIN from ``$KIOSK_OFFICER_PIN`` else ``<data>/officer-pin``.

    Every signature goes through the token's one signing worker (officer_signing.py): one login for the
    process's life, jobs one at a time, so concurrent approvals never log in twice nor write the token."""

    def __init__(self, data_dir: Path, *, module: str, token_label: str) -> None:
        self.data_dir = Path(data_dir)
        self.module = module
        self.token_label = token_label

    @property
    def worker(self) -> TokenSigningWorker:
        return worker_for(self.data_dir, module=self.module, token_label=self.token_label)

    def submit(
        self,
        pdf: bytes,
        *,
        username: str,
        full_name: str,
        still_wanted: Callable[[], str | None] | None = None,
    ) -> Future[bytes]:
        """Queue one signature; ``still_wanted`` runs in the worker right before it (None: go on)."""
        job = SignJob(pdf, username, full_name)
        if still_wanted is not None:
            job.still_wanted = still_wanted
        return self.worker.submit(job)

    def approve(self, pdf: bytes, *, username: str, full_name: str) -> bytes:
        """``pdf`` with the officer's PAdES approval signature; BackendError when the token says no."""
        try:
            return self.submit(pdf, username=username, full_name=full_name).result(SIGN_TIMEOUT_S)
        except SigningError as exc:
            raise BackendError(f"the officer's signature could not be made: {exc}") from None

    def close(self) -> None:
        """Finish the queued signatures and log out of the token."""
        stop_workers([self.worker])


def make_dev_officer_key(
    data_dir: Path,
    *,
    username: str,
    full_name: str,
    issuer_cert: Path,
    issuer_key: Path,
    passphrase: str | None,
    module: str,
    token_label: str,
) -> Path:
    """Development: the officer's key generated on the token and a certificate from the dev city root
    (``kiosk keys init-dev``'s root). Returns where the certificate was written."""
    try:
        cert = load_cert(issuer_cert)
        key = load_private_key(issuer_key, passphrase.encode() if passphrase else None)
    except SigningError as exc:
        raise NoTrustRoot(str(exc)) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise NoTrustRoot("the issuer key must be an EC key", subject=str(issuer_key))
    config = officer_config(username, module=module, token_label=token_label)
    # This process's signing worker of the token (if any) logs out first: the dev key is made with a login
    # of its own (a development command, the one that writes to the token; never the serving backend).
    stop_workers([worker_for(data_dir, module=module, token_label=token_label)])
    try:
        officer = init_dev_officer(config, data_dir, officer=full_name, issuer_cert=cert, issuer_key=key)
    except SigningError as exc:
        raise BackendError(f"cannot make the officer's key: {exc}") from None
    out = resolve(config.keys_dir, data_dir) / f"{config.pkcs11_key_label}.pem"
    out.write_bytes(officer.public_bytes(serialization.Encoding.PEM))
    return out
