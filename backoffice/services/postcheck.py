"""Issued copies after the visit: the post-check queue, approve (the officer's signature) and revoke,
and the public status that every verifier can read.

Status: ``issued`` (as the kiosk issued it) -> ``post_checked`` (an officer approved and signed it) or
``revoked`` (an officer withdrew it, with a reason). A revoked copy stays revoked; a post-checked copy can
still be revoked (a forgery found later).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from backoffice.services.approvals import (
    ApprovalRefused,  # noqa: F401 - the console catches it from here
    ApprovalResult,
    Approver,
    CopyNotFound,
    CopyStateError,
    acting_user,
    approve_batch,
    approve_one,
    in_scope,
    scope_sql,
)
from backoffice.services.auth import User, audit
from backoffice.services.risk import FLAGS
from offline_sync.protocol.errors import BackendError

if TYPE_CHECKING:
    from backoffice.storage.db import BackendDB

STATUSES = ("issued", "post_checked", "revoked")
MAX_REASON = 500
# What anyone may learn about a code without its access token: that it exists, and its status. Codes are
# sequential with a computable check character, so anything more would be readable for every copy.
PUBLIC_KEYS = ("code", "status")

# Why a copy was revoked, as the public reads it (on /v/{code} with the copy's token, and in
# `kiosk verify --online`): a fixed list, each with its Vietnamese and English label. The officer's free
# text stays internal to staff (the console and the audit trail), since it may name a person.
REVOKE_REASONS: dict[str, dict[str, str]] = {
    "wrong_document": {"vi": "Cấp nhầm giấy tờ", "en": "Wrong document"},
    "issued_in_error": {"vi": "Cấp do sai sót", "en": "Issued in error"},
    "identity_doubt": {
        "vi": "Nghi vấn về danh tính người yêu cầu",
        "en": "Doubt about the requester's identity",
    },
    "original_forged": {"vi": "Bản chính bị phát hiện là giả", "en": "The original was found to be forged"},
    "other_reason": {"vi": "Lý do khác", "en": "Other reason"},
}
DEFAULT_REVOKE_REASON = "other_reason"


def _now() -> str:
    return datetime.now(UTC).isoformat()


def public_status(db: BackendDB, code: str) -> dict[str, Any] | None:
    """What anyone may know about a copy without its token: ``{code, status}``; None for an unknown code.
    No document type, time, pages, kiosk, officer or reason (``copy_facts`` in access_tokens.py is what a
    token holder reads)."""
    with db._tx() as cur:
        cur.execute("SELECT code, status FROM copies WHERE code = ?", (code,))
        row = cur.fetchone()
    return dict(zip(PUBLIC_KEYS, row, strict=True)) if row else None


def revoke_reason_code(reason: str, reason_code: str | None) -> str:
    """The public reason key: ``reason_code`` when given (it must be a key of REVOKE_REASONS), else the
    free text itself when it is a key, else ``other_reason``."""
    if reason_code:
        if reason_code not in REVOKE_REASONS:
            raise CopyStateError(
                f"unknown revoke reason {reason_code!r}; one of: {', '.join(REVOKE_REASONS)}"
            )
        return reason_code
    text = reason.strip()
    return text if text in REVOKE_REASONS else DEFAULT_REVOKE_REASON


QUEUE_PAGE_SIZES = (20, 50, 100)
DEFAULT_PAGE_SIZE = 50
MAX_BATCH = 100  # copies one batch approval may sign
# A copy's ward as the city sees it: its kiosk's ward when the copy arrived (copies.kiosk_ward, what scopes
# it), else the ward the city now assigns to its kiosk (`kiosk-backend kiosk set-ward`), else what the
# record itself says.
CITY_WARD = (
    "COALESCE(kiosk_ward, (SELECT kw.ward FROM kiosk_wards kw WHERE kw.kiosk_id = copies.kiosk_id), ward)"
)
_QUEUE_KEYS = (
    "code", "kiosk_id", "ward", "doc_type", "pages", "issued_at", "status", "flags", "due_at", "record_ward"
)  # fmt: skip
_QUEUE_COLUMNS = (
    f"code, kiosk_id, {CITY_WARD}, doc_type, pages, issued_at, status, flags, postcheck_due_at, ward"
)
# Oldest first: by the post-check deadline when the copy has one, else by its issue time (the copy issued
# first is due first); the code breaks ties so that the order is total and paging is stable.
_QUEUE_ORDER = " ORDER BY COALESCE(postcheck_due_at, issued_at), issued_at, code"


@dataclass(frozen=True)
class QueueFilter:
    """What the officer filters the queue by. ``search``: a part of the copy's code (case-insensitive).
    ``page`` is 1-based; ``per_page`` one of QUEUE_PAGE_SIZES. ``limit`` caps a plain ``queue()`` call."""

    kiosk: str = ""
    ward: str = ""
    doc_type: str = ""
    flag: str = ""
    status: str = "issued"
    search: str = ""
    page: int = 1
    per_page: int = DEFAULT_PAGE_SIZE
    limit: int = 200
    # Issue 24: whose queue it is; an officer's shows their ward's copies only. None: unscoped (callers
    # that are not a staff member's page: the command line, KPIs).
    scope: User | None = None


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _queue_where(f: QueueFilter) -> tuple[str, list[Any]]:
    sql = " FROM copies WHERE status = ?"
    params: list[Any] = [f.status if f.status in STATUSES else "issued"]
    if f.kiosk:
        sql += " AND kiosk_id = ?"
        params.append(f.kiosk)
    if f.ward:
        sql += f" AND {CITY_WARD} = ?"
        params.append(f.ward)
    if f.doc_type:
        sql += " AND doc_type = ?"
        params.append(f.doc_type)
    if f.flag in FLAGS:
        sql += " AND flags LIKE ?"
        params.append(f"%,{f.flag},%")
    if f.scope is not None:
        scoped, scope_params = scope_sql(f.scope)
        sql += scoped
        params.extend(scope_params)
    search = "".join(ch for ch in f.search.strip() if ch.isalnum() or ch in "-_.")[:64]
    if search:
        sql += " AND UPPER(code) LIKE ? ESCAPE '\\'"
        params.append(f"%{_like_escape(search.upper())}%")
    return sql, params


def _rows(db: BackendDB, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    with db._tx() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    out = []
    for row in rows:
        item = dict(zip(_QUEUE_KEYS, row, strict=True))
        item["flags"] = [x for x in str(item["flags"]).split(",") if x]
        out.append(item)
    return out


def queue(db: BackendDB, f: QueueFilter) -> list[dict[str, Any]]:
    """Copies in ``f.status`` (awaiting post-check by default), oldest first, at most ``f.limit``."""
    where, params = _queue_where(f)
    sql = "SELECT " + _QUEUE_COLUMNS + where + _QUEUE_ORDER + " LIMIT ?"
    return _rows(db, sql, [*params, max(1, min(f.limit, 1000))])


@dataclass(frozen=True)
class QueuePage:
    items: list[dict[str, Any]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def queue_page(db: BackendDB, f: QueueFilter) -> QueuePage:
    """One page of the filtered queue, oldest first, with the count of the whole filtered queue; a page past
    the end gives the last page."""
    per_page = f.per_page if f.per_page in QUEUE_PAGE_SIZES else DEFAULT_PAGE_SIZE
    where, params = _queue_where(f)
    with db._tx() as cur:
        cur.execute("SELECT COUNT(*)" + where, params)
        row = cur.fetchone()
    total = int(row[0]) if row else 0
    last = max(1, -(-total // per_page))
    page = min(max(1, f.page), last)
    sql = "SELECT " + _QUEUE_COLUMNS + where + _QUEUE_ORDER + " LIMIT ? OFFSET ?"
    items = _rows(db, sql, [*params, per_page, (page - 1) * per_page])
    return QueuePage(items=items, total=total, page=page, per_page=per_page)


@dataclass(frozen=True)
class Neighbours:
    """Where a copy sits in the filtered queue: the copy before and after it (None at either end), its
    1-based position (0 when it is not in the filtered queue, e.g. just decided) and the count."""

    previous: str | None
    next: str | None
    position: int
    total: int


def neighbours(db: BackendDB, f: QueueFilter, code: str) -> Neighbours:
    """The copies before and after ``code`` in the filtered queue's order. When ``code`` is no longer in it
    (just approved or revoked), ``next`` is the copy that now sits where it was: the next one to check."""
    where, params = _queue_where(f)
    with db._tx() as cur:
        cur.execute("SELECT COUNT(*)" + where, params)
        row = cur.fetchone()
        total = int(row[0]) if row else 0
        cur.execute(
            "SELECT COALESCE(postcheck_due_at, issued_at), issued_at FROM copies WHERE code = ?", (code,)
        )
        key = cur.fetchone()
        if key is None:
            return Neighbours(None, None, 0, total)
        due, issued = key
        after = " AND (COALESCE(postcheck_due_at, issued_at), issued_at, code) > (?, ?, ?)"
        before = " AND (COALESCE(postcheck_due_at, issued_at), issued_at, code) < (?, ?, ?)"
        cur.execute("SELECT code" + where + after + _QUEUE_ORDER + " LIMIT 1", [*params, due, issued, code])
        nxt = cur.fetchone()
        cur.execute(
            "SELECT code" + where + before + " ORDER BY COALESCE(postcheck_due_at, issued_at) DESC,"
            " issued_at DESC, code DESC LIMIT 1",
            [*params, due, issued, code],
        )
        prev = cur.fetchone()
        cur.execute("SELECT COUNT(*)" + where + before, [*params, due, issued, code])
        ahead = cur.fetchone()
        cur.execute("SELECT 1" + where + " AND code = ?", [*params, code])
        inside = cur.fetchone() is not None
    return Neighbours(
        previous=str(prev[0]) if prev else None,
        next=str(nxt[0]) if nxt else None,
        position=(int(ahead[0]) + 1 if ahead else 1) if inside else 0,
        total=total,
    )


def filter_choices(db: BackendDB, scope: User | None) -> dict[str, list[str]]:
    """The kiosks, wards (as the city sees them: CITY_WARD) and document types of the copies ``scope`` may
    see, for the queue's filter menus: an officer's menus hold their ward's values only, a city-wide role's
    every value in the city. ``scope`` None: every value (callers that are not a staff member's page)."""
    scoped, params = scope_sql(scope) if scope is not None else ("", [])
    where = " WHERE 1 = 1" + scoped
    out: dict[str, list[str]] = {}
    with db._tx() as cur:
        for key, column in (("kiosks", "kiosk_id"), ("wards", CITY_WARD), ("doc_types", "doc_type")):
            cur.execute(
                f"SELECT DISTINCT {column} FROM copies{where} AND {column} IS NOT NULL ORDER BY 1",  # noqa: S608 - fixed names
                params,
            )
            out[key] = [str(r[0]) for r in cur.fetchall() if r[0] != ""]
    return out


def copy_state(db: BackendDB, code: str, user: User | None = None) -> dict[str, Any] | None:
    """The copy's post-check state; with ``user``, None also when the copy is out of their ward."""
    if user is not None and not in_scope(db, code, user):
        return None
    with db._tx() as cur:
        cur.execute(
            "SELECT code, kiosk_id, ward, doc_type, pages, issued_at, received_at, status, flags,"  # noqa: S608 - fixed SQL
            " post_checked_by, post_checked_at, revoked_by, revoked_at, revoked_reason, approved_sha256,"
            f" revoked_reason_code, postcheck_due_at, {CITY_WARD} FROM copies WHERE code = ?",
            (code,),
        )
        row = cur.fetchone()
    if row is None:
        return None
    keys = (
        "code",
        "kiosk_id",
        "ward",
        "doc_type",
        "pages",
        "issued_at",
        "received_at",
        "status",
        "flags",
        "post_checked_by",
        "post_checked_at",
        "revoked_by",
        "revoked_at",
        "revoked_reason",
        "approved_sha256",
        "revoked_reason_code",
        "postcheck_due_at",  # the post-check deadline (ISO UTC; None for a copy stored before deadlines)
        "city_ward",  # CITY_WARD: the ward the city gives the copy (``ward`` is what the record says)
    )
    state = dict(zip(keys, row, strict=True))
    state["flags"] = [x for x in str(state["flags"]).split(",") if x]
    return state


def copy_pdf(db: BackendDB, code: str, *, actor: str, user: User | None = None) -> bytes:
    """The current PDF of a copy (the approved one once post-checked); the read is audited. Only for a
    staff member whose scope holds the copy (``user``, else the account named ``actor``): another ward's
    copy is CopyNotFound, as is a name with no account."""
    if not in_scope(db, code, acting_user(db, actor, user)):
        raise CopyNotFound(f"no copy with code {code!r}")
    state = copy_state(db, code)
    record = db.get_record(code)
    if state is None or record is None:
        raise CopyNotFound(f"no copy with code {code!r}")
    data = db.blobs.get(state["approved_sha256"] or record["pdf_sha256"])
    if data is None:
        raise BackendError(f"the PDF of {code!r} is missing from blob storage")
    audit(db, actor, "read_pdf", code)
    return data


def approve(
    db: BackendDB,
    code: str,
    *,
    username: str,
    full_name: str,
    approver: Approver,
    user: User | None = None,
) -> dict[str, Any]:
    """Sign the copy in the officer's name and mark it post-checked (approvals.py: the token's signing
    worker, the check right before the signature, the row written only after the signed PDF). Raises
    CopyNotFound (also for another ward's copy) or ApprovalRefused (``.text(lang)``: plain words)."""
    approve_one(db, code, username=username, full_name=full_name, approver=approver, user=user)
    result = copy_state(db, code)
    assert result is not None
    return result


def approve_many(
    db: BackendDB, codes: Sequence[str], *, user: User, approver: Approver
) -> list[ApprovalResult]:
    """Batch approve: every copy queued at once on the token's one unlocked session, one result per code
    (``outcome``, ``state``, ``text(lang)``), in the order given."""
    results = approve_batch(db, codes, user=user, approver=approver)
    return [ApprovalResult(r.code, r.outcome, copy_state(db, r.code, user), r.refusal) for r in results]


def revoke(
    db: BackendDB,
    code: str,
    *,
    username: str,
    reason: str,
    reason_code: str | None = None,
    user: User | None = None,
) -> dict[str, Any]:
    """Revoke a copy. ``reason_code`` (a key of REVOKE_REASONS) is what the public reads; ``reason`` is
    the officer's free text, internal to staff (optional when a reason code is given). Only within the
    scope of ``user`` (else of the account named ``username``): another ward's copy is CopyNotFound."""
    if not in_scope(db, code, acting_user(db, username, user)):
        raise CopyNotFound(f"no copy with code {code!r}")
    reason = " ".join(reason.split())
    if not reason and not reason_code:
        raise CopyStateError("a revocation needs a reason")
    if len(reason) > MAX_REASON:
        raise CopyStateError(f"the reason is longer than {MAX_REASON} characters")
    public_reason = revoke_reason_code(reason, reason_code)
    reason = reason or public_reason
    with db._tx() as cur:
        cur.execute(
            "UPDATE copies SET status = 'revoked', revoked_by = ?, revoked_at = ?, revoked_reason = ?,"
            " revoked_reason_code = ? WHERE code = ? AND status <> 'revoked' RETURNING code",
            (username, _now(), reason, public_reason, code),
        )
        changed = cur.fetchone() is not None
    if not changed:
        if copy_state(db, code) is None:
            raise CopyNotFound(f"no copy with code {code!r}")
        raise CopyStateError(f"copy {code} is already revoked")
    audit(db, username, "revoke", code, f"{public_reason}: {reason}")
    result = copy_state(db, code)
    assert result is not None
    return result
