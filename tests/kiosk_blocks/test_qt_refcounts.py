"""The installed PySide6 keeps None's and True's reference counts: PySide6 6.12.0 on Python 3.11 dropped one
reference to None on each Python QRunnable.run() (and on virtual overrides), and the kiosk aborted with
"deallocating None" after a few minutes of preview frames and idle timers. Python 3.11's None is not
immortal, so a leak of this kind is a crash, not a slow drift."""

from __future__ import annotations

import os
import subprocess
import sys

CHILD = r"""
import sys
from PySide6.QtCore import QCoreApplication, QObject, QThreadPool, QRunnable, QTimer, Signal
app = QCoreApplication([])

class Task(QRunnable):
    def run(self):
        relay.done.emit(object())

class Relay(QObject):
    done = Signal(object)

relay = Relay()
got = []
relay.done.connect(lambda value: got.append(1))
pool = QThreadPool()
before = sys.getrefcount(None), sys.getrefcount(True)
for _ in range(3000):
    pool.start(Task())
pool.waitForDone()
ticks = []
timer = QTimer()
timer.setInterval(0)
timer.timeout.connect(lambda: ticks.append(1) if len(ticks) < 3000 else app.quit())
timer.start()
app.exec()
after = sys.getrefcount(None), sys.getrefcount(True)
print(len(got), after[0] - before[0], after[1] - before[1])
"""


def test_qt_tasks_and_signals_keep_none_and_true() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHILD],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    delivered, none_delta, true_delta = map(int, result.stdout.split())
    assert delivered == 3000
    # a leak drops them by about one per task, signal or tick (thousands); normal churn is a few dozen
    assert none_delta > -300, f"None lost {-none_delta} references over 3000 Qt tasks and timer ticks"
    assert true_delta > -300, f"True lost {-true_delta} references over 3000 queued signals"
