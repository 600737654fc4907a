"""What the console's pages are made of, apart from the routes: the queue filter read from and written to
a URL (so that Back, paging and the next copy keep it), and one copy's view (sealed facts, OCR fields
compared with the seal, the identity check) built from the stored record."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from backoffice.services.postcheck import DEFAULT_PAGE_SIZE, QUEUE_PAGE_SIZES, STATUSES, QueueFilter
from backoffice.services.risk import FLAGS
from backoffice.services.sealed_view import FieldRow, Sealed, compare_fields

_SEARCH = re.compile(r"[^A-Za-z0-9_.-]")
# Fields the kiosk's OCR adds that are marks on the paper, not text to compare with a seal.
MARK_FIELDS = ("seal", "signature")


def mask_id(value: str) -> str:
    """An ID number with all but the first three and last three characters hidden."""
    value = str(value or "")
    if len(value) <= 6:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 6) + value[-3:]


def _int(text: str | None, default: int) -> int:
    try:
        return int(str(text))
    except (TypeError, ValueError):
        return default


def filter_from(query: QueryParams) -> QueueFilter:
    """The queue filter in a URL's query (unknown values fall back to their defaults)."""
    status = query.get("status", "issued")
    per_page = _int(query.get("per_page"), DEFAULT_PAGE_SIZE)
    return QueueFilter(
        kiosk=query.get("kiosk", "")[:64],
        ward=query.get("ward", "")[:100],
        doc_type=query.get("doc_type", "")[:64],
        flag=query.get("flag", "") if query.get("flag", "") in FLAGS else "",
        status=status if status in STATUSES else "issued",
        search=_SEARCH.sub("", query.get("q", ""))[:64],
        page=max(1, min(_int(query.get("page"), 1), 100_000)),
        per_page=per_page if per_page in QUEUE_PAGE_SIZES else DEFAULT_PAGE_SIZE,
    )


def filter_query(f: QueueFilter, **change: Any) -> str:
    """The query string that gives back ``f`` (only what differs from the defaults), with ``change``."""
    if change:
        f = replace(f, **change)
    pairs = [
        ("kiosk", f.kiosk),
        ("ward", f.ward),
        ("doc_type", f.doc_type),
        ("flag", f.flag),
        ("status", "" if f.status == "issued" else f.status),
        ("q", f.search),
        ("page", "" if f.page == 1 else str(f.page)),
        ("per_page", "" if f.per_page == DEFAULT_PAGE_SIZE else str(f.per_page)),
    ]
    return urlencode([(k, v) for k, v in pairs if v])


def with_query(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path


def _instant(iso: object) -> datetime | None:
    try:
        when = datetime.fromisoformat(str(iso)) if iso else None
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when is not None and when.tzinfo is None else when


def is_overdue(due_at: object, status: object, now: datetime) -> bool:
    """Is a copy still awaiting post-check past its deadline? (No deadline: never overdue.)"""
    due = _instant(due_at)
    return status == "issued" and due is not None and due < now


def deadline_view(state: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The copy's post-check deadline as its page shows it: ``due_at`` (ISO, shown in GMT+7 by ``t.time``)
    and ``standing``: ``overdue`` (awaiting past it), ``due`` (awaiting, in time), ``on_time`` / ``late``
    (post-checked before / after it), ``none`` (no deadline, or revoked)."""
    due = _instant(state.get("postcheck_due_at"))
    status = state.get("status")
    if due is None or status == "revoked":
        standing = "none"
    elif status == "post_checked":
        done = _instant(state.get("post_checked_at"))
        standing = "late" if done is not None and done > due else "on_time"
    else:
        standing = "overdue" if due < now else "due"
    return {"due_at": state.get("postcheck_due_at") if due is not None else None, "standing": standing}


def identity_view(body: dict[str, Any]) -> dict[str, Any]:
    """The identity check as the officer sees it: the ID masked, never a face image."""
    return {
        "holder_id": mask_id(body.get("holder_id", "")),
        "holder_name": body.get("holder_name", ""),
        "face_match": body.get("face_match"),
        "face_distance": body.get("face_distance"),
        "liveness": body.get("liveness", ""),
        "identity_source": body.get("identity_source"),
    }


def ocr_rows(body: dict[str, Any], sealed: Sealed | None) -> tuple[list[FieldRow], dict[str, str]]:
    """The OCR'd text fields compared with the seal, and the paper's marks (seal/signature) apart. What OCR
    read before the citizen confirmed (``ocr_fields``) when the record has it, else the record's fields."""
    raw = body.get("ocr_fields") if isinstance(body.get("ocr_fields"), dict) else body.get("fields")
    fields = raw if isinstance(raw, dict) else {}
    text_fields = {k: v for k, v in fields.items() if k not in MARK_FIELDS}
    marks = {k: str(v) for k, v in fields.items() if k in MARK_FIELDS}
    rows = compare_fields(text_fields, sealed.fields if sealed else None, body.get("ocr_low_words"))
    return rows, marks


def sealed_disagreements(rows: list[FieldRow]) -> list[str]:
    return [row.key for row in rows if row.disagrees]


def requester_differs(body: dict[str, Any], sealed: Sealed | None) -> bool:
    """The record's requester is not the one the seal names (the seal is the fact; the record is not)."""
    if sealed is None or not sealed.facts.get("requester_name"):
        return False
    return " ".join(str(body.get("holder_name") or "").split()) != " ".join(
        str(sealed.facts["requester_name"]).split()
    )
