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
* ``xref_invalid``, ``hidden_object``, ``ambiguous_syntax``: a ``startxref`` or xref entry that does not
  point exactly at what it names, an object defined after signing that no xref lists, or a key given twice
  in a dictionary of a later revision: readers then disagree on what the file holds (poppler rebuilds the
  xref and keeps the last definition, pyHanko corrects small offsets and keeps the first key), so one
  viewer draws a page the verifier never read.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from signing._pyhanko import pdf_objects, pdf_read_error_class, pdf_reader_class

if TYPE_CHECKING:
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
    pdf = pdf_objects()

    def walk(nodes: Any, prefix: str, depth: int) -> None:
        if depth > 16:
            return
        for ref in nodes.get_object():
            node = ref.get_object()
            if not isinstance(node, pdf.DictionaryObject) or len(found) > MAX_FIELDS:
                continue
            name = f"{prefix}.{node.get('/T', '')}" if prefix else str(node.get("/T", ""))
            if "/Kids" in node and node.get("/FT") is None:
                walk(node["/Kids"], name, depth + 1)
            elif node.get("/FT") == "/Sig" and "/V" in node:
                value = node["/V"]
                if isinstance(value, pdf.DictionaryObject):
                    found.append(SignatureDict(name, value))
                elif not isinstance(value, pdf.NullObject):
                    found.append(SignatureDict(name, pdf.DictionaryObject()))

    walk(fields, "", 0)
    return found


def _ints(value: Any) -> list[int] | None:
    pdf = pdf_objects()
    if not isinstance(value, pdf.ArrayObject) or len(value) != 4:
        return None
    numbers = []
    for entry in value:
        item = entry.get_object() if isinstance(entry, pdf.IndirectObject) else entry
        if not isinstance(item, pdf.NumberObject) or int(item) < 0:
            return None
        numbers.append(int(item))
    return numbers


def check_signature_dict(data: bytes, sig: SignatureDict) -> Problem | None:
    """None when the signature dictionary's byte ranges and /Contents sit where they must."""
    label = f"signature field {sig.field_name}"
    value = sig.value
    pdf = pdf_objects()
    byte_range = value.get("/ByteRange")
    if byte_range is None or isinstance(byte_range, pdf.NullObject):
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
    if not isinstance(contents, pdf.ByteStringObject | pdf.TextStringObject):
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


_OBJ_HEADER = re.compile(rb"(?:^|(?<=[\r\n]))(\d{1,10})[ \t\r\n\f\x00]+(\d{1,5})[ \t\r\n\f\x00]+obj\b")
_AT_OBJ = re.compile(rb"(\d{1,10})[ \t\r\n\f\x00]+(\d{1,5})[ \t\r\n\f\x00]+obj\b")


def xref_problem(data: bytes, xrefs: Any, signed_end: int) -> Problem | None:
    """The file's cross-reference data must be exact, so that every reader sees the objects pyHanko sees.

    A reader that finds a ``startxref`` or an xref entry that does not point at what it names rebuilds the
    xref by scanning the file, and then takes the last definition of each object (poppler does; pyHanko
    corrects small offsets instead): an update can hide a new page content that one viewer draws and the
    verifier never reads (a parser differential). So: every revision's ``startxref`` points exactly at an
    xref table or stream, each after the one before it; every in-use entry of every section points exactly
    at its object's header; and after the kiosk's signed bytes no object is defined that no xref lists.
    """
    listed: set[int] = set()
    previous = -1
    for revision in range(xrefs.total_revisions):
        start = xrefs.get_startxref_for_revision(revision)
        if not (data.startswith(b"xref", start) or _AT_OBJ.match(data, start)):
            return Problem(
                "xref_invalid",
                f"revision {revision + 1}'s startxref ({start}) does not point at a cross-reference "
                "section: readers would rebuild the file's objects differently",
            )
        if start <= previous:
            return Problem(
                "xref_invalid",
                f"revision {revision + 1}'s cross-reference section lies before the last one's",
            )
        previous = start
        section = xrefs.get_xref_data(revision)
        parts = [section] + ([section.hybrid.xref_data] if section.hybrid is not None else [])
        for part in parts:
            for idnum, (generation, offset) in part.standard_xrefs.items():
                found = _AT_OBJ.match(data, offset)
                if found is None or (int(found.group(1)), int(found.group(2))) != (idnum, generation):
                    return Problem(
                        "xref_invalid",
                        f"the cross-reference entry of object {idnum} {generation} points at byte {offset}, "
                        "where that object does not begin",
                    )
                listed.add(offset)
        listed.add(start)
        if section.hybrid is not None:
            listed.add(section.hybrid.meta_info.declared_startxref)
    for match in _OBJ_HEADER.finditer(data, signed_end):
        if match.start() not in listed:
            return Problem(
                "hidden_object",
                f"an update after signing defines object {int(match.group(1))} at byte {match.start()} that "
                "no cross-reference lists: a reader that rebuilds the file would show it",
            )
    return None


def strict_read_problem(data: bytes, first_later_revision: int) -> Problem | None:
    """Every trailer, and every object that a revision after the kiosk's signature writes, reads without
    a syntax error that readers settle differently: a key given twice in one dictionary (pyHanko keeps the
    first value, poppler the last, so a second ``/Root`` in a trailer or a second ``/Contents`` in a page
    shows one viewer a page that the verifier never read), a damaged object header, a wrong length."""
    PdfReadError = pdf_read_error_class()  # noqa: N806 (a class)
    try:
        strict = pdf_reader_class()(io.BytesIO(data), strict=True)
        for revision in range(first_later_revision, strict.xrefs.total_revisions):
            for ref in sorted(strict.xrefs.explicit_refs_in_revision(revision), key=lambda r: r.idnum):
                strict.get_object(ref)
    except (PdfReadError, ValueError, TypeError, KeyError) as exc:
        detail = str(exc).split(" at byte ")[0][:120]
        return Problem(
            "ambiguous_syntax",
            f"an update after signing is written so that PDF readers would read it differently ({detail})",
        )
    return None
