"""A real camera through OpenCV: a device index ("0"), a device path ("/dev/video2", a by-id link) or a
video file, at the configured frame size and rate.

Recovery: when a read fails (the camera was unplugged, the file is gone) the capture is released and
``read`` raises DeviceAbsent; the next ``read`` or ``status`` opens it again, at most once every
``reopen_interval`` seconds, so a camera plugged back in resumes by itself. A video file plays in a loop
(it is opened again at its end, which is also how its disappearance is noticed).
Frames are BGR uint8 at exactly width x height (resized when the device delivers another size).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import cv2
import numpy as np

from drivers.base import DeviceBase
from drivers.errors import CameraFailed, DeviceAbsent, DeviceConfigError
from drivers.health import DeviceState, DeviceStatus

log = logging.getLogger(__name__)


class OpenCVCamera(DeviceBase):
    category = "camera"

    def __init__(
        self,
        source: str | int = "0",
        name: str = "camera",
        *,
        width: int = 640,
        height: int = 480,
        fps: int = 15,
        reopen_interval: float = 2.0,
        timeout: float = 5.0,
    ) -> None:
        super().__init__(name, "opencv", timeout=timeout)
        if width < 16 or height < 16 or fps < 1:
            raise DeviceConfigError(
                f"{name}: bad frame settings",
                category="camera",
                device=name,
                detail=f"{width}x{height}@{fps}",
            )
        text = str(source).strip()
        self.source: int | Path = int(text) if text.isdigit() else Path(text).expanduser()
        self.width, self.height, self.fps = width, height, fps
        self.reopen_interval = reopen_interval
        self._capture: cv2.VideoCapture | None = None
        self._is_file = False
        self._last_attempt = float("-inf")
        self._last_error = ""
        self.opened_count = 0
        self.frames_read = 0

    @property
    def label(self) -> str:
        return f"/dev/video{self.source}" if isinstance(self.source, int) else str(self.source)

    # -- capture handling (device thread only) ------------------------------------------------------------
    def _open(self, *, force: bool = False) -> cv2.VideoCapture:
        if self._capture is not None:
            return self._capture
        now = time.monotonic()
        if not force and now - self._last_attempt < self.reopen_interval:
            raise self._error(
                DeviceAbsent, f"{self.name} is not connected", self._last_error or f"{self.label}: closed"
            )
        self._last_attempt = now
        path = Path(f"/dev/video{self.source}") if isinstance(self.source, int) else self.source
        if not path.exists():
            self._last_error = f"{self.label}: no such device or file"
            raise self._error(DeviceAbsent, f"{self.name} is not connected", self._last_error)
        self._is_file = path.is_file()
        capture = cv2.VideoCapture(self.source if isinstance(self.source, int) else str(path))
        if not capture.isOpened():
            capture.release()
            self._last_error = f"{self.label}: OpenCV cannot open it"
            raise self._error(DeviceAbsent, f"{self.name} is not connected", self._last_error)
        if not self._is_file:
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
            capture.set(cv2.CAP_PROP_FPS, self.fps)
            capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        self._capture = capture
        self.opened_count += 1
        if self.opened_count > 1:
            log.info("camera %s: %s open again", self.name, self.label)
        return capture

    def _release(self, why: str) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None
        self._last_error = f"{self.label}: {why}"

    def _grab(self) -> np.ndarray:
        capture = self._open()
        ok, frame = capture.read()
        if not ok or frame is None:
            if self._is_file:
                # end of the file: play it again (and find out whether it is still there)
                self._release("end of file")
                ok, frame = self._open(force=True).read()
            if not ok or frame is None:
                self._release("no frame (unplugged?)")
                raise self._error(DeviceAbsent, f"{self.name} stopped delivering pictures", self._last_error)
        if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
            raise self._error(
                CameraFailed, f"{self.name} sends an unusable picture", f"frame {frame.shape} {frame.dtype}"
            )
        if frame.shape[1] != self.width or frame.shape[0] != self.height:
            frame = cv2.resize(frame, (self.width, self.height), interpolation=cv2.INTER_AREA)
        self.frames_read += 1
        return frame

    # -- device API ---------------------------------------------------------------------------------------
    def read(self) -> np.ndarray:
        return self._call(self._grab)

    def _status(self) -> DeviceStatus:
        try:
            capture = self._open()
        except DeviceAbsent as exc:
            return self._make_status(DeviceState.absent, exc.detail, "absent")
        got_w = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        got_h = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        return self._make_status(
            DeviceState.ok, f"{self.label}: open, {got_w}x{got_h} delivered as {self.width}x{self.height}"
        )

    def _close(self) -> None:
        self._release("closed")
