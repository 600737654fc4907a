"""A whole demo visit with a public listener and a ward configured: the receipt carries the retrieval
secret and a second QR that opens the retrieval page; the record keeps only the secret's hash and the
visit's KPI metrics (durations and counts)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import apsw
import numpy as np
from PIL import Image
from pyzbar import pyzbar

from offline_sync.protocol.citizen import verify_retrieval_secret

PUBLIC = "https://tracuu.hanoi.gov.vn"


def test_demo_receipt_has_a_working_retrieval_secret_and_the_record_its_metrics(
    data_dir: Path, tmp_path: Path
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[sync]\npublic_url = "{PUBLIC}"\nward = "Phường Hàng Bạc"\n', encoding="utf-8")
    kiosk = shutil.which("kiosk") or str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "kiosk")
    result = subprocess.run(
        [kiosk, "demo", "--config", str(config), "--out", str(tmp_path / "out"), "--json"],
        capture_output=True, text=True, check=False, timeout=240,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    code = payload["code"]
    receipt = np.array(Image.open(payload["receipt"]).convert("L"))
    decoded = sorted(d.data.decode() for d in pyzbar.decode(receipt))
    assert len(decoded) == 2 and code in decoded
    (url,) = [d for d in decoded if d != code]
    match = re.fullmatch(rf"{re.escape(PUBLIC)}/r/{re.escape(code)}#s=([0-9A-Z]{{10}})", url)
    assert match, url
    secret = match.group(1)

    db_file = Path(payload["record"]["database"])
    assert data_dir in db_file.parents
    with apsw.Connection(str(db_file)) as db:
        stored_hash, metrics_text = db.execute(
            "SELECT retrieval_hash, visit_metrics FROM records WHERE code = ?", (code,)
        ).fetchone()
    assert verify_retrieval_secret(secret, code, stored_hash)
    metrics = json.loads(metrics_text)
    assert metrics["ward"] == "Phường Hàng Bạc"
    assert metrics["visit_seconds"] > 0
    assert {"identify", "face", "scan", "certify"} <= set(metrics["step_seconds"])
    assert metrics["face_attempts"] >= 1 and metrics["pages_scanned"] >= 1
    # The secret is on the paper only: not in the store, not in any log or file of the data folder.
    for path in data_dir.rglob("*"):
        if path.is_file() and path.suffix not in (".png", ".pdf"):
            assert secret.encode() not in path.read_bytes(), path
