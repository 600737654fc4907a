"""Text helpers shared by classification and field extraction."""

from __future__ import annotations

import unicodedata

_SPECIAL = {"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"}


def fold_char(ch: str) -> str:
    """One character without its diacritics, lower-cased; always exactly one character."""
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    base = unicodedata.normalize("NFD", ch)[:1] or ch
    low = base.lower()
    return low if len(low) == 1 else base


def fold(text: str) -> str:
    """Text without diacritics, lower-cased, with the same length and positions as NFC `text`."""
    return "".join(fold_char(ch) for ch in text)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
