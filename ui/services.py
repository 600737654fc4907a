"""The kiosk core as the maintenance screens use it: device tests, sync status, certificates, logs.

The visit's services (`PipelineServices`) live in `kiosk.flow.adapter`; `MaintenanceServices` gathers what
a technician needs. Both are plain Python and block: the window only calls them from workers.
"""

from __future__ import annotations

import collections
import logging
import shutil
from datetime import UTC, datetime
from typing import Any

from drivers import Receipt
from kiosk.app import private_tmp_dir
from kiosk.flow.adapter import PipelineServices
from kiosk.runtime.logs import RedactingFilter, redact
from kiosk.runtime.seal_renewal import maintenance_data, maintenance_line

log = logging.getLogger(__name__)


class OneLineFormatter(logging.Formatter):
    """One line per event: the message, and for an exception only its class and text (the traceback is in
    the journal, where the developer reads it; a technician's screen shows what happened)."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(self._prepared(record))
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            line += f" [{type(exc).__name__}: {exc}]"
        return " ".join(line.split())  # a message with line breaks stays one line

    def _prepared(self, record: logging.LogRecord) -> logging.LogRecord:
        record.message = record.getMessage()
        record.asctime = self.formatTime(record, self.datefmt)
        return record


class RecentLogHandler(logging.Handler):
    """Keeps the last lines of the process log in memory, redacted, for the maintenance screen."""

    def __init__(self, capacity: int = 300) -> None:
        super().__init__(logging.INFO)
        self.lines: collections.deque[str] = collections.deque(maxlen=capacity)
        self.addFilter(RedactingFilter())
        self.setFormatter(OneLineFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(redact(self.format(record)))
        except Exception:
            self.handleError(record)


class MaintenanceServices:
    """What the technician screens show and do; every method blocks and returns text (and maybe a frame)."""

    def __init__(self, app: Any, services: PipelineServices, logs: RecentLogHandler | None = None) -> None:
        self.app = app
        self.services = services
        self.logs = logs

    def run(self, section: str, action: str) -> str | tuple[str, Any]:
        if action == "refresh":
            action = "show"
        method = getattr(self, f"{section}_{action}", None) or getattr(self, f"action_{action}", None)
        if method is None:
            return f"unknown action {section}/{action}"
        try:
            return method()  # type: ignore[no-any-return]
        except Exception as exc:  # shown to the technician, who is here to diagnose exactly this
            log.warning("maintenance %s/%s failed: %s", section, action, exc)
            return redact(f"{action} failed: {type(exc).__name__}: {exc}")

    # -- devices ----------------------------------------------------------------------------------
    def devices_show(self) -> str:
        lines = []
        for status in self.app.devices.statuses():
            lines.append(f"{status.name:<18} {status.kind:<16} {status.state!s:<8} {status.detail}")
        return "\n".join(lines) or "no devices"

    def action_test_scan(self) -> tuple[str, Any]:
        self.app.prompted("document")
        with self.services.scanner_lock:
            image = self.app.devices.scanner.scan()
        return f"scan ok: {image.shape[1]}x{image.shape[0]} px", image

    def action_camera_preview(self) -> tuple[str, Any]:
        frame, box = self.services.preview_frame()
        return f"camera ok: {frame.shape[1]}x{frame.shape[0]} px, face box {box}", frame

    def action_test_page(self) -> str:
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfgen import canvas

        path = private_tmp_dir(self.app) / "test-page.pdf"
        pdf = canvas.Canvas(str(path), pagesize=A4)
        pdf.setFont("Helvetica", 24)
        pdf.drawString(72, 760, f"Kiosk {self.app.config.kiosk.id}: test page")
        pdf.drawString(72, 720, datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"))
        pdf.rect(36, 36, A4[0] - 72, A4[1] - 72)
        pdf.save()
        try:
            job = self.app.devices.document_printer.print_pdf(path, copies=1, title="test page")
        finally:
            path.unlink(missing_ok=True)
        return f"test page sent: {job}"

    def action_test_receipt(self) -> str:
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        receipt = Receipt(
            code="TEST", lines=("RECEIPT TEST", f"Kiosk {self.app.config.kiosk.id}", now), qr_data="TEST"
        )
        result = self.app.devices.receipt_printer.print_receipt(receipt)
        return f"receipt test printed: {result}"

    # -- sync -------------------------------------------------------------------------------------
    def _kiosk_cli(self, *args: str, timeout: float = 60) -> str:
        """Run a `kiosk` subcommand on this kiosk's config and data (the sync worker is its own process)."""
        import os
        import subprocess
        import sys

        config = self.app.config
        command = [sys.executable, "-m", "kiosk.cli", *args]
        if config.source and not config.source.startswith("<"):
            command += ["--config", config.source]
        env = {**os.environ, "KIOSK_DATA_DIR": str(self.app.data_dir)}
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False, env=env
        )
        out = (result.stdout.strip() + "\n" + result.stderr.strip()).strip()
        return redact(f"exit {result.returncode}\n{out[-4000:]}")

    def sync_show(self) -> str:
        status = self._kiosk_cli("sync", "status")
        errors = self._kiosk_cli("sync", "log", "--limit", "10", "--outcome", "retry")
        dead = self._kiosk_cli("sync", "log", "--limit", "5", "--outcome", "dead_letter")
        return f"{status}\n\nlast retries:\n{errors}\n\nlast dead letters:\n{dead}"

    def action_sync_now(self) -> str:
        return self._kiosk_cli("sync", "run", "--drain", "--timeout", "60", timeout=90)

    # -- certificates, disk, logs -----------------------------------------------------------------
    def seal_certificate_data(self) -> dict[str, Any]:
        """The seal certificate's expiry, days left, whether renewal is due, and the last renewal (issue 22)."""
        try:
            store: Any = self.app.store.local
        except Exception as exc:  # the expiry is still worth showing without the renewal record
            log.warning("maintenance: the store cannot be read for the last renewal: %s", exc)
            store = None
        return maintenance_data(self.app.config.signing, self.app.data_dir, store)

    def certificates_show(self) -> str:
        from cryptography import x509

        lines = [maintenance_line(self.seal_certificate_data())]
        now = datetime.now(UTC)
        for path in sorted(self.app.data_dir.rglob("*.pem")) + sorted(self.app.data_dir.rglob("*.crt")):
            try:
                cert = x509.load_pem_x509_certificate(path.read_bytes())
            except ValueError:
                continue
            left = (cert.not_valid_after_utc - now).days
            warn = "  EXPIRES SOON" if left < 30 else ""
            lines.append(
                f"{path.name}: {cert.subject.rfc4514_string()}\n  until {cert.not_valid_after_utc:%Y-%m-%d} ({left} days){warn}"
            )
        return "\n".join(lines) or "no certificate found in the data folder"

    def disk_show(self) -> str:
        usage = shutil.disk_usage(self.app.data_dir)
        gib = 1024**3
        percent = 100 * usage.used / usage.total
        copies = self.app.data_dir / "copies"
        count = sum(1 for _ in copies.glob("*.pdf")) if copies.is_dir() else 0
        return (
            f"data folder: {self.app.data_dir}\n"
            f"used {usage.used / gib:.1f} GiB of {usage.total / gib:.1f} GiB ({percent:.0f} %), free {usage.free / gib:.1f} GiB\n"
            f"certified copies kept: {count}"
        )

    def logs_show(self) -> str:
        if self.logs is None or not self.logs.lines:
            return "no log lines yet"
        return "\n".join(list(self.logs.lines)[-100:])
