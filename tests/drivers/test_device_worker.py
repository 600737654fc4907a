"""DeviceWorker: one thread per device, ordered calls, timeouts and typed errors."""

from __future__ import annotations

import threading

import pytest

from drivers.errors import DeviceBusy, DeviceError, DeviceTimeout, PaperOut
from drivers.worker import DeviceWorker


def test_calls_run_in_order_on_one_thread() -> None:
    worker = DeviceWorker("w")
    seen: list[tuple[int, str]] = []
    futures = [
        worker.submit(lambda i=i: seen.append((i, threading.current_thread().name))) for i in range(20)
    ]
    for f in futures:
        f.result(timeout=5)
    assert [i for i, _ in seen] == list(range(20))
    assert {name for _, name in seen} == {"device-w"}
    assert threading.current_thread().name != "device-w"
    worker.close()


def test_call_returns_result_and_keeps_typed_errors() -> None:
    worker = DeviceWorker("w", category="printer")
    assert worker.call(lambda: 41 + 1, timeout=5) == 42

    def out_of_paper() -> None:
        raise PaperOut("no paper", category="printer", detail="sensor says empty")

    with pytest.raises(PaperOut) as info:
        worker.call(out_of_paper, timeout=5)
    assert info.value.message_key == "device.printer.paper_out"
    worker.close()


def test_unexpected_exception_becomes_device_error() -> None:
    worker = DeviceWorker("cam", category="camera")

    def broken() -> None:
        raise OSError(5, "Input/output error")

    with pytest.raises(DeviceError) as info:
        worker.call(broken, timeout=5, what="read")
    assert type(info.value) is DeviceError
    assert "read" in info.value.detail and "Input/output error" in info.value.detail
    assert info.value.message_key == "device.camera.failed"
    assert isinstance(info.value.__cause__, OSError)
    worker.close()


def test_timeout_then_busy_then_recovers() -> None:
    worker = DeviceWorker("slow", category="scanner")
    release = threading.Event()
    with pytest.raises(DeviceTimeout) as info:
        worker.call(release.wait, 30, timeout=0.05, what="scan")
    assert info.value.message_key == "device.scanner.timeout"
    assert worker.busy
    with pytest.raises(DeviceBusy):
        worker.call(lambda: 1, timeout=1)
    release.set()
    # once the stuck call returns, the device works again
    assert worker.submit(lambda: 7).result(timeout=5) == 7
    assert worker.call(lambda: 8, timeout=5) == 8
    worker.close()


def test_reentrant_submit_runs_inline() -> None:
    worker = DeviceWorker("w")
    inner = worker.submit(lambda: worker.call(lambda: "inner", timeout=1))
    assert inner.result(timeout=5) == "inner"
    worker.close()


def test_closed_worker_refuses() -> None:
    worker = DeviceWorker("w")
    worker.call(lambda: None, timeout=5)
    worker.close()
    with pytest.raises(DeviceError):
        worker.call(lambda: None, timeout=1)
