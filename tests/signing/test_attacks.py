"""The attack corpus: every forgery of a genuine copy is refused with its own reason, and the genuine copy
(alone, or with an officer's approval signature) passes our verifier, pyHanko's validator and pdfsig."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from signing.countersign import countersign, make_officer_cert
from signing.keys import ROOT_CERT, FileSealSigner, make_root_cert, resolve
from signing.verify import verify_pdf
from tests.signing import attacks
from tests.signing.test_tamper import NOW, _issuer, _signer_with

pytestmark = pytest.mark.filterwarnings("ignore")


def _validation_context(trust):
    return ValidationContext(
        trust_roots=trust.asn1_roots(), allow_fetching=False, revocation_mode="soft-fail"
    )


def _officer(dev_keys, *, rogue: bool = False) -> FileSealSigner:
    """An officer's key with a certificate from the city root (or, rogue, from a CA nobody trusts)."""
    root_key, root_cert = _issuer(dev_keys)
    if rogue:
        root_key = ec.generate_private_key(ec.SECP256R1())
        root_cert = make_root_cert(
            root_key, "Rogue CA", NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=9)
        )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = make_officer_cert(key.public_key(), root_key, root_cert, officer="Trần Thị Bình", days=30)
    return FileSealSigner(key, cert, (root_cert,))


def approve(pdf: bytes, officer: FileSealSigner) -> bytes:
    """The officer's post-check, as the backend does it: an approval signature in an incremental update."""
    return countersign(pdf, officer, officer_name="Trần Thị Bình")


def _other_jpeg(width: int, height: int) -> bytes:
    image = np.full((height, width), 255, np.uint8)
    cv2.putText(image, "FORGED 999", (100, 400), cv2.FONT_HERSHEY_SIMPLEX, 6, 0, 12)
    return cv2.imencode(".jpg", image)[1].tobytes()


def _swap_image(writer):
    xobjects = attacks.page(writer, 0)["/Resources"]["/XObject"]
    old = next(v.get_object() for v in xobjects.values() if v.get_object().get("/Subtype") == "/Image")
    attacks.swap_image(writer, _other_jpeg(int(old["/Width"]), int(old["/Height"])))


INCREMENTAL = {
    "annotation": (attacks.add_annotation, "content_changed"),
    "stamp": (attacks.add_stamp, "content_changed"),
    "overlay_content_stream": (attacks.overlay_content, "content_changed"),
    "image_swapped_in_place": (_swap_image, "image_replaced"),
    "page_added": (attacks.add_page, "pages_changed"),
    "page_removed": (attacks.remove_page, "pages_changed"),
    "metadata_info": (attacks.change_info, "metadata_changed"),
    "shadow_hide": (attacks.shadow_hide, "content_changed"),
    "shadow_replace": (attacks.shadow_replace, "image_replaced"),
    "shadow_replace_font": (attacks.shadow_replace_font, "content_changed"),
    "shadow_hide_and_replace": (attacks.shadow_hide_and_replace, "image_replaced"),
    "signature_box_redrawn": (attacks.redraw_signature_box, "updated_after_signing"),
}

USF = {
    "no_byterange": "byterange_missing",
    "byterange_null": "byterange_missing",
    "byterange_zeros": "byterange_invalid",
    "byterange_start": "byterange_start",
    "byterange_overlap": "byterange_overlap",
    "byterange_past_eof": "byterange_past_eof",
    "byterange_gap": "byterange_gap",
    "no_contents": "contents_empty",
    "contents_null": "contents_empty",
    "contents_empty": "contents_empty",
    "contents_zeros": "contents_empty",
    "contents_odd": "contents_odd",
}


def test_xmp_metadata_edited_by_hand_is_refused(issued_two_pages, trust):
    result = verify_pdf(attacks.change_xmp(issued_two_pages.pdf), trust)
    assert (result.valid, result.reason_key) == (False, "metadata_changed"), result.reason


def test_signature_wrapping_is_refused_though_the_signed_bytes_are_intact(issued_two_pages, trust):
    forged = attacks.signature_wrapping(issued_two_pages.pdf)
    # The attack is real: the signed byte ranges still verify, which a naive "intact and valid" accepts.
    sig = PdfFileReader(io.BytesIO(forged), strict=False).embedded_signatures[0]
    naive = validate_pdf_signature(sig, _validation_context(trust))
    assert naive.intact and naive.valid and not naive.bottom_line
    result = verify_pdf(forged, trust)
    assert (result.valid, result.reason_key) == (False, "signature_wrapping"), result.reason


@pytest.mark.parametrize("tail", [b"garbage", b"\n9 0 obj\n<< /Type /Page >>\nendobj\n", b"%comment\n"])
def test_bytes_appended_after_the_end_of_the_file_are_refused(issued_two_pages, trust, tail):
    result = verify_pdf(issued_two_pages.pdf + tail, trust)
    assert (result.valid, result.reason_key) == (False, "trailing_data"), result.reason
    assert verify_pdf(issued_two_pages.pdf + b"\r\n  \n", trust).valid  # whitespace is no change


def test_a_seal_from_another_kiosk_inside_a_genuinely_signed_copy_is_refused(dev_keys, signer, trust):
    from tests.signing.sign_helpers import copy_meta, copy_page
    from tests.signing.test_tamper import _forge

    other_kiosk = _signer_with(dev_keys, NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=30))  # city root
    result = verify_pdf(_forge([copy_page(41)], copy_meta(341), signer, seal_signer=other_kiosk), trust)
    assert (result.valid, result.reason_key) == (False, "seal_untrusted"), result.reason


def test_a_copied_signature_dictionary_is_refused(issued_two_pages, trust):
    result = verify_pdf(attacks.duplicate_sig_dict(issued_two_pages.pdf), trust)
    assert (result.valid, result.reason_key) == (False, "duplicate_signature"), result.reason


@pytest.mark.parametrize("name", sorted(INCREMENTAL))
def test_incremental_and_shadow_attacks_are_refused(issued_two_pages, trust, name):
    change, key = INCREMENTAL[name]
    result = verify_pdf(attacks.update(issued_two_pages.pdf, change), trust)
    assert (result.valid, result.reason_key) == (False, key), result.reason


@pytest.mark.parametrize("variant", sorted(USF))
def test_universal_signature_forgery_is_refused(issued_two_pages, trust, variant):
    result = verify_pdf(attacks.usf(issued_two_pages.pdf, variant), trust)
    assert (result.valid, result.reason_key) == (False, USF[variant]), result.reason


def test_the_genuine_copy_is_certified_and_every_validator_accepts_it(issued_two_pages, trust):
    assert verify_pdf(issued_two_pages.pdf, trust).valid
    sig = PdfFileReader(io.BytesIO(issued_two_pages.pdf), strict=False).embedded_signatures[0]
    assert sig.docmdp_level == fields.MDPPerm.FILL_FORMS
    status = validate_pdf_signature(sig, _validation_context(trust))
    assert status.bottom_line, status.pretty_print_details()
    assert status.coverage.name == "ENTIRE_FILE"


def test_an_officer_approval_is_accepted_and_a_rogue_one_is_not(issued_two_pages, trust, dev_keys):
    approved = approve(issued_two_pages.pdf, _officer(dev_keys))
    result = verify_pdf(approved, trust)
    assert result.valid, result.reason
    assert "approved by an officer" in result.reason
    reader = PdfFileReader(io.BytesIO(approved), strict=False)
    for sig in reader.embedded_signatures:
        status = validate_pdf_signature(sig, _validation_context(trust))
        assert status.bottom_line, status.pretty_print_details()

    rogue = approve(issued_two_pages.pdf, _officer(dev_keys, rogue=True))
    result = verify_pdf(rogue, trust)
    assert (result.valid, result.reason_key) == (False, "later_signature_untrusted"), result.reason
    # An approval, then a change after it: refused as well.
    result = verify_pdf(attacks.update(approved, attacks.overlay_content), trust)
    assert (result.valid, result.reason_key) == (False, "content_changed"), result.reason


def test_dss_data_added_for_long_term_validation_is_accepted(issued_two_pages, trust, dev_keys):
    """A DSS revision (LTV data, as pyHanko's add_validation_info writes it) after the officer's approval."""
    from pyhanko.sign.validation import add_validation_info

    approved = approve(issued_two_pages.pdf, _officer(dev_keys))
    sig = PdfFileReader(io.BytesIO(approved), strict=False).embedded_signatures[-1]
    with_dss = add_validation_info(sig, _validation_context(trust)).getvalue()
    assert PdfFileReader(io.BytesIO(with_dss), strict=False).root.get("/DSS") is not None
    result = verify_pdf(with_dss, trust)
    assert result.valid, result.reason
    # DSS data, then a change in a later unsigned revision: refused.
    result = verify_pdf(attacks.update(with_dss, attacks.overlay_content), trust)
    assert (result.valid, result.reason_key) == (False, "content_changed"), result.reason


def test_a_document_timestamp_after_the_approval_is_accepted(issued_two_pages, trust, dev_keys):
    """A document timestamp (an archive timestamp for LTA) from the city's timestamp authority."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers, timestamps

    from signing.keys import ROOT_KEY, load_cert, load_private_key, read_passphrase
    from tests.signing.tsa_server import LoopbackTsa

    config, data_dir = dev_keys
    keys_dir = resolve(config.keys_dir, data_dir)
    root_key = load_private_key(keys_dir / ROOT_KEY, read_passphrase(config, data_dir))
    approved = approve(issued_two_pages.pdf, _officer(dev_keys))
    with LoopbackTsa(root_key, load_cert(keys_dir / ROOT_CERT)) as tsa:
        writer = IncrementalPdfFileWriter(io.BytesIO(approved), strict=False)
        out = io.BytesIO()
        signers.PdfTimeStamper(timestamps.HTTPTimeStamper(tsa.url)).timestamp_pdf(
            writer, "sha256", output=out
        )
    stamped = out.getvalue()
    assert (
        PdfFileReader(io.BytesIO(stamped), strict=False).embedded_signatures[-1].sig_object_type
        == "/DocTimeStamp"
    )
    result = verify_pdf(stamped, trust)
    assert result.valid, result.reason


def _pdfsig(pdf: Path, nss: Path) -> str:
    run = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss}", str(pdf)], capture_output=True, text=True, timeout=60, check=False
    )
    return run.stdout + run.stderr


@pytest.fixture(scope="module")
def nss_db(dev_keys, tmp_path_factory):
    if shutil.which("certutil") is None or shutil.which("pdfsig") is None:
        pytest.skip("pdfsig or certutil (poppler-utils, libnss3-tools) is not installed")
    config, data_dir = dev_keys
    nss = tmp_path_factory.mktemp("nss")
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True, timeout=60)
    root = resolve(config.keys_dir, data_dir) / ROOT_CERT
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{nss}", "-n", "city-root", "-t", "CT,C,C", "-i", str(root)],
        check=True,
        timeout=60,
    )
    return nss


def test_pdfsig_accepts_the_genuine_copy_and_flags_the_wrapped_one(
    issued_two_pages, nss_db, tmp_path, dev_keys
):
    genuine = tmp_path / "genuine.pdf"
    genuine.write_bytes(issued_two_pages.pdf)
    out = _pdfsig(genuine, nss_db)
    assert "Signature is Valid" in out and "Total document signed" in out, out
    assert "Certificate is Trusted" in out, out
    approved = tmp_path / "approved.pdf"
    approved.write_bytes(approve(issued_two_pages.pdf, _officer(dev_keys)))
    out = _pdfsig(approved, nss_db)
    assert out.count("Signature is Valid") == 2, out
    wrapped = tmp_path / "wrapped.pdf"
    wrapped.write_bytes(attacks.signature_wrapping(issued_two_pages.pdf))
    assert "Not total document signed" in _pdfsig(wrapped, nss_db)
