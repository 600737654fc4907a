from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from offline_sync.gateway_sim import SimulatedGateway
from offline_sync.kiosk_api_client import KioskApiClient
from offline_sync.protocol.payment_notice import load_or_create_secret
from tests.sync.helpers import Backend, Pki, make_pki

GATEWAY_CN = "gateway-sim"


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def backend(pki: Pki, tmp_path: Path) -> Iterator[Backend]:
    b = Backend(pki, tmp_path / "backend").start()
    yield b
    b.stop()


@pytest.fixture
def api(backend: Backend) -> Iterator[KioskApiClient]:
    with backend.client() as client:
        yield KioskApiClient(client)


@pytest.fixture
def gateway(backend: Backend, pki: Pki) -> Iterator[SimulatedGateway]:
    secret = load_or_create_secret(backend.data)
    with SimulatedGateway(
        backend.url, pki.ssl_context(GATEWAY_CN), secret, bank_bin="970415", account="113366668888"
    ) as gw:
        yield gw
