"""issue_certified_copy: encode the page images, seal them, render the copy and sign it."""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from pyhanko.sign import timestamps

from signing.code import authority_of
from signing.errors import SigningError
from signing.images import EmbeddedImage, encode_page_image
from signing.keys import SealSigner
from signing.model import CopyMeta, CopyPage, IssuedCopy
from signing.pades import sign_copy
from signing.render import STATEMENT_VI, render_copy
from signing.seal import PAGE_HASH_BYTES, SealClaims, make_seal

log = logging.getLogger(__name__)

MAX_PAGES = 200


def seal_claims(meta: CopyMeta, images: Sequence[EmbeddedImage]) -> SealClaims:
    return SealClaims(
        code=meta.code,
        issued_at=meta.issued_at,
        authority=meta.authority_code or authority_of(meta.code, meta.kiosk_id) or meta.authority,
        kiosk_id=meta.kiosk_id,
        doc_type=meta.doc_type,
        pages=len(images),
        page_hashes=tuple(img.digest[:PAGE_HASH_BYTES] for img in images),
        holder=meta.holder_masked_id,
    )


def issue_certified_copy(
    pages: Sequence[CopyPage],
    meta: CopyMeta,
    signer: SealSigner,
    *,
    tsa_url: str | None = None,
    jpeg_quality: int | None = None,
    timestamper: timestamps.TimeStamper | None = None,
) -> IssuedCopy:
    """Render, seal and PAdES-sign a certified copy of ``pages``.

    Raises SigningError (CertificateValidityError when the seal certificate is expired or not yet valid,
    KeyUnavailableError when the key cannot be used). The timestamp authority and the JPEG quality come
    from the signer's config unless given; ``timestamper`` (tests) replaces the HTTP timestamp client.
    """
    tsa_url = signer.tsa_url if tsa_url is None else tsa_url
    jpeg_quality = signer.jpeg_quality if jpeg_quality is None else jpeg_quality
    if not pages:
        raise SigningError("a certified copy needs at least one page")
    if len(pages) > MAX_PAGES:
        raise SigningError(f"a certified copy holds at most {MAX_PAGES} pages")
    if meta.issued_at.tzinfo is None:
        raise SigningError("the issue time must be timezone-aware (UTC)")
    now = dt.datetime.now(dt.UTC)
    signer.check_valid_at(now)
    signer.check_valid_at(meta.issued_at.astimezone(dt.UTC))
    started = time.perf_counter()
    images = _encode_pages(pages, jpeg_quality)
    seal = make_seal(seal_claims(meta, images), signer.kid, signer.sign_es256)
    rendered = render_copy(pages, images, meta, seal, _signer_name(signer))
    encoded = time.perf_counter()
    pdf = sign_copy(
        rendered,
        seal,
        signer,
        reason=STATEMENT_VI,
        location=f"{meta.authority} (ki-ốt {meta.kiosk_id})",
        tsa_url=tsa_url,
        tsa_timeout_s=signer.tsa_timeout_s,
        timestamper=timestamper,
    )
    log.info(
        "issued copy %s: %d pages, %d bytes, render %.0f ms, sign %.0f ms",
        meta.code,
        len(pages),
        len(pdf),
        (encoded - started) * 1000,
        (time.perf_counter() - encoded) * 1000,
    )
    return IssuedCopy(pdf=pdf, seal=seal)


def _encode_pages(pages: Sequence[CopyPage], jpeg_quality: int) -> list[EmbeddedImage]:
    """Encode the page images, several at once: OpenCV's JPEG encoder and zlib release the GIL."""
    workers = min(len(pages), os.cpu_count() or 1, 4)
    if workers <= 1:
        return [encode_page_image(p.image, jpeg_quality) for p in pages]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="encode-page") as pool:
        return list(pool.map(lambda page: encode_page_image(page.image, jpeg_quality), pages))


def _signer_name(signer: SealSigner) -> str:
    from cryptography.x509.oid import NameOID

    names = signer.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else signer.subject
