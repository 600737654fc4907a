"""The demo's simulated card and camera keep dlib out of the screen's process: the fixed portrait crop and
landmarks they use instead are what dlib finds (checked here, where dlib may load)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from kiosk.identity.simulated_subject import _portrait_landmarks, measured_portrait_landmarks
from kiosk.samples.card import make_card_image, passport_crop, sample_id_photo, sample_portrait
from kiosk.samples.glass import DEMO_CITIZEN, sample_card_image


def test_fixed_id_photo_is_passport_crops() -> None:
    assert np.array_equal(sample_id_photo(), passport_crop(sample_portrait()))
    # and the demo card is the one drawn with the dlib crop
    assert np.array_equal(sample_card_image(), make_card_image(portrait=sample_portrait(), **DEMO_CITIZEN))


def test_fixed_landmarks_are_dlibs() -> None:
    assert np.array_equal(_portrait_landmarks(), measured_portrait_landmarks())


def test_simulated_card_and_camera_do_not_load_dlib() -> None:
    child = (
        "import sys\n"
        "from kiosk.samples.glass import sample_card_image\n"
        "from kiosk.identity.simulated_subject import challenge_frames\n"
        "sample_card_image()\n"
        "challenge_frames('turn_left+blink')\n"
        "print(sorted(m for m in ('dlib', 'face_recognition') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"
