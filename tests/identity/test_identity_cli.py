"""`kiosk id read` and `kiosk face verify`: JSON keys, exit codes and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import pytest

from kiosk.cli import main
from kiosk.samples.card import make_card_image, sample_card, sample_live_frames


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    card = sample_card(21)
    out = {
        "card7": tmp_path / "card7.png",
        "card6": tmp_path / "card6.jpg",
        "bad": tmp_path / "bad.png",
        "noqr": tmp_path / "noqr.png",
        "garbage": tmp_path / "garbage.png",
        "noface": tmp_path / "noface.png",
    }
    cv2.imwrite(str(out["card7"]), make_card_image(card))
    cv2.imwrite(str(out["card6"]), make_card_image(card, qr_fields=6), [cv2.IMWRITE_JPEG_QUALITY, 85])
    bad = card.to_qr_payload().replace(card.id_number, card.id_number[:3] + "9" + card.id_number[4:])
    cv2.imwrite(str(out["bad"]), make_card_image(card, qr_payload=bad))
    cv2.imwrite(str(out["noqr"]), make_card_image(card, with_qr=False))
    out["garbage"].write_bytes(b"not an image at all")
    cv2.imwrite(str(out["noface"]), make_card_image(card, with_portrait=False))
    for i, frame in enumerate(sample_live_frames(3, seed=21)):
        out[f"live{i}"] = tmp_path / f"live{i}.jpg"
        cv2.imwrite(str(out[f"live{i}"]), frame)
    return out


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("layout", ["card7", "card6"])
def test_id_read_prints_the_design_keys(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], layout: str
) -> None:
    card = sample_card(21)
    code, out, err = run(capsys, "id", "read", str(files[layout]), "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["id_number"] == card.id_number
    assert payload["old_id"] == (card.old_id if layout == "card7" else None)
    assert payload["full_name"] == card.full_name
    assert payload["date_of_birth"] == card.date_of_birth.isoformat()
    assert payload["sex"] == card.sex
    assert payload["address"] == card.address
    assert payload["issue_date"] == card.issue_date.isoformat()
    assert payload["masked_id"] == card.masked_id()


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("bad", "century digit"),
        ("noqr", "no CCCD QR code"),
        ("garbage", "not a usable image"),
    ],
)
def test_id_read_rejects_with_a_reason(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], name: str, fragment: str
) -> None:
    code, out, err = run(capsys, "id", "read", str(files[name]), "--json")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"kiosk id read: {files[name]}")
    assert fragment in err
    assert sample_card(21).id_number not in err


def test_id_read_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "id", "read", str(tmp_path / "nope.png"))
    assert code == 2
    assert "not found" in err


def test_face_verify_same_person(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "face", "verify", "--card", str(files["card7"]), "--live",
        str(files["live0"]), str(files["live1"]), str(files["live2"]), "--json",
    )  # fmt: skip
    assert code == 0, err
    payload = json.loads(out)
    assert payload["match"] is True
    assert 0 <= payload["distance"] < 0.55
    assert payload["frames_used"] == 2


def test_face_verify_card_without_portrait(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "face", "verify", "--card", str(files["noface"]), "--live", str(files["live0"])
    )
    assert code == 2
    assert "no face found on the card" in err
    assert out == ""


def test_face_verify_live_frame_without_face(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    empty_room = tmp_path / "empty.png"
    cv2.imwrite(
        str(empty_room), cv2.GaussianBlur(sample_live_frames(1)[0], (0, 0), 1)[:, :60].repeat(10, axis=1)
    )
    code, out, err = run(capsys, "face", "verify", "--card", str(files["card7"]), "--live", str(empty_room))
    assert code == 2
    assert out == ""
    assert "no face found in the live frames" in err
    code, out, err = run(
        capsys, "face", "verify", "--card", str(files["card7"]), "--live", str(files["garbage"])
    )
    assert code == 2
    assert "live frame is not a usable image" in err


@pytest.mark.needs_faces
def test_face_verify_other_person_exits_1(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    from tests.identity.face_photos import FACES_DIR

    photo = FACES_DIR / "obama_4_480p.jpg"
    if not photo.is_file():
        pytest.skip(f"face photos not available: {photo} is absent")
    code, out, _ = run(
        capsys, "face", "verify", "--card", str(files["card7"]), "--live", str(photo), "--json"
    )
    assert code == 1
    payload = json.loads(out)
    assert payload["match"] is False
    assert payload["distance"] > 0.55
    assert payload["frames_used"] == 1


@pytest.mark.slow
def test_id_read_with_ocr_cross_check(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "id", "read", str(files["card7"]), "--ocr", "--json")
    assert code == 0, err
    assert json.loads(out)["ocr_check"] == {"id_agrees": True, "name_agrees": True}
    swapped = tmp_path / "swapped.png"
    card = sample_card(21)
    cv2.imwrite(str(swapped), make_card_image(card, qr_payload=sample_card(22).to_qr_payload()))
    code, out, err = run(capsys, "id", "read", str(swapped), "--ocr", "--json")
    assert code == 2
    assert "does not match the card's QR" in err
