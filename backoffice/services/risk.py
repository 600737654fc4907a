"""Risk flags of an issued copy, for the post-check queue: taken from what the record carries.

Every copy gets the common rules; each document type adds its own (``RULES_BY_TYPE``: type -> rules), since
what is suspicious depends on the paper: a birth-certificate extract is issued under the civil registry's
seal, so a scan that shows no seal is a risk, while a scanned ID card carries none to see.

| flag | raised when | record field |
| --- | --- | --- |
| `low_ocr` | the mean OCR confidence is under 0.80 | `ocr_confidence` (0-1) |
| `face_near_threshold` | the face distance is within 9 % of the threshold it was decided against (0.05 at dlib's 0.55), in that model's own scale | `face_distance`, `face_threshold` (default 0.55, dlib's) |
| `liveness_retries` | more than one liveness challenge, or a failed one | `visit_metrics.liveness_attempts` / `liveness_failures` |
| `qr_identity` | the identity came from the card's printed QR only (no chip) | `identity_source: "qr"` |
| `dg13_absent` | the CCCD chip had no DG13: the card's name was checked only against the MRZ's (no accents, maybe cut) and its issue date not at all | `identity_flags: ["dg13_absent"]` |
| `rescanned` | a page was refused and scanned again | `visit_metrics.rescans` |
| `seal_absent` | the type's original must bear a seal and the scan shows none | `fields.seal: "absent"` |
| `signature_absent` | the type's original must be signed and the scan shows no pen signature | `fields.signature: "absent"` |
| `fields_missing` | OCR did not find a field every paper of the type carries | `fields` |

A field the record does not carry raises no flag: absent is "not known", not "risky" (a kiosk that does not
look for seals sends no ``seal`` field, and raises no ``seal_absent``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

FLAGS = (
    "low_ocr",
    "face_near_threshold",
    "liveness_retries",
    "qr_identity",
    "dg13_absent",
    "rescanned",
    "seal_absent",
    "signature_absent",
    "fields_missing",
)
LOW_OCR_CONFIDENCE = 0.80
# Relative, so that it means the same for every face model (issue 23): dlib's Euclidean 0.55 +- 0.05, an
# ONNX model's cosine threshold +- the same share of it.
FACE_MARGIN_RATIO = 0.05 / 0.55
DEFAULT_FACE_THRESHOLD = 0.55

Rule = Callable[[dict[str, Any]], str | None]


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _metrics(body: dict[str, Any]) -> dict[str, Any]:
    metrics = body.get("visit_metrics")
    return metrics if isinstance(metrics, dict) else {}


def _fields(body: dict[str, Any]) -> dict[str, Any]:
    """The record's fields, over what OCR read before the citizen confirmed them (``ocr_fields``)."""
    merged: dict[str, Any] = {}
    for key in ("ocr_fields", "fields"):
        if isinstance(body.get(key), dict):
            merged.update(body[key])
    return merged


def low_ocr(body: dict[str, Any]) -> str | None:
    confidence = _number(body.get("ocr_confidence"))
    return "low_ocr" if confidence is not None and confidence < LOW_OCR_CONFIDENCE else None


def face_near_threshold(body: dict[str, Any]) -> str | None:
    distance = _number(body.get("face_distance"))
    threshold = _number(body.get("face_threshold")) or DEFAULT_FACE_THRESHOLD
    near = distance is not None and abs(distance - threshold) <= FACE_MARGIN_RATIO * threshold + 1e-9
    return "face_near_threshold" if near else None


def liveness_retries(body: dict[str, Any]) -> str | None:
    metrics = _metrics(body)
    attempts = _number(metrics.get("liveness_attempts")) or 0
    failures = _number(metrics.get("liveness_failures")) or 0
    return "liveness_retries" if attempts > 1 or failures > 0 else None


def qr_identity(body: dict[str, Any]) -> str | None:
    return "qr_identity" if body.get("identity_source") == "qr" else None


def dg13_absent(body: dict[str, Any]) -> str | None:
    """The chip said so (kiosk.identity.chip: ChipIdentity.flags), and the kiosk carried it in the record."""
    flags = body.get("identity_flags")
    return "dg13_absent" if isinstance(flags, list) and "dg13_absent" in flags else None


def rescanned(body: dict[str, Any]) -> str | None:
    return "rescanned" if (_number(_metrics(body).get("rescans")) or 0) > 0 else None


def seal_absent(body: dict[str, Any]) -> str | None:
    """The original should bear its issuer's red seal; the kiosk saw none on any page."""
    return "seal_absent" if _fields(body).get("seal") == "absent" else None


def signature_absent(body: dict[str, Any]) -> str | None:
    return "signature_absent" if _fields(body).get("signature") == "absent" else None


def fields_missing(*keys: str) -> Rule:
    """A rule: OCR read text (``ocr_text`` not empty) but none of the type's ``keys`` fields came out of it.
    One of the keys is enough (a marriage certificate names the husband or the wife first)."""

    def rule(body: dict[str, Any]) -> str | None:
        if not str(body.get("ocr_text") or "").strip():
            return None  # nothing was read at all: low_ocr / the officer's eye, not a missing field
        fields = _fields(body)
        return None if any(str(fields.get(k) or "").strip() for k in keys) else "fields_missing"

    return rule


COMMON_RULES: tuple[Rule, ...] = (
    low_ocr,
    face_near_threshold,
    liveness_retries,
    qr_identity,
    dg13_absent,
    rescanned,
)
# Document type -> the rules its copies add to the common ones. A type not listed gets only the common
# rules (the "other" papers: nothing is known about what they must bear).
RULES_BY_TYPE: Mapping[str, tuple[Rule, ...]] = {
    "birth_certificate": (seal_absent, signature_absent, fields_missing("full_name", "date_of_birth")),
    "marriage_certificate": (seal_absent, signature_absent, fields_missing("husband_name", "wife_name")),
    "diploma": (seal_absent, signature_absent, fields_missing("full_name")),
    "residence_confirmation": (seal_absent, fields_missing("full_name")),
    "land_use_certificate": (seal_absent, signature_absent, fields_missing("full_name")),
    "id_card": (fields_missing("id_number", "full_name"),),
}


def rules_for(doc_type: str) -> tuple[Rule, ...]:
    return COMMON_RULES + tuple(RULES_BY_TYPE.get(doc_type, ()))


def risk_flags(body: dict[str, Any]) -> list[str]:
    """The flags (in FLAGS order) that the stored record ``body`` raises under its document type's rules."""
    raised = {flag for rule in rules_for(str(body.get("doc_type") or "")) if (flag := rule(body))}
    return [flag for flag in FLAGS if flag in raised]
