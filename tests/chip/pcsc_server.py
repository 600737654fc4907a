"""A private pcscd with vsmartcard's virtual reader (vpcd), for the chip tests.

pcscd 1.9.9 has its socket path compiled in (/run/pcscd/pcscd.comm), so the harness runs it in its own
mount namespace (``unshare -m``, root) with a temp folder bound over /run/pcscd; clients reach it through
``PCSCLITE_CSOCK_NAME`` (libpcsclite reads it once, at its first call). The reader config lives in the
same temp folder: one vpcd reader on a free TCP port, where :class:`kiosk.identity.chip.vpicc.VirtualCard`
connects as the card. Nothing touches the system's pcscd.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")


def pcscd_usable() -> str | None:
    """None when the harness can run here, else why not."""
    if shutil.which("pcscd") is None:
        return "pcscd is not installed"
    if not VPCD_DRIVER.exists():
        return "vsmartcard-vpcd is not installed"
    if shutil.which("unshare") is None or os.geteuid() != 0:
        return "a private pcscd needs root and unshare (its socket path is compiled in)"
    return None


def _free_port_pair() -> int:
    """A port p with p and p+1 free (vpcd opens one reader slot on each)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port >= 65535:
            continue
        with socket.socket() as s:
            try:
                s.bind(("0.0.0.0", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port pair for vpcd")


class PrivatePcscd:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.run_dir = root / "run"
        self.conf_dir = root / "reader.conf.d"
        self.port = _free_port_pair()
        self.log = root / "pcscd.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def socket_path(self) -> Path:
        return self.run_dir / "pcscd.comm"

    @property
    def env(self) -> dict[str, str]:
        return {"PCSCLITE_CSOCK_NAME": str(self.socket_path)}

    @property
    def reader_name(self) -> str:
        return "Virtual PCD 00 00"

    def start(self, *, with_reader: bool = True, timeout: float = 15.0) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        conf = self.conf_dir / "vpcd"
        if with_reader:
            conf.write_text(
                'FRIENDLYNAME "Virtual PCD"\n'
                f"DEVICENAME   /dev/null:0x{self.port:X}\n"
                f"LIBPATH      {VPCD_DRIVER}\n"
                f"CHANNELID    0x{self.port:X}\n"
            )
        else:
            conf.unlink(missing_ok=True)
        for stale in ("pcscd.comm", "pcscd.pid"):
            (self.run_dir / stale).unlink(missing_ok=True)
        script = (
            f"mkdir -p /run/pcscd && mount --bind {self.run_dir} /run/pcscd && "
            f"exec pcscd --foreground --info --config {self.conf_dir}"
        )
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                ["unshare", "--mount", "sh", "-c", script],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while not self.socket_path.exists():
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"pcscd did not start: {self.log.read_text()[-2000:]}")
            time.sleep(0.05)
        if with_reader:  # vpcd is ready once it listens for the virtual card
            while True:
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("vpcd does not listen") from None
                    time.sleep(0.05)
            time.sleep(0.3)  # the probe connection above looked like a card: let pcscd settle

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)

    def restart(self, *, with_reader: bool = True) -> None:
        self.stop()
        self.start(with_reader=with_reader)
