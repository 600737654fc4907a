"""The synthetic page generator: right size, ground truth that matches its own fields, variety by seed."""

from __future__ import annotations

import re

import numpy as np
import pytest

from kiosk.samples.documents import DEGRADATIONS, DOC_TYPES, degrade, make_document


@pytest.mark.parametrize("doc_type", DOC_TYPES)
def test_page_is_a4_at_300_dpi_with_ground_truth(doc_type: str) -> None:
    doc = make_document(doc_type, seed=3)
    assert doc.image.shape == (3508, 2480, 3)
    assert doc.image.dtype == np.uint8
    assert doc.doc_type == doc_type
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in doc.text
    assert (doc.image < 128).any(), "the page has ink"
    for key, value in doc.fields.items():
        assert value, key
        if "date" in key:
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), (key, value)
        if key.endswith("id_number"):
            assert re.fullmatch(r"\d{12}", value), (key, value)
            assert value in doc.text
        if key.endswith("name"):
            assert value in doc.text


def test_same_seed_same_page_other_seed_other_page() -> None:
    a, b, c = (
        make_document("birth_certificate", 1),
        make_document("birth_certificate", 1),
        make_document("birth_certificate", 2),
    )
    assert a.text == b.text
    assert np.array_equal(a.image, b.image)
    assert a.text != c.text
    fonts = {make_document("diploma", seed).font for seed in range(12)}
    assert len(fonts) >= 3, "several fonts are used"


@pytest.mark.parametrize("kind", DEGRADATIONS)
def test_degradations_keep_the_page_size(kind: str) -> None:
    page = make_document("other", 0).image
    out = degrade(page, kind, seed=1)
    assert out.shape == page.shape
    assert out.dtype == np.uint8
    if kind != "clean":
        assert not np.array_equal(out, page)


def test_unknown_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown document type"):
        make_document("passport")
    with pytest.raises(ValueError, match="unknown degradation"):
        degrade(make_document("other").image, "coffee_stain")
