"""The trust store: which roots verification accepts, and which kiosk seal certificates it knows.

A printed seal carries only its key id (8 bytes), not its certificate, so checking paper offline needs
the seal certificates of the fleet, as the EU DCC's verifiers need the list of document signers. Each
known seal certificate still has to chain to a trusted root to count.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from signing.config import SigningConfig
from signing.errors import SigningError
from signing.keys import ROOT_CERT, SEAL_CERT, cert_kid, resolve
from signing.kiosk_revocation import KioskRevocations, load_revocation_list
from signing.seal_v1 import VNC1_LAST_ISSUE

log = logging.getLogger(__name__)

MAX_CHAIN = 4


def _is_self_signed_ca(cert: x509.Certificate) -> bool:
    if cert.subject != cert.issuer:
        return False
    try:
        basic = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False
    if not basic.ca:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, Exception):
        return False
    return True


@dataclass
class TrustStore:
    roots: list[x509.Certificate] = field(default_factory=list)
    # Seal and intermediate certificates known by key id (the seal's kid).
    known: dict[bytes, x509.Certificate] = field(default_factory=dict)
    # The city's list of revoked kiosk seal certificates (signing.kiosk_revocation), when one is loaded.
    revocations: KioskRevocations | None = None
    # Older (VNC1) seals issued at or after this moment are refused (signing.seal_v1): the VNC2 cutover,
    # or ``signing.vnc1_seals_until``.
    vnc1_until: dt.datetime = VNC1_LAST_ISSUE

    def add(self, cert: x509.Certificate) -> None:
        if _is_self_signed_ca(cert):
            if all(r.fingerprint(hashes.SHA256()) != cert.fingerprint(hashes.SHA256()) for r in self.roots):
                self.roots.append(cert)
        else:
            self.known[cert_kid(cert)] = cert

    def cert_for_kid(self, kid: bytes) -> x509.Certificate | None:
        return self.known.get(kid)

    def chain_problem(self, cert: x509.Certificate, moment: dt.datetime) -> str | None:
        """None when ``cert`` chains to a trusted root with every link valid at ``moment``; else why not."""
        current = cert
        for _ in range(MAX_CHAIN):
            if moment < current.not_valid_before_utc:
                return f"certificate '{_cn(current)}' was not yet valid at {moment:%Y-%m-%d %H:%M} UTC"
            if moment > current.not_valid_after_utc:
                return f"certificate '{_cn(current)}' had expired at {moment:%Y-%m-%d %H:%M} UTC"
            for root in self.roots:
                if root.subject == current.issuer and _issued_by(current, root):
                    if not root.not_valid_before_utc <= moment <= root.not_valid_after_utc:
                        return f"root certificate '{_cn(root)}' was not valid at {moment:%Y-%m-%d %H:%M} UTC"
                    return None
            parent = next(
                (c for c in self.known.values() if c.subject == current.issuer and _issued_by(current, c)),
                None,
            )
            if parent is None or parent is current:
                return f"certificate '{_cn(cert)}' is not issued by a trusted authority"
            current = parent
        return f"certificate '{_cn(cert)}' has too long a chain"

    def revocation_problem(self, cert: x509.Certificate, moment: dt.datetime) -> str | None:
        """Why a seal that ``cert`` made at ``moment`` is void by the kiosk revocation list, or None."""
        return self.revocations.problem(cert, moment) if self.revocations is not None else None

    def issuers(self) -> list[x509.Certificate]:
        """The roots and the known CA certificates: who may sign a revocation list."""
        cas = [c for c in self.known.values() if _is_ca(c)]
        return [*self.roots, *cas]

    def load_revocations(self, data: bytes, *, source: str = "") -> KioskRevocations:
        """Verify a kiosk revocation list against this store and use it (SigningError when untrusted)."""
        self.revocations = load_revocation_list(data, self.issuers(), source=source)
        return self.revocations

    def asn1_roots(self) -> list[object]:
        return [asn1_x509.Certificate.load(r.public_bytes(serialization.Encoding.DER)) for r in self.roots]


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _cn(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except Exception:
        return False
    return True


def _pem_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() in (".pem", ".crt", ".cer"))
    return [path]


def load_certs(path: Path) -> list[x509.Certificate]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningError(f"{path}: cannot read trusted certificates: {exc}") from None
    try:
        return x509.load_pem_x509_certificates(data)
    except ValueError:
        try:
            return [x509.load_der_x509_certificate(data)]
        except ValueError:
            raise SigningError(f"{path}: not a PEM or DER certificate") from None


def load_trust_store(config: SigningConfig, data_dir: Path) -> TrustStore:
    """The roots (and known seal certificates) from keys_dir and every ``trust_paths`` entry."""
    store = TrustStore()
    if config.vnc1_seals_until is not None:
        until = config.vnc1_seals_until
        store.vnc1_until = until if until.tzinfo is not None else until.replace(tzinfo=dt.UTC)
    keys_dir = resolve(config.keys_dir, data_dir)
    for name in (ROOT_CERT, SEAL_CERT):
        if (keys_dir / name).is_file():
            for cert in load_certs(keys_dir / name):
                store.add(cert)
    for entry in config.trust_paths:
        path = resolve(entry, data_dir)
        if not path.exists():
            raise SigningError(f"{path}: trusted certificate path not found (signing.trust_paths)")
        for file in _pem_files(path):
            for cert in load_certs(file):
                store.add(cert)
    if config.revocation_list:
        path = resolve(config.revocation_list, data_dir)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SigningError(
                f"{path}: cannot read the kiosk revocation list (signing.revocation_list): {exc.strerror}"
            ) from None
        store.load_revocations(data, source=str(path))
    log.debug("trust store: %d roots, %d known certificates", len(store.roots), len(store.known))
    return store
