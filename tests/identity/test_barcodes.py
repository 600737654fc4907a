"""ocr.barcodes: QR payloads from card scans and photos, rotated, blurred, small, in perspective."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kiosk.samples.card import make_card_image, sample_card
from ocr.barcodes import decode_qr_codes

CARD = sample_card(3)
PAYLOAD = CARD.to_qr_payload().encode("utf-8")


@pytest.fixture(scope="module")
def card_image() -> np.ndarray:
    return make_card_image(CARD)


def rotate(image: np.ndarray, angle: float) -> np.ndarray:
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    nw, nh = int(h * sin + w * cos), int(h * cos + w * sin)
    matrix[0, 2] += nw / 2 - w / 2
    matrix[1, 2] += nh / 2 - h / 2
    return cv2.warpAffine(image, matrix, (nw, nh), borderValue=(70, 60, 50))


def on_desk(card: np.ndarray) -> np.ndarray:
    """The card photographed at an angle on a dark desk, as a phone or an overhead camera would."""
    h, w = card.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[180, 120], [w + 120, 60], [w + 200, h + 150], [140, h + 90]])
    matrix = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(card, matrix, (w + 400, h + 300), borderValue=(40, 45, 50))


@pytest.mark.parametrize("angle", [0, 7, 18, 33, 45, 90, 150, 180, 270])
def test_rotated_card(card_image: np.ndarray, angle: float) -> None:
    assert decode_qr_codes(rotate(card_image, angle)) == [PAYLOAD]


@pytest.mark.parametrize("sigma", [1.0, 1.5, 2.0, 2.5])
def test_blurred_card(card_image: np.ndarray, sigma: float) -> None:
    assert decode_qr_codes(cv2.GaussianBlur(card_image, (0, 0), sigma)) == [PAYLOAD]


@pytest.mark.parametrize("factor", [0.5, 0.35, 0.3])
def test_small_card(card_image: np.ndarray, factor: float) -> None:
    small = cv2.resize(card_image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    assert decode_qr_codes(small) == [PAYLOAD]


def test_photo_in_perspective_with_blur_and_jpeg(card_image: np.ndarray) -> None:
    photo = cv2.GaussianBlur(on_desk(card_image), (0, 0), 1.2)
    ok, jpeg = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 70])
    assert ok
    assert decode_qr_codes(cv2.imdecode(jpeg, cv2.IMREAD_COLOR)) == [PAYLOAD]


def test_rotated_and_blurred_together(card_image: np.ndarray) -> None:
    assert decode_qr_codes(cv2.GaussianBlur(rotate(card_image, 30), (0, 0), 1.5)) == [PAYLOAD]


def test_grey_and_bgra_inputs(card_image: np.ndarray) -> None:
    assert decode_qr_codes(cv2.cvtColor(card_image, cv2.COLOR_BGR2GRAY)) == [PAYLOAD]
    assert decode_qr_codes(cv2.cvtColor(card_image, cv2.COLOR_BGR2BGRA)) == [PAYLOAD]


def test_no_qr_gives_an_empty_list(card_image: np.ndarray) -> None:
    assert decode_qr_codes(make_card_image(CARD, with_qr=False)) == []
    assert decode_qr_codes(np.full((300, 400, 3), 255, np.uint8)) == []


def test_two_codes_are_both_returned(card_image: np.ndarray) -> None:
    other = sample_card(4)
    both = np.hstack([card_image, make_card_image(other)])
    assert sorted(decode_qr_codes(both)) == sorted([PAYLOAD, other.to_qr_payload().encode("utf-8")])


@pytest.mark.parametrize(
    "bad", [np.zeros((0, 0, 3), np.uint8), np.zeros((10, 10, 2), np.uint8), np.zeros((4, 4, 4, 4), np.uint8)]
)
def test_not_an_image_is_a_value_error(bad: np.ndarray) -> None:
    with pytest.raises(ValueError, match="image"):
        decode_qr_codes(bad)


@pytest.mark.parametrize("kind", ["shadow", "low_contrast", "noise", "dark", "jpeg_q20", "motion_blur"])
def test_poor_scans_and_photos(card_image: np.ndarray, kind: str) -> None:
    img = card_image.astype(np.float32)
    if kind == "shadow":
        img *= np.linspace(0.25, 1.1, img.shape[1])[None, :, None]
    elif kind == "low_contrast":
        img = 128 + (img - 128) * 0.3
    elif kind == "noise":
        img += np.random.default_rng(0).normal(0, 25, img.shape)
    elif kind == "dark":
        img *= 0.35
    elif kind == "motion_blur":
        img = cv2.filter2D(img, -1, np.ones((1, 5)) / 5)
    out = np.clip(img, 0, 255).astype(np.uint8)
    if kind == "jpeg_q20":
        ok, jpeg = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, 20])
        assert ok
        out = cv2.imdecode(jpeg, cv2.IMREAD_COLOR)
    assert decode_qr_codes(out) == [PAYLOAD]


@pytest.mark.parametrize("dpi", [300, 150])
def test_card_lying_on_an_a4_scanner_bed(card_image: np.ndarray, dpi: int) -> None:
    bed = np.full((3508, 2480, 3), 245, np.uint8)  # A4 at 300 dpi
    bed[200 : 200 + card_image.shape[0], 300 : 300 + card_image.shape[1]] = card_image
    scan = cv2.resize(bed, None, fx=dpi / 300, fy=dpi / 300, interpolation=cv2.INTER_AREA)
    assert decode_qr_codes(scan) == [PAYLOAD]
