"""The watchdog path end to end: a Qt event loop pings through kiosk.runtime.notify; a stopped or hung loop misses
the pings and the manager (a test harness doing what systemd does) kills and restarts the process.

The child is the UI's pattern exactly: a QTimer on the GUI thread calls `notify.watchdog_ping()` every
`notify.watchdog_interval()` seconds, so pings stop when the GUI thread stops (kill -STOP) or blocks.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

from tests.systemd.notify_supervisor import NotifySupervisor

REPO = Path(__file__).resolve().parents[2]

QT_CHILD = r"""
import sys, threading
from PySide6.QtCore import QCoreApplication, QTimer
from kiosk.runtime import notify

app = QCoreApplication([])
interval = notify.watchdog_interval()
if interval is None:
    sys.exit("no watchdog interval from WATCHDOG_USEC/WATCHDOG_PID")
timer = QTimer()
timer.timeout.connect(notify.watchdog_ping)
timer.start(int(interval * 1000))
if sys.argv[1] == "hang":
    # A blocking call on the GUI thread after a few pings: the process runs, the loop does not.
    QTimer.singleShot(int(interval * 3000), lambda: threading.Event().wait())
QTimer.singleShot(0, lambda: notify.ready("screen up"))
sys.exit(app.exec())
"""

WORKER_CHILD = r"""
import sys, threading
from kiosk.runtime import notify

tick = notify.watchdog_ticker()
notify.ready("worker up")
stop = threading.Event()
while not stop.wait(0.01):  # the sync worker's loop calls on_tick every round
    tick()
"""


@pytest.fixture
def env() -> dict[str, str]:
    return {"PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}


def _supervisor(tmp_path: Path, env: dict[str, str], code: str, *args: str, **kw) -> NotifySupervisor:
    sup = NotifySupervisor([sys.executable, "-c", code, *args], tmp_path, env=env, **kw)
    sup.start()
    return sup


def test_kill_stop_of_the_ui_loop_leads_to_a_restart(tmp_path, env):
    sup = _supervisor(tmp_path, env, QT_CHILD, "healthy", watchdog_sec=1.0)
    try:
        first = sup.pid
        sup.wait_for("ready", pid=first)
        # Healthy: pings keep coming and nothing is restarted over several watchdog periods.
        sup.wait_for("watchdog", pid=first, count=6)
        assert sup.restarts == 0
        assert [e.detail for e in sup.events if e.kind == "status"] == ["screen up"]

        os.kill(first, signal.SIGSTOP)
        timeout = sup.wait_for("timeout", pid=first)[0]
        assert timeout.detail == "watchdog"
        killed = sup.wait_for("killed", pid=first)[0]
        assert killed.detail == str(-signal.SIGKILL)  # SIGABRT cannot act on a stopped process
        # No ping from the stopped process may arrive after the last one before the timeout.
        last_ping = max(e.at for e in sup.events if e.kind == "watchdog" and e.pid == first)
        assert timeout.at - last_ping >= sup.watchdog_sec

        second = sup.pid
        assert second != first
        sup.wait_for("ready", pid=second)
        sup.wait_for("watchdog", pid=second, count=2)
        assert sup.restarts == 1
    finally:
        sup.stop()


def test_a_hung_gui_thread_is_restarted_although_the_process_runs(tmp_path, env):
    sup = _supervisor(tmp_path, env, QT_CHILD, "hang", watchdog_sec=1.0, abstract=True)
    try:
        first = sup.pid
        sup.wait_for("ready", pid=first)
        sup.wait_for("timeout", pid=first)
        # The blocked process still handles the watchdog signal: SIGABRT ends it, no SIGKILL needed.
        assert sup.wait_for("killed", pid=first)[0].detail == str(-signal.SIGABRT)
        assert sup.pid != first
        sup.wait_for("ready", pid=sup.pid)
    finally:
        sup.stop()


def test_the_sync_worker_tick_feeds_the_watchdog_and_a_stopped_worker_is_restarted(tmp_path, env):
    sup = _supervisor(tmp_path, env, WORKER_CHILD, watchdog_sec=1.0)
    try:
        first = sup.pid
        sup.wait_for("ready", pid=first)
        sup.wait_for("watchdog", pid=first, count=5)
        assert sup.restarts == 0
        os.kill(first, signal.SIGSTOP)
        sup.wait_for("killed", pid=first)
        sup.wait_for("ready", pid=sup.pid)
        assert sup.restarts == 1
    finally:
        sup.stop()


def test_messages_from_other_processes_are_ignored(tmp_path, env):
    # NotifyAccess=main: a grandchild (here: a process the child starts) cannot feed the watchdog.
    code = r"""
import os, subprocess, sys, time
from kiosk.runtime import notify
notify.ready()
env = dict(os.environ, WATCHDOG_PID="")
subprocess.run([sys.executable, "-c", "from kiosk.runtime import notify; notify.notify('WATCHDOG=1', 'STATUS=from a child')"],
               env=env, check=True)
time.sleep(3600)
"""
    sup = _supervisor(tmp_path, env, code, watchdog_sec=1.0)
    try:
        first = sup.pid
        sup.wait_for("ready", pid=first)
        ignored = sup.wait_for("ignored")[0]
        assert "STATUS=from a child" in ignored.detail
        sup.wait_for("timeout", pid=first)  # the grandchild's ping did not keep it alive
    finally:
        sup.stop()
