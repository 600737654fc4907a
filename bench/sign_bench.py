"""Render + sign time per page count (1, 5, 20) and PDF size per page, against a plain reportlab render;
and the QR seal's version and module size for each page count (it must stay legible at 150 dpi).

    .venv/bin/python bench/sign_bench.py [--repeat N] [--quick]

Pages are the OCR owner's synthetic A4 300 dpi documents (kiosk/samples/documents.py): half clean, half
scanned-looking (noisy / faded JPEG), so both the lossless and the JPEG embedding are exercised. The
baseline is what a plain reportlab script does with the same images: ``canvas.drawImage`` of each page
at full size, no watermark, footer, seal, text layer or signature. Budget (issue 5): <= 1 s for one page,
<= 0.3 s for each further page, median on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from kiosk.samples.documents import degrade, make_document
from signing.certify import issue_certified_copy
from signing.code import make_code
from signing.config import SigningConfig
from signing.content import make_qr
from signing.images import encode_page_image
from signing.keys import init_dev_keys, load_seal_signer
from signing.model import CopyMeta, CopyPage, TextWord
from signing.render import qr_layout
from signing.trust import load_trust_store
from signing.verify import verify_pdf

AUTHORITY = "Trung tâm Phục vụ Hành chính công Thành phố Hà Nội"
KINDS = ("clean", "noisy", "clean", "faded_jpeg")


def sample_pages(count: int) -> list[np.ndarray]:
    pages = []
    doc_types = ("birth_certificate", "marriage_certificate", "diploma", "residence_confirmation")
    for i in range(count):
        image = make_document(doc_types[i % len(doc_types)], seed=i).image
        kind = KINDS[i % len(KINDS)]
        pages.append(image if kind == "clean" else degrade(image, kind, seed=i))
    return pages


def sample_words(seed: int) -> tuple[TextWord, ...]:
    """OCR words like a real page's (numbers, dates, names), so that the seal's fingerprints are full."""
    rng = np.random.default_rng(seed)
    texts = [
        "GIẤY",
        "KHAI",
        "SINH",
        "Nguyễn",
        "Thị",
        "Phương",
        f"{rng.integers(100, 999)}/{rng.integers(2000, 2024)}",
    ]
    texts += [str(rng.integers(10**5, 10**9)) for _ in range(20)] + [
        "Thành",
        "phố",
        "Hà",
        "Nội",
        "thường",
        "trú",
    ]
    return tuple(TextWord(t, 100 + 10 * i, 200, 80, 30) for i, t in enumerate(texts))


def plain_reportlab(images: list[np.ndarray], dpi: int = 300) -> bytes:
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer)
    for image in images:
        height, width = image.shape[:2]
        size = (width * 72 / dpi, height * 72 / dpi)
        c.setPageSize(size)
        c.drawImage(ImageReader(Image.fromarray(image[:, :, ::-1])), 0, 0, *size)
        c.showPage()
    c.save()
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per page count (median is reported)")
    parser.add_argument("--quick", action="store_true", help="1 and 5 pages only, 3 runs")
    args = parser.parse_args()
    counts = (1, 5) if args.quick else (1, 5, 20)
    repeat = 3 if args.quick else args.repeat

    data_dir = Path(tempfile.mkdtemp(prefix="bench-sign-"))
    os.environ.pop("KIOSK_KEY_PASSPHRASE", None)
    config = SigningConfig()
    init_dev_keys(config, data_dir, authority=AUTHORITY, kiosk_id="HN-001")
    signer = load_seal_signer(config, data_dir)
    trust = load_trust_store(config, data_dir)
    print(f"cpus: {os.cpu_count()}, sched affinity: {len(os.sched_getaffinity(0))}")

    all_images = sample_pages(max(counts))
    encodings = [encode_page_image(img).filter for img in all_images[:4]]
    print(f"page encodings chosen (clean, noisy, clean, faded_jpeg): {encodings}")
    issue_certified_copy(  # warm up fonts and imports
        [CopyPage(all_images[0], 300)],
        CopyMeta(make_code("HN", "HN-001", 1), dt.datetime.now(dt.UTC), AUTHORITY, "HN-001", "other", "0*"),
        signer,
    )

    print()
    print(
        f"{'pages':>5} | {'kiosk s (median)':>16} | {'s/page':>7} | {'plain rl s':>10} | {'time x':>6} |"
        f" {'kiosk KB/page':>13} | {'plain KB/page':>13} | {'size x':>6} | valid"
    )
    medians: dict[int, float] = {}
    seals: dict[int, str] = {}
    verify_times: dict[int, float] = {}
    for count in counts:
        images = all_images[:count]
        pages = [CopyPage(img, 300, sample_words(i)) for i, img in enumerate(images)]
        times, plain_times = [], []
        pdf = b""
        for run in range(repeat):
            meta = CopyMeta(
                code=make_code("HN", "HN-001", 1000 * count + run),
                issued_at=dt.datetime.now(dt.UTC),
                authority=AUTHORITY,
                kiosk_id="HN-001",
                doc_type="birth_certificate",
                holder_masked_id="001******567",
            )
            started = time.perf_counter()
            issued = issue_certified_copy(pages, meta, signer)
            pdf = issued.pdf
            times.append(time.perf_counter() - started)
            seals[count] = issued.seal
            if run == 0:  # the baseline is slow (reportlab decodes, hashes and re-deflates every image)
                started = time.perf_counter()
                plain = plain_reportlab(images)
                plain_times.append(time.perf_counter() - started)
        median, plain_median = statistics.median(times), statistics.median(plain_times)
        medians[count] = median
        started = time.perf_counter()
        valid = verify_pdf(pdf, trust).valid
        verify_times[count] = time.perf_counter() - started
        print(
            f"{count:>5} | {median:>16.3f} | {median / count:>7.3f} | {plain_median:>10.3f} |"
            f" {median / plain_median:>6.2f} | {len(pdf) / count / 1024:>13.0f} |"
            f" {len(plain) / count / 1024:>13.0f} | {len(pdf) / len(plain):>6.2f} | {valid}"
        )
    first = medians[1]
    further = (medians[max(counts)] - first) / (max(counts) - 1)
    print()
    print(f"one page: {first:.3f} s (budget 1.0 s)   each further page: {further:.3f} s (budget 0.3 s)")
    print()
    print(
        f"{'pages':>5} | {'seal chars':>10} | {'QR version':>10} | {'modules':>7} | {'module mm':>9} |"
        f" {'px/module @150dpi':>17} | {'QR side mm':>10} | {'verify s':>8}"
    )
    for count in counts:
        qr, module = qr_layout(seals[count], int(make_qr(seals[count]).version))
        modules = qr.symbol_size(border=0)[0]
        mm = module / 72 * 25.4
        print(
            f"{count:>5} | {len(seals[count]):>10} | {qr.version:>10} | {modules:>7} | {mm:>9.3f} |"
            f" {mm / 25.4 * 150:>17.2f} | {modules * mm:>10.1f} | {verify_times[count]:>8.3f}"
        )
    signer.close()
    shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
