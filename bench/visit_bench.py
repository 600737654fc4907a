"""Machine time of one visit (card + face + OCR + render + sign + store), excluding the human.

Budget (docs/ARCHITECTURE.md): <= 5 s median for a one-page visit, <= 2.5 s for each extra page, on 2 cores.
The baseline is the obvious way to do the same work: face_recognition's default calls on full frames
and raw `tesseract -l vie` on each page, with the same signing. Both run in this one process, on the same
generated inputs, and the script prints them side by side with the ratio.

    .venv/bin/python bench/visit_bench.py [--runs 5] [--pages 1 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import cv2

from kiosk.app import KioskApp
from kiosk.config import parse_config
from kiosk.pipeline.visit_pipeline import VisitData
from kiosk.samples.card import sample_live_frames
from kiosk.samples.documents import make_document
from kiosk.samples.glass import sample_card_image


def kiosk_visit(app: KioskApp, card_image, frames, pages) -> dict[str, float]:
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    card = app.pipeline.read_card(card_image)
    t1 = time.perf_counter()
    face = app.pipeline.verify_face(card_image, frames)
    t2 = time.perf_counter()
    results = [app.pipeline.read_page(p) for p in pages]
    t3 = time.perf_counter()
    app.pipeline.certify(VisitData(card=card, face=face, pages=results, card_image=card_image))
    t4 = time.perf_counter()
    times.update(card=t1 - t0, face=t2 - t1, ocr=t3 - t2, sign=t4 - t3, total=t4 - t0)
    assert face.match, "the benchmark's own citizen must match"
    assert all(r.quality.ok for r in results), [r.quality.reason for r in results]
    return times


def baseline_visit(app: KioskApp, card_image, frames, pages, workdir: Path) -> dict[str, float]:
    import face_recognition

    times: dict[str, float] = {}
    t0 = time.perf_counter()
    card = app.pipeline.read_card(card_image)
    t1 = time.perf_counter()
    rgb = cv2.cvtColor(card_image, cv2.COLOR_BGR2RGB)
    known = face_recognition.face_encodings(rgb, face_recognition.face_locations(rgb))[0]
    distances = []
    for frame in frames:
        frame_rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        encodings = face_recognition.face_encodings(frame_rgb, face_recognition.face_locations(frame_rgb))
        distances.extend(face_recognition.face_distance(encodings, known))
    t2 = time.perf_counter()
    results = []
    ocr_raw = 0.0
    for index, page in enumerate(pages):
        path = workdir / f"page{index}.png"
        cv2.imwrite(str(path), page)
        start = time.perf_counter()
        subprocess.run(["tesseract", str(path), "-", "-l", "vie"], capture_output=True, check=True)
        ocr_raw += time.perf_counter() - start
        results.append(app.pipeline.read_page(page))  # the copy still needs word boxes and a page image
    face = app.pipeline.verify_face(card_image, frames)
    t3 = time.perf_counter()
    app.pipeline.certify(VisitData(card=card, face=face, pages=results, card_image=card_image))
    t4 = time.perf_counter()
    # The naive visit's total is its own stages: default face calls, raw tesseract, the same signing.
    times.update(card=t1 - t0, face=t2 - t1, ocr=ocr_raw, sign=t4 - t3)
    times["total"] = times["card"] + times["face"] + ocr_raw + times["sign"]
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pages", type=int, nargs="+", default=[1, 3])
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        config = parse_config({"kiosk": {"data_dir": tmp}})
        app = KioskApp(config)
        card_image = sample_card_image()
        frames = sample_live_frames(3, seed=5)
        documents = [make_document("birth_certificate", seed=200 + i).image for i in range(max(args.pages))]
        kiosk_visit(app, card_image, frames, documents[:1])  # warm: models, keys, fonts

        print(f"visit machine time, {args.runs} runs each, {os.cpu_count()} cores (median seconds)")
        print(f"{'pages':>5} {'stage':>6} {'kiosk':>8} {'naive':>8} {'ratio':>7}")
        medians: dict[int, float] = {}
        for count in args.pages:
            ours = [kiosk_visit(app, card_image, frames, documents[:count]) for _ in range(args.runs)]
            workdir = Path(tmp) / f"base{count}"
            workdir.mkdir()
            naive = [
                baseline_visit(app, card_image, frames, documents[:count], workdir) for _ in range(args.runs)
            ]
            for stage in ("card", "face", "ocr", "sign", "total"):
                a = statistics.median(t[stage] for t in ours)
                b = statistics.median(t[stage] for t in naive)
                print(f"{count:>5} {stage:>6} {a:>8.2f} {b:>8.2f} {b / a if a else float('inf'):>6.1f}x")
            medians[count] = statistics.median(t["total"] for t in ours)
        one = medians.get(1)
        if one is not None:
            print(f"one-page visit: {one:.2f} s median (budget 5.0 s)")
        extra = [(medians[n] - one) / (n - 1) for n in medians if one is not None and n > 1]
        if extra:
            print(f"each extra page: {max(extra):.2f} s (budget 2.5 s)")
        app.close()


if __name__ == "__main__":
    main()
