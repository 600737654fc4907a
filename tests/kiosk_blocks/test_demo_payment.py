"""`kiosk demo --pages 5 --copies 2 --json`: the fee per the circular, paid by VietQR through the backend."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from pyzbar import pyzbar

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_demo_reports_the_fee_and_a_paid_payment(tmp_path: Path) -> None:
    env = {"KIOSK_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "demo", "--pages", "5", "--copies", "2", "--json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["fee_vnd"] == 14000
    assert payload["payment"]["method"] == "vietqr"
    assert payload["payment"]["status"] == "paid"
    reference = payload["payment"]["reference"]
    assert reference.startswith("HN001P")
    assert payload["fee"]["lines"] == [
        {"pages": 2, "unit_vnd": 2000, "amount_vnd": 4000},
        {"pages": 3, "unit_vnd": 1000, "amount_vnd": 3000},
    ]
    assert payload["pdf"].endswith("-x2.pdf")  # two copies printed
    # the receipt shows what was paid; its QR is the code
    receipt = Path(payload["receipt"])
    with Image.open(receipt) as image:
        found = pyzbar.decode(image.convert("L"))
    assert [f.data.decode() for f in found] == [payload["code"]]
    bad = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "demo", "--copies", "0", "--json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2
    assert "--copies" in bad.stderr
