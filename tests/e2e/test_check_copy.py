"""Checking a copy on the simulated glass: the newest copy this kiosk issued, as its printout scans."""

from __future__ import annotations

import contextlib
import io
import json

from kiosk.app import KioskApp
from kiosk.cli import main
from kiosk.config import load_config


def test_a_printed_copy_laid_on_the_glass_checks_valid_and_a_plain_page_does_not(data_dir, tmp_path):
    with KioskApp(load_config()) as app:
        before = app.pipeline.check_copy(app.pipeline.scan_copy())
    assert before.valid is False, "with no copy issued yet, the glass holds a plain document"

    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        assert main(["demo", "--out", str(tmp_path / "out"), "--json"]) == 0
    issued = json.loads(stdout.getvalue())

    with KioskApp(load_config()) as app:
        scan = app.pipeline.scan_copy()
        result = app.pipeline.check_copy(scan)
    assert scan.shape[0] > 1500, "a 150 dpi picture of an A4 page"
    assert result.valid is True, result.reason
    assert result.code == issued["code"]
