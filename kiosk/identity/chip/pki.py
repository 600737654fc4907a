"""A test country signing CA (CSCA) and a Document Signer under it, for the simulated chip.

Made in memory at run time (ECDSA P-256 keys take milliseconds), or written to a folder by
``kiosk keys init-test-csca`` so that a kiosk on the simulated profile can be given the CSCA as its trust
list. Never a production trust anchor: the subject says TEST.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    CertificatePublicKeyTypes,
)
from cryptography.x509.oid import NameOID

CSCA_FILE, DS_FILE, DS_KEY_FILE = "csca.pem", "document-signer.pem", "document-signer.key"


@dataclass(frozen=True)
class ChipPki:
    csca_key: ec.EllipticCurvePrivateKey
    csca: x509.Certificate
    ds_key: ec.EllipticCurvePrivateKey
    ds: x509.Certificate

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / CSCA_FILE).write_bytes(self.csca.public_bytes(serialization.Encoding.PEM))
        (folder / DS_FILE).write_bytes(self.ds.public_bytes(serialization.Encoding.PEM))
        key_path = folder / DS_KEY_FILE
        key_path.write_bytes(
            self.ds_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        key_path.chmod(0o600)


def _name(common_name: str, country: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, country),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Smart Kiosk TEST"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def make_csca(
    common_name: str = "TEST CSCA VN",
    country: str = "VN",
    *,
    key: CertificateIssuerPrivateKeyTypes | None = None,
    rsa_padding: padding.PSS | padding.PKCS1v15 | None = None,
) -> tuple[CertificateIssuerPrivateKeyTypes, x509.Certificate]:
    """A self-signed test CSCA: P-256 unless ``key`` is given (an RSA CSCA may sign PSS: ``rsa_padding``)."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    name = _name(common_name, country)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * 15))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256(), rsa_padding=rsa_padding)
    )
    return key, cert


def make_document_signer(
    csca_key: CertificateIssuerPrivateKeyTypes,
    csca: x509.Certificate,
    common_name: str = "TEST Document Signer VN",
    *,
    valid_days: int = 365 * 11,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A Document Signer under ``csca`` with a new P-256 key."""
    key = ec.generate_private_key(ec.SECP256R1())
    return key, document_signer_certificate(
        csca_key, csca, key.public_key(), common_name, valid_days=valid_days
    )


def document_signer_certificate(
    csca_key: CertificateIssuerPrivateKeyTypes,
    csca: x509.Certificate,
    public_key: CertificatePublicKeyTypes,
    common_name: str = "TEST Document Signer VN",
    *,
    valid_days: int = 365 * 11,
    rsa_padding: padding.PSS | padding.PKCS1v15 | None = None,
) -> x509.Certificate:
    """The certificate ``csca`` issues a Document Signer of any key type (RSA, EC; DSA to be refused)."""
    now = datetime.now(UTC)
    country = csca.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value
    return (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, str(country)))
        .issuer_name(csca.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(csca.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .sign(csca_key, hashes.SHA256(), rsa_padding=rsa_padding)
    )


def make_chip_pki(country: str = "VN") -> ChipPki:
    csca_key, csca = make_csca(country=country)
    assert isinstance(csca_key, ec.EllipticCurvePrivateKey)
    ds_key, ds = make_document_signer(csca_key, csca)
    return ChipPki(csca_key, csca, ds_key, ds)


def load_chip_pki(folder: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey, x509.Certificate]:
    """(CSCA, Document Signer key, Document Signer) saved by :meth:`ChipPki.save`."""
    csca = x509.load_pem_x509_certificate((folder / CSCA_FILE).read_bytes())
    ds = x509.load_pem_x509_certificate((folder / DS_FILE).read_bytes())
    key = serialization.load_pem_private_key((folder / DS_KEY_FILE).read_bytes(), None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{folder / DS_KEY_FILE} is not an EC key")
    return csca, key, ds
