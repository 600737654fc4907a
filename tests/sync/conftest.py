from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync.helpers import Backend, Pki, make_pki


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def backend(pki: Pki, tmp_path: Path) -> Iterator[Backend]:
    b = Backend(pki, tmp_path / "backend").start()
    yield b
    b.stop()
