"""Every screen, in both languages, at every supported size: no clipped text, big enough touch targets,
and translations that are complete and compiled."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from ui.i18n import TRANSLATIONS_DIR, compile_translations
from ui.screenshots import ORIENTATIONS, SampleServices, _sample_page, _states, hide_overlays, show_overlay
from ui.theme import MIN_TOUCH_PX

pytestmark = pytest.mark.timeout(240)


def clipped(widget: QWidget, window: QWidget | None = None) -> str | None:
    """Why the widget's text does not fit (or the widget lies partly outside the window), or None."""
    if window is not None and (
        isinstance(widget, QPushButton) or (isinstance(widget, QLabel) and widget.text())
    ):
        box = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
        if not window.rect().contains(box):
            return f"lies outside the window: {box.getRect()} not in {window.rect().getRect()}"
    if isinstance(widget, QLabel):
        text = widget.text()
        if not text:
            return None
        rect = widget.contentsRect()
        fm = widget.fontMetrics()
        if widget.wordWrap():
            needed = widget.heightForWidth(rect.width())
            if needed > rect.height() + 1:
                return f"label needs {needed}px height, has {rect.height()}"
            longest = max(fm.horizontalAdvance(word) for word in text.split())
            if longest > rect.width():
                return f"label word needs {longest}px width, has {rect.width()}"
            return None
        width = max(fm.horizontalAdvance(line) for line in text.splitlines())
        if width > rect.width():
            return f"label needs {width}px width, has {rect.width()}"
        return None
    if isinstance(widget, QPushButton) and widget.text():
        hint = widget.sizeHint()
        if (
            hint.width() > widget.width()
            or widget.fontMetrics().horizontalAdvance(widget.text()) > widget.width()
        ):
            return f"button needs {hint.width()}px width, has {widget.width()}"
    return None


def overlaps(screen: QWidget, window: QWidget) -> list[str]:
    """Texts and buttons drawn on top of each other: what a squeezed layout does instead of clipping."""
    items = [
        w
        for w in screen.findChildren(QWidget)
        if w.isVisibleTo(window) and (isinstance(w, QPushButton) or (isinstance(w, QLabel) and w.text()))
    ]
    boxes = [(w, QRect(w.mapTo(window, QPoint(0, 0)), w.size())) for w in items]
    found = []
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1 :]:
            if box_a.intersects(box_b) and not (a.isAncestorOf(b) or b.isAncestorOf(a)):
                found.append(f"{a.text()!r} overlaps {b.text()!r}")
    return found


def render_states(qtbot: Any, language: str, size: tuple[int, int], **ui: Any):
    from kiosk.config import parse_config
    from ui.app import build_kiosk

    config = parse_config({"ui": {"language": language, **ui}})
    kiosk = build_kiosk(config, services=SampleServices(), size=size, audit=lambda e, d: None)
    window = kiosk.window
    qtbot.addWidget(window)
    window.idle_timer.stop()
    window.page_builder.stop()
    window.setFixedSize(*size)
    window.show()
    pages = [
        SimpleNamespace(
            image=_sample_page(seed), quality=SimpleNamespace(ok=True), doc_type="birth_certificate"
        )
        for seed in (1, 2)
    ]
    for name, apply in _states(pages):
        kiosk.flow.visit.language = language
        apply(kiosk.flow)
        window.refresh()
        window.preview.stop()
        show_overlay(name, window)
        kiosk.qt.processEvents()
        yield name, window
        hide_overlays(window)
        kiosk.flow.screen = kiosk.flow.screen.__class__("attract")
    window.allow_close = True
    window.close()


@pytest.mark.parametrize("orientation", ["small", "landscape", "portrait"])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_nothing_is_clipped_and_targets_are_big(qtbot: Any, language: str, orientation: str) -> None:
    size = ORIENTATIONS[orientation]
    problems = []
    for name, window in render_states(qtbot, language, size):
        screen = window.current_screen()
        if screen.minimumSizeHint().width() > size[0] or screen.minimumSizeHint().height() > size[1]:
            problems.append(f"{name}: screen needs {screen.minimumSizeHint().toTuple()} in {size}")
        problems.extend(f"{name}: {o}" for o in overlaps(screen, window))
        shown = [
            o
            for o in (window.overlay, window.help_overlay, window.confirm_overlay, window.email_overlay)
            if o.isVisible()
        ]
        for overlay in shown:
            problems.extend(f"{name}: {o}" for o in overlaps(overlay, window))
        for widget in screen.findChildren(QWidget) + [w for o in shown for w in o.findChildren(QWidget)]:
            if not widget.isVisibleTo(window):
                continue
            why = clipped(widget, window)
            if why:
                problems.append(f"{name}: {type(widget).__name__} {widget.text()!r}: {why}")
            if isinstance(widget, QPushButton) and min(widget.height(), widget.width()) < MIN_TOUCH_PX:
                problems.append(f"{name}: button {widget.text()!r} is {widget.width()}x{widget.height()} px")
    assert problems == []


@pytest.mark.parametrize("orientation", ["small", "landscape", "portrait"])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_large_text_and_high_contrast_still_fit(qtbot: Any, language: str, orientation: str) -> None:
    problems = []
    size = ORIENTATIONS[orientation]
    for name, window in render_states(qtbot, language, size, large_text=True, high_contrast=True):
        assert window.large_text
        assert "#FFE600" in window.styleSheet()  # the high-contrast palette is on
        problems.extend(f"{name}: {o}" for o in overlaps(window.current_screen(), window))
        for widget in window.current_screen().findChildren(QWidget):
            if widget.isVisibleTo(window) and (why := clipped(widget, window)):
                problems.append(f"{name}: {widget.text()!r}: {why}")
    assert problems == []


def test_vietnamese_translation_is_complete() -> None:
    root = ET.parse(TRANSLATIONS_DIR / "kiosk_vi.ts").getroot()
    messages = list(root.iter("message"))
    assert len(messages) > 150
    unfinished = [m.findtext("source") for m in messages if m.find("translation").get("type") == "unfinished"]
    assert unfinished == []
    empty = [m.findtext("source") for m in messages if not (m.findtext("translation") or "").strip()]
    assert empty == []
    # Proper Vietnamese: diacritics are there (not ASCII-stripped text).
    assert "Chứng thực bản sao giấy tờ" in [m.findtext("translation") for m in messages]


def test_compiled_qm_matches_the_ts(tmp_path: Path) -> None:
    """The committed .qm is what lrelease makes of the committed .ts (nobody forgot to recompile)."""
    made = compile_translations(tmp_path)
    assert [p.name for p in made] == ["kiosk_vi.qm"]
    assert (tmp_path / "kiosk_vi.qm").read_bytes() == (TRANSLATIONS_DIR / "kiosk_vi.qm").read_bytes()
