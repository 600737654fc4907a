"""Plain data shared with the kiosk: the pages and facts of a copy, the issued copy, a verification."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class TextWord:
    """One OCR word; coordinates are pixels of the page image."""

    text: str
    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True)
class CopyPage:
    image: np.ndarray  # BGR (or greyscale) uint8, upright
    dpi: int
    words: tuple[TextWord, ...] = ()


@dataclass(frozen=True)
class CopyMeta:
    code: str
    issued_at: dt.datetime  # UTC aware
    authority: str
    kiosk_id: str
    doc_type: str
    holder_masked_id: str
    watermark_text: str = "TTPVHCC"
    # The authority's short code for the seal; derived from the code and the kiosk id when empty.
    authority_code: str = ""


@dataclass(frozen=True)
class IssuedCopy:
    pdf: bytes
    seal: str


@dataclass
class Verification:
    """The verdict on a copy. ``reason`` is a sentence for a person; ``reason_key`` a stable machine code."""

    valid: bool
    code: str | None
    reason: str
    issued_at: dt.datetime | None
    pages: int | None
    holder: str | None
    doc_type: str | None
    reason_key: str = "valid"
    authority: str | None = None
    kiosk_id: str | None = None
    signer: str | None = None
    signed_at: dt.datetime | None = None
    timestamped: bool = False
    checks: dict[str, bool] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "code": self.code,
            "reason": self.reason,
            "reason_key": self.reason_key,
            "issued_at": self.issued_at.isoformat() if self.issued_at else None,
            "pages": self.pages,
            "holder": self.holder,
            "doc_type": self.doc_type,
            "authority": self.authority,
            "kiosk_id": self.kiosk_id,
            "signer": self.signer,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "timestamped": self.timestamped,
            "checks": dict(self.checks),
        }
