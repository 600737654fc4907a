"""Texts chosen by a key (error kinds, page-quality reasons, liveness challenges, progress stages).

They are marked with QT_TRANSLATE_NOOP so `pyside6-lupdate` extracts them into the .ts files, and
translated at render time with `text(...)`, so switching language re-renders them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from kiosk.flow import Screen, step_of

CONTEXT = "Messages"

ERROR_TITLES = {
    "card_unreadable": QT_TRANSLATE_NOOP("Messages", "We could not read your ID card"),
    "no_match": QT_TRANSLATE_NOOP("Messages", "Your face does not match the card"),
    "no_face": QT_TRANSLATE_NOOP("Messages", "We could not see a face"),
    "liveness_failed": QT_TRANSLATE_NOOP("Messages", "The face check could not be completed"),
    "page_quality": QT_TRANSLATE_NOOP("Messages", "Please place the page again"),
    "no_pages": QT_TRANSLATE_NOOP("Messages", "No page has been scanned yet"),
    "paper_out": QT_TRANSLATE_NOOP("Messages", "The printer is out of paper"),
    "no_document": QT_TRANSLATE_NOOP("Messages", "Nothing was found on the glass"),
    "cover_open": QT_TRANSLATE_NOOP("Messages", "The scanner cover is open"),
    "device": QT_TRANSLATE_NOOP("Messages", "A device is not working"),
    "code_not_found": QT_TRANSLATE_NOOP("Messages", "We could not find this code"),
    "reprint_refused": QT_TRANSLATE_NOOP("Messages", "This copy cannot be reprinted for you"),
    "payment_timeout": QT_TRANSLATE_NOOP("Messages", "The payment has not been confirmed"),
    "payment_pending": QT_TRANSLATE_NOOP("Messages", "The payment has not been confirmed"),
    "chip_unreadable": QT_TRANSLATE_NOOP("Messages", "We could not read your card's chip"),
    "chip_refused": QT_TRANSLATE_NOOP("Messages", "Your card's chip could not be verified"),
    "internal": QT_TRANSLATE_NOOP("Messages", "The kiosk has a problem"),
    "duplicate_page": QT_TRANSLATE_NOOP("Messages", "This page looks the same as page %1"),
    "camera": QT_TRANSLATE_NOOP("Messages", "The camera is not working"),
}

ERROR_HELP = {
    "card_unreadable": QT_TRANSLATE_NOOP(
        "Messages", "Lay the card face down, flat on the glass, with the QR code fully on the glass."
    ),
    "no_match": QT_TRANSLATE_NOOP(
        "Messages", "Look straight at the camera in good light, without glasses or a mask, and try again."
    ),
    "no_face": QT_TRANSLATE_NOOP(
        "Messages", "Stand in front of the camera so that your whole face is in the frame."
    ),
    "liveness_failed": QT_TRANSLATE_NOOP(
        "Messages", "Press “Try again”, look at the camera and do each step when it lights up on the screen."
    ),
    "page_quality": QT_TRANSLATE_NOOP("Messages", "Lay the page flat, face down, and close the cover."),
    "no_pages": QT_TRANSLATE_NOOP("Messages", "Place the first page of your document on the glass."),
    "paper_out": QT_TRANSLATE_NOOP(
        "Messages", "Your copy is saved. Staff will refill the paper; then press “Try again”."
    ),
    "no_document": QT_TRANSLATE_NOOP(
        "Messages", "Lay the card or the page face down on the glass, then try again."
    ),
    "cover_open": QT_TRANSLATE_NOOP("Messages", "Close the scanner cover gently, then try again."),
    "device": QT_TRANSLATE_NOOP("Messages", "Please try again. If it happens again, call staff."),
    "code_not_found": QT_TRANSLATE_NOOP("Messages", "Check the code on your receipt and type it again."),
    "reprint_refused": QT_TRANSLATE_NOOP(
        "Messages",
        "A copy is reprinted only for its holder, with the holder's ID card and face. Staff can help you.",
    ),
    "payment_timeout": QT_TRANSLATE_NOOP(
        "Messages",
        "If you have paid, press “Try again”: the kiosk asks again. Nothing has been printed or charged twice.",
    ),
    "payment_pending": QT_TRANSLATE_NOOP(
        "Messages",
        "If you have paid, press “Try again”: the kiosk asks again. Nothing has been printed or charged twice.",
    ),
    "chip_unreadable": QT_TRANSLATE_NOOP(
        "Messages", "Lay the card on the card reader again and keep it still until the kiosk says it is read."
    ),
    "chip_refused": QT_TRANSLATE_NOOP(
        "Messages", "The kiosk cannot certify with this card. Please call staff, who will check it with you."
    ),
    "internal": QT_TRANSLATE_NOOP("Messages", "This is not your mistake. Please call staff, or start again."),
    "duplicate_page": QT_TRANSLATE_NOOP(
        "Messages", "It may have been scanned twice. Scan the next page instead, or keep this one."
    ),
    "camera": QT_TRANSLATE_NOOP(
        "Messages",
        "This is not your mistake. Press “Call staff”: staff will come to help you, "
        "or press “Get a queue ticket” to be served at the counter.",
    ),
}

# Issue 25: what to do, when it depends on why (the reason the check already knows), over ERROR_HELP.
HELP_BY_REASON = {
    # the wrong side of the card: the CCCD's QR code is on the side with the photo
    ("card_unreadable", "no_qr"): QT_TRANSLATE_NOOP(
        "Messages",
        "The card may be the wrong way round. Turn it over: the side with your photo and the QR code goes "
        "face down on the glass, as in the picture.",
    ),
    ("page_quality", "blank"): QT_TRANSLATE_NOOP(
        "Messages",
        "The page may be the wrong way round. Turn it over: the printed side goes face down on the glass.",
    ),
    # a printer fault while printing: the copy is kept, as for paper out
    ("device", "printing"): QT_TRANSLATE_NOOP(
        "Messages", "Your copy is saved. Press “Try again”; if it happens again, call staff."
    ),
    ("no_document", "card"): QT_TRANSLATE_NOOP(
        "Messages", "Lay your ID card face down on the glass, photo side down, then press “Scan again”."
    ),
    ("no_document", "scan"): QT_TRANSLATE_NOOP(
        "Messages", "Lay the page face down on the glass, then press “Scan again”."
    ),
}

CARD_REASONS = {
    "no_qr": QT_TRANSLATE_NOOP("Messages", "No QR code was found: this may be the back of the card."),
    "ocr_mismatch": QT_TRANSLATE_NOOP("Messages", "The printed card and its QR code do not agree."),
    "bad_image": QT_TRANSLATE_NOOP("Messages", "The picture of the card could not be used."),
}

# Issue 25: why a face check failed (the machine reason of kiosk.identity: FaceDecision.reason, a
# FaceError's or a LivenessError's reason), and what to do about it.
FACE_REASONS = {
    "no_face": QT_TRANSLATE_NOOP("Messages", "The camera did not see your face."),
    "two_faces": QT_TRANSLATE_NOOP("Messages", "More than one face was in the picture."),
    "different_people": QT_TRANSLATE_NOOP("Messages", "Different people were seen during the check."),
    "face_too_small": QT_TRANSLATE_NOOP("Messages", "Your face was too far from the camera."),
    "no_frames": QT_TRANSLATE_NOOP("Messages", "The camera gave no picture."),
    "timeout": QT_TRANSLATE_NOOP("Messages", "A step was not seen in time."),
    "challenge_not_done": QT_TRANSLATE_NOOP("Messages", "A step was not seen in time."),
    "static_photo": QT_TRANSLATE_NOOP("Messages", "The camera did not see your head move."),
    "static_replay": QT_TRANSLATE_NOOP("Messages", "The camera did not see your head move."),
    "flat_picture": QT_TRANSLATE_NOOP("Messages", "The camera did not see your head move."),
    "screen_replay": QT_TRANSLATE_NOOP("Messages", "The camera could not see you directly."),
    "not_same_person": QT_TRANSLATE_NOOP("Messages", "Your face did not match the photo on your card."),
    "not_seen": QT_TRANSLATE_NOOP("Messages", "No face has been seen yet."),
}
FACE_HELP = {
    "not_seen": QT_TRANSLATE_NOOP(
        "Messages",
        "Stand (or sit) in front of the camera with your face inside the oval, then press “Try again”. "
        "If you cannot, press “Call staff” or “Get a queue ticket”.",
    ),
    "no_face": QT_TRANSLATE_NOOP(
        "Messages", "Stand in front of the camera with your whole face inside the oval, in good light."
    ),
    "two_faces": QT_TRANSLATE_NOOP(
        "Messages", "Only you should be in front of the camera. Ask others to step back, then try again."
    ),
    "different_people": QT_TRANSLATE_NOOP(
        "Messages", "Only you should be in front of the camera. Ask others to step back, then try again."
    ),
    "face_too_small": QT_TRANSLATE_NOOP("Messages", "Come a little closer, with your face inside the oval."),
    "no_frames": QT_TRANSLATE_NOOP("Messages", "This is not your mistake. Please call staff."),
    "timeout": QT_TRANSLATE_NOOP(
        "Messages", "Do each step slowly as soon as it lights up, then look back at the camera."
    ),
    "challenge_not_done": QT_TRANSLATE_NOOP(
        "Messages", "Do each step slowly as soon as it lights up, then look back at the camera."
    ),
    "static_photo": QT_TRANSLATE_NOOP(
        "Messages",
        "Turn your whole head slowly when asked, not only your eyes, then look back at the camera.",
    ),
    "static_replay": QT_TRANSLATE_NOOP(
        "Messages",
        "Turn your whole head slowly when asked, not only your eyes, then look back at the camera.",
    ),
    "flat_picture": QT_TRANSLATE_NOOP(
        "Messages",
        "Turn your whole head slowly when asked, not only your eyes, then look back at the camera.",
    ),
    "screen_replay": QT_TRANSLATE_NOOP(
        "Messages",
        "Stand in front of the camera yourself, without holding up a phone, a screen or a picture, "
        "then try again.",
    ),
    "not_same_person": QT_TRANSLATE_NOOP(
        "Messages",
        "Take off glasses, a hat or a mask, face the light and look straight at the camera, then try again.",
    ),
}
FACE_KINDS = ("no_match", "liveness_failed", "no_face")

QUALITY_REASONS = {
    "blurred": QT_TRANSLATE_NOOP("Messages", "The page is blurred."),
    "too_dark": QT_TRANSLATE_NOOP("Messages", "The page is too dark."),
    "cut_off": QT_TRANSLATE_NOOP("Messages", "Part of the page is cut off."),
    "blank": QT_TRANSLATE_NOOP("Messages", "The page is blank."),
    "no_text": QT_TRANSLATE_NOOP("Messages", "No text was found on the page."),
    "timeout": QT_TRANSLATE_NOOP("Messages", "Reading the page took too long."),
}

ACTIONS = {
    "rescan": QT_TRANSLATE_NOOP("Messages", "Scan again"),
    "try_again": QT_TRANSLATE_NOOP("Messages", "Try again"),
    "call_staff": QT_TRANSLATE_NOOP("Messages", "Call staff"),
    "start_over": QT_TRANSLATE_NOOP("Messages", "Start over"),
    "ticket": QT_TRANSLATE_NOOP("Messages", "Get a queue ticket"),
    "keep_page": QT_TRANSLATE_NOOP("Messages", "Keep this page"),
}

CHALLENGES = {
    "blink": QT_TRANSLATE_NOOP("Messages", "Blink your eyes twice"),
    "turn_left": QT_TRANSLATE_NOOP("Messages", "Turn your head slowly to the left"),
    "turn_right": QT_TRANSLATE_NOOP("Messages", "Turn your head slowly to the right"),
    "move_closer": QT_TRANSLATE_NOOP("Messages", "Move your face closer to the camera"),
}

STAGES = {
    "start": QT_TRANSLATE_NOOP("Messages", "Starting"),
    "classify": QT_TRANSLATE_NOOP("Messages", "Recognising the document"),
    "code": QT_TRANSLATE_NOOP("Messages", "Giving the copy its code"),
    "sign": QT_TRANSLATE_NOOP("Messages", "Signing the copy"),
    "save": QT_TRANSLATE_NOOP("Messages", "Saving the record"),
    "done": QT_TRANSLATE_NOOP("Messages", "Finished"),
    "print_copy": QT_TRANSLATE_NOOP("Messages", "Printing the certified copy"),
    "print_receipt": QT_TRANSLATE_NOOP("Messages", "Printing the receipt"),
    "printed": QT_TRANSLATE_NOOP("Messages", "Printed"),
}

TICKET_REASONS = {
    "payment_cash": QT_TRANSLATE_NOOP(
        "Messages", "Pay the fee in cash at the counter. The counter finishes your certified copy."
    ),
    "unsupported_document": QT_TRANSLATE_NOOP(
        "Messages", "The kiosk cannot certify this document. A clerk will help you at the counter."
    ),
    "face_failures": QT_TRANSLATE_NOOP(
        "Messages", "Your face could not be confirmed. A clerk will check your ID card at the counter."
    ),
    "staff_needed": QT_TRANSLATE_NOOP("Messages", "A clerk will help you finish at the counter."),
    "out_of_service": QT_TRANSLATE_NOOP(
        "Messages", "This kiosk cannot make copies right now. A clerk will serve you at the counter."
    ),
    "paid_not_printed": QT_TRANSLATE_NOOP(
        "Messages", "Your fee was received. Collect your copy at the counter, at no extra charge."
    ),
}

ONLINE_STATUS = {
    "issued": QT_TRANSLATE_NOOP("Messages", "Status: issued, not yet post-checked by the ward office"),
    "post_checked": QT_TRANSLATE_NOOP("Messages", "Status: post-checked and approved by the ward office"),
    "revoked": QT_TRANSLATE_NOOP("Messages", "Status: REVOKED by the ward office"),
    "unknown": QT_TRANSLATE_NOOP("Messages", "Status: not yet known to the city's system"),
    "unchecked": QT_TRANSLATE_NOOP(
        "Messages", "The status could not be checked now: the city's system did not answer"
    ),
}

# The title of each document type of `ocr.doctypes` (key and English title as there), written out so
# that pyside6-lupdate extracts them into the .ts files; tests/ocr/test_doctypes.py checks that every
# registered type is here, with the registry's title, and translated.
DOC_TYPES = {
    "birth_certificate": QT_TRANSLATE_NOOP("Messages", "Birth certificate"),
    "marriage_certificate": QT_TRANSLATE_NOOP("Messages", "Marriage certificate"),
    "diploma": QT_TRANSLATE_NOOP("Messages", "Diploma"),
    "residence_confirmation": QT_TRANSLATE_NOOP("Messages", "Residence confirmation"),
    "land_use_certificate": QT_TRANSLATE_NOOP("Messages", "Land use right certificate"),
    "id_card": QT_TRANSLATE_NOOP("Messages", "Identity card"),
    "other": QT_TRANSLATE_NOOP("Messages", "Other document"),
}


# Issue 25: said on every ending of a visit that put something on the glass (done, ticket, collect, out of
# service before the payment, and on the start screen after a cancel or a time-out).
TAKE_THINGS = QT_TRANSLATE_NOOP("Messages", "Please take your ID card and your documents from the glass.")


def take_things() -> str:
    return QCoreApplication.translate(CONTEXT, str(TAKE_THINGS))


STEP_LINE = QT_TRANSLATE_NOOP("Messages", "Step {n} of {total}: {what}")


def step_line(screen: Screen, what: str) -> str:
    """ "Step n of N: <what>" for a screen of the visit, numbered from `kiosk.flow.VISIT_STEPS`."""
    numbered = step_of(screen)
    if numbered is None:
        return what
    n, total = numbered
    return QCoreApplication.translate(CONTEXT, str(STEP_LINE)).format(n=n, total=total, what=what)


def challenge_steps(challenge: str) -> list[str]:
    """The translated steps of a challenge such as "turn_left+blink"."""
    return [text(CHALLENGES, step.strip()) or step for step in challenge.split("+") if step.strip()]


def reason_key(reason: str) -> str:
    """The machine reason in an error's reason: "liveness.timeout" and "error.face.no_face" name
    timeout and no_face (a route's reason is the exception's message key)."""
    return reason.rsplit(".", 1)[-1]


def error_texts(kind: str, reason: str, back: str = "") -> tuple[str, str, str]:
    """(title, why, what to do) of an error screen: why from the reason the check knows, what to do from
    the reason when it matters (the wrong side of the card, a face too far), else the kind's help.
    `back` is the screen the error came from (card or scan, printing)."""
    title = text(ERROR_TITLES, kind, "internal")
    key = reason_key(reason)
    why = ""
    help_text = text(ERROR_HELP, kind, "internal")
    if kind == "page_quality":
        why = text(QUALITY_REASONS, reason)
    elif kind == "card_unreadable":
        why = text(CARD_REASONS, key)
    elif kind in FACE_KINDS:
        why = text(FACE_REASONS, key)
        help_text = text(FACE_HELP, key) or help_text
    specific = HELP_BY_REASON.get((kind, key)) or HELP_BY_REASON.get((kind, back))
    if specific:
        help_text = QCoreApplication.translate(CONTEXT, str(specific))
    return title, why, help_text


def plural(count: int, one: object, many: object) -> str:
    """ "1 page" / "2 pages": English needs the plural, Vietnamese has one form (both sources are
    translated alike); `one` and `many` are marked texts with %1 for the number."""
    source = str(one if count == 1 else many)
    return QCoreApplication.translate(CONTEXT, source).replace("%1", str(count))


PAGES = (QT_TRANSLATE_NOOP("Messages", "%1 page"), QT_TRANSLATE_NOOP("Messages", "%1 pages"))
COPIES = (QT_TRANSLATE_NOOP("Messages", "%1 copy"), QT_TRANSLATE_NOOP("Messages", "%1 copies"))


def pages_text(count: int) -> str:
    return plural(count, *PAGES)


def copies_text(count: int) -> str:
    return plural(count, *COPIES)


def text(table: Mapping[str, Any], key: str, fallback: str = "") -> str:
    """The translated text for `key` in `table`, or the translated fallback key's text."""
    source = str(table.get(key) or table.get(fallback) or "")
    return QCoreApplication.translate(CONTEXT, source) if source else ""
