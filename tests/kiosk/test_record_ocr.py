"""Issue 24, the kiosk's half: the words OCR was unsure of (sent as the record's ``ocr_low_words``, marked on
the officer's console) and the OCR reading kept beside the sealed fields."""

from __future__ import annotations

from types import SimpleNamespace

from kiosk.pipeline.copy_fields import copy_fields, low_confidence_words
from ocr.engine import Word
from ocr.quality import GOOD_WORD_CONFIDENCE


def _page(*words: tuple[str, float]) -> SimpleNamespace:
    return SimpleNamespace(words=tuple(Word(text, 0, 0, 10, 10, conf) for text, conf in words))


def test_low_confidence_words_once_each_bare_and_in_reading_order() -> None:
    pages = [
        _page(("Họ", 96.0), ("PHẠM", 91.0), ("THỦ,", 41.0), ("MAI", 88.0), ("~", 12.0), ("1964", 55.0)),
        _page(("THỦ", 30.0), ("(Nữ)", 20.0), ("ok", GOOD_WORD_CONFIDENCE)),
    ]
    assert low_confidence_words(pages) == ["THỦ", "1964", "Nữ"]  # type: ignore[arg-type]
    assert low_confidence_words(pages, limit=2) == ["THỦ", "1964"]  # type: ignore[arg-type]


def test_the_seal_takes_the_citizens_confirmation_the_reading_stays_what_ocr_read() -> None:
    text = "GIẤY KHAI SINH\nHọ, chữ đệm, tên: PHẠM THỦ MAI\nNgày, tháng, năm sinh: 04/05/2019"
    read = copy_fields("birth_certificate", [text])
    confirmed = copy_fields("birth_certificate", [text], {"full_name": "PHẠM THU MAI"})
    assert read.read == confirmed.read and confirmed.read.get("full_name") == "PHẠM THỦ MAI"
    assert confirmed.fields["full_name"] == "PHẠM THU MAI"
    assert read.fields == read.read
