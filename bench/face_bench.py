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
   same frame repeated, a still photo jittered, a photo tilted): APCER and BPCER on those;
5. per face back-end (issue 23: dlib side by side with every ONNX model of --config or --onnx), the cost
   of one 640x480 frame (detection + alignment + embedding) and, when no real ONNX model is given, the
   same for untrained stand-in networks of a face model's size (cost only, never accuracy);
6. fairness: FAR and FRR per demographic group, per frame and per visit (k of n over a visit's frames),
   per back-end, at its configured threshold and at its own threshold for FAR 0.001. The pairs are
   --pairs PAIRS.json (the `kiosk face calibrate` format, with groups), else ../shared/faces (two
   Western men: the only face photos on this machine; their visits are 5 camera-like variants of a photo).

    .venv/bin/python bench/face_bench.py                 # everything (~2-3 minutes on 2 busy cores)
    .venv/bin/python bench/face_bench.py --frames 10 --skip-liveness
    .venv/bin/python bench/face_bench.py --only-backends --onnx /opt/models/m.onnx --onnx-mean 0 --onnx-std 1
    .venv/bin/python bench/face_bench.py --only-backends --config kiosk.toml --pairs vn_pairs.json

The 640x480 frames are the sample portrait composed like a kiosk camera frame (kiosk.samples.card),
plus obama_4_480p.jpg from ../shared/faces cropped to 640x480 when that folder is there. Timings run
single-threaded in this process after one warm-up call each (dlib loads its models once).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import tempfile
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

from kiosk.config import load_config
from kiosk.identity.config import EmbeddingModelConfig, IdentityConfig
from kiosk.identity.face import FaceVerifier, face_distance
from kiosk.identity.face_calibration import (
    CalibrationPair,
    ScoredPair,
    parse_pairs,
    rates,
    score_pairs,
    threshold_for_far,
)
from kiosk.identity.face_models.onnx_matcher import OnnxEmbeddingMatcher
from kiosk.samples.card import make_card_image, passport_crop, sample_card, sample_live_frames
from tests.identity.onnx_graphs import conv_net

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


# -- face back-ends side by side (issue 23) ----------------------------------------------------------

# Untrained networks of a face model's size, for cost only: ~0.3 GFLOPs (MobileFaceNet class) and ~5
# GFLOPs (ResNet-50 class, as insightface's w600k_r50).
STAND_INS = {"stand-in 0.3 GFLOPs": (32, 64, 128, 256), "stand-in 5 GFLOPs": (128, 256, 512, 1024)}


def backends(args: argparse.Namespace, workdir: Path) -> tuple[list[tuple[str, FaceVerifier]], list[str]]:
    """(label, verifier) of dlib and of every ONNX model given, and the labels that are cost-only."""
    identity = load_config(args.config).identity if args.config else IdentityConfig()
    tables: dict[str, EmbeddingModelConfig] = dict(identity.face_models)
    if args.onnx:
        tables["onnx_arg"] = EmbeddingModelConfig(
            path=str(Path(args.onnx).resolve()),
            threshold=args.onnx_threshold,
            mean=args.onnx_mean,
            std=args.onnx_std,
            channels=args.onnx_channels,
        )
    cost_only = []
    if not tables:
        for label, widths in STAND_INS.items():
            path = workdir / f"{label.replace(' ', '_')}.onnx"
            conv_net(path, widths)
            tables[label] = EmbeddingModelConfig(path=str(path), threshold=0.5)
            cost_only.append(label)
    out = [("dlib", FaceVerifier(identity.model_copy(update={"face_model": "dlib"})))]
    with_tables = identity.model_copy(update={"face_models": tables})
    for name, table in tables.items():
        out.append((name, FaceVerifier(with_tables, matcher=OnnxEmbeddingMatcher(name, table))))
    for _, verifier in out:
        verifier.warm_up()
    return out, cost_only


def backend_cost(verifiers: list[tuple[str, FaceVerifier]], frames: list[np.ndarray]) -> None:
    """One frame as the kiosk analyses it (detect, landmarks, align, embed), per back-end vs dlib."""
    print(
        f"\nCost of one 640x480 frame per face back-end ({len(frames)} frames: detection + alignment + embedding)"
    )
    print(
        f"  {'back-end':26} {'median ms':>10} {'p90 ms':>8} {'CPU ms':>8} {'vs dlib':>8}   embedding only (ms)"
    )
    base = None
    aligned = np.full((112, 112, 3), 128, np.uint8)
    for label, verifier in verifiers:
        wall, cpu = timed_process(verifier.analyse_frame, frames)
        median = statistics.median(wall)
        base = base or median
        if isinstance(verifier.matcher, OnnxEmbeddingMatcher):
            matcher = verifier.matcher
            embed, _ = timed_process(lambda _f, m=matcher: m.embed_aligned(aligned), frames[:10])
            embed_text = f"{statistics.median(embed):.1f} ({matcher.model.runtime})"
        else:
            embed_text = "- (dlib: 5-point chip + ResNet inside encode)"
        print(f"  {label:26} {median:10.1f} {p90(wall):8.1f} {statistics.median(cpu):8.1f} "
              f"{median / base:7.2f}x   {embed_text}")  # fmt: skip


def timed_process(
    fn: Callable[[np.ndarray], object], images: list[np.ndarray]
) -> tuple[list[float], list[float]]:
    """Wall and process-CPU milliseconds per image (a network may run on both cores)."""
    fn(images[0])
    wall, cpu = [], []
    for image in images:
        started, started_cpu = time.perf_counter(), time.process_time()
        fn(image)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def camera_variants(photo: np.ndarray, n: int, seed: int) -> list[np.ndarray]:
    """`n` frames of one photo as a camera gives them in a visit: light, blur, noise, a small turn."""
    rng = np.random.default_rng(seed)
    h, w = photo.shape[:2]
    out = []
    for _ in range(n):
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-4, 4), rng.uniform(0.95, 1.05))
        frame = cv2.warpAffine(photo, matrix, (w, h), borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
        frame = frame * rng.uniform(0.8, 1.2) + rng.normal(0, 3, frame.shape)
        sigma = rng.uniform(0, 1.2)
        if sigma > 0.3:
            frame = cv2.GaussianBlur(frame, (0, 0), sigma)
        out.append(np.clip(frame, 0, 255).astype(np.uint8))
    return out


def shared_pair_sets(
    photos: dict[str, np.ndarray],
) -> tuple[list[CalibrationPair], list[CalibrationPair], dict]:
    """Per-frame and per-visit pairs over ../shared/faces, with the images they name (in memory)."""
    group = "western men (2 people)"
    images: dict[Path, np.ndarray] = {Path(name): img for name, img in photos.items()}
    frame_pairs, visit_pairs = [], []
    for a, b in itertools.permutations(photos, 2):
        same = a.split("_")[0] == b.split("_")[0]
        frame_pairs.append(CalibrationPair(Path(a), (Path(b),), same, group))
    for index, name in enumerate(photos):
        for k, variant in enumerate(camera_variants(photos[name], 5, seed=index)):
            images[Path(f"{name}#{k}")] = variant
    for a, b in itertools.permutations(photos, 2):
        same = a.split("_")[0] == b.split("_")[0]
        visit_pairs.append(CalibrationPair(Path(a), tuple(Path(f"{b}#{k}") for k in range(5)), same, group))
    return frame_pairs, visit_pairs, images


def file_pair_sets(path: str) -> tuple[list[CalibrationPair], list[CalibrationPair], None]:
    pairs = parse_pairs(json.loads(Path(path).read_text(encoding="utf-8")), Path(path).resolve().parent, path)
    return [p for p in pairs if len(p.live) == 1], [p for p in pairs if len(p.live) > 1], None


def fmt_rate(value: float | None) -> str:
    return "    -" if value is None else f"{100 * value:5.1f}%"


def fairness(verifiers: list[tuple[str, FaceVerifier]], pair_sets: tuple, source: str) -> None:
    frame_pairs, visit_pairs, images = pair_sets
    if images is None:

        def load(path: Path) -> np.ndarray:
            image = cv2.imread(str(path))
            if image is None:
                raise SystemExit(f"face bench: {path}: not a readable image")
            return image
    else:

        def load(path: Path) -> np.ndarray:
            return images[path].copy()

    print(f"\nFAR / FRR per group, per frame and per visit (k of n), per back-end; pairs: {source}")
    print("  at the configured threshold (cfg) and at the back-end's own threshold for FAR 0.001 (cal)")
    print(f"  {'back-end':12} {'unit':6} {'group':26} {'gen':>4} {'imp':>4} {'cfg thr':>8} {'FAR':>6} {'FRR':>6}"
          f" {'cal thr':>8} {'FAR':>6} {'FRR':>6}")  # fmt: skip
    for label, verifier in verifiers:
        for unit, pairs in (("frame", frame_pairs), ("visit", visit_pairs)):
            if not pairs:
                continue
            scored: list[ScoredPair] = score_pairs(verifier, pairs, load)
            calibrated = threshold_for_far(scored, 0.001)
            for group in sorted({s.pair.group for s in scored}):
                mine = [s for s in scored if s.pair.group == group]
                at_cfg, at_cal = rates(mine, verifier.threshold), rates(mine, calibrated)
                print(f"  {label:12} {unit:6} {group:26} {at_cfg.genuine:4d} {at_cfg.impostor:4d} "
                      f"{verifier.threshold:8.4f} {fmt_rate(at_cfg.far):>6} {fmt_rate(at_cfg.frr):>6} "
                      f"{calibrated:8.4f} {fmt_rate(at_cal.far):>6} {fmt_rate(at_cal.frr):>6}")  # fmt: skip
            impostors = sum(not s.pair.same for s in scored)
            if impostors < 3000:
                print(f"  {'':12} {unit:6} ({impostors} impostor pairs: FAR resolves to {1 / impostors:.3f}; "
                      "FAR <= 0.1 % needs >= 3000 impostor pairs per group)")  # fmt: skip
    print(
        "  operating point asked for (issue 23): per visit FAR <= 0.1 % on East Asian impostors with FRR <= 3 %.\n"
        "  NOT MEASURED here unless --pairs holds East Asian / South-East Asian groups: this machine has no\n"
        "  such photos and no registry package ships any (docs/FACE_MODELS.md says how to measure it)."
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--frames", type=int, default=20, help="generated 640x480 frames to time")
    parser.add_argument("--liveness-seeds", type=int, default=2, help="seeds per liveness challenge")
    parser.add_argument("--skip-liveness", action="store_true")
    parser.add_argument("--only-backends", action="store_true", help="only the back-end cost and fairness")
    parser.add_argument(
        "--config", metavar="TOML", help="a kiosk config whose [identity.face_models] to compare"
    )
    parser.add_argument("--onnx", metavar="MODEL", help="an ONNX face-embedding model to compare with dlib")
    parser.add_argument("--onnx-mean", type=float, default=127.5)
    parser.add_argument("--onnx-std", type=float, default=127.5)
    parser.add_argument("--onnx-channels", choices=("rgb", "bgr"), default="rgb")
    parser.add_argument("--onnx-threshold", type=float, default=0.6)
    parser.add_argument(
        "--pairs", metavar="PAIRS.json", help="card/live pairs with groups (calibrate format)"
    )
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
    if not args.only_backends:
        compare("Per 640x480 camera frame", frames, verifier)
        visit_check(verifier)
        if photos:
            compare("Per full-size photo (../shared/faces)", list(photos.values()), verifier)
            distances(verifier, photos)
        else:
            print(f"\n{FACES} is absent: full-size photos and distances skipped")
        if not args.skip_liveness:
            liveness(args.liveness_seeds)
    with tempfile.TemporaryDirectory() as workdir:
        verifiers, cost_only = backends(args, Path(workdir))
        backend_cost(verifiers, frames)
        if cost_only:
            print(
                f"  ({', '.join(cost_only)}: untrained networks made here, cost only; no lawfully shippable"
            )
            print("   face-embedding model is on this machine: give yours with --onnx or --config)")
        measured = [(label, v) for label, v in verifiers if label not in cost_only]
        if args.pairs:
            fairness(measured, file_pair_sets(args.pairs), args.pairs)
        elif photos:
            fairness(measured, shared_pair_sets(photos), "../shared/faces + 5 camera variants per visit")
        else:
            print(f"\n{FACES} is absent and no --pairs: fairness not measured")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
