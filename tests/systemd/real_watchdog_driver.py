"""Drive a real systemd (a user manager) through a unit's watchdog path; print the result as JSON.

Run inside a private mount namespace where /run/systemd/system exists (systemd refuses to start a user
manager on a machine not booted with systemd; the namespace makes it believe so without touching the
host):

    unshare -m --propagation private sh -c \
        'mount -t tmpfs tmpfs /run/systemd && mkdir /run/systemd/system && \
         exec python real_watchdog_driver.py UNIT WORKDIR [CONFIG]'

It derives a unit from UNIT (a real unit of systemd/): the same Type=, NotifyAccess=, Restart=,
RestartSec= and start limits, with WatchdogSec= shortened to 2 s. For the screen (no CONFIG) ExecStart=
is shaped like cage: a parent process starts a Qt app as its child, and the Qt app sends READY=1 and pings
WATCHDOG=1 from a QTimer on its GUI thread. For the sync worker (CONFIG given) it is the real
`kiosk sync run --config CONFIG`. Then it kill -STOPs the process that pings and waits for systemd to
restart the unit. (The units' sandboxing cannot be applied by a user manager here: it fails with
226/NAMESPACE; tests/systemd/unit_sandbox.py covers the seccomp part.)
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
KEEP = ("Type", "NotifyAccess", "Restart", "RestartSec", "StartLimitIntervalSec", "StartLimitBurst")

QT_APP = r"""
import os, sys
from PySide6.QtCore import QCoreApplication, QTimer
from kiosk.runtime import notify

app = QCoreApplication([])
timer = QTimer()
timer.timeout.connect(notify.watchdog_ping)
timer.start(int(notify.watchdog_interval() * 1000))
QTimer.singleShot(0, lambda: notify.ready(f"screen up pid={os.getpid()}"))
sys.exit(app.exec())
"""


def derive_unit(real: Path, workdir: Path, config: Path | None) -> str:
    kept: dict[str, list[str]] = {"Unit": [], "Service": []}
    section = ""
    for raw in real.read_text().splitlines():
        line = raw.strip()
        if line.startswith("["):
            section = line.strip("[]")
        elif "=" in line and not line.startswith("#"):
            key = line.split("=", 1)[0]
            if key in KEEP and section in kept:
                kept[section].append(line)
    if config is None:  # the screen: cage's shape, the main process is not the one that talks to systemd
        app = workdir / "qt_app.py"
        app.write_text(QT_APP)
        compositor = f"{sys.executable} -c 'import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))'"
        exec_start = f"{compositor} {sys.executable} {app}"
    else:  # the sync worker: the real `kiosk sync run`
        exec_start = f"{Path(sys.executable).with_name('kiosk')} sync run --config {config}"
    service = [
        *kept["Service"],
        "WatchdogSec=2",
        "TimeoutAbortSec=2",
        f"Environment=PYTHONPATH={REPO} QT_QPA_PLATFORM=offscreen",
        f"ExecStart={exec_start}",
    ]
    return "[Unit]\n" + "\n".join(kept["Unit"]) + "\n\n[Service]\n" + "\n".join(service) + "\n"


def systemctl(*args: str) -> str:
    return subprocess.run(
        ["systemctl", "--user", *args], capture_output=True, text=True, check=True, timeout=30
    ).stdout


def show(unit: str) -> dict[str, str]:
    out = systemctl("show", unit, "-p", "MainPID,NRestarts,ActiveState,SubState,StatusText,Result")
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def wait_until(predicate, timeout: float, what: str):  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            raise SystemExit(json.dumps({"error": f"timed out waiting for {what}"}))
        time.sleep(0.1)  # polling systemd's state; there is no event to wait on here


def _stopped_pid(state: dict[str, str]) -> int:
    """The UI app's pid from its STATUS= text; the worker is the main process itself."""
    if "pid=" in state["StatusText"]:
        return int(state["StatusText"].rsplit("=", 1)[1])
    return int(state["MainPID"])


def drive(unit: str, runtime: Path, result: dict[str, object]) -> None:
    wait_until((runtime / "systemd/private").exists, 30, "the user manager")
    # `start` returns once READY=1 arrived (Type=notify).
    started = subprocess.run(
        ["systemctl", "--user", "start", unit], check=False, capture_output=True, text=True, timeout=60
    )
    if started.returncode != 0:
        status = subprocess.run(
            ["systemctl", "--user", "status", unit], check=False, capture_output=True, text=True, timeout=30
        )
        result["error"] = f"start failed: {started.stderr} {status.stdout}"
        return
    first = show(unit)
    ui_pid = _stopped_pid(first)
    result["before"] = first
    result["ui_pid"] = ui_pid
    os.kill(ui_pid, signal.SIGSTOP)
    stopped_at = time.monotonic()
    try:
        after = wait_until(
            lambda: (
                (s := show(unit))["NRestarts"] == "1"
                and s["ActiveState"] == "active"
                and s["MainPID"] != first["MainPID"]
                and s["StatusText"] != ""
                and s
            ),
            60,
            "the restart",
        )
    except SystemExit:
        result["last"] = show(unit)
        result["watchdog"] = systemctl("show", unit, "-p", "WatchdogUSec,WatchdogTimestamp,NotifyAccess,Type")
        raise
    result["restarted_after_s"] = round(time.monotonic() - stopped_at, 2)
    result["after"] = after
    result["old_ui_alive"] = Path(f"/proc/{ui_pid}").exists()
    systemctl("stop", unit)


def main() -> int:
    real, workdir = Path(sys.argv[1]), Path(sys.argv[2])
    config = Path(sys.argv[3]) if len(sys.argv) > 3 else None
    runtime = workdir / "xdg"
    (runtime / "systemd/user").mkdir(parents=True)
    runtime.chmod(0o700)
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    unit = f"{real.stem}-watchdog.service"
    unit_text = derive_unit(real, workdir, config)
    (runtime / "systemd/user" / unit).write_text(unit_text)
    result: dict[str, object] = {"unit": unit_text}
    with (workdir / "manager.log").open("w") as log:
        manager = subprocess.Popen(
            ["/lib/systemd/systemd", "--user", "--log-target=console"], stdout=log, stderr=log
        )
        try:
            drive(unit, runtime, result)
        except SystemExit as exc:
            result["error"] = str(exc.code)
        finally:
            manager.terminate()
            manager.wait(timeout=30)
    result["manager_log"] = (workdir / "manager.log").read_text()[-4000:]
    print(json.dumps(result))
    return 0 if "error" not in result else 1


if __name__ == "__main__":
    raise SystemExit(main())
