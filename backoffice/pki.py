"""A development PKI for the sync link: a city CA, the backend's server certificate and one client
certificate per kiosk (common name = kiosk id). `kiosk-backend dev-certs` and the tests use it."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class DevPki:
    ca_cert: Path
    ca_key: Path
    server_cert: Path
    server_key: Path


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Smart Kiosk dev"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    data = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _write_cert(path: Path, cert: x509.Certificate) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _issue(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
    usage: list[x509.ObjectIdentifier] | None = None,
    hosts: list[str] | None = None,
    days: int = 825,
) -> x509.Certificate:
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
    if usage:
        builder = builder.add_extension(x509.ExtendedKeyUsage(usage), critical=False)
    if hosts:
        names: list[x509.GeneralName] = []
        for host in hosts:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                names.append(x509.DNSName(host))
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def create_dev_pki(folder: Path, *, hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "::1")) -> DevPki:
    """A CA and a server certificate for `hosts` under `folder` (keys 0600). Overwrites what is there."""
    folder = Path(folder)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Smart Kiosk dev sync CA")
    ca_cert = _issue("Smart Kiosk dev sync CA", ca_key, ca_name, ca_key, ca=True, days=3650)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = _issue(
        "kiosk-backend",
        server_key,
        ca_name,
        ca_key,
        ca=False,
        usage=[ExtendedKeyUsageOID.SERVER_AUTH],
        hosts=list(hosts),
    )
    pki = DevPki(folder / "ca.crt", folder / "ca.key", folder / "server.crt", folder / "server.key")
    _write_cert(pki.ca_cert, ca_cert)
    _write_key(pki.ca_key, ca_key)
    _write_cert(pki.server_cert, server_cert)
    _write_key(pki.server_key, server_key)
    return pki


def issue_client_cert(
    pki: DevPki, kiosk_id: str, cert_path: Path, key_path: Path, *, days: int = 825
) -> None:
    """A client certificate for a kiosk (common name = kiosk id), signed by the dev CA."""
    ca_cert = x509.load_pem_x509_certificate(pki.ca_cert.read_bytes())
    ca_key = serialization.load_pem_private_key(pki.ca_key.read_bytes(), password=None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _issue(
        kiosk_id, key, ca_cert.subject, ca_key, ca=False, usage=[ExtendedKeyUsageOID.CLIENT_AUTH], days=days
    )
    _write_cert(Path(cert_path), cert)
    _write_key(Path(key_path), key)


def write_crl(pki: DevPki, revoked: list[Path], crl_path: Path, *, days: int = 7) -> None:
    """The dev CA's revocation list (PEM) naming the client certificates in ``revoked``; the backend
    refuses them at the handshake (`kiosk-backend serve --crl`). It expires after ``days``: the city
    must publish a fresh one before then, or every kiosk is refused."""
    ca_cert = x509.load_pem_x509_certificate(pki.ca_cert.read_bytes())
    ca_key = serialization.load_pem_private_key(pki.ca_key.read_bytes(), password=None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    now = datetime.now(UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now - timedelta(minutes=5))
        .next_update(now + timedelta(days=days))
    )
    for path in revoked:
        cert = x509.load_pem_x509_certificate(Path(path).read_bytes())
        entry = x509.RevokedCertificateBuilder().serial_number(cert.serial_number).revocation_date(now)
        builder = builder.add_revoked_certificate(entry.build())
    crl = builder.sign(ca_key, hashes.SHA256())
    Path(crl_path).write_bytes(crl.public_bytes(serialization.Encoding.PEM))
