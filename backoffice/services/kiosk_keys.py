"""Kiosk seal keys at the city (issue 22): which seal certificates each kiosk has sealed with, revoking them
for every verifier, and renewing the kiosks' short-lived seal certificates over their mTLS link.

* ``kiosk_seal_certs``: every seal certificate the city has seen, from the copies it stored (an ingest
  hook reads the signer certificate of each new copy) and from the renewals it issued.
* ``kiosk_revocations``: one row per revoked seal certificate (serial, kiosk, the time from which its
  seals are void). ``publish`` signs them all into the revocation list (a CRL, see
  ``signing.kiosk_revocation``) under the city's issuing key and writes ``DATA/kiosk-revocations.pem``;
  the public listener serves that file, `kiosk verify` checks it.
* ``RevocationGuard``: wraps the upload seal check, so a copy sealed with a revoked certificate at or
  after its void time is refused at upload (422, a dead letter at the kiosk), whatever its seal says.
* ``SealIssuer``: signs a kiosk's certificate signing request (PKCS#10) with the city's issuing key for
  ``days`` (default 90). The kiosk is whoever its mTLS client certificate names; the request must be
  signed by the key it certifies (proof of possession), be EC P-256, and not be the key of a revoked
  certificate.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from backoffice.services.auth import audit
from backoffice.storage.db import BackendDB, SealCheck
from offline_sync.protocol import IngestResult, RecordUpload
from offline_sync.protocol.errors import BackendError
from signing.errors import SigningError
from signing.keys import load_private_key, make_seal_cert
from signing.kiosk_revocation import (
    DEFAULT_NEXT_UPDATE,
    KioskRevocations,
    RevokedSeal,
    load_revocation_list,
    make_revocation_list,
    pdf_seal_signer,
)
from signing.trust import TrustStore

log = logging.getLogger(__name__)

REVOCATION_FILE = "kiosk-revocations.pem"
DEFAULT_SEAL_DAYS = 90
MAX_CSR_BYTES = 16 * 1024

_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS kiosk_seal_certs (
        serial TEXT PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        not_before TEXT NOT NULL,
        not_after TEXT NOT NULL,
        pem TEXT NOT NULL,
        source TEXT NOT NULL,
        seen_at TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS kiosk_seal_certs_kiosk ON kiosk_seal_certs(kiosk_id, not_after)",
    """CREATE TABLE IF NOT EXISTS kiosk_revocations (
        serial TEXT PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        void_from TEXT NOT NULL,
        revoked_at TEXT NOT NULL,
        revoked_by TEXT NOT NULL
    )""",
]


class KioskKeyError(BackendError):
    exit_code = 2


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def kiosk_of(cert: x509.Certificate) -> str | None:
    """The kiosk a seal certificate belongs to: its organisational unit (signing.keys.make_seal_cert)."""
    units = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    return str(units[0].value) if units else None


def parse_time(text: str) -> dt.datetime:
    """An ISO 8601 time with a zone (``Z`` or ``+07:00``), or ``now``; KioskKeyError otherwise."""
    if text.strip().lower() == "now":
        return _now()
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise KioskKeyError(
            "not a time: give ISO 8601 with a zone, e.g. 2026-11-22T08:30:00+07:00, or 'now'", subject=text
        ) from None
    if moment.tzinfo is None:
        raise KioskKeyError("the time needs a zone (Z or +07:00): a bare time is ambiguous", subject=text)
    return moment.astimezone(dt.UTC)


class KioskKeys:
    """The seal certificates and revocations in the backend's database."""

    def __init__(self, db: BackendDB) -> None:
        self.db = db
        with db._tx() as cur:
            for statement in _SCHEMA:
                cur.execute(statement)

    # -- the certificates each kiosk seals with

    def note_cert(self, cert: x509.Certificate, *, source: str) -> bool:
        """Remember a kiosk seal certificate (once); True when it was new."""
        kiosk = kiosk_of(cert)
        if kiosk is None:
            return False
        with self.db._tx() as cur:
            cur.execute(
                "INSERT INTO kiosk_seal_certs(serial, kiosk_id, not_before, not_after, pem, source, seen_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (serial) DO NOTHING RETURNING serial",
                (
                    format(cert.serial_number, "x"),
                    kiosk,
                    cert.not_valid_before_utc.isoformat(),
                    cert.not_valid_after_utc.isoformat(),
                    cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
                    source,
                    _now().isoformat(),
                ),
            )
            return cur.fetchone() is not None

    def record_signers(self, records: Sequence[RecordUpload], results: Sequence[IngestResult]) -> int:
        """Ingest hook: the seal certificate of each newly stored copy."""
        added = 0
        for rec, res in zip(records, results, strict=True):
            if res.status != 201 or res.replayed:
                continue
            try:
                found = pdf_seal_signer(rec.pdf_bytes())
            except ValueError:
                continue
            if found is not None and kiosk_of(found[0]) == rec.kiosk_id:
                added += self.note_cert(found[0], source="upload")
        return added

    def certs_of(self, kiosk_id: str) -> list[x509.Certificate]:
        with self.db._tx() as cur:
            cur.execute("SELECT pem FROM kiosk_seal_certs WHERE kiosk_id = ? ORDER BY not_after", (kiosk_id,))
            rows = cur.fetchall()
        return [x509.load_pem_x509_certificate(str(r[0]).encode("ascii")) for r in rows]

    def seal_certs(self, kiosk_id: str | None = None) -> list[dict[str, object]]:
        """Per certificate: kiosk, serial, validity, days left and whether it is revoked (maintenance)."""
        now = _now()
        revoked = {e.serial: e for e in self.entries()}
        sql = "SELECT serial, kiosk_id, not_before, not_after, source FROM kiosk_seal_certs"
        params: tuple[str, ...] = ()
        if kiosk_id:
            sql, params = sql + " WHERE kiosk_id = ?", (kiosk_id,)
        with self.db._tx() as cur:
            cur.execute(sql + " ORDER BY kiosk_id, not_after", params)
            rows = cur.fetchall()
        out = []
        for serial, kiosk, not_before, not_after, source in rows:
            entry = revoked.get(int(serial, 16))
            out.append(
                {
                    "kiosk_id": kiosk,
                    "serial": serial,
                    "not_before": not_before,
                    "not_after": not_after,
                    "days_left": (dt.datetime.fromisoformat(not_after) - now).days,
                    "source": source,
                    "void_from": entry.void_from.isoformat() if entry else None,
                }
            )
        return out

    # -- revocation

    def revoke(
        self,
        kiosk_id: str,
        void_from: dt.datetime,
        *,
        actor: str,
        certs: Sequence[x509.Certificate] = (),
    ) -> list[RevokedSeal]:
        """Revoke ``certs`` (default: every seal certificate of the kiosk the city knows) from
        ``void_from`` on. A certificate already revoked keeps the earlier of its two void times."""
        chosen = list(certs) or self.certs_of(kiosk_id)
        if not chosen:
            raise KioskKeyError(
                "the city knows no seal certificate of this kiosk (no copy stored, no renewal): "
                "give its certificate with --cert PEM",
                subject=kiosk_id,
            )
        for cert in chosen:
            owner = kiosk_of(cert)
            if owner != kiosk_id:
                raise KioskKeyError(f"this certificate is kiosk {owner or '?'}'s, not {kiosk_id}'s")
        now = _now()
        with self.db._tx() as cur:
            for cert in chosen:
                serial = format(cert.serial_number, "x")
                cur.execute("SELECT void_from FROM kiosk_revocations WHERE serial = ?", (serial,))
                row = cur.fetchone()
                if row is None:
                    cur.execute(
                        "INSERT INTO kiosk_revocations(serial, kiosk_id, void_from, revoked_at, revoked_by)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (serial, kiosk_id, void_from.isoformat(), now.isoformat(), actor),
                    )
                elif dt.datetime.fromisoformat(str(row[0])) > void_from:
                    cur.execute(
                        "UPDATE kiosk_revocations SET void_from = ? WHERE serial = ?",
                        (void_from.isoformat(), serial),
                    )
        for cert in chosen:
            self.note_cert(cert, source="revocation")
        audit(self.db, actor, "revoke_kiosk_key", None, f"{kiosk_id} from {void_from.isoformat()}")
        wanted = {c.serial_number for c in chosen}
        return [e for e in self.entries() if e.serial in wanted]

    def entries(self) -> list[RevokedSeal]:
        with self.db._tx() as cur:
            cur.execute("SELECT serial, void_from, revoked_at FROM kiosk_revocations ORDER BY serial")
            rows = cur.fetchall()
        return [
            RevokedSeal(int(serial, 16), dt.datetime.fromisoformat(void), dt.datetime.fromisoformat(at))
            for serial, void, at in rows
        ]

    def publish(
        self, issuer: SealIssuer, path: Path, *, next_update: dt.timedelta = DEFAULT_NEXT_UPDATE
    ) -> bytes:
        """Sign every entry into the revocation list and write it to ``path`` (atomically)."""
        pem = make_revocation_list(self.entries(), issuer.cert, issuer.key, next_update=next_update)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(pem)
        os.replace(tmp, path)
        return pem

    def revoked_key(self, public: object) -> bool:
        """True when ``public`` is the key of a revoked seal certificate (a renewal must bring a new key)."""
        revoked = {format(e.serial, "x") for e in self.entries()}
        if not revoked:
            return False
        with self.db._tx() as cur:
            cur.execute("SELECT serial, pem FROM kiosk_seal_certs")
            rows = cur.fetchall()
        for serial, pem in rows:
            if serial in revoked:
                cert = x509.load_pem_x509_certificate(str(pem).encode("ascii"))
                if cert.public_key() == public:
                    return True
        return False


@dataclass
class SealIssuer:
    """The city's key that issues kiosk seal certificates and signs the revocation list (the dev city
    root; in production an issuing CA under the root, its key on an HSM)."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    days: int = DEFAULT_SEAL_DAYS

    @classmethod
    def load(
        cls, cert: Path, key: Path, passphrase: str | None, *, days: int = DEFAULT_SEAL_DAYS
    ) -> SealIssuer:
        try:
            issuer_cert = x509.load_pem_x509_certificate(Path(cert).read_bytes())
        except (OSError, ValueError) as exc:
            raise KioskKeyError(
                f"not a readable PEM certificate ({type(exc).__name__})", subject=str(cert)
            ) from None
        try:
            issuer_key = load_private_key(Path(key), passphrase.encode("utf-8") if passphrase else None)
        except SigningError as exc:
            raise KioskKeyError(str(exc), subject=str(key)) from None
        if issuer_key.public_key() != issuer_cert.public_key():
            raise KioskKeyError("the key does not belong to the issuer certificate", subject=str(key))
        if days < 1:
            raise KioskKeyError("a seal certificate must be valid for at least one day", subject=str(days))
        return cls(issuer_cert, issuer_key, days)

    @property
    def authority(self) -> str:
        names = self.cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        return str(names[0].value) if names else "City"

    def issue(self, csr_pem: bytes, kiosk_id: str, keys: KioskKeys) -> x509.Certificate:
        """A seal certificate for ``kiosk_id`` over the key of ``csr_pem``; KioskKeyError says why not."""
        if len(csr_pem) > MAX_CSR_BYTES:
            raise KioskKeyError("the certificate request is too large")
        try:
            csr = x509.load_pem_x509_csr(csr_pem)
        except ValueError:
            raise KioskKeyError("not a PEM certificate signing request (PKCS#10)") from None
        if not csr.is_signature_valid:
            raise KioskKeyError("the request is not signed by the key it asks to certify")
        public = csr.public_key()
        if not isinstance(public, ec.EllipticCurvePublicKey) or not isinstance(public.curve, ec.SECP256R1):
            raise KioskKeyError("a seal key must be EC P-256")
        if keys.revoked_key(public):
            raise KioskKeyError("this key belongs to a revoked seal certificate: make a new key")
        now = _now()
        cert = make_seal_cert(
            public,
            self.key,
            self.cert,
            authority=self.authority,
            kiosk_id=kiosk_id,
            not_before=now - dt.timedelta(minutes=5),
            not_after=min(now + dt.timedelta(days=self.days), self.cert.not_valid_after_utc),
        )
        keys.note_cert(cert, source="renewal")
        audit(keys.db, f"kiosk:{kiosk_id}", "renew_seal_cert", None, f"serial {cert.serial_number:x}")
        return cert


class RevocationGuard:
    """The upload seal check, plus the kiosk revocation list: a copy sealed with a revoked certificate at
    or after its void time is refused. The list is the published file, re-read when it changes and
    verified against the trust roots (a list no city root signed is ignored, loudly)."""

    def __init__(self, inner: SealCheck, list_path: Path, trust: TrustStore) -> None:
        self.inner, self.path, self.trust = inner, Path(list_path), trust
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._list: KioskRevocations | None = None

    def current(self) -> KioskRevocations | None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if stamp != self._stamp:
                try:
                    self._list = load_revocation_list(
                        self.path.read_bytes(), self.trust.issuers(), source=str(self.path)
                    )
                except (OSError, SigningError) as exc:
                    log.error("kiosk revocation list ignored: %s", exc)
                    self._list = None
                self._stamp = stamp
            return self._list

    def code_problem(self, code: str, kiosk_id: str) -> str | None:
        return self.inner.code_problem(code, kiosk_id)

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
        # ``claims`` only when ingest gives them (a seal check without the requester comparison takes none).
        extra: dict[str, Any] = {"claims": claims} if claims is not None else {}
        found = self.inner.problem(
            code=code, kiosk_id=kiosk_id, pages=pages, doc_type=doc_type, pdf=pdf, **extra
        )
        if found is not None:
            return found
        revocations = self.current()
        if revocations is None or not revocations.entries:
            return None
        signer = pdf_seal_signer(pdf)
        if signer is None:
            return "the PDF could not be verified"
        cert, signed_at = signer
        moment = signed_at or _now()
        revoked = revocations.problem(cert, moment)
        return f"seal_revoked: {revoked}" if revoked is not None else None

    def close(self) -> None:
        closer = getattr(self.inner, "close", None)
        if closer is not None:
            closer()


def current_revocations(db: BackendDB) -> KioskRevocations | None:
    """The kiosk revocation list the upload check applies (the database's ``RevocationGuard``: the published
    file, verified against the city roots), for the public pages that show a stored copy; None when this
    backend checks no seals (``serve --dev-no-seal-check``) or has published no list."""
    guard = db.seal_checker
    return guard.current() if isinstance(guard, RevocationGuard) else None
