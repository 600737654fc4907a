"""Verification never crashes on damaged input: it answers "not valid" with a reason."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signing.paper import find_seal_texts
from signing.seal import PREFIX
from signing.verify import verify_pdf, verify_seal_text
from tests.signing.sign_helpers import copy_meta


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_damaged_pdfs_are_answered_not_raised(issued_two_pages, trust, data):
    pdf = bytearray(issued_two_pages.pdf)
    kind = data.draw(st.sampled_from(["truncate", "flip", "splice"]))
    if kind == "truncate":
        pdf = pdf[: data.draw(st.integers(min_value=0, max_value=len(pdf) - 1))]
    elif kind == "flip":
        for _ in range(data.draw(st.integers(min_value=1, max_value=8))):
            at = data.draw(st.integers(min_value=0, max_value=len(pdf) - 1))
            pdf[at] ^= data.draw(st.integers(min_value=1, max_value=255))
    else:
        at = data.draw(st.integers(min_value=0, max_value=len(pdf)))
        pdf[at:at] = data.draw(st.binary(min_size=1, max_size=64))
    result = verify_pdf(bytes(pdf), trust)
    assert isinstance(result.reason, str) and result.reason
    if result.valid:
        # Only a change outside what the signature covers can leave it valid (the unused zero padding
        # of the signature's reserved space); the copy is then still exactly the issued one.
        assert result.code == copy_meta(500).code
        assert result.pages == 2


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_text_is_answered_as_a_seal(trust_text):
    from signing.trust import TrustStore

    result = verify_seal_text(trust_text, TrustStore())
    assert not result.valid
    assert result.reason


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", max_size=300))
def test_base45_garbage_after_the_prefix(body):
    from signing.trust import TrustStore

    result = verify_seal_text(PREFIX + body, TrustStore())
    assert not result.valid
    assert result.reason_key in {"seal_edited", "not_seal"}


def test_odd_images_have_no_seal():
    for image in (
        np.zeros((0, 0), np.uint8),
        np.zeros((5, 5, 3), np.uint8),
        np.full((400, 300), 255, np.uint8),
        np.zeros((10, 10), np.float32),
    ):
        assert find_seal_texts(image) == []


def test_every_reason_has_vietnamese_text():
    import inspect

    import signing.paper
    import signing.verify
    from signing.model import REASONS_VI

    source = inspect.getsource(signing.verify) + inspect.getsource(signing.paper)
    import re

    keys = set(re.findall(r'_fail\(\s*"([a-z_]+)"', source)) | set(
        re.findall(r'reason_key="([a-z_]+)"', source)
    )
    for pair in re.findall(r'"([a-z_]+)" if [^\n]*? else "([a-z_]+)"', source):
        keys |= set(pair)
    keys -= {"timestamped", "signed", "claimed"}  # words of a sentence, not reason keys
    assert keys
    assert keys <= set(REASONS_VI), keys - set(REASONS_VI)
