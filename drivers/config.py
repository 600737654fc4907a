"""Device settings: the `[devices]` table of the kiosk config. `type` picks the back-end.

Each back-end has its own settings model with ``type: Literal[<key>]``, and each device's setting is a
union of them discriminated by ``type`` (the shape of Frigate's detectors): a file names only the keys of
the back-end it chose, and an unknown type or key is refused with its path. `drivers.build` holds the
builder registered for each key. A new back-end is one model here and one builder there.

Relative folders are resolved against the kiosk's data folder by :func:`drivers.build_devices`.
Every ``timeout_s`` bounds each call to that device (see :mod:`drivers.worker`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- scanners ----------------------------------------------------------------------------------------
class _Scanner(_Strict):
    dpi: int = Field(default=300, ge=50, le=1200)
    timeout_s: float = Field(default=120.0, gt=0)


class SimulatedScannerConfig(_Scanner):
    """Sample pages and cards of the simulated glass (demo, tests)."""

    type: Literal["simulated"] = "simulated"


class FolderScannerConfig(_Scanner):
    """A scan-to-folder device: the images it drops into the inbox."""

    type: Literal["folder"] = "folder"
    folder: str = "scan-inbox"


class SaneScannerConfig(_Scanner):
    type: Literal["sane"] = "sane"
    # SANE device name (`scanimage -L`), e.g. "epjitsu:libusb:001:004"; "" = the first one found.
    device: str = ""
    mode: Literal["color", "gray", "lineart"] = "color"
    page: Literal["a4", "a5", "letter", "legal", "max"] = "a4"
    # "auto" = the feeder when the device has one and it holds paper, else the glass; "flatbed"; "adf".
    source: Literal["auto", "flatbed", "adf"] = "flatbed"
    # Extra SANE options passed as they are, e.g. {"test-picture" = "Grid"} or {"swdeskew" = "yes"}.
    options: dict[str, str] = Field(default_factory=dict)


ScannerConfig = Annotated[
    SimulatedScannerConfig | FolderScannerConfig | SaneScannerConfig, Field(discriminator="type")
]


# -- cameras -----------------------------------------------------------------------------------------
class _Camera(_Strict):
    width: int = Field(default=640, ge=16)
    height: int = Field(default=480, ge=16)
    fps: int = Field(default=15, ge=1, le=120)
    timeout_s: float = Field(default=5.0, gt=0)


class SimulatedCameraConfig(_Camera):
    type: Literal["simulated"] = "simulated"
    # A folder of images or a video file to play ("" = the simulated citizen's frames).
    frames: str = ""


class OpenCVCameraConfig(_Camera):
    type: Literal["opencv"] = "opencv"
    # A device index ("0"), a device path ("/dev/video2") or a video file.
    source: str = "0"
    # After the camera disappears, try to open it again at most this often.
    reopen_interval_s: float = Field(default=2.0, ge=0)


CameraConfig = Annotated[SimulatedCameraConfig | OpenCVCameraConfig, Field(discriminator="type")]


# -- A4 printers -------------------------------------------------------------------------------------
class PdfFolderPrinterConfig(_Strict):
    type: Literal["pdf_folder"] = "pdf_folder"
    folder: str = "printed"
    timeout_s: float = Field(default=30.0, gt=0)


class CupsPrinterConfig(_Strict):
    type: Literal["cups"] = "cups"
    queue: str = ""
    # CUPS server ("host:port" or a socket path); "" = $CUPS_SERVER or the system default.
    server: str = ""
    # How long a job may take to finish before it is cancelled and reported as failed.
    job_timeout_s: float = Field(default=300.0, gt=0)
    timeout_s: float = Field(default=30.0, gt=0)


DocumentPrinterConfig = Annotated[PdfFolderPrinterConfig | CupsPrinterConfig, Field(discriminator="type")]


# -- receipt printers --------------------------------------------------------------------------------
class _ReceiptPrinter(_Strict):
    paper_mm: Literal[58, 80] = 80
    # A raster receipt is ~15 KB: about 8 s at 19200 baud.
    timeout_s: float = Field(default=30.0, gt=0)


class SimulatedReceiptPrinterConfig(_ReceiptPrinter):
    """Receipts drawn as PNG files into a folder."""

    type: Literal["simulated"] = "simulated"
    folder: str = "receipts"


class _Escpos(_ReceiptPrinter):
    # python-escpos's capability profile of the model: "TM-T20II", "TM-T88V", "TM-T82II", "default"...
    profile: str = "TM-T20II"
    # "image": text drawn with a Vietnamese font and sent as a raster (works on every printer);
    # "cp1258": text sent in Windows-1258 after selecting `codepage` with ESC t (printers that have it).
    text_mode: Literal["image", "cp1258"] = "image"
    codepage: int = Field(default=52, ge=0, le=255)
    # How long a status query (DLE EOT) waits for the printer's answer.
    reply_timeout_s: float = Field(default=0.5, gt=0)


class EscposSerialConfig(_Escpos):
    type: Literal["escpos_serial"] = "escpos_serial"
    port: str = ""  # /dev/ttyUSB0, /dev/serial/by-id/..., or a pyserial URL
    baudrate: int = 19200


class EscposNetworkConfig(_Escpos):
    type: Literal["escpos_network"] = "escpos_network"
    host: str = ""
    port: int = Field(default=9100, ge=1, le=65535)


class EscposUsbConfig(_Escpos):
    type: Literal["escpos_usb"] = "escpos_usb"
    device: str = "/dev/usb/lp0"  # the kernel's usblp device (or a /dev/usb/by-id link)


ReceiptPrinterConfig = Annotated[
    SimulatedReceiptPrinterConfig | EscposSerialConfig | EscposNetworkConfig | EscposUsbConfig,
    Field(discriminator="type"),
]


# -- chip readers ------------------------------------------------------------------------------------
class _ChipReader(_Strict):
    # Each APDU (a real chip answers in milliseconds; 5 s is a card gone quiet).
    timeout_s: float = Field(default=5.0, gt=0)


class SimulatedChipReaderConfig(_ChipReader):
    """The sample citizen's chip (demo, tests)."""

    type: Literal["simulated"] = "simulated"


class PcscChipReaderConfig(_ChipReader):
    """pcscd and a USB NFC reader."""

    type: Literal["pcsc"] = "pcsc"
    # Part of the reader's name as pcscd lists it (`pcsc_scan`), e.g. "ACR122U"; "" = the first.
    reader: str = ""


class NoChipReaderConfig(_ChipReader):
    """No reader: every visit goes on from the card's QR and is flagged for the post-check."""

    type: Literal["none"] = "none"


ChipReaderConfig = Annotated[
    SimulatedChipReaderConfig | PcscChipReaderConfig | NoChipReaderConfig, Field(discriminator="type")
]


# -- the staff-call light ----------------------------------------------------------------------------
class _SignalLight(_Strict):
    timeout_s: float = Field(default=5.0, gt=0)


class SimulatedSignalLightConfig(_SignalLight):
    """The light's twin (demo, tests): keeps the pattern it shows."""

    type: Literal["simulated"] = "simulated"


class SerialTowerLightConfig(_SignalLight):
    """A USB tower light with buzzer on a serial bridge (see drivers.signal_light for its protocol)."""

    type: Literal["serial_tower"] = "serial_tower"
    port: str = ""
    baudrate: int = 9600
    # How long the buzzer sounds when a call starts (the amber light keeps flashing).
    buzz_s: float = Field(default=3.0, ge=0, le=60)


class NoSignalLightConfig(_SignalLight):
    """No light: a staff call reaches the backend (the operations view) only."""

    type: Literal["none"] = "none"


SignalLightConfig = Annotated[
    SimulatedSignalLightConfig | SerialTowerLightConfig | NoSignalLightConfig, Field(discriminator="type")
]


class DevicesConfig(_Strict):
    scanner: ScannerConfig = SimulatedScannerConfig()
    camera: CameraConfig = SimulatedCameraConfig()
    document_printer: DocumentPrinterConfig = PdfFolderPrinterConfig()
    receipt_printer: ReceiptPrinterConfig = SimulatedReceiptPrinterConfig()
    chip_reader: ChipReaderConfig = SimulatedChipReaderConfig()
    signal_light: SignalLightConfig = NoSignalLightConfig()
