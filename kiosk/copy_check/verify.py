"""Checking a certified copy: a signed PDF, or a photo or scan of a printed page.

A picture of paper is checked in three steps: find the QR seal (zbar, then signing's own search), verify
it offline, then read the page's text with OCR and compare it with the seal's fingerprint of each page
(``signing.paper.verify_paper_page``), so that a genuine seal pasted onto another document is refused as
``page_mismatch`` and the verdict says which page of the copy this is; then every document field the seal
holds for that page is compared with what the page shows (``kiosk.copy_check.field_check``), and a field
changed on paper is ``page_mismatch`` naming the field. A phone photo taken at an angle is
put upright first (``upright_page``: the sheet's four corners found and the perspective undone).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.copy_check.field_check import check_fields
from kiosk.errors import BadInputError, UnavailableError
from ocr import ImageError, OcrUnavailable, load_image
from ocr.barcodes import decode_qr_codes
from ocr.perspective import find_page_quad, warp_page
from signing.paper import best_page, find_seal_texts, verify_paper_page, verify_printed_page
from signing.seal import is_seal_qr
from signing.seal_qr import parse_seal_qr
from signing.verify import verify_pdf, verify_seal_text


@dataclass(frozen=True)
class PageText:
    """What OCR read on a page: its words, and its text line by line (for the field check)."""

    words: list[str]
    text: str


# Reads an upright page image at a resolution (dpi): its words (and text); no words when it cannot read them.
PageReader = Callable[[np.ndarray, int], PageText | Sequence[str] | None]

A4_WIDTH_IN = 8.27


def upright_page(image: np.ndarray) -> np.ndarray:
    """The sheet in a phone photo, put upright (perspective undone, ``ocr.perspective``); the image itself
    when it is all paper (a flat scan) or no sheet stands out from its surround."""
    quad = find_page_quad(image)
    return warp_page(image, quad) if quad is not None else image


def page_dpi(image: np.ndarray) -> int:
    """The resolution of an upright picture of an A4-wide page."""
    return int(min(600, max(72, round(min(image.shape[:2]) / A4_WIDTH_IN))))


def _seal_texts(image: np.ndarray) -> list[str]:
    texts = []
    for payload in decode_qr_codes(image):
        try:
            texts.append(payload.decode("utf-8"))
        except UnicodeDecodeError:
            continue
    if not any(is_seal_qr(t) for t in texts):
        texts += find_seal_texts(image)
    return list(dict.fromkeys(texts))


def verify_image(image: np.ndarray, trust: Any, read_words: PageReader | None = None) -> Any:
    """Find the QR seal on a picture of a printed page, verify it offline, and compare the page's text
    with it when ``read_words`` (the OCR) is given."""
    upright = upright_page(image)
    texts = _seal_texts(image) or (_seal_texts(upright) if upright is not image else [])
    if not texts:
        # Nothing readable: signing's verdict says how to take a better picture.
        return verify_printed_page(image, trust)
    checked = [verify_seal_text(text, trust) for text in texts]
    if not any(result.valid for result in checked):
        return checked[0]
    reading = read_words(upright, page_dpi(upright)) if read_words is not None else None
    words = reading.words if isinstance(reading, PageText) else reading
    verdict = verify_paper_page(texts, words, trust)
    if not words or verdict.reason_key not in ("valid", "page_mismatch") or not verdict.fields:
        return verdict
    # The seal is genuine and the page was read: every sealed field of this page must read as sealed.
    text = reading.text if isinstance(reading, PageText) else "\n".join(words)
    seal_text = next(t for t in texts if verify_seal_text(t, trust).valid)
    page = verdict.page or best_page(parse_seal_qr(seal_text), words)
    checked = check_fields(dataclasses.replace(verdict, page=page), page, text)
    return checked if checked.mismatched_fields or verdict.valid else verdict


def read_copy_file(path: Path) -> bytes:
    """The bytes of a file to check, or a BadInputError that names it."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise BadInputError("file not found", subject=str(path)) from None
    except OSError as exc:
        raise BadInputError(f"cannot read the file: {exc.strerror}", subject=str(path)) from None


def verify_copy(
    source: Path | bytes | np.ndarray,
    trust: Any,
    *,
    subject: str = "input",
    read_words: PageReader | None = None,
) -> Any:
    """Verify a PDF (structure, signature, later revisions, chain, seal, page content) or a page image
    (its seal, and its text against the seal when ``read_words`` is given).

    A forgery is a negative verdict in the result, never an exception; only unusable input raises.
    """
    if isinstance(source, np.ndarray):
        return verify_image(source, trust, read_words)
    if isinstance(source, Path):
        subject, data = str(source), read_copy_file(source)
    else:
        data = source
    if data.lstrip()[:5] == b"%PDF-":
        return verify_pdf(data, trust)
    try:
        image = load_image(data)
    except ImageError as exc:
        raise BadInputError(f"neither a PDF nor a readable image: {exc}", subject=subject) from None
    return verify_image(image, trust, read_words)


def ocr_words(engine: Callable[[], Any]) -> PageReader:
    """A PageReader over the kiosk's OCR engine (``ocr.OcrEngine``, made by ``engine()`` on first use)."""

    def read(image: np.ndarray, dpi: int) -> PageText | None:
        # A page the OCR cannot read gives no words, never None: the verdict is then page_unreadable,
        # not a seal-only check that a deliberately blurred forgery could pass.
        try:
            page = engine().read_page(image, dpi=dpi)
            return PageText([w.text for w in page.words if w.text], page.text)
        except OcrUnavailable as exc:
            raise UnavailableError(
                f"OCR is not available, so the page cannot be compared with its seal: {exc}",
                subject="tesseract",
            ) from None

    return read


# Libraries that log warnings about the files they are given (pyHanko about every malformed signature):
# at the command line a tampered file gets one clear line, not their log.
NOISY_LOGGERS = ("pyhanko", "pyhanko_certvalidator", "fontTools", "PIL", "asyncio")


@contextlib.contextmanager
def quiet_libraries(*, verbose: bool = False) -> Iterator[None]:
    """Silence library warnings and log records below ERROR for the duration (unless ``verbose``)."""
    if verbose:
        yield
        return
    loggers = [logging.getLogger(name) for name in NOISY_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
