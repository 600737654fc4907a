"""The face photos in ../shared/faces (next to the repo): read in place, never copied into the repo."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

FACES_DIR = Path(__file__).parents[2] / ".." / "shared" / "faces"


def face_photo(name: str) -> np.ndarray:
    """One photo of ../shared/faces as BGR; skips the test, saying why, when the folder is absent."""
    path = FACES_DIR / name
    if not path.is_file():
        pytest.skip(f"face photos not available: {path} is absent (they live in ../shared/faces)")
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert image is not None, f"{path} is not a readable image"
    return image
