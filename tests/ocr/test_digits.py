"""Digits against letters: clause numbers, "Số:", dates and ID numbers (ocr.lexicon.restore_digits)."""

from __future__ import annotations

from ocr.lexicon import restore_digits, restore_formulae


def test_clause_numbers_are_digits() -> None:
    assert restore_digits(["Điều", "I.", "Quyết", "định"]) == ["Điều", "1.", "Quyết", "định"]
    assert restore_digits(["Điều", "l0:"]) == ["Điều", "10:"]
    assert restore_digits(["Khoản", "2"]) == ["Khoản", "2"]


def test_document_numbers_dates_and_ids() -> None:
    assert restore_digits(["Số:", "I0I/QĐ-UBND"]) == ["Số:", "101/QĐ-UBND"]
    assert restore_digits(["ngày", "l5", "tháng", "O7", "năm", "20I9"]) == [
        "ngày",
        "15",
        "tháng",
        "07",
        "năm",
        "2019",
    ]
    assert restore_digits(["sinh", "ngày", "O1/I2/1990."]) == ["sinh", "ngày", "01/12/1990."]
    assert restore_digits(["CCCD:", "0792O30I2345"]) == ["CCCD:", "079203012345"]


def test_words_and_roman_headings_are_left_alone() -> None:
    assert restore_digits(["I.", "Người", "sử", "dụng", "đất"]) == ["I.", "Người", "sử", "dụng", "đất"]
    assert restore_digits(["Chương", "II"]) == ["Chương", "II"]
    assert restore_digits(["năm", "học", "ngày", "lo", "Do"]) == ["năm", "học", "ngày", "lo", "Do"]
    assert restore_digits(["Số", "là", "BOOK"]) == ["Số", "là", "BOOK"]


def test_a_title_with_one_slip_gets_its_spelling() -> None:
    assert restore_formulae(["QUYLET", "ĐỊNH"]) == ["QUYẾT", "ĐỊNH"]
    assert restore_formulae(["quyết", "định", "này"]) == ["quyết", "định", "này"]
    assert restore_formulae(["Nơi", "sính"]) == ["Nơi", "sinh"]
    assert restore_formulae(["Giay", "xac", "nhan"]) == ["Giấy", "xác", "nhận"]
