"""A private `cupsd` for the A4 printer tests, with a cups-pdf queue whose PDFs land in a temp folder.

Everything lives under one temp folder: ServerRoot (cupsd.conf, cups-files.conf, printers.conf, ppd/),
spool, cache, state, logs, and the cups-pdf output. cupsd listens on a free loopback port and on its own
unix socket; clients reach it through ``env`` (CUPS_SERVER=<socket>), never the system's CUPS.

cups-pdf reads its settings only from /etc/cups (the path is compiled in): ``cups-pdf-<queue>.conf``
for a queue whose device URI is ``cups-pdf:/<queue>``. So the harness writes a uniquely named
``/etc/cups/cups-pdf-<queue>.conf`` (root only) and removes it on stop. cupsd must run as root, because
it runs the cups-pdf backend (mode 0700, owner root) as root; filters run as the `lp` user, so the temp
folders are world-readable.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

CUPS_PDF_CONF_DIR = Path("/etc/cups")
PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")


def cups_pdf_usable() -> str | None:
    """None when the harness can run here, else the reason it cannot."""
    if shutil.which("cupsd") is None or shutil.which("lp") is None:
        return "cups is not installed"
    if not Path("/usr/lib/cups/backend/cups-pdf").exists() or not PPD.exists():
        return "printer-driver-cups-pdf is not installed"
    if os.geteuid() != 0:
        return "cupsd with the cups-pdf backend must run as root"
    if not os.access(CUPS_PDF_CONF_DIR, os.W_OK):
        return f"{CUPS_PDF_CONF_DIR} is not writable (cups-pdf reads its queue config only there)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivateCups:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = _free_port()
        self.socket = root / "cups.sock"
        self.output = root / "pdf-out"
        self.queues: list[str] = []
        self._conf_files: list[Path] = []
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        return {"CUPS_SERVER": str(self.socket)}

    def _server_bin(self) -> Path:
        """/usr/lib/cups with one more backend, `paperout`, that reports an empty tray and stops the queue."""
        server_bin = self.root / "serverbin"
        (server_bin / "backend").mkdir(parents=True, exist_ok=True)
        for entry in Path("/usr/lib/cups").iterdir():
            if entry.name != "backend":
                (server_bin / entry.name).symlink_to(entry)
        for entry in Path("/usr/lib/cups/backend").iterdir():
            (server_bin / "backend" / entry.name).symlink_to(entry)
        fake = server_bin / "backend" / "paperout"
        fake.write_text(
            "#!/bin/sh\n"
            'if [ $# -eq 0 ]; then echo \'direct paperout "Unknown" "Paper-out test printer"\'; exit 0; fi\n'
            "cat > /dev/null\n"
            'echo "STATE: +media-empty-error" >&2\n'
            'echo "ERROR: Tray 1 is empty" >&2\n'
            "exit 4\n",
            encoding="utf-8",
        )
        fake.chmod(0o755)
        gone = server_bin / "backend" / "unreachable"
        gone.write_text(
            "#!/bin/sh\n"
            'if [ $# -eq 0 ]; then echo \'network unreachable "Unknown" "A printer that is switched off"\'; exit 0; fi\n'
            "cat > /dev/null\n"
            'echo "STATE: +offline-report" >&2\n'
            'echo "INFO: The printer is not responding" >&2\n'
            "exec sleep 600\n",
            encoding="utf-8",
        )
        gone.chmod(0o755)
        slow = server_bin / "backend" / "stuck"
        slow.write_text(
            "#!/bin/sh\n"
            'if [ $# -eq 0 ]; then echo \'direct stuck "Unknown" "A printer that never finishes"\'; exit 0; fi\n'
            "cat > /dev/null\n"
            'echo "INFO: warming up" >&2\n'
            "exec sleep 600\n",
            encoding="utf-8",
        )
        slow.chmod(0o755)
        for folder in (self.root / "serverbin", self.root / "serverbin" / "backend"):
            folder.chmod(0o755)
        return server_bin

    def start(self) -> None:
        root = self.root
        server_bin = self._server_bin()
        for name in ("etc", "etc/ppd", "spool", "spool/tmp", "cache", "state", "log", "pdf-out", "pdf-spool"):
            (root / name).mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o755)
        for name in ("pdf-out", "pdf-spool", "spool/tmp"):
            os.chmod(root / name, 0o1777)
        (root / "etc" / "cupsd.conf").write_text(
            f"""LogLevel debug
Listen 127.0.0.1:{self.port}
Listen {self.socket}
Browsing No
DefaultAuthType None
WebInterface No
JobRetryLimit 0
MaxJobTime 120
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  JobPrivateAccess all
  JobPrivateValues none
  SubscriptionPrivateAccess all
  SubscriptionPrivateValues none
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
""",
            encoding="utf-8",
        )
        (root / "etc" / "cups-files.conf").write_text(
            f"""ServerRoot {root}/etc
RequestRoot {root}/spool
TempDir {root}/spool/tmp
CacheDir {root}/cache
StateDir {root}/state
AccessLog {root}/log/access_log
ErrorLog {root}/log/error_log
PageLog {root}/log/page_log
ServerBin {server_bin}
DataDir /usr/share/cups
User lp
Group lp
SystemGroup root
FileDevice No
Sandboxing Relaxed
""",
            encoding="utf-8",
        )
        for name in ("mime.types", "mime.convs", "raw.types", "raw.convs"):
            source = Path("/etc/cups") / name
            if source.exists():
                shutil.copy(source, root / "etc" / name)
        self._process = subprocess.Popen(
            [
                "cupsd",
                "-f",
                "-c",
                str(root / "etc" / "cupsd.conf"),
                "-s",
                str(root / "etc" / "cups-files.conf"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        # poll the scheduler until it answers (a readiness check, not a sleep standing in for one)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                stderr = self._process.stderr.read().decode() if self._process.stderr else ""
                raise RuntimeError(f"cupsd exited: {stderr} {self.error_log()[-2000:]}")
            done = subprocess.run(
                ["lpstat", "-r"], env={**os.environ, **self.env}, capture_output=True, check=False
            )
            if b"scheduler is running" in done.stdout:
                return
            time.sleep(0.05)
        raise RuntimeError(f"cupsd did not start: {self.error_log()[-2000:]}")

    def lp_env(self) -> dict[str, str]:
        return {**os.environ, **self.env}

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(args), env=self.lp_env(), capture_output=True, text=True, check=False, timeout=60
        )

    def add_pdf_queue(self, name: str | None = None) -> str:
        queue = name or f"kiosk-test-{uuid.uuid4().hex[:8]}"
        conf = CUPS_PDF_CONF_DIR / f"cups-pdf-{queue}.conf"
        conf.write_text(
            f"Out {self.output}\nAnonDirName {self.output}\nSpool {self.root}/pdf-spool\n"
            "Label 0\nUserUMask 0022\nAnonUMask 0022\nGrp root\n",
            encoding="utf-8",
        )
        self._conf_files.append(conf)
        done = self.run("lpadmin", "-p", queue, "-E", "-v", f"cups-pdf:/{queue}", "-P", str(PPD))
        if done.returncode != 0:
            raise RuntimeError(f"lpadmin failed: {done.stderr}")
        self.queues.append(queue)
        return queue

    def add_paper_out_queue(self) -> str:
        """A queue whose backend reports media-empty-error and stops the queue."""
        return self._add_fake_queue("paperout")

    def add_offline_queue(self) -> str:
        """A queue whose backend cannot reach the printer: it reports offline-report and keeps trying."""
        return self._add_fake_queue("unreachable")

    def add_stuck_queue(self) -> str:
        """A queue whose backend never finishes a job."""
        return self._add_fake_queue("stuck")

    def _add_fake_queue(self, backend: str) -> str:
        queue = f"kiosk-{backend}-{uuid.uuid4().hex[:8]}"
        done = self.run("lpadmin", "-p", queue, "-E", "-v", f"{backend}:/x", "-P", str(PPD))
        if done.returncode != 0:
            raise RuntimeError(f"lpadmin failed: {done.stderr}")
        self.queues.append(queue)
        return queue

    def error_log(self) -> str:
        path = self.root / "log" / "error_log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(5)
        for conf in self._conf_files:
            conf.unlink(missing_ok=True)
