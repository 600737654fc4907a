"""A fork server for the kill -9 test: it imports the sync worker once, then forks one worker process per
"fork" line on stdin and prints the child's pid. Each child is a real, separate worker process (it opens its
own store, lock and connections after the fork), so killing it is a real kill -9; the fork only skips the
interpreter start-up, which would otherwise dominate a test with a hundred kills.

    python -m tests.sync.zygote SETTINGS.json     (stdin: "fork" | "quit"; stdout: "<pid>" and "ready")
"""

from __future__ import annotations

import os
import signal
import sys

import apsw  # noqa: F401  - preload everything the worker imports
import httpx  # noqa: F401

from offline_sync import runner


def main() -> int:
    settings = sys.argv[1]
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    for line in sys.stdin:
        command = line.strip()
        if command == "quit":
            return 0
        if command != "fork":
            continue
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            try:
                code = runner.main([settings])
            finally:
                sys.stdout.flush()
            os._exit(code)
        sys.stdout.write(f"{pid}\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
