"""The console's words and rules without a server: risk rules per document type, the OCR-vs-seal
comparison word by word, every record key in words (both languages), times in GMT+7."""

from __future__ import annotations

import pytest

from backoffice.services.risk import FLAGS, RULES_BY_TYPE, risk_flags
from backoffice.services.sealed_view import compare_fields
from backoffice.web.i18n import _T, DOC_TYPES, FIELDS, translator, vietnam_time
from tests.backoffice.console_helpers import raw_keys


def _body(doc_type: str, **fields: str) -> dict:
    return {"doc_type": doc_type, "ocr_text": "GIẤY KHAI SINH", "fields": fields}


def test_a_birth_certificate_without_a_seal_is_a_risk_an_id_card_is_not() -> None:
    assert "seal_absent" in risk_flags(
        _body("birth_certificate", full_name="A", date_of_birth="x", seal="absent")
    )
    assert "seal_absent" not in risk_flags(_body("birth_certificate", full_name="A", seal="present"))
    assert "seal_absent" not in risk_flags(
        _body("birth_certificate", full_name="A")
    )  # not looked for: no flag
    assert "seal_absent" not in risk_flags(_body("id_card", id_number="001", seal="absent"))
    assert "seal_absent" not in risk_flags(_body("other", seal="absent"))  # nothing known of "other" papers
    # What OCR read before the citizen confirmed counts too (the seal mark is OCR's).
    body = _body("birth_certificate", full_name="A")
    body["ocr_fields"] = {"seal": "absent"}
    assert "seal_absent" in risk_flags(body)


def test_each_type_has_its_own_rules_and_flags_come_in_one_order() -> None:
    assert risk_flags(_body("birth_certificate", seal="present")) == ["fields_missing"]
    assert risk_flags(_body("marriage_certificate", wife_name="B", signature="absent")) == [
        "signature_absent"
    ]
    assert risk_flags(_body("residence_confirmation", full_name="C", signature="absent")) == []
    body = {**_body("diploma", seal="absent"), "identity_source": "qr", "ocr_confidence": 0.5}
    assert risk_flags(body) == ["low_ocr", "qr_identity", "seal_absent", "fields_missing"]
    assert set(RULES_BY_TYPE) <= set(DOC_TYPES)
    for flag in FLAGS:
        for lang in ("vi", "en"):
            assert translator(lang).flag(flag) != flag and "_" not in translator(lang).flag(flag)


def test_the_misread_word_differs_and_an_agreeing_field_does_not() -> None:
    rows = compare_fields(
        {"full_name": "PHẠM  THỦ MAI", "date_of_birth": "2019-05-04", "issue_date": "2020-01-01"},
        {"full_name": "PHẠM THU MAI", "date_of_birth": "2019-05-04", "mother_name": "LÊ THỊ HOA"},
        ["thủ", "2020-01-01"],
    )
    by_key = {row.key: row for row in rows}
    name = by_key["full_name"]
    assert name.disagrees and name.sealed == "PHẠM THU MAI" and name.low_confidence
    assert [(w.text, w.differs, w.low_confidence) for w in name.words] == [
        ("PHẠM", False, False),
        ("THỦ", True, True),
        ("MAI", False, False),
    ]
    assert not by_key["date_of_birth"].disagrees
    assert by_key["issue_date"].sealed is None and not by_key["issue_date"].disagrees  # not sealed: OCR only
    assert by_key["mother_name"].ocr == "" and by_key["mother_name"].sealed == "LÊ THỊ HOA"
    # A different word count marks every word: nothing is aligned by guess.
    short = compare_fields({"full_name": "PHẠM MAI"}, {"full_name": "PHẠM THU MAI"})[0]
    assert short.disagrees and all(w.differs for w in short.words)
    # Decomposed accents (NFD) are the same text as composed ones.
    nfd = compare_fields({"full_name": "PHA\u0323M THU MAI"}, {"full_name": "PHẠM THU MAI"})[0]
    assert not nfd.disagrees


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_key_a_record_carries_reads_as_words(lang: str) -> None:
    t = translator(lang)
    shown = [t.doc(k) for k in DOC_TYPES] + [t.field(k) for k in FIELDS]
    shown += [t.live("passed:turn_right+blink"), t.live("failed:too_many_attempts:move_closer+turn_left")]
    shown += [t.live("not_checked"), t.value("seal", "absent"), t.value("signature", "present")]
    shown += [t.source("qr"), t.role("supervisor"), t.action("read_pdf"), t.state("post_checked")]
    shown += [t.field("some_new_field")]
    assert raw_keys(" ".join(shown)) == []
    assert t.field("some_new_field") == "Some new field"
    if lang == "vi":
        assert t.live("passed:turn_right+blink") == "Đạt: quay sang phải, chớp mắt"
        assert t.doc("birth_certificate") == "Giấy khai sinh / Trích lục khai sinh"
        assert t.value("seal", "absent") == "Không có"


def test_templates_reach_every_string_not_a_dict_method() -> None:
    t = translator("vi")
    assert [key for key in _T if hasattr(t, key)] == []  # Jinja's t.X would find the method first


def test_times_are_vietnam_time_and_say_so() -> None:
    assert vietnam_time("2026-11-22T17:30:00+00:00") == "2026-11-23 00:30 GMT+7"
    assert vietnam_time("2026-11-22T17:30:00") == "2026-11-23 00:30 GMT+7"  # stored without a zone: UTC
    assert vietnam_time("2026-11-22T10:00:00+09:00", seconds=True) == "2026-11-22 08:00:00 GMT+7"
    assert vietnam_time(None) == "" and vietnam_time("not a time") == "not a time"
