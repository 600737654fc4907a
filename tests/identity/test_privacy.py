"""Nothing biometric reaches the disk or the logs during the identity step of a visit.

Two proofs: in-process, an audit hook sees every file Python opens for writing and a log capture sees
every record at DEBUG; out-of-process, strace sees every file the process (and the C libraries in it:
dlib, OpenCV, zbar) opens for writing or creates.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kiosk.identity import FaceVerifier, check_challenge, find_card_portrait, read_card
from kiosk.identity.config import IdentityConfig
from kiosk.samples.card import make_card_image, sample_card

REPO = Path(__file__).parents[2]
_WRITE_MODES = re.compile(r"[wax+]")
_writes: list[str] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _writes is None:
        return
    if event == "open":
        path, mode, flags = args
        writing = (isinstance(mode, str) and _WRITE_MODES.search(mode)) or (
            isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
        )
        # /dev/null: ctypes.util.find_library (pyzbar loading zbar) silences a child process with it.
        if writing and path != "/dev/null":
            _writes.append(f"open {path!r} {mode!r}")
    elif event in {"os.rename", "os.link", "os.symlink", "os.mkdir", "shutil.copyfile", "os.truncate"}:
        _writes.append(f"{event} {args!r}")


sys.addaudithook(_audit)


def files_under(*roots: Path) -> set[tuple[str, int]]:
    return {(str(p), p.stat().st_size) for root in roots for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def watched_writes() -> Iterator[list[str]]:
    global _writes
    _writes = []
    try:
        yield _writes
    finally:
        _writes = None


def test_identity_step_writes_nothing_and_logs_no_personal_or_biometric_data(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    watched_writes: list[str],
) -> None:
    from kiosk.identity.simulated_subject import _portrait_landmarks, challenge_frames

    data_dir, temp_dir, work_dir = tmp_path / "data", tmp_path / "tmp", tmp_path / "cwd"
    for d in (data_dir, temp_dir, work_dir):
        d.mkdir()
    monkeypatch.setenv("KIOSK_DATA_DIR", str(data_dir))
    monkeypatch.setenv("TMPDIR", str(temp_dir))
    monkeypatch.setattr("tempfile.tempdir", str(temp_dir))
    monkeypatch.chdir(work_dir)
    import cv2

    def no_imwrite(*args: object, **kwargs: object) -> bool:
        raise AssertionError("an image was written to disk")

    monkeypatch.setattr(cv2, "imwrite", no_imwrite)

    card_data = sample_card(12)
    card_image = make_card_image(card_data)
    frames = challenge_frames("blink+turn_right", seed=5)
    verifier = FaceVerifier(IdentityConfig())
    verifier.warm_up()
    _portrait_landmarks()
    before = files_under(tmp_path)
    watched_writes.clear()

    with caplog.at_level(logging.DEBUG):
        card = read_card(card_image)
        portrait = find_card_portrait(card_image)
        liveness = check_challenge("blink+turn_right", frames)
        decision = verifier.verify(card_image, frames)

    assert card == card_data
    assert liveness.passed
    assert decision.match
    assert watched_writes == []
    assert files_under(tmp_path) == before
    # What the record keeps: decision, distance, liveness result, masked ID. No arrays.
    record = {
        "holder": card.masked_id(),
        "face_match": decision.match,
        "face_distance": decision.distance,
        "liveness": liveness.record(),
    }
    assert json.loads(json.dumps(record)) == record
    assert record["holder"] == card.id_number[:3] + "******" + card.id_number[-3:]
    assert all(not isinstance(v, np.ndarray) for v in vars(decision).values())
    assert all(not isinstance(v, np.ndarray) for v in vars(verifier).values())
    # The logs (before any redaction filter) hold no ID, no name, no encoding-like list of numbers.
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert caplog.records, "the identity step should log its decisions"
    assert card.id_number not in text
    assert card.full_name not in text
    assert card.full_name.split()[-1] not in text.split()
    assert not re.search(r"(-?\d+\.\d+[,\s]+){8,}", text), "an encoding-like run of numbers was logged"
    assert portrait.nbytes > 0  # the crop existed, in memory


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed (apt-get install strace)")
def test_no_file_is_written_by_any_library_during_the_identity_step(tmp_path: Path) -> None:
    trace = tmp_path / "trace.txt"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "TMPDIR": str(tmp_path), "PYTHONPATH": str(REPO)}
    syscalls = "trace=openat,open,creat,rename,renameat,renameat2,link,mkdir,write"
    script = str(Path(__file__).with_name("privacy_visit.py"))
    command = ["strace", "-f", "-qq", "-e", syscalls, "-e", "signal=none", "-o", str(trace)]
    result = subprocess.run(
        [*command, sys.executable, "-W", "ignore", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    record = json.loads(out.split("VISIT-END\n", 1)[1])
    assert record["face_match"] is True
    assert record["liveness"].startswith("passed:")
    lines = trace.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if 'write(1, "VISIT-START' in line)
    end = next(i for i, line in enumerate(lines) if 'write(1, "VISIT-END' in line)
    visit = lines[start + 1 : end]
    assert visit, "the trace should cover the visit"
    opened_for_writing = [
        line for line in visit
        if re.search(r"\bopen(at)?\(|\bcreat\(", line) and re.search(r"O_WRONLY|O_RDWR|O_CREAT|creat\(", line)
    ]  # fmt: skip
    moved = [line for line in visit if re.search(r"\b(rename|renameat2?|link|mkdir)\(", line)]
    # Writes to stdout/stderr (fd 1, 2: the logs) are allowed, and checked below; any other fd is a file.
    other_writes = [line for line in visit if re.search(r"\bwrite\((?![12],)\d+,", line)]
    assert opened_for_writing == []
    assert moved == []
    assert other_writes == []
    card = sample_card(11)
    assert card.id_number not in result.stderr
    assert card.full_name not in result.stderr
    assert list(tmp_path.iterdir()) == [trace]
