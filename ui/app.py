"""Starting the kiosk: the Qt application, the flow over the real pipeline, hooks, and the window."""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from kiosk.app import KioskApp, private_tmp_dir
from kiosk.audit import AuditLog
from kiosk.errors import UnavailableError
from kiosk.flow import Screen, VisitFlow
from kiosk.flow.adapter import PipelineServices
from kiosk.runtime import notify
from kiosk.runtime.fleet_health import start_device_watch
from kiosk.runtime.maintenance_pin import MaintenanceAuth, hash_pin
from ui import theme
from ui.face_process import FaceProcess
from ui.services import MaintenanceServices, RecentLogHandler
from ui.visit_parts import attach_visit_parts, simulated_citizen_pays
from ui.window import SIZES, KioskWindow
from ui.workers import QtRunner

log = logging.getLogger(__name__)

DEV_PIN = "123456"  # simulated profile only, when no hash is configured


def qt_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv or [sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName("smart-kiosk")
    if theme.FONT_FAMILY in QFontDatabase.families():
        app.setFont(QFont(theme.FONT_FAMILY))
    return app


class AuditSink:
    """Writes audit entries on one background thread, so a slow disk never stalls the GUI."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit")

    def __call__(self, event: str, data: dict[str, Any]) -> None:
        log.info("audit %s %s", event, data)
        self.pool.submit(self._write, event, dict(data))

    def _write(self, event: str, data: dict[str, Any]) -> None:
        try:
            audit = getattr(self.app, "audit", None)
            if audit is None:
                audit = AuditLog(self.app.config.path(self.app.config.audit.log_file), actor="kiosk-ui")
                self.app.__dict__["audit"] = audit
            audit.record(event, **data)
        except Exception:
            log.exception("audit entry %s could not be written", event)

    def close(self) -> None:
        self.pool.shutdown(wait=True)


@dataclass
class Kiosk:
    """Everything `kiosk run` composes, for the CLI, the bench and the tests."""

    qt: QApplication
    window: KioskWindow
    flow: VisitFlow
    runner: QtRunner
    services: Any
    audit: Callable[[str, dict[str, Any]], None]
    logs: RecentLogHandler
    restore_hooks: Callable[[], None]
    parts: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)  # backend, gateway, light
    parts_ready: threading.Event = field(default_factory=threading.Event)

    def close(self) -> None:
        self.restore_hooks()
        logging.getLogger().removeHandler(self.logs)
        face_process = getattr(self.services, "face_process", None)
        if face_process is not None:
            face_process.close()
        self.window.preview.stop()
        self.window.idle_timer.stop()
        self.window.page_builder.stop()
        self.window.device_timer.stop()
        self.runner.wait_all(30000)
        self.window.allow_close = True
        self.window.close()
        self.window.deleteLater()
        close = getattr(self.audit, "close", None)
        if close is not None:
            close()
        self.parts_ready.wait(30)  # not closed while they are still being set up
        self.parts.close()


def pin_hash_for(config: Any) -> str | Callable[[], str]:
    """The configured PIN's hash; with none, the simulated profile's development PIN, hashed on first use."""
    if config.ui.maintenance_pin_hash:
        return str(config.ui.maintenance_pin_hash)
    if config.profile == "simulated":
        log.warning("no maintenance PIN configured; the simulated profile uses the development PIN")
        return lambda: hash_pin(DEV_PIN, log2_n=12)
    return ""


def build_kiosk(
    config: Any,
    *,
    kiosk_app: Any = None,
    services: Any = None,
    windowed: bool = True,
    size: tuple[int, int] = SIZES["small"],
    audit: Callable[[str, dict[str, Any]], None] | None = None,
    maintenance: Any = None,
    use_face_process: bool = True,
) -> Kiosk:
    """Compose the window over `kiosk_app` (a `KioskApp`) or over explicit `services` (tests, bench)."""
    qt = qt_application()
    logs = RecentLogHandler()
    logging.getLogger().addHandler(logs)
    face_process = None
    parts = contextlib.ExitStack()
    parts_ready = threading.Event()
    demo_parts: dict[str, Any] = {}
    if kiosk_app is not None and services is None:
        if use_face_process:
            face_process = FaceProcess(config.identity)
        services = PipelineServices.of(kiosk_app, face_process)
        # nothing prints unpaid, not even before the payment service is set up (or without one)
        services.payment_required = config.payment.mode == "vietqr"
        visit_services = services

        def attach() -> None:  # off the start-up path: the attract screen does not wait for the backend
            try:  # the devices' states for the sync worker's heartbeats (polled on their own thread)
                parts.callback(start_device_watch(kiosk_app).stop)
            except Exception:
                log.exception("the device states cannot be watched for the heartbeat")
            try:
                demo_parts["parts"] = attach_visit_parts(visit_services, kiosk_app, parts)
            except Exception:  # the kiosk still serves checks and reprints; the log says why
                log.exception("payment, tickets and staff calls could not be set up")
            finally:
                parts_ready.set()

        threading.Thread(target=attach, name="visit-parts", daemon=True).start()
    else:
        parts_ready.set()
    if audit is None:
        audit = (
            AuditSink(kiosk_app)
            if kiosk_app is not None
            else (lambda event, data: log.info("audit %s", event))
        )
    if maintenance is None and kiosk_app is not None:
        maintenance = MaintenanceServices(kiosk_app, services, logs)
        # the training panel's simulated payer: the demo parts' one, once they are set up (issue 25)
        maintenance.payer_source = lambda: getattr(demo_parts.get("parts"), "payer", None)
    state_path = temp_root = None
    if kiosk_app is not None:
        state_path = kiosk_app.data_dir / "maintenance-lock.json"
        temp_root = private_tmp_dir(kiosk_app)
    auth = MaintenanceAuth(pin_hash_for(config), audit=audit, state_path=state_path)
    runner = QtRunner()
    flow = VisitFlow(
        services,
        runner,
        idle_timeout_s=config.ui.idle_timeout_s,
        countdown_s=config.ui.countdown_s,
        default_language=config.ui.language,
        auth=auth,
        audit=audit,
        frames_per_check=config.ui.frames_per_check,
        temp_root=temp_root,
    )
    flow.visit.voice = config.ui.voice
    flow.payment_timeout_s = config.payment.timeout_s  # issue 25 W5/W6: the payment's own time-out
    preview = getattr(services, "preview_frame", None)
    window = KioskWindow(
        flow,
        runner,
        ui_config=config.ui,
        preview_source=preview,
        maintenance=maintenance,
        audit=audit,
        windowed=windowed,
        size=size,
    )
    restore_hooks = install_hooks(window)
    if kiosk_app is not None:

        def pays(f: VisitFlow) -> None:
            if demo_parts.get("parts") is not None:
                simulated_citizen_pays(demo_parts["parts"], f)

        flow.subscribe(pays)
    return Kiosk(qt, window, flow, runner, services, audit, logs, restore_hooks, parts, parts_ready)


def install_hooks(window: KioskWindow) -> Callable[[], None]:
    """Route uncaught exceptions (GUI thread and other threads) to the error screen, as napari does.

    Returns a function that puts the previous hooks back (the window may go before the process does).
    """
    previous = sys.excepthook, threading.excepthook

    def report(detail: str) -> None:
        if shiboken6.isValid(window):
            window.error_reported.emit(detail)  # queued to the GUI thread when raised elsewhere

    def excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        log.error("uncaught exception", exc_info=(kind, value, tb))
        report(f"{kind.__name__}: {value}")

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        log.error(
            "uncaught exception in thread %s",
            args.thread,
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),  # type: ignore[arg-type]
        )
        report(f"{args.exc_type.__name__}: {args.exc_value}")

    sys.excepthook = excepthook
    threading.excepthook = thread_hook

    def restore() -> None:
        if sys.excepthook is excepthook:
            sys.excepthook = previous[0]
        if threading.excepthook is thread_hook:
            threading.excepthook = previous[1]

    return restore


def warm_up(kiosk: Kiosk, kiosk_app: Any) -> None:
    """After the attract screen shows, get the heavy parts ready on workers: the face process loads its
    models; devices, store, OCR and signer are opened; the simulated glass draws its samples."""
    face_process = getattr(kiosk.services, "face_process", None)
    if face_process is not None:
        face_process.warm_up()

    def work(report: Any) -> None:
        for name in ("devices", "store", "ocr", "signer"):
            try:
                getattr(kiosk_app, name)
            except Exception as exc:
                log.warning("warm-up of %s failed: %s", name, exc)
        glass = getattr(kiosk_app, "glass", None)
        if glass is not None:
            # The sample card is drawn once (it finds the portrait's face with dlib: a GIL-bound second).
            glass.expect("card")
            glass.next_image()
        try:  # issue 22: this process holds the seal key, so it renews the certificate (on a thread of its own)
            kiosk_app.start_seal_renewal()
        except Exception as exc:
            log.warning("the seal certificate renewal cannot start: %s", exc)

    kiosk.runner.submit("warm_up", work, lambda _: log.info("services warm"), lambda exc: None)


def run(config: Any, *, windowed: bool = False, kiosk_app: Any = None) -> int:
    """`kiosk run`: the fullscreen kiosk (or a development window) until the technician closes it."""
    no_display = not any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))
    if no_display:
        raise UnavailableError("no display: set DISPLAY or WAYLAND_DISPLAY (or QT_QPA_PLATFORM)")
    if kiosk_app is None:
        kiosk_app = KioskApp(config)
    size = SIZES["portrait"] if config.ui.orientation == "portrait" else SIZES["small"]
    kiosk = build_kiosk(config, kiosk_app=kiosk_app, windowed=windowed, size=size)
    if windowed:
        kiosk.window.show()
    else:
        kiosk.window.showFullScreen()
    watchdog = tell_systemd(kiosk)
    renewed_seal = seal_certificate_between_visits(kiosk.flow, kiosk.runner, kiosk_app)
    QTimer.singleShot(0, lambda: warm_up(kiosk, kiosk_app))
    previous_term = signal.signal(signal.SIGTERM, lambda *_: kiosk.qt.exit(0))
    try:
        return int(kiosk.qt.exec())
    finally:
        notify.stopping("kiosk closing")
        signal.signal(signal.SIGTERM, previous_term)
        if watchdog is not None:
            watchdog.stop()
        renewed_seal.stop()
        kiosk.close()
        kiosk_app.close()


def seal_certificate_between_visits(flow: VisitFlow, runner: QtRunner, kiosk_app: Any) -> QTimer:
    """Issue 22: a renewed seal certificate takes effect between visits, never mid-visit: on the attract
    screen with no task running, at each return there and every 30 s while it shows (a kiosk idle all night
    takes it before the morning's first visit). The swap itself is cheap; the signer was loaded elsewhere."""

    def between_visits(*_: object) -> None:
        if flow.screen == Screen.attract and not flow.busy and runner.pending() == 0:
            kiosk_app.reload_seal_certificate()

    flow.subscribe(between_visits)
    timer = QTimer()
    timer.setInterval(30_000)
    timer.timeout.connect(between_visits)
    timer.start()
    return timer


def tell_systemd(kiosk: Kiosk) -> QTimer | None:
    """READY=1 once the attract screen is up; WATCHDOG=1 from the GUI thread's own timer, so a frozen
    event loop stops the pings and systemd restarts the kiosk (Type=notify, WatchdogSec in the unit)."""
    QTimer.singleShot(0, lambda: notify.ready(f"attract screen, {kiosk.flow.visit.language}"))
    interval = notify.watchdog_interval()
    if interval is None:
        return None
    timer = QTimer()
    timer.setInterval(max(100, int(interval * 1000 / 2)))
    timer.timeout.connect(notify.watchdog_ping)
    timer.start()
    return timer
