"""Who is at the kiosk: the CCCD card's QR, the face against the card portrait, and liveness.

Frames, crops and face encodings live in memory only; nothing biometric is written to disk or logged.
"""

from kiosk.identity.cccd import CardData, OcrCrossCheck, cross_check_ocr, parse_cccd_qr, read_card
from kiosk.identity.errors import CardError, CardPortraitError, FaceError, IdentityError
from kiosk.identity.face import FaceDecision, FaceVerifier, find_card_portrait
from kiosk.identity.liveness import (
    Challenge,
    LivenessChecker,
    LivenessError,
    LivenessResult,
    check_challenge,
    draw_challenge,
    run_liveness,
)

__all__ = [
    "CardData",
    "CardError",
    "CardPortraitError",
    "Challenge",
    "FaceDecision",
    "FaceError",
    "FaceVerifier",
    "IdentityError",
    "LivenessChecker",
    "LivenessError",
    "LivenessResult",
    "OcrCrossCheck",
    "check_challenge",
    "cross_check_ocr",
    "draw_challenge",
    "find_card_portrait",
    "parse_cccd_qr",
    "read_card",
    "run_liveness",
]
