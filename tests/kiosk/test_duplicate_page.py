"""Issue 25 (Deliver 8): the same page scanned twice is flagged before review; another page of the same
type is not. The detector (kiosk.services.duplicate_page) compares the OCR words and a perceptual hash."""

from __future__ import annotations

from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from kiosk.flow import Action, ImmediateRunner, Screen, Service, VisitFlow
from kiosk.samples.documents import make_document
from kiosk.services.duplicate_page import find_duplicate, hash_distance, page_hash, same_page
from tests.kiosk.test_flow import FakeServices


def rescanned(
    image: np.ndarray, *, dx: int = 6, dy: int = -4, angle: float = 0.4, seed: int = 1
) -> np.ndarray:
    """The same sheet laid down again: shifted, slightly turned, with sensor noise."""
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    matrix[0, 2] += dx
    matrix[1, 2] += dy
    moved = cv2.warpAffine(image, matrix, (w, h), borderValue=(255, 255, 255))
    noise = np.random.default_rng(seed).normal(0, 8, moved.shape)
    return np.clip(moved.astype(np.int16) + noise, 0, 255).astype(np.uint8)


def misread(text: str, every: int = 25) -> str:
    """OCR noise: every n-th word read wrong."""
    words = text.split()
    return " ".join(w[::-1] if i % every == 0 else w for i, w in enumerate(words))


@pytest.mark.parametrize("doc_type", ["birth_certificate", "diploma", "residence_confirmation"])
def test_rescan_is_flagged_and_another_document_is_not(doc_type: str) -> None:
    first, other = make_document(doc_type, seed=1), make_document(doc_type, seed=2)
    page = SimpleNamespace(image=first.image, text=first.text)
    again = SimpleNamespace(image=rescanned(first.image), text=misread(first.text))
    different = SimpleNamespace(image=other.image, text=other.text)
    assert same_page(page, again)
    assert not same_page(page, different)
    assert find_duplicate(again, [different, page]) == 1
    assert find_duplicate(different, [page]) is None


def test_picture_alone_when_there_are_too_few_words() -> None:
    doc = make_document("birth_certificate", seed=3)
    photo = SimpleNamespace(image=doc.image, text="")
    assert same_page(photo, SimpleNamespace(image=rescanned(doc.image), text=""))
    other = make_document("diploma", seed=3)
    assert not same_page(photo, SimpleNamespace(image=other.image, text=""))
    assert hash_distance(page_hash(doc.image), page_hash(doc.image)) == 0.0


class DuplicateAwareServices(FakeServices):
    """Pages from the sample generator; the flow's duplicate check is the real detector."""

    def __init__(self) -> None:
        super().__init__()
        self.sheets: list[SimpleNamespace] = []

    def scan_page(self) -> np.ndarray:
        return self.sheets.pop(0).image

    def read_page(self, image: np.ndarray) -> object:
        text = self._texts.get(id(image), "")
        return SimpleNamespace(image=image, quality=SimpleNamespace(ok=True), text=text, confidence=90.0)

    def lay(self, image: np.ndarray, text: str) -> None:
        self._texts = getattr(self, "_texts", {})
        self._texts[id(image)] = text
        self.sheets.append(SimpleNamespace(image=image))

    def find_duplicate(self, page: object, earlier: list[object]) -> int | None:
        return find_duplicate(page, earlier)


def test_the_flow_flags_a_page_scanned_twice_before_review() -> None:
    services = DuplicateAwareServices()
    first, second = make_document("birth_certificate", seed=1), make_document("birth_certificate", seed=2)
    services.lay(first.image, first.text)
    again = rescanned(first.image)
    services.lay(again, misread(first.text))
    services.lay(second.image, second.text)
    flow = VisitFlow(services, ImmediateRunner())
    flow.choose_service(Service.certify)
    flow.card_placed()
    flow.start_face_check()
    flow.scan_page()
    assert len(flow.visit.pages) == 1
    flow.scan_page()  # the same sheet again
    assert flow.screen == Screen.error
    assert flow.visit.error.kind == "duplicate_page" and flow.visit.error.reason == "1"
    # issue 25 walk (W4): scan again (at once), keep it, back to the pages, or cancel
    assert flow.visit.error.actions == (Action.rescan, Action.keep_page, Action.back_to_pages, Action.cancel)
    assert len(flow.visit.pages) == 1  # held, not added
    flow.error_action(Action.back_to_pages)  # drop it, back to the scan screen
    assert flow.screen == Screen.scan and len(flow.visit.pages) == 1
    assert flow.visit.pending_duplicate is None
    flow.scan_page()  # a different certificate of the same type: not flagged
    assert flow.screen == Screen.scan and len(flow.visit.pages) == 2
    flow.pages_done()
    assert flow.screen == Screen.review


def test_the_citizen_may_keep_a_page_flagged_as_a_duplicate() -> None:
    services = DuplicateAwareServices()
    doc = make_document("diploma", seed=4)
    services.lay(doc.image, doc.text)
    services.lay(rescanned(doc.image, seed=2), doc.text)
    flow = VisitFlow(services, ImmediateRunner())
    flow.choose_service(Service.certify)
    flow.card_placed()
    flow.start_face_check()
    flow.scan_page()
    flow.scan_page()
    assert flow.visit.error.kind == "duplicate_page"
    flow.error_action(Action.keep_page)
    assert flow.screen == Screen.scan and len(flow.visit.pages) == 2
