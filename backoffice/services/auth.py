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
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from offline_sync.protocol.errors import BackendError

if TYPE_CHECKING:
    from backoffice.storage.db import BackendDB

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


def normalize_username(name: str) -> str:
    """The one spelling of a user name: NFKC (full-width letters fold to ASCII), trimmed, lower case.
    Login, lockout and account creation all use it, so "Hoa.NT" or "ｈｏａ.ｎｔ" are the same account and
    the same lockout counter as "hoa.nt"."""
    return unicodedata.normalize("NFKC", str(name)).strip().lower()


def valid_username(name: str) -> bool:
    return 1 <= len(name) <= 64 and all(c.isalnum() or c in "._-" for c in name) and name.isascii()


def add_user(db: BackendDB, username: str, password: str, role: str, full_name: str = "") -> None:
    """Create or replace an account. Replacing the password also unlocks it and ends its sessions (a
    session opened with a leaked password does not outlive the reset)."""
    username = normalize_username(username)
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
        cur.execute("DELETE FROM sessions WHERE username = ?", (username,))
        cur.execute("DELETE FROM login_guard WHERE name = ?", (username,))


def get_user(db: BackendDB, username: str) -> User | None:
    with db._tx() as cur:
        cur.execute(
            "SELECT username, role, full_name FROM users WHERE username = ? AND disabled = 0",
            (normalize_username(username),),
        )
        row = cur.fetchone()
    return User(*row) if row else None


def _reserve_attempt(db: BackendDB, name: str, now: datetime) -> tuple[int, datetime | None]:
    """Count one login attempt for ``name`` *before* its password is checked, in one atomic statement
    (several guesses in flight cannot all read "0 failures"). Returns (attempt number in this window,
    the lock's end when the name is locked)."""
    stamp = now.isoformat()
    with db._tx() as cur:
        cur.execute(
            "INSERT INTO login_guard(name, failed, locked_until, last_at) VALUES (?, 1, NULL, ?)"
            " ON CONFLICT (name) DO UPDATE SET"
            " failed = CASE WHEN login_guard.locked_until IS NOT NULL AND login_guard.locked_until <= ?"
            " THEN 1 ELSE login_guard.failed + 1 END,"
            " locked_until = CASE WHEN login_guard.locked_until IS NOT NULL AND login_guard.locked_until <= ?"
            " THEN NULL ELSE login_guard.locked_until END, last_at = excluded.last_at"
            " RETURNING failed, locked_until",
            (name, stamp, stamp, stamp),
        )
        failed, locked = cur.fetchone()
        if locked is None and int(failed) > LOCKOUT_AFTER:  # guesses raced past the limit: lock now
            locked = (now + timedelta(seconds=LOCKOUT_SECONDS)).isoformat()
            cur.execute("UPDATE login_guard SET locked_until = ? WHERE name = ?", (locked, name))
        cur.execute("DELETE FROM login_guard WHERE last_at < ?", ((now - timedelta(days=1)).isoformat(),))
    return int(failed), datetime.fromisoformat(locked) if locked else None


def _burn(password: str) -> None:
    """The same argon2 work as a real check, for an answer that is already decided."""
    try:
        _hasher.verify(_DUMMY_HASH, password)
    except VerificationError:
        pass


def authenticate(db: BackendDB, username: str, password: str) -> User:
    """The user when the password is right and the name is not locked; else LoginRefused.

    Every answer (unknown name, wrong password, locked) costs one argon2 verification, and unknown names
    are counted and locked like real ones: neither the time nor the "locked" message tells an attacker
    which accounts exist."""
    now = _now()
    name = normalize_username(username)
    attempt, locked_until = _reserve_attempt(db, name, now)
    if locked_until is not None and locked_until > now:
        _burn(password)
        raise LoginRefused(locked_until)
    with db._tx() as cur:
        cur.execute(
            "SELECT username, role, full_name, pw_hash FROM users WHERE username = ? AND disabled = 0",
            (name,),
        )
        row = cur.fetchone()
    ok = False
    if row is None:
        _burn(password)
    else:
        try:
            ok = bool(_hasher.verify(row[3], password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
    if ok:
        with db._tx() as cur:
            cur.execute("DELETE FROM login_guard WHERE name = ?", (name,))
            if _hasher.check_needs_rehash(row[3]):
                cur.execute("UPDATE users SET pw_hash = ? WHERE username = ?", (_hasher.hash(password), name))
        return User(row[0], row[1], row[2])
    until = None
    if attempt >= LOCKOUT_AFTER:
        until = now + timedelta(seconds=LOCKOUT_SECONDS)
        with db._tx() as cur:
            cur.execute(
                "UPDATE login_guard SET locked_until = ? WHERE name = ? AND locked_until IS NULL",
                (until.isoformat(), name),
            )
    if row is not None:  # an unknown name is not written to the audit (it may be a mistyped password)
        audit(db, name, "login_locked" if until else "login_failed")
    raise LoginRefused(until)


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
