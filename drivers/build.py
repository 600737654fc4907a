"""Build the configured devices: the one place that turns `[devices]` into objects."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Self

import numpy as np

from drivers.base import Camera, DocumentPrinter, ReceiptPrinter, Scanner
from drivers.chip_reader import ChipReader, SimulatedCard
from drivers.config import DevicesConfig
from drivers.health import DeviceState, DeviceStatus, HealthMonitor

log = logging.getLogger(__name__)


@dataclass
class Devices:
    """The kiosk's devices, and one health monitor over them. ``chip_reader`` is None when the kiosk has
    no NFC reader (``type = "none"``): visits then go on from the card's QR."""

    scanner: Scanner
    camera: Camera
    document_printer: DocumentPrinter
    receipt_printer: ReceiptPrinter
    chip_reader: ChipReader | None = None
    health: HealthMonitor = field(default_factory=HealthMonitor)

    def __iter__(self) -> Iterator[Scanner | Camera | DocumentPrinter | ReceiptPrinter | ChipReader]:
        devices = (self.scanner, self.camera, self.document_printer, self.receipt_printer, self.chip_reader)
        return iter([device for device in devices if device is not None])

    def statuses(self, *, observe: bool = True) -> list[DeviceStatus]:
        """Every device's state, queried in parallel (each bounded by its own timeout). With ``observe``
        the health monitor records them and logs each change once; a one-shot report passes False."""
        devices = list(self)
        with ThreadPoolExecutor(max_workers=len(devices), thread_name_prefix="device-status") as pool:
            results = list(pool.map(_safe_status, devices))
        if observe:
            for status in results:
                self.health.observe(status)
        return results

    def close(self) -> None:
        for device in self:
            try:
                device.close()
            except Exception:
                log.warning("closing %s failed", getattr(device, "name", device), exc_info=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class HealthWatcher:
    """Polls every device's status on its own thread every ``interval`` seconds; changes go to the
    devices' HealthMonitor (logged once) and to its subscribers. For maintenance mode and the heartbeat."""

    def __init__(self, devices: Devices, interval: float = 10.0) -> None:
        self.devices = devices
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="device-health", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.devices.statuses()
            except Exception:
                log.exception("device health poll failed")
            self._stop.wait(self.interval)

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


def _safe_status(device: Scanner | Camera | DocumentPrinter | ReceiptPrinter | ChipReader) -> DeviceStatus:
    try:
        return device.status()
    except Exception as exc:  # a third-party device that breaks the never-raise rule
        return DeviceStatus(device.name, device.kind, DeviceState.error, f"status failed: {exc}", "failed")


def _folder(value: str, data_dir: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else Path(data_dir) / path


def build_devices(
    config: DevicesConfig,
    data_dir: Path,
    *,
    sample_pages: Callable[[], np.ndarray] | None = None,
    sample_frames: Callable[[], np.ndarray] | None = None,
    sample_chip: Callable[[], SimulatedCard | None] | None = None,
) -> Devices:
    """The devices chosen by ``config``. Opening is lazy: a missing device shows up in its status and as
    a typed error when used, never here (so the kiosk starts, and maintenance mode can show what is wrong).
    """
    from drivers.sim_printers import PdfFolderPrinter, SimulatedReceiptPrinter
    from drivers.simulated import SimulatedCamera, SimulatedScanner

    sc = config.scanner
    scanner: Scanner
    if sc.type == "simulated":
        scanner = SimulatedScanner("scanner", sample_pages, timeout=sc.timeout_s)
    elif sc.type == "folder":
        from drivers.scanners import FolderScanner

        scanner = FolderScanner(_folder(sc.folder, data_dir), "scanner", timeout=sc.timeout_s)
    else:
        from drivers.scanners import SaneScanner

        scanner = SaneScanner(
            sc.device,
            "scanner",
            mode=sc.mode,
            page=sc.page,
            source=sc.source,
            options=sc.options,
            timeout=sc.timeout_s,
        )

    cc = config.camera
    camera: Camera
    if cc.type == "simulated":
        frames = _folder(cc.frames, data_dir) if cc.frames else sample_frames
        camera = SimulatedCamera("camera", frames, fps=cc.fps, timeout=cc.timeout_s)
    else:
        from drivers.camera import OpenCVCamera

        camera = OpenCVCamera(
            cc.source,
            "camera",
            width=cc.width,
            height=cc.height,
            fps=cc.fps,
            reopen_interval=cc.reopen_interval_s,
            timeout=cc.timeout_s,
        )

    pc = config.document_printer
    document_printer: DocumentPrinter
    if pc.type == "pdf_folder":
        document_printer = PdfFolderPrinter(
            _folder(pc.folder, data_dir), "document_printer", timeout=pc.timeout_s
        )
    else:
        from drivers.cups import CupsPrinter

        document_printer = CupsPrinter(
            pc.queue,
            "document_printer",
            server=pc.server,
            job_timeout=pc.job_timeout_s,
            timeout=pc.timeout_s,
        )

    rc = config.receipt_printer
    receipt_printer: ReceiptPrinter
    if rc.type == "simulated":
        receipt_printer = SimulatedReceiptPrinter(
            _folder(rc.folder, data_dir), "receipt_printer", paper_mm=rc.paper_mm, timeout=rc.timeout_s
        )
    else:
        from drivers.escpos_serial import EscposSerialPrinter

        receipt_printer = EscposSerialPrinter(
            rc.port,
            "receipt_printer",
            baudrate=rc.baudrate,
            paper_mm=rc.paper_mm,
            text_mode=rc.text_mode,
            codepage=rc.codepage,
            timeout=rc.timeout_s,
        )
    xc = config.chip_reader
    chip_reader: ChipReader | None = None
    if xc.type == "simulated":
        from drivers.chip_reader import SimulatedChipReader

        chip_reader = SimulatedChipReader("chip_reader", sample_chip, timeout=xc.timeout_s)
    elif xc.type == "pcsc":
        from drivers.chip_reader import PcscChipReader

        chip_reader = PcscChipReader(xc.reader, "chip_reader", timeout=xc.timeout_s)
    return Devices(scanner, camera, document_printer, receipt_printer, chip_reader)
