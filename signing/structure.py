"""The signature's place in the file's bytes: the checks that defeat signature wrapping and universal
signature forgery (Mladenov et al., CCS 2019; pdf-insecurity.org), before any cryptography runs.

A signature dictionary names what it signs with ``/ByteRange [0 b c d]``: the bytes ``[0, b)`` and
``[c, c + d)``. The only bytes left out, ``[b, c)``, must be exactly its own ``/Contents`` hex string, and
nothing else. Each way to break that has its own reason key:

* ``byterange_missing`` (no /ByteRange, or null), ``byterange_invalid`` (not four non-negative integers,
  or nothing signed, as in ``[0 0 0 0]``), ``byterange_start`` (the first range does not start at 0),
  ``byterange_overlap`` (the ranges overlap or run backwards), ``byterange_past_eof`` (they point past
  the end of the file), ``byterange_gap`` (the gap does not hold a hex string where /Contents should be);
* ``contents_empty`` (no /Contents, null, empty or all zeros), ``contents_odd`` (an odd number of hex
  digits);
* ``signature_wrapping``: the gap is wider than the /Contents hex string, or holds another one than the
  dictionary's own (the attacker moved the signed bytes and hid new objects in between);
* ``duplicate_signature``: a second signature dictionary claims the same signature (a copy with a moved
  /ByteRange, hidden in the file), or a /ByteRange that no signature of the form uses;
* ``trailing_data``: bytes after the file's last ``%%EOF`` (an update that is not one, which lenient
  readers may still parse).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils import generic

_RAW_BYTERANGE = re.compile(rb"/ByteRange\s*\[([^\]]{0,200})\]")
_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")
MAX_FIELDS = 500


@dataclass(frozen=True)
class Problem:
    key: str
    reason: str


@dataclass(frozen=True)
class SignatureDict:
    field_name: str
    value: generic.DictionaryObject


def signature_fields(root: generic.DictionaryObject) -> list[SignatureDict]:
    """Every signature field of the form that has a value (a signature dictionary), in form order."""
    form = root.get("/AcroForm")
    if form is None:
        return []
    fields = form.get_object().get("/Fields")
    if fields is None:
        return []
    found: list[SignatureDict] = []

    def walk(nodes: Any, prefix: str, depth: int) -> None:
        if depth > 16:
            return
        for ref in nodes.get_object():
            node = ref.get_object()
            if not isinstance(node, generic.DictionaryObject) or len(found) > MAX_FIELDS:
                continue
            name = f"{prefix}.{node.get('/T', '')}" if prefix else str(node.get("/T", ""))
            if "/Kids" in node and node.get("/FT") is None:
                walk(node["/Kids"], name, depth + 1)
            elif node.get("/FT") == "/Sig" and "/V" in node:
                value = node["/V"]
                if isinstance(value, generic.DictionaryObject):
                    found.append(SignatureDict(name, value))
                elif not isinstance(value, generic.NullObject):
                    found.append(SignatureDict(name, generic.DictionaryObject()))

    walk(fields, "", 0)
    return found


def _ints(value: Any) -> list[int] | None:
    if not isinstance(value, generic.ArrayObject) or len(value) != 4:
        return None
    numbers = []
    for entry in value:
        item = entry.get_object() if isinstance(entry, generic.IndirectObject) else entry
        if not isinstance(item, generic.NumberObject) or int(item) < 0:
            return None
        numbers.append(int(item))
    return numbers


def check_signature_dict(data: bytes, sig: SignatureDict) -> Problem | None:
    """None when the signature dictionary's byte ranges and /Contents sit where they must."""
    label = f"signature field {sig.field_name}"
    value = sig.value
    byte_range = value.get("/ByteRange")
    if byte_range is None or isinstance(byte_range, generic.NullObject):
        return Problem(
            "byterange_missing", f"the {label} has no /ByteRange: it says nothing about what it signs"
        )
    numbers = _ints(byte_range)
    if numbers is None:
        return Problem(
            "byterange_invalid", f"the {label} has a /ByteRange that is not four non-negative numbers"
        )
    start, first, second, length = numbers
    if first == 0 or length == 0:
        return Problem(
            "byterange_invalid", f"the {label} has a /ByteRange {numbers} that signs nothing useful"
        )
    if start != 0:
        return Problem("byterange_start", f"the {label}'s /ByteRange starts at byte {start}, not at 0")
    if second < first:
        return Problem("byterange_overlap", f"the {label}'s byte ranges overlap ({numbers})")
    if second + length > len(data):
        return Problem(
            "byterange_past_eof",
            f"the {label}'s /ByteRange ends at byte {second + length}, past the end of the file ({len(data)})",
        )
    contents = value.get("/Contents")
    if not isinstance(contents, generic.ByteStringObject | generic.TextStringObject):
        return Problem("contents_empty", f"the {label} has no /Contents (no signature value)")
    raw_contents = contents.original_bytes
    if not raw_contents.strip(b"\x00"):
        return Problem("contents_empty", f"the {label}'s /Contents is empty or all zeros")
    gap = data[first:second]
    hex_match = _HEX.match(gap)
    if hex_match is None:
        return Problem(
            "byterange_gap",
            f"the unsigned gap of the {label} (bytes {first}-{second}) is not its /Contents hex string",
        )
    digits = re.sub(rb"\s", b"", hex_match.group(1))
    if len(digits) % 2:
        return Problem("contents_odd", f"the {label}'s /Contents has an odd number of hex digits")
    if hex_match.end() != len(gap):
        return Problem(
            "signature_wrapping",
            f"the unsigned gap of the {label} is {len(gap)} bytes, wider than its /Contents "
            f"({hex_match.end()} bytes): something was hidden between the signed ranges",
        )
    if bytes.fromhex(digits.decode("ascii")) != raw_contents:
        return Problem(
            "signature_wrapping",
            f"the unsigned gap of the {label} holds another signature value than its /Contents",
        )
    return None


def raw_byte_ranges(data: bytes) -> list[tuple[int, ...] | None]:
    """Every ``/ByteRange [...]`` written in the file's bytes (None for one that is not four integers)."""
    found: list[tuple[int, ...] | None] = []
    for match in _RAW_BYTERANGE.finditer(data):
        parts = match.group(1).split()
        found.append(
            tuple(int(p) for p in parts) if len(parts) == 4 and all(p.isdigit() for p in parts) else None
        )
    return found


def stray_signature_dicts(data: bytes, used: list[tuple[int, ...]]) -> Problem | None:
    """A /ByteRange in the file that no signature of the form uses, or one written twice."""
    seen: dict[tuple[int, ...] | None, int] = {}
    for byte_range in raw_byte_ranges(data):
        seen[byte_range] = seen.get(byte_range, 0) + 1
    for byte_range, count in seen.items():
        if byte_range is None or byte_range not in used:
            return Problem(
                "duplicate_signature",
                "the file holds a signature dictionary that its form does not use "
                f"(/ByteRange {list(byte_range) if byte_range else '?'}): a copy hidden in the file",
            )
        if count > 1:
            return Problem(
                "duplicate_signature",
                f"the file holds {count} signature dictionaries with /ByteRange {list(byte_range)}",
            )
    return None


def trailing_data(data: bytes) -> Problem | None:
    """Anything but whitespace after the last ``%%EOF``."""
    end = data.rfind(b"%%EOF")
    if end < 0:
        return Problem("trailing_data", "the file has no end-of-file marker (%%EOF)")
    if data[end + 5 :].strip(b"\r\n\t\f\x00 "):
        return Problem(
            "trailing_data",
            f"{len(data) - end - 5} bytes were appended after the end of the file (after its last %%EOF)",
        )
    return None
