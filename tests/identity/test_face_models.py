"""Face matchers as registered back-ends (issue 23): selection by config, refusal of an unknown model,
5-point alignment to the ArcFace template, and the ONNX back-end's normalisation on graphs made here."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.config import parse_config
from kiosk.errors import ConfigError
from kiosk.identity.config import IdentityConfig
from kiosk.identity.dlib_models import detect_faces, to_rgb
from kiosk.identity.face import FaceVerifier
from kiosk.identity.face_models import matcher_for, model_names, registered_types
from kiosk.identity.face_models.alignment import (
    ARCFACE_TEMPLATE_112,
    align_face,
    five_points,
    similarity_transform,
    template,
)
from kiosk.identity.face_models.dlib_matcher import DlibMatcher
from kiosk.identity.face_models.onnx_matcher import OnnxEmbeddingMatcher
from kiosk.samples.card import (
    make_card_image,
    passport_crop,
    sample_card,
    sample_live_frames,
    sample_portrait,
)
from tests.identity.face_photos import face_photo
from tests.identity.onnx_graphs import channel_mean_model, flat_projection_model, scalar_model


def onnx_identity(path: Path, **model: object) -> IdentityConfig:
    table = {"type": "onnx", "path": str(path), "threshold": 0.4, **model}
    return IdentityConfig.model_validate({"face_model": "mine", "face_models": {"mine": table}})


@pytest.fixture(scope="module")
def mean_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return channel_mean_model(tmp_path_factory.mktemp("onnx") / "channel_mean.onnx")


# -- registry ----------------------------------------------------------------------------------------


def test_default_is_dlib_with_the_face_threshold() -> None:
    matcher = matcher_for(IdentityConfig(face_threshold=0.5))
    assert isinstance(matcher, DlibMatcher)
    assert (matcher.name, matcher.threshold, matcher.threshold_key) == (
        "dlib",
        0.5,
        "identity.face_threshold",
    )
    assert {"dlib", "onnx"} <= set(registered_types())


def test_config_selects_an_onnx_model_with_its_own_threshold(mean_model: Path) -> None:
    config = parse_config(
        {
            "identity": {
                "face_threshold": 0.5,
                "face_model": "mine",
                "face_models": {"mine": {"type": "onnx", "path": str(mean_model), "threshold": 0.37}},
            }
        },
        "kiosk.toml",
    )
    verifier = FaceVerifier(config.identity)
    assert isinstance(verifier.matcher, OnnxEmbeddingMatcher)
    assert verifier.threshold == 0.37  # its own, not dlib's face_threshold
    assert verifier.matcher.threshold_key == "identity.face_models.mine.threshold"
    assert model_names(config.identity) == ["dlib", "mine"]
    # The same config can still calibrate dlib by name.
    assert isinstance(matcher_for(config.identity, "dlib"), DlibMatcher)


@pytest.mark.parametrize(
    ("identity", "key", "words"),
    [
        ({"face_model": "arcface"}, "identity.face_model", "unknown face model 'arcface' (known: dlib)"),
        ({"face_model": "Dlib"}, "identity.face_model", "unknown face model 'Dlib'"),
        (
            {"face_models": {"dlib": {"path": "/m.onnx", "threshold": 0.4}}},
            "identity.face_models",
            "'dlib' is the built-in model",
        ),
        (
            {"face_models": {"m": {"path": "models/m.onnx", "threshold": 0.4}}},
            "identity.face_models.m.path",
            "absolute path",
        ),
        ({"face_models": {"m": {"path": "/m.onnx"}}}, "identity.face_models.m.threshold", "missing"),
        (
            {"face_models": {"m": {"type": "tflite", "path": "/m.onnx", "threshold": 0.4}}},
            "identity.face_models.m.type",
            "tflite",
        ),
    ],
)
def test_a_bad_face_model_config_is_refused_naming_the_key(identity: dict, key: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"identity": identity}, "kiosk.toml")
    message = str(caught.value)
    assert message.startswith("kiosk.toml: ") and f"'{key}" in message and words in message, message


def test_matcher_for_an_unknown_name_says_which_exist() -> None:
    with pytest.raises(ConfigError, match=r"identity.face_model: unknown face model 'x' \(known: dlib\)"):
        matcher_for(IdentityConfig(), "x")


def test_a_missing_or_unusable_model_file_is_a_config_error(tmp_path: Path) -> None:
    missing = OnnxEmbeddingMatcher("mine", onnx_identity(tmp_path / "absent.onnx").face_models["mine"])
    with pytest.raises(
        ConfigError, match=r"identity.face_models.mine.path: the model file .* does not exist"
    ):
        missing.warm_up()
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"\x00not a model" * 10)
    with pytest.raises(ConfigError, match=r"identity.face_models.mine.path: cannot load the model"):
        OnnxEmbeddingMatcher("mine", onnx_identity(garbage).face_models["mine"]).warm_up()
    scalar = scalar_model(tmp_path / "scalar.onnx")
    with pytest.raises(
        ConfigError, match=r"identity.face_models.mine: the model's output is not an embedding"
    ):
        OnnxEmbeddingMatcher("mine", onnx_identity(scalar).face_models["mine"]).warm_up()
    wrong_size = flat_projection_model(tmp_path / "flat96.onnx", size=96)
    with pytest.raises(
        ConfigError, match=r"identity.face_models.mine: the model does not take a 112x112 face"
    ):
        OnnxEmbeddingMatcher("mine", onnx_identity(wrong_size).face_models["mine"]).warm_up()


# -- alignment -----------------------------------------------------------------------------------------


def test_similarity_transform_recovers_a_known_similarity() -> None:
    angle, scale, shift = np.deg2rad(17.0), 2.3, np.array([140.0, 95.0])
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    points = ARCFACE_TEMPLATE_112 @ (scale * rotation).T + shift
    matrix = similarity_transform(points, ARCFACE_TEMPLATE_112)
    mapped = points @ matrix[:, :2].T + matrix[:, 2]
    assert np.abs(mapped - ARCFACE_TEMPLATE_112).max() < 1e-9
    assert np.allclose(matrix[:, :2], np.linalg.inv(scale * rotation))


def test_a_mirrored_point_set_is_not_aligned_by_a_reflection() -> None:
    mirrored = ARCFACE_TEMPLATE_112 * np.array([-1.0, 1.0])
    matrix = similarity_transform(mirrored, ARCFACE_TEMPLATE_112)
    assert np.linalg.det(matrix[:, :2]) > 0  # rotation + scale only


def test_alignment_puts_the_five_points_on_the_template() -> None:
    """Five dots drawn where a turned, scaled face would have its landmarks land on the template's points."""
    angle, scale, shift = np.deg2rad(-12.0), 2.6, np.array([210.0, 120.0])
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    points = ARCFACE_TEMPLATE_112 @ (scale * rotation).T + shift
    image = np.zeros((480, 640, 3), np.uint8)
    for x, y in points:
        cv2.circle(image, (round(x * 16), round(y * 16)), 5 * 16, (255, 255, 255), -1, cv2.LINE_AA, shift=4)
    for size in (112, 128):
        aligned = align_face(image, points, size)
        count, _, _, centroids = cv2.connectedComponentsWithStats((aligned[:, :, 0] > 60).astype(np.uint8))
        assert count == 6  # background + five dots
        found = sorted(centroids[1:].tolist(), key=lambda c: (round(c[1] / 10), c[0]))
        expected = sorted(template(size).tolist(), key=lambda c: (round(c[1] / 10), c[0]))
        assert np.abs(np.array(found) - np.array(expected)).max() < 1.0, (found, expected)


def test_a_real_face_s_landmarks_fit_the_template() -> None:
    """On the bundled portrait (public domain), dlib's landmarks map onto the template within a few
    pixels: the points are in the template's order (eyes, nose, mouth; image left before right)."""
    rgb = to_rgb(sample_portrait(), "portrait")
    box = detect_faces(rgb, 640, upsample=1)[0]
    points = five_points(rgb, box)
    assert points[0, 0] < points[1, 0] and points[3, 0] < points[4, 0]  # image left first
    assert points[0, 1] < points[2, 1] < points[3, 1]  # eyes above nose above mouth

    def worst_residual(pts: np.ndarray) -> float:
        matrix = similarity_transform(pts, ARCFACE_TEMPLATE_112)
        return float(np.abs(pts @ matrix[:, :2].T + matrix[:, 2] - ARCFACE_TEMPLATE_112).max())

    # A person's proportions differ from the template's by a few pixels (this face: ~5.6 px, its mouth
    # is wider); points in a wrong order (eyes swapped with mouth corners) do not fit at all.
    assert worst_residual(points) < 8.0
    assert worst_residual(points[[3, 4, 2, 0, 1]]) > 20.0


# -- the ONNX back-end's input ----------------------------------------------------------------------


def runtimes() -> list[str]:
    found = ["opencv"]
    try:
        import onnxruntime  # noqa: F401  (optional runtime)

        found.append("onnxruntime")
    except ImportError:
        pass
    return found


@pytest.mark.parametrize("runtime", runtimes())
@pytest.mark.parametrize(
    ("channels", "mean", "std"), [("rgb", 127.5, 127.5), ("bgr", 127.5, 127.5), ("rgb", 0.0, 1.0)]
)
def test_the_network_gets_the_configured_normalisation(
    mean_model: Path, runtime: str, channels: str, mean: float, std: float
) -> None:
    matcher = OnnxEmbeddingMatcher(
        "mine",
        onnx_identity(mean_model, channels=channels, mean=mean, std=std, runtime=runtime).face_models["mine"],
    )
    aligned = np.empty((112, 112, 3), np.uint8)
    aligned[:] = (200, 100, 50)  # an RGB face
    expected = (np.array([200.0, 100.0, 50.0]) - mean) / std
    if channels == "bgr":
        expected = expected[::-1]
    got = matcher.embed_aligned(aligned)
    assert np.allclose(got, expected / np.linalg.norm(expected), atol=1e-3), (got, expected)
    assert np.isclose(np.linalg.norm(got), 1.0)
    assert matcher.distance(got, got) == pytest.approx(0.0, abs=1e-9)
    assert matcher.distance(got, -got) == pytest.approx(2.0)


def test_an_onnx_matcher_runs_the_visit_s_k_of_n_rule(mean_model: Path) -> None:
    """The whole face check with the ONNX back-end: card, frames, k of n, distances on its own scale."""
    card = make_card_image(sample_card(3))
    frames = sample_live_frames(3, seed=3)
    strict = FaceVerifier(onnx_identity(mean_model, threshold=1e-6))
    loose = FaceVerifier(onnx_identity(mean_model, threshold=1.9))
    lenient = loose.verify(card, frames)
    assert lenient.match and lenient.frames_matched == 2 and 0 <= lenient.distance < 1.9
    refused = strict.verify(card, frames)
    assert not refused.match and refused.reason == "not_same_person"
    assert FaceVerifier(onnx_identity(mean_model)).verify(card, []).distance == 2.0  # its worst distance


# -- genuine and impostor pairs on the shared photos, for each back-end ------------------------------


def backends() -> list[pytest.param]:
    out = [pytest.param(IdentityConfig(), id="dlib")]
    model = os.environ.get("KIOSK_FACE_ONNX", "")
    if model:
        table = {
            "path": model,
            "threshold": float(os.environ.get("KIOSK_FACE_ONNX_THRESHOLD", "0.6")),
            "mean": float(os.environ.get("KIOSK_FACE_ONNX_MEAN", "0")),
            "std": float(os.environ.get("KIOSK_FACE_ONNX_STD", "1")),
        }
        out.append(pytest.param(IdentityConfig(face_model="env", face_models={"env": table}), id="onnx"))
    else:
        reason = (
            "no face-embedding model with a licence a government may rely on ships in a registry package "
            "(docs/FACE_MODELS.md): set KIOSK_FACE_ONNX=/path/model.onnx (and _MEAN, _STD, _THRESHOLD) to run it"
        )
        out.append(pytest.param(None, id="onnx", marks=pytest.mark.skip(reason=reason)))
    return out


@pytest.mark.needs_faces
@pytest.mark.parametrize("config", backends())
def test_genuine_pairs_are_closer_than_impostors_for_each_backend(config: IdentityConfig) -> None:
    verifier = FaceVerifier(config)
    names = ["obama_1.jpg", "obama_2.jpg", "obama_3.jpg", "biden_1.jpg", "biden_2.jpg"]
    photos = {name: face_photo(name) for name in names}
    cards = {n: verifier.card_encoding(make_card_image(sample_card(0), portrait=passport_crop(p)))
             for n, p in photos.items()}  # fmt: skip
    lives = {n: verifier.analyse_frame(p).encoding for n, p in photos.items()}
    genuine, impostor = [], []
    for card_name, card in cards.items():
        for live_name, live in lives.items():
            if card_name == live_name or live is None:
                continue
            same = card_name.split("_")[0] == live_name.split("_")[0]
            (genuine if same else impostor).append(verifier.matcher.distance(card, live))
    assert len(genuine) == 8 and len(impostor) == 12
    assert max(genuine) < verifier.threshold < min(impostor), (max(genuine), min(impostor))
