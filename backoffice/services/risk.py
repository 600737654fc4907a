"""Risk flags of an issued copy, for the post-check queue: taken from what the record carries.

| flag | raised when | record field |
| --- | --- | --- |
| `low_ocr` | the mean OCR confidence is under 0.80 | `ocr_confidence` (0-1) |
| `face_near_threshold` | the face distance is within 0.05 of the kiosk's threshold | `face_distance`, `face_threshold` (default 0.55) |
| `liveness_retries` | more than one liveness challenge, or a failed one | `visit_metrics.liveness_attempts` / `liveness_failures` |
| `qr_identity` | the identity came from the card's printed QR only (no chip) | `identity_source: "qr"` |
| `rescanned` | a page was refused and scanned again | `visit_metrics.rescans` |

A field the record does not carry raises no flag: absent is "not known", not "risky".
"""

from __future__ import annotations

from typing import Any

FLAGS = ("low_ocr", "face_near_threshold", "liveness_retries", "qr_identity", "rescanned")
LOW_OCR_CONFIDENCE = 0.80
FACE_MARGIN = 0.05
DEFAULT_FACE_THRESHOLD = 0.55


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def risk_flags(body: dict[str, Any]) -> list[str]:
    """The flags (in FLAGS order) that the stored record ``body`` raises."""
    metrics = body.get("visit_metrics") if isinstance(body.get("visit_metrics"), dict) else {}
    assert isinstance(metrics, dict)
    flags: list[str] = []
    confidence = _number(body.get("ocr_confidence"))
    if confidence is not None and confidence < LOW_OCR_CONFIDENCE:
        flags.append("low_ocr")
    distance = _number(body.get("face_distance"))
    threshold = _number(body.get("face_threshold")) or DEFAULT_FACE_THRESHOLD
    if distance is not None and abs(distance - threshold) <= FACE_MARGIN:
        flags.append("face_near_threshold")
    attempts = _number(metrics.get("liveness_attempts")) or 0
    failures = _number(metrics.get("liveness_failures")) or 0
    if attempts > 1 or failures > 0:
        flags.append("liveness_retries")
    if body.get("identity_source") == "qr":
        flags.append("qr_identity")
    if (_number(metrics.get("rescans")) or 0) > 0:
        flags.append("rescanned")
    return flags
