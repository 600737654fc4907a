"""Every tampering with a certified copy is rejected, each with its own reason."""

from __future__ import annotations

import datetime as dt
import io
import zlib
from collections.abc import Mapping

import base45
import cbor2
import cv2
import numpy as np
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from signing.certify import issue_certified_copy, render_and_seal, seal_claims
from signing.errors import CertificateValidityError
from signing.images import encode_page_image
from signing.keys import (
    ROOT_CERT,
    ROOT_KEY,
    FileSealSigner,
    load_cert,
    load_private_key,
    make_root_cert,
    make_seal_cert,
    read_passphrase,
    resolve,
)
from signing.pades import SEAL_KEY, sign_copy
from signing.render import render_copy
from signing.seal import PREFIX, make_seal
from signing.verify import verify_pdf, verify_seal_text
from tests.signing.sign_helpers import AUTHORITY, KIOSK, copy_meta, copy_page

NOW = dt.datetime.now(dt.UTC)


def _issuer(dev_keys):
    config, data_dir = dev_keys
    keys_dir = resolve(config.keys_dir, data_dir)
    return load_private_key(keys_dir / ROOT_KEY, read_passphrase(config, data_dir)), load_cert(
        keys_dir / ROOT_CERT
    )


def _signer_with(dev_keys, not_before, not_after, *, untrusted: bool = False) -> FileSealSigner:
    root_key, root_cert = _issuer(dev_keys)
    if untrusted:
        root_key = ec.generate_private_key(ec.SECP256R1())
        root_cert = make_root_cert(
            root_key, "Rogue CA", NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=9)
        )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = make_seal_cert(
        key.public_key(),
        root_key,
        root_cert,
        authority=AUTHORITY,
        kiosk_id=KIOSK,
        not_before=not_before,
        not_after=not_after,
    )
    return FileSealSigner(key, cert, (root_cert,))


def _forge(pages, meta, pdf_signer, *, seal_signer=None, seal_text=None) -> bytes:
    """A copy made with the kiosk's own pieces but without issue_certified_copy's checks."""
    images = [encode_page_image(p.image) for p in pages]
    if seal_text is not None:
        rendered, seal = render_copy(pages, images, meta, seal_text, "test"), seal_text
    else:
        rendered, seal = render_and_seal(pages, images, meta, seal_signer or pdf_signer, "test")
    return sign_copy(rendered, seal, pdf_signer, reason="test", location="test")


def _update(pdf: bytes, change) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _page(writer, index):
    return writer.root["/Pages"]["/Kids"][index].get_object()


def _other_jpeg(width, height) -> bytes:
    image = np.full((height, width), 255, np.uint8)
    cv2.putText(image, "FORGED", (100, 400), cv2.FONT_HERSHEY_SIMPLEX, 6, 0, 12)
    return cv2.imencode(".jpg", image)[1].tobytes()


def test_untouched_copy_is_valid(issued_two_pages, trust):
    assert verify_pdf(issued_two_pages.pdf, trust).valid


def test_a_changed_byte_is_caught(issued_two_pages, trust):
    data = bytearray(issued_two_pages.pdf)
    # A byte inside the first page image's data, well within the signed range.
    at = data.index(b"/Subtype /Image") + 5000
    data[at] ^= 0x01
    result = verify_pdf(bytes(data), trust)
    assert not result.valid
    assert result.reason_key == "modified"
    assert "changed after it was signed" in result.reason


def test_a_replaced_page_image_is_caught(issued_two_pages, trust):
    def replace(writer):
        page = _page(writer, 0)
        xobjects = page["/Resources"]["/XObject"]
        name = next(k for k, v in xobjects.items() if v.get_object().get("/Subtype") == "/Image")
        old = xobjects[name].get_object()
        new = generic.StreamObject(
            {k: v for k, v in old.items() if k not in ("/Length", "/Filter")},
            encoded_data=_other_jpeg(int(old["/Width"]), int(old["/Height"])),
        )
        new[generic.NameObject("/Filter")] = generic.NameObject("/DCTDecode")
        xobjects[name] = writer.add_object(new)
        writer.update_container(xobjects)

    result = verify_pdf(_update(issued_two_pages.pdf, replace), trust)
    assert not result.valid
    assert result.reason_key == "image_replaced"
    assert "page 1" in result.reason


@pytest.mark.parametrize("change", ["remove", "add"])
def test_a_page_added_or_removed_is_caught(issued_two_pages, trust, change):
    def edit(writer):
        pages = writer.root["/Pages"]
        kids = pages["/Kids"]
        if change == "remove":
            del kids[0]
        else:
            kids.append(kids[0])
        pages[generic.NameObject("/Count")] = generic.NumberObject(len(kids))
        writer.update_container(pages)

    result = verify_pdf(_update(issued_two_pages.pdf, edit), trust)
    assert not result.valid
    assert result.reason_key == "pages_changed"
    assert ("now shows 1" if change == "remove" else "now shows 3") in result.reason


def _edited_seal(seal: str, changes: dict) -> str:
    """The same COSE signature over edited claims."""
    cose = cbor2.loads(zlib.decompress(base45.b45decode(seal[len(PREFIX) :])))
    protected, unprotected, payload, signature = cose.value
    claims = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in cbor2.loads(payload).items()}
    claims[-65537] = {**claims[-65537], **changes}
    edited = cbor2.CBORTag(18, [protected, dict(unprotected), cbor2.dumps(claims), signature])
    return PREFIX + base45.b45encode(zlib.compress(cbor2.dumps(edited))).decode()


def test_edited_seal_text_is_caught(issued_two_pages, trust):
    edited = _edited_seal(issued_two_pages.seal, {6: "079******123"})
    result = verify_seal_text(edited, trust)
    assert not result.valid
    assert result.reason_key == "seal_edited"
    damaged = issued_two_pages.seal[:-6] + "ABCDEF"
    assert verify_seal_text(damaged, trust).reason_key == "seal_edited"


def test_seal_edited_inside_the_pdf_is_caught(issued_two_pages, trust):
    edited = _edited_seal(issued_two_pages.seal, {6: "079******123"})

    def edit(writer):
        writer.root[generic.NameObject(SEAL_KEY)] = generic.TextStringObject(edited)
        writer.update_root()

    result = verify_pdf(_update(issued_two_pages.pdf, edit), trust)
    assert (result.valid, result.reason_key) == (False, "seal_edited")


def test_seal_signed_by_an_untrusted_key_is_caught(dev_keys, signer, trust):
    rogue = _signer_with(dev_keys, NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=5), untrusted=True)
    pages, meta = [copy_page(3)], copy_meta(301)
    # On paper: the seal alone.
    rogue_seal = make_seal(seal_claims(meta, pages, bytes(16)), rogue.kid, rogue.sign_es256)
    assert verify_seal_text(rogue_seal, trust).reason_key == "seal_untrusted"
    # In a PDF signed by the real kiosk key.
    pdf = _forge(pages, meta, signer, seal_signer=rogue)
    result = verify_pdf(pdf, trust)
    assert (result.valid, result.reason_key) == (False, "seal_untrusted")
    # And a whole copy signed by the rogue CA's key.
    result = verify_pdf(_forge(pages, meta, rogue), trust)
    assert (result.valid, result.reason_key) == (False, "untrusted")


def test_expired_certificate_is_caught(dev_keys, trust):
    expired = _signer_with(dev_keys, NOW - dt.timedelta(days=30), NOW - dt.timedelta(days=1))
    pages, meta = [copy_page(4)], copy_meta(302)
    result = verify_pdf(_forge(pages, meta, expired), trust)
    assert not result.valid
    assert result.reason_key == "cert_expired"
    assert "expired" in result.reason
    trust.add(expired.cert)  # known to the verifier, still expired when the seal was made
    seal = make_seal(seal_claims(meta, pages, bytes(16)), expired.kid, expired.sign_es256)
    assert verify_seal_text(seal, trust).reason_key == "cert_expired"


def test_a_seal_moved_to_another_copy_is_caught(signer, trust, issued_two_pages):
    # Copy B, genuinely signed, carrying copy A's (genuine) seal.
    pdf = _forge([copy_page(1), copy_page(2)], copy_meta(777), signer, seal_text=issued_two_pages.seal)
    result = verify_pdf(pdf, trust)
    assert not result.valid
    assert result.reason_key == "seal_mismatch"
    assert copy_meta(500).code in result.reason
    # Same code (say a reprint with other pages): the page hashes do not match.
    pdf = _forge([copy_page(8), copy_page(9)], copy_meta(500), signer, seal_text=issued_two_pages.seal)
    result = verify_pdf(pdf, trust)
    assert (result.valid, result.reason_key) == (False, "content_changed")


def test_the_kiosk_refuses_to_sign_with_an_expired_or_future_certificate(dev_keys):
    pages, meta = [copy_page(5)], copy_meta(303)
    expired = _signer_with(dev_keys, NOW - dt.timedelta(days=30), NOW - dt.timedelta(days=1))
    with pytest.raises(CertificateValidityError, match="expired"):
        issue_certified_copy(pages, meta, expired)
    future = _signer_with(dev_keys, NOW + dt.timedelta(days=2), NOW + dt.timedelta(days=30))
    with pytest.raises(CertificateValidityError, match="not valid yet"):
        issue_certified_copy(pages, meta, future)


@pytest.mark.parametrize(
    ("data", "key"),
    [(b"", "not_pdf"), (b"hello", "not_pdf"), (b"%PDF-1.7\n garbage", "not_pdf")],
)
def test_not_a_copy(trust, data, key):
    result = verify_pdf(data, trust)
    assert (result.valid, result.reason_key) == (False, key)


def test_unsigned_pdf(trust, issued_two_pages):
    from signing.render import render_copy as render

    pages = [copy_page(1)]
    images = [encode_page_image(p.image) for p in pages]
    pdf = render(pages, images, copy_meta(1), issued_two_pages.seal, "x").pdf
    result = verify_pdf(pdf, trust)
    assert (result.valid, result.reason_key) == (False, "unsigned")


def test_a_seal_made_while_the_certificate_was_valid_stays_valid(dev_keys, trust):
    """Validity is judged at issue time: a seal verifies after its certificate expired.

    The test CA may be only seconds old (the session fixture is made when the first test needs it, which in a
    long run is long after this module was imported), so "then" is just after the CA's own start and the
    certificate lapsed a second ago."""
    _, root = _issuer(dev_keys)
    now = dt.datetime.now(dt.UTC)
    lapsed = _signer_with(dev_keys, NOW - dt.timedelta(days=60), now - dt.timedelta(seconds=1))
    trust.add(lapsed.cert)
    pages = [copy_page(6)]
    issued = max(root.not_valid_before_utc + dt.timedelta(seconds=1), now - dt.timedelta(minutes=3))
    assert issued < now - dt.timedelta(seconds=1), "the CA must be a few seconds old for this test"
    meta = copy_meta(304, issued_at=issued.replace(microsecond=0) + dt.timedelta(seconds=1))
    seal = make_seal(seal_claims(meta, pages, bytes(16)), lapsed.kid, lapsed.sign_es256)
    result = verify_seal_text(seal, trust)
    assert result.valid, result.reason
    assert result.issued_at == meta.issued_at
