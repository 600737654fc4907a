"""Staff accounts of the back office: roles, argon2id password hashes, server-side sessions, CSRF tokens,
lockout after failed logins, and the audit trail of every read of a citizen's copy.

* Roles: ``officer`` (judicial officer: post-check of the copies of their own ward), ``supervisor``
  (city-wide post-check: every ward), ``it`` (central IT: operations), ``admin``. An officer account has a
  ward; an officer without one sees no copy (fail closed). A copy's ward is its kiosk's (``kiosk_wards``,
  set by ``kiosk-backend kiosk set-ward``), never what the kiosk writes in its record.
* A session is a random 256-bit id in an HttpOnly, Secure, SameSite=Strict cookie; the database keeps only
  its sha256, its user, its CSRF token and its expiry. Logging in always starts a new session (the id
  shown before login is dropped: no session fixation); logging out deletes it.
* Failed logins are counted per (account, client address): after ``LOCKOUT_AFTER`` failures in a row
  from one address, that address waits before its next try for that account, a wait that doubles with
  each further failure (``SLOWDOWN_FIRST_S`` up to ``SLOWDOWN_MAX_S``). Nobody else is slowed down: a
  stranger's wrong passwords never lock the officer out from the officer's own address (issue 24). A
  wrong password and an unknown user answer the same, after the same argon2 work.
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

ROLES = ("officer", "supervisor", "it", "admin")
CITY_WIDE_ROLES = ("supervisor", "admin")  # they see every ward's copies
LOCKOUT_AFTER = 5
LOCKOUT_SECONDS = 15 * 60  # the longest slow-down (kept under its old name for callers)
SLOWDOWN_FIRST_S = 30.0
SLOWDOWN_MAX_S = float(LOCKOUT_SECONDS)
MAX_WARD = 100
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
    ward: str | None = None  # an officer's ward; None for the city-wide roles

    @property
    def city_wide(self) -> bool:
        return self.role in CITY_WIDE_ROLES


# Who acts when `kiosk-backend revoke` runs without an account's name: the server's operator (root on the
# city's server, who could change the database anyway), city-wide.
OPERATOR = User("cli", "supervisor", "kiosk-backend (server operator)")


def sees_ward(user: User, ward: str | None) -> bool:
    """May ``user`` see and act on a copy of ``ward``? City-wide roles: always. An officer: only their own
    ward, and never a copy whose ward is unknown or an officer without a ward (fail closed)."""
    if user.city_wide:
        return True
    return user.role == "officer" and bool(user.ward) and bool(ward) and ward == user.ward


def normalize_ward(ward: str | None) -> str | None:
    """A ward's one spelling (NFC, single spaces); None for none."""
    text = " ".join(unicodedata.normalize("NFC", str(ward or "")).split())
    return text or None


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


def add_user(
    db: BackendDB, username: str, password: str, role: str, full_name: str = "", *, ward: str | None = None
) -> None:
    """Create or replace an account. Replacing the password also unlocks it and ends its sessions (a
    session opened with a leaked password does not outlive the reset). ``ward``: an officer's ward (kept
    when a replacement gives none); a city-wide role has none."""
    username = normalize_username(username)
    ward = normalize_ward(ward)
    if ward is not None and len(ward) > MAX_WARD:
        raise BadAccount(f"a ward name has at most {MAX_WARD} characters", subject=username)
    if ward is not None and role != "officer":
        raise BadAccount("only an officer account has a ward (a supervisor sees every ward)", subject=role)
    if not valid_username(username):
        raise BadAccount("a user name is 1-64 letters, digits, '.', '_' or '-'", subject=username)
    if role not in ROLES:
        raise BadAccount(f"role must be one of {', '.join(ROLES)}", subject=role)
    if len(password) < MIN_PASSWORD:
        raise BadAccount(f"the password must have at least {MIN_PASSWORD} characters", subject=username)
    pw_hash = _hasher.hash(password)
    with db._tx() as cur:
        cur.execute(
            "INSERT INTO users(username, role, full_name, pw_hash, created_at, ward) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (username) DO UPDATE SET role = excluded.role, full_name = excluded.full_name,"
            " pw_hash = excluded.pw_hash, failed = 0, locked_until = NULL,"
            " ward = CASE WHEN excluded.role = 'officer' THEN COALESCE(excluded.ward, users.ward) END",
            (username, role, full_name or username, pw_hash, _now().isoformat(), ward),
        )
        cur.execute("DELETE FROM sessions WHERE username = ?", (username,))
        cur.execute("DELETE FROM login_guard WHERE name = ?", (username,))
        cur.execute("DELETE FROM login_throttle WHERE account = ?", (username,))


def get_user(db: BackendDB, username: str) -> User | None:
    with db._tx() as cur:
        cur.execute(
            "SELECT username, role, full_name, ward FROM users WHERE username = ? AND disabled = 0",
            (normalize_username(username),),
        )
        row = cur.fetchone()
    return User(*row) if row else None


def slowdown_s(failed: int) -> float:
    """The wait after ``failed`` failures in a row from one address (0 below ``LOCKOUT_AFTER``)."""
    if failed < LOCKOUT_AFTER:
        return 0.0
    return min(SLOWDOWN_MAX_S, SLOWDOWN_FIRST_S * 2 ** min(failed - LOCKOUT_AFTER, 16))


def _reserve_attempt(db: BackendDB, name: str, address: str, now: datetime) -> tuple[bool, datetime | None]:
    """Count one login attempt for (``name``, ``address``) *before* its password is checked, the row
    locked while it is counted (guesses in flight cannot all read "0 failures"). Returns (may the password
    be checked, the time until which this address must wait for this account)."""
    stamp = now.isoformat()
    with db._tx() as cur:
        cur.execute(
            "INSERT INTO login_throttle(account, address, failed, wait_until, last_at) VALUES (?, ?, 0, NULL, ?)"
            " ON CONFLICT (account, address) DO NOTHING",
            (name, address, stamp),
        )
        select = "SELECT failed, wait_until FROM login_throttle WHERE account = ? AND address = ?"
        cur.execute(select + (" FOR UPDATE" if db.is_postgres else ""), (name, address))
        failed, wait_until = cur.fetchone()
        until = datetime.fromisoformat(wait_until) if wait_until else None
        if until is not None and until > now:
            return False, until  # still waiting: not counted, not checked
        failed = int(failed) + 1
        # From the LOCKOUT_AFTER-th try on, the wait starts now (before the check), so a parallel guess
        # cannot slip in while this one is being checked; a right password clears it.
        wait = slowdown_s(failed)
        until = now + timedelta(seconds=wait) if wait else None
        cur.execute(
            "UPDATE login_throttle SET failed = ?, wait_until = ?, last_at = ? WHERE account = ? AND address = ?",
            (failed, until.isoformat() if until else None, stamp, name, address),
        )
        cur.execute("DELETE FROM login_throttle WHERE last_at < ?", ((now - timedelta(days=1)).isoformat(),))
    return True, until


def _burn(password: str) -> None:
    """The same argon2 work as a real check, for an answer that is already decided."""
    try:
        _hasher.verify(_DUMMY_HASH, password)
    except VerificationError:
        pass


def authenticate(db: BackendDB, username: str, password: str, address: str = "") -> User:
    """The user when the password is right and (name, ``address``) is not waiting; else LoginRefused.

    ``address``: the client's address (the real client's, behind a trusted proxy). Every answer (unknown
    name, wrong password, waiting) costs one argon2 verification, and unknown names are counted and slowed
    like real ones: neither the time nor the "wait" message tells an attacker which accounts exist."""
    now = _now()
    name = normalize_username(username)
    address = str(address or "")[:64]
    may_check, wait_until = _reserve_attempt(db, name, address, now)
    if not may_check:
        _burn(password)
        raise LoginRefused(wait_until)
    with db._tx() as cur:
        cur.execute(
            "SELECT username, role, full_name, pw_hash, ward FROM users WHERE username = ? AND disabled = 0",
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
            cur.execute("DELETE FROM login_throttle WHERE account = ? AND address = ?", (name, address))
            if _hasher.check_needs_rehash(row[3]):
                cur.execute("UPDATE users SET pw_hash = ? WHERE username = ?", (_hasher.hash(password), name))
        return User(row[0], row[1], row[2], row[4])
    if row is not None:  # an unknown name is not written to the audit (it may be a mistyped password)
        audit(db, name, "login_locked" if wait_until else "login_failed", detail=f"from {address or '?'}")
    raise LoginRefused(wait_until)


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
            "SELECT s.username, s.csrf, s.expires_at, u.role, u.full_name, u.ward FROM sessions s"
            " LEFT JOIN users u ON u.username = s.username AND u.disabled = 0 WHERE s.id = ?",
            (_digest(session_id),),
        )
        row = cur.fetchone()
    if row is None or datetime.fromisoformat(row[2]) < _now():
        return None
    if row[0] is not None and row[3] is None:  # the user was removed or disabled
        return None
    user = User(row[0], row[3], row[4], row[5]) if row[0] is not None else None
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
