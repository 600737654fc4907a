"""Liveness on generated attacks and varied genuine performances, as the visit decides (check_challenge).

Each attack family of kiosk.identity.generated_attacks fails, drawn from the tuned and from the held-out
parameter ranges; genuine performances that differ from the simulated subject (a small, slow turn of a
flat head in side light, dim light with a noisy camera, bright light) pass; a screen replaying a genuine
performance is refused for its moire, through `kiosk face liveness` too. Generated data only: this shows
the logic does what it says, not how it fares against real attack instruments (docs/LIVENESS.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.cli import main
from kiosk.identity import generated_attacks as attacks
from kiosk.identity.dlib_models import landmarks_of
from kiosk.identity.generated_performances import Performance, performance, varied_performances
from kiosk.identity.liveness import Challenge, check_challenge
from kiosk.identity.sample_landmarks import SAMPLE_PORTRAIT_LANDMARKS
from kiosk.identity.screen_replay import SCREEN_MOIRE_SCORE, moire_score, shows_a_screen
from kiosk.identity.simulated_subject import _portrait_landmarks
from kiosk.samples.card import compose_frame, sample_portrait

FACE = (np.array(SAMPLE_PORTRAIT_LANDMARKS, dtype=np.float64) - [150, 130]) * 2.2 + [320, 240]


def _skin(rng: np.random.Generator, noise: float) -> np.ndarray:
    """A 480x640 grey picture with a face's smooth shading and texture, and camera noise."""
    texture = cv2.GaussianBlur(rng.normal(0, 25, (480, 640)).astype(np.float32), (0, 0), 3)
    ys, xs = np.mgrid[0:480, 0:640].astype(np.float32)
    shading = 120 + 40 * np.cos((xs - 320) / 300) + 0.05 * ys
    return np.clip(shading + texture + rng.normal(0, noise, (480, 640)), 0, 255).astype(np.uint8)


def _grating(image: np.ndarray, period_px: float, contrast: float, angle: float) -> np.ndarray:
    ys, xs = np.mgrid[0 : image.shape[0], 0 : image.shape[1]].astype(np.float32)
    wave = 1 + contrast * np.cos((xs * np.cos(angle) + ys * np.sin(angle)) * 2 * np.pi / period_px)
    return np.clip(image.astype(np.float32) * wave, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("noise", [1.0, 3.0, 6.0])
def test_skin_and_camera_noise_show_no_moire(noise: float) -> None:
    rng = np.random.default_rng(int(noise * 10))
    scores = [moire_score(_skin(rng, noise), FACE) for _ in range(5)]
    assert max(scores) < SCREEN_MOIRE_SCORE, scores
    assert not shows_a_screen(scores)


@pytest.mark.parametrize("period_px", [2.0, 3.0, 4.5])
@pytest.mark.parametrize("contrast", [0.05, 0.12])
def test_a_screens_pixel_grid_shows_a_moire(period_px: float, contrast: float) -> None:
    rng = np.random.default_rng(7)
    scores = [
        moire_score(_grating(_skin(rng, 3.0), period_px, contrast, angle), FACE) for angle in (0.2, 0.7, 1.1)
    ]
    assert min(scores) >= SCREEN_MOIRE_SCORE, scores
    assert shows_a_screen(scores)


def test_a_screen_needs_most_of_at_least_three_measured_frames() -> None:
    high, low = SCREEN_MOIRE_SCORE + 1, SCREEN_MOIRE_SCORE - 1
    assert not shows_a_screen([high, high])  # too few to judge
    assert not shows_a_screen([high, low, low, 0.0])
    assert shows_a_screen([high, high, low, 0.0])  # 0.0: a frame not measured (face at the edge)


def test_a_face_at_the_frames_edge_is_not_measured() -> None:
    grey = _skin(np.random.default_rng(1), 2.0)
    assert moire_score(grey, FACE - [300, 0]) == 0.0


def test_the_held_out_draws_lie_outside_the_tuned_ranges() -> None:
    """The held-out set is there to test what the thresholds never saw: its draws must differ."""
    tuned, held = varied_performances(40, held_out=False), varied_performances(40, held_out=True)
    tuned_turns = [p.turn_deg for p in tuned]
    assert all(not (min(tuned_turns) <= p.turn_deg <= max(tuned_turns)) for p in held)
    assert max(p.depth_scale for p in held) < min(p.depth_scale for p in tuned)
    for kind in attacks.ATTACK_KINDS:
        seen = attacks.varied_attacks(kind, 30, held_out=False)
        unseen = attacks.varied_attacks(kind, 30, held_out=True)
        assert max(a.moire for a in unseen) < min(a.moire for a in seen)
        yaws = [a.max_yaw_deg for a in seen]
        assert all(not (min(yaws) <= a.max_yaw_deg <= max(yaws)) for a in unseen)
        periods = [a.period_px for a in seen]
        assert all(not (min(periods) <= a.period_px <= max(periods)) for a in unseen)


# -- frames (dlib landmarks): the visit's decision -------------------------------------------------------

CHALLENGE = "turn_left+move_closer"  # the challenge of issue 23's tilted-print attack


@pytest.fixture(scope="module")
def still_and_face() -> tuple[np.ndarray, np.ndarray]:
    still = compose_frame(
        sample_portrait(), rng=np.random.default_rng(0), face_height_fraction=0.8, jitter_px=0
    )
    faces = landmarks_of(still)
    assert len(faces) == 1
    return still, faces[0].points


@pytest.fixture(scope="module")
def genuine() -> list[np.ndarray]:
    return performance(CHALLENGE, sample_portrait(), _portrait_landmarks(), Performance(), seed=3)


@pytest.mark.slow
@pytest.mark.parametrize("held_out", [False, True], ids=["tuned", "held-out"])
@pytest.mark.parametrize("kind", attacks.ATTACK_KINDS)
def test_each_generated_attack_family_fails(
    kind: str,
    held_out: bool,
    still_and_face: tuple[np.ndarray, np.ndarray],
    genuine: list[np.ndarray],
) -> None:
    still, face = still_and_face
    attack = attacks.varied_attacks(kind, 1, held_out=held_out, seed=5)[0]
    frames = attacks.sheet_attack(attack, still, face, Challenge.parse(CHALLENGE), seed=5, genuine=genuine)
    result = check_challenge(CHALLENGE, frames)
    assert not result.passed, (kind, attack.describe(), result)
    if kind == "repeated_still":
        assert result.reason == "static_replay"


@pytest.mark.slow
def test_a_screen_replaying_a_genuine_performance_is_refused_for_its_moire(genuine: list[np.ndarray]) -> None:
    assert check_challenge(CHALLENGE, genuine).passed  # the performance itself is a head's
    replay = attacks.sheet_attack(
        attacks.SheetAttack("screen_video"),
        genuine[0],
        np.zeros((68, 2)),
        Challenge.parse(CHALLENGE),
        genuine=genuine,
    )
    result = check_challenge(CHALLENGE, replay)
    assert (result.passed, result.reason) == (False, "screen_replay")


CITIZENS = {
    "small slow turn, flat face, side light": Performance(
        turn_deg=15, frames_per_step=8, depth_scale=0.7, side_light=0.4, gain=0.7, noise_sigma=4.0
    ),
    "dim light, noisy camera": Performance(gain=0.6, gamma=1.3, noise_sigma=5.0, exposure_jitter=0.1),
    "bright light from the other side": Performance(
        turn_deg=20, frames_per_step=7, gain=1.3, side_light=-0.4, depth_scale=0.8
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("challenge", ["turn_left+move_closer", "turn_right+blink"])
@pytest.mark.parametrize("citizen", CITIZENS, ids=list(CITIZENS))
def test_varied_genuine_performances_pass(citizen: str, challenge: str) -> None:
    frames = performance(challenge, sample_portrait(), _portrait_landmarks(), CITIZENS[citizen], seed=0)
    result = check_challenge(challenge, frames)
    assert result.passed, result


@pytest.mark.slow
def test_cli_refuses_a_screen_replay_with_its_reason(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, genuine: list[np.ndarray]
) -> None:
    replay = attacks.sheet_attack(
        attacks.SheetAttack("screen_video"),
        genuine[0],
        np.zeros((68, 2)),
        Challenge.parse(CHALLENGE),
        genuine=genuine,
    )
    paths = []
    for index, frame in enumerate(replay):
        path = tmp_path / f"replay{index:02d}.png"
        cv2.imwrite(str(path), frame)
        paths.append(str(path))
    code = main(["face", "liveness", "--challenge", CHALLENGE, "--frames", *paths, "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 1
    assert payload["passed"] is False and payload["reason"] == "screen_replay"
