"""Simulated scanner and camera: product code that the demo and the tests run the whole kiosk on.

They behave like the real ones (their own worker thread, time-bounded calls, the same typed errors) and
can be told to fail with :meth:`set_fault` (``paper_out``, ``absent``, ``no_document``...), so the
maintenance screen and the error paths can be exercised without hardware.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import cv2
import numpy as np

from drivers.base import DeviceBase
from drivers.errors import CameraFailed, DeviceConfigError, NoDocument, ScanFailed
from drivers.faults import FAULTS, check_fault
from drivers.health import DeviceState, DeviceStatus
from drivers.imaging import as_bgr, load_image_file, scale_to_dpi

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".pnm", ".ppm", ".pgm", ".webp")


class _FaultMixin(DeviceBase):
    _fault: str | None = None

    def set_fault(self, reason: str | None) -> None:
        """Make the device fail (or warn) the way a real one would; None clears it."""
        self._fault = check_fault(reason)

    def _raise_fault(self, action: str) -> None:
        if self._fault is None:
            return
        error_cls, _, detail = FAULTS[self._fault]
        if error_cls is not None:
            raise self._error(
                error_cls, f"{self.name}: {detail}", f"{self.name} ({self.kind}): {action}: {detail}"
            )

    def _status(self) -> DeviceStatus:
        if self._fault is None:
            return self._make_status(DeviceState.ok, f"{self.kind} ready")
        _, state, detail = FAULTS[self._fault]
        return self._make_status(state, f"{self.kind}: {detail}", self._fault)


def _default_page() -> np.ndarray:
    """A plain A4 page at 300 dpi that says it is simulated (used when no sample generator is given)."""
    page = np.full((3508, 2480, 3), 250, np.uint8)
    cv2.putText(page, "SIMULATED SCANNER", (300, 600), cv2.FONT_HERSHEY_SIMPLEX, 5, (20, 20, 20), 12)
    return page


class SimulatedScanner(_FaultMixin):
    """Scans the pages placed on it with :meth:`place`, else a page from ``sample_pages``."""

    category = "scanner"

    def __init__(
        self,
        name: str = "scanner",
        sample_pages: Callable[[], np.ndarray] | None = None,
        *,
        source_dpi: int = 300,
        timeout: float = 60.0,
    ) -> None:
        super().__init__(name, "simulated", timeout=timeout)
        self._sample_pages = sample_pages or _default_page
        self._source_dpi = source_dpi
        self._placed: collections.deque[np.ndarray] = collections.deque()
        self._lock = threading.Lock()
        self.scans = 0

    def place(self, *pages: np.ndarray) -> None:
        """Put pages on the glass (or in the feeder); each scan takes the next one."""
        with self._lock:
            self._placed.extend(as_bgr(p) for p in pages)

    def scan(self, dpi: int = 300) -> np.ndarray:
        return self._call(self._scan, dpi)

    def _scan(self, dpi: int) -> np.ndarray:
        self._raise_fault("scan")
        with self._lock:
            page = self._placed.popleft() if self._placed else None
        if page is None:
            try:
                page = self._sample_pages()
            except Exception as exc:
                raise self._error(
                    ScanFailed, "simulated scan failed", f"sample page generator: {exc}"
                ) from exc
            if page is None:
                raise self._error(NoDocument, "nothing to scan", "sample page generator returned None")
        self.scans += 1
        return scale_to_dpi(as_bgr(page), self._source_dpi, dpi)


def _frames_from(
    source: Callable[[], np.ndarray] | Sequence[np.ndarray] | str | Path | None,
) -> Callable[[], np.ndarray]:
    """A frame callable from a callable, a list of images, a folder of images or a video file."""
    if source is None:
        counter = iter(range(1 << 62))

        def pattern() -> np.ndarray:
            frame = np.full((480, 640, 3), 90, np.uint8)
            cv2.putText(
                frame,
                f"SIMULATED CAMERA {next(counter)}",
                (40, 240),
                cv2.FONT_HERSHEY_SIMPLEX,
                1,
                (255, 255, 255),
                2,
            )
            return frame

        return pattern
    if callable(source):
        return source
    if isinstance(source, str | Path):
        path = Path(source)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            if not files:
                raise DeviceConfigError(
                    f"no images in {path}", category="camera", detail=f"camera folder {path} holds no images"
                )
            return _cycle([load_image_file(p) for p in files])
        if path.is_file():
            return _VideoLoop(path)
        raise DeviceConfigError(
            f"no such file or folder: {path}", category="camera", detail=f"camera source {path} not found"
        )
    frames = [as_bgr(f) for f in source]
    if not frames:
        raise DeviceConfigError("no frames given", category="camera", detail="empty frame sequence")
    return _cycle(frames)


def _cycle(frames: Iterable[np.ndarray]) -> Callable[[], np.ndarray]:
    items = list(frames)
    position = iter(range(1 << 62))
    return lambda: items[next(position) % len(items)]


class _VideoLoop:
    """Plays a video file in a loop."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._capture = cv2.VideoCapture(str(path))
        if not self._capture.isOpened():
            raise DeviceConfigError(
                f"cannot play {path}", category="camera", detail=f"OpenCV cannot open {path}"
            )

    def __call__(self) -> np.ndarray:
        ok, frame = self._capture.read()
        if not ok:
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._capture.read()
        if not ok or frame is None:
            raise CameraFailed(
                f"cannot read {self.path}", category="camera", detail=f"no frame from {self.path}"
            )
        return frame


class SimulatedCamera(_FaultMixin):
    """Plays frames from a callable, a list, an image folder or a video file, at ``fps``, with a small
    random shift and brightness jitter so that consecutive frames differ like a live picture."""

    category = "camera"

    def __init__(
        self,
        name: str = "camera",
        frames: Callable[[], np.ndarray] | Sequence[np.ndarray] | str | Path | None = None,
        *,
        fps: float = 15.0,
        jitter: bool = True,
        seed: int = 0,
        timeout: float = 5.0,
    ) -> None:
        super().__init__(name, "simulated", timeout=timeout)
        self._next_frame = _frames_from(frames)
        self._period = 1.0 / fps if fps > 0 else 0.0
        self._jitter = jitter
        self._rng = np.random.default_rng(seed)
        self._due = 0.0
        self.frames_read = 0

    def read(self) -> np.ndarray:
        return self._call(self._read)

    def _read(self) -> np.ndarray:
        self._raise_fault("read")
        if self._period:
            # A real camera delivers frames at its rate; so does this one (never faster than fps).
            now = time.monotonic()
            if self._due > now:
                time.sleep(self._due - now)
            self._due = max(now, self._due) + self._period
        try:
            frame = self._next_frame()
        except CameraFailed:
            raise
        except Exception as exc:
            raise self._error(CameraFailed, "simulated camera failed", f"frame source: {exc}") from exc
        frame = as_bgr(frame)
        self.frames_read += 1
        return self._jittered(frame) if self._jitter else frame.copy()

    def _jittered(self, frame: np.ndarray) -> np.ndarray:
        dx, dy = (int(v) for v in self._rng.integers(-2, 3, size=2))
        shift = np.array([[1, 0, dx], [0, 1, dy]], dtype=np.float32)
        moved = cv2.warpAffine(
            frame, shift, (frame.shape[1], frame.shape[0]), borderMode=cv2.BORDER_REPLICATE
        )
        delta = int(self._rng.integers(-4, 5))
        return (
            cv2.add(moved, np.full_like(moved, abs(delta)))
            if delta >= 0
            else cv2.subtract(moved, np.full_like(moved, -delta))
        )
