"""Shared fixtures for the OCR tests: one engine, generated pages, and the scoring helpers."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from ocr import OcrEngine
from ocr.config import OcrConfig

_METRICS = Path(__file__).resolve().parents[2] / "bench" / "ocr_metrics.py"


def _load_metrics():  # the bench's own scorer, so tests and bench measure the same way
    spec = importlib.util.spec_from_file_location("ocr_bench_metrics", _METRICS)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


metrics = _load_metrics()


@pytest.fixture(scope="session")
def engine() -> OcrEngine:
    return OcrEngine(OcrConfig())


def png_bytes(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", image)
    assert ok
    return data.tobytes()


def cat_photo(seed: int = 0, size: tuple[int, int] = (1800, 1400)) -> np.ndarray:
    """A natural-looking picture with no text: soft lighting, a furry blob with eyes, textured fur."""
    rng = np.random.default_rng(seed)
    h, w = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.zeros((h, w, 3), np.float32)
    img[:] = (90, 120, 150)  # a wall
    img += (yy / h * 60)[..., None]  # light from above
    body = ((xx - w * 0.5) / (w * 0.3)) ** 2 + ((yy - h * 0.6) / (h * 0.3)) ** 2 < 1
    head = ((xx - w * 0.5) / (w * 0.17)) ** 2 + ((yy - h * 0.3) / (h * 0.15)) ** 2 < 1
    fur = cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), 3) * 60
    cat = body | head
    img[cat] = np.array([60, 110, 170], np.float32) + fur[cat][:, None]
    for ex in (0.45, 0.55):  # eyes
        eye = ((xx - w * ex) / (w * 0.025)) ** 2 + ((yy - h * 0.28) / (h * 0.02)) ** 2 < 1
        img[eye] = (40, 160, 60)
    img += rng.normal(0, 4, img.shape).astype(np.float32)
    img = cv2.GaussianBlur(img, (0, 0), 1.2)
    return np.clip(img, 0, 255).astype(np.uint8)
