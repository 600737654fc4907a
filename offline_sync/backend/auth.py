"""Staff accounts of the back office: roles, argon2id password hashes, server-side sessions, CSRF tokens,
lockout after failed logins, and the audit trail of every read of a citizen's copy.

* Roles: ``officer`` (judicial officer: post-check), ``it`` (central IT: operations), ``admin``.
* A session is a random 256-bit id in an HttpOnly, Secure, SameSite=Strict cookie; the database keeps only
  its sha256, its user, its CSRF token and its expiry. Logging in always starts a new session (the id
  shown before login is dropped: no session fixation); logging out deletes it.
* ``LOCKOUT_AFTER`` failed passwords in a row lock the account for ``LOCKOUT_SECONDS``; a wrong password
  and an unknown user answer the same, after the same argon2 work.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from offline_sync.errors import BackendError

if TYPE_CHECKING:
    from offline_sync.backend.db import BackendDB

ROLES = ("officer", "it", "admin")
LOCKOUT_AFTER = 5
LOCKOUT_SECONDS = 15 * 60
SESSION_SECONDS = 8 * 3600
ANON_SESSION_SECONDS = 3600
MIN_PASSWORD = 10
COOKIE = "kb_session"

_hasher = PasswordHasher()
# Verified against when the user does not exist, so both answers take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def _now() -> datetime:
    return datetime.now(UTC)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("ascii", "replace")).hexdigest()


@dataclass(frozen=True)
class User:
    username: str
    role: str
    full_name: str


@dataclass(frozen=True)
class Session:
    id: str  # the raw id (cookie value); never stored
    user: User | None
    csrf: str

    def csrf_ok(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf.encode(), str(token).encode())


class BadAccount(BackendError):
    """An account that cannot be made as asked (name, role, password too short)."""

    exit_code = 2


class LoginRefused(Exception):
    """Wrong user or password, or a locked account; ``locked_until`` is set when it is locked."""

    def __init__(self, locked_until: datetime | None = None) -> None:
        super().__init__("locked" if locked_until else "wrong user name or password")
        self.locked_until = locked_until


def valid_username(name: str) -> bool:
    return 1 <= len(name) <= 64 and all(c.isalnum() or c in "._-" for c in name) and name.isascii()


def add_user(db: BackendDB, username: str, password: str, role: str, full_name: str = "") -> None:
    """Create or replace an account (a replaced password also unlocks it)."""
    if not valid_username(username):
        raise BadAccount("a user name is 1-64 letters, digits, '.', '_' or '-'", subject=username)
    if role not in ROLES:
        raise BadAccount(f"role must be one of {', '.join(ROLES)}", subject=role)
    if len(password) < MIN_PASSWORD:
        raise BadAccount(f"the password must have at least {MIN_PASSWORD} characters", subject=username)
    pw_hash = _hasher.hash(password)
    with db._tx() as cur:
        cur.execute(
            "INSERT INTO users(username, role, full_name, pw_hash, created_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (username) DO UPDATE SET role = excluded.role, full_name = excluded.full_name,"
            " pw_hash = excluded.pw_hash, failed = 0, locked_until = NULL",
            (username, role, full_name or username, pw_hash, _now().isoformat()),
        )


def get_user(db: BackendDB, username: str) -> User | None:
    with db._tx() as cur:
        cur.execute(
            "SELECT username, role, full_name FROM users WHERE username = ? AND disabled = 0", (username,)
        )
        row = cur.fetchone()
    return User(*row) if row else None


def authenticate(db: BackendDB, username: str, password: str) -> User:
    """The user when the password is right and the account is not locked; else LoginRefused."""
    now = _now()
    with db._tx() as cur:
        cur.execute(
            "SELECT username, role, full_name, pw_hash, failed, locked_until FROM users"
            " WHERE username = ? AND disabled = 0",
            (username,),
        )
        row = cur.fetchone()
    if row is None:
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        raise LoginRefused()
    locked_until = datetime.fromisoformat(row[5]) if row[5] else None
    if locked_until is not None and locked_until > now:
        raise LoginRefused(locked_until)
    ok: bool
    try:
        ok = bool(_hasher.verify(row[3], password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    with db._tx() as cur:
        if ok:
            cur.execute("UPDATE users SET failed = 0, locked_until = NULL WHERE username = ?", (username,))
            if _hasher.check_needs_rehash(row[3]):
                cur.execute(
                    "UPDATE users SET pw_hash = ? WHERE username = ?", (_hasher.hash(password), username)
                )
            return User(row[0], row[1], row[2])
        failed = int(row[4]) + 1
        until = (now + timedelta(seconds=LOCKOUT_SECONDS)).isoformat() if failed >= LOCKOUT_AFTER else None
        cur.execute(
            "UPDATE users SET failed = ?, locked_until = ? WHERE username = ?",
            (0 if until else failed, until, username),
        )
    audit(db, username, "login_locked" if until else "login_failed")
    raise LoginRefused(datetime.fromisoformat(until) if until else None)


# --- sessions -----------------------------------------------------------------------------------------


def new_session(db: BackendDB, user: User | None) -> Session:
    """A fresh session (anonymous for the login form's CSRF token, or a logged-in user's)."""
    session_id = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = _now()
    ttl = SESSION_SECONDS if user else ANON_SESSION_SECONDS
    with db._tx() as cur:
        cur.execute("DELETE FROM sessions WHERE expires_at < ?", (now.isoformat(),))
        cur.execute(
            "INSERT INTO sessions(id, username, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            (
                _digest(session_id),
                user.username if user else None,
                csrf,
                now.isoformat(),
                (now + timedelta(seconds=ttl)).isoformat(),
            ),
        )
    return Session(session_id, user, csrf)


def load_session(db: BackendDB, session_id: str | None) -> Session | None:
    if not session_id or len(session_id) > 128:
        return None
    with db._tx() as cur:
        cur.execute(
            "SELECT s.username, s.csrf, s.expires_at, u.role, u.full_name FROM sessions s"
            " LEFT JOIN users u ON u.username = s.username AND u.disabled = 0 WHERE s.id = ?",
            (_digest(session_id),),
        )
        row = cur.fetchone()
    if row is None or datetime.fromisoformat(row[2]) < _now():
        return None
    if row[0] is not None and row[3] is None:  # the user was removed or disabled
        return None
    user = User(row[0], row[3], row[4]) if row[0] is not None else None
    return Session(session_id, user, row[1])


def end_session(db: BackendDB, session_id: str) -> None:
    with db._tx() as cur:
        cur.execute("DELETE FROM sessions WHERE id = ?", (_digest(session_id),))


def cookie_options(secure: bool = True) -> dict[str, Any]:
    return {"httponly": True, "secure": secure, "samesite": "strict", "path": "/"}


# --- audit ---------------------------------------------------------------------------------------------


def audit(db: BackendDB, actor: str, action: str, code: str | None = None, detail: str = "") -> None:
    """One line in the audit trail: who, when, what, which copy."""
    with db._tx() as cur:
        cur.execute(
            "INSERT INTO audit(id, at, actor, action, code, detail) VALUES (?, ?, ?, ?, ?, ?)",
            (secrets.token_hex(16), _now().isoformat(), actor, action, code, detail[:500]),
        )


def audit_trail(db: BackendDB, code: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    with db._tx() as cur:
        if code is None:
            cur.execute(
                "SELECT at, actor, action, code, detail FROM audit ORDER BY at DESC LIMIT ?", (limit,)
            )
        else:
            cur.execute(
                "SELECT at, actor, action, code, detail FROM audit WHERE code = ? ORDER BY at DESC LIMIT ?",
                (code, limit),
            )
        rows = cur.fetchall()
    return [dict(zip(("at", "actor", "action", "code", "detail"), r, strict=True)) for r in rows]
