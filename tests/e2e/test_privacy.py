"""Across one whole demo visit: no unredacted ID number or name in any log, no face on disk."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from kiosk.samples.glass import DEMO_CITIZEN

LOG_SUFFIXES = {".log", ".jsonl", ".txt", ".json"}


def test_a_demo_visit_leaves_no_personal_data_in_logs_and_no_face_on_disk(data_dir, tmp_path):
    kiosk = shutil.which("kiosk") or str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "kiosk")
    out = tmp_path / "out"
    result = subprocess.run(
        [kiosk, "--verbose", "demo", "--out", str(out), "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    # --verbose logs every step at debug level, so the check covers the most talkative run.
    assert "card read: holder" in result.stderr

    secrets = [DEMO_CITIZEN["id_number"], DEMO_CITIZEN["old_id"], DEMO_CITIZEN["full_name"]]
    texts = {"stderr": result.stderr, "stdout": result.stdout}
    for folder in (data_dir, out):
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix in LOG_SUFFIXES:
                texts[str(path)] = path.read_text(encoding="utf-8", errors="replace")
    for where, text in texts.items():
        for secret in secrets:
            assert secret not in text, f"{secret[:3]}... found unredacted in {where}"

    # The only pictures a visit leaves are the certified copy and the receipt: no card crop, no frame.
    images = [
        p
        for folder in (data_dir, out)
        for p in folder.rglob("*")
        if p.suffix.lower() in {".jpg", ".jpeg", ".png", ".bmp", ".npy", ".pkl", ".webp"}
    ]
    receipt = Path(json.loads(result.stdout)["receipt"])
    assert images == [receipt]
