"""Shared fixtures of the identity tests."""

from __future__ import annotations

import pytest

from kiosk.identity import FaceVerifier
from kiosk.identity.config import IdentityConfig


@pytest.fixture(scope="session")
def verifier() -> FaceVerifier:
    v = FaceVerifier(IdentityConfig())
    v.warm_up()
    return v
