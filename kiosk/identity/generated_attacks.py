"""Generated presentation attacks on the liveness challenge, for the tests and bench/liveness_bench.py.

Each attack turns one still camera frame of a person (`still`, with the face's 68 landmarks `face`) into
the frames an attacker would show while the kiosk asks for `challenge`:

* `print_tilted`: the still printed and held up, turned about the sheet's vertical axis (up to
  `max_yaw_deg`, 55 by default) in perspective for a turn step and brought closer for move-closer: the
  attack that passed `turn_left+move_closer` before the parallax test;
* `print_bent`: the same sheet bent into a cylinder about a vertical (or horizontal) axis, then turned;
* `print_cut_out_eyes`: the tilted print with the eyes cut out and a real person's eyes blinking behind
  the holes (the eye regions close on the blink frame);
* `screen_tilted`: the still shown on a phone or tablet screen (moire from the screen's pixel grid
  against the camera's, brightness flicker from the backlight), turned like the print;
* `screen_video`: a screen held still replaying a video of the genuine person performing the same
  challenge (with moire and flicker): the one attack here that geometry cannot refuse;
* `repeated_still`: the same frame over and over.

Sheet geometry comes from `kiosk.identity.head_motion.picture_pose_landmarks` applied to a grid over
the whole still, warped piecewise-affinely. Moire and flicker are synthetic (a fine rotated grating
and a per-frame gain), not a photograph of a real screen.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from kiosk.identity.head_motion import grid_triangles, picture_pose_landmarks, piecewise_warp
from kiosk.identity.liveness import Action, Challenge
from kiosk.identity.simulated_subject import close_eyes

ATTACK_FRAMES_PER_STEP = 6
SHEET_DISTANCE = 4.0  # half face widths from the camera: a print held close to fill the frame
BACKGROUND = (92, 96, 100)


def _grid(width: int, height: int, columns: int = 17, rows: int = 13) -> np.ndarray:
    xs, ys = np.meshgrid(np.linspace(0, width - 1, columns), np.linspace(0, height - 1, rows))
    return np.c_[xs.ravel(), ys.ravel()]


def _nose_ratio(points: np.ndarray) -> float:
    return float((points[30, 0] - points[0, 0]) / max(1e-6, points[16, 0] - points[0, 0]))


def _poses(challenge: Challenge, per_step: int) -> list[dict[str, float]]:
    """Per frame: the sheet's turn (-1..1 of the maximum, signed by the asked direction), how much closer,
    and whether the eyes (behind cut-out holes) are closed."""
    poses = []
    closer = 1.0
    for step in challenge.steps:
        for i in range(per_step):
            progress = min(1.0, i / max(1, per_step - 2))
            turn = 0.0
            if step in (Action.turn_left, Action.turn_right):
                turn = (1.0 if step is Action.turn_left else -1.0) * progress
            # Perspective exaggerates a tilt the closer the sheet is: the attacker brings it closer as it turns.
            growth = 0.45 if step is Action.move_closer else 0.35 if turn else 0.0
            poses.append(
                {
                    "turn": turn,
                    "closer": closer * (1 + growth * progress),
                    "closed": float(step is Action.blink and i == 2),
                }
            )
        if step is Action.move_closer:
            closer *= 1.45
        elif step in (Action.turn_left, Action.turn_right):
            closer *= 1.35
    return poses


def _sheet_frames(
    still: np.ndarray,
    face: np.ndarray,
    challenge: Challenge,
    *,
    max_yaw_deg: float,
    bend_radius: float | None = None,
    bend_axis: str = "vertical",
    cut_out_eyes: bool = False,
    per_step: int = ATTACK_FRAMES_PER_STEP,
    rng: np.random.Generator,
    look: Callable[[np.ndarray, int], np.ndarray] | None = None,
) -> list[np.ndarray]:
    height, width = still.shape[:2]
    grid = _grid(width, height)
    if bend_radius is not None:
        # The sheet ends before it curls away from the camera: 1.3 radians either side of the face.
        centre, half = face.mean(axis=0), (face[16, 0] - face[0, 0]) / 2
        along = 0 if bend_axis == "vertical" else 1
        reach = 1.3 * bend_radius * half
        low, high = centre[along] - reach, centre[along] + reach
        span = grid[:, along]
        grid[:, along] = low + (span - span.min()) / max(1e-6, np.ptp(span)) * (high - low)
    triangles = grid_triangles(17, 13)
    # The attacker turns the sheet whichever way moves the printed nose the asked way.
    probe = picture_pose_landmarks(
        face,
        yaw=np.radians(max_yaw_deg),
        distance=SHEET_DISTANCE,
        bend_radius=bend_radius,
        bend_axis=bend_axis,
    )
    sign = 1.0 if _nose_ratio(probe) >= _nose_ratio(face) else -1.0
    closed_still = close_eyes(still, face) if cut_out_eyes else still
    frames = []
    for index, pose in enumerate(_poses(challenge, per_step)):
        source = closed_still if pose["closed"] else still
        if look is not None:
            source = look(source, index)
        target = picture_pose_landmarks(
            grid,
            face=face,
            yaw=sign * np.radians(max_yaw_deg) * pose["turn"],
            closer=pose["closer"],
            distance=SHEET_DISTANCE,
            bend_radius=bend_radius,
            bend_axis=bend_axis,
        )
        frame = piecewise_warp(source, grid, target, triangles, outside=BACKGROUND)
        noisy = frame.astype(np.float32) + rng.normal(0, 2.0, frame.shape)
        frames.append(np.clip(noisy, 0, 255).astype(np.uint8))
    return frames


def print_tilted(
    still: np.ndarray, face: np.ndarray, challenge: Challenge, *, max_yaw_deg: float = 55.0, seed: int = 0
) -> list[np.ndarray]:
    return _sheet_frames(still, face, challenge, max_yaw_deg=max_yaw_deg, rng=np.random.default_rng(seed))


def print_bent(
    still: np.ndarray,
    face: np.ndarray,
    challenge: Challenge,
    *,
    bend_radius: float = 1.0,
    bend_axis: str = "vertical",
    max_yaw_deg: float = 45.0,
    seed: int = 0,
) -> list[np.ndarray]:
    return _sheet_frames(
        still,
        face,
        challenge,
        max_yaw_deg=max_yaw_deg,
        bend_radius=bend_radius,
        bend_axis=bend_axis,
        rng=np.random.default_rng(seed),
    )


def print_cut_out_eyes(
    still: np.ndarray, face: np.ndarray, challenge: Challenge, *, max_yaw_deg: float = 45.0, seed: int = 0
) -> list[np.ndarray]:
    return _sheet_frames(
        still, face, challenge, max_yaw_deg=max_yaw_deg, cut_out_eyes=True, rng=np.random.default_rng(seed)
    )


def screen_look(seed: int = 0) -> Callable[[np.ndarray, int], np.ndarray]:
    """A screen's look: a moire grating (the display's pixel grid beating against the camera's) and a
    per-frame backlight flicker with a rolling band."""
    rng = np.random.default_rng(seed)
    period, angle = rng.uniform(2.2, 3.4), rng.uniform(0.2, 1.2)

    def look(image: np.ndarray, index: int) -> np.ndarray:
        height, width = image.shape[:2]
        ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
        phase = (xs * np.cos(angle) + ys * np.sin(angle)) * 2 * np.pi / period
        grating = 1 + 0.12 * np.cos(phase)
        band = 1 + 0.10 * np.sin((ys / height + index * 0.37) * 2 * np.pi)
        gain = 1 + 0.12 * np.sin(index * 2.1)
        out = image.astype(np.float32) * (grating * band * gain)[..., None]
        return np.clip(out, 0, 255).astype(np.uint8)

    return look


def screen_tilted(
    still: np.ndarray, face: np.ndarray, challenge: Challenge, *, max_yaw_deg: float = 50.0, seed: int = 0
) -> list[np.ndarray]:
    return _sheet_frames(
        still,
        face,
        challenge,
        max_yaw_deg=max_yaw_deg,
        rng=np.random.default_rng(seed),
        look=screen_look(seed),
    )


def screen_video(recording: list[np.ndarray], *, seed: int = 0) -> list[np.ndarray]:
    """A screen held still, replaying `recording` (a genuine performance of the challenge)."""
    look = screen_look(seed)
    return [look(cv2.GaussianBlur(frame, (3, 3), 0), index) for index, frame in enumerate(recording)]


def repeated_still(still: np.ndarray, n: int) -> list[np.ndarray]:
    return [still.copy() for _ in range(n)]
