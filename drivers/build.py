"""Build the configured devices: the one place that turns `[devices]` into objects."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import numpy as np

from drivers import config as cfg
from drivers.base import Camera, DocumentPrinter, ReceiptPrinter, Scanner, StaffSignal
from drivers.camera import OpenCVCamera
from drivers.chip_reader import ChipReader, PcscChipReader, SimulatedCard, SimulatedChipReader
from drivers.config import DevicesConfig
from drivers.cups import CupsPrinter
from drivers.errors import DeviceConfigError
from drivers.escpos import EscposPrinter
from drivers.escpos_transports import NetworkTransport, SerialTransport, Transport, UsbTransport
from drivers.health import DeviceState, DeviceStatus, HealthMonitor
from drivers.scanners import FolderScanner, SaneScanner
from drivers.signal_light import SerialTowerLight, SimulatedSignalLight
from drivers.sim_printers import PdfFolderPrinter, SimulatedReceiptPrinter
from drivers.simulated import SimulatedCamera, SimulatedScanner

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
    signal_light: StaffSignal | None = None  # the staff-call light; None without one (type = "none")

    def __iter__(
        self,
    ) -> Iterator[Scanner | Camera | DocumentPrinter | ReceiptPrinter | ChipReader | StaffSignal]:
        devices = (
            self.scanner,
            self.camera,
            self.document_printer,
            self.receipt_printer,
            self.chip_reader,
            self.signal_light,
        )
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


@dataclass(frozen=True)
class BuildContext:
    """What a builder may need besides its settings: the data folder and the simulated devices' sources."""

    data_dir: Path
    sample_pages: Callable[[], np.ndarray] | None = None
    sample_frames: Callable[[], np.ndarray] | None = None
    sample_chip: Callable[[], SimulatedCard | None] | None = None


# -- one builder per back-end, registered under its `type` key ---------------------------------------
def _simulated_scanner(c: cfg.SimulatedScannerConfig, ctx: BuildContext) -> Scanner:
    return SimulatedScanner("scanner", ctx.sample_pages, timeout=c.timeout_s)


def _folder_scanner(c: cfg.FolderScannerConfig, ctx: BuildContext) -> Scanner:
    return FolderScanner(_folder(c.folder, ctx.data_dir), "scanner", timeout=c.timeout_s)


def _sane_scanner(c: cfg.SaneScannerConfig, ctx: BuildContext) -> Scanner:
    return SaneScanner(
        c.device, "scanner", mode=c.mode, page=c.page, source=c.source, options=c.options, timeout=c.timeout_s
    )


def _simulated_camera(c: cfg.SimulatedCameraConfig, ctx: BuildContext) -> Camera:
    frames = _folder(c.frames, ctx.data_dir) if c.frames else ctx.sample_frames
    return SimulatedCamera("camera", frames, fps=c.fps, timeout=c.timeout_s)


def _opencv_camera(c: cfg.OpenCVCameraConfig, ctx: BuildContext) -> Camera:
    return OpenCVCamera(
        c.source,
        "camera",
        width=c.width,
        height=c.height,
        fps=c.fps,
        reopen_interval=c.reopen_interval_s,
        timeout=c.timeout_s,
    )


def _pdf_folder_printer(c: cfg.PdfFolderPrinterConfig, ctx: BuildContext) -> DocumentPrinter:
    return PdfFolderPrinter(_folder(c.folder, ctx.data_dir), "document_printer", timeout=c.timeout_s)


def _cups_printer(c: cfg.CupsPrinterConfig, ctx: BuildContext) -> DocumentPrinter:
    return CupsPrinter(
        c.queue, "document_printer", server=c.server, job_timeout=c.job_timeout_s, timeout=c.timeout_s
    )


def _simulated_receipts(c: cfg.SimulatedReceiptPrinterConfig, ctx: BuildContext) -> ReceiptPrinter:
    return SimulatedReceiptPrinter(
        _folder(c.folder, ctx.data_dir), "receipt_printer", paper_mm=c.paper_mm, timeout=c.timeout_s
    )


def _escpos(c: cfg.EscposSerialConfig | cfg.EscposNetworkConfig | cfg.EscposUsbConfig) -> ReceiptPrinter:
    transport: Transport
    if isinstance(c, cfg.EscposSerialConfig):
        transport = SerialTransport(
            c.port, baudrate=c.baudrate, reply_timeout=c.reply_timeout_s, write_timeout=c.timeout_s
        )
    elif isinstance(c, cfg.EscposNetworkConfig):
        transport = NetworkTransport(
            c.host, c.port, reply_timeout=c.reply_timeout_s, write_timeout=c.timeout_s
        )
    else:
        transport = UsbTransport(c.device, reply_timeout=c.reply_timeout_s, write_timeout=c.timeout_s)
    return EscposPrinter(
        transport,
        "receipt_printer",
        kind=c.type,
        profile=c.profile,
        paper_mm=c.paper_mm,
        text_mode=c.text_mode,
        codepage=c.codepage,
        timeout=c.timeout_s,
    )


def _simulated_chip_reader(c: cfg.SimulatedChipReaderConfig, ctx: BuildContext) -> ChipReader:
    return SimulatedChipReader("chip_reader", ctx.sample_chip, timeout=c.timeout_s)


def _pcsc_chip_reader(c: cfg.PcscChipReaderConfig, ctx: BuildContext) -> ChipReader:
    return PcscChipReader(c.reader, "chip_reader", timeout=c.timeout_s)


def _simulated_light(c: cfg.SimulatedSignalLightConfig, ctx: BuildContext) -> StaffSignal:
    return SimulatedSignalLight("signal_light", timeout=c.timeout_s)


def _tower_light(c: cfg.SerialTowerLightConfig, ctx: BuildContext) -> StaffSignal:
    return SerialTowerLight(c.port, "signal_light", baudrate=c.baudrate, buzz_s=c.buzz_s, timeout=c.timeout_s)


# device -> type key -> builder. Each key matches the `type: Literal[...]` of a model in drivers.config.
BACKENDS: dict[str, dict[str, Callable[[Any, BuildContext], Any]]] = {
    "scanner": {"simulated": _simulated_scanner, "folder": _folder_scanner, "sane": _sane_scanner},
    "camera": {"simulated": _simulated_camera, "opencv": _opencv_camera},
    "document_printer": {"pdf_folder": _pdf_folder_printer, "cups": _cups_printer},
    "receipt_printer": {
        "simulated": _simulated_receipts,
        "escpos_serial": lambda c, ctx: _escpos(c),
        "escpos_network": lambda c, ctx: _escpos(c),
        "escpos_usb": lambda c, ctx: _escpos(c),
    },
    "chip_reader": {
        "simulated": _simulated_chip_reader,
        "pcsc": _pcsc_chip_reader,
        "none": lambda c, ctx: None,
    },
    "signal_light": {
        "simulated": _simulated_light,
        "serial_tower": _tower_light,
        "none": lambda c, ctx: None,
    },
}


def build_device(device: str, config: Any, ctx: BuildContext) -> Any:
    """The back-end registered for ``config.type``; DeviceConfigError for a type nobody registered."""
    builders = BACKENDS.get(device, {})
    builder = builders.get(str(getattr(config, "type", "")))
    if builder is None:
        raise DeviceConfigError(
            f"devices.{device}: unknown type {getattr(config, 'type', None)!r}",
            category=device,
            device=device,
            detail=f"devices.{device}.type must be one of: {', '.join(sorted(builders))}",
        )
    return builder(config, ctx)


def build_devices(
    config: DevicesConfig,
    data_dir: Path,
    *,
    sample_pages: Callable[[], np.ndarray] | None = None,
    sample_frames: Callable[[], np.ndarray] | None = None,
    sample_chip: Callable[[], SimulatedCard | None] | None = None,
) -> Devices:
    """The devices chosen by ``config``, each built by the builder registered for its ``type``.

    Opening is lazy: a missing device shows up in its status and as a typed error when used, never here
    (so the kiosk starts, and maintenance mode can show what is wrong). An unknown type is refused.
    """
    ctx = BuildContext(Path(data_dir), sample_pages, sample_frames, sample_chip)
    return Devices(
        scanner=build_device("scanner", config.scanner, ctx),
        camera=build_device("camera", config.camera, ctx),
        document_printer=build_device("document_printer", config.document_printer, ctx),
        receipt_printer=build_device("receipt_printer", config.receipt_printer, ctx),
        chip_reader=build_device("chip_reader", config.chip_reader, ctx),
        signal_light=build_device("signal_light", config.signal_light, ctx),
    )
