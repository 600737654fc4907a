"""The kiosk core as the maintenance screens use it: device tests, sync status, certificates, logs.

The visit's services (`PipelineServices`) live in `kiosk.flow.adapter`; `MaintenanceServices` gathers what
a technician needs. Both are plain Python and block: the window only calls them from workers.
"""

from __future__ import annotations

import collections
import json
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

from cryptography import x509

from drivers.base import Receipt
from drivers.messages import citizen_message
from kiosk.app import private_tmp_dir
from kiosk.errors import BadInputError
from kiosk.flow.adapter import PipelineServices
from kiosk.runtime.logs import RedactingFilter, redact
from kiosk.runtime.seal_status import maintenance_data
from kiosk.services.technician import (
    Training,
    clear_staff_call,
    free_reprint,
    staff_call_text,
    uncollected_text,
)
from kiosk.services.technician_text import (
    devices_text,
    pick,
    seal_certificate_text,
    sync_log_lines,
    sync_run_text,
    sync_status_text,
    verdict_line,
)

log = logging.getLogger(__name__)

A4 = (595.2756, 841.8898)  # points, as reportlab.lib.pagesizes.A4


def reportlab_canvas() -> ModuleType:
    """reportlab's PDF canvas, for the technician's test page."""
    from reportlab.pdfgen import canvas  # heavy: ~40 ms of imports; loaded on the first test page

    return canvas


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


# Issue 25: what the technician reads is Vietnamese, in words (never a Python repr).
STATE_VI = {"ok": "hoạt động tốt", "warning": "cần chú ý", "error": "lỗi", "absent": "không có"}
JOB_STATE_VI = {
    "pending": "đang chờ in",
    "processing": "đang in",
    "completed": "đã in xong",
    "held": "đang bị giữ",
    "stopped": "máy in dừng",
    "cancelled": "đã hủy",
    "aborted": "bị hủy do lỗi",
}
SECTION_VI = {
    "devices": "thiết bị",
    "sync": "đồng bộ",
    "certificates": "chứng thư",
    "disk": "dung lượng",
    "logs": "nhật ký",
    "staff_call": "gọi cán bộ",
    "uncollected": "bản sao chờ nhận",
    "training": "tập huấn",
}
# The training panel's buttons (issue 25, simulated profile): (action, device role, fault) and the payer's.
TRAINING_ACTIONS = {
    "fail_a4_paper": ("document_printer", "paper_out"),
    "fail_a4_jam": ("document_printer", "paper_jam"),
    "fail_a4_gone": ("document_printer", "absent"),
    "fail_receipt_paper": ("receipt_printer", "paper_out"),
    "fail_camera_gone": ("camera", "absent"),
    "fail_scanner_cover": ("scanner", "cover_open"),
}
PAYER_ACTIONS = {"payer_slow": ("pay", 60.0), "payer_refuses": ("refuse", 1.0), "payer_never": ("never", 1.0)}


@dataclass(frozen=True)
class MaintenanceResult:
    """What an action shows: its text, maybe a picture, and the choices it offers next (the paid copies'
    "reprint" buttons), as (action, label)."""

    text: str
    image: Any = None
    choices: tuple[tuple[str, str], ...] = ()


def readable_error(action: str, exc: BaseException, language: str = "vi") -> str:
    """A failed action in words: the device's own message when it has one, never a traceback."""
    key = str(getattr(exc, "message_key", "") or "")
    said = citizen_message(key, "en" if language == "en" else "vi") if key.startswith("device.") else ""
    return redact(pick(language, "Không thực hiện được", "Could not do it") + f" ({action}): {said or exc}")


class MaintenanceServices:
    """What the technician screens show and do; every method blocks and returns text (and maybe a frame)."""

    def __init__(self, app: Any, services: PipelineServices, logs: RecentLogHandler | None = None) -> None:
        self.app = app
        self.services = services
        self.logs = logs
        # The simulated payer of the demo parts (kiosk.services.demo_payment), known once they are set up.
        self.payer_source: Callable[[], Any] = lambda: None
        self._training: Training | None = None
        # The kiosk's language (the screen sets it before each action): what the technician reads is in it.
        self.language = "vi"

    def run(self, section: str, action: str) -> str | tuple[str, Any] | MaintenanceResult:
        if action == "refresh":
            action = "show"
        name, _, argument = action.partition(":")
        method = getattr(self, f"{section}_{name}", None) or getattr(self, f"action_{name}", None)
        if method is None:
            return pick(self.language, "Không có thao tác", "No such action") + f" {section}/{action}."
        try:
            return method(argument) if argument else method()  # type: ignore[no-any-return]
        except Exception as exc:  # shown to the technician, who is here to diagnose exactly this
            log.warning("maintenance %s/%s failed: %s", section, action, exc)
            return readable_error(action, exc, self.language)

    # -- devices ----------------------------------------------------------------------------------
    def devices_show(self) -> str:
        return devices_text(list(self.app.devices.statuses()), self.language)

    def action_test_scan(self) -> tuple[str, Any]:
        self.app.prompted("document")
        with self.services.scanner_lock:
            image = self.app.devices.scanner.scan()
        width, height = image.shape[1], image.shape[0]
        return pick(
            self.language,
            f"Quét thử được: ảnh {width}×{height} điểm ảnh.",
            f"Test scan done: a {width}×{height} pixel image.",
        ), image

    def action_camera_preview(self) -> tuple[str, Any]:
        frame, box = self.services.preview_frame()
        width, height = frame.shape[1], frame.shape[0]
        if box is not None:
            face = pick(self.language, "thấy một khuôn mặt", "a face is seen")
        else:
            face = pick(self.language, "không thấy khuôn mặt nào", "no face is seen")
        return pick(
            self.language,
            f"Camera hoạt động: ảnh {width}×{height} điểm ảnh, {face}.",
            f"The camera works: a {width}×{height} pixel image, {face}.",
        ), frame

    def action_test_page(self) -> str:
        path = private_tmp_dir(self.app) / "test-page.pdf"
        pdf = reportlab_canvas().Canvas(str(path), pagesize=A4)
        pdf.setFont("Helvetica", 24)
        pdf.drawString(72, 760, f"Kiosk {self.app.config.kiosk.id}: test page")
        pdf.drawString(72, 720, datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"))
        pdf.rect(36, 36, A4[0] - 72, A4[1] - 72)
        pdf.save()
        try:
            job = self.app.devices.document_printer.print_pdf(path, copies=1, title="test page")
        finally:
            path.unlink(missing_ok=True)
        raw_state = str(getattr(job, "state", ""))
        state = raw_state if self.language == "en" else JOB_STATE_VI.get(raw_state, raw_state)
        output = getattr(job, "output", None)
        where = pick(self.language, f", tệp {output.name}", f", file {output.name}") if output else ""
        detail = f" ({job.detail})" if getattr(job, "detail", "") else ""
        printer = getattr(job, "printer", "") or pick(self.language, "máy in A4", "the A4 printer")
        number = getattr(job, "job_id", "?")
        return pick(
            self.language,
            f"Đã gửi trang in thử tới {printer}: lệnh in số {number}, {state}{detail}{where}.",
            f"Test page sent to {printer}: print job {number}, {state}{detail}{where}.",
        )

    def action_test_receipt(self) -> str:
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        receipt = Receipt(
            code="TEST", lines=("IN THỬ BIÊN NHẬN", f"Kiosk {self.app.config.kiosk.id}", now), qr_data="TEST"
        )
        self.app.devices.receipt_printer.print_receipt(receipt)
        return pick(
            self.language,
            "Đã in biên nhận thử: xem tờ biên nhận ở khe ra giấy.",
            "Test receipt printed: look at the receipt slot.",
        )

    # -- sync -------------------------------------------------------------------------------------
    def _kiosk_cli_json(self, *args: str, timeout: float = 60) -> Any:
        """A `kiosk` subcommand's `--json` answer (None when it gave none): the screen words it itself, while
        the command's own text stays the English that scripts read."""
        config = self.app.config
        command = [sys.executable, "-m", "kiosk.cli", *args, "--json"]
        if config.source and not config.source.startswith("<"):
            command += ["--config", config.source]
        env = {**os.environ, "KIOSK_DATA_DIR": str(self.app.data_dir)}
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False, env=env
        )
        for line in reversed(result.stdout.strip().splitlines()):
            try:
                return json.loads(line)
            except ValueError:
                continue
        log.warning("maintenance: kiosk %s gave no JSON: %s", " ".join(args), redact(result.stderr[-500:]))
        return None

    def _kiosk_cli(self, *args: str, timeout: float = 60) -> str:
        """Run a `kiosk` subcommand on this kiosk's config and data (the sync worker is its own process)."""
        config = self.app.config
        command = [sys.executable, "-m", "kiosk.cli", *args]
        if config.source and not config.source.startswith("<"):
            command += ["--config", config.source]
        env = {**os.environ, "KIOSK_DATA_DIR": str(self.app.data_dir)}
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False, env=env
        )
        out = (result.stdout.strip() + "\n" + result.stderr.strip()).strip()
        verdict = "thành công" if result.returncode == 0 else f"lỗi (mã {result.returncode})"
        return redact(f"Kết quả: {verdict}\n{out[-4000:]}")

    def sync_show(self) -> str:
        language = self.language
        level, lines = sync_status_text(self._kiosk_cli_json("sync", "status"), language)
        retries = self._kiosk_cli_json("sync", "log", "--limit", "10", "--outcome", "retry")
        dead = self._kiosk_cli_json("sync", "log", "--limit", "5", "--outcome", "dead_letter")
        return redact(
            "\n".join(
                [
                    pick(language, "Trạng thái đồng bộ:", "Sync state:"),
                    verdict_line(level, language),
                    *lines,
                    "",
                    pick(language, "Lần gửi lại gần nhất:", "Latest retries:"),
                    *sync_log_lines((retries or {}).get("entries"), language),
                    "",
                    pick(language, "Bản ghi không gửi được:", "Records that could not be sent:"),
                    *sync_log_lines((dead or {}).get("entries"), language),
                ]
            )
        )

    def action_sync_now(self) -> str:
        if not getattr(self.app.config.sync, "backend_url", ""):
            return "\n".join(
                [
                    verdict_line("warning", self.language),
                    pick(
                        self.language,
                        "Chưa cấu hình máy chủ thành phố ([sync] backend_url): không có nơi để gửi.",
                        "No city backend is configured ([sync] backend_url): there is nowhere to send to.",
                    ),
                ]
            )
        payload = self._kiosk_cli_json("sync", "run", "--drain", "--timeout", "60", timeout=90)
        return redact(sync_run_text(payload, self.language))

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
        language = self.language
        lines = [seal_certificate_text(self.seal_certificate_data(), language)]
        now = datetime.now(UTC)
        for path in sorted(self.app.data_dir.rglob("*.pem")) + sorted(self.app.data_dir.rglob("*.crt")):
            try:
                cert = x509.load_pem_x509_certificate(path.read_bytes())
            except ValueError:
                continue
            left = (cert.not_valid_after_utc - now).days
            warn = pick(language, "  SẮP HẾT HẠN", "  EXPIRES SOON") if left < 30 else ""
            until = f"{cert.not_valid_after_utc:%d/%m/%Y}"
            lines.append(
                f"{path.name}: {cert.subject.rfc4514_string()}\n  "
                + pick(
                    language,
                    f"hiệu lực đến {until} (còn {left} ngày)",
                    f"valid until {until} ({left} days left)",
                )
                + warn
            )
        return "\n".join(lines)

    def disk_show(self) -> str:
        usage = shutil.disk_usage(self.app.data_dir)
        gib = 1024**3
        percent = 100 * usage.used / usage.total
        copies = self.app.data_dir / "copies"
        count = sum(1 for _ in copies.glob("*.pdf")) if copies.is_dir() else 0
        used, total, free = usage.used / gib, usage.total / gib, usage.free / gib
        return pick(
            self.language,
            f"Thư mục dữ liệu: {self.app.data_dir}\n"
            f"Đã dùng {used:.1f} GiB trên {total:.1f} GiB ({percent:.0f} %), còn trống {free:.1f} GiB\n"
            f"Số bản sao chứng thực đang lưu: {count}",
            f"Data folder: {self.app.data_dir}\n"
            f"{used:.1f} GiB used of {total:.1f} GiB ({percent:.0f} %), {free:.1f} GiB free\n"
            f"Certified copies kept: {count}",
        )

    def logs_show(self) -> str:
        if self.logs is None or not self.logs.lines:
            return pick(self.language, "Chưa có dòng nhật ký nào.", "No log lines yet.")
        return "\n".join(list(self.logs.lines)[-100:])

    # -- issue 25: a staff call, the paid copies not printed, training ---------------------------------
    def staff_call_show(self) -> str:
        calls = getattr(self.services, "staff_calls", None)
        call = calls.state() if calls is not None else None
        if calls is None:
            return pick(
                self.language, "Kiosk này không có dịch vụ gọi cán bộ.", "This kiosk has no staff call."
            )
        return staff_call_text(call, self.language)

    def staff_call_clear_call(self) -> str:
        return clear_staff_call(getattr(self.services, "staff_calls", None), self.language)

    def uncollected_show(self) -> MaintenanceResult:
        collect = getattr(self.services, "collect", None)
        items = collect.open() if collect is not None else []
        reprint = pick(self.language, "In lại", "Reprint")
        choices = tuple((f"reprint:{item.code}", f"{reprint} {item.code}") for item in items[:8] if item.code)
        return MaintenanceResult(uncollected_text(collect, self.language), choices=choices)

    def uncollected_reprint(self, code: str) -> MaintenanceResult:
        done = free_reprint(getattr(self.services, "collect", None), code, self.language)
        after = self.uncollected_show()
        return MaintenanceResult(f"{done}\n\n{after.text}", choices=after.choices)

    @property
    def training(self) -> Training | None:
        """The training panel, on the simulated profile only (a real kiosk's devices are never touched)."""
        if getattr(self.app.config, "profile", "") != "simulated":
            return None
        if self._training is None:
            self._training = Training(self.app.devices)
        self._training.attach_payer(self.payer_source())
        self._training.language = self.language
        return self._training

    def training_banner(self) -> str:
        """The start screen's "ĐANG TẬP HUẤN: …" line while a training fault is on ("" otherwise); memory
        only, safe from the GUI thread."""
        training = self._training
        return training.banner() if training is not None else ""

    def _trainer(self) -> Training:
        training = self.training
        if training is None:
            raise BadInputError(
                pick(
                    self.language,
                    "tập huấn chỉ có trên cấu hình mô phỏng (simulated)",
                    "training is on the simulated profile only",
                )
            )
        return training

    def training_show(self) -> str:
        return self._trainer().status()

    def training_fail(self, which: str) -> str:
        role, fault = TRAINING_ACTIONS[which]
        return f"{self._trainer().fail(role, fault)}\n\n{self._trainer().status()}"

    def training_payer(self, which: str) -> str:
        outcome, delay = PAYER_ACTIONS[which]
        return f"{self._trainer().set_payer(outcome, delay)}\n\n{self._trainer().status()}"

    def training_normal(self) -> str:
        return f"{self._trainer().clear()}\n\n{self._trainer().status()}"
