"""`kiosk verify --online` (issue 22): the copy is compared with the city's record, and the check fails
closed.

1. Before the offline check, the city's current kiosk revocation list is fetched and, when a trusted
   authority signed it, used instead of the configured one; when it cannot be fetched the configured list
   is used and the verdict says so (and when that one is stale).
2. After a positive offline verdict, the city is asked about the code: first without the token (is the
   code known at all?), then with the QR's access token (the record's facts). A code the city does not
   know is NOT VALID (``unknown_code``), or UNCONFIRMED when the copy is younger than the sync window
   (``sync.sync_window_hours``: the kiosk may not have synced it yet); both exit 1.
3. The kiosk, issue time, page count, document type and seal digest (SHA-256 of the whole QR text) must
   agree with the record; a token that does not open the code (a genuine code under another document's
   seal) or any difference is ``record_mismatch``, naming what differs; exit 1.
4. A revoked copy's first line is REVOKED, with the public reason; exit 1.
5. A city that cannot be asked (unreachable, rate limited, no address configured) is "status not
   checked", exit 3: never 0.
6. An older copy (a VNC1 seal, ``signing.seal_v1``) has no access token: the city's ``/check/verdict``
   is asked whether the QR is the very seal it stored for the code (``older_seal_verdict``); VALID only
   then, NOT VALID (``record_mismatch``, ``seal_revoked``) otherwise.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from offline_sync.client import fetch_copy_facts, fetch_copy_status, fetch_kiosk_revocations, load_httpx
from offline_sync.config import SyncConfig
from offline_sync.protocol.errors import BackendError
from signing._pyhanko import pdf_reader_class
from signing.errors import SealFormatError, SigningError
from signing.pdf_names import SEAL_KEY
from signing.seal import SealClaims
from signing.seal_qr import parse_seal_qr, seal_digest
from signing.seal_v1 import OLDER_SEAL_SHORT
from signing.trust import TrustStore

EXIT_VALID, EXIT_REFUSED, EXIT_UNREACHABLE = 0, 1, 3
ISSUE_TIME_TOLERANCE = dt.timedelta(seconds=1)


@dataclass
class OnlineVerdict:
    verdict: str  # VALID, REVOKED, NOT VALID, UNCONFIRMED, NOT CHECKED
    reason_key: str
    reason: str
    exit_code: int
    status: str | None = None
    facts: dict[str, Any] | None = None
    mismatched: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def first_line(self, subject: str) -> str:
        return f"{subject}: {self.verdict}: {self.reason}"

    def to_json(self) -> dict[str, Any]:
        return {
            "online_verdict": self.verdict,
            "status": self.status,
            "status_checked": self.verdict != "NOT CHECKED",
            "online_reason_key": self.reason_key,
            "online_reason": self.reason,
            "record_mismatch": list(self.mismatched),
            "revoked_reason": (self.facts or {}).get("revoked_reason"),
            "revocation_notes": list(self.notes),
        }


def refresh_revocations(trust: TrustStore, public_url: str, *, timeout: float = 5.0) -> list[str]:
    """Fetch the city's current kiosk revocation list into ``trust``; notes for the verdict (what was used
    when the current one could not be had, and whether it is stale)."""
    notes: list[str] = []
    answer = fetch_kiosk_revocations(public_url, timeout=timeout) if public_url else None
    if answer is not None and answer.status == 200 and isinstance(answer.body, bytes):
        try:
            trust.load_revocations(
                answer.body, source=f"{public_url.rstrip('/')}/api/public/kiosk-revocations"
            )
        except SigningError as exc:
            notes.append(f"the city's revocation list was refused ({exc}); using the configured one")
    elif answer is not None and answer.status == 404:
        pass  # the city has revoked no kiosk key yet
    else:
        why = answer.error if answer is not None and answer.error else "no public address configured"
        if answer is not None and answer.status is not None:
            why = f"the city answered HTTP {answer.status}"
        notes.append(
            f"the current kiosk revocation list could not be fetched ({why}); using the configured one"
        )
    if trust.revocations is not None:
        stale = trust.revocations.staleness()
        if stale:
            notes.append(stale)
    return notes


def copy_seal_text(data: bytes, result: Any) -> str | None:
    """The QR text the offline check verified: the verdict's own, else the PDF's catalogue entry."""
    text = getattr(result, "seal_text", None)
    if text:
        return str(text)
    if data.lstrip()[:5] == b"%PDF-":
        try:
            value = pdf_reader_class()(io.BytesIO(data), strict=False).root.get(SEAL_KEY)
        except Exception:
            return None
        return str(value) if value is not None else None
    return None


def compare(claims: SealClaims, text: str, facts: dict[str, Any]) -> list[str]:
    """What of the QR differs from the city's record (names of the facts)."""
    differs = []
    if facts.get("kiosk_id") != claims.kiosk_id:
        differs.append("kiosk")
    try:
        recorded = dt.datetime.fromisoformat(str(facts.get("issued_at")))
        if recorded.tzinfo is None:
            recorded = recorded.replace(tzinfo=dt.UTC)
        if abs(recorded - claims.issued_at) > ISSUE_TIME_TOLERANCE:
            differs.append("issue time")
    except ValueError:
        differs.append("issue time")
    if facts.get("pages") != claims.pages:
        differs.append("page count")
    if facts.get("doc_type") != claims.doc_type:
        differs.append("document type")
    if facts.get("seal_digest") != seal_digest(text):
        differs.append("seal digest")
    return differs


def _not_checked(why: str) -> OnlineVerdict:
    return OnlineVerdict(
        "NOT CHECKED", "not_checked", f"the city could not be asked: {why}", EXIT_UNREACHABLE
    )


def online_verdict(
    config: SyncConfig,
    seal_text: str | None,
    *,
    url: str = "",
    timeout: float = 5.0,
    now: dt.datetime | None = None,
) -> OnlineVerdict:
    """The city's word on a copy whose seal passed offline (see the module's steps 2 to 5)."""
    base = url or config.public_url
    if not base:
        return _not_checked("no city address is configured (sync.public_url or --status-url)")
    if not seal_text:
        return OnlineVerdict("NOT VALID", "not_seal", "no seal to ask the city about", EXIT_REFUSED)
    try:
        claims = parse_seal_qr(seal_text)
    except SealFormatError as exc:
        return OnlineVerdict("NOT VALID", "seal_edited", str(exc), EXIT_REFUSED)
    code = claims.code
    try:
        known = fetch_copy_status(base, code, timeout=timeout)
    except BackendError as exc:
        return _not_checked(exc.message)
    if known is None:
        age = (now or dt.datetime.now(dt.UTC)) - claims.issued_at
        if age < dt.timedelta(hours=config.sync_window_hours):
            return OnlineVerdict(
                "UNCONFIRMED",
                "unconfirmed",
                f"not yet known to the city (copy {code} was issued {age.total_seconds() / 3600:.1f} h ago; "
                f"kiosks sync within {config.sync_window_hours:g} h): check again later",
                EXIT_REFUSED,
            )
        return OnlineVerdict(
            "NOT VALID", "unknown_code", f"the city holds no copy with code {code}", EXIT_REFUSED
        )
    if not claims.access_token and known["status"] == "revoked":  # the status alone is public
        return OnlineVerdict(
            "REVOKED", "revoked", f"copy {code} was revoked by the city", EXIT_REFUSED, status="revoked"
        )
    if claims.is_older_format:
        return older_online_verdict(base, code, seal_text, str(known["status"]), timeout=timeout)
    if not claims.access_token:
        return OnlineVerdict(
            "UNCONFIRMED",
            "unconfirmed",
            f"copy {code} is {known['status']} at the city, but its QR carries no access token, so the city's "
            "record cannot be compared with it",
            EXIT_REFUSED,
            status=str(known["status"]),
        )
    answer = fetch_copy_facts(base, code, claims.access_token, timeout=timeout)
    if answer.status is None or answer.status in (429, 503) or answer.status >= 500:
        return _not_checked(answer.error or f"the city answered HTTP {answer.status}")
    if answer.status in (403, 404) or answer.status != 200 or not isinstance(answer.body, dict):
        return OnlineVerdict(
            "NOT VALID",
            "record_mismatch",
            f"the city's copy {code} is not this one: the QR's access token does not open its record",
            EXIT_REFUSED,
            mismatched=["access token"],
        )
    facts: dict[str, Any] = answer.body
    differs = compare(claims, seal_text, facts)
    if differs:
        return OnlineVerdict(
            "NOT VALID",
            "record_mismatch",
            f"the QR does not match the city's record of {code}: {', '.join(differs)} differ(s)",
            EXIT_REFUSED,
            status=str(facts.get("status")),
            facts=facts,
            mismatched=differs,
        )
    status = str(facts.get("status"))
    if status == "revoked":
        label = (
            (facts.get("revoked_reason_label") or {}).get("en") or facts.get("revoked_reason") or "no reason"
        )
        return OnlineVerdict(
            "REVOKED", "revoked", f"copy {code} was revoked by the city: {label}", EXIT_REFUSED, status, facts
        )
    shown = "post-checked by an officer" if status == "post_checked" else "issued, awaiting post-check"
    return OnlineVerdict(
        "VALID",
        "valid",
        f"the city holds this copy ({shown}) and its record matches the QR",
        EXIT_VALID,
        status,
        facts,
    )


def older_online_verdict(
    base: str, code: str, seal_text: str, status: str, *, timeout: float = 5.0
) -> OnlineVerdict:
    """An older copy (VNC1 seal, no token) that the city knows: is the QR the very seal the city stored for
    ``code``? Asked of the city's public ``/check/verdict`` (``backoffice.web.check_page``)."""
    httpx = load_httpx()
    try:
        response = httpx.post(
            f"{base.rstrip('/')}/check/verdict",
            json={"qr": seal_text},
            timeout=timeout,
            follow_redirects=False,
        )
    except httpx.HTTPError as exc:
        return _not_checked(f"the city cannot be reached ({type(exc).__name__})")
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code != 200 or not isinstance(body, dict):
        return _not_checked(f"the city's check answered HTTP {response.status_code}")
    key = body.get("reason_key")
    if body.get("verdict") == "VALID" and key == "valid_older_seal":
        shown = "post-checked by an officer" if status == "post_checked" else "issued, awaiting post-check"
        return OnlineVerdict(
            "VALID",
            "valid",
            f"the city holds this copy ({shown}) with this very seal; {OLDER_SEAL_SHORT}",
            EXIT_VALID,
            status,
        )
    if body.get("verdict") == "REVOKED":
        return OnlineVerdict(
            "REVOKED", "revoked", f"copy {code} was revoked by the city", EXIT_REFUSED, status="revoked"
        )
    if key == "seal_revoked":
        return OnlineVerdict(
            "NOT VALID",
            "seal_revoked",
            f"the city voids copy {code}'s seal: its kiosk's seal key was revoked",
            EXIT_REFUSED,
            status,
        )
    return OnlineVerdict(
        "NOT VALID",
        "record_mismatch",
        f"the city's copy {code} is not sealed with this QR (the city answered {key or 'no reason'})",
        EXIT_REFUSED,
        status,
        mismatched=["seal digest"],
    )
