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
from dataclasses import dataclass

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


def _poses(challenge: Challenge, per_step: int, growth: float = 0.35) -> list[dict[str, float]]:
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
            grows = 0.45 if step is Action.move_closer else growth if turn else 0.0
            poses.append(
                {
                    "turn": turn,
                    "closer": closer * (1 + grows * progress),
                    "closed": float(step is Action.blink and i == 2),
                }
            )
        if step is Action.move_closer:
            closer *= 1.45
        elif step in (Action.turn_left, Action.turn_right):
            closer *= 1 + growth
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
    distance: float = SHEET_DISTANCE,
    growth: float = 0.35,
    background: tuple[int, int, int] = BACKGROUND,
    gain: float = 1.0,
    bend_offset: float = 0.0,
) -> list[np.ndarray]:
    height, width = still.shape[:2]
    grid = _grid(width, height)
    centre: np.ndarray | None = None
    if bend_radius is not None:
        # The sheet ends before it curls away from the camera: 1.3 radians either side of the face.
        centre, half = face.mean(axis=0), (face[16, 0] - face[0, 0]) / 2
        along = 0 if bend_axis == "vertical" else 1
        # The fold's axis need not pass through the face's centre: `bend_offset` half face widths off it.
        centre = centre + bend_offset * half * np.eye(2)[along]
        reach = 1.3 * bend_radius * half
        low, high = centre[along] - reach, centre[along] + reach
        span = grid[:, along]
        grid[:, along] = low + (span - span.min()) / max(1e-6, np.ptp(span)) * (high - low)
    triangles = grid_triangles(17, 13)
    # The attacker turns the sheet whichever way moves the printed nose the asked way.
    probe = picture_pose_landmarks(
        face,
        yaw=np.radians(max_yaw_deg),
        distance=distance,
        bend_radius=bend_radius,
        bend_axis=bend_axis,
        bend_centre=centre,
    )
    sign = 1.0 if _nose_ratio(probe) >= _nose_ratio(face) else -1.0
    closed_still = close_eyes(still, face) if cut_out_eyes else still
    frames = []
    for index, pose in enumerate(_poses(challenge, per_step, growth)):
        source = closed_still if pose["closed"] else still
        if look is not None:
            source = look(source, index)
        target = picture_pose_landmarks(
            grid,
            face=face,
            yaw=sign * np.radians(max_yaw_deg) * pose["turn"],
            closer=pose["closer"],
            distance=distance,
            bend_radius=bend_radius,
            bend_axis=bend_axis,
            bend_centre=centre,
        )
        frame = piecewise_warp(source, grid, target, triangles, outside=background)
        noisy = frame.astype(np.float32) * gain + rng.normal(0, 2.0, frame.shape)
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


def screen_look(
    seed: int = 0,
    *,
    period_px: float | None = None,
    moire: float = 0.12,
    band: float = 0.10,
    flicker: float = 0.12,
) -> Callable[[np.ndarray, int], np.ndarray]:
    """A screen's look: a moire grating of `period_px` pixels (the display's pixel grid beating against the
    camera's; drawn at random 2.2-3.4 when None) and contrast `moire`, a per-frame backlight `flicker` and a
    rolling `band`."""
    rng = np.random.default_rng(seed)
    period, angle = rng.uniform(2.2, 3.4), rng.uniform(0.2, 1.2)
    period = period if period_px is None else period_px

    def look(image: np.ndarray, index: int) -> np.ndarray:
        height, width = image.shape[:2]
        ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
        phase = (xs * np.cos(angle) + ys * np.sin(angle)) * 2 * np.pi / period
        grating = 1 + moire * np.cos(phase)
        rolling = 1 + band * np.sin((ys / height + index * 0.37) * 2 * np.pi)
        gain = 1 + flicker * np.sin(index * 2.1)
        out = image.astype(np.float32) * (grating * rolling * gain)[..., None]
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


@dataclass(frozen=True)
class SheetAttack:
    """One attacker's print or screen (see the module doc); `kind` is one of `ATTACK_KINDS`."""

    kind: str
    max_yaw_deg: float = 55.0
    distance: float = SHEET_DISTANCE
    growth: float = 0.35
    bend_radius: float = 1.6
    bend_offset: float = 0.0
    gain: float = 1.0
    background: tuple[int, int, int] = BACKGROUND
    period_px: float = 2.8
    moire: float = 0.12
    flicker: float = 0.12
    band: float = 0.10

    def describe(self) -> str:
        shape = f"yaw {self.max_yaw_deg:.0f} at {self.distance:.1f}, closer x{1 + self.growth:.2f}"
        if "bent" in self.kind:
            shape += f", radius {self.bend_radius:.2f} offset {self.bend_offset:+.2f}"
        if "screen" in self.kind:
            shape += f", moire {self.moire:.2f} at {self.period_px:.1f} px, flicker {self.flicker:.2f}"
        return shape

    def look(self, seed: int) -> Callable[[np.ndarray, int], np.ndarray]:
        return screen_look(
            seed, period_px=self.period_px, moire=self.moire, band=self.band, flicker=self.flicker
        )


ATTACK_KINDS = (
    "print_tilted",
    "print_bent_vertical",
    "print_bent_horizontal",
    "print_cut_out_eyes",
    "screen_tilted",
    "screen_video",
    "repeated_still",
)


def sheet_attack(
    attack: SheetAttack,
    still: np.ndarray,
    face: np.ndarray,
    challenge: Challenge,
    *,
    seed: int = 0,
    genuine: list[np.ndarray] | None = None,
) -> list[np.ndarray]:
    """The frames of `attack` on the still frame `still` (landmarks `face`); `screen_video` replays
    `genuine` (a genuine performance of the challenge)."""
    rng = np.random.default_rng(seed)
    common = {
        "max_yaw_deg": attack.max_yaw_deg,
        "distance": attack.distance,
        "growth": attack.growth,
        "background": attack.background,
        "gain": attack.gain,
        "rng": rng,
    }
    if attack.kind == "print_tilted":
        return _sheet_frames(still, face, challenge, **common)  # type: ignore[arg-type]
    if attack.kind in ("print_bent_vertical", "print_bent_horizontal"):
        return _sheet_frames(
            still,
            face,
            challenge,
            bend_radius=attack.bend_radius,
            bend_axis="vertical" if attack.kind.endswith("vertical") else "horizontal",
            bend_offset=attack.bend_offset,
            **common,  # type: ignore[arg-type]
        )
    if attack.kind == "print_cut_out_eyes":
        return _sheet_frames(still, face, challenge, cut_out_eyes=True, **common)  # type: ignore[arg-type]
    if attack.kind == "screen_tilted":
        return _sheet_frames(still, face, challenge, look=attack.look(seed), **common)  # type: ignore[arg-type]
    if attack.kind == "screen_video":
        if genuine is None:
            raise ValueError("screen_video replays a genuine performance: pass `genuine`")
        look = attack.look(seed)
        return [
            np.clip(look(cv2.GaussianBlur(f, (3, 3), 0), i).astype(np.float32) * attack.gain, 0, 255).astype(
                np.uint8
            )
            for i, f in enumerate(genuine)
        ]
    if attack.kind == "repeated_still":
        return repeated_still(still, 8)
    raise ValueError(f"unknown attack kind {attack.kind!r} (known: {', '.join(ATTACK_KINDS)})")


def varied_attacks(kind: str, count: int, *, held_out: bool, seed: int = 0) -> list[SheetAttack]:
    """`count` attackers of one kind drawn at random. The held-out set draws from ranges the tuned set
    never covers (shallower and steeper tilts, sheets further and nearer, tighter and looser bends with the
    fold off the face's centre, finer and coarser screen pixels, fainter moire, other light and
    backgrounds), so that thresholds set on one are checked on attacks they never saw."""
    rng = np.random.default_rng(seed + 7919 * (1 + ATTACK_KINDS.index(kind)) + (1000 if held_out else 0))
    out = []
    for _ in range(count):
        if held_out:
            out.append(
                SheetAttack(
                    kind,
                    max_yaw_deg=float(rng.choice([rng.uniform(28, 35), rng.uniform(58, 65)])),
                    distance=float(rng.choice([rng.uniform(2.5, 3.0), rng.uniform(5.5, 7.0)])),
                    growth=float(rng.uniform(0.1, 0.25)),
                    bend_radius=float(rng.choice([rng.uniform(1.1, 1.3), rng.uniform(2.4, 3.2)])),
                    bend_offset=float(rng.uniform(-0.6, 0.6)),
                    gain=float(rng.choice([rng.uniform(0.6, 0.75), rng.uniform(1.15, 1.3)])),
                    background=tuple(int(v) for v in rng.integers(20, 235, 3)),  # type: ignore[arg-type]
                    period_px=float(rng.choice([rng.uniform(1.8, 2.1), rng.uniform(3.6, 5.0)])),
                    moire=float(rng.uniform(0.04, 0.08)),
                    flicker=float(rng.uniform(0.02, 0.08)),
                    band=float(rng.uniform(0.02, 0.08)),
                )
            )
        else:
            out.append(
                SheetAttack(
                    kind,
                    max_yaw_deg=float(rng.uniform(38, 55)),
                    distance=float(rng.uniform(3.2, 5.0)),
                    growth=float(rng.uniform(0.25, 0.45)),
                    bend_radius=float(rng.uniform(1.4, 2.2)),
                    bend_offset=float(rng.uniform(-0.2, 0.2)),
                    gain=float(rng.uniform(0.8, 1.1)),
                    background=tuple(int(v) for v in rng.integers(60, 160, 3)),  # type: ignore[arg-type]
                    period_px=float(rng.uniform(2.2, 3.4)),
                    moire=float(rng.uniform(0.09, 0.15)),
                    flicker=float(rng.uniform(0.08, 0.14)),
                    band=float(rng.uniform(0.06, 0.12)),
                )
            )
    return out
