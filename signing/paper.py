"""Checking a printed copy from a photo or scan: find the QR seal on the page, verify it, and compare the
page's text (read by the caller's OCR) with the seal's page fingerprints (``signing.fingerprint``), so that
a genuine seal cut from one page and pasted onto another is refused (``page_mismatch``)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from types import ModuleType

import cv2
import numpy as np

from signing.errors import SealFormatError
from signing.fingerprint import (
    MAX_PAGE_TOKENS,
    identity_tokens,
    matched_key_words,
    matches,
    missing_identity,
    tokens,
)
from signing.model import Verification
from signing.seal import SealClaims, decode_seal, is_seal_qr
from signing.trust import TrustStore
from signing.verify import verify_seal_text

log = logging.getLogger(__name__)


def zbar() -> ModuleType:
    """pyzbar's reader over libzbar."""
    from pyzbar import pyzbar  # heavy: its import runs ldconfig in a child process; loaded on the first read

    return pyzbar


def _zbar(image: np.ndarray) -> list[str]:
    reader = zbar()
    return [
        symbol.data.decode("ascii", errors="replace")
        for symbol in reader.decode(image, symbols=[reader.ZBarSymbol.QRCODE])
    ]


def _opencv(image: np.ndarray) -> list[str]:
    try:
        ok, texts, _points, _ = cv2.QRCodeDetector().detectAndDecodeMulti(image)
    except cv2.error:
        return []
    return [t for t in texts if t] if ok else []


def _deskewed(image: np.ndarray, angle: float) -> np.ndarray:
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_CUBIC, borderValue=255)


def find_seal_texts(image: np.ndarray) -> list[str]:
    """Every QR seal text (``VNC2:...``, or a verify address and ``#VNC2:...``) on a page image.

    zbar first; then, for blurred, small or slightly rotated photos, an upscaled copy, OpenCV's detector
    and a few small rotations (a seal module is only ~3 px at 150 dpi, where zbar is strict about skew).
    """
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim not in (2, 3):
        return []
    if min(image.shape[:2]) < 21 or (image.ndim == 3 and image.shape[2] not in (1, 3, 4)):
        return []  # smaller than the smallest QR code, or not a picture
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    elif image.ndim == 3 and image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    attempts = (
        lambda: _zbar(grey),
        lambda: _zbar(cv2.resize(grey, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)),
        lambda: _opencv(grey),
        *(lambda a=angle: _zbar(_deskewed(grey, a)) for angle in (-3, 3, -6, 6, -1.5, 1.5)),
        lambda: _zbar(
            cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, 31, 10)
        ),
    )
    for attempt in attempts:
        found = list(dict.fromkeys(t for t in attempt() if is_seal_qr(t)))
        if found:
            return found
    return []


def verify_printed_page(image: np.ndarray, trust: TrustStore) -> Verification:
    """The verdict on a photo or scan of a printed page, from its QR seal alone."""
    texts = find_seal_texts(image)
    if not texts:
        return Verification(
            valid=False,
            code=None,
            reason="no certified-copy QR seal was found on the image; scan the page again, flat and in focus",
            issued_at=None,
            pages=None,
            holder=None,
            doc_type=None,
            reason_key="no_seal",
        )
    results = [verify_seal_text(text, trust) for text in texts]
    return next((r for r in results if r.valid), results[0])


def best_page(claims: SealClaims, words: Iterable[str]) -> int:
    """The page of the copy (1-based) whose fingerprint the words read on a page match best."""
    read = list(words)
    scores = [matched_key_words(fingerprint, read) for fingerprint in claims.fingerprints]
    return 1 + max(range(len(scores)), key=lambda i: (scores[i][0] / scores[i][1]) if scores[i][1] else -1.0)


def verify_paper_page(texts: Iterable[str], words: Iterable[str] | None, trust: TrustStore) -> Verification:
    """The verdict on a printed page from the seal texts found on it and the words OCR read on it.

    The first seal that verifies is compared with the page: the page is the copy's page whose fingerprint
    the words match best, and the verdict names it ("page i of n"). ``words`` None means the caller could
    not read the page; the verdict then says that only the seal was checked.
    """
    texts = list(texts)
    if not texts:
        return verify_printed_page(np.zeros((1, 1), np.uint8), trust)
    results = [(text, verify_seal_text(text, trust)) for text in texts]
    text, result = next(((t, r) for t, r in results if r.valid), results[0])
    if not result.valid:
        return result
    try:
        claims = decode_seal(text).claims
    except SealFormatError:  # verify_seal_text decoded it already
        return result
    if words is None:
        return dataclasses.replace(
            result,
            reason=result.reason + "; the page's text could not be read, so compare it with the seal by eye",
            checks={**result.checks, "page_content": False},
        )
    read = list(words)
    scores = [matched_key_words(fingerprint, read) for fingerprint in claims.fingerprints]
    if not any(total for _found, total in scores):
        return dataclasses.replace(
            result,
            reason=result.reason + "; its pages carry no text to compare, so compare the paper by eye",
            checks={**result.checks, "page_content": False},
        )
    if not tokens(read):
        return dataclasses.replace(
            result,
            valid=False,
            reason_key="page_unreadable",
            reason=(
                f"the seal of certified copy {claims.code} is genuine, but no text could be read on the page "
                "to compare with it; take the picture again, flat, sharp and well lit"
            ),
            checks={**result.checks, "page_content": False},
        )
    if len(tokens(read)) > MAX_PAGE_TOKENS:
        return dataclasses.replace(
            result,
            valid=False,
            reason_key="page_mismatch",
            reason="the page holds far more words than a document page: it cannot be matched with its seal",
            checks={**result.checks, "page_content": False},
        )
    best = best_page(claims, read) - 1
    found, total = scores[best]
    identity = identity_tokens(claims.holder_name, claims.doc_number, claims.doc_date)
    if matches(claims.fingerprints[best], read) and not matches(claims.fingerprints[best], read, identity):
        return dataclasses.replace(
            result,
            valid=False,
            reason_key="page_mismatch",
            reason=(
                f"page {best + 1} of certified copy {claims.code} was changed: the holder's name, the "
                "document's number or its date on the paper is not the one in the seal "
                f"({missing_identity(claims.fingerprints[best], read, identity)} of them missing)"
            ),
            checks={**result.checks, "page_content": False},
        )
    if not matches(claims.fingerprints[best], read):
        return dataclasses.replace(
            result,
            valid=False,
            reason_key="page_mismatch",
            reason=(
                f"this page is not a page of certified copy {claims.code}: its text does not match the seal "
                f"(at best {found} of {total} key words of page {best + 1} were found); the seal was moved "
                "onto other paper, or the page is too blurred to read"
            ),
            checks={**result.checks, "page_content": False},
        )
    return dataclasses.replace(
        result,
        reason=(
            f"valid certified copy {claims.code}, page {best + 1} of {claims.pages} ({found} of {total} key "
            f"words match; issued {claims.issued_at:%Y-%m-%d %H:%M} UTC)"
        ),
        page=best + 1,
        checks={**result.checks, "page_content": True},
    )
