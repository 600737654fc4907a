"""Varied genuine performances of a liveness challenge, for the tests and bench/liveness_bench.py.

`kiosk.identity.simulated_subject` performs every challenge the same way (one turn amplitude, one speed,
even light). A citizen does not: an elderly person turns less and more slowly, a flatter nose gives less
depth, the kiosk's light comes from one side, a cheap camera is noisy. `performance` makes the frames of
one challenge with such variations (`Performance`), from one frontal portrait and its 68 landmarks:

* the head turn about the neck by the generic 3-D head of `kiosk.identity.head_motion` (`depth_scale`
  makes it flatter or deeper than the generic one), with a small nod (`pitch_deg`);
* the turn's amplitude (`turn_deg`) and speed (`frames_per_step`: 4 is a quick person at 15 fps);
* light: an overall gain, a gradient across the face (light from one side), a gamma, per-frame exposure
  jitter; camera noise;
* a blink: `simulated_subject.close_eyes` was made for the bundled portrait and on other photos dlib
  often still sees open eyes; `shut_eyes` tries it and two other ways of closing the lids (the eye
  painted over with the skin around it, a lash line of 1 or 2 px) and keeps the one whose eyes dlib
  finds the most closed, so that a genuine blink is one the checker can see.

The motion is still an approximation made from one photo (see head_motion): the landmarks move as a
head's would, the skin between them is stretched in 2-D. No image is written to disk.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.identity.dlib_models import landmarks_of
from kiosk.identity.head_motion import head_pose_landmarks, warp_to_landmarks
from kiosk.identity.liveness import Action, Challenge
from kiosk.identity.simulated_subject import close_eyes
from kiosk.samples.card import compose_frame


@dataclass(frozen=True)
class Performance:
    """How one citizen performs a challenge (see the module doc)."""

    turn_deg: float = 17.0
    frames_per_step: int = 6
    depth_scale: float = 1.0
    pitch_deg: float = 0.0
    gain: float = 1.0
    side_light: float = 0.0  # brightness change from the left edge of the frame to the right, -0.4..0.4
    gamma: float = 1.0
    exposure_jitter: float = 0.08
    noise_sigma: float = 2.0
    jitter_px: float = 4.0

    def describe(self) -> str:
        return (
            f"turn {self.turn_deg:.0f} deg in {self.frames_per_step} frames, depth x{self.depth_scale:.2f}, "
            f"light x{self.gain:.2f} side {self.side_light:+.2f} gamma {self.gamma:.2f}, noise {self.noise_sigma:.1f}"
        )


def _light(frame: np.ndarray, how: Performance) -> np.ndarray:
    width = frame.shape[1]
    ramp = 1 + how.side_light * (np.linspace(-0.5, 0.5, width, dtype=np.float32))
    out = frame.astype(np.float32) / 255.0
    out = np.power(np.clip(out * how.gain * ramp[None, :, None], 0, 1), how.gamma) * 255.0
    return np.clip(out, 0, 255).astype(np.uint8)


def _painted_shut(portrait: np.ndarray, points: np.ndarray, lash_px: int) -> np.ndarray:
    """The eyes painted over with the skin around them (inpainting), and a closed lid's lash line."""
    height, width = portrait.shape[:2]
    mask: np.ndarray = np.zeros((height, width), np.uint8)
    for eye in (points[36:42], points[42:48]):
        cv2.fillConvexPoly(mask, cv2.convexHull(np.round(eye).astype(np.int32)), 255)
    grow = max(1, round(float(np.ptp(points[36:42, 0])) * 0.12))
    mask = cv2.dilate(mask, np.ones((3, 3), np.uint8), iterations=grow)
    out = cv2.inpaint(portrait, mask, 3, cv2.INPAINT_TELEA)
    for eye in (points[36:42], points[42:48]):
        a, b = eye[0], eye[3]
        xs = np.linspace(a[0], b[0], 9)
        low = float(eye[:, 1].mean()) + 0.25 * float(np.ptp(eye[:, 1]))
        ys = np.interp(xs, [a[0], (a[0] + b[0]) / 2, b[0]], [a[1], low, b[1]])
        cv2.polylines(
            out, [np.c_[xs, ys].round().astype(np.int32)], False, (30, 32, 40), lash_px, cv2.LINE_AA
        )
    return np.asarray(out)


_SHUT: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def shut_eyes(portrait: np.ndarray, points: np.ndarray) -> np.ndarray:
    """The portrait with its eyes closed, the way dlib sees as the most closed (module doc). Memoised per
    portrait object while it lives (memory only)."""
    known = _SHUT.get(id(portrait))
    if known is not None and known[0] is portrait:
        return known[1]
    candidates = [
        close_eyes(portrait, points),
        _painted_shut(portrait, points, 1),
        _painted_shut(portrait, points, 2),
    ]
    rng = np.random.default_rng(0)

    def ear(image: np.ndarray) -> float:
        faces = landmarks_of(compose_frame(image, rng=rng, face_height_fraction=0.8, jitter_px=0))
        return faces[0].eye_aspect_ratio() if len(faces) == 1 else float("inf")

    best = min(candidates, key=ear)
    _SHUT.clear()
    _SHUT[id(portrait)] = (portrait, best)
    return best


def performance(
    challenge: Challenge | str,
    portrait: np.ndarray,
    points: np.ndarray,
    how: Performance = Performance(),
    *,
    seed: int = 0,
) -> list[np.ndarray]:
    """640x480 BGR frames of the portrait's person performing `challenge` the way `how` says."""
    chosen = Challenge.parse(challenge) if isinstance(challenge, str) else challenge
    rng = np.random.default_rng(seed)
    n = max(3, how.frames_per_step)
    frames = []
    for step in chosen.steps:
        for i in range(n):
            progress = min(1.0, i / max(1, n - 2))
            image, scale = portrait, 1.0
            if step in (Action.turn_left, Action.turn_right):
                # The citizen's left is the image's right in a raw camera frame.
                sign = 1.0 if step is Action.turn_left else -1.0
                target = head_pose_landmarks(
                    points,
                    yaw=float(np.radians(sign * how.turn_deg * progress)),
                    pitch=float(np.radians(how.pitch_deg * progress)),
                    depth_scale=how.depth_scale,
                )
                if i:
                    image = warp_to_landmarks(portrait, points, target)
            elif step is Action.blink and i == n // 2:
                image = shut_eyes(portrait, points)
            elif step is Action.move_closer:
                scale = 1.0 + progress * 0.45
            frame = compose_frame(
                image,
                rng=rng,
                face_height_fraction=0.8 * scale,
                jitter_px=how.jitter_px,
                brightness_jitter=how.exposure_jitter,
                noise_sigma=how.noise_sigma,
            )
            frames.append(_light(frame, how))
    return frames


def varied_performances(count: int, *, held_out: bool, seed: int = 0) -> list[Performance]:
    """`count` citizens drawn at random. The tuned set and the held-out set draw from different ranges
    (the held-out one: smaller and larger turns, flatter heads, harsher light, more noise), so that a
    threshold set on one is checked on motion and light it never saw."""
    rng = np.random.default_rng(seed + (1000 if held_out else 0))
    out = []
    for _ in range(count):
        if held_out:
            out.append(
                Performance(
                    turn_deg=float(rng.choice([rng.uniform(12.5, 14.0), rng.uniform(22.0, 28.0)])),
                    frames_per_step=int(rng.choice([4, 8, 9])),
                    depth_scale=float(rng.uniform(0.65, 0.8)),
                    pitch_deg=float(rng.uniform(-6, 6)),
                    gain=float(rng.choice([rng.uniform(0.55, 0.7), rng.uniform(1.2, 1.35)])),
                    side_light=float(rng.choice([-1, 1]) * rng.uniform(0.3, 0.45)),
                    gamma=float(rng.uniform(0.75, 1.3)),
                    exposure_jitter=float(rng.uniform(0.02, 0.1)),
                    noise_sigma=float(rng.uniform(3.0, 5.0)),
                )
            )
        else:
            out.append(
                Performance(
                    turn_deg=float(rng.uniform(14.5, 21.0)),
                    frames_per_step=int(rng.choice([5, 6, 7])),
                    depth_scale=float(rng.uniform(0.8, 1.2)),
                    pitch_deg=float(rng.uniform(-3, 3)),
                    gain=float(rng.uniform(0.75, 1.15)),
                    side_light=float(rng.uniform(-0.25, 0.25)),
                    gamma=float(rng.uniform(0.85, 1.15)),
                    exposure_jitter=float(rng.uniform(0.0, 0.08)),
                    noise_sigma=float(rng.uniform(1.0, 3.0)),
                )
            )
    return out
