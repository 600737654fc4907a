"""`kiosk face calibrate PAIRS.json`: the threshold for a target FAR, FAR/FRR per group, and one clear
line (exit 2) for every kind of bad input."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.cli import main
from kiosk.errors import BadInputError
from kiosk.identity.face_calibration import (
    CalibrationPair,
    ScoredPair,
    parse_pairs,
    rates,
    threshold_for_far,
)
from kiosk.samples.card import sample_live_frames
from tests.identity.face_photos import FACES_DIR, face_photo


def scored(genuine: list[float], impostor: list[float], group: str = "all") -> list[ScoredPair]:
    out = []
    for same, scores in ((True, genuine), (False, impostor)):
        for score in scores:
            out.append(ScoredPair(CalibrationPair(Path("c"), (Path("l"),), same, group), score))
    return out


# -- the threshold ---------------------------------------------------------------------------------------


def test_threshold_sits_between_the_genuine_and_the_first_impostor() -> None:
    pairs = scored([0.2, 0.3, 0.41], [0.5, 0.6, 0.7, 0.8])
    threshold = threshold_for_far(pairs, 0.001)
    assert 0.41 <= threshold < 0.5
    assert threshold == 0.455
    assert rates(pairs, threshold).false_accepts == 0 and rates(pairs, threshold).false_rejects == 0


def test_a_looser_target_lets_exactly_floor_far_times_n_impostors_through() -> None:
    impostor = [0.30 + 0.01 * i for i in range(100)]  # 0.30 ... 1.29
    pairs = scored([0.1, 0.35, 0.45], impostor)
    for target, accepted in ((0.001, 0), (0.01, 1), (0.05, 5), (0.1, 10)):
        threshold = threshold_for_far(pairs, target)
        got = rates(pairs, threshold)
        assert got.false_accepts == accepted, (target, threshold)
        assert got.far is not None and got.far <= target
    # At FAR 0 the genuine pairs above the first impostor (0.35, 0.45) are refused.
    assert rates(pairs, threshold_for_far(pairs, 0.001)).false_rejects == 2


def test_a_visit_that_cannot_match_scores_infinity_and_is_never_accepted() -> None:
    pairs = scored([0.2, math.inf], [0.6, math.inf])
    threshold = threshold_for_far(pairs, 0.5)
    assert math.isfinite(threshold)
    got = rates(pairs, threshold)
    assert got.false_rejects == 1 and got.false_accepts == 1


def test_rates_per_group_are_counted_separately() -> None:
    pairs = scored([0.2, 0.6], [0.5, 0.9], group="a") + scored([0.3], [0.4, 0.45, 0.8], group="b")
    a = rates([p for p in pairs if p.pair.group == "a"], 0.55)
    b = rates([p for p in pairs if p.pair.group == "b"], 0.55)
    assert (a.far, a.frr) == (0.5, 0.5)
    assert (b.far, b.frr) == (2 / 3, 0.0)


# -- the pairs file ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"pairs": {}}, 'a "pairs" list'),
        ([], "lists no pairs"),
        (["a.jpg"], "pair 1: expected an object"),
        ([{"card": "a", "live": "b", "same": True, "sex": "f"}], "unknown key 'sex'"),
        ([{"card": 3, "live": "b", "same": True}], "'card' must be an image path"),
        ([{"card": "a", "live": [], "same": True}], "'live' must be an image path or a list"),
        ([{"card": "a", "live": "b", "same": "yes"}], "'same' must be true or false"),
        ([{"card": "a", "live": "b", "same": True, "group": " "}], "'group' must be a non-empty"),
        ([{"card": "a", "live": "b", "same": True}], "needs both genuine"),
    ],
)
def test_a_malformed_pairs_file_names_the_pair_and_key(data: object, words: str) -> None:
    with pytest.raises(BadInputError, match=words.replace("(", r"\(")):
        parse_pairs(data, Path("/x"), "pairs.json")


def test_paths_are_relative_to_the_pairs_file() -> None:
    pairs = parse_pairs(
        [{"card": "c.jpg", "live": ["l1.jpg", "l2.jpg"], "same": True, "group": "vi"},
         {"card": "/abs/c.jpg", "live": "l.jpg", "same": False}],
        Path("/data/set"),
        "pairs.json",
    )  # fmt: skip
    assert pairs[0].card == Path("/data/set/c.jpg") and pairs[0].live[1] == Path("/data/set/l2.jpg")
    assert pairs[1].card == Path("/abs/c.jpg") and pairs[1].group == "all"


# -- the command ------------------------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["face", "calibrate", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def shared_pairs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pairs file over ../shared/faces (read in place): every ordered pair of the 8 single-face photos,
    plus visits of several frames."""
    face_photo("obama_1.jpg")  # skips, saying why, when the photos are absent
    folder = tmp_path_factory.mktemp("pairs")
    names = sorted(p.name for p in FACES_DIR.glob("*.jpg") if p.name != "two_people.jpg")
    pairs: list[dict[str, object]] = [
        {"card": str(FACES_DIR / a), "live": str(FACES_DIR / b), "same": a[:5] == b[:5],
         "group": "obama_card" if a.startswith("obama") else "biden_card"}
        for a, b in itertools.permutations(names, 2)
    ]  # fmt: skip
    pairs.append(
        {
            "card": str(FACES_DIR / "obama_1.jpg"),
            "same": True,
            "group": "visits",
            "live": [str(FACES_DIR / n) for n in ("obama_2.jpg", "obama_3.jpg", "obama_5_small.jpg")],
        }
    )
    pairs.append({"card": str(FACES_DIR / "biden_1.jpg"), "same": False, "group": "visits",
                  "live": [str(FACES_DIR / n) for n in ("obama_2.jpg", "obama_3.jpg", "obama_5_small.jpg")]})  # fmt: skip
    path = folder / "pairs.json"
    path.write_text(json.dumps({"pairs": pairs}), encoding="utf-8")
    return path


@pytest.mark.needs_faces
@pytest.mark.slow
def test_calibrate_on_the_shared_photos(capsys: pytest.CaptureFixture[str], shared_pairs: Path) -> None:
    code, out, err = run(capsys, str(shared_pairs), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["model"] == "dlib" and report["config_key"] == "identity.face_threshold"
    assert report["overall"]["genuine_pairs"] == 33 and report["overall"]["impostor_pairs"] == 25
    assert report["visit_pairs"] == 2
    # The photos separate: no impostor accepted, no genuine pair refused, at a threshold in dlib's gap.
    assert report["overall"]["false_accepts"] == 0 and report["overall"]["false_rejects"] == 0
    assert 0.45 < report["threshold"] < 0.80
    assert set(report["groups"]) == {"biden_card", "obama_card", "visits"}
    # 25 impostor pairs cannot show FAR <= 0.001: the report says so.
    assert report["impostor_pairs_needed"] == 3000 and report["enough_impostors"] is False
    code, out, _ = run(capsys, str(shared_pairs), "--target-far", "0.05")
    assert code == 0
    assert "threshold" in out and "obama_card" in out and "rule of three" in out


@pytest.fixture
def pair_files(tmp_path: Path) -> dict[str, Path]:
    frame = sample_live_frames(1, seed=5)[0]
    cv2.imwrite(str(tmp_path / "face.png"), frame)
    cv2.imwrite(str(tmp_path / "blank.png"), np.full((480, 640, 3), 190, np.uint8))
    (tmp_path / "junk.jpg").write_bytes(b"not an image at all")
    files = {}

    def pairs(name: str, card: str, live: str) -> None:
        files[name] = tmp_path / f"{name}.json"
        files[name].write_text(
            json.dumps(
                [{"card": card, "live": live, "same": True}, {"card": card, "live": live, "same": False}]
            )
        )

    pairs("unreadable_live", "face.png", "junk.jpg")
    pairs("no_face_live", "face.png", "blank.png")
    pairs("no_face_card", "blank.png", "face.png")
    pairs("missing_image", "face.png", "absent.png")
    files["bad_json"] = tmp_path / "bad.json"
    files["bad_json"].write_text('{"pairs": [', encoding="utf-8")
    files["not_utf8"] = tmp_path / "latin.json"
    files["not_utf8"].write_bytes(b'{"pairs": "\xe9"}')
    files["missing"] = tmp_path / "absent.json"
    files["directory"] = tmp_path
    return files


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("missing", "file not found"),
        ("directory", "is a directory"),
        ("bad_json", "not valid JSON: Expecting value at line 1"),
        ("not_utf8", "not UTF-8"),
        ("unreadable_live", "junk.jpg: the pair's image is not a usable image"),
        ("no_face_live", "blank.png: no usable face in the live image (no_face)"),
        ("no_face_card", "blank.png: no usable face in the card image"),
        ("missing_image", "absent.png: file not found"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], pair_files: dict[str, Path], case: str, words: str
) -> None:
    code, out, err = run(capsys, str(pair_files[case]))
    assert code == 2, (out, err)
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], err
    assert "Traceback" not in err


def test_a_bad_target_far_and_an_unknown_model_are_refused(
    capsys: pytest.CaptureFixture[str], pair_files: dict[str, Path]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["face", "calibrate", str(pair_files["no_face_live"]), "--target-far", "1.5"])
    assert caught.value.code == 2
    assert "must be between 0 and 1" in capsys.readouterr().err
    code, _, err = run(capsys, str(pair_files["no_face_live"]), "--model", "arcface")
    assert code == 2 and "identity.face_model: unknown face model 'arcface' (known: dlib)" in err
