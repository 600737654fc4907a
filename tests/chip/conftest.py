"""Fixtures of the chip tests: a test PKI, the sample citizen's chip, and a private pcscd with vpcd."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.identity.cccd import CardData
from kiosk.identity.chip.pki import ChipPki, make_chip_pki
from kiosk.samples.card import sample_portrait
from kiosk.samples.glass import DEMO_CITIZEN
from tests.chip.pcsc_server import PrivatePcscd, pcscd_usable


@pytest.fixture(scope="session")
def pki() -> ChipPki:
    return make_chip_pki()


@pytest.fixture(scope="session")
def citizen() -> CardData:
    return CardData(**DEMO_CITIZEN)


@pytest.fixture(scope="session")
def portrait():  # type: ignore[no-untyped-def]
    return sample_portrait()


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivatePcscd]:
    reason = pcscd_usable()
    if reason is not None:
        pytest.skip(f"no private pcscd here: {reason}")
    server = PrivatePcscd(Path(tmp_path_factory.mktemp("pcscd")))
    # libpcsclite reads the socket path once, at the process's first PC/SC call.
    previous = os.environ.get("PCSCLITE_CSOCK_NAME")
    os.environ.update(server.env)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        if previous is None:
            os.environ.pop("PCSCLITE_CSOCK_NAME", None)
        else:
            os.environ["PCSCLITE_CSOCK_NAME"] = previous


def wait_no_card(pcscd: PrivatePcscd) -> None:
    """Wait until pcscd has seen the last virtual card leave (it polls vpcd): a card laid on the reader
    before that would meet the old card's state."""
    from drivers.chip_reader import PcscChipReader

    with PcscChipReader(pcscd.reader_name, "probe") as probe:
        deadline = time.monotonic() + 10
        while "no card" not in probe.status().detail:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the virtual reader still shows a card: {probe.status().detail}")
            time.sleep(0.05)


@pytest.fixture
def live_pcscd(pcscd: PrivatePcscd) -> PrivatePcscd:
    """The private pcscd, running with its reader, and no card left in the field by an earlier test."""
    if pcscd._process is None or pcscd._process.poll() is not None:
        pcscd.start()
    wait_no_card(pcscd)
    return pcscd
