"""Face verification: genuine and impostor pairs through a card portrait, and every 'cannot compare' case."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest

from kiosk.identity import CardPortraitError, FaceError, FaceVerifier, find_card_portrait
from kiosk.identity.config import IdentityConfig
from kiosk.samples.card import (
    make_card_image,
    passport_crop,
    sample_card,
    sample_live_frames,
    sample_portrait,
)
from tests.identity.face_photos import face_photo

PERSON_A = ("obama_1.jpg", "obama_2.jpg", "obama_3.jpg", "obama_4_480p.jpg", "obama_5_small.jpg",
            "obama_partial_face.jpg")  # fmt: skip
PERSON_B = ("biden_1.jpg", "biden_2.jpg")
GENUINE = [*itertools.permutations(PERSON_A[:3], 2), *itertools.permutations(PERSON_B, 2),
           ("obama_1.jpg", "obama_4_480p.jpg"), ("obama_2.jpg", "obama_5_small.jpg"),
           ("obama_3.jpg", "obama_partial_face.jpg")]  # fmt: skip
IMPOSTOR = [(a, b) for a in ("obama_1.jpg", "obama_2.jpg", "obama_4_480p.jpg") for b in PERSON_B] + [
    (b, a) for b in PERSON_B for a in ("obama_3.jpg", "obama_5_small.jpg", "obama_partial_face.jpg")
]


def card_of(photo: np.ndarray) -> np.ndarray:
    """A card front whose portrait is this photo, cropped like an ID photo."""
    return make_card_image(sample_card(0), portrait=passport_crop(photo))


@pytest.mark.needs_faces
@pytest.mark.parametrize(("card_photo", "live_photo"), GENUINE)
def test_genuine_pairs_match(verifier: FaceVerifier, card_photo: str, live_photo: str) -> None:
    decision = verifier.verify(card_of(face_photo(card_photo)), [face_photo(live_photo)])
    assert decision.match, decision
    assert decision.reason is None
    assert decision.distance < verifier.config.face_threshold


@pytest.mark.needs_faces
@pytest.mark.parametrize(("card_photo", "live_photo"), IMPOSTOR)
def test_impostor_pairs_are_rejected(verifier: FaceVerifier, card_photo: str, live_photo: str) -> None:
    decision = verifier.verify(card_of(face_photo(card_photo)), [face_photo(live_photo)])
    assert not decision.match
    assert decision.reason == "not_same_person"
    assert decision.distance > verifier.config.face_threshold


@pytest.mark.needs_faces
def test_two_people_in_the_frame_asks_for_one(verifier: FaceVerifier) -> None:
    decision = verifier.verify(card_of(face_photo("obama_1.jpg")), [face_photo("two_people.jpg")])
    assert not decision.match
    assert decision.reason == "two_faces"


@pytest.mark.needs_faces
def test_k_of_n_over_a_mixed_sequence(verifier: FaceVerifier) -> None:
    card = card_of(face_photo("obama_1.jpg"))
    blank = np.full((480, 640, 3), 128, np.uint8)
    frames = [
        blank,
        face_photo("obama_4_480p.jpg"),
        face_photo("two_people.jpg"),
        face_photo("obama_5_small.jpg"),
    ]
    decision = verifier.verify(card, frames)
    assert decision.match
    assert decision.frames_matched == 2
    assert decision.frames_used == 2  # faces compared with the card
    impostor = verifier.verify(card, [face_photo("biden_2.jpg"), face_photo("obama_4_480p.jpg"), blank])
    assert not impostor.match  # one genuine frame is not two
    assert impostor.reason == "not_same_person"


def test_sample_person_matches_their_card(verifier: FaceVerifier) -> None:
    decision = verifier.verify(make_card_image(sample_card(1)), sample_live_frames(5, seed=1))
    assert decision.match
    assert decision.distance < 0.3
    assert decision.frames_used == 2  # stops as soon as k=2 frames matched


def test_card_without_portrait_says_so(verifier: FaceVerifier) -> None:
    card = make_card_image(sample_card(1), with_portrait=False)
    with pytest.raises(CardPortraitError) as caught:
        verifier.verify(card, sample_live_frames(2))
    assert caught.value.reason == "no_portrait"
    assert isinstance(caught.value, FaceError)
    with pytest.raises(CardPortraitError):
        find_card_portrait(card)


def test_two_cards_side_by_side_are_refused(verifier: FaceVerifier) -> None:
    card = make_card_image(sample_card(1))
    with pytest.raises(FaceError) as caught:
        verifier.verify(np.hstack([card, card]), sample_live_frames(2))
    assert caught.value.reason == "two_portraits"


def test_card_portrait_crop_holds_the_face() -> None:
    crop = find_card_portrait(make_card_image(sample_card(1)))
    # The portrait box on the 300 dpi card is 230 x 300 px; the crop is the face with a margin inside it.
    assert 100 <= crop.shape[1] <= 240
    assert 120 <= crop.shape[0] <= 310
    assert crop.shape[2] == 3


def test_no_face_and_face_too_small(verifier: FaceVerifier) -> None:
    card = make_card_image(sample_card(1))
    blank = [np.full((480, 640, 3), v, np.uint8) for v in (40, 200)]
    assert verifier.verify(card, blank).reason == "no_face"
    far = cv2.resize(sample_live_frames(1)[0], None, fx=0.55, fy=0.55)
    far_frame = np.full((480, 640, 3), 120, np.uint8)
    far_frame[100 : 100 + far.shape[0], 150 : 150 + far.shape[1]] = far
    decision = verifier.verify(card, [far_frame, far_frame])
    assert decision.reason == "face_too_small"
    assert not decision.match


def test_no_frames_and_bad_frames(verifier: FaceVerifier) -> None:
    card = make_card_image(sample_card(1))
    assert verifier.verify(card, []).reason == "no_frames"
    with pytest.raises(FaceError) as caught:
        verifier.verify(card, [np.zeros((0, 0), np.uint8)])
    assert caught.value.reason == "bad_image"


def test_time_limit_gives_timeout() -> None:
    ticks = itertools.count(0.0, 4.0)  # each clock read is 4 s later: the limit passes after one frame
    verifier = FaceVerifier(IdentityConfig(face_time_limit_s=6.0), clock=lambda: next(ticks))
    decision = verifier.verify(make_card_image(sample_card(1)), sample_live_frames(4))
    assert not decision.match
    assert decision.reason == "timeout"
    assert decision.frames_used == 1


def test_sample_portrait_is_bundled_and_has_one_face(verifier: FaceVerifier) -> None:
    portrait = sample_portrait()
    assert portrait.shape == (330, 304, 3)
    assert verifier.analyse_frame(portrait).status == "ok"


def test_a_small_face_in_the_background_is_not_a_second_person(verifier: FaceVerifier) -> None:
    portrait = sample_portrait()
    near = cv2.resize(portrait, None, fx=2.6, fy=2.6)  # the citizen, face ~ 230 px wide
    frame = np.full((480, 640, 3), 110, np.uint8)
    frame[:, 160:640] = near[60:540, 150:630]
    far = cv2.resize(portrait, None, fx=0.9, fy=0.9)  # someone queueing behind, face ~ 75 px
    frame[300:480, 0:150] = far[40:220, 70:220]
    analysed = verifier.analyse_frame(frame)
    assert analysed.status == "ok"
    assert analysed.box is not None
    assert analysed.box.width > 180


def test_a_whole_photo_as_card_portrait_is_framed_around_the_face(verifier: FaceVerifier) -> None:
    # A tall photo whose face is near the top: centre-cropping it to the card's 3:4 box would cut the face.
    portrait = sample_portrait()
    tall = np.vstack([portrait, np.full((700, portrait.shape[1], 3), 90, np.uint8)])
    card = make_card_image(sample_card(2), portrait=tall)
    assert verifier.verify(card, sample_live_frames(2, seed=9)).match


def test_frontal_frames_are_compared_before_turned_or_blinking_ones(verifier: FaceVerifier) -> None:
    from kiosk.identity.simulated_subject import _portrait_landmarks, close_eyes, turn_head

    card = make_card_image(sample_card(1))
    portrait, points = sample_portrait(), _portrait_landmarks()
    turned = sample_live_frames(1, seed=3, portrait=turn_head(portrait, points, 0.22))[0]
    blinking = sample_live_frames(1, seed=4, portrait=close_eyes(portrait, points))[0]
    frontal = sample_live_frames(2, seed=5)
    assert not verifier.analyse_frame(turned, encode=False).frontal
    assert not verifier.analyse_frame(blinking, encode=False).frontal
    assert verifier.analyse_frame(frontal[0], encode=False).frontal
    decision = verifier.verify(card, [turned, blinking, frontal[0], turned, frontal[1]])
    assert decision.match
    assert decision.distance < 0.2  # the two frontal faces decided it
    # With only turned and blinking frames, those are still compared rather than refused.
    fallback = verifier.verify(card, [turned, blinking])
    assert fallback.match
    assert fallback.frames_used == 2


def test_checks_on_several_threads_agree_with_one_thread(verifier: FaceVerifier) -> None:
    from concurrent.futures import ThreadPoolExecutor

    card = make_card_image(sample_card(1))
    frame_sets = [sample_live_frames(1, seed=s) for s in range(3)]
    alone = [verifier.verify(card, frames).distance for frames in frame_sets]
    with ThreadPoolExecutor(max_workers=3) as pool:
        together = list(pool.map(lambda frames: verifier.verify(card, frames).distance, frame_sets))
    assert together == pytest.approx(alone, abs=1e-9)


@pytest.mark.needs_faces
def test_genuine_match_survives_poor_camera_conditions(verifier: FaceVerifier) -> None:
    card = card_of(face_photo("obama_1.jpg"))
    live = face_photo("obama_4_480p.jpg")
    h, w = live.shape[:2]
    tilted = cv2.warpAffine(
        live, cv2.getRotationMatrix2D((w / 2, h / 2), 20, 1), (w, h), borderMode=cv2.BORDER_REFLECT
    )
    ok, jpeg = cv2.imencode(".jpg", live, [cv2.IMWRITE_JPEG_QUALITY, 15])
    assert ok
    conditions = {
        "dim": (live * 0.35).astype(np.uint8),
        "overexposed": np.clip(live * 1.6 + 30, 0, 255).astype(np.uint8),
        "head tilted 20 degrees": tilted,
        "JPEG q15": cv2.imdecode(jpeg, cv2.IMREAD_COLOR),
        "grey camera": cv2.cvtColor(cv2.cvtColor(live, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR),
    }
    for name, frame in conditions.items():
        decision = verifier.verify(card, [frame])
        assert decision.match, (name, decision)
        assert decision.distance < 0.4, (name, decision)


@pytest.mark.needs_faces
def test_someone_else_performing_the_challenge_is_caught(verifier: FaceVerifier) -> None:
    """The card holder's photo held up for the frontal frames, another person doing the turn and blink."""
    from kiosk.identity.liveness import landmarks_of
    from kiosk.identity.simulated_subject import close_eyes, turn_head

    card = make_card_image(sample_card(1))
    holder_photo = sample_live_frames(3, seed=8)
    other = face_photo("obama_4_480p.jpg")
    (other_face,) = landmarks_of(other)
    other_turning = turn_head(other, other_face.points, 0.22)
    other_blinking = close_eyes(other, other_face.points)
    assert not verifier.analyse_frame(other_turning, encode=False).frontal
    frames = [holder_photo[0], other_turning, holder_photo[1], other_blinking, holder_photo[2]]
    decision = verifier.verify(card, frames)
    assert not decision.match
    assert decision.reason == "different_people"
    # The same frames with the holder's own challenge faces pass.
    from kiosk.identity.simulated_subject import challenge_frames

    own = verifier.verify(card, challenge_frames("turn_left+blink", seed=8))
    assert own.match, own
