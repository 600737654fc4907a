"""pyHanko's classes, loaded on first use.

Importing pyHanko's signers costs about 0.5 s of CPU and its PDF reader about 0.2 s; `kiosk --help`, the
attract screen and the modules that only hold keys and certificates must not pay for them, nor must
``kiosk run``, which imports the copy pipeline (``signing.certify`` and ``signing.pades``) before its attract
screen. Each provider imports its class or module when first called (a PDF signed, read, countersigned or
checked); the types come from ``TYPE_CHECKING`` imports.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyhanko.pdf_utils.content import PdfContent
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import MDPPerm, SigFieldSpec, SigSeedSubFilter
    from pyhanko.sign.pkcs11 import PKCS11Signer
    from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, SimpleSigner
    from pyhanko.sign.timestamps import HTTPTimeStamper
    from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
    from pyhanko.sign.validation.utils import CMSAlgorithmUsagePolicy
    from pyhanko.stamp import StaticStampStyle
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.registry import SimpleCertificateStore


def simple_signer_class() -> type[SimpleSigner]:
    """pyHanko's signer over a key held in memory (the file seal key)."""
    from pyhanko.sign.signers import SimpleSigner  # heavy: ~0.5 s; loaded on the first PDF signature

    return SimpleSigner


def pkcs11_signer_class() -> type[PKCS11Signer]:
    """pyHanko's signer over a key on a PKCS#11 token."""
    from pyhanko.sign.pkcs11 import PKCS11Signer  # heavy: ~0.5 s; loaded on the first PDF signature

    return PKCS11Signer


def pdf_reader_class() -> type[PdfFileReader]:
    """pyHanko's PDF reader."""
    from pyhanko.pdf_utils.reader import PdfFileReader  # heavy: ~0.2 s; loaded on the first PDF read

    return PdfFileReader


def pdf_objects() -> ModuleType:
    """pyHanko's PDF object types (``pyhanko.pdf_utils.generic``), for telling a copy's objects apart."""
    from pyhanko.pdf_utils import generic  # heavy: loads pyHanko's PDF layer; loaded on the first PDF read

    return generic


def signature_validation() -> ModuleType:
    """pyHanko's signature validation (``pyhanko.sign.validation``: validate_pdf_signature, _timestamp)."""
    from pyhanko.sign import validation  # heavy: ~0.7 s with the certificate validator; first copy checked

    return validation


def diff_analysis() -> ModuleType:
    """pyHanko's difference analysis (``pyhanko.sign.diff_analysis``): the rules for a later revision."""
    from pyhanko.sign import diff_analysis  # heavy: part of the validation stack; first copy checked

    return diff_analysis


def mdp_perm_class() -> type[MDPPerm]:
    """pyHanko's DocMDP permission levels."""
    from pyhanko.sign.fields import MDPPerm  # heavy: pulls in pyHanko's signing fields; first copy checked

    return MDPPerm


def coverage_level_class() -> type[SignatureCoverageLevel]:
    """pyHanko's levels of how much of the file a signature covers."""
    from pyhanko.sign.validation.status import SignatureCoverageLevel  # heavy: first copy checked

    return SignatureCoverageLevel


def validation_context_class() -> type[ValidationContext]:
    """The certificate validator's context (trust roots, moment, revocation mode)."""
    from pyhanko_certvalidator import ValidationContext  # heavy: ~0.3 s; loaded on the first copy checked

    return ValidationContext


def certificate_store_class() -> type[SimpleCertificateStore]:
    """The certificate validator's store of the certificates a signature carries (the seal's chain)."""
    from pyhanko_certvalidator.registry import (
        SimpleCertificateStore,  # heavy: with the validator; first signature
    )

    return SimpleCertificateStore


def pdf_read_error_class() -> type[PdfReadError]:
    """pyHanko's error for a PDF it cannot read."""
    from pyhanko.pdf_utils.misc import PdfReadError  # heavy: pyHanko PDF layer; first PDF read

    return PdfReadError


def incremental_writer_class() -> type[IncrementalPdfFileWriter]:
    """pyHanko's writer of an incremental update (a signature added after the file's last revision)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # heavy: ~0.1 s; first signed

    return IncrementalPdfFileWriter


def pdf_signature_metadata_class() -> type[PdfSignatureMetadata]:
    """pyHanko's description of a signature to make (field, digest, subfilter, reason, DocMDP)."""
    from pyhanko.sign.signers import PdfSignatureMetadata  # heavy: ~0.5 s; loaded on the first PDF signature

    return PdfSignatureMetadata


def pdf_signer_class() -> type[PdfSigner]:
    """pyHanko's signer of a PDF file (signature field, appearance, timestamp)."""
    from pyhanko.sign.signers import PdfSigner  # heavy: ~0.5 s; loaded on the first PDF signature

    return PdfSigner


def sig_field_spec_class() -> type[SigFieldSpec]:
    """pyHanko's description of a new signature field (name, page, box)."""
    from pyhanko.sign.fields import SigFieldSpec  # heavy: pyHanko's signing fields; first PDF signature

    return SigFieldSpec


def sig_seed_subfilter_class() -> type[SigSeedSubFilter]:
    """pyHanko's signature subfilters (PAdES, adbe.pkcs7.detached)."""
    from pyhanko.sign.fields import SigSeedSubFilter  # heavy: pyHanko's signing fields; first PDF signature

    return SigSeedSubFilter


def http_timestamper_class() -> type[HTTPTimeStamper]:
    """pyHanko's RFC 3161 client of a timestamp authority over HTTP."""
    from pyhanko.sign.timestamps import HTTPTimeStamper  # heavy: ~0.4 s; loaded on the first timestamp

    return HTTPTimeStamper


def static_stamp_style_class() -> type[StaticStampStyle]:
    """pyHanko's signature appearance drawn from given content (the copy's own signature box)."""
    from pyhanko.stamp import StaticStampStyle  # heavy: ~0.15 s; loaded on the first copy signed

    return StaticStampStyle


def pdf_content_class() -> type[PdfContent]:
    """pyHanko's base class of drawable PDF content (an appearance stream's background)."""
    from pyhanko.pdf_utils.content import PdfContent  # heavy: pyHanko's PDF layer; first copy signed

    return PdfContent


def pdf_layout() -> ModuleType:
    """pyHanko's layout rules (``pyhanko.pdf_utils.layout``: BoxConstraints, SimpleBoxLayoutRule...)."""
    from pyhanko.pdf_utils import layout  # heavy: loads pyHanko's PDF layer; loaded on the first copy signed

    return layout


def cms_general() -> ModuleType:
    """pyHanko's CMS helpers (``pyhanko.sign.general``: extract_signer_info, check_ess_certid...)."""
    from pyhanko.sign import general  # heavy: ~0.5 s with the certificate validator; first upload checked

    return general


def generic_cms_validation() -> ModuleType:
    """pyHanko's CMS signature checks (``pyhanko.sign.validation.generic_cms``: validate_sig_integrity...)."""
    from pyhanko.sign.validation import generic_cms  # heavy: the validation stack; first upload checked

    return generic_cms


def pdf_embedded_validation() -> ModuleType:
    """pyHanko's checks of a signature inside a PDF (``pyhanko.sign.validation.pdf_embedded``: DocMDP)."""
    from pyhanko.sign.validation import pdf_embedded  # heavy: the validation stack; first upload checked

    return pdf_embedded


def pdf_signature_status_class() -> type[PdfSignatureStatus]:
    """pyHanko's status of a PDF signature (its default key usage constraints)."""
    from pyhanko.sign.validation.status import PdfSignatureStatus  # heavy: part of the validation stack

    return PdfSignatureStatus


def default_algorithm_usage_policy() -> CMSAlgorithmUsagePolicy:
    """pyHanko's default policy of which digest and signature algorithms a signature may use."""
    from pyhanko.sign.validation.utils import DEFAULT_ALGORITHM_USAGE_POLICY  # heavy: validation stack

    return DEFAULT_ALGORITHM_USAGE_POLICY
