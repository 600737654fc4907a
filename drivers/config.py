"""Device settings: the `[devices]` table of the kiosk config. `type` picks the back-end.

Relative folders are resolved against the kiosk's data folder by :func:`drivers.build_devices`.
Every ``timeout_s`` bounds each call to that device (see :mod:`drivers.worker`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScannerConfig(_Strict):
    type: Literal["simulated", "folder", "sane"] = "simulated"
    # SANE device name (`scanimage -L`), e.g. "epjitsu:libusb:001:004"; "" = the first one found.
    device: str = ""
    dpi: int = Field(default=300, ge=50, le=1200)
    mode: Literal["color", "gray", "lineart"] = "color"
    page: Literal["a4", "a5", "letter", "legal", "max"] = "a4"
    # "auto" = the feeder when the device has one and it holds paper, else the glass; "flatbed"; "adf".
    source: Literal["auto", "flatbed", "adf"] = "flatbed"
    # Extra SANE options passed as they are, e.g. {"test-picture" = "Grid"} or {"swdeskew" = "yes"}.
    options: dict[str, str] = Field(default_factory=dict)
    # folder scanner: the inbox a scan-to-folder device drops its images into.
    folder: str = "scan-inbox"
    timeout_s: float = Field(default=120.0, gt=0)


class CameraConfig(_Strict):
    type: Literal["simulated", "opencv"] = "simulated"
    # A device index ("0"), a device path ("/dev/video2") or a video file.
    source: str = "0"
    width: int = Field(default=640, ge=16)
    height: int = Field(default=480, ge=16)
    fps: int = Field(default=15, ge=1, le=120)
    # Simulated camera only: a folder of images or a video file to play ("" = the sample frames).
    frames: str = ""
    # After the camera disappears, try to open it again at most this often.
    reopen_interval_s: float = Field(default=2.0, ge=0)
    timeout_s: float = Field(default=5.0, gt=0)


class DocumentPrinterConfig(_Strict):
    type: Literal["pdf_folder", "cups"] = "pdf_folder"
    queue: str = ""
    folder: str = "printed"
    # CUPS server ("host:port" or a socket path); "" = $CUPS_SERVER or the system default.
    server: str = ""
    # How long a job may take to finish before it is cancelled and reported as failed.
    job_timeout_s: float = Field(default=300.0, gt=0)
    timeout_s: float = Field(default=30.0, gt=0)


class ReceiptPrinterConfig(_Strict):
    type: Literal["simulated", "escpos_serial"] = "simulated"
    port: str = ""
    baudrate: int = 19200
    folder: str = "receipts"
    paper_mm: Literal[58, 80] = 80
    # "image": text drawn with a Vietnamese font and sent as a raster (works on every printer);
    # "cp1258": text sent in Windows-1258 after selecting `codepage` with ESC t (printers that have it).
    text_mode: Literal["image", "cp1258"] = "image"
    codepage: int = Field(default=52, ge=0, le=255)
    # A raster receipt is ~15 KB: about 8 s at 19200 baud.
    timeout_s: float = Field(default=30.0, gt=0)


class ChipReaderConfig(_Strict):
    """The NFC reader of the ID card's chip (drivers.chip_reader)."""

    # "simulated": the sample citizen's chip (demo, tests); "pcsc": pcscd and a USB NFC reader;
    # "none": no reader, every visit goes on from the card's QR and is flagged for the post-check.
    type: Literal["simulated", "pcsc", "none"] = "simulated"
    # pcsc: part of the reader's name as pcscd lists it (`pcsc_scan`), e.g. "ACR122U"; "" = the first.
    reader: str = ""
    # Each APDU (a real chip answers in milliseconds; 5 s is a card gone quiet).
    timeout_s: float = Field(default=5.0, gt=0)


class DevicesConfig(_Strict):
    scanner: ScannerConfig = ScannerConfig()
    camera: CameraConfig = CameraConfig()
    document_printer: DocumentPrinterConfig = DocumentPrinterConfig()
    receipt_printer: ReceiptPrinterConfig = ReceiptPrinterConfig()
    chip_reader: ChipReaderConfig = ChipReaderConfig()
