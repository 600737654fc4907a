"""A copy issued by the kiosk is valid for our verifier, for pyHanko's validator and for poppler's pdfsig."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from signing.certify import issue_certified_copy
from signing.pades import SEAL_KEY
from signing.verify import verify_pdf, verify_seal_text
from tests.signing.sign_helpers import copy_meta, copy_page


def _pdfsig(pdf: Path) -> str:
    return subprocess.run(
        ["pdfsig", str(pdf)], capture_output=True, text=True, timeout=60, check=False
    ).stdout


def test_issued_copy_verifies(issued_two_pages, trust):
    result = verify_pdf(issued_two_pages.pdf, trust)
    assert result.valid, result.reason
    assert result.reason_key == "valid"
    assert result.code == copy_meta(500).code
    assert result.pages == 2
    assert result.holder == "001******567"
    assert result.doc_type == "birth_certificate"
    assert result.to_json()["valid"] is True
    assert set(result.to_json()) >= {"valid", "code", "reason", "issued_at", "pages"}


def test_pyhanko_validator_accepts_it(issued_two_pages, trust):
    reader = PdfFileReader(__import__("io").BytesIO(issued_two_pages.pdf))
    (sig,) = reader.embedded_signatures
    context = ValidationContext(trust_roots=trust.asn1_roots(), allow_fetching=False)
    status = validate_pdf_signature(sig, signer_validation_context=context)
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert reader.root[SEAL_KEY] == issued_two_pages.seal


def test_pdfsig_says_valid(issued_two_pages, tmp_path):
    pdf = tmp_path / "copy.pdf"
    pdf.write_bytes(issued_two_pages.pdf)
    out = _pdfsig(pdf)
    assert "Signature is Valid." in out
    assert "Total document signed" in out
    assert "ETSI.CAdES.detached" in out


@pytest.mark.skipif(shutil.which("certutil") is None, reason="certutil (libnss3-tools) is not installed")
def test_pdfsig_trusts_it_once_the_city_root_is_in_its_nss_database(issued_two_pages, dev_keys, tmp_path):
    config, data_dir = dev_keys
    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True, timeout=60)
    root = data_dir / config.keys_dir / "city-root-ca.pem"
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{nss}", "-n", "city-root", "-t", "CT,C,C", "-i", str(root)],
        check=True,
        timeout=60,
    )
    pdf = tmp_path / "copy.pdf"
    pdf.write_bytes(issued_two_pages.pdf)
    out = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss}", str(pdf)], capture_output=True, text=True, timeout=60, check=False
    ).stdout
    assert "Signature is Valid." in out
    assert "Certificate is Trusted." in out


def test_seal_text_alone_verifies(issued_two_pages, trust):
    result = verify_seal_text(issued_two_pages.seal, trust)
    assert result.valid, result.reason
    assert result.code == copy_meta(500).code
    assert result.pages == 2


def test_one_colour_page_copy(signer, trust):
    copy = issue_certified_copy([copy_page(7, color=True)], copy_meta(9), signer)
    result = verify_pdf(copy.pdf, trust)
    assert result.valid, result.reason
    assert result.pages == 1


def test_no_pages_is_a_clear_error(signer):
    from signing.errors import SigningError

    with pytest.raises(SigningError, match="at least one page"):
        issue_certified_copy([], copy_meta(1), signer)
