"""The fee for a certified copy: the "phí chứng thực bản sao từ bản chính".

Legal basis: Thông tư 226/2016/TT-BTC of 11 November 2016 (Bộ Tài chính), "quy định mức thu, chế độ thu,
nộp, quản lý và sử dụng phí chứng thực", article 4: 2.000 đồng a page for the first two pages, 1.000 đồng a
page from the third page on, at most 200.000 đồng a copy ("bản"); pages are counted on the original
("trang là căn cứ để thu phí được tính theo trang của bản chính"). As of this writing it is the circular in
force for this fee: no later circular replacing or amending this schedule was found in the sources
checked (a notary office's published fee table still cites it). It is a *phí* (a fee for a public service), not a *lệ phí* (a state charge):
the screens and the receipt must say "phí".

The schedule is data (:class:`FeeSchedule`) so that an amending circular changes numbers, not code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LEGAL_BASIS = "Thông tư 226/2016/TT-BTC"


@dataclass(frozen=True)
class FeeSchedule:
    """The per-page rates and the per-copy cap of the circular."""

    first_pages: int = 2
    first_page_vnd: int = 2_000
    later_page_vnd: int = 1_000
    cap_per_copy_vnd: int = 200_000
    legal_basis: str = LEGAL_BASIS


@dataclass(frozen=True)
class FeeLine:
    """One line of the breakdown: ``pages`` pages at ``unit_vnd`` each (for one copy)."""

    pages: int
    unit_vnd: int

    @property
    def amount_vnd(self) -> int:
        return self.pages * self.unit_vnd


@dataclass(frozen=True)
class Fee:
    """The fee for ``copies`` copies of a ``pages``-page original, with how it was reached."""

    pages: int
    copies: int
    lines: tuple[FeeLine, ...]
    per_copy_before_cap_vnd: int
    per_copy_vnd: int
    total_vnd: int
    capped: bool
    legal_basis: str

    def to_json(self) -> dict[str, Any]:
        return {
            "pages": self.pages,
            "copies": self.copies,
            "lines": [
                {"pages": line.pages, "unit_vnd": line.unit_vnd, "amount_vnd": line.amount_vnd}
                for line in self.lines
            ],
            "per_copy_vnd": self.per_copy_vnd,
            "capped": self.capped,
            "total_vnd": self.total_vnd,
            "legal_basis": self.legal_basis,
        }


def compute_fee(pages: int, copies: int = 1, schedule: FeeSchedule = FeeSchedule()) -> Fee:
    """The fee of ``copies`` certified copies of an original of ``pages`` pages.

    >>> compute_fee(5, 2).total_vnd   # (2 x 2.000 + 3 x 1.000) x 2
    14000
    """
    if isinstance(pages, bool) or not isinstance(pages, int) or pages < 1:
        raise ValueError(f"pages must be a whole number of at least 1, got {pages!r}")
    if isinstance(copies, bool) or not isinstance(copies, int) or copies < 1:
        raise ValueError(f"copies must be a whole number of at least 1, got {copies!r}")
    first = min(pages, schedule.first_pages)
    lines = [FeeLine(first, schedule.first_page_vnd)]
    if pages > schedule.first_pages:
        lines.append(FeeLine(pages - schedule.first_pages, schedule.later_page_vnd))
    before_cap = sum(line.amount_vnd for line in lines)
    per_copy = min(before_cap, schedule.cap_per_copy_vnd)
    return Fee(
        pages=pages,
        copies=copies,
        lines=tuple(lines),
        per_copy_before_cap_vnd=before_cap,
        per_copy_vnd=per_copy,
        total_vnd=per_copy * copies,
        capped=per_copy < before_cap,
        legal_basis=schedule.legal_basis,
    )


def format_vnd(amount: int) -> str:
    """An amount the Vietnamese way: a dot between thousands, then "đ" (14.000 đ)."""
    return f"{amount:,}".replace(",", ".") + " đ"
