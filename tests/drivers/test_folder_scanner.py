"""The scan-to-folder scanner: oldest file first, dpi from the file, bad files set aside."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from drivers.errors import DeviceAbsent, NoDocument, ScanFailed
from drivers.health import DeviceState
from drivers.scanners import FolderScanner


def _write(path: Path, value: int, size: tuple[int, int], dpi: int | None, mtime: int) -> None:
    image = Image.fromarray(np.full((size[1], size[0]), value, np.uint8), mode="L")
    image.save(path, dpi=(dpi, dpi)) if dpi else image.save(path)
    os.utime(path, (mtime, mtime))


def test_takes_the_oldest_page_and_honours_its_dpi(tmp_path: Path) -> None:
    _write(tmp_path / "b.png", 200, (600, 800), 600, 1_000)
    _write(tmp_path / "a.tif", 100, (300, 400), None, 2_000)
    (tmp_path / ".c.png.part").write_bytes(b"half")
    with FolderScanner(tmp_path) as scanner:
        assert "2 page(s) waiting" in scanner.status().detail
        first = scanner.scan(dpi=300)
        assert first.shape == (400, 300, 3) and int(first[10, 10, 0]) == 200  # 600 dpi file halved
        second = scanner.scan(dpi=300)
        assert second.shape == (400, 300, 3) and int(second[10, 10, 0]) == 100  # no dpi: taken as asked
        with pytest.raises(NoDocument):
            scanner.scan()
    assert sorted(p.name for p in (tmp_path / "done").iterdir()) == ["a.tif", "b.png"]


def test_unreadable_file_is_set_aside(tmp_path: Path) -> None:
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    with FolderScanner(tmp_path) as scanner:
        with pytest.raises(ScanFailed) as info:
            scanner.scan()
        assert "broken.jpg" in info.value.detail
        assert (tmp_path / "rejected" / "broken.jpg").exists()
        with pytest.raises(NoDocument):
            scanner.scan()


def test_missing_inbox_is_absent(tmp_path: Path) -> None:
    with FolderScanner(tmp_path / "nope") as scanner:
        assert scanner.status().state == DeviceState.absent
        with pytest.raises(DeviceAbsent):
            scanner.scan()
