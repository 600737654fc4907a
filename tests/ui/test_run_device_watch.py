"""`kiosk run` (ui.app.build_kiosk over a KioskApp) polls the devices off the GUI thread, so the sync
worker's heartbeat carries each device's state."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from kiosk.config import parse_config

pytestmark = [pytest.mark.timeout(180)]


def test_kiosk_run_heartbeat_carries_device_states(qtbot: Any, tmp_path: Path) -> None:
    from kiosk.app import KioskApp
    from kiosk.runtime.fleet_health import DEVICES_FILE, heartbeat_health
    from ui.app import build_kiosk

    app = KioskApp(parse_config({"kiosk": {"data_dir": str(tmp_path / "data")}}))
    try:
        kiosk = build_kiosk(app.config, kiosk_app=app, audit=lambda e, d: None, use_face_process=False)
        qtbot.addWidget(kiosk.window)
        try:
            assert kiosk.parts_ready.wait(60)
            path = app.config.path(DEVICES_FILE)
            deadline = time.monotonic() + 60
            while not heartbeat_health(path)["devices"]:
                assert time.monotonic() < deadline, "kiosk run never wrote the device states"
                qtbot.wait(100)
            health = heartbeat_health(path)
            names = {d["name"] for d in health["devices"]}
            assert {"scanner", "camera", "receipt_printer"} <= names
            assert all(d["state"] in ("ok", "warning", "error", "absent") for d in health["devices"])
            assert kiosk.services.payment_required is True  # nothing prints unpaid under kiosk run
        finally:
            kiosk.close()
    finally:
        app.close()
