"""Log lines never carry an ID number or a registered name."""

from __future__ import annotations

import io
import logging

import pytest

from kiosk.runtime.logs import RedactingFilter, forget_sensitive, mask_id, redact, register_sensitive


@pytest.fixture(autouse=True)
def _clean():
    forget_sensitive()
    yield
    forget_sensitive()


def test_mask_id_keeps_province_and_last_three():
    assert mask_id("001190012345") == "001******345"
    assert mask_id("013456789") == "013***789"


def test_id_numbers_are_masked_by_pattern():
    assert redact("card 001190012345 read") == "card 001******345 read"
    assert redact("old id 013456789.") == "old id 013***789."
    # Longer digit runs (a phone number with a prefix, a timestamp) are not IDs and stay as they are.
    assert redact("ts 20261122153000") == "ts 20261122153000"


def test_registered_names_are_masked_until_forgotten():
    register_sensitive("NGUYỄN THỊ MINH ANH")
    assert "NGUYỄN" not in redact("holder NGUYỄN THỊ MINH ANH certified")
    forget_sensitive()
    assert "NGUYỄN THỊ MINH ANH" in redact("holder NGUYỄN THỊ MINH ANH")


def test_filter_rewrites_args_and_tracebacks():
    register_sensitive("TRẦN VĂN BÌNH")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info("holder %s id %s", "TRẦN VĂN BÌNH", "079203001234")
        try:
            raise ValueError("bad card 079203001234 for TRẦN VĂN BÌNH")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    assert "079203001234" not in out
    assert "TRẦN VĂN BÌNH" not in out
    assert "079******234" in out
