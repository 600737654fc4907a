"""Giving memory back between visits: the kiosk runs for weeks, one visit after another.

A visit allocates large, short-lived buffers (a 300 dpi A4 page is 26 MB as BGR, and OCR, rendering and
signing copy it several times), many of them on worker threads. glibc keeps freed memory in its heaps and
per-thread arenas rather than returning it, so a process's resident set climbs with every visit's peak
and stays there. :func:`tune_malloc` caps the arenas (once, at start) and :func:`release_memory` (at each
visit's reset, on a worker) collects cycles and asks glibc to return free pages (``malloc_trim``).
Elsewhere than glibc both are no-ops. :func:`collection_paused` keeps the cycle collector out of a command's
start, while its modules load.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

log = logging.getLogger(__name__)
M_ARENA_MAX = -8
ARENAS = 2


@cache
def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        # glibc's soname; ctypes.util.find_library would run ldconfig in a child process at every start
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim  # noqa: B018 (glibc only)
        libc.mallopt  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


@cache
def tune_malloc() -> bool:
    """At most ARENAS malloc arenas for the process's threads (glibc's default is 8 per core)."""
    libc = _libc()
    if libc is None:
        return False
    return bool(libc.mallopt(ctypes.c_int(M_ARENA_MAX), ctypes.c_int(ARENAS)))


def release_memory() -> None:
    """Collect garbage cycles, then return the heaps' free pages to the system."""
    gc.collect()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(ctypes.c_size_t(0))


def release_later(runner: object) -> None:
    """Run :func:`release_memory` on the flow's runner (a worker in the UI: the GUI thread never waits)."""
    runner.submit(  # type: ignore[attr-defined]
        "release_memory",
        lambda report: release_memory(),
        lambda _result: None,
        lambda exc: log.warning("releasing memory failed: %s", exc),
    )


@contextmanager
def collection_paused() -> Iterator[None]:
    """The cycle collector paused for the block: a command's modules loading.

    Loading the kiosk makes a few hundred thousand objects that live as long as the process (modules,
    classes, functions, validators) and next to no garbage, and the collector's young-generation passes over
    them were about a tenth of `kiosk run`'s start (bench/startup_bench.py). It runs again after the block,
    as it was (a test that calls the command line in its own process gets it back too).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
