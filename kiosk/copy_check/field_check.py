"""The paper against its seal, field by field (issue 22): each key field the seal holds for this page is
read from the page's OCR text with the document type's own extractor (``ocr.doctypes.read_key_fields``)
and compared with the sealed value by the rule of its kind (``signing.field_match``: names forgive an OCR
slip in a long word, dates and numbers nothing but separators and safe O/0, I/1 misreads).

A field the seal has for this page and the page does not show, or shows otherwise, makes the page
``page_mismatch`` and the verdict names it: a name changed on paper, a body replaced under a genuine header,
a page of another copy under this copy's QR.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ocr.doctypes import read_key_fields
from signing.field_match import field_matches
from signing.seal_fields import field_kind, field_label


def fields_on_page(verdict: Any, page: int) -> dict[str, str]:
    """The sealed fields printed on ``page`` (1-based); on a one-page copy, every field."""
    pages = verdict.field_pages or {}
    return {
        key: value
        for key, value in (verdict.fields or {}).items()
        if pages.get(key, 0) == page or (verdict.pages == 1 and pages.get(key, 0) == 0)
    }


def mismatched_fields(doc_type: str, sealed: dict[str, str], page_text: str) -> list[str]:
    """The sealed fields that the page's text lacks or contradicts, in the seal's order."""
    read = read_key_fields(doc_type, page_text)
    return [key for key, value in sealed.items() if not field_matches(field_kind(key), value, read.get(key))]


def check_fields(verdict: Any, page: int, page_text: str) -> Any:
    """``verdict`` (a valid seal, this page identified) refused as ``page_mismatch`` naming the fields the
    paper does not show as sealed; unchanged when every sealed field of the page reads as sealed."""
    sealed = fields_on_page(verdict, page)
    if not sealed:
        return verdict
    wrong = mismatched_fields(verdict.doc_type or "other", sealed, page_text)
    if not wrong:
        return dataclasses.replace(
            verdict,
            reason=verdict.reason + f"; {len(sealed)} sealed field(s) read as sealed",
            checks={**verdict.checks, "fields": True},
        )
    labels = ", ".join(field_label(key).lower() for key in wrong)
    return dataclasses.replace(
        verdict,
        valid=False,
        reason_key="page_mismatch",
        reason=(
            f"page {page} of certified copy {verdict.code} does not show what its seal holds: {labels} "
            f"{'differs' if len(wrong) == 1 else 'differ'} from the seal or cannot be found on the paper "
            "(the page was changed, or it is not this copy's page)"
        ),
        mismatched_fields=wrong,
        checks={**verdict.checks, "fields": False, "page_content": False},
    )
