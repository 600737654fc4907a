"""The OCR engine: preprocessing, a time-bounded Tesseract, page orientation, and the quality gate.

A page is refused before it is read only when its measures are certain (blank, very dark, a picture or a
noise field, print with no edge left at all); everything else is read, and judged by what Tesseract made
of it (ocr.quality.after_ocr). Ruled tables are read column by column (ocr.tables); titles in capitals read
with doubt, and print that no word covers, are read again on their own (ocr.reread).
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import math
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np

from ocr import columns, preprocess, quality, reread, tables, tesseract
from ocr.classify import classify
from ocr.config import OcrConfig
from ocr.doctypes import extract_fields
from ocr.errors import ImageError
from ocr.lexicon import restore_digits, restore_formulae
from ocr.quality import PageQuality

log = logging.getLogger(__name__)

MAX_OCR_PIXELS = 16_000_000  # larger pages are reduced to this before anything else (A4 at ~400 dpi)
MIN_PAGE_SIDE = 64
MIN_LETTER_PX = 18.0  # median letter-blob height Tesseract gets after the reduction to ocr_dpi


@dataclass(frozen=True)
class Word:
    """One recognised word; the box is in pixels of ``PageResult.image``."""

    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float


@dataclass(frozen=True)
class PageResult:
    text: str
    confidence: float  # 0..100
    quality: PageQuality
    words: tuple[Word, ...]
    image: np.ndarray  # the upright page (BGR) that the word boxes refer to
    dpi: int

    def to_json(self) -> dict[str, object]:
        return {"text": self.text, "confidence": round(self.confidence, 1), "quality": self.quality.to_json()}


@dataclass(frozen=True)
class DocumentResult:
    text: str  # the pages' text joined by form feeds
    pages: tuple[PageResult, ...]
    doc_type: str
    # the type's fields (ocr.fields), and ``seal`` / ``signature``: "present" or "absent" (document_marks)
    fields: dict[str, str]

    def to_json(self) -> dict[str, object]:
        return {
            "text": self.text,
            "pages": [page.to_json() for page in self.pages],
            "doc_type": self.doc_type,
            "fields": dict(self.fields),
        }


def _as_bgr(image: np.ndarray) -> np.ndarray:
    if not isinstance(image, np.ndarray) or image.ndim not in (2, 3) or image.size == 0:
        raise ImageError("not an image array (expected a 2-D or 3-D numpy array)")
    if image.dtype != np.uint8:
        if image.dtype == np.uint16:
            image = (image >> 8).astype(np.uint8)
        elif np.issubdtype(image.dtype, np.floating):
            top = 1.0 if float(np.nanmax(image)) <= 1.0 else 255.0
            image = np.clip(np.nan_to_num(image) * (255.0 / top), 0, 255).astype(np.uint8)
        else:
            raise ImageError(f"unsupported pixel type {image.dtype}")
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if image.shape[2] == 1:
        return cv2.cvtColor(image[:, :, 0], cv2.COLOR_GRAY2BGR)
    if image.shape[2] != 3:
        raise ImageError(f"unsupported channel count {image.shape[2]}")
    return image


def _restore(words: list[tesseract.TessWord]) -> list[tesseract.TessWord]:
    """Each line's words with the formulae spelled right (see ocr.lexicon), noise lines dropped."""
    heights = sorted(w.height for w in words if sum(ch.isalnum() for ch in w.text) >= 2)
    typical = heights[len(heights) // 2] if heights else 0
    out: list[tesseract.TessWord] = []
    start = 0
    for end in range(1, len(words) + 1):
        if end == len(words) or (words[end].block, words[end].par, words[end].line) != (
            words[start].block,
            words[start].par,
            words[start].line,
        ):
            line = [w for w in words[start:end] if not _is_speck_word(w)]
            if not line or _is_noise_line(line) or _is_accent_line(line, typical):
                start = end
                continue
            texts = restore_digits(restore_formulae([w.text for w in line]))
            out += [dataclasses.replace(w, text=t) for w, t in zip(line, texts, strict=True)]
            start = end
    return out


def _is_speck_word(word: tesseract.TessWord) -> bool:
    """A "word" made of specks: at most one letter or digit, read with little confidence."""
    alnum = sum(ch.isalnum() for ch in word.text)
    return (alnum == 0 and word.confidence < 50) or (alnum <= 1 and word.confidence < 35)


def _is_accent_line(line: Sequence[tesseract.TessWord], typical_height: int) -> bool:
    """Marks above a line of large capitals that Tesseract split off as a line of their own."""
    return (
        all(sum(ch.isalnum() for ch in w.text) <= 1 for w in line)
        and max(w.height for w in line) < 0.6 * typical_height
    )


def _is_noise_line(line: Sequence[tesseract.TessWord]) -> bool:
    """A line Tesseract made out of specks, stamps or edges: no real word, and read without confidence."""
    longest = max(sum(ch.isalnum() for ch in w.text) for w in line)
    mean = sum(w.confidence for w in line) / len(line)
    return longest < 3 and mean < 60


def _text_of(words: Sequence[tesseract.TessWord]) -> str:
    lines: list[list[str]] = []
    key: tuple[int, int, int] | None = None
    for w in words:
        k = (w.block, w.par, w.line)
        if k != key:
            lines.append([])
            key = k
        lines[-1].append(w.text)
    return "\n".join(" ".join(line) for line in lines)


def _meaningful(text: str) -> bool:
    return len(text) >= 2 and sum(ch.isalnum() for ch in text) >= 2


def _read_metrics(words: Sequence[tesseract.TessWord], shape: tuple[int, ...]) -> dict[str, float]:
    h, w = shape[:2]
    weights = [len(x.text) for x in words]
    mean = sum(x.confidence * n for x, n in zip(words, weights, strict=True)) / max(1, sum(weights))
    good = sum(1 for x in words if x.confidence >= quality.GOOD_WORD_CONFIDENCE and _meaningful(x.text))
    margin = 3
    edge = sum(
        1
        for x in words
        if x.confidence >= quality.GOOD_WORD_CONFIDENCE
        and _meaningful(x.text)
        and (
            x.left <= margin
            or x.top <= margin
            or x.left + x.width >= w - margin
            or x.top + x.height >= h - margin
        )
    )
    return {
        "mean_confidence": mean,
        "words": float(len(words)),
        "good_words": float(good),
        "edge_words": float(edge),
    }


class OcrEngine:
    """Reads pages and documents; every page is time-bounded and passes through the quality gate."""

    def __init__(self, config: OcrConfig) -> None:
        self.config = config

    # -- one page -------------------------------------------------------------------------------
    def read_page(self, image: np.ndarray, dpi: int = 300) -> PageResult:
        """OCR one page. Content problems come back as ``quality.ok=False``; never raises for them."""
        started = time.monotonic()
        deadline = started + self.config.page_timeout_s
        bgr = _as_bgr(image)
        h, w = bgr.shape[:2]
        if min(h, w) < MIN_PAGE_SIDE:
            return self._rejected("too_small", bgr, dpi, {"width": float(w), "height": float(h)})
        dpi = max(50, int(dpi))
        if h * w > MAX_OCR_PIXELS or dpi > 450:
            scale = min(math.sqrt(MAX_OCR_PIXELS / (h * w)), 300.0 / dpi if dpi > 450 else 1.0)
            size = (max(1, int(w * scale)), max(1, int(h * scale)))
            bgr = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA)
            dpi = max(50, round(dpi * scale))
        prepared = preprocess.prepare(bgr, dpi)
        metrics = dict(prepared.metrics)
        reason = quality.before_ocr(metrics)
        if reason:
            metrics["seconds"] = time.monotonic() - started
            return self._rejected(reason, prepared.upright, dpi, metrics)
        try:
            words, upright, gray, turns = self._read_upright(prepared, dpi, deadline)
        except tesseract.TesseractTimeout:
            metrics["seconds"] = time.monotonic() - started
            log.warning("page OCR stopped at its %.0f s time bound", self.config.page_timeout_s)
            return self._rejected("timeout", prepared.upright, dpi, metrics)
        except tesseract.TesseractMissing:
            raise
        except RuntimeError as exc:  # Tesseract crashed on this image: a content problem, not ours to raise
            log.warning("tesseract failed on a page: %s", exc)
            metrics["seconds"] = time.monotonic() - started
            return self._rejected("unreadable", prepared.upright, dpi, metrics)
        if time.monotonic() < deadline - 1.0:
            words = reread.reread_large_lines(
                gray, words, dpi=dpi, deadline=deadline, languages=self.config.languages
            )
            words = reread.recover_lost_lines(
                gray, words, dpi=dpi, deadline=deadline, languages=self.config.languages
            )
        words = _restore(words)
        metrics.update(_read_metrics(words, upright.shape))
        metrics["quarter_turns"] = float(turns)
        metrics["seconds"] = time.monotonic() - started
        reason = quality.after_ocr(metrics)
        confidence = metrics["mean_confidence"]
        if reason in ("no_text", "unreadable", "blurred"):
            # What was read is not trustworthy: report the reason, not the text.
            return self._rejected(reason, upright, dpi, metrics, confidence=min(confidence, 30.0))
        page_h, page_w = upright.shape[:2]
        result_words = tuple(
            Word(
                x.text,
                min(x.left, page_w - 1),
                min(x.top, page_h - 1),
                max(1, min(x.width, page_w - min(x.left, page_w - 1))),
                max(1, min(x.height, page_h - min(x.top, page_h - 1))),
                round(x.confidence, 1),
            )
            for x in words
            if x.text.strip()
        )
        verdict = PageQuality.failed(reason, metrics) if reason else PageQuality.passed(metrics)
        log.debug(
            "page read: %d words, confidence %.1f, steps %s", len(result_words), confidence, prepared.steps
        )
        return PageResult(
            text=_text_of(words),
            confidence=confidence,
            quality=verdict,
            words=result_words,
            image=upright,
            dpi=dpi,
        )

    def _rejected(
        self, reason: str, image: np.ndarray, dpi: int, metrics: dict[str, float], confidence: float = 0.0
    ) -> PageResult:
        log.info("page rejected: %s", reason)
        return PageResult(
            text="",
            confidence=confidence,
            quality=PageQuality.failed(reason, metrics),
            words=(),
            image=image,
            dpi=dpi,
        )

    def _ocr(
        self,
        gray: np.ndarray,
        dpi: int,
        deadline: float,
        text_height: float = 0.0,
        grids: Sequence[tables.Table] = (),
    ) -> list[tesseract.TessWord]:
        """Tesseract on the page, split into horizontal bands read in parallel processes.

        Each column of a ruled table in `grids` is read as a strip of its own, and its words are put
        back row by row (the row's cells left to right), where the page's lines put them.
        """
        # Tesseract reads body text as well at ~210 dpi as at 300 dpi, in two thirds of the time; small
        # print is reduced less, so that letters keep at least MIN_LETTER_PX pixels of height.
        scale = min(1.0, max(self.config.ocr_dpi / dpi, MIN_LETTER_PX / text_height if text_height else 1.0))
        if scale < 0.95:
            h, w = gray.shape
            size = (max(1, round(w * scale)), max(1, round(h * scale)))
            gray = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
        else:
            scale = 1.0
        ocr_dpi = max(50, round(dpi * scale))
        page = gray
        strips: list[tuple[int, int, int, int]] = []  # (table, column, x, y) of each column strip
        pieces: list[tuple[int, int, np.ndarray]] = []
        if grids:
            page = gray.copy()
            for t, grid in enumerate(grids):
                x0, y0, x1, y1 = (round(v * scale) for v in grid.box)
                page[y0 : y1 + 1, x0 : x1 + 1] = 255
                for c in range(len(grid.columns) - 1):
                    left, right = round(grid.columns[c] * scale), round(grid.columns[c + 1] * scale)
                    column = gray[y0:y1, left:right]
                    if column.size and np.count_nonzero(column < 128) >= 20:
                        strips.append((t, c, left, y0))
                        pieces.append((left, y0, column))
        bands: list[tuple[int, int, np.ndarray]] = []
        places: list[tuple[int, int]] = []  # (order, column) of each band piece, see ocr.columns
        # A page with two-column parts is cut at them (each column a piece); others into bands at line gaps.
        parts = columns.pieces(page) if columns.regions(page) else None
        if parts is None:
            parts = [
                (top, -1, 0, top, page[top:bottom])
                for top, bottom in _bands(page, self.config.parallel_bands)
            ]
        for order, col, x, y, image in parts:
            if np.count_nonzero(image[::2, ::2] < 128) >= 20:
                bands.append((x, y, image))
                places.append((round(order / scale), col))
        pieces = bands + pieces
        procs = [
            tesseract.start(image, languages=self.config.languages, psm=self.config.psm, dpi=ocr_dpi)
            for _, _, image in pieces
        ]
        lines: dict[tuple[int, int, int], list[tesseract.TessWord]] = {}
        place_of: dict[tuple[int, int, int], tuple[int, int]] = {}
        try:
            for index, ((x, y, _image), proc) in enumerate(zip(pieces, procs, strict=True)):
                found = tesseract.parse_tsv(tesseract.finish(proc, deadline), dx=x, dy=y, scale=1.0 / scale)
                strip = strips[index - len(bands)] if index >= len(bands) else None
                for word in found:
                    if strip is None:  # a band: its (block, par, line) numbers restart in each band
                        key = (word.block + 1000 * index, word.par, word.line)
                        place_of[key] = places[index]
                    else:  # a table column: the word joins its row
                        key = (
                            100_000 + 1000 * strip[0],
                            grids[strip[0]].row_of(word.top + word.height / 2),
                            0,
                        )
                    lines.setdefault(key, []).append(
                        dataclasses.replace(word, block=key[0], par=key[1], line=key[2])
                    )
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.communicate()

        def place(item: tuple[tuple[int, int, int], list[tesseract.TessWord]]) -> tuple[int, int, int]:
            order, column = place_of.get(item[0], (0, -1))
            return columns.sort_key(order, column, min(w.top for w in item[1]))

        ordered = [line for _, line in sorted(lines.items(), key=place)]
        words: list[tesseract.TessWord] = []
        for line in ordered:
            words += sorted(line, key=lambda w: w.left) if line[0].block >= 100_000 else line
        return words

    def _read_upright(
        self, prepared: preprocess.Prepared, dpi: int, deadline: float
    ) -> tuple[list[tesseract.TessWord], np.ndarray, np.ndarray, int]:
        """The words, the upright page and grey image they refer to, and the quarter turns (clockwise)
        from the page as scanned."""
        text_height = prepared.metrics.get("text_height", 0.0)
        if prepared.metrics.get("sharpened"):
            text_height = MIN_LETTER_PX  # a soft page is read at full resolution: reducing it blurs it more
        base = int(prepared.metrics.get("pre_turns", 0.0))
        # Turned a quarter already (its lines ran down the page): it is either upright now or upside
        # down. Asking first saves reading it upside down.
        if base and self._orientation(prepared.ocr_gray, dpi, deadline) == 2:
            prepared = dataclasses.replace(
                prepared,
                upright=preprocess.rotate_quarter(prepared.upright, 2),
                ocr_gray=preprocess.rotate_quarter(prepared.ocr_gray, 2),
                tables=[],
            )
            base = 3
        words = self._ocr(prepared.ocr_gray, dpi, deadline, text_height, prepared.tables)
        metrics = _read_metrics(words, prepared.ocr_gray.shape)
        if (
            metrics["mean_confidence"] >= quality.MIN_PAGE_CONFIDENCE + 10
            and metrics["good_words"] >= quality.MIN_GOOD_WORDS
        ):
            return words, prepared.upright, prepared.ocr_gray, base
        # Poorly read: perhaps the page lies sideways or upside down. Ask Tesseract's OSD.
        turns = self._orientation(prepared.ocr_gray, dpi, deadline)
        if turns == 0:
            return words, prepared.upright, prepared.ocr_gray, base
        gray = preprocess.rotate_quarter(prepared.ocr_gray, turns)
        turned = self._ocr(gray, dpi, deadline, text_height)
        if _read_metrics(turned, gray.shape)["mean_confidence"] > metrics["mean_confidence"]:
            return turned, preprocess.rotate_quarter(prepared.upright, turns), gray, (base + turns) % 4
        return words, prepared.upright, prepared.ocr_gray, base

    def _orientation(self, gray: np.ndarray, dpi: int, deadline: float) -> int:
        """Quarter turns clockwise that make the page upright, by Tesseract's OSD (0 when unsure)."""
        h, w = gray.shape
        scale = min(1.0, 1600 / max(h, w))
        small = cv2.resize(gray, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
        proc = tesseract.start(small, languages="osd", psm=0, dpi=max(70, round(dpi * scale)), output="")
        try:
            out = tesseract.finish(proc, min(deadline, time.monotonic() + 5.0))
        except (RuntimeError, tesseract.TesseractMissing) as exc:
            log.info("orientation check unavailable: %s", exc)
            return 0
        except tesseract.TesseractTimeout:
            return 0
        rotate, confidence = 0, 0.0
        for line in out.splitlines():
            if line.startswith("Rotate:"):
                rotate = int(line.split(":")[1])
            elif line.startswith("Orientation confidence:"):
                confidence = float(line.split(":")[1])
        return (rotate // 90) % 4 if confidence >= 2.0 else 0

    # -- a document -----------------------------------------------------------------------------
    def read_document(self, images: Sequence[np.ndarray], dpi: int = 300) -> DocumentResult:
        """All pages of one document (in parallel), with the document's type and fields."""
        if not images:
            raise ImageError("a document needs at least one page")
        workers = max(1, min(self.config.parallel_pages, len(images)))
        if workers == 1:
            pages = [self.read_page(image, dpi) for image in images]
        else:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ocr-page") as pool:
                pages = list(pool.map(lambda image: self.read_page(image, dpi), images))
        readable = "\n".join(
            page.text for page in pages if page.quality.ok or page.quality.reason == "cut_off"
        )
        doc_type = classify(readable)
        fields = extract_fields(doc_type, readable)
        fields.update(document_marks(pages))
        return DocumentResult(
            text="\f".join(page.text for page in pages),
            pages=tuple(pages),
            doc_type=doc_type,
            fields=fields,
        )


def document_marks(pages: Sequence[PageResult]) -> dict[str, str]:
    """``seal`` and ``signature``: "present" when some page shows one (red round seal, blue or violet pen
    strokes, seen on a colour scan), else "absent". For the officer's post-check of the copy."""
    marks = {}
    for key in ("seal", "signature"):
        seen = any(page.quality.metrics.get(key, 0.0) >= 1.0 for page in pages)
        marks[key] = "present" if seen else "absent"
    return marks


def _bands(gray: np.ndarray, count: int) -> list[tuple[int, int]]:
    """Split a page into `count` horizontal bands at blank rows, so that no text line is cut."""
    h = gray.shape[0]
    if count <= 1 or h < 400:
        return [(0, h)]
    dark = (gray < 128).sum(axis=1)
    blank = dark <= max(1, gray.shape[1] // 400)
    cuts = [0]
    for k in range(1, count):
        target = h * k // count
        best = None
        for offset in range(0, h // (2 * count)):
            for row in (target - offset, target + offset):
                # a cut needs a run of blank rows around it (a line gap), not the inside of a letter
                if 20 <= row < h - 20 and blank[row - 8 : row + 8].all():
                    best = row
                    break
            if best is not None:
                break
        if best is not None and best > cuts[-1] + 100:
            cuts.append(best)
    cuts.append(h)
    return list(itertools.pairwise(cuts))
