"""Face bench: the kiosk's detection + encoding against face_recognition's default call, side by side.

Prints, in one run:
1. per 640x480 camera frame: median and p90 milliseconds of FaceVerifier.analyse_frame (HOG on the frame
   downscaled to 427 px, one encoding at full resolution) and of the default call
   `face_recognition.face_encodings(img, face_recognition.face_locations(img))` (HOG with one 2x
   upsampling over the full frame), and the ratio;
2. the same per full-size photo (../shared/faces, 320x240 up to 1434x2333);
3. genuine and impostor distances through a card portrait (each photo cropped ID-style, composed into
   a generated card front, found and encoded there, against every other photo), with the threshold;
4. liveness on generated camera frames (the simulated person performing every challenge; attacks: the
   same frame repeated, a still photo jittered, a photo tilted): APCER and BPCER on those.

    .venv/bin/python bench/face_bench.py                 # everything (~1-2 minutes on 2 busy cores)
    .venv/bin/python bench/face_bench.py --frames 10 --skip-liveness

The 640x480 frames are the sample portrait composed like a kiosk camera frame (kiosk.samples.card),
plus obama_4_480p.jpg from ../shared/faces cropped to 640x480 when that folder is there. Timings run
single-threaded in this process after one warm-up call each (dlib loads its models once).
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a script: bench/ must not shadow the packages
    _here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]
    sys.path.insert(0, str(_here.parent))

import cv2
import numpy as np

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import face_recognition

from kiosk.identity.config import IdentityConfig
from kiosk.identity.face import FaceVerifier, face_distance
from kiosk.samples.card import make_card_image, passport_crop, sample_card, sample_live_frames

FACES = Path(__file__).resolve().parents[1] / ".." / "shared" / "faces"


def timed(fn: Callable[[np.ndarray], object], images: list[np.ndarray]) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per image. The machine is shared: when other processes compete
    for the 2 cores, wall time grows and CPU time (this thread's own work) does not."""
    fn(images[0])  # warm-up
    wall, cpu = [], []
    for image in images:
        started, started_cpu = time.perf_counter(), time.thread_time()
        fn(image)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    return wall, cpu


def default_call(bgr: np.ndarray) -> object:
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    return face_recognition.face_encodings(rgb, face_recognition.face_locations(rgb))


def p90(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.9 * len(values)) - 1)]


def compare(title: str, images: list[np.ndarray], verifier: FaceVerifier) -> None:
    ours, ours_cpu = timed(verifier.analyse_frame, images)
    theirs, theirs_cpu = timed(default_call, images)
    m_ours, m_theirs = statistics.median(ours), statistics.median(theirs)
    c_ours, c_theirs = statistics.median(ours_cpu), statistics.median(theirs_cpu)
    print(f"\n{title} ({len(images)} images)")
    print(f"  {'':34} {'median ms':>10} {'p90 ms':>8} {'median CPU ms':>14}")
    print(f"  {'kiosk (detect 427 px, encode full)':34} {m_ours:10.1f} {p90(ours):8.1f} {c_ours:14.1f}")
    print(f"  {'face_recognition default call':34} {m_theirs:10.1f} {p90(theirs):8.1f} {c_theirs:14.1f}")
    print(f"  ratio default / kiosk: {m_theirs / m_ours:.2f}x wall, {c_theirs / c_ours:.2f}x CPU")


def shared_photos() -> dict[str, np.ndarray]:
    if not FACES.is_dir():
        return {}
    return {
        p.stem: cv2.imread(str(p))
        for p in sorted(FACES.glob("*.jpg"))
        if p.name != "two_people.jpg" and cv2.imread(str(p)) is not None
    }


def distances(verifier: FaceVerifier, photos: dict[str, np.ndarray]) -> None:
    print("\nDistances through a card portrait (card of photo X vs live photo Y)")
    cards = {name: verifier.card_encoding(make_card_image(sample_card(0), portrait=passport_crop(img)))
             for name, img in photos.items()}  # fmt: skip
    lives = {name: verifier.analyse_frame(img).encoding for name, img in photos.items()}
    genuine, impostor = [], []
    for a, b in itertools.permutations(photos, 2):
        live = lives[b]
        if live is None:
            print(f"  no usable face in {b}")
            continue
        d = face_distance(cards[a], live)
        (genuine if a.split("_")[0] == b.split("_")[0] else impostor).append(d)
    threshold = verifier.config.face_threshold
    print(
        f"  genuine  pairs: {len(genuine):3d}  min {min(genuine):.3f}  median {statistics.median(genuine):.3f}"
        f"  max {max(genuine):.3f}  matched {sum(d <= threshold for d in genuine)}/{len(genuine)}"
    )
    print(
        f"  impostor pairs: {len(impostor):3d}  min {min(impostor):.3f}  median {statistics.median(impostor):.3f}"
        f"  max {max(impostor):.3f}  rejected {sum(d > threshold for d in impostor)}/{len(impostor)}"
    )
    print(
        f"  threshold {threshold}: margin {threshold - max(genuine):.3f} above the worst genuine pair, "
        f"{min(impostor) - threshold:.3f} below the best impostor pair"
    )


def tilted(still: np.ndarray, steps: int, rng: np.random.Generator) -> list[np.ndarray]:
    h, w = still.shape[:2]
    frames = []
    for i in range(steps):
        squeeze = 0.22 * i / max(1, steps - 1)
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        dst = np.float32([[w * squeeze * 0.6, h * squeeze * 0.25], [w, 0], [w, h],
                          [w * squeeze * 0.6, h * (1 - squeeze * 0.25)]])  # fmt: skip
        warped = cv2.warpPerspective(still, cv2.getPerspectiveTransform(src, dst), (w, h))
        frames.append(np.clip(warped + rng.normal(0, 2, warped.shape), 0, 255).astype(np.uint8))
    return frames


def liveness(seeds: int) -> None:
    from kiosk.identity.liveness import check_challenge
    from kiosk.identity.simulated_subject import challenge_frames, replayed_still_frames

    challenges = ["blink", "turn_left", "turn_right", "move_closer+blink", "turn_left+blink",
                  "blink+turn_right", "move_closer+turn_left"]  # fmt: skip
    bona = rejected = attacks = accepted = 0
    started = time.perf_counter()
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        for challenge in challenges:
            bona += 1
            rejected += not check_challenge(challenge, challenge_frames(challenge, seed=seed)).passed
            for attack in (
                replayed_still_frames(8, seed=seed, jitter=False),
                replayed_still_frames(8, seed=seed, jitter=True),
                tilted(replayed_still_frames(1, seed=seed, jitter=False)[0], 8, rng),
            ):
                attacks += 1
                accepted += check_challenge(challenge, attack).passed
    elapsed = time.perf_counter() - started
    print(f"\nLiveness on generated frames ({elapsed:.0f} s)")
    print(
        f"  bona fide presentations (simulated person doing the challenge): {bona}, rejected {rejected}: "
        f"BPCER {rejected / bona:.3f}"
    )
    print(
        f"  attack presentations (frozen still, jittered still, tilted photo): {attacks}, accepted "
        f"{accepted}: APCER {accepted / attacks:.3f}"
    )
    print(
        "  (generated data only: no real people, no print/screen replays with real motion, masks or deepfakes)"
    )


def visit_check(verifier: FaceVerifier) -> None:
    """A whole face check as a visit runs it: the challenge's frames plus 3 more, against the card."""
    from kiosk.identity.simulated_subject import challenge_frames

    card = make_card_image(sample_card(1))
    walls, cpus = [], []
    for seed, challenge in enumerate(["turn_left+blink", "blink+turn_right", "move_closer+blink"]):
        frames = challenge_frames(challenge, seed=seed) + sample_live_frames(3, seed=seed)
        started, started_cpu = time.perf_counter(), time.thread_time()
        decision = verifier.verify(card, frames)
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.thread_time() - started_cpu) * 1000)
        assert decision.match, decision
    print(
        "\nOne visit's face check (card portrait + 11 challenge frames, frontal first, challenge faces bound):"
    )
    print(f"  median {statistics.median(walls):.0f} ms wall, {statistics.median(cpus):.0f} ms CPU")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--frames", type=int, default=20, help="generated 640x480 frames to time")
    parser.add_argument("--liveness-seeds", type=int, default=2, help="seeds per liveness challenge")
    parser.add_argument("--skip-liveness", action="store_true")
    args = parser.parse_args()

    verifier = FaceVerifier(IdentityConfig())
    verifier.warm_up()
    frames = sample_live_frames(args.frames, seed=42)
    photos = shared_photos()
    if "obama_4_480p" in photos:
        still = photos["obama_4_480p"]
        frames.append(np.ascontiguousarray(still[:, (still.shape[1] - 640) // 2 :][:, :640]))
    print(f"face bench: dlib HOG + ResNet encoder; threshold {verifier.config.face_threshold}")
    print(f"load average now: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores)")
    compare("Per 640x480 camera frame", frames, verifier)
    visit_check(verifier)
    if photos:
        compare("Per full-size photo (../shared/faces)", list(photos.values()), verifier)
        distances(verifier, photos)
    else:
        print(f"\n{FACES} is absent: full-size photos and distances skipped")
    if not args.skip_liveness:
        liveness(args.liveness_seeds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
