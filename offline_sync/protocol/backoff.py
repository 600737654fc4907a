"""Full-jitter exponential backoff (AWS architecture blog, "Exponential Backoff And Jitter"):
sleep = uniform(0, min(cap, base * 2**attempt)). Spreads a fleet's retries after an outage."""

from __future__ import annotations

import email.utils
import random
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Backoff:
    base: float = 1.0
    cap: float = 300.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number `attempt` (0 = first retry)."""
        ceiling = min(self.cap, self.base * (2 ** min(max(attempt, 0), 62)))
        return self.rng.uniform(0, ceiling)


def parse_retry_after(
    value: str | None, date_header: str | None = None, *, limit: float = 3600.0
) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), or None if absent/malformed.

    An HTTP date is measured against the response's own Date header when there is one, so a kiosk whose
    clock is hours off still waits the time the server meant. The result is clamped to [0, limit].
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), limit)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    reference: datetime | None = None
    if date_header:
        try:
            reference = email.utils.parsedate_to_datetime(date_header)
        except (TypeError, ValueError):
            reference = None
    if reference is None or when.tzinfo is None or reference.tzinfo is None:
        return None
    return max(0.0, min((when - reference).total_seconds(), limit))
