"""Giving memory back between visits: the kiosk runs for weeks, one visit after another.

A visit allocates large, short-lived buffers (a 300 dpi A4 page is 26 MB as BGR, and OCR, rendering and
signing copy it several times), many of them on worker threads. glibc keeps freed memory in its heaps and
per-thread arenas rather than returning it, so a process's resident set climbs with every visit's peak
and stays there. :func:`tune_malloc` caps the arenas (once, at start) and :func:`release_memory` (at each
visit's reset, on a worker) collects cycles and asks glibc to return free pages (``malloc_trim``).
Elsewhere than glibc both are no-ops.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import sys
from functools import cache

log = logging.getLogger(__name__)
M_ARENA_MAX = -8
ARENAS = 2


@cache
def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
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
