"""pytest-qt on the offscreen platform; a stand-in for the kiosk core that can be slow or fail on demand."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import logging
import threading
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from drivers.errors import PaperOut
from kiosk.config import parse_config
from kiosk.errors import UnknownCodeError


class SlowFakeServices:
    """Stands in for kiosk.pipeline.visit_pipeline.VisitPipeline in the UI tests. `delay_s` makes every call slow (a
    deliberately slow simulated device); `gate` lets a test hold a call until it releases it."""

    fee_per_page_vnd = 2000

    def __init__(self, delay_s: float = 0.0) -> None:
        self.delay_s = delay_s
        self.gate: threading.Event | None = None
        self.match = True
        self.bad_pages = 0
        self.paper_out = 0
        self.printed: list[tuple[str, int]] = []
        self.receipts: list[str] = []
        self.images: list[np.ndarray] = []
        self.threads: set[str] = set()
        self.holder = "001090001234"  # the holder of the copy the reprint tests ask for
        self.reprinted: list[str] = []
        self.receipt_out = 0  # receipt prints that fail (paper out) before one succeeds
        self.receipt_payments: list[dict[str, Any]] = []
        self.photos = 0
        self.online: Any = SimpleNamespace(checked=True, status="post_checked", revoked_reason=None)
        self.face_in_view = True  # whether the camera preview finds a face
        self.fail_with: BaseException | None = None  # raised by certify and reprint (an internal fault)

    def _work(self) -> None:
        self.threads.add(threading.current_thread().name)
        if self.gate is not None:
            self.gate.wait(10)
        if self.delay_s:
            threading.Event().wait(self.delay_s)  # a device that takes its time

    def _image(self, h: int, w: int, value: int) -> np.ndarray:
        image = np.full((h, w, 3), value, np.uint8)
        image[h // 4 : h // 2, w // 4 : w // 2] = 30
        self.images.append(image)
        return image

    def scan_card(self) -> np.ndarray:
        self._work()
        return self._image(540, 856, 220)

    def read_card(self, image: Any) -> Any:
        return SimpleNamespace(
            id_number="001090001234", full_name="NGUYỄN VĂN AN", masked_id=lambda: "001******234"
        )

    def read_chip(self, card: Any) -> Any:  # no chip reader: the visit goes on from the QR
        return SimpleNamespace(identity_source="qr", portrait=None, qr_only_reason="no_reader")

    def capture_frames(self, count: int, challenge: str = "") -> list[np.ndarray]:
        self._work()
        return [self._image(480, 640, 90) for _ in range(count)]

    def draw_challenge(self) -> str:
        return "turn_left+blink"

    def check_liveness(self, challenge: str, frames: Any) -> str:
        return f"passed:{challenge}"

    def verify_face(self, card_image: Any, frames: Any) -> Any:
        return SimpleNamespace(
            match=self.match, distance=0.31 if self.match else 0.82, frames_used=len(frames), reason=None
        )

    def scan_page(self) -> np.ndarray:
        self._work()
        return self._image(1100, 780, 250)

    def scan_copy(self) -> np.ndarray:
        self._work()
        return self._image(1100, 780, 245)

    def photo_copy(self) -> np.ndarray:
        self._work()
        self.photos += 1
        return self._image(1200, 1600, 70)

    def copy_status(self, code: str) -> Any:
        return self.online

    def read_page(self, image: Any) -> Any:
        bad = self.bad_pages > 0
        if bad:
            self.bad_pages -= 1
        quality = SimpleNamespace(ok=not bad, reason="blurred" if bad else None)
        return SimpleNamespace(
            image=image, quality=quality, text="GIẤY KHAI SINH", doc_type="birth_certificate", dpi=300
        )

    def classify_document(self, texts: list[str]) -> str:
        return "birth_certificate" if any("KHAI SINH" in t for t in texts) else "other"

    def certify(self, visit: Any, progress: Any) -> Any:
        if self.fail_with is not None:
            raise self.fail_with
        for stage, fraction in (("classify", 0.1), ("code", 0.2), ("sign", 0.35), ("save", 0.8)):
            self._work()
            progress(stage, fraction)
        return SimpleNamespace(code="HN001-000042-U", doc_type="birth_certificate", pages=len(visit.pages))

    def print_copy(self, copy: Any, copies: int) -> None:
        self._work()
        if self.paper_out > 0:
            self.paper_out -= 1
            raise PaperOut("tray empty", category="printer")
        self.printed.append((copy.code, copies))

    def print_receipt(self, copy: Any, **paid: Any) -> None:
        self._work()
        if self.receipt_out > 0:
            self.receipt_out -= 1
            raise PaperOut("receipt roll empty", category="receipt_printer")
        self.receipts.append(copy.code)
        self.receipt_payments.append(paid)

    def reprint(self, code: str) -> Any:
        self._work()
        if self.fail_with is not None:
            raise self.fail_with
        if code != "HN001-000042-U":
            raise UnknownCodeError(f"no certified copy {code} is kept on this kiosk")
        return SimpleNamespace(code=code)

    def reprint_for_holder(self, code: str, card: Any, card_image: Any, frames: Any) -> Any:
        """The holder's reprint: `holder` is the only card ID number allowed to reprint."""
        from kiosk.services.reprint import ReprintRefused

        self._work()
        if self.fail_with is not None:
            raise self.fail_with
        if code != "HN001-000042-U":
            raise UnknownCodeError(f"no certified copy {code} is kept on this kiosk")
        if card.id_number != self.holder:
            raise ReprintRefused("this card is not the holder's card", reason_key="not_holder")
        if not self.match:
            raise ReprintRefused("the live face does not match the card portrait", reason_key="face_mismatch")
        self.reprinted.append(code)
        return SimpleNamespace(code=code)

    def check_copy(self, image: Any) -> Any:
        return SimpleNamespace(
            valid=True,
            code="HN001-000042-U",
            reason="ok",
            pages=1,
            issued_at=None,
            doc_type="birth_certificate",
        )

    def preview_frame(self) -> tuple[np.ndarray, tuple[int, int, int, int]]:
        self._work()
        return self._image(480, 640, 120), ((200, 100, 220, 260) if self.face_in_view else None)


@pytest.fixture
def fake_services() -> SlowFakeServices:
    return SlowFakeServices()


@pytest.fixture
def audit_events() -> list[tuple[str, dict]]:
    return []


@pytest.fixture
def make_kiosk(qtbot: Any, audit_events: list, tmp_path: Any):
    """Build a window over given services at a given size; closed at teardown."""
    from ui.app import build_kiosk

    made = []

    def make(services: Any, *, size: tuple[int, int] = (1280, 800), language: str = "vi", **ui: Any) -> Any:
        config = parse_config({"kiosk": {"data_dir": str(tmp_path)}, "ui": {"language": language, **ui}})
        kiosk = build_kiosk(
            config,
            services=services,
            size=size,
            audit=lambda e, d: audit_events.append((e, d)),
            windowed=True,
        )
        qtbot.addWidget(kiosk.window)
        kiosk.window.show()
        made.append(kiosk)
        return kiosk

    yield make
    for kiosk in made:
        kiosk.runner.wait_all(10000)
        kiosk.window.preview.stop()
        kiosk.window.idle_timer.stop()
        kiosk.window.page_builder.stop()
        kiosk.window.voice.stop()
        kiosk.restore_hooks()
        logging.getLogger().removeHandler(kiosk.logs)
