"""The kiosk's short exception hierarchy.

A citizen sees a translated message picked by ``message_key`` and a way forward; a technician sees
``detail`` in the log. The CLI maps ``exit_code`` to the process exit status (docs/ARCHITECTURE.md):
0 success, 1 negative verdict, 2 bad input or usage, 3 device or backend unreachable.
"""

from __future__ import annotations


class KioskError(Exception):
    """Base of every error the kiosk explains to a person instead of crashing."""

    exit_code = 2
    default_key = "error.generic"

    def __init__(self, message: str, *, key: str | None = None, detail: str = "", subject: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.message_key = key or self.default_key
        self.detail = detail
        # What the error is about (a file name, a device), named first on the CLI's error line.
        self.subject = subject


class BadInputError(KioskError):
    """The input cannot be used: a corrupt image, a malformed QR, a blank page, a wrong card."""

    exit_code = 2
    default_key = "error.bad_input"


class RescanNeeded(BadInputError):
    """A page or card must be placed again; ``reason`` is a machine code such as ``blurred``."""

    default_key = "error.rescan"

    def __init__(self, message: str, *, reason: str = "unreadable", **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.reason = reason


class NegativeVerdict(KioskError):
    """A check ran and said no: not the same person, not a valid copy."""

    exit_code = 1
    default_key = "error.negative"


class UnavailableError(KioskError):
    """A device or the backend cannot be reached; the citizen is sent to staff."""

    exit_code = 3
    default_key = "error.unavailable"


class ConfigError(KioskError):
    """The configuration file is wrong; the message names the file, the key and what is wrong."""

    exit_code = 2
    default_key = "error.config"


class UnknownCodeError(BadInputError):
    """A copy code that is malformed (its check character is wrong) or that this kiosk does not keep."""

    default_key = "error.unknown_code"
