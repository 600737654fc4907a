"""Face work in its own process, so dlib never holds this process's GIL (and so never stalls the GUI).

dlib's Python bindings keep the GIL for the whole of a detection, a landmark fit or an encoding (up to a
second for a card portrait), which would freeze the screen whatever thread ran it. This worker process
owns the face models; frames travel to it through a pipe, in memory only (never a file), and only the
decisions come back. One process, one call at a time, started and warmed when the kiosk starts.
"""

from __future__ import annotations

import concurrent.futures
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from kiosk.identity.face import FaceVerifier
from kiosk.identity.liveness import check_challenge, landmarks_of

log = logging.getLogger(__name__)

_verifier: Any = None
_identity: Any = None


def _exit_with_parent(parent: int) -> None:
    """The worker must never outlive the kiosk (an orphan keeps the models and the kiosk's pipes)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _init(identity_config: Any, parent: int) -> None:
    global _verifier, _identity
    _exit_with_parent(parent)

    _identity = identity_config
    _verifier = FaceVerifier(identity_config)


def _warm_up() -> bool:
    _verifier.warm_up()
    landmarks_of(np.zeros((480, 640, 3), np.uint8))
    return True


def _verify(card_image: Any, frames: Sequence[Any]) -> Any:
    return _verifier.verify(card_image, frames)


def _liveness(challenge: str, frames: Sequence[Any]) -> Any:
    return check_challenge(challenge, frames, _identity)


def _face_box(frame: Any) -> tuple[int, int, int, int] | None:
    face = _verifier.analyse_frame(frame, encode=False)
    box = getattr(face, "box", None)
    if box is None:
        return None
    return int(box.left), int(box.top), int(box.width), int(box.height)


class FaceProcess:
    """A one-process pool running the face verifier and the liveness check."""

    def __init__(self, identity_config: Any) -> None:
        self.identity_config = identity_config
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._closed = False

    @property
    def pool(self) -> concurrent.futures.ProcessPoolExecutor:
        """The one-process pool, made on first use (the warm-up, once the attract screen shows): making it
        loads the process-pool machinery, ~15 ms that the start to the attract screen need not wait for."""
        with self._pool_lock:
            if self._closed:
                raise RuntimeError("the face process is closed")
            if self._pool is None:
                self._pool = concurrent.futures.ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_init,
                    initargs=(self.identity_config, os.getpid()),
                )
            return self._pool

    def warm_up(self) -> concurrent.futures.Future[bool]:
        return self.pool.submit(_warm_up)

    def verify(self, card_image: Any, frames: Sequence[Any]) -> Any:
        return self.pool.submit(_verify, card_image, list(frames)).result(timeout=120)

    def liveness(self, challenge: str, frames: Sequence[Any]) -> Any:
        return self.pool.submit(_liveness, challenge, list(frames)).result(timeout=120)

    def face_box(self, frame: Any) -> tuple[int, int, int, int] | None:
        return self.pool.submit(_face_box, frame).result(timeout=30)  # type: ignore[no-any-return]

    def close(self) -> None:
        """Stop the worker now, even in the middle of a call (its result is no longer wanted)."""
        with self._pool_lock:
            pool, self._pool, self._closed = self._pool, None, True
        if pool is None:
            return
        processes = list(getattr(pool, "_processes", {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(5)
