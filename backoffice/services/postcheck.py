"""Issued copies after the visit: the post-check queue, approve (the officer's signature) and revoke,
and the public status that every verifier can read.

Status: ``issued`` (as the kiosk issued it) -> ``post_checked`` (an officer approved and signed it) or
``revoked`` (an officer withdrew it, with a reason). A revoked copy stays revoked; a post-checked copy can
still be revoked (a forgery found later).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from backoffice.services.auth import audit
from backoffice.services.risk import FLAGS
from offline_sync.protocol.errors import BackendError

if TYPE_CHECKING:
    from backoffice.storage.db import BackendDB

STATUSES = ("issued", "post_checked", "revoked")
MAX_REASON = 500
PUBLIC_KEYS = ("code", "status", "issued_at", "doc_type", "pages", "revoked_reason")


class Approver(Protocol):
    def approve(self, pdf: bytes, *, username: str, full_name: str) -> bytes: ...


class CopyNotFound(BackendError):
    exit_code = 2


class CopyStateError(BackendError):
    exit_code = 2


def _now() -> str:
    return datetime.now(UTC).isoformat()


def public_status(db: BackendDB, code: str) -> dict[str, Any] | None:
    """What anyone may know about a copy: no personal data, no kiosk, no officer."""
    with db._tx() as cur:
        cur.execute(
            "SELECT code, status, issued_at, doc_type, pages, revoked_reason FROM copies WHERE code = ?",
            (code,),
        )
        row = cur.fetchone()
    return dict(zip(PUBLIC_KEYS, row, strict=True)) if row else None


@dataclass(frozen=True)
class QueueFilter:
    kiosk: str = ""
    ward: str = ""
    doc_type: str = ""
    flag: str = ""
    status: str = "issued"
    limit: int = 200


def queue(db: BackendDB, f: QueueFilter) -> list[dict[str, Any]]:
    """Copies in ``f.status`` (awaiting post-check by default), newest first."""
    sql = (
        "SELECT code, kiosk_id, ward, doc_type, pages, issued_at, status, flags FROM copies WHERE status = ?"
    )
    params: list[Any] = [f.status if f.status in STATUSES else "issued"]
    if f.kiosk:
        sql += " AND kiosk_id = ?"
        params.append(f.kiosk)
    if f.ward:
        sql += " AND ward = ?"
        params.append(f.ward)
    if f.doc_type:
        sql += " AND doc_type = ?"
        params.append(f.doc_type)
    if f.flag in FLAGS:
        sql += " AND flags LIKE ?"
        params.append(f"%,{f.flag},%")
    sql += " ORDER BY issued_at DESC, code DESC LIMIT ?"
    params.append(max(1, min(f.limit, 1000)))
    with db._tx() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    keys = ("code", "kiosk_id", "ward", "doc_type", "pages", "issued_at", "status", "flags")
    out = []
    for row in rows:
        item = dict(zip(keys, row, strict=True))
        item["flags"] = [x for x in str(item["flags"]).split(",") if x]
        out.append(item)
    return out


def filter_choices(db: BackendDB) -> dict[str, list[str]]:
    """The kiosks, wards and document types present, for the queue's filter menus."""
    out: dict[str, list[str]] = {}
    with db._tx() as cur:
        for key, column in (("kiosks", "kiosk_id"), ("wards", "ward"), ("doc_types", "doc_type")):
            cur.execute(f"SELECT DISTINCT {column} FROM copies WHERE {column} IS NOT NULL ORDER BY 1")  # noqa: S608 - fixed names
            out[key] = [str(r[0]) for r in cur.fetchall()]
    return out


def copy_state(db: BackendDB, code: str) -> dict[str, Any] | None:
    with db._tx() as cur:
        cur.execute(
            "SELECT code, kiosk_id, ward, doc_type, pages, issued_at, received_at, status, flags,"
            " post_checked_by, post_checked_at, revoked_by, revoked_at, revoked_reason, approved_sha256"
            " FROM copies WHERE code = ?",
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
    )
    state = dict(zip(keys, row, strict=True))
    state["flags"] = [x for x in str(state["flags"]).split(",") if x]
    return state


def copy_pdf(db: BackendDB, code: str, *, actor: str) -> bytes:
    """The current PDF of a copy (the approved one once post-checked); the read is audited."""
    state = copy_state(db, code)
    record = db.get_record(code)
    if state is None or record is None:
        raise CopyNotFound(f"no copy with code {code!r}")
    data = db.blobs.get(state["approved_sha256"] or record["pdf_sha256"])
    if data is None:
        raise BackendError(f"the PDF of {code!r} is missing from blob storage")
    audit(db, actor, "read_pdf", code)
    return data


def approve(db: BackendDB, code: str, *, username: str, full_name: str, approver: Approver) -> dict[str, Any]:
    """Sign the copy in the officer's name and mark it post-checked."""
    state = copy_state(db, code)
    if state is None:
        raise CopyNotFound(f"no copy with code {code!r}")
    if state["status"] != "issued":
        raise CopyStateError(f"copy {code} is {state['status']}, not awaiting post-check")
    pdf = copy_pdf(db, code, actor=username)
    signed = approver.approve(pdf, username=username, full_name=full_name)
    sha = hashlib.sha256(signed).hexdigest()
    db.blobs.put(sha, signed)
    with db._tx() as cur:
        cur.execute(
            "UPDATE copies SET status = 'post_checked', post_checked_by = ?, post_checked_at = ?,"
            " approved_sha256 = ? WHERE code = ? AND status = 'issued' RETURNING code",
            (username, _now(), sha, code),
        )
        if cur.fetchone() is None:
            raise CopyStateError(f"copy {code} changed while it was being signed")
    audit(db, username, "approve", code)
    result = copy_state(db, code)
    assert result is not None
    return result


def revoke(db: BackendDB, code: str, *, username: str, reason: str) -> dict[str, Any]:
    reason = " ".join(reason.split())
    if not reason:
        raise CopyStateError("a revocation needs a reason")
    if len(reason) > MAX_REASON:
        raise CopyStateError(f"the reason is longer than {MAX_REASON} characters")
    with db._tx() as cur:
        cur.execute(
            "UPDATE copies SET status = 'revoked', revoked_by = ?, revoked_at = ?, revoked_reason = ?"
            " WHERE code = ? AND status <> 'revoked' RETURNING code",
            (username, _now(), reason, code),
        )
        changed = cur.fetchone() is not None
    if not changed:
        if copy_state(db, code) is None:
            raise CopyNotFound(f"no copy with code {code!r}")
        raise CopyStateError(f"copy {code} is already revoked")
    audit(db, username, "revoke", code, reason)
    result = copy_state(db, code)
    assert result is not None
    return result
