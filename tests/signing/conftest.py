"""Shared fixtures: a development CA and seal key in a temp data folder, and one issued copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from signing.config import SigningConfig
from signing.keys import init_dev_keys, load_seal_signer
from signing.trust import load_trust_store
from tests.signing.sign_helpers import AUTHORITY, KIOSK, copy_meta, copy_page


@pytest.fixture(scope="session")
def dev_keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[SigningConfig, Path]:
    data_dir = tmp_path_factory.mktemp("kiosk-data")
    config = SigningConfig(passphrase_env="KIOSK_TEST_PASSPHRASE_UNSET")
    init_dev_keys(config, data_dir, authority=AUTHORITY, kiosk_id=KIOSK)
    return config, data_dir


@pytest.fixture(scope="session")
def signer(dev_keys):
    config, data_dir = dev_keys
    with load_seal_signer(config, data_dir) as seal_signer:
        yield seal_signer


@pytest.fixture(scope="session")
def trust(dev_keys):
    config, data_dir = dev_keys
    return load_trust_store(config, data_dir)


@pytest.fixture(scope="session")
def issued_two_pages(signer):
    """One valid two-page copy, shared by the read-only tests."""
    from signing.certify import issue_certified_copy

    pages = [copy_page(1), copy_page(2)]
    return issue_certified_copy(pages, copy_meta(500), signer)
