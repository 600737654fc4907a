"""Kiosk seal keys revoked for every verifier: the city's revocation list of kiosk seal certificates.

The list is an X.509 CRL (RFC 5280) signed by the authority that issued the kiosk seal certificates (the
city root, or a CA that chains to it). Each entry is one revoked seal certificate: its serial number, when
the city revoked it (the entry's revocationDate), and the time from which its seals are void (the entry's
``invalidityDate`` extension, RFC 5280 §5.3.2: "the date on which it is known or suspected that the
private key was compromised"). A seal made at or after that time with that certificate is
``seal_revoked``; one made before it stays valid, so a leak does not withdraw the copies the kiosk issued
honestly before it. The list's thisUpdate/nextUpdate say when it was made and when a newer one is due: a
list past its nextUpdate is *stale*, and the verdict says so.

Why a CRL and not a format of our own: it is signed, dated and read by every tool (``openssl crl -text``),
and its entries already carry the two times the city needs.

What it cannot do: a forger who holds a leaked key can set the seal's time back before the void time.
Offline, such a seal passes this list; online, ``kiosk verify --online`` finds that the city does not
know the copy (or that its record differs), which is why a verifier that can go online should.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from signing._pyhanko import pdf_reader_class
from signing.errors import SealFormatError, SigningError
from signing.pdf_names import SEAL_KEY
from signing.seal import decode_seal

DEFAULT_NEXT_UPDATE = dt.timedelta(days=7)
MAX_LIST_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class RevokedSeal:
    """One revoked kiosk seal certificate."""

    serial: int
    void_from: dt.datetime  # seals made at or after this moment are void (UTC aware)
    revoked_at: dt.datetime  # when the city made the entry (UTC aware)

    def to_json(self) -> dict[str, object]:
        return {
            "serial": format(self.serial, "x"),
            "void_from": self.void_from.isoformat(),
            "revoked_at": self.revoked_at.isoformat(),
        }


@dataclass(frozen=True)
class KioskRevocations:
    """A verified revocation list: who signed it, when, and its entries by serial number."""

    issuer: x509.Name
    this_update: dt.datetime
    next_update: dt.datetime | None
    entries: dict[int, RevokedSeal] = field(default_factory=dict)
    source: str = ""  # where it came from (a file, a URL), for messages

    def stale(self, now: dt.datetime | None = None) -> bool:
        """True when the list is past its nextUpdate: a newer one should exist."""
        moment = now or dt.datetime.now(dt.UTC)
        return self.next_update is not None and moment > self.next_update

    def staleness(self, now: dt.datetime | None = None) -> str | None:
        """A sentence when the list is stale, else None."""
        if not self.stale(now):
            return None
        assert self.next_update is not None
        return (
            f"the kiosk revocation list{' from ' + self.source if self.source else ''} is stale: it was due "
            f"for renewal at {self.next_update:%Y-%m-%d %H:%M} UTC (made {self.this_update:%Y-%m-%d %H:%M} UTC)"
        )

    def entry_for(self, cert: x509.Certificate) -> RevokedSeal | None:
        if cert.issuer != self.issuer:
            return None
        return self.entries.get(cert.serial_number)

    def problem(self, cert: x509.Certificate, moment: dt.datetime) -> str | None:
        """Why a seal made with ``cert`` at ``moment`` is void, or None."""
        entry = self.entry_for(cert)
        if entry is None or moment < entry.void_from:
            return None
        return (
            f"the kiosk's seal certificate (serial {cert.serial_number:x}) was revoked: its seals made from "
            f"{entry.void_from:%Y-%m-%d %H:%M} UTC on are void, and this one was made at "
            f"{moment:%Y-%m-%d %H:%M} UTC"
        )


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def make_revocation_list(
    entries: Iterable[RevokedSeal],
    issuer_cert: x509.Certificate,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    now: dt.datetime | None = None,
    next_update: dt.timedelta = DEFAULT_NEXT_UPDATE,
) -> bytes:
    """The signed list (PEM) naming every entry, valid until ``now + next_update``."""
    moment = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer_cert.subject)
        .last_update(moment)
        .next_update(moment + next_update)
    )
    for entry in entries:
        revoked = (
            x509.RevokedCertificateBuilder()
            .serial_number(entry.serial)
            .revocation_date(entry.revoked_at)
            .add_extension(
                x509.InvalidityDate(entry.void_from.astimezone(dt.UTC).replace(tzinfo=None)), False
            )
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), False)
            .build()
        )
        builder = builder.add_revoked_certificate(revoked)
    crl = builder.sign(issuer_key, hashes.SHA256())
    return crl.public_bytes(serialization.Encoding.PEM)


def _issuer_of(crl: x509.CertificateRevocationList, issuers: Sequence[x509.Certificate]) -> x509.Certificate:
    for cert in issuers:
        if cert.subject == crl.issuer and crl.is_signature_valid(cert.public_key()):  # type: ignore[arg-type]
            return cert
    raise SigningError("the kiosk revocation list is not signed by a trusted authority")


def load_revocation_list(
    data: bytes, issuers: Sequence[x509.Certificate], *, source: str = ""
) -> KioskRevocations:
    """Parse and verify a list (PEM or DER) against ``issuers`` (the trusted roots and known CAs); a list
    that no trusted authority signed is refused with SigningError, never used."""
    if len(data) > MAX_LIST_BYTES:
        raise SigningError(f"{source or 'the kiosk revocation list'}: too large to be a revocation list")
    try:
        crl = (
            x509.load_pem_x509_crl(data)
            if data.lstrip().startswith(b"-----BEGIN")
            else x509.load_der_x509_crl(data)
        )
    except ValueError:
        raise SigningError(f"{source or 'the kiosk revocation list'}: not a revocation list (CRL)") from None
    try:
        _issuer_of(crl, issuers)
    except SigningError as exc:
        raise SigningError(f"{source + ': ' if source else ''}{exc}") from None
    entries: dict[int, RevokedSeal] = {}
    for revoked in crl:
        revoked_at = revoked.revocation_date_utc
        try:
            invalid = revoked.extensions.get_extension_for_class(x509.InvalidityDate).value
            void_from = invalid.invalidity_date_utc
        except x509.ExtensionNotFound:
            void_from = revoked_at  # no invalidity date: void from the revocation on
        entries[revoked.serial_number] = RevokedSeal(revoked.serial_number, void_from, revoked_at)
    return KioskRevocations(
        issuer=crl.issuer,
        this_update=crl.last_update_utc,
        next_update=crl.next_update_utc,
        entries=entries,
        source=source,
    )


def pdf_seal_signer(pdf: bytes) -> tuple[x509.Certificate, dt.datetime | None] | None:
    """The certificate of a PDF's first signature (the kiosk's) and the latest of the times the copy claims
    (the signature's signing time, the seal's issue time); None when the PDF has no readable signature.
    For the backend's upload check, which needs the serial number."""
    try:
        reader = pdf_reader_class()(io.BytesIO(pdf), strict=False)
        signatures = sorted(reader.embedded_signatures, key=lambda s: s.signed_revision)
        if not signatures:
            return None
        first = signatures[0]
        cert = x509.load_der_x509_certificate(first.signer_cert.dump())
        claimed = first.self_reported_timestamp
        times = [_aware(claimed)] if claimed is not None else []
        seal = reader.root.get(SEAL_KEY)
    except Exception:
        return None
    if seal is not None:
        try:
            times.append(decode_seal(str(seal)).claims.issued_at)
        except SealFormatError:
            pass
    return cert, (max(times) if times else None)
