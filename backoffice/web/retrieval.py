"""Retrieval with a secret: the holder downloads their copy again from the public listener with the copy's
code plus the retrieval secret printed on the receipt. The code alone never gives the PDF.

* The kiosk syncs only a scrypt hash of the secret (offline_sync/protocol/citizen.py); an ingest hook keeps it in
  `retrieval_hashes`. The backend never sees the secret until the holder types it.
* `GET /r` and `GET /r/{code}`: the form (Vietnamese, `?lang=en`). The receipt's QR opens
  `/r/{code}#s=SECRET`: the fragment never reaches the server or a proxy log, and `/static/retrieve.js`
  (same origin, CSP `script-src 'self'`) copies it into the form. `POST /r` (fields `code`, `secret`)
  answers the PDF, or one page that does not say which of the two was wrong.
* Wrong secrets are counted per (code, client address) and per code from everyone in `retrieval_guard`
  (backoffice/services/throttle.py, shared by every backend process on the database): past the limit that
  address waits before trying that code again (the wait doubles with each lockout), and past a much higher
  limit the code waits for everyone, briefly. Never per address alone: 20 wrong secrets from the city's
  proxy address do not lock out every citizen behind it (issue 24). While a key waits, even the right
  secret is refused, so guessing gains nothing. Every attempt, granted or refused, goes to the audit trail
  (who: `public:<ip>`, which copy, why).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backoffice.api.kiosk_app import HttpProblem
from backoffice.services import auth
from backoffice.services.throttle import SecretThrottle, ThrottleLimits
from backoffice.storage.db import BackendDB
from backoffice.web.common import SECURITY_HEADERS, Web
from offline_sync.protocol import IngestResult, RecordUpload
from offline_sync.protocol.citizen import hash_retrieval_secret, normalize_secret, verify_retrieval_secret

log = logging.getLogger(__name__)

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# Verified against when a code has no hash (unknown code), so both answers cost the same scrypt work.
_DUMMY_HASH = hash_retrieval_secret("0000000000", "dummy")

_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS retrieval_hashes (
        code TEXT PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        secret_hash TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS retrieval_guard (
        key TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        window_start DOUBLE PRECISION NOT NULL,
        locked_until DOUBLE PRECISION NOT NULL,
        lockouts INTEGER NOT NULL
    )""",
]

TEXT = {
    "vi": {
        "title": "Tải lại bản sao chứng thực",
        "intro": "Nhập mã bản sao và mã bí mật in trên biên nhận.",
        "code": "Mã bản sao",
        "secret": "Mã bí mật (XXXXX-XXXXX)",
        "submit": "Tải bản sao (PDF)",
        "refused": "Mã bản sao hoặc mã bí mật không đúng.",
        "locked": "Nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.",
        "revoked": "Bản sao này đã bị thu hồi và không thể tải lại.",
        "missing": "Bản sao chưa sẵn sàng để tải. Vui lòng thử lại sau.",
    },
    "en": {
        "title": "Download your certified copy again",
        "intro": "Type the copy code and the secret printed on your receipt.",
        "code": "Copy code",
        "secret": "Secret (XXXXX-XXXXX)",
        "submit": "Download the copy (PDF)",
        "refused": "The copy code or the secret is wrong.",
        "locked": "Too many wrong attempts. Please try again in {minutes} min.",
        "revoked": "This copy was revoked and cannot be downloaded.",
        "missing": "The copy is not ready to download yet. Please try again later.",
    },
}

PREFILL_JS = """// Copies the secret from the address's fragment (#s=...) into the form; the fragment is never sent.
(function () {
  var m = /[#&]s=([0-9A-Za-z-]{1,20})/.exec(window.location.hash || "");
  var field = document.getElementById("secret");
  if (m && field) { field.value = m[1]; history.replaceState(null, "", window.location.pathname); }
})();
"""


@dataclass(frozen=True)
class GuardLimits:
    """Wrong secrets allowed per window: ``code_failures`` for one code from one address (then that address
    waits ``code_lock_s``, doubling), ``shared_code_failures`` for one code from everyone (then the code
    waits ``shared_code_lock_s``, doubling up to ``max_shared_lock_s``)."""

    code_failures: int = 5
    shared_code_failures: int = 50
    window_s: float = 3600.0
    code_lock_s: float = 900.0
    shared_code_lock_s: float = 300.0
    max_lock_s: float = 86_400.0
    max_shared_lock_s: float = 3600.0

    def throttle_limits(self) -> ThrottleLimits:
        return ThrottleLimits(
            per_client=self.code_failures,
            per_code=self.shared_code_failures,
            window_s=self.window_s,
            client_wait_s=self.code_lock_s,
            code_wait_s=self.shared_code_lock_s,
            max_wait_s=self.max_lock_s,
            max_code_wait_s=self.max_shared_lock_s,
        )


class RetrievalBook:
    """The secrets' hashes and the wrong-secret counters, in the backend's database."""

    def __init__(self, db: BackendDB, limits: GuardLimits | None = None) -> None:
        self.db = db
        self.limits = limits or GuardLimits()
        with db._tx() as cur:
            for statement in _SCHEMA:
                cur.execute(statement if db.is_postgres else statement.replace("DOUBLE PRECISION", "REAL"))
        self.throttle = SecretThrottle(db, "retrieval_guard", self.limits.throttle_limits())

    def record_hashes(self, records: Sequence[RecordUpload], results: Sequence[IngestResult]) -> int:
        """Ingest hook: keep the hash of each stored record's secret (idempotent, also on a replay)."""
        added = 0
        wanted = [
            r for r, res in zip(records, results, strict=True) if res.status == 201 and r.retrieval_hash
        ]
        if not wanted:
            return 0
        with self.db._tx() as cur:
            for rec in wanted:
                cur.execute(
                    "INSERT INTO retrieval_hashes(code, kiosk_id, secret_hash) VALUES (?, ?, ?)"
                    " ON CONFLICT (code) DO NOTHING RETURNING code",
                    (rec.code, rec.kiosk_id, rec.retrieval_hash),
                )
                added += cur.fetchone() is not None
        return added

    def secret_hash(self, code: str) -> str | None:
        with self.db._tx() as cur:
            cur.execute("SELECT secret_hash FROM retrieval_hashes WHERE code = ?", (code,))
            row = cur.fetchone()
        return str(row[0]) if row else None

    # -- guard
    def attempt(self, code: str, typed: str, ip: str) -> str:
        """One try: "granted", "locked:<seconds>" or "refused". Counts and slows down; does not audit."""

        def right() -> bool:
            stored = self.secret_hash(code)
            return verify_retrieval_secret(typed, code, stored or _DUMMY_HASH) and stored is not None

        verdict = self.throttle.attempt(code, ip, right)
        if verdict.reason == "slowed":
            return f"locked:{int(verdict.wait_s) + 1}"
        return "granted" if verdict.ok else "refused"

    def guard_rows(self, limit: int = 100) -> list[dict[str, Any]]:
        """Locked or failing keys, for the operations dashboard."""
        with self.db._tx() as cur:
            cur.execute(
                "SELECT key, failures, locked_until, lockouts FROM retrieval_guard"
                " WHERE failures > 0 OR locked_until > ? ORDER BY locked_until DESC LIMIT ?",
                (time.time(), limit),
            )
            keys = ("key", "failures", "locked_until", "lockouts")
            return [dict(zip(keys, row, strict=True)) for row in cur.fetchall()]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "?"


def retrieval_routes(web: Web, book: RetrievalBook) -> list[Route]:
    db = web.db
    script_headers = {
        **SECURITY_HEADERS,
        "Content-Security-Policy": SECURITY_HEADERS["Content-Security-Policy"] + "; script-src 'self'",
    }

    def page(request: Request, status: int, *, code: str = "", message: str = "") -> Response:
        lang = web.lang(request)
        response = web.render(
            request, "retrieve.html", status, lang=lang, r=TEXT[lang], code=code, message=message
        )
        response.headers["Content-Security-Policy"] = script_headers["Content-Security-Policy"]
        return response

    async def form_page(request: Request) -> Response:
        code = str(request.path_params.get("code", "")).strip().upper()
        return page(request, 200, code=code if _CODE.fullmatch(code) else "")

    async def retrieve(request: Request) -> Response:
        try:
            form = await web.form(request)
        except HttpProblem as exc:
            return page(request, exc.status, message=exc.error)
        text = TEXT[web.lang(request)]
        code = form.get("code", "").strip().upper()
        typed = form.get("secret", "")
        ip = client_ip(request)
        actor = f"public:{ip}"
        if not _CODE.fullmatch(code):
            await run_in_threadpool(auth.audit, db, actor, "copy.retrieve_refused", None, "malformed code")
            return page(request, 403, message=text["refused"])
        if normalize_secret(typed) is None:
            # Not even of the secret's form: refused without spending scrypt, but counted all the same.
            outcome = await run_in_threadpool(book.attempt, code, "", ip)
        else:
            outcome = await run_in_threadpool(book.attempt, code, typed, ip)
        if outcome.startswith("locked:"):
            seconds = int(outcome.split(":", 1)[1])
            await run_in_threadpool(auth.audit, db, actor, "copy.retrieve_refused", code, "locked out")
            response = page(request, 429, code=code, message=text["locked"].format(minutes=-(-seconds // 60)))
            response.headers["Retry-After"] = str(seconds)
            return response
        if outcome != "granted":
            await run_in_threadpool(auth.audit, db, actor, "copy.retrieve_refused", code, "wrong secret")
            return page(request, 403, code=code, message=text["refused"])
        found = await run_in_threadpool(db.get_record, code)
        if found is not None and found.get("status") == "revoked":
            await run_in_threadpool(auth.audit, db, actor, "copy.retrieve_refused", code, "revoked")
            return page(request, 410, code=code, message=text["revoked"])
        pdf = await run_in_threadpool(db.blobs.get, found["pdf_sha256"]) if found else None
        if pdf is None:
            await run_in_threadpool(auth.audit, db, actor, "copy.retrieve_refused", code, "pdf missing")
            return page(request, 404, code=code, message=text["missing"])
        await run_in_threadpool(auth.audit, db, actor, "copy.retrieved", code, "code and secret")
        headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{code}.pdf"'}
        return Response(pdf, media_type="application/pdf", headers=headers)

    async def prefill(request: Request) -> Response:
        return Response(PREFILL_JS, media_type="text/javascript", headers={"Cache-Control": "max-age=3600",
                        "X-Content-Type-Options": "nosniff"})  # fmt: skip

    return [
        Route("/r", form_page, methods=["GET"]),
        Route("/r", retrieve, methods=["POST"]),
        Route("/r/{code}", form_page, methods=["GET"]),
        Route("/static/retrieve.js", prefill, methods=["GET"]),
    ]
