"""The page quality gate: what is wrong with a page, in the citizen's language and in English.

A page that fails the gate gets ``ok=False``, a machine reason, and a message that tells the citizen
what to do. The engine then drops its text: a page the kiosk cannot read must never come back as
confident garbage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# reason -> (Vietnamese, English). Short, polite, and saying what to do next.
MESSAGES: dict[str, tuple[str, str]] = {
    "blank": (
        "Trang giấy trống. Vui lòng đặt mặt có chữ của giấy tờ úp xuống mặt kính và quét lại.",
        "The page is blank. Please place the printed side of the document face down and scan again.",
    ),
    "too_dark": (
        "Ảnh quét quá tối. Vui lòng đóng nắp máy quét và quét lại.",
        "The scan is too dark. Please close the scanner lid and scan again.",
    ),
    "too_bright": (
        "Chữ quá mờ, không đọc được. Vui lòng quét lại bản rõ hơn.",
        "The print is too faint to read. Please scan a clearer original.",
    ),
    "blurred": (
        "Ảnh quét bị mờ. Vui lòng đặt giấy phẳng sát mặt kính và quét lại.",
        "The scan is blurred. Please lay the page flat on the glass and scan again.",
    ),
    "cut_off": (
        "Giấy tờ bị lệch ra ngoài vùng quét. Vui lòng đặt giấy ngay ngắn trong khung và quét lại.",
        "Part of the page is outside the scan area. Please place the page inside the frame and scan again.",
    ),
    "no_text": (
        "Không tìm thấy chữ trên trang. Vui lòng đặt đúng giấy tờ cần sao y và quét lại.",
        "No text was found on the page. Please place the document you want copied and scan again.",
    ),
    "unreadable": (
        "Không đọc được nội dung trang. Vui lòng quét lại hoặc nhờ nhân viên hỗ trợ.",
        "The page could not be read. Please scan again or ask staff for help.",
    ),
    "too_small": (
        "Ảnh quá nhỏ để đọc. Vui lòng quét lại với độ phân giải cao hơn.",
        "The image is too small to read. Please scan again at a higher resolution.",
    ),
    "timeout": (
        "Trang này mất quá nhiều thời gian để đọc. Vui lòng quét lại.",
        "Reading this page took too long. Please scan again.",
    ),
}


@dataclass(frozen=True)
class PageQuality:
    """The verdict on one page: ``ok``, or a ``reason`` with messages; ``metrics`` say why."""

    ok: bool
    reason: str | None
    message_vi: str
    message_en: str
    metrics: dict[str, float] = field(default_factory=dict)

    @classmethod
    def passed(cls, metrics: dict[str, float]) -> PageQuality:
        return cls(ok=True, reason=None, message_vi="", message_en="", metrics=metrics)

    @classmethod
    def failed(cls, reason: str, metrics: dict[str, float]) -> PageQuality:
        vi, en = MESSAGES.get(reason, MESSAGES["unreadable"])
        return cls(ok=False, reason=reason, message_vi=vi, message_en=en, metrics=metrics)

    def to_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "reason": self.reason,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
            "metrics": {k: round(v, 4) for k, v in self.metrics.items() if not math.isnan(v)},
        }


# Thresholds, measured on the bench pages (bench/ocr_bench.py) and on pages drawn in other fonts and layouts
# (tests/ocr/test_gate.py). Before OCR a page is refused only when the measure is certain; everything
# else is read, and judged by what Tesseract made of it.
BLANK_INK_FRACTION = 0.0002  # fewer dark pixels than this: nothing printed (a sparse page has ~0.1 %)
BLANK_CONTRAST = 18.0  # grey levels between the darkest ink and the paper under which there is no print
DARK_BACKGROUND = 70.0  # median paper brightness (0..255) under which the copy itself would be unreadable
HOPELESS_SHARPNESS = 1.0  # ink edges this soft hold no letter (blur sigma ~12 px at 300 dpi)
MAX_INK_FRACTION = 0.35  # more "ink" than this after binarisation is a photo or noise, not a page of text
SOFT_SHARPNESS = 3.0  # low confidence on a page this soft is reported as blur, not as "no text"
MIN_GOOD_WORDS = 6  # words of 2+ characters read with confidence >= GOOD_WORD_CONFIDENCE
FEW_GOOD_WORDS = 2  # ...a short note may have fewer, when they are read with high confidence
SURE_CONFIDENCE = 80.0
GOOD_WORD_CONFIDENCE = 60.0
MIN_PAGE_CONFIDENCE = 62.0  # mean word confidence (weighted by length) a readable page reaches
# ...and a soft page that had to be sharpened: below this its text is wrong one letter in ten, and a
# rescan is the better answer (on such pages raw Tesseract gets 30-100 % CER).
MIN_SOFT_PAGE_CONFIDENCE = 85.0


def _sharpness(metrics: dict[str, float]) -> float:
    value = metrics.get("sharpness", 4.0)
    return 4.0 if math.isnan(value) else value


def before_ocr(metrics: dict[str, float]) -> str | None:
    """A reason to refuse the page from its measurements alone, only where they are certain; else None."""
    if metrics.get("background", 255.0) < DARK_BACKGROUND:
        return "too_dark"
    if metrics.get("contrast", 0.0) < BLANK_CONTRAST or metrics.get("ink_fraction", 0.0) < BLANK_INK_FRACTION:
        return "blank"
    if metrics.get("ink_fraction", 0.0) > MAX_INK_FRACTION:
        return "no_text"  # a picture or a noise field, not printed text (pages hold 0.1-10 % ink)
    if _sharpness(metrics) < HOPELESS_SHARPNESS:
        return "blurred"
    return None


def after_ocr(metrics: dict[str, float]) -> str | None:
    """A reason to refuse the page once read: too few confident words, or text cut off at an edge."""
    good = metrics.get("good_words", 0.0)
    confidence = metrics.get("mean_confidence", 0.0)
    soft = _sharpness(metrics) < SOFT_SHARPNESS
    if good < MIN_GOOD_WORDS and not (good >= FEW_GOOD_WORDS and confidence >= SURE_CONFIDENCE):
        return "blurred" if soft else "no_text"
    if confidence < MIN_PAGE_CONFIDENCE:
        return "blurred" if soft else "unreadable"
    if metrics.get("sharpened") and confidence < MIN_SOFT_PAGE_CONFIDENCE:
        return "blurred"
    if metrics.get("edge_words", 0.0) >= 2:
        return "cut_off"
    return None
