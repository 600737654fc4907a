"""OCR bench: raw `tesseract -l vie` against the kiosk pipeline on synthetic degraded pages.

Prints, in one run, per degradation of the generated forms and per hard case (kiosk.samples.cases:
sparse pages, seal and signature, ruled table, 150 dpi scan, phone photo, page turned 90 degrees, photo
box): mean CER, word recall and seconds per page for both, the time ratio, how many pages the quality
gate sent back; then the pipeline's median and worst seconds per page, document
classification accuracy and field-extraction accuracy against the generator's ground truth.

    .venv/bin/python bench/ocr_bench.py --pages 14          # 14 pages per degradation (2 of each type)
    .venv/bin/python bench/ocr_bench.py --pages 3 --kinds clean,noisy --cases seal,table
    .venv/bin/python bench/ocr_bench.py --pages 4 --kinds "" --cases all

The pages come from kiosk.samples.documents with seeds starting at --seed (default 5000), which the
OCR code was never tuned on. Raw Tesseract runs as a user would run it (`tesseract page.png stdout -l
vie`, default settings), bounded by --raw-timeout; a timed-out page counts as 100 % CER.
The pipeline time is OcrEngine.read_document on the decoded file, as `kiosk ocr` runs it (decode
included, Python start-up excluded).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: bench/ must not shadow the `ocr` package
    _here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]
    sys.path.insert(0, str(_here.parent))

import cv2

from bench.ocr_metrics import cer, same_field, word_recall
from kiosk.samples.cases import CASES, make_case
from kiosk.samples.documents import DEGRADATIONS, DOC_TYPES, degrade, make_document
from ocr import OcrEngine, load_image
from ocr.config import OcrConfig


def raw_tesseract(path: Path, timeout: float) -> tuple[str, float, bool]:
    started = time.monotonic()
    try:
        out = subprocess.run(
            ["tesseract", str(path), "stdout", "-l", "vie"],
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "", time.monotonic() - started, True
    return out.stdout.decode("utf-8", "replace"), time.monotonic() - started, False


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=14, help="pages per degradation (default 14)")
    parser.add_argument("--seed", type=int, default=5000, help="first generator seed (default 5000)")
    parser.add_argument("--kinds", default=",".join(DEGRADATIONS), help="degradations to run")
    parser.add_argument(
        "--cases", default=",".join(CASES), help=f"hard cases to run ({', '.join(CASES)}; 'all'; '' for none)"
    )
    parser.add_argument("--raw-timeout", type=float, default=60.0, help="bound on one raw tesseract run (s)")
    parser.add_argument("--no-raw", action="store_true", help="skip the raw Tesseract baseline")
    parser.add_argument("--verbose", action="store_true", help="one line per page")
    args = parser.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]
    cases = list(CASES) if args.cases == "all" else [c for c in args.cases.split(",") if c]
    engine = OcrEngine(OcrConfig())
    rows = []
    pipeline_times: list[float] = []
    classified = total_pages = 0
    fields_ok = fields_total = 0
    worst: tuple[float, str] = (0.0, "")
    print(
        f"OCR bench: {args.pages} pages x ({len(kinds)} degradations + {len(cases)} cases), seeds from {args.seed}, "
        f"{os.cpu_count()} cores, A4 at 300 dpi; load average at start {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="ocr-bench-") as tmp:
        for kind in kinds + cases:
            raw_cer, raw_s, our_cer, our_s, rejected, raw_timeouts = [], [], [], [], 0, 0
            raw_recall: list[float] = []
            our_recall: list[float] = []
            for i in range(args.pages):
                seed = args.seed + i
                if kind in cases:
                    sample = make_case(kind, seed)
                    page = sample.image
                    doc_type = sample.doc_type
                else:
                    doc_type = DOC_TYPES[i % len(DOC_TYPES)]
                    sample = make_document(doc_type, seed)
                    page = degrade(sample.image, kind, seed)
                path = Path(tmp) / f"{kind}-{i}.png"  # faded_jpeg and phone already went through JPEG
                cv2.imwrite(str(path), page)
                if not args.no_raw:
                    text, seconds, timed_out = raw_tesseract(path, args.raw_timeout)
                    raw_timeouts += timed_out
                    raw_cer.append(100.0 if timed_out else min(100.0, cer(text, sample.text)))
                    raw_recall.append(0.0 if timed_out else word_recall(text, sample.text))
                    raw_s.append(seconds)
                started = time.monotonic()
                result = engine.read_document([load_image(path)], dpi=sample.dpi)
                seconds = time.monotonic() - started
                page_result = result.pages[0]
                rejected += not page_result.quality.ok
                our_cer.append(min(100.0, cer(result.text, sample.text)))
                our_recall.append(word_recall(result.text, sample.text))
                our_s.append(seconds)
                pipeline_times.append(seconds)
                if seconds > worst[0]:
                    worst = (seconds, f"{kind}/{doc_type}/seed {seed}")
                total_pages += 1
                classified += result.doc_type == doc_type
                for key, expected in sample.fields.items():
                    fields_total += 1
                    fields_ok += same_field(result.fields.get(key), expected)
                if args.verbose:
                    missed = [k for k, v in sample.fields.items() if not same_field(result.fields.get(k), v)]
                    print(
                        f"  {kind:10s} {doc_type:22s} seed {seed}: CER {our_cer[-1]:6.2f} % {seconds:5.2f} s"
                        + (f" raw {raw_cer[-1]:6.2f} % {raw_s[-1]:5.2f} s" if raw_s else "")
                        + f" type {result.doc_type}"
                        + (f" quality {page_result.quality.reason}" if not page_result.quality.ok else "")
                        + (f" missed {missed}" if missed else ""),
                        flush=True,
                    )
            rows.append(
                (kind, raw_cer, raw_recall, raw_s, our_cer, our_recall, our_s, rejected, raw_timeouts)
            )
            print(f"  done: {kind}", flush=True)

    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else float("nan")

    print()
    header = (
        f"{'case':12s} {'raw CER %':>10s} {'kiosk CER %':>11s} {'raw recall':>10s} {'kiosk recall':>12s} "
        f"{'raw s/page':>11s} "
        f"{'kiosk s/page':>12s} {'raw/kiosk time':>14s} {'rescans':>8s} {'raw timeouts':>12s}"
    )
    print(header)
    print("-" * len(header))
    for kind, raw_cer, raw_recall, raw_s, our_cer, our_recall, our_s, rejected, raw_timeouts in rows:
        ratio = mean(raw_s) / mean(our_s) if raw_s else float("nan")
        print(
            f"{kind:12s} {mean(raw_cer):10.2f} {mean(our_cer):11.2f} {mean(raw_recall):10.1f} "
            f"{mean(our_recall):12.1f} {mean(raw_s):11.2f} "
            f"{mean(our_s):12.2f} {ratio:13.2f}x {rejected:8d} {raw_timeouts:12d}"
        )
    print()
    print(
        f"kiosk seconds per page: median {statistics.median(pipeline_times):.2f}, "
        f"max {worst[0]:.2f} ({worst[1]}), pages over 15 s: {sum(t > 15 for t in pipeline_times)}"
    )
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (other work on the machine slows both columns)")
    print(f"classification: {classified}/{total_pages} = {100.0 * classified / max(1, total_pages):.1f} %")
    print(f"fields: {fields_ok}/{fields_total} = {100.0 * fields_ok / max(1, fields_total):.1f} %")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
