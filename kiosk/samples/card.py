"""Synthetic CCCD card fronts and camera frames for the demo, the simulated devices and the tests.

* `sample_portrait()`: a public-domain portrait bundled with the project (the NASA photo of astronaut
  Eileen Collins that scikit-image ships as `skimage.data.astronaut()`, cropped to head and shoulders;
  see kiosk/samples/README.md). Nothing here reads ../shared.
* `sample_card(seed)`: valid, self-consistent card data (the ID's province, century/sex digit and birth
  year agree with the date of birth and sex).
* `make_card_image(card, portrait=...)`: a CCCD-like card front at 300 dpi (85.6 x 54 mm -> 1011 x 638 px)
  with the QR (7- or 6-field payload), the portrait and the printed fields in Vietnamese and English.
* `sample_live_frames(n, seed)`: 640x480 BGR frames of the portrait's person as a kiosk camera would see
  them: small jitter in position and scale, brightness changes and sensor noise.

The card is a look-alike for software tests, not a forgery aid: no emblem artwork, no security features.
"""

from __future__ import annotations

import dataclasses
import io
import random
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import segno
from PIL import Image, ImageDraw, ImageFont

from kiosk.identity.cccd import SEX_FEMALE, SEX_MALE, CardData
from kiosk.identity.dlib_models import detect_faces, to_rgb

SAMPLES_DIR = Path(__file__).parent
PORTRAIT_FILE = SAMPLES_DIR / "astronaut.jpg"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

CARD_DPI = 300
CARD_SIZE_MM = (85.6, 54.0)
FRAME_SIZE = (640, 480)

# Real province codes of the ID number (Circular 07/2016/TT-BCA), all within 001-096.
PROVINCE_CODES = (
    1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37, 38, 40,
    42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77, 79, 80, 82, 83,
    84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
)  # fmt: skip
_SURNAMES = ("NGUYỄN", "TRẦN", "LÊ", "PHẠM", "HOÀNG", "VŨ", "ĐẶNG", "BÙI", "ĐỖ", "HỒ", "NGÔ", "DƯƠNG")
_MIDDLE = {
    SEX_MALE: ("VĂN", "ĐỨC", "MINH", "QUANG", "HỮU"),
    SEX_FEMALE: ("THỊ", "NGỌC", "THU", "MINH", "HỒNG"),
}
_GIVEN = {
    SEX_MALE: ("AN", "BÌNH", "CƯỜNG", "DŨNG", "HÙNG", "KHÁNH", "LONG", "PHÚC", "QUÂN", "TUẤN"),
    SEX_FEMALE: ("ANH", "CHI", "HẠNH", "HƯƠNG", "LAN", "LINH", "MAI", "NGA", "THẢO", "YẾN"),
}
_ADDRESSES = (
    "Số 12 ngõ 34 phố Hàng Bạc, Phường Hàng Bạc, Quận Hoàn Kiếm, Hà Nội",
    "Thôn Đông, Xã Đại Đồng, Huyện Thạch Thất, Hà Nội",
    "45 Lê Lợi, Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh",
    "Tổ 7, Phường Hòa Khánh Bắc, Quận Liên Chiểu, Đà Nẵng",
    "Khu phố 3, Thị trấn Dầu Giây, Huyện Thống Nhất, Đồng Nai",
)


def make_id_number(province: int, date_of_birth: date, sex: str, serial: int) -> str:
    """A structurally valid 12-digit ID: province, century/sex digit, 2-digit birth year, 6-digit serial."""
    century_index = (date_of_birth.year - 1900) // 100
    digit = century_index * 2 + (1 if sex == SEX_FEMALE else 0)
    return f"{province:03d}{digit}{date_of_birth.year % 100:02d}{serial % 1_000_000:06d}"


def sample_card(seed: int = 0, *, sex: str | None = None, born: date | None = None) -> CardData:
    """Random but self-consistent card data; the same seed gives the same card."""
    rng = random.Random(seed)
    sex = sex or rng.choice((SEX_MALE, SEX_FEMALE))
    born = born or date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
    issued = max(born + timedelta(days=365 * 14 + 10), date(2021, 1, 1)) + timedelta(days=rng.randrange(900))
    issued = min(issued, date(2025, 12, 31))
    name = f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLE[sex])} {rng.choice(_GIVEN[sex])}"
    return CardData(
        id_number=make_id_number(rng.choice(PROVINCE_CODES), born, sex, rng.randrange(1_000_000)),
        old_id=f"{rng.randrange(10**8, 10**9)}" if rng.random() < 0.7 else None,
        full_name=name,
        date_of_birth=born,
        sex=sex,
        address=rng.choice(_ADDRESSES),
        issue_date=issued,
    )


@cache
def _portrait_bytes() -> bytes:
    return PORTRAIT_FILE.read_bytes()


def sample_portrait() -> np.ndarray:
    """The bundled public-domain portrait (BGR, 304 x 330), a fresh copy each call."""
    image = cv2.imdecode(np.frombuffer(_portrait_bytes(), np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise RuntimeError(f"cannot decode the bundled portrait {PORTRAIT_FILE}")
    return image


# passport_crop's box (top, bottom, left, right) for the bundled portrait, fixed here so that drawing the
# demo card does not load dlib's face models (about 100 MB, for good) into the screen's process;
# tests/kiosk_blocks/test_memory_fixes.py checks it against passport_crop.
SAMPLE_ID_PHOTO_BOX = (9, 261, 60, 250)


def sample_id_photo() -> np.ndarray:
    """The bundled portrait framed like an ID photo, as passport_crop frames it, without dlib."""
    top, bottom, left, right = SAMPLE_ID_PHOTO_BOX
    return np.ascontiguousarray(sample_portrait()[top:bottom, left:right])


@cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONT_DIR / name), size)


def _background(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """A pale blue-green card with a fine guilloche of sine waves, in RGB."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.empty((height, width, 3), np.float32)
    base[..., 0] = 222 + 12 * (x / width)
    base[..., 1] = 236 - 6 * (y / height)
    base[..., 2] = 238 + 10 * (y / height)
    phase = float(rng.uniform(0, 6.28))
    waves = np.zeros((height, width), np.float32)
    for k in range(1, 4):
        waves += np.sin(x / (23.0 * k) + np.sin(y / (41.0 * k) + phase) * 3.0)
    base -= (waves[..., None] > 2.0) * np.array([18, 10, 6], np.float32)
    return np.clip(base, 0, 255).astype(np.uint8)


def _qr_image(payload: str, size_px: int) -> Image.Image:
    code = segno.make(payload, encoding="utf-8", error="m", micro=False)
    buf = io.BytesIO()
    code.save(buf, kind="png", scale=1, border=2)
    buf.seek(0)
    small = Image.open(buf).convert("L")
    scale = max(1, size_px // small.width)
    return small.resize((small.width * scale, small.height * scale), Image.Resampling.NEAREST).convert("RGB")


def _fit_cover(image_bgr: np.ndarray, width: int, height: int) -> np.ndarray:
    """Scale and centre-crop an image to exactly width x height (like CSS object-fit: cover)."""
    h, w = image_bgr.shape[:2]
    scale = max(width / w, height / h)
    resized = cv2.resize(
        image_bgr,
        (max(width, round(w * scale)), max(height, round(h * scale))),
        interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC,
    )
    top = (resized.shape[0] - height) // 2
    left = (resized.shape[1] - width) // 2
    return resized[top : top + height, left : left + width]


def passport_crop(photo: np.ndarray) -> np.ndarray:
    """Crop a photo (BGR) around its largest face in the 3:4 framing of an ID portrait (head and shoulders).

    For making cards from ordinary photos in tests and benches; the photo stays in memory.
    """
    rgb = to_rgb(photo, "photo")
    boxes = detect_faces(rgb, min(rgb.shape[1], 1000)) or detect_faces(
        rgb, min(rgb.shape[1], 1000), upsample=1
    )
    if not boxes:
        raise ValueError("passport_crop: no face in the photo")
    box = max(boxes, key=lambda b: b.width * b.height)
    cx, cy = (box.left + box.right) / 2, (box.top + box.bottom) / 2 + 0.1 * box.height
    half_w = box.width * 1.1
    half_h = half_w * 4 / 3
    h, w = photo.shape[:2]
    top, bottom = max(0, round(cy - half_h)), min(h, round(cy + half_h))
    left, right = max(0, round(cx - half_w)), min(w, round(cx + half_w))
    return np.ascontiguousarray(photo[top:bottom, left:right])


def _framed_like_an_id_photo(photo: np.ndarray) -> np.ndarray:
    """A photo given as the portrait: cropped head-and-shoulders around its face when one is found, so a
    tall or wide photo does not lose the face to the card's 3:4 box; as given otherwise."""
    h, w = photo.shape[:2]
    aspect = w / max(1, h)
    if 0.65 <= aspect <= 0.85 and max(h, w) <= 1200:
        return photo  # already framed like an ID photo
    try:
        return passport_crop(photo)
    except ValueError:
        return photo


def make_card_image(
    card: CardData | None = None,
    *,
    portrait: np.ndarray | None = None,
    with_portrait: bool = True,
    qr_fields: int = 7,
    qr_payload: str | None = None,
    with_qr: bool = True,
    seed: int = 0,
    **fields: Any,
) -> np.ndarray:
    """A CCCD-like card front (BGR uint8, 1011 x 638 px at 300 dpi) for `card` (default `sample_card(seed)`).

    Card fields may also be given as keywords (`id_number=`, `full_name=`, `date_of_birth=`, ...): they
    replace those of `card`. They are not validated here, so a test can print an inconsistent card.

    `portrait` (BGR) defaults to the bundled sample portrait; any other photo is first cropped around its
    face like an ID photo (unless it already has the 3:4 shape); `with_portrait=False` leaves its place
    empty. `qr_fields` picks the 7- or 6-field QR layout; `qr_payload` overrides the QR text (to make
    malformed cards); `with_qr=False` leaves the QR out.
    """
    card = card or sample_card(seed)
    if fields:
        unknown = set(fields) - {f.name for f in dataclasses.fields(CardData)}
        if unknown:
            raise TypeError(f"make_card_image: unknown card field(s) {sorted(unknown)}")
        card = dataclasses.replace(card, **fields)
    width = round(CARD_SIZE_MM[0] / 25.4 * CARD_DPI)
    height = round(CARD_SIZE_MM[1] / 25.4 * CARD_DPI)
    rng = np.random.default_rng(seed)
    canvas = Image.fromarray(_background(width, height, rng))
    draw = ImageDraw.Draw(canvas)
    red, dark, blue = (200, 30, 30), (25, 25, 35), (20, 50, 120)

    # A plain red disc with a yellow star stands in for the emblem.
    draw.ellipse((34, 26, 144, 136), fill=red)
    cx, cy, r = 89, 81, 42
    star = [
        (cx + (r if i % 2 == 0 else r * 0.4) * np.sin(i * np.pi / 5),
         cy - (r if i % 2 == 0 else r * 0.4) * np.cos(i * np.pi / 5))
        for i in range(10)
    ]  # fmt: skip
    draw.polygon(star, fill=(250, 215, 40))

    header = [
        ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", _font(25, True), dark),
        ("Độc lập - Tự do - Hạnh phúc", _font(22, True), dark),
        ("SOCIALIST REPUBLIC OF VIET NAM", _font(17), dark),
        ("Independence - Freedom - Happiness", _font(17), dark),
    ]
    y = 24
    centre = 470
    for text, font, colour in header:
        w = draw.textlength(text, font=font)
        draw.text((centre - w / 2, y), text, font=font, fill=colour)
        y += int(font.size) + 8
    for text, font in (("CĂN CƯỚC CÔNG DÂN", _font(34, True)), ("Citizen Identity Card", _font(20, True))):
        w = draw.textlength(text, font=font)
        draw.text((centre - w / 2, y + 4), text, font=font, fill=red)
        y += int(font.size) + 8

    if with_qr:
        payload = qr_payload if qr_payload is not None else card.to_qr_payload(fields=qr_fields)
        qr = _qr_image(payload, 212)
        canvas.paste(qr, (width - qr.width - 24, 22))

    portrait_box = (40, 250, 40 + 230, 250 + 300)
    if with_portrait:
        face = sample_portrait() if portrait is None else _framed_like_an_id_photo(portrait)
        fitted = _fit_cover(face, portrait_box[2] - portrait_box[0], portrait_box[3] - portrait_box[1])
        canvas.paste(Image.fromarray(cv2.cvtColor(fitted, cv2.COLOR_BGR2RGB)), portrait_box[:2])
    else:
        draw.rectangle(portrait_box, outline=(150, 160, 170), width=2)

    label, value, small = _font(17), _font(24, True), _font(19, True)
    x0, y = 300, 262
    draw.text((x0, y), "Số / No.:", font=label, fill=dark)
    draw.text((x0 + 100, y - 8), card.id_number, font=_font(34, True), fill=red)
    y += 48
    draw.text((x0, y), "Họ và tên / Full name:", font=label, fill=dark)
    draw.text((x0, y + 22), card.full_name, font=value, fill=blue)
    y += 60
    draw.text((x0, y), f"Ngày sinh / Date of birth: {card.date_of_birth:%d/%m/%Y}", font=label, fill=dark)
    y += 28
    draw.text((x0, y), f"Giới tính / Sex: {card.sex}", font=label, fill=dark)
    draw.text((x0 + 330, y), "Quốc tịch / Nationality: Việt Nam", font=label, fill=dark)
    y += 28
    draw.text((x0, y), "Nơi thường trú / Place of residence:", font=label, fill=dark)
    address = card.address
    lines = [address]
    if draw.textlength(address, font=small) > width - x0 - 30 and "," in address:
        cut = address.rfind(",", 0, len(address) * 2 // 3) + 1 or len(address) // 2
        lines = [address[:cut].strip(), address[cut:].strip()]
    for line in lines:
        y += 26
        draw.text((x0, y), line, font=small, fill=blue)
    # A CCCD is valid until the 25th, 40th or 60th birthday (the next one at least 2 years after issue).
    expiry_year = next(
        (
            card.date_of_birth.year + age
            for age in (25, 40, 60)
            if card.date_of_birth.year + age - 2 >= card.issue_date.year
        ),
        None,
    )
    expiry_text = f"{card.date_of_birth:%d/%m}/{expiry_year}" if expiry_year else "Không thời hạn"
    draw.text((40, 575), f"Có giá trị đến / Date of expiry: {expiry_text}", font=_font(16), fill=dark)

    rgb = np.asarray(canvas)
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)


def compose_frame(
    portrait: np.ndarray,
    *,
    rng: np.random.Generator,
    face_height_fraction: float = 0.9,
    jitter_px: float = 10.0,
    scale_jitter: float = 0.04,
    brightness_jitter: float = 0.08,
    noise_sigma: float = 2.0,
    size: tuple[int, int] = FRAME_SIZE,
) -> np.ndarray:
    """One camera-like frame: the portrait over a blurred room-like background, jittered, with noise."""
    width, height = size
    scale = face_height_fraction * height / portrait.shape[0] * (1 + rng.uniform(-scale_jitter, scale_jitter))
    scaled = cv2.resize(portrait, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    background = cv2.GaussianBlur(_fit_cover(portrait, width, height), (0, 0), 25)
    frame = background.astype(np.float32)
    ph, pw = scaled.shape[:2]
    left = round((width - pw) / 2 + rng.uniform(-jitter_px, jitter_px))
    top = round(height - ph + rng.uniform(0, jitter_px))
    # Paste with clipping at the frame border.
    x0, y0 = max(0, left), max(0, top)
    x1, y1 = min(width, left + pw), min(height, top + ph)
    frame[y0:y1, x0:x1] = scaled[y0 - top : y1 - top, x0 - left : x1 - left]
    frame *= 1 + rng.uniform(-brightness_jitter, brightness_jitter)
    frame += rng.normal(0, noise_sigma, frame.shape)
    return np.clip(frame, 0, 255).astype(np.uint8)


def sample_live_frames(n: int = 5, seed: int = 0, *, portrait: np.ndarray | None = None) -> list[np.ndarray]:
    """`n` 640x480 BGR frames of the portrait's person, each slightly different, as a camera gives them."""
    if n < 0:
        raise ValueError("n must be >= 0")
    source = portrait if portrait is not None else sample_portrait()
    rng = np.random.default_rng(seed)
    return [compose_frame(source, rng=rng) for _ in range(n)]
