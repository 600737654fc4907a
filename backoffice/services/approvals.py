"""Approving copies with the officer's signature, one or a batch, and the officers' ward scope (issue 24).

Approve: the copy's PDF goes to the officer token's signing worker (officer_signing.py), whose queue signs
one copy at a time with the one logged-in session. Right before signing, the worker asks again whether the
copy still awaits post-check, so of two approvals of one copy the second is told it was already done and
nothing is signed twice. The signed PDF is stored (fsynced, content-addressed) *before* the row says
``post_checked``, in one conditional UPDATE: a process killed at any moment leaves the copy either
``issued`` (no approval recorded, at most an unreferenced blob) or ``post_checked`` with its signed PDF.

Scope: an officer acts on the copies of their ward only (``auth.sees_ward``); the copy's ward is its
kiosk's ward when it was received (``copies.kiosk_ward``). A copy out of scope answers exactly like a copy
that does not exist. Callers that pass no user are checked against the account of ``username`` /
``actor``; a name with no account is refused (the command line passes ``auth.OPERATOR`` explicitly).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Protocol

from backoffice.services.auth import User, audit, get_user, sees_ward
from backoffice.services.officer_signing import NotWanted, TokenUnavailable
from offline_sync.protocol.errors import BackendError
from signing.errors import SigningError

if TYPE_CHECKING:
    from backoffice.storage.db import BackendDB

SIGN_TIMEOUT_S = 300.0
MAX_BATCH = 100
VN_TIME = timezone(timedelta(hours=7))


class Approver(Protocol):
    def approve(self, pdf: bytes, *, username: str, full_name: str) -> bytes: ...


class CopyNotFound(BackendError):
    exit_code = 2


class CopyStateError(BackendError):
    exit_code = 2


_WORDS: dict[str, tuple[str, str]] = {
    "approved": ("Đã phê duyệt và ký bản sao {code}.", "Copy {code} was approved and signed."),
    "already_done": (
        "Bản sao {code} đã được {who} hậu kiểm lúc {at} (GMT+7); không cần ký lại.",
        "Copy {code} was already post-checked by {who} at {at} (GMT+7); nothing to sign.",
    ),
    "already_revoked": (
        "Bản sao {code} đã bị {who} thu hồi lúc {at} (GMT+7); không thể phê duyệt.",
        "Copy {code} was revoked by {who} at {at} (GMT+7); it cannot be approved.",
    ),
    "not_found": ("Không tìm thấy bản sao {code}.", "No copy {code}."),
    "token_unavailable": (
        "Không đọc được thiết bị ký số (token) của cán bộ: thiết bị vắng mặt, bị hỏng hoặc bị khoá. "
        "Bản sao {code} chưa được ký. Việc ký tự hoạt động lại khi thiết bị được khôi phục; hãy báo bộ phận CNTT.",
        "The officer's signing token cannot be read (absent, damaged or locked). Copy {code} was not signed. "
        "Signing resumes by itself once the token is restored; please tell central IT.",
    ),
    "no_key": (
        "Tài khoản này chưa có khoá ký số trên thiết bị ký; bản sao {code} chưa được ký.",
        "This account has no signing key on the token; copy {code} was not signed.",
    ),
    "failed": (
        "Không ký được bản sao {code}. Vui lòng thử lại; nếu vẫn lỗi, hãy báo bộ phận CNTT.",
        "Copy {code} could not be signed. Please try again; if it fails again, tell central IT.",
    ),
}


def _vn_time(stamp: str | None) -> str:
    if not stamp:
        return "?"
    try:
        return datetime.fromisoformat(stamp).astimezone(VN_TIME).strftime("%H:%M %d/%m/%Y")
    except ValueError:
        return "?"


class ApprovalRefused(CopyStateError):
    """An approval that did not happen, with the words an officer reads (``text(lang)``: plain
    Vietnamese or English, never an exception's text). ``outcome``: already_done, already_revoked,
    token_unavailable, no_key or failed."""

    def __init__(self, outcome: str, code: str, *, who: str | None = None, at: str | None = None) -> None:
        self.outcome, self.code, self.who, self.at = outcome, code, who, at
        super().__init__(self.text("en"), subject=code)

    def text(self, lang: str = "vi") -> str:
        vi, en = _WORDS.get(self.outcome, _WORDS["failed"])
        return (en if lang == "en" else vi).format(code=self.code, who=self.who or "?", at=_vn_time(self.at))


@dataclass(frozen=True)
class ApprovalResult:
    """One copy of a batch: ``outcome`` approved, already_done, already_revoked, not_found,
    token_unavailable, no_key or failed; ``state`` the copy's state after it (None when not found)."""

    code: str
    outcome: str
    state: dict[str, Any] | None = None
    refusal: ApprovalRefused | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "approved"

    def text(self, lang: str = "vi") -> str:
        if self.refusal is not None:
            return self.refusal.text(lang)
        vi, en = _WORDS.get(self.outcome, _WORDS["failed"])
        return (en if lang == "en" else vi).format(code=self.code, who="?", at="?")


# --- ward scope ----------------------------------------------------------------------------------------


def acting_user(db: BackendDB, username: str, user: User | None) -> User | None:
    """``user`` when given, else the account named ``username`` (None: no such account)."""
    return user if user is not None else get_user(db, username)


def scope_sql(user: User | None) -> tuple[str, list[Any]]:
    """The WHERE clause (starting with `` AND``) that keeps ``user``'s copies: nothing for city-wide
    roles, the officer's ward, or no copy at all (no user, an officer without a ward)."""
    if user is not None and user.city_wide:
        return "", []
    if user is not None and user.role == "officer" and user.ward:
        return " AND kiosk_ward = ?", [user.ward]
    return " AND 1 = 0", []


def in_scope(db: BackendDB, code: str, user: User | None) -> bool:
    """Does ``code`` exist and may ``user`` see it? (Both answers "no" look alike to the caller.)"""
    if user is None:
        return False
    with db._tx() as cur:
        cur.execute("SELECT kiosk_ward FROM copies WHERE code = ?", (code,))
        row = cur.fetchone()
    return row is not None and sees_ward(user, row[0])


# --- approve -------------------------------------------------------------------------------------------


def _current(db: BackendDB, code: str) -> dict[str, Any] | None:
    with db._tx() as cur:
        cur.execute(
            "SELECT c.status, c.post_checked_by, c.post_checked_at, c.revoked_by, c.revoked_at, c.kiosk_ward,"
            " r.pdf_sha256 FROM copies c JOIN records r ON r.code = c.code WHERE c.code = ?",
            (code,),
        )
        row = cur.fetchone()
    keys = ("status", "post_checked_by", "post_checked_at", "revoked_by", "revoked_at", "kiosk_ward", "pdf")
    return dict(zip(keys, row, strict=True)) if row else None


def _refusal(code: str, now: dict[str, Any] | None) -> ApprovalRefused | CopyNotFound | None:
    """Why ``code`` cannot be approved any more (None: it still awaits post-check)."""
    if now is None:
        return CopyNotFound(f"no copy with code {code!r}")
    if now["status"] == "post_checked":
        return ApprovalRefused("already_done", code, who=now["post_checked_by"], at=now["post_checked_at"])
    if now["status"] == "revoked":
        return ApprovalRefused("already_revoked", code, who=now["revoked_by"], at=now["revoked_at"])
    return None


def _submit(db: BackendDB, code: str, pdf: bytes, officer: User, approver: Approver) -> Future[bytes]:
    def still_wanted() -> str | None:
        refusal = _refusal(code, _current(db, code))
        return None if refusal is None else refusal.__class__.__name__

    submit = getattr(approver, "submit", None)
    if submit is not None:  # the officer token's worker: the check runs right before the signature
        future: Future[bytes] = submit(
            pdf, username=officer.username, full_name=officer.full_name, still_wanted=still_wanted
        )
        return future
    future = Future()
    try:
        if (why := still_wanted()) is not None:
            raise NotWanted(why)
        future.set_result(approver.approve(pdf, username=officer.username, full_name=officer.full_name))
    except BaseException as exc:  # handed to the caller through the future, like the worker does
        future.set_exception(exc)
    return future


def _start(db: BackendDB, code: str, officer: User | None, approver: Approver) -> Future[bytes]:
    """Check, read and queue one copy's signature (raises what refuses it before any signature)."""
    now = _current(db, code)
    if now is None or officer is None or not sees_ward(officer, now["kiosk_ward"]):
        raise CopyNotFound(f"no copy with code {code!r}")  # another ward's copy: as if it did not exist
    if (refusal := _refusal(code, now)) is not None:
        raise refusal
    pdf = db.blobs.get(now["pdf"])
    if pdf is None:
        raise BackendError(f"the PDF of {code!r} is missing from blob storage")
    audit(db, officer.username, "read_pdf", code)
    return _submit(db, code, pdf, officer, approver)


def _finish(db: BackendDB, code: str, officer: User, future: Future[bytes]) -> None:
    """Wait for the signature, store it, then (only then) mark the copy post-checked."""
    try:
        signed = future.result(SIGN_TIMEOUT_S)
    except NotWanted:
        raise _refusal(code, _current(db, code)) or ApprovalRefused("failed", code) from None
    except TokenUnavailable as exc:
        outcome = "no_key" if "key is not on token" in str(exc) else "token_unavailable"
        audit(db, officer.username, "approve_failed", code, outcome)
        raise ApprovalRefused(outcome, code) from None
    except (SigningError, BackendError, TimeoutError) as exc:
        audit(db, officer.username, "approve_failed", code, type(exc).__name__)
        raise ApprovalRefused("failed", code) from None
    sha = hashlib.sha256(signed).hexdigest()
    db.blobs.put(sha, signed)  # fsynced before the row points at it
    with db._tx() as cur:
        cur.execute(
            "UPDATE copies SET status = 'post_checked', post_checked_by = ?, post_checked_at = ?,"
            " approved_sha256 = ? WHERE code = ? AND status = 'issued' RETURNING code",
            (officer.username, datetime.now(UTC).isoformat(), sha, code),
        )
        won = cur.fetchone() is not None
    if not won:  # another backend process approved or revoked it while this one signed
        raise _refusal(code, _current(db, code)) or ApprovalRefused("failed", code)
    audit(db, officer.username, "approve", code)


def approve_one(
    db: BackendDB, code: str, *, username: str, full_name: str, approver: Approver, user: User | None = None
) -> None:
    """Sign ``code`` in the officer's name and mark it post-checked; CopyNotFound (also for another ward's
    copy) or ApprovalRefused otherwise."""
    officer = acting_user(db, username, user)
    if officer is not None and full_name and officer.full_name != full_name:
        officer = User(officer.username, officer.role, full_name, officer.ward)
    future = _start(db, code, officer, approver)
    assert officer is not None
    _finish(db, code, officer, future)


def approve_batch(
    db: BackendDB, codes: Sequence[str], *, user: User, approver: Approver
) -> list[ApprovalResult]:
    """Approve each of ``codes`` (at most MAX_BATCH, duplicates once): all are queued at once, so the token
    signs them back to back with its one unlock; one result per code, in order, states not filled."""
    if len(codes) > MAX_BATCH:
        raise CopyStateError(f"at most {MAX_BATCH} copies in one batch")
    started: list[tuple[str, Future[bytes] | ApprovalResult]] = []
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            continue
        seen.add(code)
        try:
            started.append((code, _start(db, code, user, approver)))
        except CopyNotFound:
            started.append((code, ApprovalResult(code, "not_found", refusal=None)))
        except ApprovalRefused as refused:
            started.append((code, ApprovalResult(code, refused.outcome, refusal=refused)))
        except BackendError:
            started.append((code, ApprovalResult(code, "failed", refusal=ApprovalRefused("failed", code))))
    results = []
    for code, item in started:
        if isinstance(item, ApprovalResult):
            results.append(item)
            continue
        try:
            _finish(db, code, user, item)
            results.append(ApprovalResult(code, "approved"))
        except ApprovalRefused as refused:
            results.append(ApprovalResult(code, refused.outcome, refusal=refused))
        except CopyNotFound:
            results.append(ApprovalResult(code, "not_found"))
    return results
