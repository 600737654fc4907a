"""What a certified copy's seal says about the document (issue 22): its key fields as confirmed in the visit,
the page that prints each, and the copy's QR access token.

The fields are the document type's key fields (``ocr.doctypes``) read from the scanned pages; a value the
citizen corrected or confirmed on the review screen (``VisitData.confirmed_fields``) wins over the reading.
Each field is placed on the first page whose own reading agrees with it (``signing.field_match``), so a
checker holding one page of a long copy is compared with that page's fields only; 0 when no single page
shows it (the value ran across a page break).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ocr.doctypes import doc_type_of, read_key_fields
from signing.access_token import access_token_sha256, new_access_token_bytes, token_text
from signing.field_match import field_matches
from signing.seal_fields import field_kind


@dataclass(frozen=True)
class CopyFields:
    fields: dict[str, str]
    field_pages: dict[str, int]
    access_token: bytes  # 16 random bytes, printed in the QR only

    @property
    def access_token_sha256(self) -> str:
        return access_token_sha256(token_text(self.access_token))


def copy_fields(
    doc_type: str, page_texts: Sequence[str], confirmed: Mapping[str, str] | None = None
) -> CopyFields:
    """The seal's fields for a copy of ``doc_type`` whose pages read ``page_texts``."""
    kind = doc_type_of(doc_type) or doc_type_of("other")
    keys = kind.key_fields if kind is not None else ()
    fields = read_key_fields(doc_type, "\f".join(page_texts))
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
    return CopyFields(fields, pages, new_access_token_bytes())
