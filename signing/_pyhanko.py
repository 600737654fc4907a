"""pyHanko's classes, loaded on first use.

Importing pyHanko's signers costs about 0.5 s of CPU and its PDF reader about 0.2 s; `kiosk --help`, the
attract screen and the modules that only hold keys and certificates must not pay for them. Each provider
imports its class when first called (a PDF signed, read or countersigned); the types come from
``TYPE_CHECKING`` imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.pkcs11 import PKCS11Signer
    from pyhanko.sign.signers import SimpleSigner


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
