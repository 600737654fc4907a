"""The OpenCV camera on a video file: frames, size, and recovery when the source vanishes and returns."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.camera import OpenCVCamera
from drivers.errors import DeviceAbsent
from drivers.health import DeviceState


def _video(path: Path, frames: int, size: tuple[int, int] = (64, 48)) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, size)
    assert writer.isOpened()
    for i in range(frames):
        writer.write(np.full((size[1], size[0], 3), 40 * (i + 1), np.uint8))
    writer.release()
    return path


def test_reads_frames_at_the_configured_size(tmp_path: Path) -> None:
    video = _video(tmp_path / "clip.avi", 3)
    with OpenCVCamera(str(video), width=320, height=240, reopen_interval=0) as camera:
        status = camera.status()
        assert status.state == DeviceState.ok and "64x48 delivered as 320x240" in status.detail
        frames = [camera.read() for _ in range(5)]
    assert all(f.shape == (240, 320, 3) and f.dtype == np.uint8 for f in frames)
    # the file plays in a loop: 1 2 3 1 2
    assert [round(int(f[120, 160].mean()) / 40) for f in frames] == [1, 2, 3, 1, 2]


def test_recovers_when_the_source_disappears_and_comes_back(tmp_path: Path) -> None:
    video = _video(tmp_path / "cam.avi", 2)
    spare = shutil.copy(video, tmp_path / "spare.avi")
    with OpenCVCamera(str(video), width=64, height=48, reopen_interval=0) as camera:
        camera.read()
        camera.read()
        video.unlink()  # unplugged
        with pytest.raises(DeviceAbsent) as info:
            camera.read()
        assert info.value.message_key == "device.camera.absent"
        assert camera.status().state == DeviceState.absent
        with pytest.raises(DeviceAbsent):
            camera.read()
        shutil.copy(spare, video)  # plugged back
        assert camera.status().state == DeviceState.ok
        assert camera.read().shape == (48, 64, 3)
        assert camera.opened_count == 2


def test_reopen_is_rate_limited(tmp_path: Path) -> None:
    missing = tmp_path / "video7.avi"
    with OpenCVCamera(str(missing), reopen_interval=3600) as camera:
        with pytest.raises(DeviceAbsent):
            camera.read()
        _video(missing, 1)
        # the source is back, but the next attempt is not due yet: no hammering of a flaky device
        with pytest.raises(DeviceAbsent):
            camera.read()
        assert camera.opened_count == 0


def test_missing_device_index_is_absent() -> None:
    index = next(i for i in range(60, 100) if not Path(f"/dev/video{i}").exists())
    with OpenCVCamera(str(index)) as camera:
        status = camera.status()
        assert status.state == DeviceState.absent and f"/dev/video{index}" in status.detail
