"""The demo's printers: a PDF-folder A4 printer and a receipt printer that renders PNG files."""

from __future__ import annotations

import itertools
import logging
import re
import shutil
import threading
import time
from pathlib import Path

from drivers.base import PrintJob, Receipt
from drivers.errors import DeviceAbsent, PrintFailed
from drivers.faults import FAULTS
from drivers.health import DeviceState, DeviceStatus
from drivers.receipt_render import render_receipt
from drivers.simulated import _FaultMixin

log = logging.getLogger(__name__)
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _safe_name(text: str, fallback: str) -> str:
    cleaned = _SAFE.sub("_", text).strip("._")[:60]
    return cleaned or fallback


class _FolderMixin(_FaultMixin):
    folder: Path

    def _ensure_folder(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._error(
                DeviceAbsent, f"{self.name}: output folder unavailable", f"{self.folder}: {exc}"
            ) from exc

    def _status(self) -> DeviceStatus:
        if self._fault is not None:
            _, state, detail = FAULTS[self._fault]
            return self._make_status(state, f"{self.kind}: {detail}", self._fault)
        try:
            self._ensure_folder()
        except DeviceAbsent as exc:
            return self._make_status(DeviceState.absent, exc.detail, "absent")
        return self._make_status(DeviceState.ok, f"{self.kind}: writes to {self.folder}")


class PdfFolderPrinter(_FolderMixin):
    """An A4 printer that copies each PDF into a folder (one file per job, copies recorded in the name)."""

    category = "printer"

    def __init__(self, folder: Path, name: str = "document_printer", *, timeout: float = 30.0) -> None:
        super().__init__(name, "pdf_folder", timeout=timeout)
        self.folder = Path(folder)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.jobs: list[PrintJob] = []

    def print_pdf(self, path: Path, copies: int = 1, title: str = "") -> PrintJob:
        return self._call(self._print, Path(path), copies, title)

    def _print(self, path: Path, copies: int, title: str) -> PrintJob:
        self._raise_fault("print")
        if copies < 1 or copies > 99:
            raise self._error(PrintFailed, f"{self.name}: bad number of copies", f"copies={copies}")
        if not path.is_file():
            raise self._error(PrintFailed, f"nothing to print: {path.name}", f"{path}: no such file")
        self._ensure_folder()
        with self._lock:
            number = next(self._ids)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.folder / f"{stamp}-{number:04d}-{_safe_name(title or path.stem, 'job')}-x{copies}.pdf"
        try:
            shutil.copyfile(path, target)
        except OSError as exc:
            raise self._error(
                PrintFailed, f"{self.name}: cannot write the copy", f"{path} -> {target}: {exc}"
            ) from exc
        job = PrintJob(str(number), self.name, title or path.stem, copies, "completed", "saved", target)
        self.jobs.append(job)
        log.info("printed %s (%d copies) to %s", path.name, copies, target)
        return job


class SimulatedReceiptPrinter(_FolderMixin):
    """A receipt printer that draws each receipt as the thermal printer would and saves it as PNG.
    ``last_output`` is the newest file."""

    category = "receipt_printer"

    def __init__(
        self, folder: Path, name: str = "receipt_printer", *, paper_mm: int = 80, timeout: float = 10.0
    ) -> None:
        super().__init__(name, "simulated", timeout=timeout)
        self.folder = Path(folder)
        self.paper_mm = paper_mm
        self.last_output: Path | None = None
        self._ids = itertools.count(1)

    def print_receipt(self, receipt: Receipt) -> None:
        self._call(self._print, receipt)

    def _print(self, receipt: Receipt) -> None:
        self._raise_fault("print receipt")
        self._ensure_folder()
        image = render_receipt(receipt, self.paper_mm)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.folder / f"{stamp}-{next(self._ids):04d}-{_safe_name(receipt.code, 'receipt')}.png"
        try:
            image.save(target, format="PNG")
        except OSError as exc:
            raise self._error(
                PrintFailed, f"{self.name}: cannot save the receipt", f"{target}: {exc}"
            ) from exc
        self.last_output = target
        log.info("receipt %s saved to %s", receipt.code, target)
