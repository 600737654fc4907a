"""One identity step of a visit, run as a script under strace by test_privacy.py.

Reads the card, checks liveness and the face on generated images held in memory, then prints the
record the visit keeps. Everything it needs is generated before the marker line, so the trace after
the marker holds only the biometric work.
"""

from __future__ import annotations

import json
import logging
import sys

from kiosk.identity import FaceVerifier, check_challenge, find_card_portrait, read_card
from kiosk.identity.config import IdentityConfig
from kiosk.identity.simulated_subject import challenge_frames
from kiosk.runtime.logs import register_sensitive
from kiosk.samples.card import make_card_image, sample_card


def main() -> int:
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    card_image = make_card_image(sample_card(11))
    frames = challenge_frames("turn_left+blink", seed=2)
    verifier = FaceVerifier(IdentityConfig())
    verifier.warm_up()
    from kiosk.identity import simulated_subject

    simulated_subject._portrait_landmarks()
    # Load zbar now (pyzbar finds it with ctypes, which runs ldconfig in a child process).
    import numpy as np

    from ocr.barcodes import decode_qr_codes

    decode_qr_codes(np.full((64, 64), 255, np.uint8))
    sys.stdout.write("VISIT-START\n")
    sys.stdout.flush()
    card = read_card(card_image)
    register_sensitive(card.full_name, card.id_number)
    find_card_portrait(card_image)
    liveness = check_challenge("turn_left+blink", frames)
    decision = verifier.verify(card_image, frames)
    record = {
        "holder": card.masked_id(),
        "face_match": decision.match,
        "face_distance": decision.distance,
        "liveness": liveness.record(),
    }
    sys.stdout.write("VISIT-END\n" + json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
