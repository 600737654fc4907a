"""Device settings: the `[devices]` table of the kiosk config. `type` picks the back-end."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScannerConfig(_Strict):
    type: Literal["simulated", "folder", "sane"] = "simulated"
    device: str = ""
    dpi: int = 300


class CameraConfig(_Strict):
    type: Literal["simulated", "opencv"] = "simulated"
    source: str = "0"
    width: int = 640
    height: int = 480
    fps: int = 15


class DocumentPrinterConfig(_Strict):
    type: Literal["pdf_folder", "cups"] = "pdf_folder"
    queue: str = ""
    folder: str = "printed"


class ReceiptPrinterConfig(_Strict):
    type: Literal["simulated", "escpos_serial"] = "simulated"
    port: str = ""
    baudrate: int = 19200
    folder: str = "receipts"


class DevicesConfig(_Strict):
    scanner: ScannerConfig = ScannerConfig()
    camera: CameraConfig = CameraConfig()
    document_printer: DocumentPrinterConfig = DocumentPrinterConfig()
    receipt_printer: ReceiptPrinterConfig = ReceiptPrinterConfig()
