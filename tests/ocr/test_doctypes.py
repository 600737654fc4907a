"""Every registered document type is complete: phrases, a field extractor, a sample, a title, a translation."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import kiosk.samples.documents as documents
from kiosk.samples.documents import SAMPLE_TYPES, make_document
from ocr import DOC_TYPES, classify, extract_fields
from ocr.doctypes import REGISTRY

TRANSLATIONS = Path(__file__).resolve().parents[2] / "ui" / "translations"
KEYS = [kind.key for kind in REGISTRY]


def _translated(context: str) -> dict[str, str]:
    """source -> translation of one context of every .ts file, finished entries only."""
    found: dict[str, str] = {}
    for ts in sorted(TRANSLATIONS.glob("kiosk_*.ts")):
        for ctx in ET.parse(ts).getroot().iter("context"):
            if ctx.findtext("name") != context:
                continue
            for message in ctx.iter("message"):
                translation = message.find("translation")
                if translation is not None and translation.get("type") not in ("unfinished", "obsolete"):
                    found[f"{ts.stem}:{message.findtext('source')}"] = translation.text or ""
    return found


def test_the_registry_is_the_list_of_types() -> None:
    assert tuple(KEYS) == DOC_TYPES
    assert len(set(KEYS)) == len(KEYS)
    assert KEYS[-1] == "other"  # what no other type claims


@pytest.mark.parametrize("kind", REGISTRY, ids=KEYS)
def test_each_type_has_phrases_and_a_field_extractor(kind) -> None:  # type: ignore[no-untyped-def]
    assert kind.title
    assert callable(kind.fields)
    if kind.key != "other":
        assert any(weight >= 6 for _, weight in kind.phrases), "a title phrase that decides the type"


@pytest.mark.parametrize("key", KEYS)
def test_each_type_has_a_sample_that_reads_as_it(key: str) -> None:
    assert key in SAMPLE_TYPES
    sample = make_document(key, seed=0)
    assert sample.doc_type == key
    assert classify(sample.text) == key
    found = extract_fields(key, sample.text)
    assert {k: found.get(k) for k in sample.fields} == sample.fields


def test_each_type_has_its_message_and_translations() -> None:
    from ui import messages

    ts_files = sorted(TRANSLATIONS.glob("kiosk_*.ts"))
    assert ts_files
    translated = _translated(messages.CONTEXT)
    for kind in REGISTRY:
        assert messages.DOC_TYPES[kind.key] == kind.title
        for ts in ts_files:
            text = translated.get(f"{ts.stem}:{kind.title}")
            assert text, f"{ts.name} has no translation of {kind.title!r} ({kind.key})"


def test_sample_seeds_come_from_the_key_not_the_position(monkeypatch: pytest.MonkeyPatch) -> None:
    before = make_document("diploma", seed=3)
    # Another type list (one added in front, the order changed) leaves the diploma's sample as it was.
    monkeypatch.setattr(documents, "DOC_TYPES", ("new_type", *reversed(DOC_TYPES)))
    after = make_document("diploma", seed=3)
    assert after.text == before.text
    assert np.array_equal(after.image, before.image)
    assert make_document("diploma", seed=4).text != before.text


def test_an_unknown_type_has_no_sample() -> None:
    with pytest.raises(ValueError, match="unknown document type"):
        make_document("passport")
