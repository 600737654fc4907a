"""The staff-call light: a tower light with a buzzer that tells the hall's staff a kiosk needs someone.

Protocol (one device, two back-ends, the same shape as the other devices): ``show(pattern)`` where the
pattern is one of :data:`PATTERNS`; ``pattern`` is what it shows now; ``status()`` never raises.

========  ====================================================================================
ready     green steady: the kiosk is in service
call      amber flashing, buzzer for ``buzz_s`` seconds: a citizen asked for staff
fault     red steady: out of service (a device fault, maintenance)
off       everything off
========  ====================================================================================

:class:`SerialTowerLight` drives the common USB tower light with a CH34x/CH910x serial bridge (for
instance Adafruit's "Tri-Color USB Controlled Alarm Tower Light with Buzzer"), 9600 baud 8N1. Each command
is one byte, high nibble the action and low nibble the lamp::

    action: 0x1_ on, 0x2_ off, 0x4_ flash        lamp: 0x_1 red, 0x_2 amber, 0x_4 green, 0x_8 buzzer

so ``0x42`` flashes amber and ``0x28`` silences the buzzer. The light sends nothing back: its status is
whether the port is there and takes the bytes. A pattern is sent as all four lamps' commands, so a light
that missed one command (unplugged for a moment) is back in the right state at the next ``show``.

:class:`SimulatedSignalLight` is the twin for the demo and the tests: it keeps the pattern and a history,
and takes the same faults as the other simulated devices. Config: ``[devices.signal_light]`` with ``type``
``simulated``, ``serial_tower`` (``port``, ``baudrate``, ``buzz_s``) or ``none`` (drivers.config).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import serial

from drivers.base import DeviceBase, StaffSignal
from drivers.errors import DeviceAbsent, DeviceConfigError, DeviceOffline
from drivers.health import DeviceState, DeviceStatus
from drivers.simulated import _FaultMixin

log = logging.getLogger(__name__)

PATTERNS = ("off", "ready", "call", "fault")
ON, OFF, FLASH = 0x10, 0x20, 0x40
RED, AMBER, GREEN, BUZZER = 0x01, 0x02, 0x04, 0x08

# The action of each lamp (red, amber, green, buzzer) for each pattern.
_PATTERN_ACTIONS: dict[str, tuple[int, int, int, int]] = {
    "off": (OFF, OFF, OFF, OFF),
    "ready": (OFF, OFF, ON, OFF),
    "call": (OFF, FLASH, OFF, ON),
    "fault": (ON, OFF, OFF, OFF),
}


def pattern_bytes(pattern: str) -> bytes:
    """The four command bytes of a pattern (red, amber, green, buzzer)."""
    if pattern not in _PATTERN_ACTIONS:
        raise ValueError(f"unknown light pattern {pattern!r}; known: {', '.join(PATTERNS)}")
    actions = _PATTERN_ACTIONS[pattern]
    return bytes(action | lamp for action, lamp in zip(actions, (RED, AMBER, GREEN, BUZZER), strict=True))


SILENCE = bytes((OFF | BUZZER,))


class SerialTowerLight(DeviceBase):
    category = "signal_light"

    def __init__(
        self,
        port: str,
        name: str = "signal_light",
        *,
        baudrate: int = 9600,
        buzz_s: float = 3.0,
        timeout: float = 5.0,
    ) -> None:
        super().__init__(name, "serial_tower", timeout=timeout)
        self.port = port
        self.baudrate = baudrate
        self.buzz_s = buzz_s
        self.pattern = "off"
        self._serial: serial.Serial | None = None
        self._buzz_timer: threading.Timer | None = None
        self._generation = 0

    def _port(self) -> serial.Serial:
        if self._serial is not None and self._serial.is_open:
            return self._serial
        if not self.port:
            raise self._error(
                DeviceConfigError, "no serial port configured", "devices.signal_light.port is empty"
            )
        if not self.port.startswith(("socket://", "rfc2217://", "loop://")) and not Path(self.port).exists():
            raise self._error(DeviceAbsent, f"{self.name} is not connected", f"{self.port}: no such device")
        try:
            self._serial = serial.serial_for_url(
                self.port, baudrate=self.baudrate, timeout=0.2, write_timeout=self.timeout
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            raise self._error(DeviceAbsent, f"{self.name} is not connected", f"{self.port}: {exc}") from exc
        return self._serial

    def _drop_port(self) -> None:
        if self._serial is not None:
            try:
                self._serial.close()
            except (serial.SerialException, OSError):
                pass
        self._serial = None

    def _write(self, data: bytes) -> None:
        port = self._port()
        try:
            port.write(data)
            port.flush()
        except serial.SerialTimeoutException as exc:
            raise self._error(
                DeviceOffline, f"{self.name} does not take data", f"{self.port}: write timed out"
            ) from exc
        except (serial.SerialException, OSError) as exc:
            self._drop_port()
            raise self._error(
                DeviceAbsent, f"{self.name} is not connected", f"{self.port}: write: {exc}"
            ) from exc

    def show(self, pattern: str) -> None:
        data = pattern_bytes(pattern)
        self._call(self._show, pattern, data)

    def _show(self, pattern: str, data: bytes) -> None:
        self._generation += 1
        if self._buzz_timer is not None:
            self._buzz_timer.cancel()
            self._buzz_timer = None
        self._write(data)
        self.pattern = pattern
        log.info("signal light %s: %s", self.name, pattern)
        if pattern == "call" and self.buzz_s > 0:
            generation = self._generation
            self._buzz_timer = threading.Timer(self.buzz_s, self._silence, args=(generation,))
            self._buzz_timer.daemon = True
            self._buzz_timer.start()

    def _silence(self, generation: int) -> None:
        try:
            self._call(self._silence_now, generation)
        except Exception as exc:  # the light may be gone; the next show() resends everything
            log.warning("signal light %s: cannot silence the buzzer: %s", self.name, exc)

    def _silence_now(self, generation: int) -> None:
        if generation == self._generation:
            self._write(SILENCE)

    def _status(self) -> DeviceStatus:
        self._port()
        return self._make_status(DeviceState.ok, f"{self.port}: showing {self.pattern}")

    def _close(self) -> None:
        if self._buzz_timer is not None:
            self._buzz_timer.cancel()
        self._drop_port()


class SimulatedSignalLight(_FaultMixin):
    """The light's twin: ``pattern`` now and ``history`` of (monotonic time, pattern)."""

    category = "signal_light"

    def __init__(self, name: str = "signal_light", *, timeout: float = 5.0) -> None:
        super().__init__(name, "simulated", timeout=timeout)
        self.pattern = "off"
        self.history: list[tuple[float, str]] = []

    def show(self, pattern: str) -> None:
        pattern_bytes(pattern)  # the same check as the real light
        self._call(self._show, pattern)

    def _show(self, pattern: str) -> None:
        self._raise_fault(f"show {pattern}")
        self.pattern = pattern
        self.history.append((time.monotonic(), pattern))

    def _status(self) -> DeviceStatus:
        status = super()._status()
        if status.state == DeviceState.ok:
            return self._make_status(DeviceState.ok, f"simulated: showing {self.pattern}")
        return status


__all__ = ["PATTERNS", "SerialTowerLight", "SimulatedSignalLight", "StaffSignal", "pattern_bytes"]
