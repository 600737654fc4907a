"""signing: keys and certificates, the QR seal, the certified-copy PDF (render + PAdES) and verification."""

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
from signing.paper import find_seal_texts, verify_printed_page
from signing.trust import TrustStore, load_trust_store
from signing.verify import verify_pdf, verify_seal_text

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
    "verify_pdf",
    "verify_printed_page",
    "verify_seal_text",
]
