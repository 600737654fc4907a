"""Pages drawn here with Pillow, not by kiosk.samples: other fonts, other layouts, other wording.

The bench's generator must not be the only thing the OCR is measured on; these pages are laid out the
way the issue's failing pages were (one column at the left, wide margins, few lines, small print).
"""

from __future__ import annotations

import subprocess
import unicodedata
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONTS = {
    "noto-sans": "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "dejavu-serif": "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "liberation-sans": "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
    "freefont-serif": "/usr/share/fonts/truetype/freefont/FreeSerif.ttf",
    "dejavu-sans-condensed": "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf",
}

LINES = (
    "Kính gửi: Ban quản lý chợ Đồng Xuân",
    "Tôi tên là Trương Mỹ Lệ, sinh năm 1987.",
    "Hiện cư trú tại số 45 ngõ Quỳnh, quận Hai Bà Trưng.",
    "Tôi xin được thuê một gian hàng bán vải trong năm 2025.",
    "Tôi cam kết chấp hành đúng nội quy của chợ.",
    "Xin trân trọng cảm ơn.",
    "Người làm đơn ký và ghi rõ họ tên.",
    "Đơn này gồm hai trang, nộp kèm bản sao căn cước.",
)


def font_path(name: str) -> str:
    path = FONTS[name]
    if not Path(path).is_file():
        raise FileNotFoundError(
            f"font {path} is not installed (fonts-noto, fonts-dejavu, fonts-liberation2...)"
        )
    return path


def render(
    lines: tuple[str, ...] | list[str],
    font: str,
    *,
    size: int = 46,
    left: int = 320,
    top: int = 500,
    gap: float = 1.8,
    turn: float = 0.0,
    page: tuple[int, int] = (2480, 3508),
) -> tuple[np.ndarray, str]:
    """A white page (BGR) with `lines` one under the other from (left, top); and its text."""
    img = Image.new("L", page, 255)
    draw = ImageDraw.Draw(img)
    face = ImageFont.truetype(font_path(font), size)
    y = top
    for line in lines:
        draw.text((left, y), line, fill=0, font=face)
        y += int(size * gap)
    if turn:
        img = img.rotate(turn, resample=Image.Resampling.BICUBIC, fillcolor=255)
    bgr = cv2.cvtColor(np.asarray(img), cv2.COLOR_GRAY2BGR)
    return bgr, unicodedata.normalize("NFC", "\n".join(lines))


def raw_tesseract(image: np.ndarray, timeout: float = 60.0) -> str:
    """What `tesseract page.png stdout -l vie` makes of the page, as a user would run it."""
    ok, data = cv2.imencode(".png", image)
    assert ok
    out = subprocess.run(
        ["tesseract", "stdin", "stdout", "-l", "vie"],
        input=data.tobytes(),
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    return out.stdout.decode("utf-8", "replace")
