"""The seal key on a PKCS#11 token (SoftHSM2 in tests, a smart card or HSM in production).

The private key is generated on the token, marked sensitive and not extractable, and never leaves it.
The PIN comes from ``config.pkcs11_pin_env`` when set, else ``config.pkcs11_pin_file``; never from config
text. The seal certificate is stored on the token next to its key (same label and id) and in ``keys_dir``
(``kiosk-seal.pem``); the signer reads the file, else the token's copy.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from asn1crypto import core as asn1_core
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from signing._pyhanko import pkcs11_signer_class
from signing.config import SigningConfig
from signing.errors import KeyUnavailableError
from signing.signer import SEAL_CERT, SealSigner, issuer_chain, load_cert, resolve, to_asn1_cert

if TYPE_CHECKING:
    from pyhanko.sign import signers
    from pyhanko.sign.pkcs11 import PKCS11Signer

log = logging.getLogger(__name__)

_libs: dict[str, Any] = {}
_libs_lock = threading.Lock()


def load_pkcs11() -> ModuleType:
    """python-pkcs11, loaded when a token is first opened: the file-key kiosk, `kiosk verify` and the attract
    screen never open one."""
    import pkcs11.util.ec  # heavy third-party library (~60 ms with its native module), loaded on first use

    return pkcs11


def _lib(module: str) -> Any:
    pkcs11 = load_pkcs11()
    with _libs_lock:
        if module not in _libs:
            if not Path(module).is_file():
                raise KeyUnavailableError(f"{module}: PKCS#11 module not found (signing.pkcs11_module)")
            try:
                _libs[module] = pkcs11.lib(module)
            except (pkcs11.PKCS11Error, RuntimeError, OSError) as exc:
                raise KeyUnavailableError(f"{module}: cannot load the PKCS#11 module: {exc}") from None
        return _libs[module]


def read_pin(config: SigningConfig, data_dir: Path) -> str:
    if value := os.environ.get(config.pkcs11_pin_env):
        return value
    file = resolve(config.pkcs11_pin_file, data_dir)
    try:
        pin = file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise KeyUnavailableError(
            f"no PKCS#11 PIN: set ${config.pkcs11_pin_env} or write it to {file} (mode 0600)"
        ) from None
    except OSError as exc:
        raise KeyUnavailableError(f"{file}: cannot read the PKCS#11 PIN: {exc}") from None
    if not pin:
        raise KeyUnavailableError(f"{file}: the PKCS#11 PIN file is empty")
    return pin


def _find_token(lib: Any, label: str) -> Any:
    """The token labelled ``label``. A module lists its tokens as they were when it was initialised (SoftHSM2
    does), so a token plugged in or created since is looked for once more after re-initialising it."""
    pkcs11 = load_pkcs11()
    try:
        return lib.get_token(token_label=label)
    except pkcs11.NoSuchToken:
        with _libs_lock:
            lib.reinitialize()
        return lib.get_token(token_label=label)


def open_session(config: SigningConfig, data_dir: Path) -> Any:
    """A read-write user session on the configured token; KeyUnavailableError says what is wrong."""
    pkcs11 = load_pkcs11()
    lib = _lib(config.pkcs11_module)
    pin = read_pin(config, data_dir)
    try:
        token = _find_token(lib, config.pkcs11_token_label)
    except pkcs11.NoSuchToken:
        raise KeyUnavailableError(f"PKCS#11 token '{config.pkcs11_token_label}' is not present") from None
    except pkcs11.MultipleTokensReturned:
        raise KeyUnavailableError(
            f"more than one PKCS#11 token is labelled '{config.pkcs11_token_label}'"
        ) from None
    try:
        return token.open(user_pin=pin, rw=True)
    except pkcs11.PinIncorrect:
        raise KeyUnavailableError(f"wrong PIN for PKCS#11 token '{config.pkcs11_token_label}'") from None
    except pkcs11.PinLocked:
        raise KeyUnavailableError(
            f"the PIN of PKCS#11 token '{config.pkcs11_token_label}' is locked"
        ) from None
    except pkcs11.PKCS11Error as exc:
        raise KeyUnavailableError(
            f"cannot open PKCS#11 token '{config.pkcs11_token_label}': {exc!r}"
        ) from None


def _public_key(pkcs11_public: Any) -> ec.EllipticCurvePublicKey:
    pkcs11 = load_pkcs11()
    point = asn1_core.OctetString.load(pkcs11_public[pkcs11.Attribute.EC_POINT]).native
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)


def ensure_token_key(config: SigningConfig, data_dir: Path) -> ec.EllipticCurvePublicKey:
    """The public half of the seal key on the token, generating the pair (P-256) on the token if absent."""
    pkcs11 = load_pkcs11()
    session = open_session(config, data_dir)
    label = config.pkcs11_key_label
    try:
        try:
            return _public_key(session.get_key(object_class=pkcs11.ObjectClass.PUBLIC_KEY, label=label))
        except pkcs11.NoSuchKey:
            pass
        key_id = _key_id(label)
        params = session.create_domain_parameters(
            pkcs11.KeyType.EC,
            {pkcs11.Attribute.EC_PARAMS: pkcs11.util.ec.encode_named_curve_parameters("secp256r1")},
            local=True,
        )
        public, _private = params.generate_keypair(
            store=True,
            label=label,
            id=key_id,
            private_template={pkcs11.Attribute.SENSITIVE: True, pkcs11.Attribute.EXTRACTABLE: False},
        )
        log.info("generated the seal key pair on PKCS#11 token %s", config.pkcs11_token_label)
        return _public_key(public)
    except pkcs11.PKCS11Error as exc:
        raise KeyUnavailableError(f"cannot create the seal key on the token: {exc!r}") from None
    finally:
        session.close()


def _key_id(label: str) -> bytes:
    return hashlib.sha256(label.encode("utf-8")).digest()[:8]


def store_token_cert(config: SigningConfig, data_dir: Path, cert: x509.Certificate) -> None:
    """Put the seal certificate on the token beside its key, replacing an older one with the same label."""
    pkcs11 = load_pkcs11()
    session = open_session(config, data_dir)
    label = config.pkcs11_key_label
    try:
        for old in session.get_objects(
            {pkcs11.Attribute.CLASS: pkcs11.ObjectClass.CERTIFICATE, pkcs11.Attribute.LABEL: label}
        ):
            old.destroy()
        session.create_object(
            {
                pkcs11.Attribute.CLASS: pkcs11.ObjectClass.CERTIFICATE,
                pkcs11.Attribute.CERTIFICATE_TYPE: pkcs11.CertificateType.X_509,
                pkcs11.Attribute.TOKEN: True,
                pkcs11.Attribute.PRIVATE: False,
                pkcs11.Attribute.LABEL: label,
                pkcs11.Attribute.ID: _key_id(label),
                pkcs11.Attribute.SUBJECT: cert.subject.public_bytes(),
                pkcs11.Attribute.ISSUER: cert.issuer.public_bytes(),
                pkcs11.Attribute.SERIAL_NUMBER: asn1_core.Integer(cert.serial_number).dump(),
                pkcs11.Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER),
            }
        )
    except pkcs11.PKCS11Error as exc:
        raise KeyUnavailableError(f"cannot store the seal certificate on the token: {exc!r}") from None
    finally:
        session.close()


def _token_cert(session: Any, label: str) -> x509.Certificate | None:
    pkcs11 = load_pkcs11()
    for obj in session.get_objects(
        {pkcs11.Attribute.CLASS: pkcs11.ObjectClass.CERTIFICATE, pkcs11.Attribute.LABEL: label}
    ):
        return x509.load_der_x509_certificate(bytes(obj[pkcs11.Attribute.VALUE]))
    return None


class Pkcs11SealSigner(SealSigner):
    """Signs with a key that stays on the token; one session, used from one thread at a time."""

    def __init__(
        self,
        session: Any,
        key: Any,
        key_label: str,
        cert: x509.Certificate,
        chain: tuple[x509.Certificate, ...],
    ) -> None:
        super().__init__(cert, chain)
        if _public_key_of_cert(cert) != _public_key(_public_for(session, key_label)).public_numbers():
            session.close()
            raise KeyUnavailableError("the key on the token does not belong to the seal certificate")
        self._session = session
        self._key = key
        self._key_label = key_label
        self._lock = threading.Lock()
        self._pdf_signer: PKCS11Signer | None = None

    def sign_es256(self, message: bytes) -> bytes:
        pkcs11 = load_pkcs11()
        digest = hashlib.sha256(message).digest()
        with self._lock:
            try:
                # CKM_ECDSA over the digest returns r||s, the COSE form.
                return bytes(self._key.sign(digest, mechanism=pkcs11.Mechanism.ECDSA))
            except pkcs11.PKCS11Error as exc:
                raise KeyUnavailableError(f"the token refused to sign: {exc!r}") from None

    def pdf_signer(self) -> signers.Signer:
        if self._pdf_signer is None:
            self._pdf_signer = pkcs11_signer_class()(
                self._session,
                key_label=self._key_label,
                signing_cert=to_asn1_cert(self.cert),
                ca_chain=[to_asn1_cert(c) for c in self.chain],
                other_certs_to_pull=None,
                use_raw_mechanism=True,
            )
        return self._pdf_signer

    def close(self) -> None:
        pkcs11 = load_pkcs11()
        with self._lock:
            if self._session is not None:
                try:
                    self._session.close()
                except pkcs11.PKCS11Error:
                    log.debug("closing the PKCS#11 session failed", exc_info=True)
                self._session = None


def _public_for(session: Any, label: str) -> Any:
    pkcs11 = load_pkcs11()
    return session.get_key(object_class=pkcs11.ObjectClass.PUBLIC_KEY, label=label)


def _public_key_of_cert(cert: x509.Certificate) -> ec.EllipticCurvePublicNumbers:
    public = cert.public_key()
    if not isinstance(public, ec.EllipticCurvePublicKey):
        raise KeyUnavailableError("the seal certificate must hold an EC P-256 key")
    return public.public_numbers()


def open_token_signer(config: SigningConfig, data_dir: Path) -> SealSigner:
    pkcs11 = load_pkcs11()
    keys_dir = resolve(config.keys_dir, data_dir)
    session = open_session(config, data_dir)
    try:
        key = session.get_key(object_class=pkcs11.ObjectClass.PRIVATE_KEY, label=config.pkcs11_key_label)
        cert = (
            load_cert(keys_dir / SEAL_CERT)
            if (keys_dir / SEAL_CERT).is_file()
            else _token_cert(session, config.pkcs11_key_label)
        )
    except pkcs11.NoSuchKey:
        session.close()
        raise KeyUnavailableError(
            f"no key labelled '{config.pkcs11_key_label}' on token '{config.pkcs11_token_label}'"
        ) from None
    except (pkcs11.PKCS11Error, KeyUnavailableError):
        session.close()
        raise
    if cert is None:
        session.close()
        raise KeyUnavailableError(
            f"no seal certificate: neither {keys_dir / SEAL_CERT} nor one labelled "
            f"'{config.pkcs11_key_label}' on the token (run `kiosk keys init-dev`)"
        )
    return Pkcs11SealSigner(session, key, config.pkcs11_key_label, cert, issuer_chain(keys_dir, cert))
