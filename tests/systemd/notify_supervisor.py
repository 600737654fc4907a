"""A small service manager for tests: what systemd does for ``Type=notify``, ``WatchdogSec=``,
``Restart=always`` and ``NotifyAccess=main``, for one child process.

It binds a unix datagram socket, passes it to the child as $NOTIFY_SOCKET with $WATCHDOG_USEC and
$WATCHDOG_PID (the child's own pid, as systemd sets it), waits for ``READY=1``, and then expects
``WATCHDOG=1`` at least once per watchdog period. Messages are accepted only from the main process
(checked with SCM_CREDENTIALS, like systemd). When the period passes without a ping it sends the
watchdog signal (SIGABRT), gives the child ``abort_timeout`` to die, then SIGKILL (a stopped process
cannot act on SIGABRT), and starts the command again.

The machine these tests run on has no systemd as PID 1, so `systemd-run` cannot be used.
"""

from __future__ import annotations

import os
import selectors
import signal
import socket
import struct
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Event:
    kind: str  # ready, watchdog, status, stopping, timeout, killed, started, exited
    pid: int
    at: float
    detail: str = ""


@dataclass
class NotifySupervisor:
    argv: Sequence[str]
    socket_dir: Path
    watchdog_sec: float = 1.0
    abort_timeout: float = 0.5
    start_timeout: float = 30.0
    abstract: bool = False
    env: dict[str, str] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    restarts: int = 0

    def __post_init__(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        if self.abstract:
            name = f"kiosk-test-notify-{os.getpid()}-{id(self)}"
            self.sock.bind("\0" + name)
            self.notify_socket = "@" + name
        else:
            path = self.socket_dir / "notify.sock"
            self.sock.bind(str(path))
            self.notify_socket = str(path)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.sock, selectors.EVENT_READ)
        self.proc: subprocess.Popen[bytes] | None = None
        self.deadline = 0.0
        self.ready = False

    # -- process control -----------------------------------------------------------------------------

    def start(self) -> int:
        env = {**os.environ, **self.env}
        env["NOTIFY_SOCKET"] = self.notify_socket
        env["WATCHDOG_USEC"] = str(int(self.watchdog_sec * 1_000_000))
        # systemd sets WATCHDOG_PID to the main pid; `exec` keeps the shell's pid for the real program.
        wrapper = ["/bin/sh", "-c", 'WATCHDOG_PID=$$ exec "$@"', "sh", *self.argv]
        self.proc = subprocess.Popen(wrapper, env=env)
        self.ready = False
        self.deadline = time.monotonic() + self.start_timeout
        self._log("started", self.proc.pid)
        return self.proc.pid

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.selector.close()
        self.sock.close()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    # -- the loop ------------------------------------------------------------------------------------

    def _log(self, kind: str, pid: int, detail: str = "") -> None:
        self.events.append(Event(kind, pid, time.monotonic(), detail))

    def _receive(self) -> list[tuple[int, str]]:
        """Every pending datagram as (sender pid, text)."""
        out = []
        while True:
            try:
                data, ancdata, _flags, _addr = self.sock.recvmsg(
                    4096, socket.CMSG_SPACE(12), socket.MSG_DONTWAIT
                )
            except BlockingIOError:
                return out
            pid = -1
            for level, kind, payload in ancdata:
                if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                    pid = struct.unpack("iII", payload[:12])[0]
            out.append((pid, data.decode(errors="replace")))

    def step(self, until: float) -> None:
        """Run the manager until `until` (monotonic): handle messages, the watchdog, exits, restarts."""
        while True:
            now = time.monotonic()
            if now >= until:
                return
            assert self.proc is not None
            if self.proc.poll() is not None:
                self._log("exited", self.proc.pid, str(self.proc.returncode))
                self._restart()
                continue
            if now >= self.deadline:
                self._log("timeout", self.proc.pid, "watchdog" if self.ready else "start")
                self._kill_for_watchdog()
                self._restart()
                continue
            timeout = max(0.0, min(until, self.deadline) - now)
            if not self.selector.select(timeout):
                continue
            for pid, text in self._receive():
                if pid != self.proc.pid:  # NotifyAccess=main
                    self._log("ignored", pid, text)
                    continue
                for line in text.splitlines():
                    key, _, value = line.partition("=")
                    if key == "READY" and value == "1":
                        self.ready = True
                        self.deadline = time.monotonic() + self.watchdog_sec
                        self._log("ready", pid)
                    elif key == "WATCHDOG" and value == "1":
                        self.deadline = time.monotonic() + self.watchdog_sec
                        self._log("watchdog", pid)
                    elif key == "STATUS":
                        self._log("status", pid, value)
                    elif key == "STOPPING":
                        self._log("stopping", pid)

    def wait_for(
        self, kind: str, *, pid: int | None = None, count: int = 1, timeout: float = 30.0
    ) -> list[Event]:
        """Run until `count` events of `kind` (from `pid`) happened; fail after `timeout` seconds."""
        end = time.monotonic() + timeout
        while True:
            found = [e for e in self.events if e.kind == kind and (pid is None or e.pid == pid)]
            if len(found) >= count:
                return found
            if time.monotonic() >= end:
                raise AssertionError(
                    f"no {count} x {kind} from {pid} within {timeout}s; events: {self.events}"
                )
            self.step(min(end, time.monotonic() + 0.05))

    def _kill_for_watchdog(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGABRT)  # systemd's WatchdogSignal=
        try:
            self.proc.wait(timeout=self.abort_timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()  # TimeoutAbortSec= passed: SIGKILL works on a stopped process too
            self.proc.wait(timeout=10)
        self._log("killed", self.proc.pid, str(self.proc.returncode))

    def _restart(self) -> None:
        self.restarts += 1
        self.start()
