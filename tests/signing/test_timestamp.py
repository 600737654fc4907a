"""PAdES B-T: with a timestamp authority configured, the signature carries an RFC 3161 timestamp from a
responder on loopback, and verification uses the timestamp as the signing time."""

from __future__ import annotations

import socket
import subprocess

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from signing.certify import issue_certified_copy
from signing.errors import SigningError
from signing.keys import ROOT_CERT, ROOT_KEY, load_cert, load_private_key, read_passphrase, resolve
from signing.verify import verify_pdf
from tests.signing.sign_helpers import copy_meta, copy_page
from tests.signing.tsa_server import LoopbackTsa


@pytest.fixture
def tsa(dev_keys):
    config, data_dir = dev_keys
    keys_dir = resolve(config.keys_dir, data_dir)
    root_key = load_private_key(keys_dir / ROOT_KEY, read_passphrase(config, data_dir))
    with LoopbackTsa(root_key, load_cert(keys_dir / ROOT_CERT)) as server:
        yield server


def test_b_t_copy_is_timestamped_and_valid(signer, trust, tsa, tmp_path):
    copy = issue_certified_copy([copy_page(21)], copy_meta(1001), signer, tsa_url=tsa.url)
    assert tsa.requests >= 1  # pyHanko also asks once for a size estimate
    (sig,) = PdfFileReader(__import__("io").BytesIO(copy.pdf)).embedded_signatures
    unsigned = sig.signer_info["unsigned_attrs"].native or []
    assert any(a["type"] == "signature_time_stamp_token" for a in unsigned)  # B-T
    result = verify_pdf(copy.pdf, trust)
    assert result.valid, result.reason
    assert result.timestamped
    assert "timestamped" in result.reason
    pdf = tmp_path / "bt.pdf"
    pdf.write_bytes(copy.pdf)
    out = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True, timeout=60, check=False).stdout
    assert "Signature is Valid." in out


def test_tsa_url_from_config_is_used(signer, trust, tsa):
    signer.tsa_url = tsa.url
    try:
        copy = issue_certified_copy([copy_page(22)], copy_meta(1002), signer)
    finally:
        signer.tsa_url = ""
    assert tsa.requests >= 1  # pyHanko also asks once for a size estimate
    assert verify_pdf(copy.pdf, trust).timestamped


def test_unreachable_tsa_is_a_clear_error(signer):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(SigningError, match="timestamp authority did not answer"):
        issue_certified_copy([copy_page(23)], copy_meta(1003), signer, tsa_url=f"http://127.0.0.1:{port}/tsa")
