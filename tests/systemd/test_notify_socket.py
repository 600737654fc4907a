"""kiosk.runtime.notify speaks the sd_notify protocol byte for byte, on path and abstract sockets."""

from __future__ import annotations

import itertools
import os
import socket
from collections.abc import Iterator

import pytest

from kiosk.runtime import notify


@pytest.fixture(params=["path", "abstract"])
def listener(request, tmp_path, monkeypatch) -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if request.param == "path":
        address = str(tmp_path / "notify.sock")
        sock.bind(address)
        monkeypatch.setenv("NOTIFY_SOCKET", address)
    else:
        name = f"kiosk-notify-test-{os.getpid()}"
        sock.bind("\0" + name)
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
    sock.settimeout(5)
    yield sock
    sock.close()


def test_ready_watchdog_stopping_and_status_datagrams(listener):
    assert notify.ready("kiosk up")
    assert listener.recv(4096) == b"READY=1\nSTATUS=kiosk up"
    assert notify.watchdog_ping()
    assert listener.recv(4096) == b"WATCHDOG=1"
    assert notify.status("sync: 12 records\nwaiting")
    assert listener.recv(4096) == b"STATUS=sync: 12 records waiting"
    assert notify.stopping()
    assert listener.recv(4096) == b"STOPPING=1"


def test_without_a_manager_every_call_is_a_quiet_no_op(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert notify.ready() is False
    assert notify.watchdog_ping() is False
    assert notify.stopping() is False


def test_a_vanished_socket_does_not_raise(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "gone.sock"))
    assert notify.watchdog_ping() is False
    monkeypatch.setenv("NOTIFY_SOCKET", "vsock:2:1234")
    assert notify.watchdog_ping() is False


def test_fields_must_be_single_key_value_lines(listener):
    with pytest.raises(ValueError, match="KEY=value"):
        notify.notify("READY")
    with pytest.raises(ValueError, match="KEY=value"):
        notify.notify("STATUS=a\nREADY=1")


@pytest.mark.parametrize(
    ("env", "timeout", "interval"),
    [
        ({"WATCHDOG_USEC": "30000000"}, 30.0, 15.0),
        ({"WATCHDOG_USEC": "1000000", "WATCHDOG_PID": str(os.getpid())}, 1.0, 0.5),
        ({"WATCHDOG_USEC": "1000000", "WATCHDOG_PID": str(os.getppid())}, 1.0, 0.5),  # under cage
        ({"WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "999999999"}, None, None),  # meant for another process
        ({"WATCHDOG_USEC": "0"}, None, None),
        ({"WATCHDOG_USEC": "soon"}, None, None),
        ({}, None, None),
    ],
)
def test_watchdog_interval_from_the_environment(env, timeout, interval):
    assert notify.watchdog_timeout(env) == timeout
    assert notify.watchdog_interval(env) == interval


def test_the_ticker_pings_once_per_quarter_period_however_often_it_is_called(monkeypatch):
    monkeypatch.setenv("WATCHDOG_USEC", "2000000")  # 2 s: interval 1 s, ticker every 0.5 s
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    now = [100.0]
    sent: list[float] = []
    tick = notify.watchdog_ticker(clock=lambda: now[0], send=lambda: sent.append(now[0]) or True)
    for _ in range(1000):  # 1000 loop rounds, 5 ms apart = 5 s
        tick()
        now[0] += 0.005
    assert len(sent) == 10
    assert all(b - a >= 0.5 - 1e-9 for a, b in itertools.pairwise(sent))


def test_the_ticker_does_nothing_without_a_watchdog(monkeypatch):
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    sent: list[int] = []
    tick = notify.watchdog_ticker(send=lambda: sent.append(1) or True)
    for _ in range(10):
        tick()
    assert sent == []


def test_a_manager_that_does_not_read_never_blocks_the_sender(tmp_path):
    """A full notify queue drops the ping instead of freezing the loop that sends it."""
    import socket as socket_module

    from kiosk.runtime import notify as notify_module

    address = str(tmp_path / "full.sock")
    server = socket_module.socket(socket_module.AF_UNIX, socket_module.SOCK_DGRAM)
    server.bind(address)
    try:
        env = {"NOTIFY_SOCKET": address}
        sent = [notify_module.notify("WATCHDOG=1", env=env) for _ in range(2000)]
        assert sent[0] is True
        assert sent[-1] is False, "the queue filled up and later pings were dropped, not waited on"
    finally:
        server.close()
