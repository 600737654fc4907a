"""Start-up time of the kiosk's commands, before and after a change, side by side in one run (issue 21).

Each command is timed as a whole fresh process, from exec to its end (or to the attract screen):

* ``kiosk --help``: the command line's parser, every subcommand registered (the plug-ins too);
* ``kiosk verify FILE``: a certified copy PDF made once by each side's own ``kiosk demo`` into its data folder,
  checked with that folder's trust (the whole command: config, keys, PDF signature, OCR of the page);
* ``kiosk run``: the real command (``--windowed``, ``QT_QPA_PLATFORM=offscreen``) until it tells systemd
  ``READY=1``, which it does from the event loop once the attract screen is shown; the bench listens on
  its own ``$NOTIFY_SOCKET`` and then stops the kiosk with SIGTERM;
* attract screen painted: bench/ui_bench.py's child (config, ``KioskApp``, ``build_kiosk``, the window
  shown and grabbed, i.e. laid out and painted);
* ``kiosk run`` until warm (for information, outside the budget): to its "services warm" log line, when the
  worker that ``ui.app.warm_up`` starts after the attract screen has opened the devices, store, OCR and
  signer. The baseline imported most of the visit's modules there (inside functions); with every import
  at the top they load before the attract screen, so this line says whether work moved or grew.

"Before" is a git worktree of a baseline commit (default 385dc7b, the tree before the move of issue 21),
put first on PYTHONPATH so its packages shadow the editable install; "after" is this tree. Runs are
interleaved (before, after, before, ...) so that load on the machine hits both alike; both trees are
byte-compiled first (as an install is), then one warm-up run of each side. Prints the median of N runs per
command and the after/before ratio, flagging any ratio above 1.10.

Run: .venv/bin/python bench/startup_bench.py [--runs N] [--baseline COMMIT] [--only help,verify,run,attract,warm]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
KIOSK = str(Path(sys.executable).with_name("kiosk"))
LIMIT = 1.10
# The packages of either tree (before the move of issue 21 there was no backoffice/: it is skipped then).
PACKAGES = ("kiosk", "ui", "drivers", "ocr", "signing", "offline_sync", "backoffice")

# bench/ui_bench.py's KIOSK_CHILD: the attract screen laid out and painted (grab), then quit. The kiosk is
# imported before Qt, in the order `kiosk run` imports them (ui.command_handlers): once PySide6 is loaded its
# feature hook reads the source of every module imported after it, which `kiosk run` no longer pays. The imports
# it names exist both before the move (kiosk.config a module) and after (kiosk.config a package).
ATTRACT_CHILD = """
import os, sys
from kiosk.config import parse_config
from kiosk.app import KioskApp
from PySide6.QtCore import QTimer
from ui.app import build_kiosk
config = parse_config({"kiosk": {"data_dir": sys.argv[1]}})
app = KioskApp(config)
kiosk = build_kiosk(config, kiosk_app=app)
kiosk.window.show()
def ready():
    kiosk.window.grab()
    print("ready", kiosk.flow.screen, flush=True)
    os._exit(0)  # start-up ends here; a teardown racing the warm-up threads is not what is measured
QTimer.singleShot(0, ready)
kiosk.qt.exec()
"""


class Tree:
    """One side of the comparison: the environment its commands run with."""

    def __init__(self, name: str, pythonpath: Path | None, data_dir: Path) -> None:
        self.name = name
        self.data = data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        self.env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KIOSK_DATA_DIR=str(data_dir))
        self.env.pop("KIOSK_CONFIG", None)
        self.env.pop("NOTIFY_SOCKET", None)
        # An installed kiosk runs from byte-code (pip compiles it). With PYTHONDONTWRITEBYTECODE (set in
        # some shells here) every module edited since its .pyc was written would be compiled again on each
        # run, ~0.4 s of CPU that lands on whichever side has more fresh edits: neither side is measured so.
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        if pythonpath is not None:
            self.env["PYTHONPATH"] = str(pythonpath)
        else:
            self.env.pop("PYTHONPATH", None)
        self.cwd = str(pythonpath or ROOT)


def compile_tree(root: Path) -> None:
    """Write the byte-code of the tree's packages, as an install does, so that no run compiles a module."""
    packages = [str(root / name) for name in PACKAGES if (root / name).is_dir()]
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "-j", "0", *packages],
        check=False,
        capture_output=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        timeout=600,
    )


class Sample(NamedTuple):
    """One run: wall-clock seconds, and the CPU seconds (user + system) the command's processes used. On a
    busy machine the wall clock also counts the time other processes held the cores; the CPU time does not."""

    wall: float
    cpu: float


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    """CPU seconds a running process has used so far (/proc/PID/stat utime + stime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(tree: Tree, argv: list[str]) -> Sample:
    cpu = children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(
        argv, check=False, capture_output=True, text=True, env=tree.env, cwd=tree.cwd, timeout=180
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(
            f"{tree.name}: {' '.join(argv[:3])} failed ({proc.returncode}): {proc.stderr[-2000:]}"
        )
    return Sample(elapsed, children_cpu() - cpu)


def time_help(tree: Tree, _pdf: Path) -> Sample:
    return timed(tree, [KIOSK, "--help"])


def time_verify(tree: Tree, pdf: Path) -> Sample:
    return timed(tree, [KIOSK, "verify", str(pdf)])


def time_attract(tree: Tree, _pdf: Path) -> Sample:
    return timed(tree, [sys.executable, "-c", ATTRACT_CHILD, str(tree.data)])


def stop(proc: subprocess.Popen[str]) -> None:
    """SIGTERM, as systemd stops the kiosk; SIGKILL after a minute."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def time_run(tree: Tree, _pdf: Path) -> Sample:
    """`kiosk run --windowed` from exec to its READY=1 on our own NOTIFY_SOCKET; then SIGTERM."""
    with tempfile.TemporaryDirectory() as folder:
        address = str(Path(folder) / "notify")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        listener.bind(address)
        listener.settimeout(0.2)
        env = dict(tree.env, NOTIFY_SOCKET=address)
        start = time.perf_counter()
        proc = subprocess.Popen(
            [KIOSK, "run", "--windowed"],
            env=env,
            cwd=tree.cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            while True:
                try:
                    message = listener.recv(4096).decode()
                except TimeoutError:
                    if proc.poll() is not None:
                        raise SystemExit(
                            f"{tree.name}: kiosk run ended ({proc.returncode}) before READY=1: "
                            f"{proc.stderr.read()[-2000:] if proc.stderr else ''}"
                        ) from None
                    if time.perf_counter() - start > 180:
                        raise SystemExit(f"{tree.name}: kiosk run: no READY=1 in 180 s") from None
                    continue
                if "READY=1" in message.splitlines():
                    return Sample(time.perf_counter() - start, process_cpu(proc.pid))
        finally:
            stop(proc)
            listener.close()


def time_warm(tree: Tree, _pdf: Path) -> Sample:
    """`kiosk -v run --windowed` from exec to its "services warm" log line (ui.app.warm_up, on a worker after
    the attract screen: devices, store, OCR and signer open, the simulated glass drawn); then SIGTERM. Not
    a start-up budget: it says whether the work moved before the attract screen or grew."""
    proc = subprocess.Popen(
        [KIOSK, "-v", "run", "--windowed"],
        env=tree.env,
        cwd=tree.cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    start = time.perf_counter()
    timer = threading.Timer(180, proc.kill)
    timer.start()
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if "services warm" in line:
                return Sample(time.perf_counter() - start, process_cpu(proc.pid))
        raise SystemExit(f"{tree.name}: kiosk run ended ({proc.wait()}) before its services were warm")
    finally:
        timer.cancel()
        stop(proc)


COMMANDS: dict[str, tuple[str, Callable[[Tree, Path], Sample]]] = {
    "help": ("kiosk --help", time_help),
    "verify": ("kiosk verify FILE", time_verify),
    "run": ("kiosk run to READY=1", time_run),
    "attract": ("attract screen painted", time_attract),
    "warm": ("kiosk run until warm (info)", time_warm),
}
# Measured for the reader, outside the start-up budget (LIMIT).
INFORMATION_ONLY = {"warm"}


def make_copy(tree: Tree) -> Path:
    """One certified copy PDF, made by this side's own `kiosk demo` into its data folder (whose keys sign
    it), so that each side's `kiosk verify` does the whole check of a valid copy. Up to three tries: on a
    loaded machine the baseline's simulated liveness can miss its frame pace (fixed after 385dc7b)."""
    for _ in range(3):
        proc = subprocess.run(
            [KIOSK, "demo", "--json", "--out", str(tree.data / "out")],
            check=False,
            capture_output=True,
            text=True,
            env=tree.env,
            cwd=tree.cwd,
            timeout=600,
        )
        if proc.returncode == 0:
            return Path(json.loads(proc.stdout)["pdf"])
    raise SystemExit(f"{tree.name}: kiosk demo failed ({proc.returncode}): {proc.stderr[-2000:]}")


def still_verifies(after: Tree, before: Tree, old_copy: Path) -> str:
    """Whether the after side's code still accepts a copy printed by the before side, with the before side's
    keys (not timed; run last, as it opens the before side's data folder). The before side makes older
    (VNC1) seals, which kiosks stopped issuing at the VNC2 cutover: one it makes today is refused as it must
    be, so the after side is told that this fleet issued them until tomorrow (``vnc1_seals_until``)."""
    tomorrow = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 86400))
    config = before.data.parent / "verify-old-copies.toml"
    config.write_text(
        f'[kiosk]\ndata_dir = "{before.data}"\n[signing]\nvnc1_seals_until = {tomorrow}\n', encoding="utf-8"
    )
    proc = subprocess.run(
        [KIOSK, "verify", "--config", str(config), str(old_copy)],
        check=False,
        capture_output=True,
        text=True,
        env=dict(after.env, KIOSK_DATA_DIR=str(before.data)),
        timeout=300,
    )
    first = proc.stdout.strip().splitlines()[0] if proc.stdout.strip() else proc.stderr.strip()[-300:]
    return ("yes" if proc.returncode == 0 else f"NO (exit {proc.returncode})") + f": {first}"


def worktree(commit: str) -> Path:
    """A detached worktree of `commit` (reused when it is already there)."""
    path = Path(tempfile.gettempdir()) / f"startup-before-{commit[:12]}"
    if not (path / "kiosk").is_dir():
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(path), commit],
            check=True,
            capture_output=True,
        )
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per command and side (default 7)")
    parser.add_argument("--baseline", default="385dc7b", help="the 'before' commit (default 385dc7b)")
    parser.add_argument(
        "--before-tree", type=Path, help="an existing checkout of the baseline (instead of a new worktree)"
    )
    parser.add_argument(
        "--after-tree",
        type=Path,
        help="a checkout to measure as 'after' (default: this tree, the editable install)",
    )
    parser.add_argument("--only", default=",".join(COMMANDS), help="comma-separated: " + ",".join(COMMANDS))
    args = parser.parse_args()
    chosen = [c.strip() for c in args.only.split(",") if c.strip()]
    unknown = [c for c in chosen if c not in COMMANDS]
    if unknown:
        parser.error(f"unknown command(s): {', '.join(unknown)}")
    before_path = args.before_tree or worktree(args.baseline)
    with tempfile.TemporaryDirectory(prefix="startup-bench-") as folder:
        # Each side its own data folder, keys and copy, so neither migrates the other's records.
        trees = [
            Tree("before", before_path, Path(folder, "before")),
            Tree("after", args.after_tree, Path(folder, "after")),
        ]
        # A copy for `kiosk verify` (the other commands need none).
        copies = {tree.name: make_copy(tree) if "verify" in chosen else Path() for tree in trees}
        times: dict[tuple[str, str], list[Sample]] = {(c, t.name): [] for c in chosen for t in trees}
        for tree in trees:
            compile_tree(Path(tree.cwd))
        for command in chosen:
            for tree in trees:
                COMMANDS[command][1](tree, copies[tree.name])  # warm-up: fill the page cache
        for _ in range(args.runs):
            for command in chosen:
                for tree in trees:
                    times[command, tree.name].append(COMMANDS[command][1](tree, copies[tree.name]))
        compatible = (
            still_verifies(trees[1], trees[0], copies["before"]) if "verify" in chosen else "not checked"
        )
    after_path = args.after_tree or ROOT
    print(f"start-up, median of {args.runs} runs, interleaved")
    print(f"  before = {args.baseline} at {before_path}\n  after  = {after_path}")
    print(f"{'':<26}{'wall clock, s':^32}{'CPU (user+system), s':^32}")
    print(f"{'command':<26}" + f"{'before':>10}{'after':>10}{'ratio':>10}  " * 2)
    slower = []
    for command in chosen:
        label = COMMANDS[command][0]
        row = f"{label:<26}"
        for measure in ("wall", "cpu"):
            before = statistics.median(getattr(s, measure) for s in times[command, "before"])
            after = statistics.median(getattr(s, measure) for s in times[command, "after"])
            ratio = after / before
            over = ratio > LIMIT and command not in INFORMATION_ONLY
            mark = "!" if over else " "
            if over:
                slower.append(f"{label} ({measure} {ratio:.2f}x)")
            row += f"{before:>10.3f}{after:>10.3f}{ratio:>9.2f}x{mark} "
        print(row)
    print(f"  (! = more than {LIMIT:.2f}x before)")
    print(f"  a copy printed by the before side still verifies after: {compatible}")
    print(f"  within {LIMIT:.2f}x of before: " + ("yes" if not slower else "NO: " + ", ".join(slower)))
    return 1 if slower else 0


if __name__ == "__main__":
    raise SystemExit(main())
