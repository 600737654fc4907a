"""The copy's access token (issue 22): what a holder of the printed QR may read about the copy, and the
throttle on guessing it.

The QR on every page carries ``/v/{code}?t=TOKEN`` (128 random bits a copy, ``signing.seal_qr``). The kiosk
uploads only the token's SHA-256 (``RecordUpload.access_token_sha256``), so the city keeps nothing that
opens the copy: a token is checked by hashing it and comparing in constant time.

* Without the token anyone reads ``{code, status}`` (``postcheck.public_status``); with it, the record's
  facts (``copy_facts``): kiosk, issue time, pages, document type, seal digest, the public revoke reason,
  and (for the page) the sealed fields and the issued page images.
* Wrong tokens are counted per (code, address) and per code (``TokenLimits``); past a limit the key is
  locked for a while that doubles with each lockout, and while locked even the right token is refused (so
  guessing in parallel gains nothing). Never per address alone: every citizen behind the city's proxy or a
  carrier's NAT shares one, and a sweep over codes gains nothing against 128-bit tokens (the status lookup
  that lists codes has its own throttle). Every attempt is audited (``public:<ip>``).
"""

from __future__ import annotations

import datetime as dt
import hmac
import io
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from pyhanko.pdf_utils.reader import PdfFileReader

from backoffice.services.auth import audit
from backoffice.services.postcheck import REVOKE_REASONS, copy_state
from backoffice.storage.db import BackendDB
from signing.errors import SealFormatError
from signing.kiosk_revocation import KioskRevocations, pdf_seal_signer
from signing.pades import SEAL_KEY
from signing.seal import SealClaims
from signing.seal_qr import access_token_sha256, parse_seal_qr, seal_digest

TOKEN_FORM = re.compile(r"^[a-z2-7]{16,64}$")

_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS access_guard (
        key TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        window_start DOUBLE PRECISION NOT NULL,
        locked_until DOUBLE PRECISION NOT NULL,
        lockouts INTEGER NOT NULL
    )""",
]


@dataclass(frozen=True)
class TokenLimits:
    """Wrong tokens allowed per window before the key is locked, and the first lock's length."""

    per_client: int = 5  # one code, from one address
    per_code: int = 50  # one code, from everyone (a spread-out guess at one copy)
    window_s: float = 3600.0
    lock_s: float = 900.0
    max_lock_s: float = 86_400.0


@dataclass(frozen=True)
class SealView:
    """What the city's copy of the PDF seals: the QR text's digest and the parsed claims (no token), and
    the kiosk certificate that signed it with the latest time the copy claims (for the kiosk revocation
    list: ``seal_revocation``)."""

    digest: str
    claims: SealClaims | None
    signer: x509.Certificate | None = None
    sealed_at: dt.datetime | None = None


@dataclass
class TokenBook:
    """Token checks and the wrong-token guard, in the backend's database (shared by every process)."""

    db: BackendDB
    limits: TokenLimits = field(default_factory=TokenLimits)
    _seals: OrderedDict[str, SealView] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        with self.db._tx() as cur:
            for statement in _SCHEMA:
                cur.execute(
                    statement if self.db.is_postgres else statement.replace("DOUBLE PRECISION", "REAL")
                )

    # -- the record's token hash and seal

    def token_hash(self, code: str) -> str | None:
        body = self.db.record_body(code)
        value = body.get("access_token_sha256") if body else None
        return str(value) if value else None

    def seal(self, code: str) -> SealView | None:
        """The seal of the city's PDF of ``code`` (cached: a stored copy's seal never changes)."""
        with self._lock:
            if code in self._seals:
                self._seals.move_to_end(code)
                return self._seals[code]
        pdf = self._pdf(code)
        text = self._seal_text_of(pdf) if pdf is not None else None
        if pdf is None or text is None:
            return None
        try:
            claims: SealClaims | None = parse_seal_qr(text)
        except SealFormatError:
            claims = None
        signer = pdf_seal_signer(pdf)
        view = SealView(seal_digest(text), claims, *(signer or (None, None)))
        with self._lock:
            self._seals[code] = view
            while len(self._seals) > 2048:
                self._seals.popitem(last=False)
        return view

    def _pdf(self, code: str) -> bytes | None:
        record = self.db.get_record(code)
        return self.db.blobs.get(record["pdf_sha256"]) if record else None

    def seal_text(self, code: str) -> str | None:
        pdf = self._pdf(code)
        return self._seal_text_of(pdf) if pdf is not None else None

    @staticmethod
    def _seal_text_of(pdf: bytes) -> str | None:
        try:
            value = PdfFileReader(io.BytesIO(pdf), strict=False).root.get(SEAL_KEY)
        except Exception:
            return None
        return str(value) if value is not None else None

    # -- the guard

    def _keys(self, code: str, ip: str) -> list[tuple[str, int]]:
        lim = self.limits
        return [
            (f"tok:{code}:{ip}", lim.per_client),
            (f"tok:{code}", lim.per_code),
        ]

    def locked_for(self, keys: list[str], now: float | None = None) -> float:
        now = time.time() if now is None else now
        wait = 0.0
        with self.db._tx() as cur:
            for key in keys:
                cur.execute("SELECT locked_until FROM access_guard WHERE key = ?", (key,))
                row = cur.fetchone()
                if row is not None:
                    wait = max(wait, float(row[0]) - now)
        return max(0.0, wait)

    def _fail(self, key: str, limit: int, now: float) -> None:
        lim = self.limits
        with self.db._tx() as cur:
            cur.execute(
                "INSERT INTO access_guard(key, failures, window_start, locked_until, lockouts)"
                " VALUES (?, 0, ?, 0, 0) ON CONFLICT (key) DO NOTHING",
                (key, now),
            )
            select = "SELECT failures, window_start, lockouts FROM access_guard WHERE key = ?"
            cur.execute(select + (" FOR UPDATE" if self.db.is_postgres else ""), (key,))
            failures, start, lockouts = cur.fetchone()
            failures, start, lockouts = int(failures), float(start), int(lockouts)
            if now - start > lim.window_s:
                failures, start = 0, now
            failures += 1
            locked_until = 0.0
            if failures >= limit:
                locked_until = now + min(lim.max_lock_s, lim.lock_s * 2 ** min(lockouts, 16))
                failures, start, lockouts = 0, now, lockouts + 1
            cur.execute(
                "UPDATE access_guard SET failures = ?, window_start = ?, lockouts = ?,"
                " locked_until = CASE WHEN ? > locked_until THEN ? ELSE locked_until END WHERE key = ?",
                (failures, start, lockouts, locked_until, locked_until, key),
            )

    def attempt(self, code: str, token: str, ip: str) -> str:
        """One token try for ``code``: "granted", "refused" or "locked:<seconds>". Counted, and audited."""
        now = time.time()
        keys = self._keys(code, ip)
        actor = f"public:{ip}"
        wait = self.locked_for([k for k, _ in keys], now)
        if wait > 0:
            audit(self.db, actor, "copy.token_refused", code, "locked out")
            return f"locked:{int(wait) + 1}"
        stored = self.token_hash(code) if TOKEN_FORM.fullmatch(token) else None
        given = access_token_sha256(token) if token else ""
        # compare_digest on equal-length strings: a wrong token costs the same time however close it is.
        if stored is not None and hmac.compare_digest(given.encode(), stored.encode()):
            audit(self.db, actor, "copy.token_granted", code, "")
            return "granted"
        for key, limit in keys:
            self._fail(key, limit, now)
        audit(self.db, actor, "copy.token_refused", code, "wrong token" if token else "no token")
        return "refused"


def seal_revocation(book: TokenBook, code: str, revocations: KioskRevocations | None) -> str | None:
    """Why the stored copy's seal is void under the kiosk revocation list (its kiosk certificate revoked
    from a time at or before the copy's), or None. A copy stored before the revocation is caught here too:
    the list is applied when the copy is shown, not only at upload."""
    if revocations is None or not revocations.entries:
        return None
    seal = book.seal(code)
    if seal is None or seal.signer is None:
        return None
    return revocations.problem(seal.signer, seal.sealed_at or dt.datetime.now(dt.UTC))


def reason_labels(key: str | None) -> dict[str, str] | None:
    return REVOKE_REASONS.get(key) if key else None


def copy_facts(book: TokenBook, code: str) -> dict[str, Any] | None:
    """What a holder of the token (or a kiosk over mTLS) may know about ``code``: the facts a verifier
    compares with its QR, the status and the public revoke reason. No personal data."""
    state = copy_state(book.db, code)
    if state is None:
        return None
    seal = book.seal(code)
    reason = state.get("revoked_reason_code") or ("other_reason" if state["status"] == "revoked" else None)
    return {
        "code": state["code"],
        "status": state["status"],
        "kiosk_id": state["kiosk_id"],
        "issued_at": _utc_seconds(state["issued_at"]),
        "doc_type": state["doc_type"],
        "pages": state["pages"],
        "seal_digest": seal.digest if seal else None,
        "revoked_reason": reason,
        "revoked_reason_label": reason_labels(reason),
    }


def _utc_seconds(text: str) -> str:
    moment = dt.datetime.fromisoformat(str(text))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat()
