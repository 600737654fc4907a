"""A simulated citizen for the simulated camera: frames of the sample portrait performing a challenge.

The portrait is a single still photo, so every "action" is synthesised by warping it:
* turn left / right: the landmarks get the depths of a generic 3-D head (kiosk.identity.head_motion),
  are turned about the neck and projected, and the portrait is warped piecewise-affinely onto them: the
  nose moves further than the nasion, chin and cheeks behind it (a flat or bent photo would not, and
  fails the parallax test of liveness_planarity). Only the landmarks' motion is 3-D: the skin between
  them is stretched as a 2-D warp, nothing is hidden by the turn, and the ears do not turn away;
* blink: each eye region is squashed vertically towards the eye's centre line, closing the lids;
* move closer: the portrait is drawn larger.
Frames are composed like `kiosk.samples.card.sample_live_frames` (jitter, brightness, sensor noise).

What passing liveness on these frames proves: the whole chain (camera feed -> landmarks -> challenge
logic -> verdict) works on a face that does what it is asked, and the demo passes it honestly (the
frames are generated for the drawn challenge, nothing is bypassed). What it does not prove: anything
about real people or real attacks; the synthetic motion is exactly what the checker looks for.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cache

import cv2
import numpy as np

from kiosk.identity.head_motion import head_pose_landmarks, warp_to_landmarks
from kiosk.identity.liveness import Action, Challenge, FaceLandmarks, landmarks_of
from kiosk.identity.sample_landmarks import SAMPLE_PORTRAIT_LANDMARKS
from kiosk.samples.card import compose_frame, sample_portrait

# A camera gives 10-15 frames a second: a turn spans several frames, as the parallax test needs.
FRAMES_PER_STEP = 6


@cache
def _portrait_landmarks() -> np.ndarray:
    # dlib's landmarks of the bundled portrait, precomputed: the screen's process never loads dlib for them
    return np.array(SAMPLE_PORTRAIT_LANDMARKS, dtype=np.float64)


def measured_portrait_landmarks() -> np.ndarray:
    """The bundled portrait's landmarks as dlib finds them now (what SAMPLE_PORTRAIT_LANDMARKS fixes)."""
    portrait = sample_portrait()
    faces = landmarks_of(portrait, detection_width_px=portrait.shape[1])
    if len(faces) != 1:
        raise RuntimeError("the sample portrait must show exactly one face")
    return faces[0].points


# Yaw of the generic 3-D head per unit of `amount` (0.22, the full turn of a challenge, is ~17 degrees).
YAW_PER_AMOUNT_DEG = 78.0


def turn_head(portrait: np.ndarray, points: np.ndarray, amount: float) -> np.ndarray:
    """The portrait's head turned in 3-D (positive `amount`: the nose to the image's right): its landmarks
    are given the depths of a generic head (kiosk.identity.head_motion), rotated about the neck and
    projected, and the image is warped piecewise-affinely onto them. The nose tip moves further than
    the nasion, chin and cheeks behind it, as on a real head (which a flat or bent picture cannot do)."""
    target = head_pose_landmarks(points, yaw=float(np.radians(amount * YAW_PER_AMOUNT_DEG)))
    return warp_to_landmarks(portrait, points, target)


def close_eyes(portrait: np.ndarray, points: np.ndarray, closed: float = 1.0) -> np.ndarray:
    """Shut both eyes: cover each with the eyelid skin above it and draw the lash line.

    The proportions were tuned so that dlib's 68-point model sees the eye aspect ratio fall to ~45 % of
    its open value on the sample portrait (a real blink falls to ~20-50 %).
    """
    out = portrait.astype(np.float32)
    h, w = portrait.shape[:2]
    for eye in (points[36:42], points[42:48]):
        eye_h = max(3.0, float(eye[:, 1].max() - eye[:, 1].min()))
        hull_mask = np.zeros((h, w), np.float32)
        cv2.fillConvexPoly(hull_mask, cv2.convexHull(eye.astype(np.int32)), 1.0)
        grown = cv2.dilate(hull_mask, np.ones((3, 3), np.uint8), iterations=max(1, round(eye_h * 0.35)))
        mask: np.ndarray = cv2.GaussianBlur(grown, (0, 0), max(1.0, eye_h * 0.25)) * closed
        lid = np.roll(out, round(eye_h * 1.8), axis=0)  # the skin above the eye, moved down over it
        out = out * (1 - mask[..., None]) + lid * mask[..., None]
        corner_a, corner_b = eye[0], eye[3]
        lash_y = float(eye[:, 1].mean()) + eye_h * 0.3
        lash = (
            np.array([corner_a, [(corner_a[0] + corner_b[0]) / 2, lash_y], corner_b], dtype=np.float64)
            .round()
            .astype(np.int32)
        )
        cv2.polylines(out, [lash], False, (35, 40, 55), 1, cv2.LINE_AA)
    return np.clip(out, 0, 255).astype(np.uint8)


def _pose_sequence(action: Action, n: int) -> list[dict[str, float]]:
    """Per frame: turn amount, eye closure and scale for one step of `n` frames (starts and ends neutral
    enough for the next step)."""
    neutral = {"turn": 0.0, "closed": 0.0, "scale": 1.0}
    out = [dict(neutral) for _ in range(n)]
    if action is Action.blink:
        out[n // 2]["closed"] = 1.0
    elif action in (Action.turn_left, Action.turn_right):
        # The citizen's left is the image's right in a raw camera frame.
        sign = 1.0 if action is Action.turn_left else -1.0
        for i in range(1, n):
            out[i]["turn"] = sign * min(1.0, i / max(1, n - 2)) * 0.22
    else:
        for i in range(1, n):
            out[i]["scale"] = 1.0 + min(1.0, i / max(1, n - 2)) * 0.45
    return out


def challenge_frames(
    challenge: Challenge | str,
    *,
    frames_per_step: int = FRAMES_PER_STEP,
    seed: int = 0,
    portrait: np.ndarray | None = None,
    points: np.ndarray | None = None,
) -> list[np.ndarray]:
    """640x480 BGR frames of the sample person (or of `portrait`, whose 68 landmarks are `points`)
    performing `challenge`, step after step."""
    chosen = Challenge.parse(challenge) if isinstance(challenge, str) else challenge
    if portrait is None or points is None:
        portrait, points = sample_portrait(), _portrait_landmarks()
    rng = np.random.default_rng(seed)
    frames = []
    carry_turn = 0.0
    for step in chosen.steps:
        poses = _pose_sequence(step, max(3, frames_per_step))
        if step in (Action.turn_left, Action.turn_right):
            carry_turn = 0.0
        for pose in poses:
            image = portrait
            turn = pose["turn"] or carry_turn
            if turn:
                image = turn_head(image, points, turn)
            if pose["closed"]:
                image = close_eyes(image, points, pose["closed"])
            frames.append(
                compose_frame(image, rng=rng, face_height_fraction=0.8 * pose["scale"], jitter_px=4.0)
            )
        carry_turn = 0.0
    return frames


def replayed_still_frames(n: int, *, seed: int = 0, jitter: bool = True) -> list[np.ndarray]:
    """An attack for the tests: one still photo of the person shown to the camera, moved about
    (jitter=True: shifted, scaled, lit differently) or frozen (jitter=False: the same frame n times)."""
    rng = np.random.default_rng(seed)
    still = compose_frame(sample_portrait(), rng=rng, face_height_fraction=0.8)
    if not jitter:
        return [still.copy() for _ in range(n)]
    return [
        compose_frame(
            sample_portrait(),
            rng=rng,
            face_height_fraction=0.8 * (1 + 0.08 * i / max(1, n)),
            jitter_px=12.0,
            scale_jitter=0.05,
        )
        for i in range(n)
    ]


class SimulatedSubject:
    """The person in front of the simulated camera: idle frames, or the frames of a requested challenge.

    The kiosk's composition root gives `next_frame` to the simulated camera and calls `perform(challenge)`
    when the flow draws one, so the demo passes liveness by performing it, not by skipping it.
    """

    def __init__(self, seed: int = 0) -> None:
        self._seed = seed
        self._lock = threading.Lock()
        self._queue: list[np.ndarray] = []
        self._rng = np.random.default_rng(seed)

    def perform(self, challenge: Challenge | str, *, frames_per_step: int = FRAMES_PER_STEP) -> None:
        frames = challenge_frames(challenge, frames_per_step=frames_per_step, seed=self._seed)
        with self._lock:
            self._queue = frames

    def hold(self, picture: np.ndarray, frames: int = 1) -> None:
        """The citizen holds something up to the camera (a printed copy to check): the next `frames` frames
        show `picture` instead of their face."""
        with self._lock:
            self._queue = [picture] * max(1, frames)

    def next_frame(self) -> np.ndarray:
        with self._lock:
            if self._queue:
                return self._queue.pop(0)
            return compose_frame(sample_portrait(), rng=self._rng, face_height_fraction=0.8, jitter_px=4.0)


def measure(frames: Sequence[np.ndarray]) -> list[tuple[float, float, float] | None]:
    """(EAR, nose ratio, face width) per frame, for tests and the bench."""
    out: list[tuple[float, float, float] | None] = []
    for frame in frames:
        faces: list[FaceLandmarks] = landmarks_of(frame)
        out.append(
            (faces[0].eye_aspect_ratio(), faces[0].nose_ratio(), faces[0].face_width())
            if len(faces) == 1
            else None
        )
    return out
