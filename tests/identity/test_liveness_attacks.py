"""Liveness that a flat picture cannot pass: the turn's depth parallax, attacked as an attacker would.

Landmark tests use the generic 3-D head of kiosk.identity.head_motion (genuine) against a sheet, flat or
bent about either axis, turned up to 55 degrees and brought closer (attacks). Frame tests (slow) run the
visit's decision (`check_challenge`, dlib landmarks, texture tracking) on generated attack frames and on
the simulated subject, and `kiosk face liveness` on image files. They prove the logic on generated data,
not resistance to real attack instruments (docs/LIVENESS.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.cli import main
from kiosk.identity.config import IdentityConfig
from kiosk.identity.dlib_models import FaceLandmarks
from kiosk.identity.head_motion import head_pose_landmarks, picture_pose_landmarks
from kiosk.identity.liveness import TURN_RATIO_CHANGE, Challenge, LivenessChecker, LivenessState
from kiosk.identity.liveness_planarity import TurnShape, turn_parallax
from kiosk.identity.sample_landmarks import SAMPLE_PORTRAIT_LANDMARKS

FACE = (np.array(SAMPLE_PORTRAIT_LANDMARKS, dtype=np.float64) - [150, 130]) * 2.2 + [320, 240]


class BaselineChecker(LivenessChecker):
    """The decision before the parallax test (the nose ratio alone), to show each attack is a real one."""

    def _turned_in_3d(self, face: FaceLandmarks) -> bool:
        return True


def _ratio(points: np.ndarray) -> float:
    return FaceLandmarks(points).nose_ratio()


def _sequence(pose, steps: int = 8) -> list[np.ndarray]:
    return [pose(t) for t in np.linspace(0.0, 1.0, steps)]


def _shape(frames: list[np.ndarray], rng: np.random.Generator, sigma: float) -> TurnShape:
    seen = [f + rng.normal(0, sigma, f.shape) for f in frames]
    return turn_parallax(seen[0], seen[1:]).shape


# Every way a sheet can be held: flat, or bent (a cylinder) about a vertical or a horizontal fold, tight or
# loose, the fold through the face's centre or off it. A bent sheet is a developable surface: the nose tip
# never stands out of the best parabola across the fold (liveness_planarity.nose_bulge).
CENTRE = FACE.mean(axis=0)
SHEETS = {
    "flat": {},
    "bent about a vertical axis, tight": {"bend_radius": 1.0},
    "bent about a vertical axis, loose": {"bend_radius": 2.5},
    "bent about a vertical axis off the centre": {
        "bend_radius": 1.2,
        "bend_centre": CENTRE + np.array([45.0, 0.0]),
    },
    "bent about a horizontal axis": {"bend_radius": 1.0, "bend_axis": "horizontal"},
    "bent about a horizontal axis off the centre": {
        "bend_radius": 1.2,
        "bend_axis": "horizontal",
        "bend_centre": CENTRE + np.array([0.0, 40.0]),
    },
}


@pytest.mark.parametrize("sheet", SHEETS, ids=list(SHEETS))
@pytest.mark.parametrize("degrees", [30, 55])
@pytest.mark.parametrize("distance", [3.0, 6.0])
def test_a_turned_sheet_has_no_head_depth_even_when_its_nose_ratio_turns(
    sheet: str, degrees: float, distance: float
) -> None:
    """The attack of issue 23: perspective (and bending) moves the printed nose within the outline.

    A sheet bent about a horizontal fold fits the parabola least well (its profile is a circle): its
    nose can stand a little out of it, but its cheeks move with the nose, so it is never a head; the
    checker waits one frame on an undecided turn, then refuses it (test_the_known_attack_...)."""
    rng = np.random.default_rng(degrees)

    def pose(t: float) -> np.ndarray:
        return picture_pose_landmarks(
            FACE, yaw=np.radians(degrees) * t, closer=1 + 0.4 * t, distance=distance, **SHEETS[sheet]
        )

    frames = _sequence(pose)
    exact = turn_parallax(frames[0], frames[1:])
    assert abs(exact.ratio_change) >= 0.05  # the sheet's turn does move the printed nose
    assert exact.shape is not TurnShape.head, exact.describe()
    if "horizontal" not in sheet:
        assert exact.shape is TurnShape.flat, exact.describe()
        assert abs(exact.bulge_share) < 0.03
    if abs(exact.ratio_change) >= TURN_RATIO_CHANGE:
        # Under 0.8 px of landmark noise (the face is ~200 px wide) a sheet whose turn just reaches the
        # checker's ratio change can come out as a head now and then: a bounded rate, not never.
        heads = sum(_shape(frames, rng, sigma=0.8) is TurnShape.head for _ in range(30))
        assert heads <= 3, f"{heads} of 30 noisy draws taken for a head"


@pytest.mark.parametrize("depth", [0.7, 1.0, 1.3])
@pytest.mark.parametrize("degrees", [-18, -10, 10, 18])
def test_a_head_turn_has_depth(depth: float, degrees: float) -> None:
    rng = np.random.default_rng(int(depth * 10) + abs(degrees))
    frames = _sequence(lambda t: head_pose_landmarks(FACE, yaw=np.radians(degrees) * t, depth_scale=depth))
    assert abs(_ratio(frames[-1]) - _ratio(frames[0])) >= 0.10
    assert _shape(frames, rng, sigma=0.0) is TurnShape.head
    # With 0.8 px of landmark jitter a small turn of a flat head can be undecided (the checker then waits
    # for the next frame); it is never taken for a picture, and a fuller turn is a head.
    noisy = _shape(frames, rng, sigma=0.8)
    assert noisy is (TurnShape.head if abs(degrees) >= 18 else noisy) and noisy is not TurnShape.flat


def _run(checker: LivenessChecker, frames: list[np.ndarray]) -> str:
    for points in frames:
        if checker.feed_landmarks(FaceLandmarks(points)).state is not LivenessState.pending:
            break
    status = checker.finish()
    return "passed" if status.state is LivenessState.passed else f"failed:{status.reason}"


@pytest.mark.parametrize("sheet", SHEETS, ids=list(SHEETS))
@pytest.mark.parametrize("name", ["turn_left+move_closer", "move_closer+turn_left"])
def test_the_known_attack_passed_before_and_fails_now(sheet: str, name: str) -> None:
    """A print turned about its vertical axis up to 55 degrees in perspective, brought closer as it turns
    and after: the baseline's nose ratio accepted it; the parallax test refuses it."""
    shape = SHEETS[sheet]
    # The attacker turns the sheet whichever way moves the printed nose to the asked side.
    probe = picture_pose_landmarks(FACE, yaw=np.radians(55), distance=3.0, **shape)
    sign = 1.0 if _ratio(probe) > _ratio(FACE) else -1.0
    frames: list[np.ndarray] = []
    yaw, closer = 0.0, 1.0
    for step in Challenge.parse(name).steps:
        for t in np.linspace(0, 1, 6):
            turning = step.value == "turn_left"
            pose_yaw = 55.0 * t if turning else yaw
            pose_closer = closer * (1 + (0.3 if turning else 0.45) * t)
            frames.append(
                picture_pose_landmarks(
                    FACE, yaw=sign * np.radians(pose_yaw), closer=pose_closer, distance=3.0, **shape
                )
            )
        yaw, closer = (55.0, closer * 1.3) if step.value == "turn_left" else (yaw, closer * 1.45)
    challenge = Challenge.parse(name)
    config = IdentityConfig(liveness_require_turn=False)
    assert _run(BaselineChecker(config, challenge=challenge), frames) == "passed"
    assert _run(LivenessChecker(IdentityConfig(), challenge=challenge), frames) == "failed:flat_picture"


# -- frames: the visit's decision on generated attacks --------------------------------------------------


@pytest.fixture(scope="module")
def still_and_face() -> tuple[np.ndarray, np.ndarray]:
    from kiosk.identity.dlib_models import landmarks_of
    from kiosk.identity.simulated_subject import replayed_still_frames

    still = replayed_still_frames(1, jitter=False)[0]
    faces = landmarks_of(still)
    assert len(faces) == 1
    return still, faces[0].points


ATTACKS = [
    "print_tilted",
    "print_bent_vertical",
    "print_bent_horizontal",
    "print_cut_out_eyes",
    "screen_tilted",
]


def _attack_frames(kind: str, still: np.ndarray, face: np.ndarray, challenge: Challenge) -> list[np.ndarray]:
    from kiosk.identity import generated_attacks as attacks

    if kind == "print_bent_vertical":
        return attacks.print_bent(still, face, challenge, bend_radius=1.6)
    if kind == "print_bent_horizontal":
        return attacks.print_bent(still, face, challenge, bend_radius=1.6, bend_axis="horizontal")
    return list(getattr(attacks, kind)(still, face, challenge))


@pytest.mark.slow
@pytest.mark.parametrize("kind", ATTACKS)
@pytest.mark.parametrize("name", ["turn_left+move_closer", "move_closer+turn_left", "turn_right+blink"])
def test_generated_picture_attacks_fail_on_camera_frames(
    kind: str, name: str, still_and_face: tuple[np.ndarray, np.ndarray]
) -> None:
    from kiosk.identity.liveness import check_challenge

    still, face = still_and_face
    result = check_challenge(name, _attack_frames(kind, still, face, Challenge.parse(name)))
    assert not result.passed, result


@pytest.mark.slow
def test_the_tilted_print_did_pass_the_baseline(still_and_face: tuple[np.ndarray, np.ndarray]) -> None:
    """The generated print is the attack of the issue: before the parallax test it passed."""
    from kiosk.identity import generated_attacks as attacks

    still, face = still_and_face
    challenge = Challenge.parse("turn_left+move_closer")
    checker = BaselineChecker(IdentityConfig(liveness_require_turn=False), challenge=challenge)
    for frame in attacks.print_tilted(still, face, challenge):
        if checker.feed_frame(frame).state is not LivenessState.pending:
            break
    assert checker.finish().state is LivenessState.passed


@pytest.mark.slow
def test_a_repeated_still_fails(still_and_face: tuple[np.ndarray, np.ndarray]) -> None:
    from kiosk.identity import generated_attacks as attacks
    from kiosk.identity.liveness import check_challenge

    assert (
        check_challenge("turn_left+blink", attacks.repeated_still(still_and_face[0], 8)).reason
        == "static_replay"
    )


# -- kiosk face liveness ---------------------------------------------------------------------------------


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _write(frames: list[np.ndarray], folder: Path, stem: str) -> list[str]:
    paths = []
    for index, frame in enumerate(frames):
        path = folder / f"{stem}{index:02d}.png"
        cv2.imwrite(str(path), frame)
        paths.append(str(path))
    return paths


@pytest.mark.slow
def test_cli_judges_a_genuine_performance_and_a_tilted_print(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, still_and_face: tuple[np.ndarray, np.ndarray]
) -> None:
    from kiosk.identity import generated_attacks as attacks
    from kiosk.identity.simulated_subject import challenge_frames

    name = "turn_left+move_closer"
    genuine = _write(challenge_frames(name, seed=3), tmp_path, "genuine")
    code, out, err = _cli(capsys, "face", "liveness", "--challenge", name, "--frames", *genuine, "--json")
    assert code == 0, (out, err)
    payload = json.loads(out)
    assert set(payload) == {"passed", "reason", "challenge", "frames_used"}
    assert payload["passed"] is True and payload["reason"] is None and payload["challenge"] == name
    assert 0 < payload["frames_used"] <= len(genuine)
    still, face = still_and_face
    printed = _write(attacks.print_tilted(still, face, Challenge.parse(name)), tmp_path, "print")
    code, out, _ = _cli(capsys, "face", "liveness", "--challenge", name, "--frames", *printed, "--json")
    payload = json.loads(out)
    assert code == 1
    assert payload["passed"] is False and payload["reason"] == "flat_picture"
    code, out, _ = _cli(capsys, "face", "liveness", "--challenge", name, "--frames", *printed)
    assert code == 1 and "passed: no" in out and "reason: flat_picture" in out


def test_cli_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    frame = tmp_path / "frame.png"
    cv2.imwrite(str(frame), np.full((240, 320, 3), 120, np.uint8))
    corrupt = tmp_path / "corrupt.jpg"
    corrupt.write_bytes(b"\xff\xd8\xff not a jpeg")
    cases = [
        ("turn_left+smile", [str(frame)], "smile"),
        ("turn_left+", [str(frame)], "liveness action"),
        ("turn_left", [str(tmp_path / "missing.png")], "missing.png"),
        ("turn_left", [str(frame), str(corrupt)], "corrupt.jpg"),
    ]
    for challenge, frames, named in cases:
        code, out, err = _cli(capsys, "face", "liveness", "--challenge", challenge, "--frames", *frames)
        assert code == 2, (challenge, out, err)
        assert "Traceback" not in err and named in err
        assert len(err.strip().splitlines()) == 1, err


def test_cli_a_challenge_the_kiosk_never_draws_is_not_passed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    frame = tmp_path / "frame.png"
    cv2.imwrite(str(frame), np.full((240, 320, 3), 120, np.uint8))
    code, out, _ = _cli(
        capsys, "face", "liveness", "--challenge", "blink+move_closer", "--frames", str(frame), "--json"
    )
    assert code == 1
    assert json.loads(out)["reason"] == "no_turn_in_challenge"
