"""pyHanko's classes, loaded on first use.

Importing pyHanko's signers costs about 0.5 s of CPU and its PDF reader about 0.2 s; `kiosk --help`, the
attract screen and the modules that only hold keys and certificates must not pay for them. Each provider
imports its class when first called (a PDF signed, read or countersigned); the types come from
``TYPE_CHECKING`` imports.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import MDPPerm
    from pyhanko.sign.pkcs11 import PKCS11Signer
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext


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


def pdf_read_error_class() -> type[PdfReadError]:
    """pyHanko's error for a PDF it cannot read."""
    from pyhanko.pdf_utils.misc import PdfReadError  # heavy: pyHanko PDF layer; first PDF read

    return PdfReadError
