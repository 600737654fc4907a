"""The signing package's error family. The CLI maps SigningError to exit status 2 unless `exit_code` says otherwise."""

from __future__ import annotations


class SigningError(Exception):
    """A certified copy cannot be made or checked as asked; the message says why, for a person."""

    exit_code = 2


class KeyUnavailableError(SigningError):
    """The seal key cannot be used: missing file, wrong passphrase, token absent or wrong PIN."""

    exit_code = 3


class CertificateValidityError(SigningError):
    """The seal certificate is expired or not yet valid, so the kiosk must not sign with it."""


class SealFormatError(SigningError):
    """Text that should be a QR seal is not one (wrong prefix, bad base45, bad COSE structure)."""
