"""The visit state machine, without Qt: every screen, every error path, idle reset and the wipe."""

from __future__ import annotations

import random
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from drivers.errors import PaperOut
from kiosk.errors import UnknownCodeError
from kiosk.flow import LIVENESS_CHALLENGES, Action, ImmediateRunner, Screen, Service, VisitFlow
from kiosk.identity.errors import CardError, LivenessError
from kiosk.runtime.logs import redact
from kiosk.runtime.maintenance_pin import MaintenanceAuth, hash_pin


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeServices:
    """Stands in for the kiosk core; each step can be told to fail."""

    fee_per_page_vnd = 2000

    def __init__(self) -> None:
        self.match = True
        self.bad_pages = 0  # the next N pages come back blurred
        self.paper_out = 0  # the next N print jobs fail
        self.receipt_paper_out = 0  # the next N receipts fail
        self.printed: list[tuple[str, int]] = []
        self.receipts: list[str] = []
        self.card_images: list[np.ndarray] = []
        self.page_images: list[np.ndarray] = []
        self.certified: list[Any] = []

    def scan_card(self) -> np.ndarray:
        image = np.full((40, 60, 3), 200, np.uint8)
        self.card_images.append(image)
        return image

    def read_card(self, image: np.ndarray) -> Any:
        return SimpleNamespace(id_number="001090001234", full_name="Nguyễn Văn An")

    def read_chip(self, card: Any) -> Any:  # no chip reader: the visit goes on from the QR
        return SimpleNamespace(identity_source="qr", portrait=None, qr_only_reason="no_reader")

    def capture_frames(self, count: int, challenge: str = "") -> list[np.ndarray]:
        return [np.full((48, 64, 3), 100, np.uint8) for _ in range(count)]

    def check_liveness(self, challenge: str, frames: Any) -> str:
        return f"passed:{challenge}"

    def verify_face(self, card_image: Any, frames: Any) -> Any:
        return SimpleNamespace(
            match=self.match, distance=0.3 if self.match else 0.8, frames_used=len(frames), reason=None
        )

    def scan_page(self) -> np.ndarray:
        image = np.full((80, 60, 3), 255, np.uint8)
        self.page_images.append(image)
        return image

    def scan_copy(self) -> np.ndarray:
        image = np.full((80, 60, 3), 250, np.uint8)
        self.page_images.append(image)
        return image

    def read_page(self, image: np.ndarray) -> Any:
        bad = self.bad_pages > 0
        self.bad_pages -= 1 if bad else 0
        quality = SimpleNamespace(ok=not bad, reason="blurred" if bad else None)
        return SimpleNamespace(image=image, quality=quality, text="GIẤY KHAI SINH", confidence=90.0)

    def certify(self, visit: Any, progress: Any) -> Any:
        for stage, fraction in (("ocr", 0.3), ("render", 0.6), ("sign", 0.9)):
            progress(stage, fraction)
        copy = SimpleNamespace(code="HN-001-000042-X", doc_type="birth_certificate", pages=len(visit.pages))
        self.certified.append(copy)
        return copy

    def print_copy(self, copy: Any, copies: int) -> None:
        if self.paper_out > 0:
            self.paper_out -= 1
            raise PaperOut("tray 1 empty", category="printer")
        self.printed.append((copy.code, copies))

    def print_receipt(self, copy: Any) -> None:
        if self.receipt_paper_out > 0:
            self.receipt_paper_out -= 1
            raise PaperOut("receipt roll empty", category="receipt_printer")
        self.receipts.append(copy.code)

    def draw_challenge(self) -> str:
        raise RuntimeError("no challenge source: the flow falls back to its built-in challenges")

    def classify_document(self, texts: list[str]) -> str:
        return "birth_certificate" if any("KHAI SINH" in t for t in texts) else "other"

    def reprint(self, code: str) -> Any:
        if code != "HN001-000042-U":
            raise UnknownCodeError(f"no certified copy {code} is kept on this kiosk")
        return SimpleNamespace(code=code, doc_type="birth_certificate", pages=1)

    def reprint_for_holder(self, code: str, card: Any, card_image: Any, frames: Any) -> Any:
        assert card is not None and len(frames) > 0  # only after the holder's card and face
        return self.reprint(code)

    def check_copy(self, image: Any) -> Any:
        return SimpleNamespace(valid=True, code="HN-001-000042-X", reason="ok", pages=1)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def services() -> FakeServices:
    return FakeServices()


@pytest.fixture
def audit() -> list[tuple[str, dict]]:
    return []


@pytest.fixture
def flow(services: FakeServices, clock: FakeClock, audit: list) -> VisitFlow:
    auth = MaintenanceAuth(hash_pin("2468", log2_n=10), clock=clock, audit=lambda e, d: audit.append((e, d)))
    return VisitFlow(
        services,
        ImmediateRunner(),
        idle_timeout_s=60,
        countdown_s=10,
        auth=auth,
        audit=lambda e, d: audit.append((e, d)),
        clock=clock,
        rng=random.Random(1),
    )


def _to_scan(flow: VisitFlow) -> None:
    flow.choose_service(Service.certify)
    flow.card_placed()
    assert flow.screen == Screen.face
    flow.start_face_check()
    assert flow.screen == Screen.scan


def test_whole_visit_prints_and_resets(flow: VisitFlow, services: FakeServices) -> None:
    seen: list[Screen] = []
    flow.subscribe(lambda f: seen.append(f.screen))
    flow.set_language("en")
    flow.choose_service(Service.certify)
    assert flow.screen == Screen.card
    flow.card_placed()
    assert flow.visit.challenge in LIVENESS_CHALLENGES
    flow.start_face_check()
    flow.scan_page()
    flow.scan_page()
    assert len(flow.visit.pages) == 2
    flow.pages_done()
    assert flow.screen == Screen.review
    flow.set_copies(3)
    assert flow.fee_vnd == 2000 * 2 * 3
    flow.set_copies(99)
    assert flow.visit.copies == 5
    flow.set_copies(2)
    flow.confirm()
    assert flow.screen == Screen.done
    assert services.printed == [("HN-001-000042-X", 2)]
    assert services.receipts == ["HN-001-000042-X"]
    assert flow.visit.copy.code == "HN-001-000042-X"
    for screen in (Screen.processing, Screen.printing, Screen.done):
        assert screen in seen
    flow.finish()
    assert flow.screen == Screen.attract
    assert flow.visit.copy is None
    assert flow.visit.pages == []
    assert flow.visit.language == "vi"


def test_progress_is_reported(flow: VisitFlow) -> None:
    _to_scan(flow)
    flow.scan_page()
    flow.pages_done()
    progress: list[tuple[str, float]] = []
    flow.subscribe(lambda f: progress.append((f.visit.progress_stage, f.visit.progress)))
    flow.confirm()
    assert ("ocr", 0.3) in progress
    assert ("sign", 0.9) in progress


def test_no_match_offers_try_again_then_staff(flow: VisitFlow, services: FakeServices, audit: list) -> None:
    services.match = False
    flow.choose_service(Service.certify)
    flow.card_placed()
    for attempt in range(1, 4):
        flow.start_face_check()
        assert flow.screen == Screen.error
        assert flow.visit.error.kind == "no_match"
        if attempt < 3:
            assert Action.try_again in flow.visit.error.actions
            flow.error_action(Action.try_again)
            assert flow.screen == Screen.face
    assert Action.try_again not in flow.visit.error.actions
    assert ("visit.face_no_match", {"distance": 0.8}) in audit
    flow.error_action(Action.call_staff)  # help comes to the kiosk: the visit is kept (issue 15)
    assert flow.screen == Screen.error and flow.visit.card is not None
    flow.error_action(Action.start_over)
    assert flow.screen == Screen.attract


def test_blurred_page_asks_for_rescan(flow: VisitFlow, services: FakeServices) -> None:
    _to_scan(flow)
    services.bad_pages = 1
    flow.scan_page()
    assert flow.screen == Screen.error
    assert flow.visit.error.kind == "page_quality"
    assert flow.visit.error.reason == "blurred"
    assert flow.visit.pages == []
    # The rejected page's pixels are wiped at once.
    assert not services.page_images[-1].any()
    flow.error_action(Action.rescan)  # issue 25: "Scan again" scans again, at once
    assert flow.screen == Screen.scan
    assert len(flow.visit.pages) == 1


def test_rescan_replace_and_remove_pages(flow: VisitFlow, services: FakeServices) -> None:
    _to_scan(flow)
    flow.pages_done()
    assert flow.screen == Screen.error
    assert flow.visit.error.kind == "no_pages"
    flow.error_action(Action.rescan)
    flow.scan_page()
    flow.scan_page()
    first = flow.visit.pages[0]
    flow.scan_page(replace=0)
    assert len(flow.visit.pages) == 2
    assert flow.visit.pages[0] is not first
    assert not first.image.any()
    flow.remove_page(1)
    assert len(flow.visit.pages) == 1


def test_paper_out_retries_printing_without_new_certificate(flow: VisitFlow, services: FakeServices) -> None:
    _to_scan(flow)
    flow.scan_page()
    flow.pages_done()
    services.paper_out = 1
    flow.confirm()
    assert flow.screen == Screen.error
    assert flow.visit.error.kind == "paper_out"
    assert Action.try_again in flow.visit.error.actions
    flow.error_action(Action.try_again)
    assert flow.screen == Screen.done
    assert len(services.certified) == 1
    assert services.printed == [("HN-001-000042-X", 1)]


def test_receipt_fault_retries_the_receipt_only(flow: VisitFlow, services: FakeServices) -> None:
    _to_scan(flow)
    flow.scan_page()
    flow.pages_done()
    services.receipt_paper_out = 1
    flow.confirm()
    assert flow.screen == Screen.error
    assert flow.visit.error.kind == "paper_out"
    assert flow.visit.error.reason == "device.receipt_printer.paper_out"
    assert services.printed == [("HN-001-000042-X", 1)]
    flow.error_action(Action.try_again)
    assert flow.screen == Screen.done
    # The A4 copy went out once; only the receipt was printed again.
    assert services.printed == [("HN-001-000042-X", 1)]
    assert services.receipts == ["HN-001-000042-X"]
    assert len(services.certified) == 1


def test_unreadable_card_offers_rescan(flow: VisitFlow, services: FakeServices) -> None:
    def broken(image: Any) -> Any:
        raise CardError("no QR", reason="no_qr")

    services.read_card = broken  # type: ignore[method-assign]
    flow.choose_service(Service.certify)
    flow.card_placed()
    assert flow.screen == Screen.error
    assert flow.visit.error.kind == "card_unreadable"
    scans = len(services.card_images)
    flow.error_action(Action.rescan)  # issue 25: "Scan again" scans the card again at once
    assert len(services.card_images) == scans + 1
    assert flow.screen == Screen.error and flow.visit.error.kind == "card_unreadable"  # still no QR


def test_check_copy_and_reprint(flow: VisitFlow, services: FakeServices, audit: list) -> None:
    flow.choose_service(Service.check)
    flow.check_placed()
    assert flow.screen == Screen.check_result
    assert flow.visit.verification.valid
    flow.finish()
    flow.choose_service(Service.reprint)
    flow.set_reprint_code("hn001-000042-x ")
    assert flow.visit.reprint_code == "HN001-000042-X"
    flow.submit_reprint()  # a wrong check character is said at once, before the card is asked for
    assert flow.screen == Screen.error
    assert flow.visit.error.kind == "code_not_found"
    flow.error_action(Action.try_again)
    flow.set_reprint_code("HN001-000042-U")
    flow.submit_reprint()
    assert flow.screen == Screen.card  # the holder's card, then the face (issue 15)
    flow.card_placed()
    flow.start_face_check()
    assert flow.screen == Screen.done
    assert ("visit.reprint", {"code": "HN001-000042-U"}) in audit


def test_idle_countdown_then_reset(flow: VisitFlow, clock: FakeClock) -> None:
    flow.choose_service(Service.certify)
    clock.now += 59
    assert not flow.idle_status().countdown
    clock.now += 2
    status = flow.idle_status()
    assert status.countdown
    assert 8 < status.seconds_left <= 10
    flow.still_here()
    assert not flow.idle_status().countdown
    clock.now += 71
    flow.idle_status()
    assert flow.screen == Screen.attract


def test_busy_screens_do_not_time_out(flow: VisitFlow, clock: FakeClock) -> None:
    _to_scan(flow)
    flow.scan_page()
    flow.pages_done()
    flow.screen = Screen.processing
    clock.now += 500
    assert not flow.idle_status().countdown
    assert flow.screen == Screen.processing


def test_reset_wipes_the_citizen(flow: VisitFlow, services: FakeServices) -> None:
    _to_scan(flow)
    flow.scan_page()
    tmp = flow.temp_dir()
    (tmp / "scan.png").write_bytes(b"x")
    frames = list(flow.visit.frames)
    assert "Nguyễn Văn An" not in redact("name Nguyễn Văn An")
    flow.reset(reason="idle")
    assert not Path(tmp).exists()
    assert not services.card_images[0].any()
    assert not services.page_images[0].any()
    assert all(not f.any() for f in frames)
    assert flow.visit.card is None
    assert flow.visit.frames == []
    assert flow.visit.temp_dir is None
    # The redactor no longer carries the old name (nothing of the visit lingers there either).
    assert redact("Nguyễn Văn An") == "Nguyễn Văn An"


def test_late_result_of_reset_visit_is_dropped(services: FakeServices, clock: FakeClock) -> None:
    class ParkedRunner:
        def __init__(self) -> None:
            self.parked: list[Any] = []

        def submit(self, name, work, done, failed, progress=None):
            self.parked.append((work, done))

    runner = ParkedRunner()
    flow = VisitFlow(services, runner, clock=clock)
    flow.choose_service(Service.certify)
    flow.card_placed()
    flow.reset(reason="idle")
    work, done = runner.parked[0]
    done(work(lambda s, f: None))
    assert flow.screen == Screen.attract
    assert flow.visit.card is None
    # The late card image was wiped rather than kept.
    assert not services.card_images[0].any()


def test_maintenance_gesture_pin_and_lockout(flow: VisitFlow, clock: FakeClock, audit: list) -> None:
    for _ in range(4):
        flow.secret_tap()
        clock.now += 1
    assert flow.screen == Screen.attract  # 4 taps spread over 4 s do not open it
    for _ in range(5):
        flow.secret_tap()
        clock.now += 0.2
    assert flow.screen == Screen.maintenance_pin
    for _ in range(4):
        flow.enter_pin("0000")
        assert flow.pin_message == "wrong"
    flow.enter_pin("0000")
    assert flow.pin_message == "locked"
    flow.enter_pin("2468")  # the right PIN is refused while locked
    assert flow.screen == Screen.maintenance_pin
    assert flow.pin_message == "locked"
    clock.now += 31
    flow.enter_pin("2468")
    assert flow.screen == Screen.maintenance
    events = [e for e, _ in audit]
    assert "maintenance.gesture" in events
    assert "maintenance.login" in events
    assert "maintenance.lockout" in events
    flow.exit_maintenance()
    assert flow.screen == Screen.attract
    assert "maintenance.logout" in [e for e, _ in audit]


def test_events_out_of_place_are_ignored(flow: VisitFlow, services: FakeServices) -> None:
    flow.card_placed()
    flow.scan_page()
    flow.confirm()
    flow.error_action(Action.rescan)
    assert flow.screen == Screen.attract
    assert services.card_images == []
    assert services.page_images == []


def test_liveness_failure_draws_a_new_challenge(flow: VisitFlow, services: FakeServices) -> None:
    def refuse(challenge: str, frames: Any) -> str:
        raise LivenessError("a still photo", reason="static_photo")

    flow.choose_service(Service.certify)
    flow.card_placed()
    services.check_liveness = refuse  # type: ignore[method-assign]
    flow.start_face_check()
    assert flow.screen == Screen.error
    assert flow.visit.error.kind == "liveness_failed"
    assert flow.visit.face is None  # no face decision is kept when liveness failed
    flow.error_action(Action.try_again)
    assert flow.screen == Screen.face
    assert flow.visit.challenge in LIVENESS_CHALLENGES


def test_steps_are_numbered_from_one_list() -> None:
    from kiosk.flow import VISIT_STEPS, step_of

    total = len(VISIT_STEPS)
    assert step_of(Screen.card) == (1, total)
    assert step_of(Screen.review) == (4, total)
    assert step_of(Screen.processing) == step_of(Screen.printing) == (total, total)
    assert step_of(Screen.attract) is None
    assert step_of(Screen.error) is None
