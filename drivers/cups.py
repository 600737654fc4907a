"""The A4 printer through CUPS: `lp` submits, IPP (drivers.ipp) tracks the job to its end.

States reported (``detail`` carries the CUPS reason and message):

* ``ok``: the queue is idle or printing;
* ``warning``: a ``*-warning`` or ``*-report`` reason such as ``media-low``, ``toner-low``;
* ``error``: paper out (``media-empty``/``media-needed``), cover open, paper jam, offline, or the queue
  is stopped (``cupsdisable``, or a backend failure) or rejects jobs;
* ``absent``: no such queue, or no CUPS scheduler to ask.

``print_pdf`` refuses to queue on a printer in error, then waits until the job is completed. A job that
cannot finish (the printer stops, runs out of paper, the job is aborted, or ``job_timeout`` passes) is
cancelled, so it never prints later for nobody, and the typed error says why; the copy can be reprinted.
"""

from __future__ import annotations

import getpass
import logging
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

from drivers.base import DeviceBase, PrintJob
from drivers.errors import (
    CoverOpen,
    DeviceAbsent,
    DeviceConfigError,
    DeviceError,
    DeviceOffline,
    DeviceTimeout,
    PaperJam,
    PaperOut,
    PrinterStopped,
    PrintFailed,
)
from drivers.health import DeviceState, DeviceStatus
from drivers.ipp import JOB_STATES, PRINTER_STATES, STATUS_NOT_FOUND, IppClient, IppError

log = logging.getLogger(__name__)

_REQUEST_ID = re.compile(r"request id is (\S+)-(\d+)")
# printer-state-reasons (without the -error/-warning/-report suffix) -> (reason, error class)
_REASONS: tuple[tuple[tuple[str, ...], str, type[DeviceError]], ...] = (
    (("media-empty", "media-needed"), "paper_out", PaperOut),
    (("cover-open", "door-open", "interlock-open"), "cover_open", CoverOpen),
    (("media-jam", "output-area-full"), "paper_jam", PaperJam),
    (("offline", "shutdown"), "offline", DeviceOffline),
)
_ERROR_CLASSES: dict[str, type[DeviceError]] = {reason: cls for _, reason, cls in _REASONS}
_ERROR_CLASSES["stopped"] = PrinterStopped


def _base(reason: str) -> str:
    for suffix in ("-error", "-warning", "-report"):
        if reason.endswith(suffix):
            return reason[: -len(suffix)]
    return reason


class CupsPrinter(DeviceBase):
    """A CUPS queue."""

    category = "printer"

    def __init__(
        self,
        queue: str,
        name: str = "document_printer",
        *,
        server: str = "",
        job_timeout: float = 300.0,
        poll_interval: float = 0.2,
        media: str = "A4",
        timeout: float = 30.0,
    ) -> None:
        super().__init__(name, "cups", timeout=timeout)
        if not re.fullmatch(r"[^\s/#]{1,127}", queue or ""):
            raise DeviceConfigError(
                f"{name}: no valid CUPS queue name",
                category="printer",
                device=name,
                detail=f"queue={queue!r}",
            )
        self.queue = queue
        self.server = server
        self.job_timeout = job_timeout
        self.poll_interval = poll_interval
        self.media = media
        self._ipp = IppClient(server, timeout=min(timeout, 10.0))
        self.user = getpass.getuser()

    # -- printer state ------------------------------------------------------------------------------------
    def _printer(self) -> tuple[DeviceState, str, str]:
        """(state, reason, detail) of the queue."""
        try:
            answer = self._ipp.printer_attributes(self.queue)
        except IppError as exc:
            return DeviceState.absent, "absent", f"no CUPS scheduler: {exc}"
        if answer.status == STATUS_NOT_FOUND:
            return DeviceState.absent, "absent", f"CUPS at {self._ipp.server}: no queue {self.queue!r}"
        if answer.status >= 0x0400:
            return (
                DeviceState.error,
                "failed",
                f"CUPS refused Get-Printer-Attributes: status {answer.status:#06x}",
            )
        state = PRINTER_STATES.get(int(answer.first("printer-state", 3)), "unknown")
        reasons = [str(r) for r in answer.attributes.get("printer-state-reasons", []) if r != "none"]
        message = str(answer.first("printer-state-message", "") or "")
        accepting = bool(answer.first("printer-is-accepting-jobs", True))
        why = ", ".join(reasons) or "none"
        detail = f"queue {self.queue} {state}; reasons: {why}" + (f"; {message}" if message else "")
        for words, reason, _ in _REASONS:
            hits = [r for r in reasons if _base(r) in words]
            # "-error" and "-report" (offline-report: the backend cannot reach the printer) stop the work;
            # a "-warning" only does when the queue stopped too
            if hits and (state == "stopped" or any(not r.endswith("-warning") for r in hits)):
                return DeviceState.error, reason, detail
        if state == "stopped":
            return DeviceState.error, "stopped", detail
        if not accepting:
            return DeviceState.error, "stopped", f"{detail}; not accepting jobs"
        if any(_base(r) == "media-low" for r in reasons):
            return DeviceState.warning, "paper_near_end", detail
        if any(r.endswith(("-warning", "-error")) for r in reasons if _base(r) != "paused"):
            return DeviceState.warning, "attention", detail
        return DeviceState.ok, "", detail

    def _status(self) -> DeviceStatus:
        state, reason, detail = self._printer()
        return self._make_status(state, detail, reason)

    def _raise_unless_ready(self, when: str) -> None:
        state, reason, detail = self._printer()
        if state == DeviceState.absent:
            raise self._error(DeviceAbsent, f"{self.name} is not available", f"{when}: {detail}")
        if state == DeviceState.error:
            raise self._error(
                _ERROR_CLASSES.get(reason, DeviceError), f"{self.name}: {reason}", f"{when}: {detail}"
            )

    # -- jobs ---------------------------------------------------------------------------------------------
    def _lp_env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.server:
            env["CUPS_SERVER"] = self.server
        return env

    def _submit(self, path: Path, copies: int, title: str) -> PrintJob:
        if copies < 1 or copies > 99:
            raise self._error(PrintFailed, f"{self.name}: bad number of copies", f"copies={copies}")
        if not path.is_file():
            raise self._error(PrintFailed, f"nothing to print: {path.name}", f"{path}: no such file")
        if shutil.which("lp") is None:
            raise self._error(DeviceAbsent, "CUPS client not installed", "lp not found on PATH (cups-client)")
        self._raise_unless_ready("before printing")
        command = [
            "lp",
            "-d",
            self.queue,
            "-n",
            str(copies),
            "-o",
            f"media={self.media}",
            "-o",
            "fit-to-page",
        ]
        if title:
            command += ["-t", title]
        command += ["--", str(path)]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, env=self._lp_env(), timeout=self.timeout, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise self._error(
                DeviceTimeout, f"{self.name} did not take the job", f"lp: no answer in {self.timeout:.0f} s"
            ) from exc
        match = _REQUEST_ID.search(done.stdout)
        if done.returncode != 0 or match is None:
            error = (done.stderr or done.stdout).strip()
            cls = (
                DeviceAbsent
                if "does not exist" in error or "scheduler is not running" in error
                else PrintFailed
            )
            raise self._error(
                cls, f"{self.name} refused the job", f"lp -d {self.queue}: exit {done.returncode}: {error}"
            )
        job = PrintJob(match.group(2), self.queue, title or path.stem, copies, "pending")
        log.info("print job %s-%s submitted (%s, %d copies)", self.queue, job.job_id, path.name, copies)
        return job

    def _job(self, job: PrintJob) -> PrintJob:
        try:
            answer = self._ipp.job_attributes(self.queue, int(job.job_id))
        except IppError as exc:
            raise self._error(
                DeviceAbsent, f"{self.name} is not available", f"job {job.job_id}: {exc}"
            ) from exc
        if answer.status >= 0x0400:
            raise self._error(
                PrintFailed, f"{self.name} lost the job", f"job {job.job_id}: status {answer.status:#06x}"
            )
        state = JOB_STATES.get(int(answer.first("job-state", 3)), "pending")
        reasons = ", ".join(str(r) for r in answer.attributes.get("job-state-reasons", []))
        message = str(
            answer.first("job-printer-state-message", "") or answer.first("job-state-message", "") or ""
        )
        detail = f"job {job.job_id}: {state}; {reasons}" + (f"; {message}" if message else "")
        return PrintJob(job.job_id, job.printer, job.title, job.copies, state, detail, job.output)

    def _cancel(self, job: PrintJob, why: str) -> None:
        try:
            self._ipp.cancel_job(self.queue, int(job.job_id), self.user)
            log.warning("print job %s-%s cancelled: %s", self.queue, job.job_id, why)
        except IppError as exc:
            log.warning("print job %s-%s could not be cancelled: %s", self.queue, job.job_id, exc)

    def _wait(self, job: PrintJob, timeout: float) -> PrintJob:
        deadline = time.monotonic() + timeout
        while True:
            current = self._job(job)
            if current.state == "completed":
                log.info("print job %s-%s completed", self.queue, job.job_id)
                return current
            if current.state in ("cancelled", "aborted"):
                raise self._error(PrintFailed, f"{self.name}: the job was {current.state}", current.detail)
            if current.state in ("pending", "processing", "stopped", "held"):
                state, reason, detail = self._printer()
                if state in (DeviceState.error, DeviceState.absent) or current.state == "held":
                    self._cancel(current, detail)
                    cls = (
                        DeviceAbsent
                        if state == DeviceState.absent
                        else _ERROR_CLASSES.get(reason, PrintFailed)
                    )
                    raise self._error(
                        cls, f"{self.name}: {reason or current.state}", f"{current.detail}; {detail}"
                    )
            if time.monotonic() >= deadline:
                self._cancel(current, "job timeout")
                raise self._error(
                    PrintFailed,
                    f"{self.name}: the job did not finish",
                    f"{current.detail}; not done after {timeout:.0f} s",
                )
            time.sleep(self.poll_interval)

    # -- device API ---------------------------------------------------------------------------------------
    def print_pdf(self, path: Path, copies: int = 1, title: str = "") -> PrintJob:
        """Print and wait for the job to complete (see the module docstring for failures)."""
        return self._call(self._print, Path(path), copies, title, timeout=self.job_timeout + 2 * self.timeout)

    def _print(self, path: Path, copies: int, title: str) -> PrintJob:
        job = self._submit(path, copies, title)
        return self._wait(job, self.job_timeout)

    def submit(self, path: Path, copies: int = 1, title: str = "") -> PrintJob:
        """Queue the job and return at once (``job`` and ``wait`` follow it)."""
        return self._call(self._submit, Path(path), copies, title)

    def job(self, job: PrintJob) -> PrintJob:
        """The job's state now."""
        return self._call(self._job, job)

    def wait(self, job: PrintJob, timeout: float | None = None) -> PrintJob:
        limit = self.job_timeout if timeout is None else timeout
        return self._call(self._wait, job, limit, timeout=limit + 2 * self.timeout)
