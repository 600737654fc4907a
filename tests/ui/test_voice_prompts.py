"""Issue 25 deliver 2 (walk W3): with voice on, everything shown is spoken, at a pace an elderly citizen can
follow. The kiosk's espeak command is a fake speaker that logs each prompt's start and, only when it was
not cut off, its end (as the walker's wrapper did), so the tests see what a citizen would have heard whole.
A new screen cuts what is being said; a hint, a liveness step or a new line on the same screen waits."""

from __future__ import annotations

import logging
import stat
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from kiosk.flow import Screen
from kiosk.services.payment import PaymentService
from tests.payment.conftest import api, backend, gateway, pki  # noqa: F401 (fixtures)
from tests.ui.conftest import SlowFakeServices
from tests.ui.test_visit import click, run_to_review, wait_screen
from ui import screens_face
from ui.voice import Voice, clean, sentences, split_sentences, visible_texts

pytestmark = pytest.mark.timeout(180)

SPEAK_S = 0.4  # how long the fake speaker "speaks" each prompt


class Speaker:
    """A fake espeak-ng: each run appends `START <id> <text>` to a log, "speaks" for SPEAK_S, then appends
    `DONE <id>`; a run killed while speaking never writes its DONE."""

    def __init__(self, folder: Path) -> None:
        self.log = folder / "voice.log"
        self.command = folder / "fake-espeak"
        self.command.write_text(
            "#!/bin/sh\n"
            "for text; do :; done\n"
            f'echo "START $$ $text" >> "{self.log}"\n'
            f"sleep {SPEAK_S}\n"
            f'echo "DONE $$" >> "{self.log}"\n'
        )
        self.command.chmod(self.command.stat().st_mode | stat.S_IXUSR)

    def events(self) -> list[tuple[str, str, str]]:
        """(START or DONE, run id, text) in the order they happened."""
        if not self.log.exists():
            return []
        out = []
        for line in self.log.read_text().splitlines():
            kind, run, *text = line.split(" ", 2)
            out.append((kind, run, text[0] if text else ""))
        return out

    def started(self) -> list[str]:
        return [text for kind, _run, text in self.events() if kind == "START"]

    def heard_whole(self) -> list[str]:
        """The prompts that were spoken to their end."""
        done = {run for kind, run, _ in self.events() if kind == "DONE"}
        return [text for kind, run, text in self.events() if kind == "START" and run in done]

    def cut(self) -> list[str]:
        done = {run for kind, run, _ in self.events() if kind == "DONE"}
        return [text for kind, run, text in self.events() if kind == "START" and run not in done]

    def index_of(self, kind: str, fragment: str) -> int:
        """Where the START (or the DONE) of the first run whose text is `fragment` (or else holds it) is in
        the log."""
        events = self.events()
        runs = [r for k, r, t in events if k == "START" and fragment == t]
        run = (runs or [r for k, r, t in events if k == "START" and fragment in t])[0]
        return next(i for i, (k, r, _t) in enumerate(events) if k == kind and r == run)


@pytest.fixture
def speaker(tmp_path: Path) -> Speaker:
    return Speaker(tmp_path)


def said(kiosk: Any) -> str:
    return " ".join(text for _language, text in kiosk.window.voice.spoken)


def shown(kiosk: Any, screen: Screen) -> list[str]:
    widget = kiosk.window.screens[screen]
    return visible_texts(widget, skip=(getattr(widget, "countdown", None),))


def assert_everything_shown_is_said(kiosk: Any, screen: Screen, since: int) -> None:
    spoken = " ".join(text for _language, text in kiosk.window.voice.spoken[since:])
    missing = [
        text
        for text in shown(kiosk, screen)
        if not all(s in spoken for s in split_sentences(sentences([text])))
    ]
    assert missing == [], f"{screen}: shown but not said"


# -- the prompt as espeak reads it --------------------------------------------------------------------------


def test_a_prompt_is_sentences_without_the_marks_drawn_for_the_eye() -> None:
    assert sentences(["Đặt thẻ căn cước lên mặt kính", "Úp thẻ xuống, rồi bấm “Tiếp tục”."]) == (
        "Đặt thẻ căn cước lên mặt kính. Úp thẻ xuống, rồi bấm “Tiếp tục”."
    )
    assert sentences(["Hủy giao dịch?", "", "Tiếp tục giao dịch"]) == "Hủy giao dịch? Tiếp tục giao dịch."
    assert clean("▶ 2. Chớp mắt hai lần") == "2. Chớp mắt hai lần"
    assert clean("✓ Giọng đọc") == "Giọng đọc"
    assert clean("⏳ Đang chờ <b>ngân hàng</b> xác nhận…") == "Đang chờ ngân hàng xác nhận…"


# -- the queue: a screen cuts, a hint waits ------------------------------------------------------------------


def test_a_hint_waits_for_the_prompt_and_a_new_screen_cuts_it(
    qtbot: Any, speaker: Speaker, caplog: Any
) -> None:
    voice = Voice(str(speaker.command))
    voice.enabled = True
    voice.say("Nhìn vào camera. Bấm Bắt đầu.", "vi")
    voice.queue("Lại gần camera thêm một chút.", "vi")
    voice.queue("Nhìn vào camera.", "vi")  # already being said: not said twice
    qtbot.waitUntil(lambda: len(speaker.heard_whole()) == 2, timeout=10000)
    assert speaker.started() == ["Nhìn vào camera. Bấm Bắt đầu.", "Lại gần camera thêm một chút."]
    # the speaker writes what it heard before it exits; Qt reports the exit a moment later
    qtbot.waitUntil(lambda: not voice.speaking, timeout=5000)
    assert speaker.started() == ["Nhìn vào camera. Bấm Bắt đầu.", "Lại gần camera thêm một chút."]
    caplog.set_level(logging.INFO, logger="ui.voice")
    voice.say("Một màn hình dài, đang đọc.", "vi")
    voice.queue("Một gợi ý chờ sau.", "vi")
    qtbot.waitUntil(lambda: len(speaker.started()) == 3, timeout=5000)
    voice.say("Màn hình mới.", "vi")  # the screen changed: cut, and the hint of the old screen is dropped
    qtbot.waitUntil(lambda: "Màn hình mới." in speaker.heard_whole(), timeout=10000)
    qtbot.wait(int(SPEAK_S * 1000) + 300)
    assert speaker.cut() == ["Một màn hình dài, đang đọc."]
    assert "Một gợi ý chờ sau." not in speaker.started()
    assert not [r for r in caplog.records if "failed" in r.getMessage()]  # a cut on purpose is no failure


def test_what_a_screen_shows_now_replaces_what_it_showed_before_it_was_said(
    qtbot: Any, speaker: Speaker
) -> None:
    """A code typed key by key: while the screen's prompt is said, only the code as it stands waits."""
    voice = Voice(str(speaker.command))
    voice.enabled = True
    voice.say("Nhập mã số bản sao.", "vi")
    for typed in ("H", "HN", "HN0"):
        voice.queue(typed, "vi", replaces="screen changes")
    voice.queue("Gợi ý.", "vi")  # a hint of another kind keeps its place
    qtbot.waitUntil(lambda: len(speaker.heard_whole()) == 3, timeout=10000)
    assert speaker.started() == ["Nhập mã số bản sao.", "HN0", "Gợi ý."]


def test_the_face_instruction_is_heard_whole_before_the_hint(
    qtbot: Any, make_kiosk: Any, fake_services: Any, speaker: Speaker
) -> None:
    fake_services.face_in_view = False  # the citizen is not yet in front of the camera
    kiosk = make_kiosk(fake_services, voice=True, espeak_command=str(speaker.command))
    w = kiosk.window
    click(qtbot, w.screens[Screen.attract].certify)
    wait_screen(qtbot, kiosk, Screen.card)
    click(qtbot, w.screens[Screen.card].go)
    wait_screen(qtbot, kiosk, Screen.face)
    face = w.screens[Screen.face]
    qtbot.waitUntil(lambda: w.preview.face_seen is False, timeout=10000)
    hint = face.reason.text()
    assert hint.startswith("Không thấy khuôn mặt")
    qtbot.waitUntil(lambda: hint in speaker.heard_whole(), timeout=15000)
    instruction = face.instruction.text()
    assert speaker.index_of("DONE", instruction) < speaker.index_of("START", hint)
    assert instruction not in " ".join(speaker.cut())
    assert all(s in said(kiosk) for s in split_sentences(face.spoken_prompt()))


class CapturingUntilReleased(SlowFakeServices):
    """The camera captures the liveness challenge until the test releases it."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

        self.log: Path | None = None  # the speaker's log, where the capture's start is marked

    def capture_frames(self, count: int, challenge: str = "") -> list[np.ndarray]:
        if self.log is not None:
            with self.log.open("a") as log:
                log.write("CAPTURE 0 the camera starts the challenge\n")
        self.release.wait(30)
        return super().capture_frames(count, challenge)


def test_each_liveness_step_waits_for_the_one_before(
    qtbot: Any, make_kiosk: Any, speaker: Speaker, monkeypatch: Any
) -> None:
    monkeypatch.setattr(screens_face, "FACE_STEP_S", 0.05)  # the steps light up faster than they are said
    services = CapturingUntilReleased()
    services.log = speaker.log
    kiosk = make_kiosk(services, voice=True, espeak_command=str(speaker.command))
    w = kiosk.window
    click(qtbot, w.screens[Screen.attract].certify)
    wait_screen(qtbot, kiosk, Screen.card)
    click(qtbot, w.screens[Screen.card].go)
    wait_screen(qtbot, kiosk, Screen.face)
    face = w.screens[Screen.face]
    qtbot.waitUntil(face.go.isEnabled, timeout=10000)
    click(qtbot, face.go)
    steps = ["Quay đầu từ từ sang trái", "Chớp mắt hai lần"]  # the fake's challenge, turn_left+blink
    qtbot.waitUntil(lambda: all(s in speaker.heard_whole() for s in steps), timeout=15000)
    assert speaker.index_of("DONE", steps[0]) < speaker.index_of("START", steps[1])
    # the camera's step window opened once the first step had been said whole, not at the press
    capture = [kind for kind, _run, _text in speaker.events()].index("CAPTURE")
    assert speaker.index_of("DONE", steps[0]) < capture
    services.release.set()  # the check ends: the next screen is said
    wait_screen(qtbot, kiosk, Screen.scan)
    scan_title = w.screens[Screen.scan].title.text()
    qtbot.waitUntil(lambda: any(scan_title in t for t in speaker.started()), timeout=10000)


# -- everything shown is said --------------------------------------------------------------------------------


def test_every_screen_of_a_visit_says_all_it_shows(qtbot: Any, make_kiosk: Any, fake_services: Any) -> None:
    """No speaker needed: what the window asks the voice to say, screen by screen, against what it shows
    (the walk found the card's side line, "page N scanned", the review's fee and the done screen's code and
    reminder never said)."""
    kiosk = make_kiosk(fake_services, voice=True, espeak_command="no-such-espeak")
    w = kiosk.window
    spoken = w.voice.spoken
    attract = w.screens[Screen.attract]
    assert spoken[-1][1] == f"{attract.title.text()}. {attract.instruction.text()}"  # a full stop between
    click(qtbot, w.screens[Screen.attract].certify)
    wait_screen(qtbot, kiosk, Screen.card)
    assert_everything_shown_is_said(kiosk, Screen.card, 0)
    card = w.screens[Screen.card]
    side = [label.text() for label in card.findChildren(type(card.title)) if "Úp" in label.text()]
    assert side and all(clean(text) in said(kiosk) for text in side)  # the side-down line is said
    click(qtbot, card.go)
    wait_screen(qtbot, kiosk, Screen.face)
    qtbot.waitUntil(w.screens[Screen.face].go.isEnabled, timeout=10000)
    assert_everything_shown_is_said(kiosk, Screen.face, 0)
    click(qtbot, w.screens[Screen.face].go)
    wait_screen(qtbot, kiosk, Screen.scan)
    scan = w.screens[Screen.scan]
    for pages in (1, 2):
        before = len(spoken)
        click(qtbot, scan.add)
        qtbot.waitUntil(
            lambda p=pages: len(kiosk.flow.visit.pages) == p and not kiosk.flow.busy, timeout=10000
        )
        assert len(spoken) > before, "the scanned page is said"
        assert_everything_shown_is_said(kiosk, Screen.scan, 0)
    click(qtbot, scan.go)
    wait_screen(qtbot, kiosk, Screen.review)
    since = len(spoken)
    assert_everything_shown_is_said(kiosk, Screen.review, since - 1)
    review = w.screens[Screen.review]
    fee = review.values[3].text()
    assert fee and fee in said(kiosk)  # the amount the citizen agrees to pay
    assert "= 4.000 đ. 4.000 đ" in said(kiosk)  # each line of the breakdown ends its sentence
    click(qtbot, review.go)
    wait_screen(qtbot, kiosk, Screen.done)
    done = w.screens[Screen.done]
    since = len(spoken)
    qtbot.wait(50)
    assert_everything_shown_is_said(kiosk, Screen.done, since - 1)
    assert done.code.text() == "HN001-000042-U"
    assert "HN001-000042-U" in spoken[-1][1]


def test_a_result_that_appears_on_the_same_screen_is_said(
    qtbot: Any, make_kiosk: Any, fake_services: Any
) -> None:
    """Check a copy: the verdict is said (the walk heard only the title and the subtitle)."""
    fake_services.online = SimpleNamespace(checked=True, status="post_checked", revoked_reason=None)
    kiosk = make_kiosk(fake_services, voice=True, language="en", espeak_command="no-such-espeak")
    w = kiosk.window
    click(qtbot, w.screens[Screen.attract].check)
    wait_screen(qtbot, kiosk, Screen.check_copy)
    click(qtbot, w.screens[Screen.check_copy].go)
    wait_screen(qtbot, kiosk, Screen.check_result)
    result = w.screens[Screen.check_result]
    qtbot.wait(50)
    assert result.verdict.text() and clean(result.verdict.text()) in said(kiosk)
    assert_everything_shown_is_said(kiosk, Screen.check_result, 0)


def test_the_payment_says_the_amount_and_the_reference_then_that_the_fee_was_received(
    qtbot: Any,
    make_kiosk: Any,
    fake_services: Any,
    api: Any,  # noqa: F811 (fixture)
    gateway: Any,  # noqa: F811 (fixture)
) -> None:
    fake_services.payments = PaymentService(api, kiosk_id="HN-001", poll_interval=0.05)
    kiosk = make_kiosk(fake_services, voice=True, espeak_command="no-such-espeak")
    w = kiosk.window
    run_to_review(qtbot, kiosk, pages=2)
    click(qtbot, w.screens[Screen.review].go)
    qtbot.waitUntil(lambda: kiosk.flow.visit.payment_request is not None, timeout=30000)
    request = kiosk.flow.visit.payment_request
    pay = w.screens[Screen.payment]
    assert pay.amount.text() == "4.000 đ" and pay.reference.text() == request.reference
    assert_everything_shown_is_said(kiosk, Screen.payment, 0)
    assert "4.000 đ." in said(kiosk) and f"{request.reference}." in said(kiosk)  # said when it appears
    processing: list[str] = []
    kiosk.flow.subscribe(
        lambda flow: (
            processing.append(w.screens[Screen.processing].spoken_prompt())
            if flow.screen == Screen.processing
            else None
        )
    )
    gateway.pay(request.qr_payload)
    wait_screen(qtbot, kiosk, Screen.done)
    assert any(prompt.startswith("Đã nhận phí: 4.000 đ.") for prompt in processing)
    assert "Đã nhận phí: 4.000 đ." in said(kiosk)  # the citizen hears the money arrived
