"""The `[payment]` table: strict, and what the VietQR pays to."""

from __future__ import annotations

import pytest

from kiosk.config import parse_config
from kiosk.errors import ConfigError


def test_defaults_and_overrides() -> None:
    config = parse_config({"payment": {"bank_bin": "970436", "account": "0011001932418", "timeout_s": 90}})
    assert (config.payment.mode, config.payment.bank_bin, config.payment.timeout_s) == (
        "vietqr",
        "970436",
        90,
    )


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"bank": "970436"}, "unknown key 'payment.bank'"),
        ({"bank_bin": "97043"}, "payment.bank_bin"),
        ({"payee_name": "Trung tâm"}, "payment.payee_name"),
        ({"mode": "cash_only"}, "payment.mode"),
    ],
)
def test_bad_keys_are_named(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config({"payment": table})
