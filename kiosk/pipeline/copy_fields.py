"""What a certified copy's seal says about the document (issue 22): its key fields as confirmed in the visit,
the page that prints each, and the copy's QR access token.

The fields are the document type's key fields (``ocr.doctypes``) read from the scanned pages; a value the
citizen corrected or confirmed on the review screen (``VisitData.confirmed_fields``) wins over the reading.
Each field is placed on the first page whose own reading agrees with it (``signing.field_match``), so a
checker holding one page of a long copy is compared with that page's fields only; 0 when no single page
shows it (the value ran across a page break).

The upload record carries the same fields as the seal (issue 24: the city refuses a record whose fields
are not the sealed ones), and what OCR read apart: its raw reading (``ocr_fields``) and the words it read
with low confidence (``ocr_low_words``), which the officer's console shows as OCR beside the page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ocr.doctypes import doc_type_of, read_key_fields
from ocr.quality import GOOD_WORD_CONFIDENCE
from signing.access_token import access_token_sha256, new_access_token_bytes, token_text
from signing.field_match import field_matches
from signing.seal_fields import field_kind

if TYPE_CHECKING:
    from ocr import PageResult

# At most this many low-confidence words go in a record (the protocol allows 500): a page of bad print
# should not fill the officer's screen, the first words already say where to look.
MAX_LOW_WORDS = 200
# Punctuation OCR attaches to a word ("MAI,", "(Nữ)"): the console matches the bare word with the fields'.
_WORD_EDGES = ".,;:!?()[]{}\"'“”‘’«»"


@dataclass(frozen=True)
class CopyFields:
    fields: dict[str, str]
    field_pages: dict[str, int]
    access_token: bytes  # 16 random bytes, printed in the QR only
    # The key fields as OCR read them, before the citizen's confirmation: part of the record's ocr_fields.
    read: dict[str, str] = field(default_factory=dict)

    @property
    def access_token_sha256(self) -> str:
        return access_token_sha256(token_text(self.access_token))


def copy_fields(
    doc_type: str, page_texts: Sequence[str], confirmed: Mapping[str, str] | None = None
) -> CopyFields:
    """The seal's fields for a copy of ``doc_type`` whose pages read ``page_texts``."""
    kind = doc_type_of(doc_type) or doc_type_of("other")
    keys = kind.key_fields if kind is not None else ()
    read = read_key_fields(doc_type, "\f".join(page_texts))
    fields = dict(read)
    for key, value in (confirmed or {}).items():
        if key in keys and value.strip():
            fields[key] = value.strip()
    fields = {key: fields[key] for key in keys if fields.get(key)}
    per_page = [read_key_fields(doc_type, text) for text in page_texts]
    pages: dict[str, int] = {}
    for key, value in fields.items():
        pages[key] = next(
            (i for i, read in enumerate(per_page, 1) if field_matches(field_kind(key), value, read.get(key))),
            0,
        )
    return CopyFields(fields, pages, new_access_token_bytes(), read)


def low_confidence_words(pages: Sequence[PageResult], limit: int = MAX_LOW_WORDS) -> list[str]:
    """The words OCR read on ``pages`` with less confidence than a good word's (``ocr.quality``), once
    each, in reading order, without the punctuation stuck to them; specks (no letter or digit) left out."""
    found: list[str] = []
    seen: set[str] = set()
    for page in pages:
        for word in page.words:
            text = word.text.strip().strip(_WORD_EDGES)
            if word.confidence >= GOOD_WORD_CONFIDENCE or not any(ch.isalnum() for ch in text):
                continue
            text = text[:100]
            if text not in seen:
                seen.add(text)
                found.append(text)
                if len(found) >= limit:
                    return found
    return found
