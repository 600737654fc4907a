"""Running the Tesseract command line with a hard time bound, and reading its TSV output into words.

One ``tesseract`` process per call, fed a raw PGM on stdin (no temporary files, no PNG compression),
with ``OMP_THREAD_LIMIT=1`` so that parallel processes do not fight over the cores. The process is
killed when the deadline passes: a noisy page can otherwise keep Tesseract busy for minutes.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
from dataclasses import dataclass

import numpy as np

from ocr.errors import OcrUnavailable

log = logging.getLogger(__name__)


class TesseractTimeout(Exception):
    """Tesseract did not finish before its deadline and was killed."""


class TesseractMissing(OcrUnavailable):
    """The tesseract program or a language model is not installed."""


@dataclass(frozen=True)
class TessWord:
    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float
    block: int
    par: int
    line: int


def tesseract_path() -> str:
    found = shutil.which("tesseract")
    if not found:
        raise TesseractMissing("the tesseract program is not installed (apt-get install tesseract-ocr)")
    return found


def encode_pgm(gray: np.ndarray) -> bytes:
    """A binary PGM of an 8-bit grayscale image: what Tesseract reads fastest from stdin."""
    if gray.ndim != 2 or gray.dtype != np.uint8:
        raise ValueError("encode_pgm needs a 2-D uint8 image")
    h, w = gray.shape
    return b"P5\n%d %d\n255\n" % (w, h) + np.ascontiguousarray(gray).tobytes()


def start(
    gray: np.ndarray,
    *,
    languages: str,
    psm: int,
    dpi: int,
    extra: tuple[str, ...] = (),
    output: str = "tsv",
) -> subprocess.Popen[bytes]:
    """Start Tesseract on an image; finish with :func:`finish`. Lets several pages or strips run at once."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    cmd = [
        tesseract_path(),
        "stdin",
        "stdout",
        "-l",
        languages,
        "--oem",
        "1",
        "--psm",
        str(psm),
        "--dpi",
        str(dpi),
        "-c",
        "tessedit_do_invert=0",
        *extra,
    ]
    if output:
        cmd.append(output)
    proc = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    proc._kiosk_input = encode_pgm(gray)  # type: ignore[attr-defined]
    return proc


def finish(proc: subprocess.Popen[bytes], deadline: float) -> str:
    """Wait for a started Tesseract until `deadline` (time.monotonic()); kill it and raise on timeout."""
    data: bytes = getattr(proc, "_kiosk_input", b"")
    try:
        out, err = proc.communicate(data, timeout=max(0.05, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise TesseractTimeout("tesseract ran past its time bound and was stopped") from None
    if proc.returncode != 0:
        message = err.decode("utf-8", "replace").strip().splitlines()
        detail = message[-1] if message else f"exit status {proc.returncode}"
        failed = [ln for ln in message if ln.startswith("Failed loading language")]
        if failed:
            raise TesseractMissing(f"a Tesseract language model is missing: {failed[0]}")
        raise RuntimeError(f"tesseract failed: {detail}")
    return out.decode("utf-8", "replace")


def parse_tsv(tsv: str, dx: int = 0, dy: int = 0, scale: float = 1.0) -> list[TessWord]:
    """Words (level 5 rows) of Tesseract's TSV; boxes shifted by (dx, dy) then multiplied by `scale`."""
    words: list[TessWord] = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = cols[11].strip()
        if not text:
            continue
        left, top, width, height = (int(c) for c in cols[6:10])
        words.append(
            TessWord(
                text=text,
                left=round((left + dx) * scale),
                top=round((top + dy) * scale),
                width=max(1, round(width * scale)),
                height=max(1, round(height * scale)),
                confidence=max(0.0, float(cols[10])),
                block=int(cols[2]),
                par=int(cols[3]),
                line=int(cols[4]),
            )
        )
    return words


def run(gray: np.ndarray, *, languages: str, psm: int, dpi: int, timeout: float) -> list[TessWord]:
    proc = start(gray, languages=languages, psm=psm, dpi=dpi)
    return parse_tsv(finish(proc, time.monotonic() + timeout))
