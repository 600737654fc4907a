from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backoffice.city import CityOffice
from tests.backoffice.helpers import BackOffice, Kiosks, SoftHsm, make_kiosks
from tests.sync.conftest import postgres  # noqa: F401 - the session PostgreSQL fixture
from tests.sync.helpers import Pki, make_pki

pytestmark = pytest.mark.skipif(not shutil.which("softhsm2-util"), reason="SoftHSM2 is not installed")


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def kiosks(tmp_path_factory: pytest.TempPathFactory) -> Kiosks:
    return make_kiosks(tmp_path_factory.mktemp("kiosks"))


@pytest.fixture(scope="session")
def softhsm() -> Iterator[SoftHsm]:
    if not shutil.which("softhsm2-util"):
        pytest.skip("SoftHSM2 is not installed")
    token = SoftHsm()
    yield token
    token.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def office(
    request: pytest.FixtureRequest, pki: Pki, kiosks: Kiosks, softhsm: SoftHsm, tmp_path: Path
) -> Iterator[BackOffice]:
    db_url = request.getfixturevalue("postgres").new_database() if request.param == "postgresql" else ""
    b = BackOffice(pki, kiosks, tmp_path / "backend", db_url=db_url).start()
    yield b
    b.stop()


@pytest.fixture
def sqlite_office(pki: Pki, kiosks: Kiosks, softhsm: SoftHsm, tmp_path: Path) -> Iterator[BackOffice]:
    b = BackOffice(pki, kiosks, tmp_path / "backend").start()
    yield b
    b.stop()


@pytest.fixture
def city_office(pki: Pki, kiosks: Kiosks, tmp_path: Path) -> Iterator[CityOffice]:
    """Issue 17's whole public listener (console, /ops, retrieval) on SQLite, staff accounts made."""
    office = CityOffice(pki, kiosks, tmp_path / "backend").start()
    office.add_staff()
    yield office
    office.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_city_office(
    request: pytest.FixtureRequest, pki: Pki, kiosks: Kiosks, tmp_path: Path
) -> Iterator[CityOffice]:
    db_url = request.getfixturevalue("postgres").new_database() if request.param == "postgresql" else ""
    office = CityOffice(pki, kiosks, tmp_path / "backend", db_url=db_url).start()
    office.add_staff()
    yield office
    office.stop()
