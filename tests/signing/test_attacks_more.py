"""More forgeries of a genuine copy, beyond the corpus of test_attacks: parser differentials between pyHanko
and poppler (pdf-insecurity.org, "PDF differential"), cross-reference streams, object streams and hybrid
files, the certification attacks of Mainka et al. (S&P 2021: Evil Annotation, Sneaky Signature) on the
DocMDP P=2 copy, later signatures that are not what the product adds, and the QR seal attacked on its own
(COSE header, CBOR, base45, another kiosk's key, a word changed on the paper).

Where an attack is a parser differential, the test also shows that it is real: poppler (pdftoppm) draws
the forged page, while pyHanko reads the signed one."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import io
import shutil
import subprocess
import zlib

import base45
import cbor2
import cv2
import numpy as np
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers, timestamps

from signing.certify import issue_certified_copy
from signing.keys import FileSealSigner, cert_kid, make_root_cert, make_seal_cert
from signing.model import CopyPage, TextWord
from signing.paper import verify_paper_page
from signing.seal import PREFIX, decode_seal, make_seal, sig_structure
from signing.trust import TrustStore
from signing.verify import verify_pdf, verify_seal_text
from tests.signing import attacks
from tests.signing.sign_helpers import copy_meta, copy_page, make_page
from tests.signing.test_attacks import _officer, approve
from tests.signing.test_tamper import NOW, _issuer
from tests.signing.tsa_server import LoopbackTsa

pytestmark = pytest.mark.filterwarnings("ignore")


def _rogue_root():
    key = ec.generate_private_key(ec.SECP256R1())
    return key, make_root_cert(key, "Rogue CA", NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=9))


def _timestamp(pdf: bytes, issuer, prep=None, field_name=None) -> bytes:
    """A document timestamp from a TSA whose certificate ``issuer`` (key, cert) issued, in an update that
    ``prep(writer)`` may add to first."""
    with LoopbackTsa(*issuer) as tsa:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        if prep is not None:
            prep(writer)
        out = io.BytesIO()
        signers.PdfTimeStamper(timestamps.HTTPTimeStamper(tsa.url), field_name=field_name).timestamp_pdf(
            writer, "sha256", output=out
        )
    return out.getvalue()


def _sign(pdf: bytes, signer: FileSealSigner, field: str, prep=None) -> bytes:
    """An approval signature by ``signer`` in field ``field``, in an update that ``prep`` may add to."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    if prep is not None:
        prep(writer)
    meta = signers.PdfSignatureMetadata(
        field_name=field, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
    )
    spec = None if prep is not None else fields.SigFieldSpec(field, on_page=-1)
    out = io.BytesIO()
    signers.PdfSigner(meta, signer=signer.pdf_signer(), new_field_spec=spec).sign_pdf(writer, output=out)
    return out.getvalue()


def _red_share(pdf: bytes, tmp_path) -> float:
    """How much of page 1 poppler paints in the forged red, at 20 dpi."""
    path = tmp_path / "forged.pdf"
    path.write_bytes(pdf)
    png = subprocess.run(
        ["pdftoppm", "-r", "20", "-f", "1", "-l", "1", "-png", str(path)],
        capture_output=True,
        timeout=60,
        check=False,
    ).stdout
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    red = (image[:, :, 2] > 200) & (image[:, :, 1] < 60) & (image[:, :, 0] < 60)
    return float(red.mean())


poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)")


def _refused(pdf: bytes, trust, key: str) -> None:
    result = verify_pdf(pdf, trust)
    assert (result.valid, result.reason_key) == (False, key), result.reason


# --- parser differentials: poppler draws a page that pyHanko never read --------------------------------


def _hidden_red_page(pdf: bytes, shift: int) -> bytes:
    """An empty update that also defines page 1's content stream (same object number) without listing
    it, whose startxref misses its xref by ``shift`` bytes: pyHanko corrects the offset and reads the
    signed page; poppler rebuilds the xref by scanning and takes the last definition, the red page."""
    content = attacks.page_ref(pdf, 0).get_object().raw_get("/Contents")
    return attacks.raw_xref_update(
        pdf, {content.idnum: attacks.red_stream()}, listed=False, startxref_shift=shift
    )


@poppler
@pytest.mark.parametrize("shift", [1, 3, -5])
def test_a_startxref_that_misses_its_xref_is_refused(issued_two_pages, trust, tmp_path, shift):
    forged = _hidden_red_page(issued_two_pages.pdf, shift)
    assert _red_share(forged, tmp_path) > 0.9  # the attack is real: poppler shows the forged page
    assert _red_share(issued_two_pages.pdf, tmp_path) < 0.01
    _refused(forged, trust, "xref_invalid")


def test_an_object_defined_after_signing_that_no_xref_lists_is_refused(issued_two_pages, trust):
    _refused(_hidden_red_page(issued_two_pages.pdf, 0), trust, "hidden_object")


def test_an_xref_entry_that_does_not_point_at_its_object_is_refused(issued_two_pages, trust):
    pdf = issued_two_pages.pdf
    info = attacks.PdfFileReader(io.BytesIO(pdf), strict=False).trailer_view.raw_get("/Info")
    forged = attacks.raw_xref_update(pdf, {info.idnum: attacks.object_text(pdf, info.idnum)})
    at = forged.rindex(b"%d 0 obj" % info.idnum)
    entry = b"%010d 00000 n" % at
    assert entry in forged
    _refused(forged.replace(entry, b"%010d 00000 n" % (at - 1)), trust, "xref_invalid")


@poppler
def test_a_second_root_in_a_later_trailer_is_refused(issued_two_pages, trust, tmp_path):
    forged = attacks.second_root(issued_two_pages.pdf)
    assert _red_share(forged, tmp_path) > 0.9
    _refused(forged, trust, "ambiguous_syntax")


@poppler
def test_a_page_key_written_twice_is_refused(issued_two_pages, trust, tmp_path):
    forged = attacks.duplicate_contents_key(issued_two_pages.pdf)
    assert _red_share(forged, tmp_path) > 0.9
    _refused(forged, trust, "ambiguous_syntax")


def test_a_key_written_twice_under_a_trusted_timestamp_is_refused(issued_two_pages, trust, dev_keys):
    stamped = _timestamp(attacks.duplicate_contents_key(issued_two_pages.pdf), _issuer(dev_keys))
    _refused(stamped, trust, "ambiguous_syntax")


# --- cross-reference streams, object streams, hybrid files, generations, /Prev ----------------------------


def _content_number(pdf: bytes) -> int:
    return attacks.page_ref(pdf, 0).get_object().raw_get("/Contents").idnum


@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("object_stream", lambda pdf, n: attacks.xref_stream_update(pdf, {n: b"<< >>"})),
        (
            "xref_stream",
            lambda pdf, n: attacks.xref_stream_update(pdf, {n: attacks.red_stream()}, in_object_stream=False),
        ),
        (
            "hybrid_xrefstm",
            lambda pdf, n: attacks.xref_stream_update(
                pdf, {n: attacks.red_stream()}, in_object_stream=False, hybrid=True
            ),
        ),
    ],
)
def test_the_kiosks_objects_replaced_through_xref_and_object_streams_are_refused(
    issued_two_pages, trust, name, build
):
    _refused(build(issued_two_pages.pdf, _content_number(issued_two_pages.pdf)), trust, "content_changed")


def test_an_object_redefined_with_another_generation_is_refused(issued_two_pages, trust):
    pdf = issued_two_pages.pdf
    forged = attacks.raw_xref_update(pdf, {_content_number(pdf): attacks.red_stream()}, generation=1)
    assert not verify_pdf(forged, trust).valid


def test_a_prev_chain_that_skips_the_signed_revision_is_refused(issued_two_pages, trust):
    """The update's /Prev points back past the kiosk's signature revision to the unsigned original, and
    lists the signature's objects again at their signed offsets, with a new page content."""
    pdf = issued_two_pages.pdf
    first, signed = attacks.startxrefs(pdf)[:2]
    forged = attacks.raw_xref_update(
        pdf, {_content_number(pdf): attacks.red_stream()}, prev=first, copy_xref_at=signed
    )
    assert not verify_pdf(forged, trust).valid


def test_encryption_added_in_an_update_is_refused(issued_two_pages, trust):
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>"
    forged = attacks.raw_xref_update(issued_two_pages.pdf, {990: encrypt}, extra_trailer=b" /Encrypt 990 0 R")
    assert not verify_pdf(forged, trust).valid


# --- certification attacks (Evil Annotation, Sneaky Signature) and later signatures ------------------------


def test_a_document_timestamp_from_an_untrusted_authority_is_refused(issued_two_pages, trust, dev_keys):
    _refused(_timestamp(issued_two_pages.pdf, _rogue_root()), trust, "later_signature_untrusted")
    approved = approve(issued_two_pages.pdf, _officer(dev_keys))
    _refused(_timestamp(approved, _rogue_root()), trust, "later_signature_untrusted")
    assert verify_pdf(_timestamp(approved, _issuer(dev_keys)), trust).valid  # the city's TSA: accepted


@pytest.mark.parametrize("approved_first", [False, True])
def test_a_visible_signature_field_drawing_over_the_page_is_refused(
    issued_two_pages, trust, dev_keys, approved_first
):
    """Sneaky Signature / Evil Annotation: a new signature field whose widget draws text over page 1, in a
    revision signed by a trusted TSA (anyone can have a document timestamped), or by a trusted officer."""
    pdf = issued_two_pages.pdf
    if approved_first:
        pdf = approve(pdf, _officer(dev_keys))
    stamped = _timestamp(
        pdf, _issuer(dev_keys), prep=lambda w: attacks.visible_signature_field(w, "Stamp"), field_name="Stamp"
    )
    assert not verify_pdf(stamped, trust).valid
    extra = _timestamp(pdf, _issuer(dev_keys), prep=lambda w: attacks.visible_signature_field(w, "Extra"))
    assert not verify_pdf(extra, trust).valid
    officer = _sign(
        pdf, _officer(dev_keys), "Approval2", prep=lambda w: attacks.visible_signature_field(w, "Approval2")
    )
    assert not verify_pdf(officer, trust).valid


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda w: attacks.overlay_content(w, 0), "content_changed"),
        (attacks.shadow_replace, "image_replaced"),
        (attacks.override_signature_appearance, "updated_after_signing"),
    ],
    ids=["overlay", "image_swap", "kiosk_widget_redrawn"],
)
def test_an_officers_valid_approval_that_also_changes_the_copy_is_refused(
    issued_two_pages, trust, dev_keys, change, key
):
    """The officer's key is trusted, but what their revision changes is still judged."""
    forged = _sign(issued_two_pages.pdf, _officer(dev_keys), "OfficerApproval", prep=change)
    _refused(forged, trust, key)


def test_an_approval_signed_by_another_kiosks_key_is_refused(issued_two_pages, trust, dev_keys):
    """Another kiosk's seal certificate chains to the city root too; it is no officer's approval."""
    root_key, root_cert = _issuer(dev_keys)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = make_seal_cert(
        key.public_key(),
        root_key,
        root_cert,
        authority="HN",
        kiosk_id="HN-002",
        not_before=NOW - dt.timedelta(days=1),
        not_after=NOW + dt.timedelta(days=30),
    )
    forged = _sign(issued_two_pages.pdf, FileSealSigner(key, cert, (root_cert,)), "OfficerApproval")
    _refused(forged, trust, "later_signature_untrusted")
    second = _sign(approve(issued_two_pages.pdf, _officer(dev_keys)), _officer(dev_keys), "OfficerApproval2")
    assert verify_pdf(second, trust).valid  # a second officer's approval is still accepted


# --- the QR seal on its own --------------------------------------------------------------------------------


def _cose(seal: str) -> list:
    message = cbor2.loads(zlib.decompress(base45.b45decode(seal[len(PREFIX) :])))
    return list(message.value)


def _encode(parts: list) -> str:
    cose = cbor2.dumps(cbor2.CBORTag(18, parts))
    return PREFIX + base45.b45encode(zlib.compress(cose, 9)).decode("ascii")


def _payload_variants(payload: bytes) -> dict[str, bytes]:
    claims = cbor2.loads(payload)
    assert payload[0] == 0xA3  # a map of three claims
    body = payload[1:]
    copy = claims[-65537]
    return {
        "duplicate_key": b"\xa4" + body + cbor2.dumps(1)[0:1] + cbor2.dumps("XX"),  # iss given twice
        "indefinite_map": b"\xbf" + body + b"\xff",
        "tagged_iat": cbor2.dumps({**claims, 6: cbor2.CBORTag(1, claims[6])}),
        "bignum_pages": cbor2.dumps({**claims, -65537: {**copy, 4: cbor2.CBORTag(2, b"\x01" + bytes(8))}}),
        "more_pages": cbor2.dumps({**claims, -65537: {**copy, 4: copy[4] + 1, 10: [*copy[10], b""]}}),
    }


def test_a_genuine_seal_with_its_payload_re_encoded_or_edited_is_refused(issued_two_pages, trust):
    protected, unprotected, payload, signature = _cose(issued_two_pages.seal)
    assert verify_seal_text(_encode([protected, unprotected, payload, signature]), trust).valid
    for name, variant in _payload_variants(payload).items():
        result = verify_seal_text(_encode([protected, unprotected, variant, signature]), trust)
        assert (result.valid, result.reason_key) == (False, "seal_edited"), (name, result.reason)


def test_a_seal_with_its_algorithm_switched_is_refused(issued_two_pages, trust, signer):
    protected, _unprotected, payload, _signature = _cose(issued_two_pages.seal)
    kid = cbor2.loads(protected)[4]
    public = signer.cert.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    hs256 = cbor2.dumps({1: 5, 4: kid})  # HMAC-SHA256 keyed with the public key
    mac = hmac.new(public, sig_structure(hs256, payload), hashlib.sha256).digest()
    variants = {
        "hs256": [hs256, {}, payload, mac],
        "alg_missing": [cbor2.dumps({4: kid}), {}, payload, b""],
        "alg_unprotected": [cbor2.dumps({4: kid}), {1: -7}, payload, b""],
        "kid_of_another": [cbor2.dumps({1: -7, 4: bytes(8)}), {}, payload, _signature],
    }
    for name, parts in variants.items():
        result = verify_seal_text(_encode(parts), trust)
        assert not result.valid and result.reason_key in {"seal_edited", "seal_untrusted"}, name


@pytest.mark.parametrize(
    "edit",
    [str.lower, lambda s: s + "%", lambda s: s[:20] + "~" + s[20:], lambda s: s[:-3]],
    ids=["lower_case", "extra_char", "bad_char", "cut_short"],
)
def test_a_damaged_base45_seal_is_refused(issued_two_pages, trust, edit):
    text = PREFIX + edit(issued_two_pages.seal[len(PREFIX) :])
    result = verify_seal_text(text, trust)
    assert (result.valid, result.reason_key) == (False, "seal_edited"), result.reason


def test_a_seal_from_another_kiosks_trusted_key_naming_this_kiosk_is_refused(dev_keys, trust, signer):
    """Kiosk HN-002's key, known to the verifier and chained to the city root, seals a copy that names
    kiosk HN-001 and carries an HN-001 code."""
    root_key, root_cert = _issuer(dev_keys)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = make_seal_cert(
        key.public_key(),
        root_key,
        root_cert,
        authority="Trung tâm",
        kiosk_id="HN-002",
        not_before=NOW - dt.timedelta(days=1),
        not_after=NOW + dt.timedelta(days=30),
    )
    fleet = TrustStore(roots=list(trust.roots), known={**trust.known})
    fleet.add(cert)
    claims = decode_seal(issue_certified_copy([copy_page(61)], copy_meta(661), signer).seal).claims
    other = FileSealSigner(key, cert, (root_cert,))
    forged = make_seal(claims, cert_kid(cert), other.sign_es256)
    result = verify_seal_text(forged, fleet)
    assert (result.valid, result.reason_key) == (False, "seal_untrusted"), result.reason
    own = make_seal(dataclasses.replace(claims, kiosk_id="HN-002"), cert_kid(cert), other.sign_es256)
    result = verify_seal_text(own, fleet)
    assert (result.valid, result.reason_key) == (False, "seal_untrusted"), result.reason  # code is HN001


# --- the paper: two seals on one page, a word changed ------------------------------------------------------

NAME, NUMBER, DATE = "Nguyễn Thị Lan", "125/2019", "2019-03-14"
PAGE_TEXT = [
    "GIẤY",
    "KHAI",
    "SINH",
    "Số:",
    "125/2019",
    "Họ",
    "và",
    "tên:",
    "NGUYỄN",
    "THỊ",
    "LAN",
    "Giới",
    "tính:",
    "Nữ",
    "sinh",
    "ngày",
    "14/03/2019",
    "tại",
    "Bệnh",
    "viện",
    "Phụ",
    "sản",
    "Hà",
    "Nội",
    "Quốc",
    "tịch",
    "Việt",
    "Nam",
    "Họ",
    "tên",
    "cha:",
    "Nguyễn",
    "Văn",
    "Hùng",
    "mẹ:",
    "Trần",
    "Thị",
    "Mai",
    "Nơi",
    "đăng",
    "ký:",
    "Ủy",
    "ban",
    "nhân",
    "dân",
    "phường",
    "Tràng",
    "Tiền",
    "ngày",
    "20/03/2019",
    "số",
    "định",
    "danh",
    "001319004567",
]


@pytest.fixture(scope="module")
def named_copy(signer):
    image, _words = make_page(71, lines=0)
    words = tuple(
        TextWord(text, 200 + 60 * (i % 20), 300 + 80 * (i // 20), 50, 40) for i, text in enumerate(PAGE_TEXT)
    )
    page = CopyPage(image=image, dpi=300, words=words)
    meta = copy_meta(771, holder_name=NAME, doc_number=NUMBER, doc_date=DATE)
    return issue_certified_copy([page, copy_page(72)], meta, signer)


@pytest.mark.parametrize(
    ("old", "new"),
    [("LAN", "HOA"), ("NGUYỄN", "TRẦN"), ("125/2019", "126/2019"), ("14/03/2019", "15/03/2019")],
)
def test_a_genuine_page_with_the_name_number_or_date_changed_is_refused(named_copy, trust, old, new):
    assert verify_paper_page([named_copy.seal], PAGE_TEXT, trust).valid
    changed = [new if word == old else word for word in PAGE_TEXT]
    result = verify_paper_page([named_copy.seal], changed, trust)
    assert (result.valid, result.reason_key) == (False, "page_mismatch"), result.reason


def test_a_number_split_by_ocr_still_matches(named_copy, trust):
    split = [w for word in PAGE_TEXT for w in (["125/", "2019"] if word == NUMBER else [word])]
    assert verify_paper_page([named_copy.seal], split, trust).valid


def test_a_forged_seal_beside_the_genuine_one_does_not_change_the_verdict(named_copy, trust, dev_keys):
    """Two codes on one page: a forged seal (another holder, signed by a rogue key) and the genuine one."""
    claims = decode_seal(named_copy.seal).claims
    key, _root = _rogue_root()
    forged = make_seal(
        dataclasses.replace(claims, holder_name="Lê Văn Forger"),
        cert_kid(_issuer(dev_keys)[1]),
        FileSealSigner(key, _root, ()).sign_es256,
    )
    result = verify_paper_page([forged, named_copy.seal], PAGE_TEXT, trust)
    assert result.valid and result.holder_name == NAME, result.reason
    alone = verify_paper_page([forged], PAGE_TEXT, trust)
    assert not alone.valid
