"""The staff-call tower light over a real pty (the one-byte protocol), and its simulated twin."""

from __future__ import annotations

import os
import select
import time
import tty
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.errors import DeviceAbsent
from drivers.health import DeviceState
from drivers.signal_light import (
    PATTERNS,
    SerialTowerLight,
    SimulatedSignalLight,
    StaffSignal,
    pattern_bytes,
)


class PtyLight:
    """The light's side of a pty pair: collects the bytes the driver writes."""

    def __init__(self) -> None:
        self.master, slave = os.openpty()
        tty.setraw(slave)
        self.path = os.ttyname(slave)
        self._slave = slave

    def read(self, n: int, timeout: float = 5.0) -> bytes:
        out = b""
        deadline = time.monotonic() + timeout
        while len(out) < n and time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                out += os.read(self.master, n - len(out))
        return out

    def close(self) -> None:
        for fd in (self.master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass


@pytest.fixture
def pty_light() -> Iterator[PtyLight]:
    light = PtyLight()
    yield light
    light.close()


def test_pattern_bytes_are_the_documented_commands() -> None:
    # red, amber, green, buzzer: 0x1_ on, 0x2_ off, 0x4_ flash
    assert pattern_bytes("off") == b"\x21\x22\x24\x28"
    assert pattern_bytes("ready") == b"\x21\x22\x14\x28"
    assert pattern_bytes("call") == b"\x21\x42\x24\x18"
    assert pattern_bytes("fault") == b"\x11\x22\x24\x28"
    with pytest.raises(ValueError, match="unknown light pattern"):
        pattern_bytes("disco")


def test_call_on_the_serial_light_then_the_buzzer_stops(pty_light: PtyLight) -> None:
    with SerialTowerLight(pty_light.path, buzz_s=0.2) as light:
        assert isinstance(light, StaffSignal)
        assert light.status().state == DeviceState.ok
        light.show("call")
        assert pty_light.read(4) == b"\x21\x42\x24\x18"
        # after buzz_s the buzzer alone is silenced; the amber light keeps flashing
        assert pty_light.read(1, timeout=5) == b"\x28"
        assert light.pattern == "call"
        light.show("ready")
        assert pty_light.read(4) == b"\x21\x22\x14\x28"
        assert pty_light.read(1, timeout=0.5) == b""


def test_a_cancelled_call_is_not_silenced_late(pty_light: PtyLight) -> None:
    with SerialTowerLight(pty_light.path, buzz_s=0.3) as light:
        light.show("call")
        light.show("off")
        assert pty_light.read(8) == pattern_bytes("call") + pattern_bytes("off")
        assert pty_light.read(1, timeout=0.8) == b""  # the old timer sends nothing


def test_unplugged_light_is_absent(tmp_path: Path) -> None:
    with SerialTowerLight(str(tmp_path / "ttyUSB9")) as light:
        assert light.status().state == DeviceState.absent
        with pytest.raises(DeviceAbsent):
            light.show("call")


def test_simulated_twin() -> None:
    with SimulatedSignalLight() as light:
        assert isinstance(light, StaffSignal)
        for pattern in PATTERNS:
            light.show(pattern)
        assert [p for _, p in light.history] == list(PATTERNS)
        assert light.status().detail == "simulated: showing fault"
        light.set_fault("absent")
        assert light.status().state == DeviceState.absent
        with pytest.raises(DeviceAbsent):
            light.show("call")
        assert light.pattern == "fault"


def test_built_from_config(pty_light: PtyLight, tmp_path: Path) -> None:
    from pydantic import TypeAdapter

    from drivers.build import BuildContext, build_device, build_devices
    from drivers.config import DevicesConfig, SignalLightConfig

    parse = TypeAdapter(SignalLightConfig).validate_python
    assert build_devices(DevicesConfig(), tmp_path).signal_light is None  # none by default
    ctx = BuildContext(tmp_path)
    assert isinstance(build_device("signal_light", parse({"type": "simulated"}), ctx), SimulatedSignalLight)
    light = build_device("signal_light", parse({"type": "serial_tower", "port": pty_light.path}), ctx)
    try:
        assert isinstance(light, SerialTowerLight)
        light.show("fault")
        assert pty_light.read(4) == pattern_bytes("fault")
    finally:
        light.close()
    with pytest.raises(ValueError, match="signal_light"):
        DevicesConfig.model_validate({"signal_light": {"type": "disco"}})
