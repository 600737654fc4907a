"""The paper check (issue 22): how big the QR seal grows with the document's fields in full, and what the
field check costs per page.

Part 1, QR legibility: a birth-certificate copy of 1, 5 and 20 pages (the seal holds its 10 key fields,
the requester, the verify address and the access token): the QR version, its module size in mm and in
pixels at 150 dpi, and whether zbar decodes it from a 150 dpi printout of the last page.

Part 2, time per page: a genuine 150 dpi printout checked as ``kiosk verify`` checks it, side by side:
before (find the QR, verify the seal, OCR the page, compare its key-word fingerprints: what the check did
before issue 22) and after (the same, then every sealed field read and compared,
``kiosk.copy_check.field_check``).

Run: .venv/bin/python bench/paper_check_bench.py
"""

from __future__ import annotations

import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.copy_check.field_check import check_fields
from kiosk.copy_check.verify import page_dpi, upright_page
from kiosk.pipeline.copy_fields import copy_fields
from kiosk.samples.documents import make_document
from ocr import OcrEngine
from ocr.config import OcrConfig
from signing.certify import issue_certified_copy
from signing.code import make_code
from signing.config import SigningConfig
from signing.keys import init_dev_keys, load_seal_signer
from signing.model import CopyMeta, CopyPage, TextWord
from signing.paper import find_seal_texts, verify_paper_page
from signing.render import qr_layout
from signing.seal import decode_seal
from signing.trust import load_trust_store

AUTHORITY = "Trung tâm Phục vụ Hành chính công Thành phố Hà Nội"
KIOSK = "HN-001"


def printout(pdf: bytes, page: int, dpi: int, folder: Path) -> np.ndarray:
    path = folder / "copy.pdf"
    path.write_bytes(pdf)
    png = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", str(path)],
        capture_output=True,
        check=True,
    ).stdout
    return cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="paper-bench-"))
    config = SigningConfig(passphrase_env="KIOSK_BENCH_PASSPHRASE_UNSET")
    init_dev_keys(config, folder, authority=AUTHORITY, kiosk_id=KIOSK)
    trust = load_trust_store(config, folder)
    engine = OcrEngine(OcrConfig())
    # 20 different pages (each its own words, so the fingerprints do not compress away), read as the kiosk
    # reads them; the fields are the first page's.
    reads = [
        engine.read_page(make_document("birth_certificate", seed=31 + i).image, dpi=300) for i in range(20)
    ]
    pages = [
        CopyPage(
            r.image, 300, tuple(TextWord(w.text, w.left, w.top, w.width, w.height) for w in r.words if w.text)
        )
        for r in reads
    ]
    sealed = copy_fields("birth_certificate", [reads[0].text])
    copies = {}
    print("QR legibility (birth certificate, 10 fields, verify address + token; error correction M)")
    print(f"{'pages':>5} {'chars':>6} {'version':>7} {'module mm':>9} {'px@150dpi':>9} {'zbar@150dpi':>11}")
    with load_seal_signer(config, folder) as signer:
        for count in (1, 5, 20):
            meta = CopyMeta(
                code=make_code("HN", KIOSK, count),
                issued_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
                authority=AUTHORITY,
                kiosk_id=KIOSK,
                doc_type="birth_certificate",
                holder_masked_id="001******567",
                holder_name="Phạm Văn Người Yêu Cầu",
                fields=sealed.fields,
                field_pages=sealed.field_pages,
                verify_base_url="https://tracuu.hanoi.example.vn",
                access_token=sealed.access_token,
            )
            copy = issue_certified_copy(pages[:count], meta, signer)
            copies[count] = copy
            qr, module = qr_layout(copy.seal)
            last = printout(copy.pdf, count, 150, folder)
            decoded = copy.seal in find_seal_texts(last)
            print(
                f"{count:>5} {len(copy.seal):>6} {qr.version:>7} {module / 72 * 25.4:>9.2f} "
                f"{module / 72 * 150:>9.2f} {'yes' if decoded else 'NO':>11}"
            )

    printed = printout(copies[1].pdf, 1, 150, folder)
    before, after, fields_only = [], [], []
    for _ in range(3):
        started = time.perf_counter()
        texts = find_seal_texts(printed)
        upright = upright_page(printed)
        result = engine.read_page(upright, dpi=page_dpi(upright))
        words = [w.text for w in result.words if w.text]
        verdict = verify_paper_page(texts, words, trust)
        middle = time.perf_counter()
        checked = check_fields(verdict, verdict.page or 1, result.text)
        done = time.perf_counter()
        assert checked.valid, checked.reason
        assert checked.checks.get("fields"), checked.reason
        assert decode_seal(texts[0]).claims.fields == sealed.fields
        before.append(middle - started)
        after.append(done - started)
        fields_only.append(done - middle)
    b, a, f = statistics.median(before), statistics.median(after), statistics.median(fields_only)
    print()
    print("Time per page, genuine 150 dpi printout (median of 3)")
    print(f"  before (seal + OCR + fingerprints): {b * 1000:8.0f} ms")
    print(f"  after  (+ every sealed field):      {a * 1000:8.0f} ms   ratio after/before {a / b:.3f}")
    print(f"  the field check alone:              {f * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
