"""Identity codes of certified copies: ``HN001-000123-K``.

A code is ``<authority code><kiosk part>-<sequence>-<check>``:

* the authority code (``[A-Z0-9]{2,6}``) and the kiosk id with its hyphens removed and, when it starts
  with the authority code, that prefix removed (``HN`` + ``HN-001`` gives ``HN001``); kiosk ids must stay
  unique in that form across the fleet, which is how codes stay unique without coordination;
* the kiosk's own durable sequence, at least six digits;
* one ISO 7064 MOD 37,36 check character over every character before it (hyphens excluded), which catches
  every single substitution and nearly all adjacent transpositions (the test measures the share).

Groups are short so the code can be read aloud; ``normalize_code`` accepts what people type or say back:
spaces instead of hyphens, lowercase, and the letters O/I/L where digits belong.
"""

from __future__ import annotations

import re

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MOD = 36
_CODE_RE = re.compile(r"^([A-Z0-9]{2,14})-([0-9]{6,12})-([0-9A-Z])$")
# What people confuse with digits when reading or typing a number.
_DIGIT_LOOKALIKES = str.maketrans(
    {"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "B": "8"}
)
_CHECK_SWAPS = {"0": "O", "O": "0", "1": "I", "I": "1"}


def mod37_36_check(payload: str) -> str:
    """The ISO 7064 MOD 37,36 (hybrid) check character of ``payload`` (characters 0-9, A-Z)."""
    product = _MOD
    for char in payload:
        value = ALPHABET.find(char)
        if value < 0:
            raise ValueError(f"character {char!r} is not allowed in an identity code")
        total = (product + value) % _MOD or _MOD
        product = (total * 2) % (_MOD + 1)
    return ALPHABET[(_MOD + 1 - product) % _MOD]


def kiosk_part(authority_code: str, kiosk_id: str) -> str:
    compact = kiosk_id.upper().replace("-", "")
    if compact.startswith(authority_code.upper()) and len(compact) > len(authority_code):
        compact = compact[len(authority_code) :]
    return compact


def make_code(authority_code: str, kiosk_id: str, sequence: int) -> str:
    """The identity code for this kiosk's ``sequence``-th copy, e.g. ``make_code("HN", "HN-001", 123)``."""
    authority = authority_code.upper()
    if not re.fullmatch(r"[A-Z0-9]{2,6}", authority):
        raise ValueError(f"authority code {authority_code!r} must be 2-6 letters or digits")
    kiosk = kiosk_part(authority, kiosk_id)
    if not re.fullmatch(r"[A-Z0-9]{1,8}", kiosk):
        raise ValueError(f"kiosk id {kiosk_id!r} must be 1-8 letters or digits once hyphens are removed")
    if not 0 <= sequence < 10**12:
        raise ValueError(f"sequence {sequence} is out of range")
    head = f"{authority}{kiosk}"
    digits = f"{sequence:06d}"
    return f"{head}-{digits}-{mod37_36_check(head + digits)}"


def is_valid_code(code: str) -> bool:
    """True when ``code`` is a well-formed identity code whose check character matches (exact form)."""
    match = _CODE_RE.fullmatch(code)
    if not match:
        return False
    head, digits, check = match.groups()
    return mod37_36_check(head + digits) == check


def normalize_code(text: str) -> str:
    """The canonical form of a code typed or read back by a person.

    Uppercases, turns spaces, dots and other separators into hyphens, reads O/I/L (and similar) as digits
    in the sequence group, and fixes an O/0 or I/1 mix-up in the check character when only the other
    reading is valid. A code that cannot be fixed is returned in its cleaned-up form, so ``is_valid_code``
    then says False.
    """
    cleaned = re.sub(r"[^A-Z0-9]+", "-", text.upper()).strip("-")
    parts = cleaned.split("-")
    if len(parts) == 1 and len(parts[0]) >= 9:
        # No separators at all: the last character is the check and the six before it the sequence (the
        # usual width; a longer sequence typed without separators cannot be told from the kiosk part).
        raw = parts[0]
        parts = [raw[:-7], raw[-7:-1], raw[-1]]
    if len(parts) > 3:
        # "HN 001 000123 K": the kiosk part was read as its own group.
        parts = ["".join(parts[:-2]), parts[-2], parts[-1]]
    if len(parts) != 3:
        return cleaned
    head, digits, check = parts
    digits = digits.translate(_DIGIT_LOOKALIKES)
    candidate = f"{head}-{digits}-{check}"
    if not is_valid_code(candidate) and check in _CHECK_SWAPS:
        swapped = f"{head}-{digits}-{_CHECK_SWAPS[check]}"
        if is_valid_code(swapped):
            return swapped
    return candidate


def authority_of(code: str, kiosk_id: str) -> str | None:
    """The authority code inside ``code`` for a copy issued by ``kiosk_id``, or None when it does not fit."""
    head = code.split("-", 1)[0]
    for length in range(2, min(6, len(head) - 1) + 1):
        authority = head[:length]
        if kiosk_part(authority, kiosk_id) == head[length:]:
            return authority
    return None
