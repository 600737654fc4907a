"""Is this card the holder of that copy? Asked by a kiosk before a reprint, after its local retention
purged the record's personal fields.

``POST /v1/records/{code}/holder-check`` ``{"holder_id": "..."}`` answers ``{"code", "holder": true|false}``
for a record of the asking kiosk (another kiosk's record, or an unknown code, is 404). The backend compares
the ID number with the record's (decrypted) ``holder_id`` in constant time and returns only the verdict:
the kiosk already holds the card, and learns nothing it could not see.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta

from pydantic import Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backoffice.api.common import (
    ApiProblem,
    Guard,
    KioskOf,
    StrictBody,
    answering,
    json_answer,
    parse_model,
    read_body,
)
from backoffice.services.auth import audit
from backoffice.storage.db import BackendDB
from offline_sync.protocol import API_PREFIX


class HolderQuestion(StrictBody):
    holder_id: str = Field(pattern=r"^[0-9]{9,12}$")


# Wrong answers allowed per copy in a day: a card at the kiosk matches at once, while a leaked kiosk
# certificate walking the ID number space (12 digits, much of it guessable) is stopped after a few.
MAX_WRONG_PER_DAY = 5


def holder_matches(db: BackendDB, kiosk: str, code: str, holder_id: str) -> bool:
    if db.get_record(code, kiosk) is None:
        raise ApiProblem(404, f"no record with code {code!r}")
    since = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    with db._tx() as cur:
        cur.execute(
            "SELECT COUNT(*) FROM audit WHERE code = ? AND action = 'holder_check_failed' AND at > ?",
            (code, since),
        )
        wrong = int(cur.fetchone()[0])
    if wrong >= MAX_WRONG_PER_DAY:
        raise ApiProblem(429, "too many wrong holder checks for this copy today")
    body = db.record_body(code) or {}
    stored = str(body.get("holder_id") or "")
    ok = bool(stored) and hmac.compare_digest(stored.encode(), holder_id.encode())
    if not ok:
        audit(db, f"kiosk:{kiosk}", "holder_check_failed", code)
    return ok


def holder_check_routes(db: BackendDB, guarded: Guard, kiosk_of: KioskOf) -> list[Route]:
    async def holder_check(request: Request) -> Response:
        kiosk = kiosk_of(request)
        code = request.path_params["code"]
        question = parse_model(await read_body(request), HolderQuestion)
        verdict = await run_in_threadpool(holder_matches, db, kiosk, code, question.holder_id)
        return json_answer({"code": code, "holder": verdict})

    return [
        Route(
            f"{API_PREFIX}/records/{{code}}/holder-check", guarded(answering(holder_check)), methods=["POST"]
        )
    ]
