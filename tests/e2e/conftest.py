"""Shared inputs for whole-visit tests: generated cards, faces and documents, and a private data folder."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

SHARED_FACES = Path(__file__).resolve().parents[2].parent / "shared" / "faces"


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv("KIOSK_DATA_DIR", str(folder))
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.delenv("KIOSK_KEY_PASSPHRASE", raising=False)
    return folder


def write_image(path: Path, image: np.ndarray) -> Path:
    assert cv2.imwrite(str(path), image), path
    return path


@pytest.fixture(scope="session")
def visit_files(tmp_path_factory):
    """A sample citizen's card, three live frames and a one-page birth certificate, as files."""
    from kiosk.samples.card import sample_live_frames
    from kiosk.samples.documents import make_document
    from kiosk.samples.glass import sample_card_image

    folder = tmp_path_factory.mktemp("visit")
    card = write_image(folder / "card.png", sample_card_image())
    live = [write_image(folder / f"live{i}.jpg", f) for i, f in enumerate(sample_live_frames(3, seed=11))]
    page = write_image(folder / "page1.png", make_document("birth_certificate", seed=101).image)
    return {"card": card, "live": live, "document": [page], "folder": folder}
