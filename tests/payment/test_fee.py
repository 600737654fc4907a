"""The fee per Thông tư 226/2016/TT-BTC: 2.000 đ a page for pages 1-2, 1.000 đ from page 3, cap 200.000 đ
a copy."""

from __future__ import annotations

import pytest

from kiosk.services.fee import FeeSchedule, compute_fee, format_vnd


@pytest.mark.parametrize(
    ("pages", "copies", "total"),
    [
        (1, 1, 2_000),
        (2, 1, 4_000),
        (3, 1, 5_000),
        (5, 1, 7_000),
        (5, 2, 14_000),
        (10, 3, 36_000),
        # 2 x 2.000 + 196 x 1.000 = 200.000: exactly the cap
        (198, 1, 200_000),
        # 199 pages would be 201.000: capped at 200.000 a copy, so 2 copies are 400.000
        (199, 2, 400_000),
        (1000, 1, 200_000),
    ],
)
def test_totals(pages: int, copies: int, total: int) -> None:
    assert compute_fee(pages, copies).total_vnd == total


def test_breakdown_of_five_pages_two_copies() -> None:
    fee = compute_fee(5, 2)
    assert [(line.pages, line.unit_vnd, line.amount_vnd) for line in fee.lines] == [
        (2, 2000, 4000),
        (3, 1000, 3000),
    ]
    assert fee.per_copy_vnd == 7000
    assert not fee.capped
    assert fee.legal_basis == "Thông tư 226/2016/TT-BTC"
    assert fee.to_json()["total_vnd"] == 14000


def test_one_page_has_one_line() -> None:
    assert [(line.pages, line.unit_vnd) for line in compute_fee(1).lines] == [(1, 2000)]


def test_cap_is_reported() -> None:
    fee = compute_fee(250)
    assert fee.capped
    assert fee.per_copy_before_cap_vnd == 252_000
    assert fee.per_copy_vnd == 200_000


def test_schedule_is_data() -> None:
    amended = FeeSchedule(first_page_vnd=3000, later_page_vnd=1500, cap_per_copy_vnd=10_000)
    assert compute_fee(4, 1, amended).total_vnd == 9000
    assert compute_fee(40, 2, amended).total_vnd == 20_000


@pytest.mark.parametrize(("pages", "copies"), [(0, 1), (1, 0), (-1, 1), (True, 1), (1.5, 1), ("2", 1)])
def test_bad_counts_refused(pages: object, copies: object) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        compute_fee(pages, copies)  # type: ignore[arg-type]


def test_format_vnd() -> None:
    assert format_vnd(14000) == "14.000 đ"
    assert format_vnd(200000) == "200.000 đ"
    assert format_vnd(0) == "0 đ"
