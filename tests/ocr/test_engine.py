"""OcrEngine on generated pages: readable pages read well, unreadable ones come back as "rescan"."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from kiosk.samples.documents import degrade, make_document
from ocr import DocumentResult, OcrEngine, PageResult
from ocr.config import OcrConfig

from .conftest import cat_photo, metrics


def _assert_boxes_on_ink(page: PageResult) -> None:
    h, w = page.image.shape[:2]
    gray = cv2.cvtColor(page.image, cv2.COLOR_BGR2GRAY)
    assert page.words
    for word in page.words:
        assert (
            word.left >= 0 and word.top >= 0 and word.left + word.width <= w and word.top + word.height <= h
        )
        if word.confidence > 80:
            crop = gray[word.top : word.top + word.height, word.left : word.left + word.width]
            assert crop.min() < 140, f"box of {word.text!r} holds no ink"


def test_clean_birth_certificate_reads_with_type_and_fields(engine: OcrEngine) -> None:
    doc = make_document("birth_certificate", seed=11)
    result = engine.read_document([doc.image])
    page = result.pages[0]
    assert page.quality.ok, page.quality
    assert metrics.cer(result.text, doc.text) < 2.0
    assert page.confidence > 80
    assert result.doc_type == "birth_certificate"
    assert result.fields["id_number"] == doc.fields["id_number"]
    assert result.fields["date_of_birth"] == doc.fields["date_of_birth"]
    _assert_boxes_on_ink(page)
    assert page.dpi == 300


def test_word_boxes_locate_the_words_in_the_page_image(engine: OcrEngine) -> None:
    doc = make_document("residence_confirmation", seed=12)
    page = engine.read_page(degrade(doc.image, "rotated", seed=3))
    assert page.quality.ok
    assert page.quality.metrics["skew_degrees"] != 0
    idn = doc.fields["id_number"]
    word = next(w for w in page.words if idn in w.text)
    # The box fits the printed number tightly in the upright image the words refer to.
    gray = cv2.cvtColor(page.image, cv2.COLOR_BGR2GRAY)
    pad = 8
    rows = np.nonzero(
        (gray[word.top - pad : word.top + word.height + pad, word.left : word.left + word.width] < 128).any(1)
    )[0]
    cols = np.nonzero(
        (gray[word.top : word.top + word.height, word.left - pad : word.left + word.width + pad] < 128).any(0)
    )[0]
    assert abs(rows[0] - pad) <= 5 and abs(rows[-1] - (pad + word.height - 1)) <= 5
    assert abs(cols[0] - pad) <= 5 and abs(cols[-1] - (pad + word.width - 1)) <= 5
    # And cut out on its own, it reads back as (nearly) the same number.
    from ocr import tesseract

    crop = gray[word.top - 20 : word.top + word.height + 20, word.left - 20 : word.left + word.width + 20]
    words = tesseract.run(crop, languages="vie", psm=7, dpi=300, timeout=10)
    assert metrics.levenshtein("".join(w.text for w in words).strip(".,;:"), idn) <= 1
    # The words of one printed line sit on one horizontal line of the upright image.
    line = [w for w in page.words if abs(w.top - word.top) < word.height]
    assert len(line) >= 4


@pytest.mark.parametrize(("kind", "doc_type"), [("noisy", "marriage_certificate"), ("shadow", "land_use_certificate"),
                                                ("faded_jpeg", "id_card"), ("blurred", "diploma")])  # fmt: skip
def test_degraded_pages_still_read(engine: OcrEngine, kind: str, doc_type: str) -> None:
    doc = make_document(doc_type, seed=21)
    result = engine.read_document([degrade(doc.image, kind, seed=21)])
    assert result.pages[0].quality.ok, result.pages[0].quality
    assert metrics.cer(result.text, doc.text) < 3.0
    assert result.doc_type == doc_type


def test_upside_down_page_is_turned_upright(engine: OcrEngine) -> None:
    doc = make_document("other", seed=5)
    page = engine.read_page(cv2.rotate(doc.image, cv2.ROTATE_180))
    assert page.quality.ok, page.quality
    assert page.quality.metrics["quarter_turns"] == 2
    assert metrics.cer(page.text, doc.text) < 3.0
    # The returned image is the upright page: the motto is near its top.
    motto = [w for w in page.words if w.text == "CỘNG"]
    assert motto and motto[0].top < page.image.shape[0] / 4


def test_blank_page_asks_for_a_rescan(engine: OcrEngine) -> None:
    page = engine.read_page(np.full((3508, 2480, 3), 250, np.uint8))
    assert not page.quality.ok
    assert page.quality.reason == "blank"
    assert page.text == "" and page.words == ()
    assert "trống" in page.quality.message_vi and "blank" in page.quality.message_en


def test_cat_photo_is_not_read_as_text(engine: OcrEngine) -> None:
    page = engine.read_page(cat_photo())
    assert not page.quality.ok
    assert page.quality.reason in ("no_text", "unreadable", "blurred", "blank")
    assert page.text == ""
    assert page.confidence <= 30


def test_heavily_blurred_page_is_reported_as_blurred(engine: OcrEngine) -> None:
    doc = make_document("diploma", seed=2)
    page = engine.read_page(cv2.GaussianBlur(doc.image, (0, 0), 9))
    assert not page.quality.ok
    assert page.quality.reason == "blurred"
    assert page.text == ""


def test_dark_scan_is_too_dark(engine: OcrEngine) -> None:
    doc = make_document("other", seed=3)
    page = engine.read_page((doc.image.astype(np.float32) * 0.12).astype(np.uint8))
    assert not page.quality.ok
    assert page.quality.reason in ("too_dark", "blank")


def test_page_cut_off_at_the_edge(engine: OcrEngine) -> None:
    doc = make_document("birth_certificate", seed=4)
    page = engine.read_page(np.ascontiguousarray(doc.image[:, 420:]))
    assert not page.quality.ok
    assert page.quality.reason == "cut_off"


def test_time_bound_stops_a_slow_page() -> None:
    quick = OcrEngine(OcrConfig(page_timeout_s=0.2))
    doc = make_document("land_use_certificate", seed=6)
    page = quick.read_page(degrade(doc.image, "noisy", seed=1))
    assert not page.quality.ok
    assert page.quality.reason == "timeout"
    assert page.text == ""


def test_tiny_and_huge_arrays(engine: OcrEngine) -> None:
    assert engine.read_page(np.zeros((1, 1, 3), np.uint8)).quality.reason == "too_small"
    huge = np.full((9000, 12000), 255, np.uint8)  # 108 Mpx, grayscale: reduced first, then found blank
    page = engine.read_page(huge)
    assert page.quality.reason == "blank"
    assert page.image.shape[0] * page.image.shape[1] <= 16_000_000
    assert page.dpi < 300


def test_document_json_contract(engine: OcrEngine) -> None:
    doc = make_document("id_card", seed=8)
    result = engine.read_document([doc.image, np.full((3508, 2480, 3), 255, np.uint8)])
    assert isinstance(result, DocumentResult)
    data = json.loads(json.dumps(result.to_json(), ensure_ascii=False))
    assert set(data) == {"text", "pages", "doc_type", "fields"}
    assert data["text"].count("\f") == 1
    assert [set(p) for p in data["pages"]] == [{"text", "confidence", "quality"}] * 2
    assert data["pages"][0]["quality"]["ok"] is True
    assert data["pages"][1]["quality"]["reason"] == "blank"
    assert data["doc_type"] == "id_card"
    assert data["fields"]["id_number"] == doc.fields["id_number"]


def test_sideways_page_is_turned_upright(engine: OcrEngine) -> None:
    doc = make_document("residence_confirmation", seed=77)
    page = engine.read_page(cv2.rotate(doc.image, cv2.ROTATE_90_CLOCKWISE))
    assert page.quality.ok, page.quality
    assert page.quality.metrics["quarter_turns"] == 3
    assert page.image.shape[0] > page.image.shape[1], "the upright page is portrait"
    assert metrics.cer(page.text, doc.text) < 3.0


def test_page_on_a_dark_scanner_background_is_cropped(engine: OcrEngine) -> None:
    doc = make_document("other", seed=13)
    canvas = np.full((3900, 2900, 3), 35, np.uint8)
    canvas[200 : 200 + 3508, 210 : 210 + 2480] = doc.image
    page = engine.read_page(canvas)
    assert page.quality.ok, page.quality
    h, w = page.image.shape[:2]
    assert abs(h - 3508) < 60 and abs(w - 2480) < 60
    assert metrics.cer(page.text, doc.text) < 3.0


def test_a_document_needs_pages(engine: OcrEngine) -> None:
    from ocr import ImageError

    with pytest.raises(ImageError, match="at least one page"):
        engine.read_document([])
    with pytest.raises(ImageError, match="not an image array"):
        engine.read_page(np.zeros((0,), np.uint8))


def test_noise_field_is_rejected_before_tesseract(engine: OcrEngine) -> None:
    noise = np.random.default_rng(0).integers(0, 256, (3508, 2480, 3), dtype=np.uint8)
    page = engine.read_page(noise)
    assert not page.quality.ok
    assert page.quality.reason == "no_text"
    assert "words" not in page.quality.metrics, "rejected from its measurements, Tesseract never ran"
