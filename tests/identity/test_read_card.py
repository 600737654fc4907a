"""read_card on generated card fronts: both QR layouts, no QR, malformed QR, OCR cross-check."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from kiosk.identity import CardError, read_card
from kiosk.samples.card import make_card_image, sample_card

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize("fields", [7, 6])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_card_front_reads_back_its_fields(seed: int, fields: int) -> None:
    card = sample_card(seed)
    read = read_card(make_card_image(card, qr_fields=fields), today=TODAY)
    assert read.id_number == card.id_number
    assert read.full_name == card.full_name
    assert read.date_of_birth == card.date_of_birth
    assert read.sex == card.sex
    assert read.address == card.address
    assert read.issue_date == card.issue_date
    assert read.old_id == (card.old_id if fields == 7 else None)


def test_card_without_qr() -> None:
    with pytest.raises(CardError) as caught:
        read_card(make_card_image(sample_card(0), with_qr=False))
    assert caught.value.reason == "no_qr"


def test_card_with_an_inconsistent_qr() -> None:
    card = sample_card(0)
    wrong_sex = card.to_qr_payload().replace(f"|{card.sex}|", "|Nữ|" if card.sex == "Nam" else "|Nam|")
    with pytest.raises(CardError) as caught:
        read_card(make_card_image(card, qr_payload=wrong_sex), today=TODAY)
    assert caught.value.reason == "id_sex_mismatch"


def test_card_with_a_foreign_qr() -> None:
    with pytest.raises(CardError) as caught:
        read_card(make_card_image(sample_card(0), qr_payload="https://example.org/"), today=TODAY)
    assert caught.value.reason == "bad_field_count"


def test_not_an_image() -> None:
    with pytest.raises(CardError) as caught:
        read_card(np.zeros((0, 0), np.uint8))
    assert caught.value.reason == "bad_image"


def test_ocr_text_that_disagrees_with_the_qr_is_refused() -> None:
    card = sample_card(5)
    image = make_card_image(card)
    printed = f"Số / No.: {card.id_number}\nHọ và tên / Full name:\n{card.full_name}"
    assert read_card(image, ocr_text=printed, today=TODAY) == card
    forged = printed.replace(card.id_number, "001090009999")
    with pytest.raises(CardError) as caught:
        read_card(image, ocr_text=forged, today=TODAY)
    assert caught.value.reason == "ocr_mismatch"


@pytest.mark.slow
def test_cross_check_against_real_ocr_of_the_card_front() -> None:
    """Tesseract (through the OCR package) reads the printed number and name of the generated card."""
    from ocr.config import OcrConfig
    from ocr.engine import OcrEngine

    engine = OcrEngine(OcrConfig())
    card = sample_card(0)
    genuine = engine.read_page(make_card_image(card)).text
    assert read_card(make_card_image(card), ocr_text=genuine, today=TODAY) == card
    # A card whose QR was swapped for another person's: the printed number no longer matches.
    other = sample_card(7)
    swapped = make_card_image(card, qr_payload=other.to_qr_payload())
    with pytest.raises(CardError) as caught:
        read_card(swapped, ocr_text=engine.read_page(swapped).text, today=TODAY)
    assert caught.value.reason == "ocr_mismatch"
