"""CCCD QR payloads: both layouts, reader labels, and every field check with its reason."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.identity import CardData, CardError, cross_check_ocr, parse_cccd_qr
from kiosk.samples.card import make_id_number, sample_card

TODAY = date(2026, 11, 22)
SEVEN = "001090001234|123456789|NGUYỄN VĂN AN|15031990|Nam|Số 12 ngõ 34 phố Hàng Bạc, Hà Nội|10082021"
SIX = "079303004567|TRẦN THỊ MAI|01022003|Nữ|45 Lê Lợi, Phường Bến Nghé, Quận 1, TP HCM|20052022"


def parse(payload: str | bytes) -> CardData:
    return parse_cccd_qr(payload, today=TODAY)


def test_seven_fields_give_exact_values() -> None:
    card = parse(SEVEN)
    assert card.to_json() == {
        "id_number": "001090001234",
        "old_id": "123456789",
        "full_name": "NGUYỄN VĂN AN",
        "date_of_birth": "1990-03-15",
        "sex": "Nam",
        "address": "Số 12 ngõ 34 phố Hàng Bạc, Hà Nội",
        "issue_date": "2021-08-10",
    }


def test_six_fields_have_no_old_id() -> None:
    card = parse(SIX)
    assert card.old_id is None
    assert card.id_number == "079303004567"
    assert card.full_name == "TRẦN THỊ MAI"
    assert card.date_of_birth == date(2003, 2, 1)
    assert card.sex == "Nữ"
    assert card.issue_date == date(2022, 5, 20)


def test_empty_old_id_in_seven_fields_is_none() -> None:
    assert parse(SEVEN.replace("|123456789|", "||")).old_id is None


def test_bytes_and_reader_noise_parse_the_same() -> None:
    base = parse(SEVEN)
    assert parse(SEVEN.encode()) == base
    assert parse("\ufeff" + SEVEN + "|\r\n") == base
    labelled = (
        "Số CCCD: 001090001234|Số CMND: 123456789|Họ và tên: NGUYỄN VĂN AN|Ngày sinh: 15/03/1990|"
        "Giới tính: Nam|Nơi thường trú: Số 12 ngõ 34 phố Hàng Bạc, Hà Nội|Ngày cấp: 10/08/2021"
    )
    assert parse(labelled) == base
    one_per_line = labelled.replace("|", "\n")
    assert parse(one_per_line) == base


def test_decomposed_unicode_is_normalised() -> None:
    import unicodedata

    assert parse(unicodedata.normalize("NFD", SEVEN)).full_name == "NGUYỄN VĂN AN"


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ("hello world", "bad_field_count"),
        ("1|2|3", "bad_field_count"),
        (SEVEN.replace("001090001234", "00109000123"), "bad_id_format"),
        (SEVEN.replace("001090001234", "00109000123A"), "bad_id_format"),
        (SEVEN.replace("001090001234", "097090001234"), "bad_province"),
        (SEVEN.replace("001090001234", "000090001234"), "bad_province"),
        (SEVEN.replace("001090001234", "001290001234"), "id_century_mismatch"),
        (SEVEN.replace("001090001234", "001190001234"), "id_sex_mismatch"),
        (SEVEN.replace("001090001234", "001091001234"), "id_year_mismatch"),
        (SEVEN.replace("|Nam|", "|Khác|"), "bad_sex"),
        (SEVEN.replace("15031990", "31021990"), "bad_date"),
        (SEVEN.replace("15031990", "1503199"), "bad_date"),
        (SEVEN.replace("10082021", "10081989"), "issue_before_birth"),
        (SEVEN.replace("10082021", "10082031"), "date_in_future"),
        (SEVEN.replace("NGUYỄN VĂN AN", ""), "empty_field"),
        (SEVEN.replace("NGUYỄN VĂN AN", "NGUYỄN V4N AN"), "bad_name"),
        (SEVEN.replace("123456789", "12345"), "bad_old_id"),
        (b"\xff\xfe001", "not_text"),
    ],
)
def test_malformed_or_inconsistent_payloads_are_refused_with_a_reason(
    payload: str | bytes, reason: str
) -> None:
    with pytest.raises(CardError) as caught:
        parse(payload)
    assert caught.value.reason == reason
    assert caught.value.exit_code == 2
    # The message may reach a log or a screen: it never carries the ID number or the name.
    assert "001090001234" not in str(caught.value)
    assert "NGUYỄN" not in str(caught.value)


def test_female_born_2000s_and_male_1900s_digits() -> None:
    assert make_id_number(79, date(2003, 2, 1), "Nữ", 4567) == "079303004567"
    assert make_id_number(1, date(1990, 3, 15), "Nam", 1234) == "001090001234"


@pytest.mark.parametrize("seed", range(40))
def test_generated_cards_are_valid_and_round_trip(seed: int) -> None:
    card = sample_card(seed)
    assert parse(card.to_qr_payload(fields=7)) == card
    six = parse(card.to_qr_payload(fields=6))
    assert six.old_id is None
    assert six.id_number == card.id_number


def test_masked_id_and_repr_hide_personal_data() -> None:
    card = parse(SEVEN)
    assert card.masked_id() == "001******234"
    assert "001090001234" not in repr(card)
    assert "NGUYỄN" not in repr(card)


def test_ocr_cross_check_agrees_disagrees_and_abstains() -> None:
    card = parse(SEVEN)
    good = cross_check_ocr(card, "Số / No.: 0O1 090 001234\nHọ và tên / Full name:\nNGUYEN VAN AN\n")
    assert good.id_agrees is True
    assert good.name_agrees is True
    other_id = cross_check_ocr(card, "Số / No.: 001090009999 Họ và tên NGUYỄN VĂN AN")
    assert other_id.id_agrees is False
    assert not other_id.ok
    other_name = cross_check_ocr(card, "001090001234 Họ và tên PHẠM THỊ LINH")
    assert other_name.name_agrees is False
    nothing = cross_check_ocr(card, "")
    assert nothing.id_agrees is None
    assert nothing.name_agrees is None
    assert nothing.ok
