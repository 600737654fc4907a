"""The bench's hard cases (kiosk.samples.cases): well formed, and each read within the issue's bound."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.samples.cases import CASES, make_case
from ocr import OcrEngine

from .conftest import metrics


@pytest.mark.parametrize("case", CASES)
def test_case_pages_are_well_formed_and_vary_by_seed(case: str) -> None:
    a, b = make_case(case, 1), make_case(case, 2)
    assert a.image.dtype == np.uint8 and a.image.ndim == 3
    assert a.text and a.text != b.text
    assert a.dpi == (150 if case == "scan150" else 300)
    if case == "turned90":
        assert a.image.shape[1] > a.image.shape[0], "lies sideways"
    if case == "seal":
        assert a.fields["seal"] == "present"
        red = (a.image[:, :, 2].astype(int) - a.image[:, :, 1] > 80).mean()
        assert red > 0.002, "the seal is red ink"


@pytest.mark.parametrize("case", CASES)
def test_each_case_is_read(engine: OcrEngine, case: str) -> None:
    doc = make_case(case, 41)
    result = engine.read_document([doc.image], dpi=doc.dpi)
    assert result.pages[0].quality.ok, result.pages[0].quality
    assert metrics.cer(result.text, doc.text) < 3.0
    assert metrics.word_recall(result.text, doc.text) >= 95.0


def test_unknown_case_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown case"):
        make_case("coffee_stain")
