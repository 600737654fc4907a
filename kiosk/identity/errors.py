"""The identity step's errors: a card that cannot be used, a face that cannot be compared.

Each carries ``reason``, a short machine code the flow maps to a citizen's message and a way forward
(place the card again, one person at a time, call staff). Messages never contain the ID number or name.
"""

from __future__ import annotations

from kiosk.errors import BadInputError, NegativeVerdict


class IdentityError(BadInputError):
    """Base of the identity errors; ``reason`` is a machine code such as ``no_qr`` or ``two_faces``."""

    default_key = "error.identity"
    key_prefix = "error.identity"

    def __init__(
        self, message: str, *, reason: str, key: str | None = None, detail: str = "", subject: str = ""
    ) -> None:
        super().__init__(message, key=key or f"{self.key_prefix}.{reason}", detail=detail, subject=subject)
        self.reason = reason


class CardError(IdentityError):
    """The card image has no readable CCCD QR, or its fields are malformed or inconsistent."""

    default_key = "error.card"
    key_prefix = "error.card"


class FaceError(IdentityError):
    """A face comparison cannot be made: no face, two faces, a face too small on the card or the frames."""

    default_key = "error.face"
    key_prefix = "error.face"


class CardPortraitError(CardError, FaceError):
    """The card front has no usable portrait (none, or more than one face): both a card and a face error."""

    default_key = "error.card"
    key_prefix = "error.card"


class LivenessError(NegativeVerdict):
    """The challenge was not performed; ``reason`` says why, ``attempts_left`` whether to try again."""

    default_key = "liveness.failed"

    def __init__(self, message: str, *, reason: str, attempts_left: int = 0) -> None:
        super().__init__(message, key=f"liveness.{reason}")
        self.reason = reason
        self.attempts_left = attempts_left
