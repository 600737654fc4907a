"""`kiosk screenshots OUT`: every screen, in every language and orientation, rendered offscreen to PNG.

The screens are put into each state with the sample data a visit would have (sample pages, a code, an
error) so reviewers see them filled in. Nothing here touches a device.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

import ui.window  # noqa: F401 (loads every screen module, so every screen class is registered)
from kiosk.config import parse_config
from kiosk.flow import Screen
from kiosk.identity.config import IdentityConfig
from kiosk.identity.face import FaceVerifier
from kiosk.identity.simulated_subject import SimulatedSubject
from kiosk.samples.documents import make_document
from ui.app import build_kiosk
from ui.screen_registry import Samples, registrations
from ui.widgets import bgr_to_qimage

log = logging.getLogger(__name__)

# Screens also rendered in large text + high contrast ("a11y-" files).
ACCESSIBLE_SAMPLES = ("01", "04", "05", "09", "19", "28")
ORIENTATIONS = {"landscape": (1920, 1080), "small": (1280, 800), "portrait": (1080, 1920)}

# States drawn over a screen by the window's overlays (`show_overlay`), not by a screen class: name, the
# screen under the overlay, its visit fields. The screens' own states are declared on their classes.
OVERLAY_STATES: tuple[tuple[str, str, Callable[[Any], Mapping[str, Any]]], ...] = (
    ("18-idle-countdown", "scan", lambda s: {"pages": s.pages}),
    ("21-help-staff-coming", "scan", lambda s: {"pages": s.pages}),
    ("22-confirm-cancel", "scan", lambda s: {"pages": s.pages}),
    ("24-email-entry", "review", lambda s: {"pages": s.pages, "copies": 2}),
)


class SampleServices:
    """Just enough of the visit services for rendering; it never runs a task (screenshots set states)."""

    fee_per_page_vnd = 2000
    payments = "sample"  # the review screen reads "Confirm and pay", as on a kiosk with a backend

    def photo_copy(self) -> Any:  # the check screen offers the camera; screenshots never run it
        raise RuntimeError("the screenshots run no task")

    # the reprint screen offers to read the receipt's QR on the glass and at the camera
    scan_receipt = photo_receipt = receipt_code = photo_copy


def _sample_page(seed: int) -> np.ndarray:
    try:
        return make_document("birth_certificate", seed=seed).image
    except Exception:  # the generator's fonts or templates may be absent in a trimmed build: a plain page
        page = np.full((1100, 780, 3), 250, np.uint8)
        for row in range(120, 1000, 40):
            page[row : row + 8, 80 : 700 - (row * 7) % 200] = 60
        return page


def _sample_frame() -> tuple[np.ndarray, tuple[int, int, int, int] | None]:
    """A frame of the simulated citizen with the face box the preview would draw."""
    try:
        frame = SimulatedSubject().next_frame()
        face = FaceVerifier(IdentityConfig()).analyse_frame(frame, encode=False)
        box = face.box
        return frame, (box.left, box.top, box.width, box.height) if box is not None else None
    except Exception as exc:  # no face models in this build: a plain frame still shows the layout
        log.warning("no sample camera frame (%s); drawing a placeholder", exc)
        frame = np.full((480, 640, 3), 90, np.uint8)
        return frame, (230, 110, 180, 220)


def _states(pages: list[Any]) -> list[tuple[str, Callable[[Any], None]]]:
    """Every screenshot state, by name: the shots each screen class declares (ui/screen_registry.py) and
    the overlays drawn over a screen (`OVERLAY_STATES`)."""

    def at(screen: Screen, visit: Mapping[str, Any]) -> Callable[[Any], None]:
        def apply(flow: Any) -> None:
            for key, value in visit.items():
                setattr(flow.visit, key, value)
            flow.screen = screen

        return apply

    samples = Samples(pages=pages)
    states = [
        (name, at(page.screen, page.visit_fields(name, samples)))
        for page in registrations()
        for name in page.shots
    ]
    states += [(name, at(Screen(screen), fields(samples))) for name, screen, fields in OVERLAY_STATES]
    names = [name for name, _apply in states]
    if len(set(names)) != len(names):
        raise ValueError(
            f"two screenshot states share a name: {sorted(n for n in names if names.count(n) > 1)}"
        )
    return sorted(states, key=lambda state: state[0])


def show_overlay(name: str, window: Any) -> None:
    """The states drawn over a screen: the idle countdown, the staff call, a confirmation."""
    if name.endswith("idle-countdown"):
        window.overlay.show_seconds(12)
        window.overlay.setGeometry(window.rect())
        window.overlay.show()
        window.overlay.raise_()
    elif name.endswith("help-staff-coming"):
        window.help_overlay.show_state("coming")
    elif name.endswith("email-entry"):
        window.email_overlay.open()
        window.email_overlay.typed = "nguyen.an@gmail.com"
        window.email_overlay._render()
    elif name.endswith("confirm-cancel"):
        window.confirm_overlay.ask(
            window.tr("End this visit?"),
            window.tr("What you have scanned and entered will be erased. Nothing is printed."),
            window.tr("Yes, end the visit"),
            window.tr("Continue the visit"),
            lambda: None,
            destructive=True,
        )


def hide_overlays(window: Any) -> None:
    for overlay in (window.overlay, window.help_overlay, window.confirm_overlay, window.email_overlay):
        overlay.hide()


def render_all(
    out: Path,
    *,
    languages: tuple[str, ...] = ("vi", "en"),
    orientations: tuple[str, ...] = ("landscape", "portrait", "small"),
) -> list[Path]:
    """Render every screen; returns the PNG files written."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before build_kiosk makes the QApplication
    out.mkdir(parents=True, exist_ok=True)
    pages = [
        SimpleNamespace(
            image=_sample_page(seed), quality=SimpleNamespace(ok=True), doc_type="birth_certificate"
        )
        for seed in (1, 2)
    ]
    frame, box = _sample_frame()
    written: list[Path] = []
    for orientation in orientations:
        size = ORIENTATIONS[orientation]
        for language in languages:
            config = parse_config({"ui": {"language": language}})
            kiosk = build_kiosk(
                config, services=SampleServices(), size=size, windowed=True, audit=lambda e, d: None
            )
            window, flow = kiosk.window, kiosk.flow
            window.idle_timer.stop()
            window.device_timer.stop()
            window.setFixedSize(*size)
            window.show()
            kiosk.qt.processEvents()
            plain = [(name, apply, False) for name, apply in _states(pages)]
            accessible = [(f"a11y-{n}", a, True) for n, a in _states(pages) if n[:2] in ACCESSIBLE_SAMPLES]
            for name, apply, large_contrast in plain + accessible:
                if large_contrast != window.large_text:
                    window.large_text = window.high_contrast = large_contrast
                    window.apply_theme(force=True)
                flow.visit.language = language
                apply(flow)
                window.refresh()
                if flow.screen == Screen.face:
                    window.preview.stop()
                    window.screens[Screen.face].view.set_image(bgr_to_qimage(frame), box)  # type: ignore[attr-defined]
                if flow.screen == Screen.maintenance:
                    maintenance = window.screens[Screen.maintenance]
                    maintenance.output.setPlainText(  # type: ignore[attr-defined]
                        "• scanner (simulated): hoạt động tốt\n• camera (simulated): hoạt động tốt\n"
                        "• a4 (pdf_folder): hoạt động tốt: 12 lệnh in\n"
                        "• receipt (simulated): cần chú ý: sắp hết giấy"
                    )
                if flow.screen == Screen.face:
                    window.preview.face_seen = True  # the sample frame has a face: "Start" is enabled
                    window.current_screen().show_state(flow)
                show_overlay(name, window)
                kiosk.qt.processEvents()
                path = out / f"{orientation}-{language}-{name}.png"
                if not window.grab().save(str(path)):
                    raise OSError(f"cannot write {path}")
                written.append(path)
                hide_overlays(window)
                flow.screen = Screen.attract
            kiosk.close()
            kiosk.qt.processEvents()
    return written
