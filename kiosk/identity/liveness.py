"""Liveness: a random challenge the citizen performs in front of the camera, checked from face landmarks.

Qt-free and frame-driven: the UI (or a test) feeds frames one by one as the camera gives them and
shows the current step; ``LivenessChecker`` says pending, passed or failed (with a reason).

Measures (dlib's 68-point landmarks, iBUG numbering):
* blink: the eye aspect ratio EAR = (|p2-p6| + |p3-p5|) / (2 |p1-p4|) of both eyes (Soukupova and Cech,
  2016). A blink is EAR falling below 65 % of the open-eye value (the median over the step's open
  frames so far), then coming back above 80 % of it.
* turn left / right: the horizontal position of the nose tip (30) between the jaw ends (0 and 16),
  0.5 when frontal, must change by 0.10; "left" is the citizen's left (the raw, unmirrored camera image
  shows it to the right). The ratio alone does not prove a head: a flat photo tilted in perspective (not
  affine) moves it too, and dlib places a foreshortened print's landmarks as a turned head's. So a turn
  counts only when it also has a head's depth (kiosk/identity/liveness_planarity.py): the baseline's
  landmarks are followed by texture (optical flow after the landmarks' homography) over at least 3
  frames, and the nose tip must stand out of the best sheet bent about one axis (a print is flat or
  a cylinder; a head is curved both ways) and move further than its cheeks, by shares of the turn
  calibrated on a generic 3-D head against flat and bent prints. A picture fails with ``flat_picture``.
* move closer: the face (jaw width) grows by 30 % over the step's first frame.

A challenge is ``liveness_steps`` (default 2) random steps, exactly one of them a head turn, e.g. "turn
left, then blink": a print with cut-out eyes can blink (a real person's eyes behind the holes) and come
closer, only a head can turn with depth. A challenge without a turn is not passed
(``no_turn_in_challenge``) unless ``liveness_require_turn`` is off. Each step must be done within
``liveness_time_limit_s`` of the start; after ``liveness_max_attempts`` failed challenges the citizen
is sent to staff (``LivenessError``).

Screens: a phone or tablet replaying a video of the citizen has a real head's depth; its display's
pixel grid beats against the camera's into a moire across the face (kiosk/identity/screen_replay.py).
A challenge whose face frames mostly show one fails with ``screen_replay`` when it would have passed.

Replays: the same frame repeated (a frozen or looped still fed to the camera) is caught exactly; a still
image moved, scaled or jittered cannot blink or turn, so its challenge times out; the failure reason
says ``static_photo`` when all landmarks stayed one rigid shape (a similarity transform of the first).

What this does NOT cover (say so to anyone relying on it): a screen replaying a video of the same person
doing the drawn actions in the drawn order (random order makes it harder, not impossible: the video
has a real head's depth); a picture on a doubly-curved form (a mask, a print on a mannequin head);
3-D masks; a real-time deepfake or face-swap injected into the camera feed. Presentation-attack
detection in the ISO/IEC 30107-3 sense needs a depth or IR camera or a trained PAD model, and an
evaluation on real attack instruments. The APCER and BPCER reported (tests/identity/test_liveness*.py,
bench/liveness_bench.py, docs/LIVENESS.md) are measured only on generated landmark sequences and on
frames synthesised from single portraits: they show that the logic does what it says, not how it fares
against real attackers or real people's turns.
"""

from __future__ import annotations

import logging
import random
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import cv2
import numpy as np

from kiosk.identity.config import IdentityConfig
from kiosk.identity.dlib_models import FaceLandmarks, landmarks_of
from kiosk.identity.errors import LivenessError
from kiosk.identity.liveness_planarity import (
    MIN_TURN_FRAMES,
    TurnShape,
    moving_frames,
    track_points,
    turn_parallax,
    with_cheeks,
)
from kiosk.identity.screen_replay import moire_score, shows_a_screen

log = logging.getLogger(__name__)

BLINK_CLOSED_FRACTION = 0.65
BLINK_REOPEN_FRACTION = 0.80
MIN_OPEN_EAR = 0.15
TURN_RATIO_CHANGE = 0.10
CLOSER_GROWTH = 1.30
# Mean absolute grey-level difference below which two frames are the same picture. A camera's sensor
# noise alone gives ~1.5-3 grey levels; a decoded copy of one still gives 0.
SAME_FRAME_MAX_DIFF = 0.25
SAME_FRAME_RUN = 3
# Residual of a similarity fit (fraction of the face width) below which landmarks moved as one rigid plane.
RIGID_RESIDUAL = 0.012


class Action(StrEnum):
    blink = "blink"
    turn_left = "turn_left"
    turn_right = "turn_right"
    move_closer = "move_closer"


_NON_RIGID = (Action.blink, Action.turn_left, Action.turn_right)
_TURNS = (Action.turn_left, Action.turn_right)
# A turn judged "undecided" by the parallax test on this many frames counts as a flat picture.
MAX_UNDECIDED_TURN_FRAMES = 1


@dataclass(frozen=True)
class Challenge:
    steps: tuple[Action, ...]

    @property
    def name(self) -> str:
        return "+".join(step.value for step in self.steps)

    @property
    def has_turn(self) -> bool:
        """A head turn is the one step whose 3-D parallax a picture cannot make (liveness_planarity)."""
        return any(step in _TURNS for step in self.steps)

    @classmethod
    def parse(cls, text: str) -> Challenge:
        """`"turn_left+blink"` -> Challenge; ValueError names an unknown action."""
        steps = []
        for part in text.split("+"):
            try:
                steps.append(Action(part.strip()))
            except ValueError:
                known = ", ".join(a.value for a in Action)
                raise ValueError(f"unknown liveness action {part.strip()!r} (known: {known})") from None
        if not steps:
            raise ValueError("empty liveness challenge")
        return cls(tuple(steps))


def draw_challenge(steps: int = 2, rng: random.Random | None = None) -> Challenge:
    """A random challenge of `steps` distinct actions, exactly one of them a head turn (a printed face
    with cut-out eyes blinks and comes closer; only a turn needs a head, see liveness_planarity)."""
    rng = rng or random.Random(secrets.randbits(64))
    pool = list(Action)
    chosen: list[Action] = []
    for index in range(steps):
        candidates = [a for a in pool if a not in chosen]
        need_non_rigid = index == steps - 1 and not any(a in _NON_RIGID for a in chosen)
        if need_non_rigid:
            candidates = [a for a in candidates if a in _NON_RIGID]
        if index == steps - 1 and not any(a in _TURNS for a in chosen):
            candidates = [a for a in candidates if a in _TURNS]
        # Not two turns in one challenge: one is enough and two confuse people.
        if any(a in (Action.turn_left, Action.turn_right) for a in chosen):
            candidates = [a for a in candidates if a not in (Action.turn_left, Action.turn_right)]
        chosen.append(rng.choice(candidates))
    return Challenge(tuple(chosen))


def similarity_residual(a: np.ndarray, b: np.ndarray) -> float:
    """How far `b` is from the best similarity transform (scale, rotation, shift) of `a`, as a fraction
    of the face width: ~0 for a photo moved in its plane, larger when the face itself changed."""
    a0, b0 = a - a.mean(axis=0), b - b.mean(axis=0)
    za = a0[:, 0] + 1j * a0[:, 1]
    zb = b0[:, 0] + 1j * b0[:, 1]
    scale_rot = np.vdot(za, zb) / max(1e-9, float(np.vdot(za, za).real))
    residual = np.abs(zb - scale_rot * za)
    width = max(1e-6, float(np.linalg.norm(b[16] - b[0])))
    return float(np.sqrt(np.mean(residual**2)) / width)


class LivenessState(StrEnum):
    pending = "pending"
    passed = "passed"
    failed = "failed"


@dataclass
class _StepProgress:
    open_ears: list[float] = field(default_factory=list)
    baseline_ratio: float | None = None
    baseline_width: float | None = None
    eyes_closed: bool = False
    # A turn: the step's first landmarks, the later ones, and the frames the parallax left undecided.
    baseline_points: np.ndarray | None = None
    baseline_grey: np.ndarray | None = None
    previous_grey: np.ndarray | None = None  # the turn's last frame, to follow a quick turn step by step
    turn_points: list[np.ndarray] = field(default_factory=list)
    turn_ratio_changes: list[float] = field(default_factory=list)
    undecided_turns: int = 0
    flat_turn: bool = False


@dataclass
class LivenessStatus:
    state: LivenessState
    challenge: Challenge
    step_index: int
    reason: str | None = None
    frames_seen: int = 0

    @property
    def current_step(self) -> Action | None:
        return self.challenge.steps[self.step_index] if self.step_index < len(self.challenge.steps) else None


@dataclass
class LivenessChecker:
    """One citizen's liveness check: a challenge, attempts, and the frames fed so far (see module doc)."""

    config: IdentityConfig = field(default_factory=IdentityConfig)
    rng: random.Random | None = None
    clock: Callable[[], float] = time.monotonic
    challenge: Challenge | None = None

    def __post_init__(self) -> None:
        self.attempt = 0
        self._start_attempt(self.challenge)

    # -- attempts ------------------------------------------------------------------------------------

    def _start_attempt(self, challenge: Challenge | None = None) -> None:
        self.attempt += 1
        self.challenge = challenge or draw_challenge(self.config.liveness_steps, self.rng)
        self._started = self.clock()
        self._step = 0
        self._progress = _StepProgress()
        self._state = LivenessState.pending
        self._reason: str | None = None
        self._frames = 0
        self._first_points: np.ndarray | None = None
        self._max_residual = 0.0
        self._previous_grey: np.ndarray | None = None
        self._current_grey: np.ndarray | None = None
        self._same_run = 0
        self._moire_scores: list[float] = []
        log.info("liveness attempt %d: challenge %s", self.attempt, self.challenge.name)
        if self.config.liveness_require_turn and not self.challenge.has_turn:
            # Not a challenge the kiosk draws: a picture with cut-out eyes could pass it.
            self._fail("no_turn_in_challenge")

    @property
    def attempts_left(self) -> int:
        return max(0, self.config.liveness_max_attempts - self.attempt)

    def retry(self) -> Challenge:
        """A new random challenge after a failure; LivenessError (send to staff) when attempts are used up."""
        if self._state is LivenessState.passed:
            raise RuntimeError("liveness already passed")
        if self.attempts_left <= 0:
            raise LivenessError(
                "the liveness check failed too many times: please ask a member of staff",
                reason="too_many_attempts",
            )
        self._start_attempt()
        assert self.challenge is not None
        return self.challenge

    # -- feeding -------------------------------------------------------------------------------------

    def status(self) -> LivenessStatus:
        assert self.challenge is not None
        return LivenessStatus(self._state, self.challenge, self._step, self._reason, self._frames)

    def _forget(self) -> None:
        """Drop the last frame and the landmarks kept for the replay checks (memory only, but not longer
        than needed)."""
        if self._previous_grey is not None:
            self._previous_grey.fill(0)
        self._previous_grey = None
        self._first_points = None
        self._current_grey = None
        self._moire_scores = []
        self._drop_turn(self._progress)

    @staticmethod
    def _drop_turn(progress: _StepProgress) -> None:
        for grey in (progress.baseline_grey, progress.previous_grey):
            if grey is not None:
                grey.fill(0)
        progress.baseline_grey = None
        progress.previous_grey = None
        progress.baseline_points = None
        progress.turn_points.clear()
        progress.turn_ratio_changes.clear()

    def _fail(self, reason: str) -> LivenessStatus:
        self._state, self._reason = LivenessState.failed, reason
        self._forget()
        log.info("liveness attempt %d failed: %s", self.attempt, reason)
        return self.status()

    def _timed_out(self) -> bool:
        return self.clock() - self._started > self.config.liveness_time_limit_s

    def feed_frame(self, frame: np.ndarray) -> LivenessStatus:
        """Feed one camera frame (BGR); finds the face's landmarks and checks repeats of the same picture."""
        if self._state is not LivenessState.pending:
            return self.status()
        grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
        if self._previous_grey is not None and self._previous_grey.shape == grey.shape:
            diff = float(np.mean(cv2.absdiff(grey, self._previous_grey)))
            self._same_run = self._same_run + 1 if diff < SAME_FRAME_MAX_DIFF else 0
            if self._same_run >= SAME_FRAME_RUN - 1:
                self._previous_grey = None
                return self._fail("static_replay")
        self._previous_grey = grey.copy()
        faces = landmarks_of(frame, self.config.detection_width_px)
        if len(faces) > 1:
            return self.feed_landmarks(None, reason_if_absent="two_faces")
        if len(faces) == 1:
            self._moire_scores.append(moire_score(grey, faces[0].points))
        # A turn step follows the face's texture in this frame (liveness_planarity.track_points).
        self._current_grey = self._previous_grey
        try:
            return self.feed_landmarks(faces[0] if faces else None)
        finally:
            self._current_grey = None

    def feed_landmarks(
        self, face: FaceLandmarks | None, *, reason_if_absent: str = "no_face"
    ) -> LivenessStatus:
        """Feed the landmarks of one frame (None: no usable face in it)."""
        if self._state is not LivenessState.pending:
            return self.status()
        self._frames += 1
        if self._timed_out():
            rigid = self._first_points is not None and self._max_residual < RIGID_RESIDUAL
            return self._fail("static_photo" if rigid else "timeout")
        if face is None:
            return self.status()
        if self._first_points is None:
            self._first_points = face.points.copy()
        else:
            self._max_residual = max(self._max_residual, similarity_residual(self._first_points, face.points))
        assert self.challenge is not None
        action = self.challenge.steps[self._step]
        done = self._step_done(action, face)
        if self._progress.flat_turn:
            return self._fail("flat_picture")
        if done:
            self._step += 1
            self._drop_turn(self._progress)
            self._progress = _StepProgress()
            if self._step >= len(self.challenge.steps):
                if self._shows_a_screen():
                    return self._fail("screen_replay")
                self._state = LivenessState.passed
                self._forget()
                log.info("liveness attempt %d passed: %s", self.attempt, self.challenge.name)
            else:
                # The frame that finished one step is the baseline of the next.
                self._step_done(self.challenge.steps[self._step], face)
        return self.status()

    def _step_done(self, action: Action, face: FaceLandmarks) -> bool:
        p = self._progress
        if action is Action.blink:
            ear = face.eye_aspect_ratio()
            if not p.open_ears:
                if ear >= MIN_OPEN_EAR:
                    p.open_ears.append(ear)
                return False
            # The open-eye value is the median of the step's open frames: robust to one odd pose.
            baseline = float(np.median(p.open_ears[-5:]))
            if not p.eyes_closed:
                if ear < BLINK_CLOSED_FRACTION * baseline:
                    p.eyes_closed = True
                else:
                    p.open_ears.append(ear)
                return False
            return ear > BLINK_REOPEN_FRACTION * baseline
        if action in (Action.turn_left, Action.turn_right):
            ratio = face.nose_ratio()
            if p.baseline_ratio is None:
                p.baseline_ratio = ratio
                p.baseline_points = with_cheeks(face.points)
                p.baseline_grey = None if self._current_grey is None else self._current_grey.copy()
                return False
            if p.baseline_points is not None:
                if p.baseline_grey is not None and self._current_grey is not None:
                    # Where the baseline's landmarks went by texture, not where dlib's face prior puts them.
                    previous = None
                    if p.previous_grey is not None and p.turn_points:
                        previous = (p.previous_grey, p.turn_points[-1])
                    later = track_points(
                        p.baseline_grey,
                        self._current_grey,
                        p.baseline_points,
                        with_cheeks(face.points),
                        previous,
                    )
                    p.previous_grey = self._current_grey.copy()
                else:
                    later = with_cheeks(face.points)
                p.turn_points.append(later)
                p.turn_ratio_changes.append(ratio - p.baseline_ratio)
            # The citizen's left is the image's right in a raw camera frame: the nose ratio grows.
            change = ratio - p.baseline_ratio
            turned = (
                change >= TURN_RATIO_CHANGE if action is Action.turn_left else change <= -TURN_RATIO_CHANGE
            )
            return self._turned_in_3d(face) if turned else False
        width = face.face_width()
        if p.baseline_width is None:
            p.baseline_width = width
            return False
        return width >= CLOSER_GROWTH * p.baseline_width

    def _shows_a_screen(self) -> bool:
        """The challenge was done, but on a display (screen_replay): most face frames showed a moire."""
        if shows_a_screen(self._moire_scores):
            log.info("liveness attempt %d: the face was shown on a screen (moire)", self.attempt)
            return True
        return False

    def _turned_in_3d(self, face: FaceLandmarks) -> bool:
        """The nose ratio says the head turned: did it move as a head (liveness_planarity)? A flat or bent
        picture sets `flat_turn`; too few frames yet, or an undecided one, waits for the next frame."""
        p = self._progress
        if p.baseline_points is None or moving_frames(p.turn_ratio_changes) < MIN_TURN_FRAMES:
            return False
        evidence = turn_parallax(p.baseline_points, p.turn_points, p.turn_ratio_changes)
        if evidence.frames < MIN_TURN_FRAMES:
            return False  # the texture was lost in too many frames to judge yet
        shape = evidence.shape
        if shape is TurnShape.undecided:
            p.undecided_turns += 1
            if p.undecided_turns <= MAX_UNDECIDED_TURN_FRAMES:
                return False
            shape = TurnShape.flat
        if shape is TurnShape.flat:
            log.info(
                "liveness attempt %d: turn without a head's depth (%s)", self.attempt, evidence.describe()
            )
            p.flat_turn = True
            return False
        return True

    def finish(self) -> LivenessStatus:
        """No more frames for this attempt: a challenge still pending has failed."""
        if self._state is LivenessState.pending:
            rigid = self._first_points is not None and self._max_residual < RIGID_RESIDUAL
            if self._first_points is None:
                return self._fail("no_face")
            return self._fail("static_photo" if rigid else "challenge_not_done")
        return self.status()


@dataclass(frozen=True)
class LivenessResult:
    passed: bool
    challenge: str
    reason: str | None
    frames_used: int

    def record(self) -> str:
        """What the visit record keeps: `passed:turn_left+blink` or `failed:timeout:blink`."""
        return f"passed:{self.challenge}" if self.passed else f"failed:{self.reason}:{self.challenge}"


# Time between two captured frames as check_challenge counts it (a 15 fps camera).
CAPTURED_FRAME_S = 1 / 15


class _CapturedFramesClock:
    """The checker's clock over captured frames: each reading (one per frame fed) is one frame later."""

    def __init__(self) -> None:
        self._now = 0.0

    def __call__(self) -> float:
        self._now += CAPTURED_FRAME_S
        return self._now


def check_challenge(
    challenge: str | Challenge,
    frames: Sequence[np.ndarray],
    config: IdentityConfig | None = None,
    *,
    clock: Callable[[], float] | None = None,
) -> LivenessResult:
    """Check a challenge on frames already captured (in order) during it; one attempt, no retries.

    For frames captured over the challenge's time window (the capture loop enforces the window); the
    time limit applies through `clock`. By default each frame counts as one camera frame later
    (`CAPTURED_FRAME_S`), not as the time this machine takes to process it: a loaded CPU (or the first
    load of the dlib models) must not turn a citizen's performance into a timeout.
    """
    chosen = Challenge.parse(challenge) if isinstance(challenge, str) else challenge
    checker = LivenessChecker(
        config or IdentityConfig(), challenge=chosen, clock=clock or _CapturedFramesClock()
    )
    for frame in frames:
        status = checker.feed_frame(frame)
        if status.state is not LivenessState.pending:
            break
    status = checker.finish()
    return LivenessResult(
        status.state is LivenessState.passed, chosen.name, status.reason, status.frames_seen
    )


def run_liveness(
    next_frame: Callable[[], np.ndarray],
    config: IdentityConfig | None = None,
    *,
    on_challenge: Callable[[Challenge], None] | None = None,
    frames_per_attempt: int = 24,
    rng: random.Random | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> LivenessResult:
    """Run the whole liveness check on a camera: draw a challenge, tell `on_challenge` (the screen shows
    it; a simulated person performs it), feed up to `frames_per_attempt` frames, retry with a new
    challenge until the attempts are used up. Returns the last attempt's result; the caller sends the
    citizen to staff when it did not pass."""
    checker = LivenessChecker(config or IdentityConfig(), rng=rng, clock=clock)
    while True:
        assert checker.challenge is not None
        if on_challenge is not None:
            on_challenge(checker.challenge)
        status = checker.status()
        for _ in range(frames_per_attempt):
            status = checker.feed_frame(next_frame())
            if status.state is not LivenessState.pending:
                break
        status = checker.finish()
        result = LivenessResult(
            status.state is LivenessState.passed, status.challenge.name, status.reason, status.frames_seen
        )
        if result.passed or checker.attempts_left <= 0:
            return result
        checker.retry()
