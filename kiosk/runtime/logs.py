"""Logging for the kiosk: one setup, and a filter that keeps personal data out of every log line.

ID numbers (12-digit CCCD, 9-digit old CMND) are masked by pattern wherever they appear. Names cannot be
found by pattern, so the visit registers the citizen's name (and ID) with `register_sensitive` when the card
is read, and `forget_sensitive` at reset.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from typing import Any

_ID_PATTERN = re.compile(r"(?<!\d)(\d{3})\d{3,6}(\d{3})(?!\d)")
_lock = threading.Lock()
_sensitive: set[str] = set()


def mask_id(value: str) -> str:
    """`001090001234` -> `001******234`: province code and last three digits only."""
    digits = value.strip()
    if len(digits) <= 6:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 6) + digits[-3:]


def register_sensitive(*values: str) -> None:
    """Mask these exact strings (a citizen's name, an ID) in every log line until forgotten."""
    with _lock:
        _sensitive.update(v for v in values if v and len(v) >= 2)


def forget_sensitive() -> None:
    with _lock:
        _sensitive.clear()


def redact(text: str) -> str:
    """Mask ID numbers by pattern and every registered name or ID by value."""
    with _lock:
        values = sorted(_sensitive, key=len, reverse=True)
    for value in values:
        if value in text:
            text = text.replace(value, "[redacted]")
    return _ID_PATTERN.sub(lambda m: mask_id(m.group(0)), text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message; attach to handlers so every logger is covered."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        return True


class _CurrentStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time of each record, not the one at set-up."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def setup_logging(*, verbose: bool = False, stream: Any = None) -> None:
    """Log to stderr (the journal, under systemd) through the redacting filter. Safe to call again."""
    root = logging.getLogger()
    level = logging.DEBUG if verbose else logging.WARNING
    if any(isinstance(f, RedactingFilter) for h in root.handlers for f in h.filters):
        root.setLevel(level)
        return
    handler = logging.StreamHandler(stream) if stream is not None else _CurrentStderrHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    root.setLevel(level)
