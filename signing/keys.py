"""Seal keys and certificates: the development CA, the kiosk seal certificate, and the seal signer.

Layout in ``keys_dir`` (relative to the data folder unless absolute):

* ``city-root-ca.pem`` / ``city-root-ca.key.pem``: the development city root CA (key encrypted);
* ``kiosk-seal.pem`` / ``kiosk-seal.key.pem``: this kiosk's seal certificate and its PKCS#8 key,
  encrypted with the passphrase (file backend only; on a PKCS#11 token the key never leaves the token).

The passphrase comes from ``config.passphrase_env`` when that variable is set, else from
``config.passphrase_file``; it is never part of config text.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from asn1crypto import keys as asn1_keys
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.x509.oid import NameOID

from signing._pyhanko import simple_signer_class
from signing.config import SigningConfig
from signing.errors import KeyUnavailableError, SigningError
from signing.pkcs11_keys import ensure_token_key, open_token_signer, store_token_cert
from signing.signer import (
    ROOT_CERT,
    ROOT_KEY,
    SEAL_CERT,
    SEAL_KEY,
    SealSigner,
    cert_kid,
    issuer_chain,
    load_cert,
    resolve,
    to_asn1_cert,
)

if TYPE_CHECKING:
    from pyhanko.sign import signers

log = logging.getLogger(__name__)


def es256_raw(der_signature: bytes) -> bytes:
    r, s = decode_dss_signature(der_signature)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def es256_verify(public_key: ec.EllipticCurvePublicKey, raw_signature: bytes, message: bytes) -> bool:
    if len(raw_signature) != 64:
        return False
    der = encode_dss_signature(
        int.from_bytes(raw_signature[:32], "big"), int.from_bytes(raw_signature[32:], "big")
    )
    try:
        public_key.verify(der, message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


class FileSealSigner(SealSigner):
    """A seal key held in memory, loaded from an encrypted PKCS#8 file."""

    def __init__(
        self, key: ec.EllipticCurvePrivateKey, cert: x509.Certificate, chain: tuple[x509.Certificate, ...]
    ) -> None:
        super().__init__(cert, chain)
        if key.public_key().public_numbers() != cert.public_key().public_numbers():  # type: ignore[union-attr]
            raise KeyUnavailableError("the seal key does not belong to the seal certificate")
        self._key = key
        self._pdf_signer: signers.SimpleSigner | None = None

    def sign_es256(self, message: bytes) -> bytes:
        return es256_raw(self._key.sign(message, ec.ECDSA(hashes.SHA256())))

    def pdf_signer(self) -> signers.Signer:
        if self._pdf_signer is None:
            der = self._key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            self._pdf_signer = simple_signer_class()(
                signing_cert=to_asn1_cert(self.cert),
                signing_key=asn1_keys.PrivateKeyInfo.load(der),
                cert_registry=self._cert_registry(),
            )
        return self._pdf_signer


# --- passphrase --------------------------------------------------------------------------------------


def read_passphrase(config: SigningConfig, data_dir: Path) -> bytes | None:
    """The key passphrase from the environment variable, else the passphrase file; None when neither exists."""
    if value := os.environ.get(config.passphrase_env):
        return value.encode("utf-8")
    file = resolve(config.passphrase_file, data_dir)
    try:
        text = file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise KeyUnavailableError(f"{file}: cannot read the key passphrase file: {exc}") from None
    if not text:
        raise KeyUnavailableError(f"{file}: the key passphrase file is empty")
    return text.encode("utf-8")


def _write_private(path: Path, data: bytes) -> None:
    """Write a secret file created with mode 0600 (never briefly readable by others)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def _write_public(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _encrypted_pem(key: ec.EllipticCurvePrivateKey, passphrase: bytes) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )


def load_private_key(path: Path, passphrase: bytes | None) -> ec.EllipticCurvePrivateKey:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KeyUnavailableError(f"{path}: seal key not found (run `kiosk keys init-dev`)") from None
    if passphrase is None:
        raise KeyUnavailableError(f"{path}: no key passphrase (neither its variable nor its file is set)")
    try:
        key = serialization.load_pem_private_key(data, password=passphrase)
    except (ValueError, TypeError):
        raise KeyUnavailableError(
            f"{path}: cannot decrypt the key: wrong passphrase or not a PKCS#8 key"
        ) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise KeyUnavailableError(f"{path}: the seal key must be an EC P-256 key")
    return key


# --- development CA ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DevKeyPaths:
    keys_dir: Path
    root_cert: Path
    root_key: Path
    seal_cert: Path
    seal_key: Path | None  # None when the seal key lives on a PKCS#11 token
    passphrase_file: Path | None  # None when the passphrase came from the environment
    created: bool  # False when everything already existed


def _name(common_name: str, authority: str, unit: str | None = None) -> x509.Name:
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, authority[:64]),
    ]
    if unit:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit[:64]))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]))
    return x509.Name(attrs)


def make_root_cert(
    key: ec.EllipticCurvePrivateKey, authority: str, not_before: dt.datetime, not_after: dt.datetime
) -> x509.Certificate:
    name = _name("Development City Root CA", authority)
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def make_seal_cert(
    public: ec.EllipticCurvePublicKey | rsa.RSAPublicKey,
    issuer_key: ec.EllipticCurvePrivateKey,
    issuer_cert: x509.Certificate,
    *,
    authority: str,
    kiosk_id: str,
    not_before: dt.datetime,
    not_after: dt.datetime,
    extra_eku: x509.ObjectIdentifier | None = None,
) -> x509.Certificate:
    """A seal (or, with ``extra_eku`` time stamping, a TSA) certificate issued by ``issuer_cert``."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(f"Kiosk {kiosk_id} seal", authority, unit=kiosk_id))
        .issuer_name(issuer_cert.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
    )
    if extra_eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([extra_eku]), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _ensure_passphrase(config: SigningConfig, data_dir: Path) -> tuple[bytes, Path | None]:
    existing = read_passphrase(config, data_dir)
    file = resolve(config.passphrase_file, data_dir)
    if existing is not None:
        return existing, (None if os.environ.get(config.passphrase_env) else file)
    passphrase = secrets.token_urlsafe(32)
    _write_private(file, (passphrase + "\n").encode("ascii"))
    log.info("created a random key passphrase file %s (mode 0600)", file)
    return passphrase.encode("ascii"), file


def init_dev_keys(config: SigningConfig, data_dir: Path, *, authority: str, kiosk_id: str) -> DevKeyPaths:
    """Make a development city root CA and this kiosk's seal certificate; keep whatever already exists.

    With the file backend the seal key is an encrypted PKCS#8 file. With the PKCS#11 backend the key pair
    is generated on the (already initialised) token and only the certificate is written to ``keys_dir``.
    """
    keys_dir = resolve(config.keys_dir, data_dir)
    keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    passphrase, passphrase_file = _ensure_passphrase(config, data_dir)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    created = False

    root_cert_path, root_key_path = keys_dir / ROOT_CERT, keys_dir / ROOT_KEY
    if root_cert_path.exists() and root_key_path.exists():
        root_key = load_private_key(root_key_path, passphrase)
        root_cert = load_cert(root_cert_path)
    else:
        root_key = ec.generate_private_key(ec.SECP256R1())
        root_cert = make_root_cert(
            root_key, authority, now - dt.timedelta(minutes=5), now + dt.timedelta(days=config.dev_root_days)
        )
        _write_private(root_key_path, _encrypted_pem(root_key, passphrase))
        _write_public(root_cert_path, root_cert.public_bytes(serialization.Encoding.PEM))
        created = True
        log.info("created development city root CA %s", root_cert_path)

    seal_cert_path, seal_key_path = keys_dir / SEAL_CERT, keys_dir / SEAL_KEY
    validity = (now - dt.timedelta(minutes=5), now + dt.timedelta(days=config.dev_seal_days))
    if config.key_backend == "pkcs11":
        if not seal_cert_path.exists():
            public = ensure_token_key(config, data_dir)
            cert = make_seal_cert(
                public,
                root_key,
                root_cert,
                authority=authority,
                kiosk_id=kiosk_id,
                not_before=validity[0],
                not_after=validity[1],
            )
            store_token_cert(config, data_dir, cert)
            _write_public(seal_cert_path, cert.public_bytes(serialization.Encoding.PEM))
            created = True
        return DevKeyPaths(
            keys_dir, root_cert_path, root_key_path, seal_cert_path, None, passphrase_file, created
        )

    if not (seal_cert_path.exists() and seal_key_path.exists()):
        seal_key = ec.generate_private_key(ec.SECP256R1())
        cert = make_seal_cert(
            seal_key.public_key(),
            root_key,
            root_cert,
            authority=authority,
            kiosk_id=kiosk_id,
            not_before=validity[0],
            not_after=validity[1],
        )
        _write_private(seal_key_path, _encrypted_pem(seal_key, passphrase))
        _write_public(seal_cert_path, cert.public_bytes(serialization.Encoding.PEM))
        created = True
        log.info("created kiosk seal certificate %s", seal_cert_path)
    return DevKeyPaths(
        keys_dir, root_cert_path, root_key_path, seal_cert_path, seal_key_path, passphrase_file, created
    )


def load_seal_signer(config: SigningConfig, data_dir: Path) -> SealSigner:
    """The kiosk's seal signer: an encrypted PKCS#8 file key, or a key on a PKCS#11 token."""
    keys_dir = resolve(config.keys_dir, data_dir)
    if config.key_backend == "pkcs11":
        signer: SealSigner = open_token_signer(config, data_dir)
    else:
        cert = load_cert(keys_dir / SEAL_CERT)
        key = load_private_key(keys_dir / SEAL_KEY, read_passphrase(config, data_dir))
        signer = FileSealSigner(key, cert, issuer_chain(keys_dir, cert))
    signer.tsa_url = config.tsa_url
    signer.tsa_timeout_s = config.tsa_timeout_s
    signer.jpeg_quality = config.jpeg_quality
    return signer


@dataclass(frozen=True)
class CertificateStatus:
    """What maintenance mode and `kiosk keys show` say about the seal certificate."""

    subject: str
    issuer: str
    not_before: dt.datetime
    not_after: dt.datetime
    days_left: int
    kid: str
    warning: str | None  # a sentence when it expires within the warning window, is expired or not yet valid

    def to_json(self) -> dict[str, object]:
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "days_left": self.days_left,
            "kid": self.kid,
            "warning": self.warning,
        }


def certificate_status(
    config: SigningConfig, data_dir: Path, *, now: dt.datetime | None = None
) -> CertificateStatus:
    """The seal certificate's expiry, with a warning ``expiry_warning_days`` ahead."""
    cert = load_cert(resolve(config.keys_dir, data_dir) / SEAL_CERT)
    return status_of(cert, config.expiry_warning_days, now=now)


def status_of(
    cert: x509.Certificate, warning_days: int, *, now: dt.datetime | None = None
) -> CertificateStatus:
    moment = now or dt.datetime.now(dt.UTC)
    left = cert.not_valid_after_utc - moment
    days_left = left.days
    warning: str | None = None
    if moment < cert.not_valid_before_utc:
        warning = f"the seal certificate is not valid until {cert.not_valid_before_utc:%Y-%m-%d}"
    elif left.total_seconds() < 0:
        warning = (
            f"the seal certificate expired on {cert.not_valid_after_utc:%Y-%m-%d}; the kiosk cannot sign"
        )
    elif left <= dt.timedelta(days=warning_days):
        warning = f"the seal certificate expires in {days_left} days ({cert.not_valid_after_utc:%Y-%m-%d}); renew it"
    return CertificateStatus(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        days_left=days_left,
        kid=cert_kid(cert).hex(),
        warning=warning,
    )


__all__ = [
    "CertificateStatus",
    "DevKeyPaths",
    "FileSealSigner",
    "SealSigner",
    "SigningError",
    "certificate_status",
    "init_dev_keys",
    "load_seal_signer",
]
