"""What the kiosk needs for issue 17: the citizen's optional delivery e-mail, the receipt's retrieval
secret, and the visit's KPI metrics (durations and counts, never personal data).

For the UI (the on-screen keyboard screen is the UI's):
* `check_delivery_email(text)` on every confirm: an `EmailCheck` whose `key` is the wording key to show
  (`delivery.email.ok`, or `delivery.email.<reason>` for a refused address, see `WORDING`). No DNS.
* `set_delivery_email(visit, text)` stores the checked address on the visit (a `VisitRecord` or
  `VisitData`); an empty text or None clears it ("skip"). It returns the same `EmailCheck` and leaves
  the visit unchanged when the address is refused.
* `VisitClock`: `start()` at the first touch, `step("identify")` ... at each screen, `count("rescans")`
  and the like, `metrics(ward=...)` for the record. The certify step reads `visit.metrics`.
The secret itself is made by the certify step (`new_retrieval`), printed on the receipt, and never stored:
the record keeps only its scrypt hash.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from offline_sync.protocol.citizen import (
    EmailError,
    check_email,
    display_secret,
    hash_retrieval_secret,
    new_retrieval_secret,
    retrieval_url,
)

# Wording keys the screen shows, with the default text (the UI's translation files may override them).
WORDING: dict[str, tuple[str, str]] = {
    "delivery.title": ("Nhận thông tin bản sao qua thư điện tử", "Get your copy's details by e-mail"),
    "delivery.prompt": ("Nhập địa chỉ thư điện tử (không bắt buộc)", "Type your e-mail address (optional)"),
    "delivery.skip": ("Bỏ qua", "Skip"),
    "delivery.confirm": ("Xác nhận", "Confirm"),
    "delivery.privacy": (
        "Địa chỉ chỉ dùng để gửi mã bản sao và hướng dẫn tải lại; được mã hoá khi lưu.",
        "The address is used only to send the copy's code and how to download it again; it is stored encrypted.",
    ),
    "delivery.email.ok": ("Sẽ gửi tới: {email}", "We will write to: {email}"),
    "delivery.email.empty": ("Chưa nhập địa chỉ.", "No address typed."),
    "delivery.email.too_long": ("Địa chỉ quá dài.", "The address is too long."),
    "delivery.email.space": ("Địa chỉ không được có dấu cách.", "The address must not contain spaces."),
    "delivery.email.not_ascii": (
        "Địa chỉ chỉ gồm chữ không dấu, số và ký hiệu.",
        "Use letters without accents, digits and symbols only.",
    ),
    "delivery.email.at_sign": ("Địa chỉ cần đúng một ký tự @.", "The address needs exactly one @."),
    "delivery.email.local": ("Phần trước @ không hợp lệ.", "The part before @ is not valid."),
    "delivery.email.local_dots": ("Dấu chấm trước @ đặt sai chỗ.", "A dot before @ is misplaced."),
    "delivery.email.local_chars": (
        "Phần trước @ có ký tự không dùng được.",
        "The part before @ has a character that cannot be used.",
    ),
    "delivery.email.domain": (
        "Phần sau @ không phải tên miền (ví dụ gmail.com).",
        "The part after @ is not a domain (like gmail.com).",
    ),
    "delivery.email.domain_tld": (
        "Tên miền thiếu phần đuôi (ví dụ .vn, .com).",
        "The domain lacks its ending (like .vn, .com).",
    ),
    "delivery.email.type": ("Địa chỉ không hợp lệ.", "The address is not valid."),
    "receipt.retrieval": ("Mã bí mật tải lại bản sao", "Secret to download the copy again"),
}


def wording(key: str, language: str = "vi", **values: str) -> str:
    vi, en = WORDING[key]
    return (en if language == "en" else vi).format(**values)


@dataclass(frozen=True)
class EmailCheck:
    ok: bool
    email: str | None  # the canonical address when ok
    key: str  # the wording key to show
    reason: str = ""


def check_delivery_email(text: str | None) -> EmailCheck:
    try:
        email = check_email(text or "")
    except EmailError as exc:
        return EmailCheck(False, None, f"delivery.email.{exc.reason}", exc.reason)
    return EmailCheck(True, email, "delivery.email.ok")


def set_delivery_email(visit: Any, text: str | None) -> EmailCheck:
    """Store the address on the visit (see the module docstring); empty or None clears it."""
    if text is None or not text.strip():
        visit.delivery_email = None
        return EmailCheck(True, None, "delivery.skip")
    checked = check_delivery_email(text)
    if checked.ok:
        visit.delivery_email = checked.email
    return checked


# ------------------------------------------------------------------------------------------ retrieval


@dataclass(frozen=True)
class Retrieval:
    """A fresh secret for one copy: `display` goes on the receipt, `url` into its second QR, `hash` into
    the record. The secret is not kept anywhere else."""

    secret: str = field(repr=False)
    display: str = field(repr=False)
    url: str = field(repr=False)
    hash: str


def new_retrieval(code: str, public_url: str) -> Retrieval:
    secret = new_retrieval_secret()
    return Retrieval(
        secret=secret,
        display=display_secret(secret),
        url=retrieval_url(public_url, code, secret) if public_url else "",
        hash=hash_retrieval_secret(secret, code),
    )


# ------------------------------------------------------------------------------------------ metrics


@dataclass
class VisitClock:
    """Durations per step and counts for the KPIs. `clock` is monotonic seconds (injectable for tests)."""

    clock: Callable[[], float] = time.monotonic
    started: float | None = None
    started_at: datetime | None = None
    steps: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    _current: str = ""
    _since: float = 0.0

    def start(self) -> None:
        self.started = self._since = self.clock()
        self.started_at = datetime.now(UTC)
        self.steps.clear()
        self.counts.clear()
        self._current = ""

    def step(self, name: str) -> None:
        """The visit moved to step `name` (identify, face, scan, review, pay, certify, print)."""
        if self.started is None:
            self.start()
        now = self.clock()
        if self._current:
            self.steps[self._current] = self.steps.get(self._current, 0.0) + (now - self._since)
        self._current, self._since = name, now

    def count(self, name: str, n: int = 1) -> None:
        """rescans, pages_scanned, face_attempts, face_failures, liveness_attempts, liveness_failures."""
        self.counts[name] = self.counts.get(name, 0) + n

    def metrics(self, *, ward: str = "", pages: int = 0) -> dict[str, Any] | None:
        """The record's `visit_metrics` (None when the visit was never started)."""
        if self.started is None:
            return None
        self.step(self._current or "certify")
        counts = self.counts
        return {
            "ward": ward or None,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "visit_seconds": round(self.clock() - self.started, 3),
            "step_seconds": {k: round(v, 3) for k, v in self.steps.items()},
            "pages_scanned": counts.get("pages_scanned", pages + counts.get("rescans", 0)),
            "rescans": counts.get("rescans", 0),
            "face_attempts": counts.get("face_attempts", 0),
            "face_failures": counts.get("face_failures", 0),
            "liveness_attempts": counts.get("liveness_attempts", 0),
            "liveness_failures": counts.get("liveness_failures", 0),
        }


# The visit's screens that are KPI steps (kiosk.flow.record.Screen values), and the step each one times.
STEP_OF_SCREEN = {
    "card": "identify",
    "face": "face",
    "scan": "scan",
    "review": "review",
    "payment": "pay",
    "processing": "certify",
    "printing": "print",
}


def note_screen(visit: Any, screen: str) -> None:
    """The flow moved to `screen`: start the visit's clock at its first step, time each step."""
    step = STEP_OF_SCREEN.get(screen)
    if step is None:
        return
    if getattr(visit, "metrics", None) is None:
        visit.metrics = VisitClock()
        visit.metrics.start()
    visit.metrics.step(step)


def note_count(visit: Any, name: str, n: int = 1) -> None:
    """Count an event of the visit (see VisitClock.count) once its clock runs."""
    clock = getattr(visit, "metrics", None)
    if clock is not None:
        clock.count(name, n)
