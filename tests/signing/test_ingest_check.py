"""The backend's upload check (signing.ingest_check.verify_upload) against the whole attack corpus: it
accepts the genuine fresh copy with the same facts as verify_pdf, refuses every forgery (with verify_pdf's
own reason, or ``upload_not_fresh`` for anything updated after the kiosk signed it), and is never more
lenient than verify_pdf."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from signing.certify import issue_certified_copy
from signing.ingest_check import PATHS, _Path, _PathCache, verify_upload
from signing.verify import verify_pdf
from tests.signing import attacks
from tests.signing.sign_helpers import copy_meta, copy_page
from tests.signing.test_attacks import INCREMENTAL, USF, _officer, _swap_image, approve
from tests.signing.test_tamper import NOW, _forge, _signer_with

pytestmark = pytest.mark.filterwarnings("ignore")

FACTS = ("code", "pages", "doc_type", "kiosk_id", "holder", "issued_at", "signer", "authority")


def _changed_byte(pdf: bytes) -> bytes:
    data = bytearray(pdf)
    data[data.index(b"/Subtype /Image") + 5000] ^= 0x01
    return bytes(data)


def _dss(pdf: bytes, dev_keys, trust) -> bytes:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import add_validation_info
    from pyhanko_certvalidator import ValidationContext

    approved = approve(pdf, _officer(dev_keys))
    sig = PdfFileReader(io.BytesIO(approved), strict=False).embedded_signatures[-1]
    context = ValidationContext(
        trust_roots=trust.asn1_roots(), allow_fetching=False, revocation_mode="soft-fail"
    )
    return add_validation_info(sig, context).getvalue()


# name -> (make(issued_pdf, signer, dev_keys, trust) -> bytes, the reason key verify_upload must give)
CORPUS = {
    **{
        f"incremental_{name}": (
            lambda pdf, s, k, t, change=change: attacks.update(pdf, change),
            "upload_not_fresh",
        )
        for name, (change, _key) in INCREMENTAL.items()
    },
    **{
        f"usf_{variant}": (lambda pdf, s, k, t, v=variant: attacks.usf(pdf, v), key)
        for variant, key in USF.items()
    },
    "signature_wrapping": (lambda pdf, s, k, t: attacks.signature_wrapping(pdf), "signature_wrapping"),
    "duplicate_sig_dict": (lambda pdf, s, k, t: attacks.duplicate_sig_dict(pdf), "upload_not_fresh"),
    "xmp_edited": (lambda pdf, s, k, t: attacks.change_xmp(pdf), "upload_not_fresh"),
    "tail_garbage": (lambda pdf, s, k, t: pdf + b"garbage", "trailing_data"),
    "tail_object": (lambda pdf, s, k, t: pdf + b"\n9 0 obj\n<< /Type /Page >>\nendobj\n", "trailing_data"),
    "tail_comment": (lambda pdf, s, k, t: pdf + b"%comment\n", "trailing_data"),
    "changed_byte": (lambda pdf, s, k, t: _changed_byte(pdf), "modified"),
    "image_swapped": (lambda pdf, s, k, t: attacks.update(pdf, _swap_image), "upload_not_fresh"),
    "seal_of_another_kiosk": (
        lambda pdf, s, k, t: _forge(
            [copy_page(41)],
            copy_meta(341),
            s,
            seal_signer=_signer_with(k, NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=30)),
        ),
        "seal_untrusted",
    ),
    "rogue_ca": (
        lambda pdf, s, k, t: _forge(
            [copy_page(3)],
            copy_meta(301),
            _signer_with(k, NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=5), untrusted=True),
        ),
        "untrusted",
    ),
    "expired_certificate": (
        lambda pdf, s, k, t: _forge(
            [copy_page(4)],
            copy_meta(302),
            _signer_with(k, NOW - dt.timedelta(days=30), NOW - dt.timedelta(days=1)),
        ),
        "cert_expired",
    ),
    "seal_moved_to_another_code": (
        lambda pdf, s, k, t: _forge([copy_page(1)], copy_meta(777), s, seal_text=_seal_of(pdf, t)),
        "seal_mismatch",
    ),
    "seal_moved_to_other_pages": (
        lambda pdf, s, k, t: _forge(
            [copy_page(8), copy_page(9)], copy_meta(500), s, seal_text=_seal_of(pdf, t)
        ),
        "content_changed",
    ),
    "officer_approved": (lambda pdf, s, k, t: approve(pdf, _officer(k)), "upload_not_fresh"),
    "rogue_officer_approved": (
        lambda pdf, s, k, t: approve(pdf, _officer(k, rogue=True)),
        "upload_not_fresh",
    ),
    "dss_added": (lambda pdf, s, k, t: _dss(pdf, k, t), "upload_not_fresh"),
    "empty": (lambda pdf, s, k, t: b"", "not_pdf"),
    "not_pdf": (lambda pdf, s, k, t: b"hello", "not_pdf"),
    "garbage_pdf": (lambda pdf, s, k, t: b"%PDF-1.7\n garbage", "not_pdf"),
}


def _seal_of(pdf: bytes, trust) -> str:
    from pyhanko.pdf_utils.reader import PdfFileReader

    from signing.pades import SEAL_KEY

    return str(PdfFileReader(io.BytesIO(pdf), strict=False).root[SEAL_KEY])


def test_the_genuine_copy_passes_with_the_same_facts_as_verify_pdf(issued_two_pages, trust):
    full = verify_pdf(issued_two_pages.pdf, trust)
    fast = verify_upload(issued_two_pages.pdf, trust)
    assert fast.valid and full.valid, fast.reason
    assert {f: getattr(fast, f) for f in FACTS} == {f: getattr(full, f) for f in FACTS}
    hits = PATHS.hits
    assert verify_upload(issued_two_pages.pdf, trust).valid
    assert PATHS.hits == hits + 1  # the signer's path was validated once
    assert verify_upload(issued_two_pages.pdf + b"\r\n  \n", trust).valid  # whitespace is no change


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_every_attack_in_the_corpus_is_refused_at_ingest(issued_two_pages, signer, dev_keys, trust, name):
    make, key = CORPUS[name]
    forged = make(issued_two_pages.pdf, signer, dev_keys, trust)
    fast = verify_upload(forged, trust)
    assert (fast.valid, fast.reason_key) == (False, key), fast.reason
    full = verify_pdf(forged, trust)
    if key != "upload_not_fresh":  # the same verdict and reason as the full verifier
        assert (full.valid, full.reason_key) == (False, key), full.reason


def test_a_timestamped_copy_goes_to_the_full_verifier(signer, trust, dev_keys):
    from signing.keys import ROOT_CERT, ROOT_KEY, load_cert, load_private_key, read_passphrase, resolve
    from tests.signing.tsa_server import LoopbackTsa

    config, data_dir = dev_keys
    keys_dir = resolve(config.keys_dir, data_dir)
    root_key = load_private_key(keys_dir / ROOT_KEY, read_passphrase(config, data_dir))
    with LoopbackTsa(root_key, load_cert(keys_dir / ROOT_CERT)) as tsa:
        copy = issue_certified_copy([copy_page(21)], copy_meta(1101), signer, tsa_url=tsa.url)
    result = verify_upload(copy.pdf, trust)
    assert result.valid, result.reason
    assert result.timestamped  # verify_pdf's verdict: the token was validated


def test_a_cached_path_is_not_used_outside_its_validity_window():
    cache = _PathCache(size=2)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cache.put((b"k",), _Path(True, None, start, start + dt.timedelta(days=10)))
    assert cache.get((b"k",), start + dt.timedelta(days=5)) is not None
    assert cache.get((b"k",), start + dt.timedelta(days=11)) is None
    assert cache.get((b"k",), start - dt.timedelta(seconds=1)) is None
    for n in range(3):  # bounded
        cache.put((bytes([n]),), _Path(True, None, start, start))
    assert cache.get((b"k",), start + dt.timedelta(days=5)) is None
