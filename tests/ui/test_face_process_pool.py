"""ui.face_process: the face worker's pool is made on first use, and never after the kiosk closed it."""

from __future__ import annotations

import pytest

from kiosk.identity.config import IdentityConfig
from ui.face_process import FaceProcess


def test_making_the_face_process_starts_no_pool_and_closing_it_unused_is_quiet() -> None:
    face = FaceProcess(IdentityConfig())
    assert face._pool is None  # the attract screen does not wait for the process-pool machinery
    face.close()
    assert face._pool is None


def test_a_closed_face_process_makes_no_new_worker() -> None:
    face = FaceProcess(IdentityConfig())
    face.close()
    with pytest.raises(RuntimeError, match="closed"):
        face.warm_up()  # a late warm-up after close must not spawn a process the kiosk no longer stops
