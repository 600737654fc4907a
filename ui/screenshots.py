"""`kiosk screenshots OUT`: every screen, in every language and orientation, rendered offscreen to PNG.

The screens are put into each state with the sample data a visit would have (sample pages, a code, an
error) so reviewers see them filled in. Nothing here touches a device.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

# Screens also rendered in large text + high contrast ("a11y-" files).
ACCESSIBLE_SAMPLES = ("01", "04", "05", "09", "19")
ORIENTATIONS = {"landscape": (1920, 1080), "small": (1280, 800), "portrait": (1080, 1920)}


class SampleServices:
    """Just enough of the visit services for rendering; it never runs a task (screenshots set states)."""

    fee_per_page_vnd = 2000
    payments = "sample"  # the review screen reads "Confirm and pay", as on a kiosk with a backend

    def photo_copy(self) -> Any:  # the check screen offers the camera; screenshots never run it
        raise RuntimeError("the screenshots run no task")


def _sample_page(seed: int) -> np.ndarray:
    try:
        from kiosk.samples.documents import make_document

        return make_document("birth_certificate", seed=seed).image
    except Exception:  # the generator may be absent in a trimmed build: draw a plain page
        page = np.full((1100, 780, 3), 250, np.uint8)
        for row in range(120, 1000, 40):
            page[row : row + 8, 80 : 700 - (row * 7) % 200] = 60
        return page


def _sample_frame() -> tuple[np.ndarray, tuple[int, int, int, int] | None]:
    """A frame of the simulated citizen with the face box the preview would draw."""
    try:
        from kiosk.identity.config import IdentityConfig
        from kiosk.identity.face import FaceVerifier
        from kiosk.identity.simulated_subject import SimulatedSubject

        frame = SimulatedSubject().next_frame()
        face = FaceVerifier(IdentityConfig()).analyse_frame(frame, encode=False)
        box = face.box
        return frame, (box.left, box.top, box.width, box.height) if box is not None else None
    except Exception as exc:  # no face models in this build: a plain frame still shows the layout
        log.warning("no sample camera frame (%s); drawing a placeholder", exc)
        frame = np.full((480, 640, 3), 90, np.uint8)
        return frame, (230, 110, 180, 220)


def _states(pages: list[Any]) -> list[tuple[str, Callable[[Any], None]]]:
    from kiosk.flow import Action, ErrorInfo, Screen, Service
    from kiosk.flow.errors import RESCAN_ACTIONS

    def at(screen: Screen, **visit: Any) -> Callable[[Any], None]:
        def apply(flow: Any) -> None:
            for key, value in visit.items():
                setattr(flow.visit, key, value)
            flow.screen = screen

        return apply

    def error(kind: str, reason: str, actions: tuple[Action, ...], back: Screen) -> Callable[[Any], None]:
        return at(Screen.error, error=ErrorInfo(kind, reason, actions), error_return=back)

    copy = SimpleNamespace(code="HN001-000042-U", doc_type="birth_certificate", pages=2)
    payment = sample_payment()
    ticket = SimpleNamespace(number="A012", counter="Quầy 2 - Thu phí", reason="payment_cash")
    online = SimpleNamespace(checked=True, status="post_checked", revoked_reason=None)
    verification = SimpleNamespace(
        valid=True,
        code="HN001-000042-U",
        pages=2,
        doc_type="birth_certificate",
        issued_at=datetime(2026, 11, 22, 9, 30, tzinfo=UTC),
    )
    return [
        ("01-attract", at(Screen.attract)),
        ("02-card", at(Screen.card, service=Service.certify)),
        ("03-face", at(Screen.face, challenge="turn_left+blink")),
        ("04-scan", at(Screen.scan, pages=pages)),
        ("05-review", at(Screen.review, pages=pages, copies=2)),
        ("06-processing", at(Screen.processing, progress_stage="sign", progress=0.35)),
        ("07-printing", at(Screen.printing, progress_stage="print_copy", progress=0.1)),
        ("08-done", at(Screen.done, copy=copy)),
        ("09-error-no-match", error("no_match", "", (Action.try_again, Action.call_staff), Screen.face)),
        ("10-error-rescan", error("page_quality", "blurred", RESCAN_ACTIONS, Screen.scan)),
        (
            "11-error-paper-out",
            error("paper_out", "", (Action.try_again, Action.call_staff), Screen.printing),
        ),
        ("12-error-card", error("card_unreadable", "", RESCAN_ACTIONS, Screen.card)),
        ("13-check-copy", at(Screen.check_copy, service=Service.check)),
        ("14-check-result", at(Screen.check_result, verification=verification, online_status=online)),
        ("15-reprint", at(Screen.reprint, service=Service.reprint, reprint_code="HN001-0000")),
        ("16-maintenance-pin", at(Screen.maintenance_pin)),
        ("17-maintenance", at(Screen.maintenance)),
        ("18-idle-countdown", at(Screen.scan, pages=pages)),
        ("19-payment", at(Screen.payment, pages=pages, copies=2, payment_request=payment)),
        ("20-ticket", at(Screen.ticket, queue_ticket=ticket)),
        ("21-help-staff-coming", at(Screen.scan, pages=pages)),
        ("22-confirm-cancel", at(Screen.scan, pages=pages)),
        ("23-reprint-card", at(Screen.card, service=Service.reprint)),
        ("24-email-entry", at(Screen.review, pages=pages, copies=2)),
    ]


def sample_payment() -> Any:
    """The payment the screen would show for 2 pages x 2 copies (a VietQR of the sample payee)."""
    from kiosk.fee import compute_fee
    from kiosk.payment import PayeeAccount, PaymentRequest, VietQR

    fee = compute_fee(2, 2)
    payee = PayeeAccount()
    reference = "HN001PK7Q2M9XA"
    payload = VietQR(
        bank_bin=payee.bank_bin,
        account=payee.account,
        amount_vnd=fee.total_vnd,
        purpose=reference,
        merchant_name=payee.name,
    ).encode()
    return PaymentRequest(reference, fee.total_vnd, payload, fee)


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
            window.tr("No, go back"),
            lambda: None,
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
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from kiosk.config import parse_config
    from kiosk.flow import Screen
    from ui.app import build_kiosk

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
                    from ui.widgets import bgr_to_qimage

                    window.screens[Screen.face].view.set_image(bgr_to_qimage(frame), box)  # type: ignore[attr-defined]
                if flow.screen == Screen.maintenance:
                    maintenance = window.screens[Screen.maintenance]
                    maintenance.output.setPlainText(  # type: ignore[attr-defined]
                        "scanner   simulated   ok   ready\ncamera    simulated   ok   ready\n"
                        "a4        pdf_folder  ok   12 jobs\nreceipt   simulated   warning   paper low"
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
