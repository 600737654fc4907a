"""A printed page, rasterised at 150 dpi by pdftoppm, verifies from its QR seal alone."""

from __future__ import annotations

import subprocess

import cv2
import numpy as np
import pytest
import segno

from signing.certify import issue_certified_copy
from signing.content import make_qr
from signing.paper import find_seal_texts, verify_printed_page
from signing.render import qr_layout
from tests.signing.sign_helpers import copy_meta, copy_page


def _rasterise(pdf: bytes, tmp_path, dpi: int = 150, pages: tuple[str, ...] = ()):
    (tmp_path / "copy.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), *pages, "-png", str(tmp_path / "copy.pdf"), str(tmp_path / "page")],
        check=True,
        timeout=120,
    )
    return [cv2.imread(str(p)) for p in sorted(tmp_path.glob("page-*.png"))]


@pytest.mark.parametrize("page_count", [1, 5])
def test_every_printed_page_verifies_at_150_dpi(signer, trust, tmp_path, page_count):
    copy = issue_certified_copy([copy_page(i) for i in range(page_count)], copy_meta(40 + page_count), signer)
    images = _rasterise(copy.pdf, tmp_path)
    assert len(images) == page_count
    for image in images:
        assert find_seal_texts(image) == [copy.seal]
        result = verify_printed_page(image, trust)
        assert result.valid, result.reason
        assert result.code == copy_meta(40 + page_count).code
        assert result.pages == page_count
        assert result.holder == "001******567"


def test_twenty_page_seal_still_decodes_at_150_dpi(signer, trust, tmp_path):
    """The largest seal measured (20 page hashes): the last page, with the certification block."""
    copy = issue_certified_copy([copy_page(i, lines=2) for i in range(20)], copy_meta(620), signer)
    (image,) = _rasterise(copy.pdf, tmp_path, pages=("-f", "20", "-l", "20"))
    result = verify_printed_page(image, trust)
    assert result.valid, result.reason
    assert result.pages == 20


def test_qr_versions_stay_small(signer):
    """The measured QR versions (1, 5, 20 pages); error correction M, alphanumeric mode."""
    versions = {}
    for count in (1, 5, 20):
        copy = issue_certified_copy(
            [copy_page(i, lines=3) for i in range(count)], copy_meta(70 + count), signer
        )
        qr = make_qr(copy.seal)
        _shape, module = qr_layout(copy.seal)
        versions[count] = qr.version
        assert qr.mode == "alphanumeric"
        assert module >= 0.45 * 72 / 25.4  # at least 2.6 px per module at 150 dpi
    # The seal now carries the holder's name, the document's number and date and page fingerprints.
    assert versions[1] <= 12
    assert versions[5] <= 14
    assert versions[20] <= 16


def test_photo_without_a_seal_says_so(trust):
    image, _ = __import__("tests.signing.sign_helpers", fromlist=["make_page"]).make_page(3)
    result = verify_printed_page(image, trust)
    assert not result.valid
    assert result.reason_key == "no_seal"


def test_foreign_qr_is_not_a_seal(trust, tmp_path):
    path = tmp_path / "qr.png"
    segno.make_qr("HELLO WORLD").save(str(path), scale=8)
    assert verify_printed_page(cv2.imread(str(path)), trust).reason_key == "no_seal"


def test_a_worn_scan_still_verifies(signer, trust, tmp_path):
    """Blurred, noisy, slightly rotated and JPEG-compressed, as a phone photo or a cheap scanner makes it."""
    copy = issue_certified_copy([copy_page(60)], copy_meta(60), signer)
    (image,) = _rasterise(copy.pdf, tmp_path)
    image = cv2.copyMakeBorder(image, 120, 120, 120, 120, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    centre = (image.shape[1] / 2, image.shape[0] / 2)
    image = cv2.warpAffine(
        image, cv2.getRotationMatrix2D(centre, 3, 1), image.shape[1::-1], borderValue=(255, 255, 255)
    )
    image = cv2.GaussianBlur(image, (3, 3), 0)
    noise = np.random.default_rng(1).normal(0, 12, image.shape)
    image = np.clip(image.astype(np.int16) + noise, 0, 255).astype(np.uint8)
    image = cv2.imdecode(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 60])[1], cv2.IMREAD_COLOR)
    result = verify_printed_page(image, trust)
    assert result.valid, result.reason
