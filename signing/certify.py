"""issue_certified_copy: encode the page images, render the copy, seal what it draws and certify it."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import segno
from cryptography.x509.oid import NameOID

from signing._pyhanko import pdf_reader_class
from signing.code import authority_of
from signing.content import content_digest, make_qr, page_digests, qr_version_for
from signing.errors import SigningError
from signing.fingerprint import identity_tokens, key_words_for, page_fingerprint
from signing.images import EmbeddedImage, encode_page_image
from signing.keys import SealSigner
from signing.model import CopyMeta, CopyPage, IssuedCopy
from signing.pades import sign_copy
from signing.render import FOOTER_BAND_MM, LAST_PAGE_BAND_MM, STATEMENT_VI, RenderedCopy, render_copy
from signing.seal import CONTENT_DIGEST_BYTES, SealClaims, make_seal

if TYPE_CHECKING:
    from pyhanko.sign import timestamps

log = logging.getLogger(__name__)

MAX_PAGES = 200


def seal_claims(meta: CopyMeta, pages: Sequence[CopyPage], content_digest: bytes) -> SealClaims:
    count = key_words_for(len(pages))
    fields = meta.seal_fields()
    subject = fields.get("full_name") or fields.get("name_1") or meta.holder_name
    identity = identity_tokens(
        subject, fields.get("document_number", meta.doc_number), fields.get("issue_date", meta.doc_date)
    )
    return SealClaims(
        code=meta.code,
        issued_at=meta.issued_at,
        authority=meta.authority_code or authority_of(meta.code, meta.kiosk_id) or meta.authority,
        kiosk_id=meta.kiosk_id,
        doc_type=meta.doc_type,
        pages=len(pages),
        content_digest=content_digest,
        holder=meta.holder_masked_id,
        holder_name=meta.holder_name,
        fields=fields,
        field_pages={k: int(meta.field_pages.get(k, 0)) for k in fields},
        verify_base_url=meta.verify_base_url.rstrip("/"),
        access_token_bytes=meta.access_token,
        fingerprints=tuple(
            page_fingerprint(visible_words(p, last=i == len(pages) - 1), count, identity)
            for i, p in enumerate(pages)
        ),
    )


def visible_words(page: CopyPage, *, last: bool = False) -> list[str]:
    """The page's OCR words that the printed copy still shows: not those under the footer band (the code,
    the QR and, on the last page, the certification block are drawn over the bottom on white)."""
    height = page.image.shape[0]
    band = (LAST_PAGE_BAND_MM if last else FOOTER_BAND_MM) / 25.4 * page.dpi
    return [w.text for w in page.words if w.top + w.height <= height - band]


def render_and_seal(
    pages: Sequence[CopyPage],
    images: Sequence[EmbeddedImage],
    meta: CopyMeta,
    signer: SealSigner,
    signer_name: str,
) -> tuple[RenderedCopy, str]:
    """Render the copy and make its seal over what the rendering draws.

    The QR's size must be known before rendering (the layout depends on it) and its content after (the
    seal holds the digest of the pages): a provisional seal of the same length fixes the QR version, the
    pages are rendered around a placeholder QR form, and the final seal is made from their digests.
    """
    provisional = make_seal(seal_claims(meta, pages, os.urandom(CONTENT_DIGEST_BYTES)), signer.kid, _no_sign)
    version = qr_version_for(provisional)
    for _attempt in range(3):
        rendered = render_copy(pages, images, meta, provisional, signer_name, qr_version=version)
        digests = page_digests(pdf_reader_class()(io.BytesIO(rendered.pdf), strict=False).root)
        seal = make_seal(seal_claims(meta, pages, content_digest(digests)), signer.kid, signer.sign_es256)
        try:
            make_qr(seal, version)
        except segno.DataOverflowError:
            version += 1  # the final seal compressed a byte or two worse than the provisional one
            continue
        return rendered, seal
    raise SigningError("the seal does not fit the QR code it was laid out for")


def _no_sign(_message: bytes) -> bytes:
    return os.urandom(64)  # as long and as incompressible as an ES256 signature, for sizing only


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
    rendered, seal = render_and_seal(pages, images, meta, signer, _signer_name(signer))
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
    names = signer.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else signer.subject
