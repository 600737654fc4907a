"""What the sync worker's heartbeat tells central IT about this kiosk: its software version, its ward, and
each device's state.

The devices belong to the kiosk (UI) process; the heartbeat is sent by the sync worker, another process.
The kiosk writes the devices' last states to a small JSON file whenever one changes
(`watch_devices(monitor, path)`), and the worker reads it into each heartbeat (`heartbeat_health`).
"""

from __future__ import annotations

import json
import logging
import os
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from drivers.build import HealthWatcher

log = logging.getLogger(__name__)

DEVICES_FILE = "sync/devices.json"


def software_version() -> str:
    try:
        return metadata.version("smart-kiosk")
    except metadata.PackageNotFoundError:
        return "unknown"


def write_device_states(path: Path, states: list[dict[str, Any]]) -> None:
    """Atomically replace the snapshot (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"written_at": time.time(), "devices": states}, ensure_ascii=False))
    os.replace(tmp, path)


def watch_devices(monitor: Any, path: Path) -> None:
    """Keep `path` up to date with a drivers.HealthMonitor's states (called on each change)."""

    def changed(_status: Any) -> None:
        try:
            states = [s.to_json() for s in monitor.snapshot().values()]
            write_device_states(path, states)
        except OSError as exc:
            log.warning("cannot write the device states for the heartbeat: %s", exc)

    monitor.subscribe(changed)


def read_device_states(path: Path) -> tuple[list[dict[str, Any]], float | None]:
    """(devices, age in seconds) from the snapshot; ([], None) when there is none or it is unreadable."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        devices = [
            {k: str(d.get(k, ""))[:200] for k in ("name", "kind", "state", "detail", "reason")}
            for d in data.get("devices", [])
            if isinstance(d, dict)
        ]
        return devices[:32], max(0.0, time.time() - float(data.get("written_at", 0)))
    except (OSError, ValueError, TypeError, AttributeError):
        return [], None


def heartbeat_health(devices_file: Path, *, ward: str = "") -> dict[str, Any]:
    """The fields the operations dashboard reads from a heartbeat's `health`."""
    devices, age = read_device_states(devices_file)
    health: dict[str, Any] = {"software_version": software_version(), "devices": devices}
    if ward:
        health["ward"] = ward
    if age is not None:
        health["devices_age_s"] = round(age, 1)
    return health


def start_device_watch(app: Any, interval: float = 10.0) -> Any:
    """Poll the kiosk's devices on their own thread (drivers.HealthWatcher): every change reaches the
    snapshot file that `KioskApp.devices` wires to the heartbeat. `kiosk run` calls this once; stop it
    with `.stop()` at shutdown."""
    watcher = HealthWatcher(app.devices, interval=interval)
    watcher.start()
    return watcher
