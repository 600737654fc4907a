"""Kiosk UI budgets: start to the attract screen (<= 3 s) and the longest GUI-thread stall during a visit
(<= 100 ms), each printed side by side with its obvious baseline.

* start: a fresh process from exec to the attract screen painted, cold (a new, empty data folder: no keys,
  no database) and warm (the same folder again), against a bare PySide6 window with one label.
* stall: one whole visit on the real kiosk core with simulated devices (card QR, face + liveness, OCR,
  signing, printing), driven through the window, while a 5 ms timer on the GUI thread records the longest
  gap between its ticks. Baseline: the same visit with the work run on the GUI thread (no workers).

Run: .venv/bin/python bench/ui_bench.py [--runs N] [--skip-baseline-visit]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]

KIOSK_CHILD = """
import sys, time
from PySide6.QtCore import QTimer
from kiosk.config import parse_config
from kiosk.app import KioskApp
from ui.app import build_kiosk
config = parse_config({"kiosk": {"data_dir": sys.argv[1]}})
app = KioskApp(config)
kiosk = build_kiosk(config, kiosk_app=app)
kiosk.window.show()
def ready():
    kiosk.window.grab()  # the attract screen has been laid out and painted
    print("ready", kiosk.flow.screen, flush=True)
    kiosk.qt.quit()
QTimer.singleShot(0, ready)
kiosk.qt.exec()
"""

BARE_CHILD = """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel
qt = QApplication([])
label = QLabel("Chứng thực bản sao")
label.resize(1280, 800)
label.show()
def ready():
    label.grab()
    print("ready", flush=True)
    qt.quit()
QTimer.singleShot(0, ready)
qt.exec()
"""


def time_child(code: str, *args: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0 or "ready" not in proc.stdout:
        raise SystemExit(f"child failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return elapsed


def bench_start(runs: int) -> None:
    bare = [time_child(BARE_CHILD) for _ in range(runs)]
    cold, warm = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as data:
            cold.append(time_child(KIOSK_CHILD, data))
            warm.extend(time_child(KIOSK_CHILD, data) for _ in range(2))
    med = statistics.median
    print(f"{'start to attract screen':<34}{'median s':>10}{'max s':>9}{'vs bare Qt':>12}")
    print(f"{'  bare PySide6 window (baseline)':<34}{med(bare):>10.2f}{max(bare):>9.2f}{1.0:>11.1f}x")
    print(
        f"{'  kiosk, cold (new data folder)':<34}{med(cold):>10.2f}{max(cold):>9.2f}{med(cold) / med(bare):>11.1f}x"
    )
    print(f"{'  kiosk, warm':<34}{med(warm):>10.2f}{max(warm):>9.2f}{med(warm) / med(bare):>11.1f}x")
    verdict = "OK" if max(warm) <= 3.0 and max(cold) <= 3.0 else "OVER BUDGET"
    print(f"  budget <= 3.0 s: {verdict}")


class StallMeter:
    """A 5 ms timer on the GUI thread; the longest gap between ticks beyond 5 ms is the worst stall."""

    def __init__(self) -> None:
        from PySide6.QtCore import QElapsedTimer, QTimer

        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)
        self.last = 0
        self.worst_ms = 0.0
        self.gaps: list[float] = []

    def start(self) -> None:
        self.clock.start()
        self.last = 0
        self.timer.start()

    def _tick(self) -> None:
        now = self.clock.elapsed()
        gap = now - self.last - 5
        self.last = now
        self.gaps.append(gap)
        self.worst_ms = max(self.worst_ms, gap)

    def stop(self) -> None:
        self.timer.stop()


def run_visit(blocking: bool) -> tuple[float, float, str]:
    """One visit through the window; returns (worst GUI stall ms, visit seconds, final screen)."""
    from drivers.build import build_devices
    from kiosk.app import KioskApp
    from kiosk.config import parse_config
    from kiosk.flow import ImmediateRunner, Screen
    from kiosk.identity.simulated_subject import SimulatedSubject
    from ui.app import build_kiosk, warm_up

    with tempfile.TemporaryDirectory() as data:
        app = KioskApp(parse_config({"kiosk": {"data_dir": data}}))
        if getattr(app, "simulated_subject", None) is None and getattr(app, "subject", None) is None:
            subject = SimulatedSubject()
            app.__dict__["subject"] = subject
            app.__dict__["devices"] = build_devices(
                app.config.devices,
                app.data_dir,
                sample_pages=app.glass.next_image,
                sample_frames=subject.next_frame,
            )
        kiosk = build_kiosk(app.config, kiosk_app=app, audit=lambda e, d: None, use_face_process=not blocking)
        if blocking:
            kiosk.flow.runner = ImmediateRunner()  # the baseline: all work on the GUI thread
        w, flow, qt = kiosk.window, kiosk.flow, kiosk.qt
        w.show()
        # Warm the heavy parts first (as `kiosk run` does after the attract screen), so both runs measure
        # the visit itself.
        warm_up(kiosk, app)
        kiosk.runner.wait_all(120000)
        qt.processEvents()
        face_process = getattr(kiosk.services, "face_process", None)
        if face_process is not None:
            face_process.warm_up().result(timeout=120)
        for name in ("face",):
            getattr(app, name)
        meter = StallMeter()

        def wait(*screens: Screen, limit: float = 180.0) -> None:
            end = time.monotonic() + limit
            while not (flow.screen in screens and not flow.busy):
                qt.processEvents()
                if time.monotonic() > end:
                    raise SystemExit(f"visit stuck at {flow.screen} ({flow.visit.error})")
                time.sleep(0.001)

        start = time.perf_counter()
        meter.start()
        steps = [
            (w.screens[Screen.attract].certify, (Screen.card,)),
            (w.screens[Screen.card].go, (Screen.face, Screen.error)),
            (w.screens[Screen.face].go, (Screen.scan, Screen.error)),
            (w.screens[Screen.scan].add, (Screen.scan, Screen.error)),
            (w.screens[Screen.scan].go, (Screen.review, Screen.error)),
            (w.screens[Screen.review].go, (Screen.done, Screen.error)),
            (w.screens[Screen.done].go, (Screen.attract,)),
        ]
        final = ""
        for button, targets in steps:
            button.click()
            wait(*targets)
            qt.processEvents()
            if flow.screen == Screen.error:
                final = f"error: {flow.visit.error}"
                break
            if flow.screen == Screen.done:
                final = "done"
        elapsed = time.perf_counter() - start
        meter.stop()
        kiosk.close()
        app.close()
        return meter.worst_ms, elapsed, final or str(flow.screen)


def bench_stall(skip_baseline: bool) -> None:
    from ui.app import qt_application

    qt_application()
    worker_ms, worker_s, worker_end = run_visit(blocking=False)
    print(f"{'GUI-thread stall during a visit':<34}{'worst ms':>10}{'visit s':>9}  end")
    if not skip_baseline:
        base_ms, base_s, base_end = run_visit(blocking=True)
        print(f"{'  work on the GUI thread (baseline)':<34}{base_ms:>10.0f}{base_s:>9.1f}  {base_end}")
    print(f"{'  kiosk (Qt workers)':<34}{worker_ms:>10.0f}{worker_s:>9.1f}  {worker_end}")
    if not skip_baseline:
        print(f"  the baseline's worst stall is {base_ms / max(worker_ms, 1):.0f}x the kiosk's")
    print(f"  budget <= 100 ms: {'OK' if worker_ms <= 100 else 'OVER BUDGET'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="start-up runs of each kind")
    parser.add_argument("--skip-baseline-visit", action="store_true", help="do not run the blocking visit")
    parser.add_argument("--only", choices=("start", "stall"), help="run only one of the two benchmarks")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.only != "stall":
        bench_start(args.runs)
    if args.only != "start":
        bench_stall(args.skip_baseline_visit)


if __name__ == "__main__":
    main()
