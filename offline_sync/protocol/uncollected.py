"""Paid copies waiting to be collected, as a kiosk reports them to the city (issue 25).

A citizen paid, the copy was certified, and a printer failed before the copy was in their hands. The kiosk
keeps the copy (``offline_sync.uncollected``), prints a "paid, copy to collect" slip on whatever printer
works, and lists these copies in every heartbeat's ``health["uncollected"]`` until a technician (or the
counter) hands the copy over. The list is the kiosk's current state, not an event: a heartbeat queued while
offline carries it the same way, and the back office shows the newest one per kiosk.

Only codes, payment references and counts travel: no name, no ID number.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

HEALTH_KEY = "uncollected"
MAX_LISTED = 50  # a heartbeat's health stays small (protocol.MAX_HEALTH_BYTES)
Part = Literal["copy", "receipt"]


class UncollectedCopy(BaseModel):
    """One paid copy a kiosk still owes its citizen."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Annotated[
        str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    ]
    payment_reference: Annotated[str, StringConstraints(max_length=64, pattern=r"^[A-Za-z0-9_.-]*$")] = ""
    amount_vnd: int = Field(default=0, ge=0, le=100_000_000)
    copies: int = Field(default=1, ge=1, le=99)
    missing: list[Part] = Field(default_factory=list, max_length=2)  # what did not print
    since: datetime


def parse_uncollected(health: Any) -> list[UncollectedCopy]:
    """The valid entries of a heartbeat's ``health["uncollected"]``; anything malformed is left out."""
    raw = health.get(HEALTH_KEY) if isinstance(health, dict) else None
    found: list[UncollectedCopy] = []
    for item in raw if isinstance(raw, list) else []:
        try:
            found.append(UncollectedCopy.model_validate(item))
        except ValidationError:
            continue
        if len(found) >= MAX_LISTED:
            break
    return found
