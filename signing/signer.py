"""The seal signer as the rest of `signing` sees it, apart from any key back-end.

`SealSigner` is abstract: `keys.FileSealSigner` (an encrypted PKCS#8 file) and
`pkcs11_keys.Pkcs11SealSigner` (a key on a token) implement it. The file names of the key folder and the
certificate helpers both back-ends need live here too, so `keys` and `pkcs11_keys` never import each
other's internals (`keys` picks a back-end; the back-ends depend only on this module).
"""

from __future__ import annotations

import abc
import datetime as dt
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from signing._pyhanko import certificate_store_class
from signing.errors import CertificateValidityError, KeyUnavailableError

if (
    TYPE_CHECKING
):  # pyHanko (about 0.5 s to import) loads when a PDF is signed, not with a certificate's dates
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

ROOT_CERT = "city-root-ca.pem"
ROOT_KEY = "city-root-ca.key.pem"
SEAL_CERT = "kiosk-seal.pem"
SEAL_KEY = "kiosk-seal.key.pem"


def resolve(path: str, data_dir: Path) -> Path:
    p = Path(path).expanduser()
    return p if p.is_absolute() else data_dir / p


def cert_kid(cert: x509.Certificate) -> bytes:
    """The seal's key id: the first 8 bytes of SHA-256 over the signer certificate's DER (as the EU DCC does)."""
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).digest()[:8]


def to_asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def check_cert_valid_at(cert: x509.Certificate, moment: dt.datetime, what: str = "seal certificate") -> None:
    """Raise CertificateValidityError unless ``moment`` lies inside the certificate's validity period."""
    if moment < cert.not_valid_before_utc:
        raise CertificateValidityError(
            f"the {what} is not valid yet (valid from {cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC)"
        )
    if moment > cert.not_valid_after_utc:
        raise CertificateValidityError(f"the {what} expired on {cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC")


class SealSigner(abc.ABC):
    """The kiosk's seal key and certificate: signs COSE seals (ES256) and PDFs (through pyHanko).

    A key back-end (a PKCS#8 file, a PKCS#11 token) implements `sign_es256` and `pdf_signer`."""

    def __init__(self, cert: x509.Certificate, chain: tuple[x509.Certificate, ...]) -> None:
        self.cert = cert
        self.chain = chain
        self.kid = cert_kid(cert)
        # Set from the config by load_seal_signer; issue_certified_copy uses them.
        self.tsa_url = ""
        self.tsa_timeout_s = 10.0
        self.jpeg_quality = 85

    @property
    def subject(self) -> str:
        return self.cert.subject.rfc4514_string()

    @abc.abstractmethod
    def sign_es256(self, message: bytes) -> bytes:
        """ECDSA P-256 over SHA-256(message), as raw r||s (64 bytes), the COSE form."""

    @abc.abstractmethod
    def pdf_signer(self) -> signers.Signer:
        """pyHanko's signer over this key, for the PAdES signature."""

    def check_valid_at(self, moment: dt.datetime) -> None:
        check_cert_valid_at(self.cert, moment)

    def close(self) -> None:  # noqa: B027 (a back-end without a session has nothing to release)
        """Release the key (a PKCS#11 session); the file signer holds nothing to release."""

    def __enter__(self) -> SealSigner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _cert_registry(self) -> SimpleCertificateStore:
        return certificate_store_class().from_certs([to_asn1_cert(c) for c in self.chain])


def load_cert(path: Path) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except FileNotFoundError:
        raise KeyUnavailableError(f"{path}: certificate not found (run `kiosk keys init-dev`)") from None
    except ValueError:
        raise KeyUnavailableError(f"{path}: not a PEM certificate") from None


def issuer_chain(keys_dir: Path, cert: x509.Certificate) -> tuple[x509.Certificate, ...]:
    """The development root above `cert`, when the key folder has it and it issued `cert`."""
    root_path = keys_dir / ROOT_CERT
    if root_path.exists():
        root = load_cert(root_path)
        if root.subject == cert.issuer:
            return (root,)
    return ()
