"""The judicial officer's own signature on a certified copy, after post-check ("hậu kiểm").

The kiosk certifies the copy (its seal signature, DocMDP P=2: form filling and signing allowed). An officer
who post-checks it adds a PAdES approval signature in their own name, as an incremental update: the kiosk's
signed bytes stay untouched and its certification still verifies. The officer's key lives on a PKCS#11
token (a smart card in production, SoftHSM2 in tests), reached through the same code as the kiosk's seal
key (``signing.pkcs11_keys``) with the officer's own token, key label and PIN.

* ``countersign(pdf_bytes, signer)``: the approved copy (bytes), signer being a pyHanko signer or a
  ``SealSigner`` (whose ``pdf_signer()`` is used);
* ``officer_config`` / ``init_dev_officer`` / ``open_officer_signer``: a development officer certificate
  issued by the city root for a key generated on the token, and the signer that uses it.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from signing._pyhanko import (
    http_timestamper_class,
    incremental_writer_class,
    pdf_signature_metadata_class,
    pdf_signer_class,
    sig_field_spec_class,
    sig_seed_subfilter_class,
)
from signing.config import SigningConfig
from signing.errors import SigningError
from signing.keys import ROOT_CERT, SealSigner, resolve
from signing.pdf_names import OFFICER_UNIT
from signing.pkcs11_keys import ensure_token_key, open_token_signer, store_token_cert

if TYPE_CHECKING:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

log = logging.getLogger(__name__)

OFFICER_FIELD_PREFIX = "OfficerApproval"


def _field_name(writer: IncrementalPdfFileWriter) -> str:
    """A signature field name not used yet in the document (a copy may be post-checked only once, but a
    second approval must not collide with the first)."""
    taken: set[str] = set()
    try:
        acro = writer.root.get("/AcroForm")
        for ref in acro.get_object().get("/Fields", []) if acro is not None else []:
            taken.add(str(ref.get_object().get("/T", "")))
    except Exception:
        log.debug("could not list the form fields", exc_info=True)
    name, n = OFFICER_FIELD_PREFIX, 1
    while name in taken:
        n += 1
        name = f"{OFFICER_FIELD_PREFIX}{n}"
    return name


def countersign(
    pdf_bytes: bytes,
    signer: signers.Signer | SealSigner,
    *,
    officer_name: str | None = None,
    reason: str = "Đã hậu kiểm bản sao chứng thực / Post-checked by a judicial officer",
    location: str = "Hà Nội",
    tsa_url: str = "",
) -> bytes:
    """``pdf_bytes`` plus the officer's PAdES approval signature (an invisible field) in an incremental
    update. Raises SigningError when the file cannot be signed."""
    pdf_signer_obj = signer.pdf_signer() if isinstance(signer, SealSigner) else signer
    try:
        writer = incremental_writer_class()(io.BytesIO(pdf_bytes), strict=False)
    except Exception as exc:
        raise SigningError(f"the copy cannot be read as a PDF: {type(exc).__name__}") from None
    field = _field_name(writer)
    meta = pdf_signature_metadata_class()(
        field_name=field,
        md_algorithm="sha256",
        subfilter=sig_seed_subfilter_class().PADES,
        reason=reason,
        location=location,
        name=officer_name,
        certify=False,
    )
    timestamper = http_timestamper_class()(tsa_url, timeout=10) if tsa_url else None
    pdf_signer = pdf_signer_class()(
        meta,
        signer=pdf_signer_obj,
        timestamper=timestamper,
        new_field_spec=sig_field_spec_class()(field, on_page=-1),
    )
    out = io.BytesIO()
    try:
        pdf_signer.sign_pdf(writer, output=out)
    except Exception as exc:
        log.debug("approval signature failed", exc_info=True)
        raise SigningError(f"could not add the officer's signature: {exc}") from None
    return out.getvalue()


# --- the officer's key and certificate on a PKCS#11 token --------------------------------------------------


def officer_key_label(officer: str) -> str:
    """The token label of an officer's key: ``officer-<name>`` with only safe characters."""
    return "officer-" + re.sub(r"[^A-Za-z0-9_.-]+", "_", officer)[:48]


def officer_config(
    officer: str,
    *,
    module: str = "/usr/lib/softhsm/libsofthsm2.so",
    token_label: str = "officer",  # noqa: S107 - a token's name, not a secret
    pin_env: str = "KIOSK_OFFICER_PIN",
    pin_file: str = "officer-pin",
    keys_dir: str = "officer-keys",
) -> SigningConfig:
    """The PKCS#11 settings of one officer's key (a SigningConfig, so the seal key code is reused)."""
    return SigningConfig(
        key_backend="pkcs11",
        keys_dir=keys_dir,
        pkcs11_module=module,
        pkcs11_token_label=token_label,
        pkcs11_key_label=officer_key_label(officer),
        pkcs11_pin_env=pin_env,
        pkcs11_pin_file=pin_file,
    )


def make_officer_cert(
    public: ec.EllipticCurvePublicKey,
    issuer_key: ec.EllipticCurvePrivateKey,
    issuer_cert: x509.Certificate,
    *,
    officer: str,
    days: int = 365,
) -> x509.Certificate:
    """A personal signing certificate for an officer, issued by ``issuer_cert`` (the city root in dev)."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    org = issuer_cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, str(org[0].value) if org else "City"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, OFFICER_UNIT),
            x509.NameAttribute(NameOID.COMMON_NAME, officer[:64]),
        ]
    )
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .sign(issuer_key, hashes.SHA256())
    )


def init_dev_officer(
    config: SigningConfig,
    data_dir: Path,
    *,
    officer: str,
    issuer_cert: x509.Certificate,
    issuer_key: ec.EllipticCurvePrivateKey,
) -> x509.Certificate:
    """Generate the officer's key on the token (if absent), issue a dev certificate for it, and store the
    certificate on the token and in the officer's keys folder (with the issuer, for the chain)."""
    public = ensure_token_key(config, data_dir)
    cert = make_officer_cert(public, issuer_key, issuer_cert, officer=officer)
    store_token_cert(config, data_dir, cert)
    keys_dir = resolve(config.keys_dir, data_dir)
    keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    (keys_dir / ROOT_CERT).write_bytes(issuer_cert.public_bytes(serialization.Encoding.PEM))
    return cert


def open_officer_signer(config: SigningConfig, data_dir: Path) -> SealSigner:
    """The signer of the officer's token key (close it, or use it as a context manager)."""
    try:
        return open_token_signer(config, data_dir)
    except SigningError:
        raise
    except Exception as exc:
        raise SigningError(f"cannot open the officer's token: {exc}") from None
