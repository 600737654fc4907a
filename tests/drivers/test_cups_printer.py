"""The A4 printer against a real private cupsd with a cups-pdf queue (see cups_server.py for the setup)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from drivers.base import PrintJob
from drivers.build import build_devices
from drivers.config import DevicesConfig
from drivers.cups import CupsPrinter
from drivers.errors import DeviceAbsent, DeviceOffline, PaperOut, PrinterStopped, PrintFailed
from drivers.health import DeviceState
from tests.drivers.cups_server import PrivateCups, cups_pdf_usable

_WHY_NOT = cups_pdf_usable()
pytestmark = pytest.mark.skipif(_WHY_NOT is not None, reason=_WHY_NOT or "")


@pytest.fixture(scope="module")
def cups() -> Iterator[PrivateCups]:
    # not pytest's tmp_path: its parent is mode 0700, and CUPS filters run as the `lp` user
    root = Path(tempfile.mkdtemp(prefix="kiosk-cups-"))
    server = PrivateCups(root)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / "ban-sao.pdf"
    page = canvas.Canvas(str(path))
    page.drawString(100, 700, "Certified copy HN-001-000042-7")
    page.save()
    return path


@pytest.fixture
def queue(cups: PrivateCups) -> str:
    return cups.add_pdf_queue()


def _printer(cups: PrivateCups, queue: str, **kwargs: float) -> CupsPrinter:
    return CupsPrinter(queue, server=str(cups.socket), job_timeout=kwargs.pop("job_timeout", 60), **kwargs)


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_prints_to_the_queue_and_tracks_the_job(cups: PrivateCups, queue: str, pdf: Path) -> None:
    with _printer(cups, queue) as printer:
        status = printer.status()
        assert (status.state, status.kind) == (DeviceState.ok, "cups")
        assert f"queue {queue} idle" in status.detail
        job = printer.print_pdf(pdf, title="HN-001-000042-7")
    assert job.state == "completed" and job.done
    outputs = list(cups.output.rglob("*HN-001-000042-7*.pdf"))
    assert len(outputs) == 1, list(cups.output.rglob("*"))
    if shutil.which("pdftotext"):
        assert "Certified copy HN-001-000042-7" in _pdf_text(outputs[0])


def test_stopped_queue_is_an_error_with_the_cups_reason(cups: PrivateCups, queue: str, pdf: Path) -> None:
    assert cups.run("cupsdisable", "-r", "Toner being replaced", queue).returncode == 0
    with _printer(cups, queue) as printer:
        status = printer.status()
        assert (status.state, status.reason) == (DeviceState.error, "stopped")
        assert "Toner being replaced" in status.detail
        with pytest.raises(PrinterStopped) as info:
            printer.print_pdf(pdf)
        assert info.value.message_key == "device.printer.stopped"
        # nothing was queued to print later for nobody
        assert cups.run("lpstat", "-o", queue).stdout.strip() == ""
        assert cups.run("cupsenable", queue).returncode == 0
        assert printer.status().state == DeviceState.ok
        assert printer.print_pdf(pdf).state == "completed"


def test_queue_rejecting_jobs(cups: PrivateCups, queue: str, pdf: Path) -> None:
    assert cups.run("cupsreject", "-r", "maintenance", queue).returncode == 0
    with _printer(cups, queue) as printer:
        status = printer.status()
        assert status.state == DeviceState.error and "not accepting" in status.detail
        with pytest.raises(PrinterStopped):
            printer.print_pdf(pdf)


def test_paper_out_stops_the_job_and_cancels_it(cups: PrivateCups, pdf: Path) -> None:
    queue = cups.add_paper_out_queue()
    with _printer(cups, queue) as printer:
        with pytest.raises(PaperOut) as info:
            printer.print_pdf(pdf, title="will-not-print")
        assert info.value.message_key == "device.printer.paper_out"
        assert "media-empty-error" in info.value.detail and "Tray 1 is empty" in info.value.detail
        status = printer.status()
        assert (status.state, status.reason) == (DeviceState.error, "paper_out")
        job_id = info.value.detail.split()[1].rstrip(":")
        assert printer.job(PrintJob(job_id, queue, "", 1, "pending")).state == "cancelled"


def test_printer_switched_off_is_offline(cups: PrivateCups, pdf: Path) -> None:
    queue = cups.add_offline_queue()
    with _printer(cups, queue) as printer:
        with pytest.raises(DeviceOffline) as info:
            printer.print_pdf(pdf)
        assert info.value.message_key == "device.printer.offline"
        assert "offline-report" in info.value.detail and "not responding" in info.value.detail
        job_id = info.value.detail.split()[1].rstrip(":")
        assert printer.job(PrintJob(job_id, queue, "", 1, "pending")).state == "cancelled"


def test_job_waiting_on_a_queue_that_stops(cups: PrivateCups, queue: str, pdf: Path) -> None:
    assert cups.run("cupsdisable", queue).returncode == 0
    submitted = cups.run("lp", "-d", queue, str(pdf))
    job_id = submitted.stdout.split()[3].rsplit("-", 1)[1]
    with _printer(cups, queue) as printer:
        job = PrintJob(job_id, queue, "x", 1, "pending")
        assert printer.job(job).state == "pending"
        with pytest.raises(PrinterStopped):
            printer.wait(job, timeout=30)
        assert printer.job(job).state == "cancelled"


def test_held_job_is_cancelled(cups: PrivateCups, queue: str, pdf: Path) -> None:
    # a held job never starts: the wait gives up at once and cancels it
    submitted = cups.run("lp", "-d", queue, "-H", "indefinite", str(pdf))
    job_id = submitted.stdout.split()[3].rsplit("-", 1)[1]
    with _printer(cups, queue) as printer:
        job = PrintJob(job_id, queue, "x", 1, "pending")
        with pytest.raises(PrintFailed):
            printer.wait(job, timeout=30)
        assert printer.job(job).state == "cancelled"


def test_job_that_never_finishes_is_cancelled(cups: PrivateCups, pdf: Path) -> None:
    queue = cups.add_stuck_queue()
    with CupsPrinter(queue, server=str(cups.socket), job_timeout=1.0) as printer:
        with pytest.raises(PrintFailed) as info:
            printer.print_pdf(pdf)
        assert "not done after 1 s" in info.value.detail
        assert info.value.message_key == "device.printer.print_failed"
        job_id = info.value.detail.split()[1].rstrip(":")
        assert printer.job(PrintJob(job_id, queue, "", 1, "pending")).state == "cancelled"
        assert printer.status().state == DeviceState.ok


def test_missing_printer_is_absent(cups: PrivateCups, pdf: Path) -> None:
    with _printer(cups, "no-such-queue") as printer:
        status = printer.status()
        assert status.state == DeviceState.absent and "no queue 'no-such-queue'" in status.detail
        with pytest.raises(DeviceAbsent) as info:
            printer.print_pdf(pdf)
        assert info.value.message_key == "device.printer.absent"


def test_no_scheduler_is_absent(tmp_path: Path, pdf: Path) -> None:
    with CupsPrinter("kiosk-a4", server=str(tmp_path / "no-cupsd.sock")) as printer:
        status = printer.status()
        assert status.state == DeviceState.absent and "no CUPS scheduler" in status.detail
        with pytest.raises(DeviceAbsent):
            printer.print_pdf(pdf)


def test_build_devices_picks_cups(cups: PrivateCups, queue: str, tmp_path: Path) -> None:
    config = DevicesConfig.model_validate(
        {"document_printer": {"type": "cups", "queue": queue, "server": str(cups.socket)}}
    )
    with build_devices(config, tmp_path) as devices:
        statuses = {s.name: s for s in devices.statuses()}
    assert statuses["document_printer"].kind == "cups"
    assert statuses["document_printer"].state == DeviceState.ok
