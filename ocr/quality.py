"""The page quality gate: what is wrong with a page, in the citizen's language and in English.

A page that fails the gate gets ``ok=False``, a machine reason, and a message that tells the citizen
what to do. The engine then drops its text: a page the kiosk cannot read must never come back as
confident garbage.
"""

from __future__ import annotations

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
            "metrics": {k: round(v, 4) for k, v in self.metrics.items()},
        }


# Thresholds, measured on the synthetic bench pages (see bench/ocr_bench.py) and on real-looking failures.
BLANK_INK_FRACTION = 0.0004  # fewer dark pixels than this: nothing printed
BLANK_CONTRAST = 18.0  # grey levels between ink and paper under which there is no print
DARK_BACKGROUND = 70.0  # median paper brightness (0..255) under which the copy itself would be unreadable
BLURRED_SHARPNESS = 0.9  # below this edge steepness nothing is legible (sharp print ~4, sigma 2 blur ~2)
MAX_INK_FRACTION = 0.35  # more "ink" than this after binarisation is a photo or noise, not a page of text
SOFT_SHARPNESS = 1.6  # low confidence on a page this soft is reported as blur, not as "no text"
MIN_GOOD_WORDS = 6  # words of 2+ characters read with confidence >= GOOD_WORD_CONFIDENCE
GOOD_WORD_CONFIDENCE = 60.0
MIN_PAGE_CONFIDENCE = 62.0  # mean word confidence (weighted by length) a readable page reaches


def before_ocr(metrics: dict[str, float]) -> str | None:
    """A reason to reject the page from its measurements alone, or None to go on and read it."""
    if metrics.get("background", 255.0) < DARK_BACKGROUND:
        return "too_dark"
    if metrics.get("contrast", 0.0) < BLANK_CONTRAST or metrics.get("ink_fraction", 0.0) < BLANK_INK_FRACTION:
        return "blank"
    if metrics.get("sharpness", 4.0) < BLURRED_SHARPNESS:
        return "blurred"
    if metrics.get("ink_fraction", 0.0) > MAX_INK_FRACTION:
        return "no_text"  # a picture or a noise field, not printed text (pages hold 2-10 % ink)
    return None


def after_ocr(metrics: dict[str, float]) -> str | None:
    """A reason to reject the page once it was read (too few confident words, or text cut at an edge)."""
    if metrics.get("good_words", 0.0) < MIN_GOOD_WORDS:
        return "blurred" if metrics.get("sharpness", 4.0) < SOFT_SHARPNESS else "no_text"
    if metrics.get("mean_confidence", 0.0) < MIN_PAGE_CONFIDENCE:
        return "blurred" if metrics.get("sharpness", 4.0) < SOFT_SHARPNESS else "unreadable"
    if metrics.get("edge_words", 0.0) >= 2:
        return "cut_off"
    return None
