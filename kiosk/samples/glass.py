"""What the simulated scanner and camera see: sample media for a kiosk that has no hardware.

The simulated devices are product code: the demo, the development window and the tests all run the
whole kiosk on them. `SampleGlass` stands for the scanner glass. The kiosk tells it what it has just asked
the citizen to lay down (`KioskApp.prompted`), and it shows a sample of that kind: a generated CCCD card
front with the bundled public-domain portrait, the pages of a generated Vietnamese document, or (to check a
copy) page 1 of the newest certified copy this kiosk issued, as a 150 dpi scan of its printout.
The person in front of the simulated camera is `kiosk.identity.simulated_subject.SimulatedSubject`.
"""

from __future__ import annotations

import subprocess
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from kiosk.samples.card import make_card_image, sample_id_photo
from kiosk.samples.documents import make_document

DEMO_CITIZEN: dict[str, Any] = {
    "id_number": "001190012345",
    "old_id": "013456789",
    "full_name": "NGUYỄN THỊ MINH ANH",
    "date_of_birth": date(1990, 3, 15),
    "sex": "Nữ",
    "address": "Số 12 Phố Hàng Bạc, Phường Hàng Buồm, Quận Hoàn Kiếm, Hà Nội",
    "issue_date": date(2021, 7, 1),
}


@dataclass
class SampleGlass:
    """The simulated scanner glass. Thread-safe: a device worker scans while the flow prompts."""

    doc_type: str = "birth_certificate"
    pages: int = 1
    seed: int = 7
    # Where this kiosk keeps the copies it issued: a citizen checking a copy lays the newest one down.
    copies_dir: Path | None = None
    _expecting: str = "card"
    _page_index: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _cache: dict[str, np.ndarray] = field(default_factory=dict)

    def set_document(self, doc_type: str, *, pages: int = 1, seed: int | None = None) -> None:
        with self._lock:
            self.doc_type, self.pages = doc_type, pages
            self.seed = self.seed if seed is None else seed
            self._page_index = 0
            self._cache = {k: v for k, v in self._cache.items() if k == "card"}

    def expect(self, item: str) -> None:
        with self._lock:
            if item == "document" and self._expecting == "document":
                self._page_index = (self._page_index + 1) % max(self.pages, 1)
            elif item == "document":
                self._page_index = 0
            self._expecting = item

    def next_image(self) -> np.ndarray:
        with self._lock:
            if self._expecting == "card":
                key = "card"
                if key not in self._cache:
                    self._cache[key] = sample_card_image()
            elif self._expecting == "copy" and (printed := self._printed_copy()) is not None:
                return printed
            else:
                key = f"page{self._page_index}"
                if key not in self._cache:
                    self._cache[key] = sample_document_page(self.doc_type, self.seed + self._page_index)
            return self._cache[key].copy()

    def _printed_copy(self) -> np.ndarray | None:
        """Page 1 of the newest certified copy, as a 150 dpi scan of its printout would show it."""
        copies = (
            sorted(self.copies_dir.glob("*.pdf"), key=lambda p: p.stat().st_mtime) if self.copies_dir else []
        )
        if not copies:
            return None
        result = subprocess.run(
            ["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", str(copies[-1])],
            capture_output=True,
            timeout=60,
            check=False,
        )
        image = (
            cv2.imdecode(np.frombuffer(result.stdout, np.uint8), cv2.IMREAD_COLOR) if result.stdout else None
        )
        return image


def sample_card_image() -> np.ndarray:
    # already framed: make_card_image does not look for the face (no dlib in the screen's process)
    return make_card_image(portrait=sample_id_photo(), **DEMO_CITIZEN)


def sample_document_page(doc_type: str, seed: int) -> np.ndarray:
    return make_document(doc_type, seed=seed).image
