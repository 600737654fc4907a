"""sd_notify for the kiosk's services, stdlib only.

systemd starts `kiosk run` and `kiosk sync run` as ``Type=notify`` units with ``WatchdogSec=``. Each process
says ``READY=1`` once it can serve, then pings ``WATCHDOG=1`` from its own event loop (a QTimer in the UI,
the worker's ``on_tick`` callback in sync), so a hung GUI thread or a stuck worker stops the pings and
systemd restarts the unit. ``STOPPING=1`` on a clean shutdown; ``STATUS=`` text shows in
``systemctl status``.

Outside systemd ($NOTIFY_SOCKET unset) every call is a cheap no-op that returns False, so the same code runs
on a developer's machine and in tests.

    from kiosk.runtime import notify
    notify.ready()
    interval = notify.watchdog_interval()      # seconds between pings, or None when no watchdog is set
    ... every `interval` seconds, from the loop that must prove it is alive: notify.watchdog_ping()
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

NOTIFY_SOCKET_ENV = "NOTIFY_SOCKET"
WATCHDOG_USEC_ENV = "WATCHDOG_USEC"
WATCHDOG_PID_ENV = "WATCHDOG_PID"

_warned_lock = threading.Lock()
_warned: set[str] = set()


def _socket_address(raw: str) -> str | bytes | None:
    """$NOTIFY_SOCKET as an AF_UNIX address: a path, or an abstract name written with a leading '@'."""
    if not raw:
        return None
    if raw.startswith("@"):
        return b"\0" + raw[1:].encode()
    if raw.startswith("/"):
        return raw
    # systemd also allows vsock: addresses (VMs); the kiosk never runs that way.
    _warn_once(raw, "NOTIFY_SOCKET=%r is not a unix socket path; notifications disabled")
    return None


def _warn_once(key: str, message: str, *args: object) -> None:
    with _warned_lock:
        if key in _warned:
            return
        _warned.add(key)
    log.warning(message, *args)


def notify(*fields: str, env: Mapping[str, str] | None = None) -> bool:
    """Send ``KEY=value`` lines to the service manager; True when a datagram went out.

    Never raises: a service must keep working when the manager is gone (for example during shutdown).
    """
    environ = os.environ if env is None else env
    address = _socket_address(environ.get(NOTIFY_SOCKET_ENV, ""))
    if address is None or not fields:
        return False
    for field in fields:
        if "=" not in field or "\n" in field:
            raise ValueError(f"sd_notify field must be KEY=value on one line, got {field!r}")
    message = "\n".join(fields).encode()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            # Never wait: a manager that is not reading (its queue full) must not freeze the GUI loop
            # that pings it. A dropped ping is the watchdog's business; a frozen screen is the citizen's.
            sock.setblocking(False)
            sock.sendto(message, address)
    except OSError as exc:
        _warn_once(f"send:{exc.errno}", "cannot notify the service manager at %s: %s", address, exc)
        return False
    return True


def ready(status: str | None = None) -> bool:
    """Tell systemd the service is up (``READY=1``); the unit counts as started from here on."""
    fields = ["READY=1"]
    if status:
        fields.append(f"STATUS={_one_line(status)}")
    return notify(*fields)


def watchdog_ping() -> bool:
    """``WATCHDOG=1``: this process's loop is alive. Call it at least every `watchdog_interval()` seconds."""
    return notify("WATCHDOG=1")


def stopping(status: str | None = None) -> bool:
    """``STOPPING=1``: a clean shutdown has begun, so a slow exit is not mistaken for a hang."""
    fields = ["STOPPING=1"]
    if status:
        fields.append(f"STATUS={_one_line(status)}")
    return notify(*fields)


def status(text: str) -> bool:
    """``STATUS=``: one line shown by ``systemctl status``."""
    return notify(f"STATUS={_one_line(text)}")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def watchdog_timeout(env: Mapping[str, str] | None = None) -> float | None:
    """The watchdog timeout systemd set for this process ($WATCHDOG_USEC), in seconds, or None.

    $WATCHDOG_PID names the unit's main process. Under cage that is the compositor, and `kiosk run` is
    its child (the unit has NotifyAccess=all), so the parent's pid counts too. Any other pid means the
    variables were inherited further down, not meant for us: None.
    """
    environ = os.environ if env is None else env
    raw = environ.get(WATCHDOG_USEC_ENV, "").strip()
    if not raw:
        return None
    pid = environ.get(WATCHDOG_PID_ENV, "").strip()
    if pid and pid not in (str(os.getpid()), str(os.getppid())):
        return None
    try:
        usec = int(raw)
    except ValueError:
        _warn_once(f"usec:{raw}", "ignoring WATCHDOG_USEC=%r: not a whole number of microseconds", raw)
        return None
    if usec <= 0:
        return None
    return usec / 1_000_000


def watchdog_interval(env: Mapping[str, str] | None = None) -> float | None:
    """Seconds between watchdog pings: half the timeout, as sd_watchdog_enabled(3) advises; None if off."""
    timeout = watchdog_timeout(env)
    return None if timeout is None else timeout / 2


def watchdog_ticker(
    *, clock: Callable[[], float] = time.monotonic, send: Callable[[], bool] = watchdog_ping
) -> Callable[[], None]:
    """A callable for a worker's ``on_tick``: pings at most once per `watchdog_interval()`.

    A busy loop may call it thousands of times a second; only one datagram per interval goes out.
    With no watchdog configured it does nothing.
    """
    interval = watchdog_interval()
    last = [float("-inf")]

    def tick() -> None:
        if interval is None:
            return
        now = clock()
        if now - last[0] >= interval / 2:
            last[0] = now
            send()

    return tick
