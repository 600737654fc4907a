"""What the console shows as fact and what it shows as OCR: the copy's seal claims beside the record's
OCR fields, field by field, with the words that disagree with the seal and the words OCR read with low
confidence marked.

The sealed values are read from the copy's own PDF (the seal text kept in its catalogue). The PDF was
verified at ingest (its PAdES signature, its seal's signature and the kiosk's chain, ``seals.SealChecker``)
and is kept in the backend's content-addressed blob store, so reading the claims back needs no second
signature check: the claims are parsed only (``signing.seal.decode_seal``).

Whatever the kiosk's OCR read (the record's ``fields``) is not a fact: it is shown as OCR, and each field
the seal also carries is compared with the sealed value (case, accents and spacing kept: "PHẠM THỦ MAI"
differs from "PHẠM THU MAI").
"""

from __future__ import annotations

import io
import logging
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from pyhanko.pdf_utils.reader import PdfFileReader

from signing.errors import SealFormatError
from signing.pades import SEAL_KEY
from signing.seal import decode_seal

log = logging.getLogger(__name__)

# Record-level facts the seal carries that are not the subject's fields, in the order the console shows them.
FACT_KEYS = ("code", "doc_type", "pages", "issued_at", "kiosk_id", "authority", "requester_name", "holder")
# OCR fields with a sealed counterpart under another name (older seals carried holder_name/doc_number).
_FIELD_ALIASES = {"name": "full_name"}
_CACHE_SIZE = 512


@dataclass(frozen=True)
class Sealed:
    """The seal's claims: ``facts`` (code, type, pages, time, kiosk, requester) and the subject's ``fields``."""

    facts: dict[str, Any]
    fields: dict[str, str]


@dataclass(frozen=True)
class Word:
    text: str
    low_confidence: bool = False
    differs: bool = False


@dataclass(frozen=True)
class FieldRow:
    """One OCR field as the console shows it: the words read (each marked), the sealed value if any."""

    key: str
    ocr: str
    words: tuple[Word, ...]
    sealed: str | None
    disagrees: bool
    low_confidence: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def seal_text_of(pdf: bytes) -> str | None:
    """The seal text kept in the PDF's catalogue (the part after ``#`` when it holds the whole QR)."""
    try:
        value = PdfFileReader(io.BytesIO(pdf), strict=False).root.get(SEAL_KEY)
    except Exception as exc:  # a PDF pyHanko cannot open: no seal to show, never a crash
        log.warning("cannot read the seal text of a stored copy: %s", type(exc).__name__)
        return None
    if value is None:
        return None
    text = str(value)
    return text.rsplit("#", 1)[-1] if "#" in text else text


def read_sealed(pdf: bytes) -> Sealed | None:
    """The claims of the PDF's seal; None when it has none or it cannot be parsed."""
    text = seal_text_of(pdf)
    if not text:
        return None
    try:
        claims = decode_seal(text).claims
    except SealFormatError as exc:
        log.warning("stored copy's seal does not parse: %s", exc)
        return None
    fields = {str(k): str(v) for k, v in dict(getattr(claims, "fields", {}) or {}).items() if str(v)}
    # Older seals (VNC1) carried the document's number and date as claims of their own.
    for key, attr in (("document_number", "doc_number"), ("issue_date", "doc_date")):
        value = getattr(claims, attr, "")
        if value and key not in fields:
            fields[key] = str(value)
    facts = {
        "code": claims.code,
        "doc_type": claims.doc_type,
        "pages": claims.pages,
        "issued_at": claims.issued_at.isoformat(),
        "kiosk_id": claims.kiosk_id,
        "authority": claims.authority,
        "requester_name": claims.holder_name,
        "holder": claims.holder,
    }
    return Sealed(facts={k: facts[k] for k in FACT_KEYS if facts.get(k) not in (None, "")}, fields=fields)


class SealedCache:
    """read_sealed by the PDF's sha256, the last few hundred kept (a copy is opened again and again)."""

    def __init__(self, size: int = _CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[str, Sealed | None] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, sha256: str, load_pdf: Any) -> Sealed | None:
        with self._lock:
            if sha256 in self._items:
                self._items.move_to_end(sha256)
                return self._items[sha256]
        pdf = load_pdf()
        sealed = read_sealed(pdf) if pdf else None
        with self._lock:
            self._items[sha256] = sealed
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return sealed


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text)).split())


def _tokens(text: str) -> list[str]:
    return _norm(text).split(" ") if _norm(text) else []


def _low_set(low_words: object) -> set[str]:
    if not isinstance(low_words, list | tuple):
        return set()
    return {_norm(str(w)).casefold() for w in low_words if str(w).strip()}


def compare_fields(
    ocr_fields: dict[str, Any], sealed_fields: dict[str, str] | None, low_words: object = None
) -> list[FieldRow]:
    """Each OCR field with its words marked (low confidence; differs from the seal, word by word when the
    counts agree, else every word), in the record's order; then the sealed fields OCR did not read."""
    sealed_fields = sealed_fields or {}
    low = _low_set(low_words)
    rows: list[FieldRow] = []
    seen: set[str] = set()
    for name, raw in ocr_fields.items():
        key = str(name)
        value = _norm(str(raw))
        sealed_key = _FIELD_ALIASES.get(key, key)
        sealed = sealed_fields.get(sealed_key)
        if sealed is not None:
            seen.add(sealed_key)
        ocr_words, sealed_words = _tokens(value), _tokens(sealed or "")
        disagrees = sealed is not None and ocr_words != sealed_words
        words = []
        for i, word in enumerate(ocr_words):
            if not disagrees:
                differs = False
            elif len(ocr_words) == len(sealed_words):
                differs = word != sealed_words[i]
            else:
                differs = True
            words.append(Word(word, low_confidence=word.casefold() in low, differs=differs))
        rows.append(
            FieldRow(
                key=key,
                ocr=value,
                words=tuple(words),
                sealed=_norm(sealed) if sealed is not None else None,
                disagrees=disagrees,
                low_confidence=any(w.low_confidence for w in words),
            )
        )
    for key, sealed in sealed_fields.items():
        if key not in seen and key not in ocr_fields:
            rows.append(FieldRow(key=key, ocr="", words=(), sealed=_norm(sealed), disagrees=False))
    return rows
