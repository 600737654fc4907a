"""Renewing the kiosk's short-lived seal certificate over its mTLS link (issue 22).

Seal certificates live ``signing.dev_seal_days`` (default 90 days). Once the certificate has
``signing.renew_before_days`` or fewer left, the kiosk asks the city for a new one over the same key: it
signs a certificate request (PKCS#10) with its seal signer (a file key or a PKCS#11 token alike: the
request is built here and signed with ``sign_es256``, so the key never leaves the token), posts it to
``/v1/seal-certificate``, checks that what comes back certifies its own key for its own kiosk and chains
to a trusted root, and only then replaces ``kiosk-seal.pem`` (and the token's certificate object).
``renewal_status`` is what maintenance shows: the expiry, the days left, whether a renewal is due.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import algos, csr, keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from offline_sync.client import BackendClient, renew_seal_certificate
from signing.config import SigningConfig
from signing.errors import SigningError
from signing.pkcs11_keys import store_token_cert
from signing.signer import SEAL_CERT, SealSigner, resolve
from signing.trust import TrustStore


@dataclass(frozen=True)
class RenewalStatus:
    not_after: dt.datetime
    days_left: int
    due: bool  # within renew_before_days of expiry (or past it)

    def to_json(self) -> dict[str, object]:
        return {"not_after": self.not_after.isoformat(), "days_left": self.days_left, "renewal_due": self.due}


def renewal_status(
    cert: x509.Certificate, config: SigningConfig, now: dt.datetime | None = None
) -> RenewalStatus:
    moment = now or dt.datetime.now(dt.UTC)
    left = cert.not_valid_after_utc - moment
    return RenewalStatus(
        cert.not_valid_after_utc, left.days, left <= dt.timedelta(days=config.renew_before_days)
    )


def certificate_request(signer: SealSigner) -> str:
    """A PKCS#10 request for the signer's own key, signed by it (ES256), as PEM."""
    public = signer.cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    info = csr.CertificationRequestInfo(
        {
            "version": "v1",
            "subject": asn1_x509.Name.load(signer.cert.subject.public_bytes()),
            "subject_pk_info": keys.PublicKeyInfo.load(public),
            "attributes": [],
        }
    )
    raw = signer.sign_es256(info.dump())
    der_signature = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    request = csr.CertificationRequest(
        {
            "certification_request_info": info,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
            "signature": der_signature,
        }
    )
    text = base64.encodebytes(request.dump()).decode("ascii")
    return f"-----BEGIN CERTIFICATE REQUEST-----\n{text}-----END CERTIFICATE REQUEST-----\n"


def renew(
    signer: SealSigner,
    client: BackendClient,
    trust: TrustStore,
    config: SigningConfig,
    data_dir: Path,
    *,
    kiosk_id: str,
) -> x509.Certificate:
    """Ask the city for a new seal certificate over the signer's key and install it; SigningError when the
    answer is not one this kiosk may use (another key, another kiosk, not from a trusted root)."""
    pem = renew_seal_certificate(client, certificate_request(signer))
    try:
        cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    except ValueError:
        raise SigningError("the city's answer is not a certificate") from None
    if cert.public_key() != signer.cert.public_key():
        raise SigningError("the city's certificate is not for this kiosk's seal key")
    units = [
        str(a.value) for a in cert.subject.get_attributes_for_oid(x509.oid.NameOID.ORGANIZATIONAL_UNIT_NAME)
    ]
    if units != [kiosk_id]:
        raise SigningError(f"the city's certificate is for {', '.join(units) or 'no kiosk'}, not {kiosk_id}")
    problem = trust.chain_problem(cert, dt.datetime.now(dt.UTC))
    if problem is not None:
        raise SigningError(f"the city's certificate is not usable: {problem}")
    target = resolve(config.keys_dir, data_dir) / SEAL_CERT
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    os.replace(tmp, target)
    if config.key_backend == "pkcs11":
        store_token_cert(config, data_dir, cert)
    return cert
