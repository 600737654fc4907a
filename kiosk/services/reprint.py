"""Reprint for the copy's holder only: the card must be the holder's, and the face in front of the camera
must be the card's.

Codes are sequential and their check character is public, so a code alone proves nothing. A reprint needs:

1. **The holder's card.** The card's ID number is compared with the record's ID number (decrypted from
   the local store). After local retention purged the personal fields, the kiosk fetches the copy from the
   city backend (``BackendClient.fetch_pdf``), verifies its signature and seal against the kiosk's trust
   store, and compares the seal's holder (masked ID number and name) with the card: the strongest check
   the kiosk can make without the full ID number.
2. **The card's face.** Live frames are compared with the card portrait (kiosk.identity face verification).

Every refusal is a :class:`~kiosk.errors.NegativeVerdict` (exit 1) whose ``reason_key`` says which check
failed (``not_holder``, ``face_mismatch``, ``no_copy``); a backend that cannot be reached is
UnavailableError (exit 3). Nothing about the holder is logged unmasked.
"""

from __future__ import annotations

import hmac
import logging
import tempfile
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from kiosk.errors import BadInputError, NegativeVerdict, UnavailableError, UnknownCodeError
from kiosk.runtime.logs import mask_id, register_sensitive
from offline_sync.kiosk_api_client import KioskApiClient
from offline_sync.protocol.errors import BackendError
from signing.code import is_valid_code, normalize_code
from signing.errors import SealFormatError
from signing.seal import PREFIX as SEAL_PREFIX
from signing.seal import decode_seal

log = logging.getLogger(__name__)


class RecordSource(Protocol):
    def get_record(self, code: str) -> Any: ...


class CopySource(Protocol):
    """The backend's side of a reprint (see BackendCopies)."""

    def fetch_pdf(self, code: str) -> bytes | None: ...
    def holder_matches(self, code: str, holder_id: str) -> bool | None: ...
    def close(self) -> None: ...


class BackendCopies:
    """A CopySource over the kiosk's mTLS client: the signed PDF and the holder check."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.api = KioskApiClient(client)

    def fetch_pdf(self, code: str) -> bytes | None:
        data: bytes | None = self.client.fetch_pdf(code)
        return data

    def holder_matches(self, code: str, holder_id: str) -> bool | None:
        return self.api.holder_matches(code, holder_id)

    def close(self) -> None:
        self.client.close()


class ReprintRefused(NegativeVerdict):
    def __init__(self, message: str, *, reason_key: str, subject: str = "") -> None:
        super().__init__(message, key=f"error.reprint_{reason_key}", subject=subject)
        self.reason_key = reason_key


@dataclass(frozen=True)
class ReprintAuthorized:
    """The check passed: ``pdf`` is the copy to print (``source`` local or backend)."""

    code: str
    pdf: Path
    source: str
    doc_type: str
    pages: int
    face_distance: float


def _same_name(a: str, b: str) -> bool:
    def norm(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).casefold().split())

    return norm(a) == norm(b)


class HolderReprint:
    """Decides whether a reprint may go ahead. ``face_verify(card_image, frames)`` returns a FaceDecision;
    ``verify_pdf(bytes)`` a signing Verification; ``backend()`` a client with ``fetch_pdf`` (or raises)."""

    def __init__(
        self,
        store: RecordSource,
        *,
        face_verify: Callable[[np.ndarray, Sequence[np.ndarray]], Any],
        verify_pdf: Callable[[bytes], Any],
        backend: Callable[[], CopySource] | None,
        work_dir: Path,
    ) -> None:
        self.store = store
        self.face_verify = face_verify
        self.verify_pdf = verify_pdf
        self.backend = backend
        self.work_dir = Path(work_dir)

    @staticmethod
    def normalize(code: str) -> str:
        wanted = normalize_code(code)
        if not is_valid_code(wanted):
            raise UnknownCodeError(
                f"{code!r} is not a valid copy code (check the characters)",
                key="error.bad_code",
                subject=code,
            )
        return wanted

    def authorize(
        self, code: str, card: Any, card_image: np.ndarray, live_frames: Sequence[np.ndarray]
    ) -> ReprintAuthorized:
        wanted = self.normalize(code)
        if not live_frames:
            raise BadInputError("at least one live frame is needed", subject=wanted)
        register_sensitive(card.full_name, card.id_number)
        record = self.store.get_record(wanted)
        local_pdf = Path(record.pdf_path) if record is not None and record.pdf_path else None
        if record is not None and record.holder_id:
            if not hmac.compare_digest(card.id_number.encode(), str(record.holder_id).encode()):
                log.info("reprint %s refused: card %s is not the holder", wanted, mask_id(card.id_number))
                raise ReprintRefused(
                    f"this card is not the holder's card for copy {wanted}",
                    reason_key="not_holder",
                    subject=wanted,
                )
            holder_checked = "local"
        else:
            holder_checked = ""
        pdf_path, source = (
            (local_pdf, "local") if local_pdf is not None and local_pdf.is_file() else (None, "")
        )
        if pdf_path is None or not holder_checked:
            pdf_path = self._from_backend(wanted, card, check_holder=not holder_checked)
            source = "backend"
        face = self.face_verify(card_image, live_frames)
        if not face.match:
            log.info("reprint %s refused: the live face does not match the card", wanted)
            raise ReprintRefused(
                f"the live face does not match the card portrait (distance {face.distance:.2f})",
                reason_key="face_mismatch",
                subject=wanted,
            )
        log.info("reprint %s authorised for holder %s (%s copy)", wanted, mask_id(card.id_number), source)
        doc_type = record.doc_type if record is not None else ""
        pages = record.pages if record is not None else 0
        return ReprintAuthorized(wanted, pdf_path, source, doc_type, pages, float(face.distance))

    def _from_backend(self, code: str, card: Any, *, check_holder: bool) -> Path:
        if self.backend is None:
            raise ReprintRefused(
                f"copy {code} is no longer kept on this kiosk and no backend is configured",
                reason_key="no_copy",
                subject=code,
            )
        try:
            client = self.backend()
        except BackendError as exc:
            raise UnavailableError(f"cannot reach the backend for copy {code}: {exc}", subject=code) from None
        try:
            holder = client.holder_matches(code, card.id_number) if check_holder else True
            data = client.fetch_pdf(code) if holder is not None else None
        except BackendError as exc:
            raise UnavailableError(
                f"cannot fetch copy {code} from the backend: {exc}", subject=code
            ) from None
        finally:
            client.close()
        if holder is None or data is None:
            raise ReprintRefused(f"no certified copy {code} exists", reason_key="no_copy", subject=code)
        if not holder:
            log.info("reprint %s refused: card %s is not the holder (backend)", code, mask_id(card.id_number))
            raise ReprintRefused(
                f"this card is not the holder's card for copy {code}", reason_key="not_holder", subject=code
            )
        verdict = self.verify_pdf(data)
        if not verdict.valid or verdict.code != code:
            raise ReprintRefused(
                f"the backend's copy of {code} does not verify: {verdict.reason}",
                reason_key="no_copy",
                subject=code,
            )
        named = verdict.holder_name or ""
        if verdict.holder != mask_id(card.id_number) or (named and not _same_name(named, card.full_name)):
            log.info(
                "reprint %s refused: the seal names another holder than card %s",
                code,
                mask_id(card.id_number),
            )
            raise ReprintRefused(
                f"this card is not the holder's card for copy {code}", reason_key="not_holder", subject=code
            )
        self.work_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, name = tempfile.mkstemp(prefix=f"{code}-", suffix=".pdf", dir=self.work_dir)
        with open(fd, "wb") as fh:
            fh.write(data)
        return Path(name)


def code_from_qr(payloads: Sequence[bytes | str]) -> str:
    """The copy code in the QR codes read off a receipt (issue 25: reprint by scanning the receipt).

    The receipt's lookup QR holds the bare code; a page of the copy itself holds the seal, whose claims
    name the code. The receipt's second QR (the retrieval page, with the secret in its fragment) is never
    a code and is skipped without being parsed or logged. UnknownCodeError when none holds a valid code.
    """
    texts = [p.decode("utf-8", "replace") if isinstance(p, bytes) else str(p) for p in payloads]
    for text in texts:
        candidate = text.strip()
        if len(candidate) <= 32 and is_valid_code(normalize_code(candidate)):
            return normalize_code(candidate)
    for text in texts:
        if "#" in text and not text.split("#", 1)[1].startswith(SEAL_PREFIX):
            continue  # a retrieval link: its fragment is the secret
        try:
            code = decode_seal(text.strip()).claims.code
        except (SealFormatError, ValueError):
            continue
        if is_valid_code(code):
            return code
    raise UnknownCodeError(
        "no copy code was found in the QR codes: lay the receipt flat, QR code on the glass",
        key="error.no_qr_code",
    )
