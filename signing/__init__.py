"""signing: keys and certificates, the QR seal, the certified-copy PDF (render + PAdES) and verification.

* ``init_dev_keys`` / ``load_seal_signer`` / ``load_trust_store`` (keys.py, pkcs11_keys.py, trust.py):
  a development city root CA and the kiosk seal certificate (EC P-256); the seal key as encrypted PKCS#8
  or on a PKCS#11 token; ``certificate_status`` for the 30-day expiry warning.
* ``issue_certified_copy`` (certify.py): encode the page images (images.py), make the QR seal (seal.py:
  CWT in COSE_Sign1 ES256, zlib, base45, ``VNC2:``; older copies' ``VNC1:`` seals are read and judged,
  never made: seal_v1.py), render with reportlab (render.py) and sign PAdES B-B,
  or B-T with a timestamp authority (pades.py).
* ``verify_pdf`` / ``verify_seal_text`` / ``verify_printed_page`` / ``verify_paper_page`` (verify.py,
  structure.py, revisions.py, content.py, paper.py, fingerprint.py): the verdict with a ``reason_key`` per
  kind of forgery and a sentence for a person.
* ``make_code`` / ``is_valid_code`` / ``normalize_code`` (code.py): identity codes with an ISO 7064
  MOD 37,36 check character.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from signing.certify import issue_certified_copy
    from signing.code import is_valid_code, make_code, normalize_code
    from signing.errors import CertificateValidityError, KeyUnavailableError, SealFormatError, SigningError
    from signing.keys import (
        CertificateStatus,
        DevKeyPaths,
        SealSigner,
        certificate_status,
        init_dev_keys,
        load_seal_signer,
    )
    from signing.model import CopyMeta, CopyPage, IssuedCopy, TextWord, Verification
    from signing.paper import find_seal_texts, verify_paper_page, verify_printed_page
    from signing.trust import TrustStore, load_trust_store
    from signing.verify import verify_pdf, verify_seal_text

# Loaded on first use: importing the package (for its config model, say) must not pull in
# every heavy dependency, which would slow the kiosk's start-up.
_EXPORTS = {
    "CertificateStatus": "signing.keys",
    "CertificateValidityError": "signing.errors",
    "CopyMeta": "signing.model",
    "CopyPage": "signing.model",
    "DevKeyPaths": "signing.keys",
    "IssuedCopy": "signing.model",
    "KeyUnavailableError": "signing.errors",
    "SealFormatError": "signing.errors",
    "SealSigner": "signing.keys",
    "SigningError": "signing.errors",
    "TextWord": "signing.model",
    "TrustStore": "signing.trust",
    "Verification": "signing.model",
    "certificate_status": "signing.keys",
    "find_seal_texts": "signing.paper",
    "init_dev_keys": "signing.keys",
    "is_valid_code": "signing.code",
    "issue_certified_copy": "signing.certify",
    "load_seal_signer": "signing.keys",
    "load_trust_store": "signing.trust",
    "make_code": "signing.code",
    "normalize_code": "signing.code",
    "verify_pdf": "signing.verify",
    "verify_paper_page": "signing.paper",
    "verify_printed_page": "signing.paper",
    "verify_seal_text": "signing.verify",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "CertificateStatus",
    "CertificateValidityError",
    "CopyMeta",
    "CopyPage",
    "DevKeyPaths",
    "IssuedCopy",
    "KeyUnavailableError",
    "SealFormatError",
    "SealSigner",
    "SigningError",
    "TextWord",
    "TrustStore",
    "Verification",
    "certificate_status",
    "find_seal_texts",
    "init_dev_keys",
    "is_valid_code",
    "issue_certified_copy",
    "load_seal_signer",
    "load_trust_store",
    "make_code",
    "normalize_code",
    "verify_paper_page",
    "verify_pdf",
    "verify_printed_page",
    "verify_seal_text",
]
