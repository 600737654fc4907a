"""OCR on pages the project's generators never drew: other fonts, layouts, paper, sizes and scan faults.

An outside tester's bench for issue 13. Every page is drawn here with PIL (not kiosk/samples/*), in fonts the
generator does not use (FreeMono, FreeSans, Liberation Mono, DejaVu Serif Condensed, Noto Serif Display;
Liberation Sans Narrow and DejaVu Sans Mono lack Vietnamese glyphs, so they are not used), in layouts it does not draw (two columns, centred title block,
right-aligned date, indented "Điều 1." / "Khoản 2" clauses, bullets, a signature block at the bottom right,
a ruled table with a merged header, tinted paper, coloured headings), on A4 and A5 at 300 and 200 dpi, then
degraded like a scan (turned 1-3 degrees, JPEG q60, mild blur, a red round seal over the signer's name).

Per case it prints CER and word recall of `ocr.OcrEngine.read_document` (what `kiosk ocr` calls) beside raw
`tesseract -l vie` on the same PNG, in one run, and how many of these readable pages the gate refused.

    .venv/bin/python bench/ocr_unseen_bench.py --pages 2
"""

from __future__ import annotations

import argparse
import random
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
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from bench.ocr_metrics import cer, word_recall
from ocr import OcrEngine, load_image
from ocr.config import OcrConfig

_T = "/usr/share/fonts/truetype/"
FONTS = {
    "freemono": (_T + "freefont/FreeMono.ttf", _T + "freefont/FreeMonoBold.ttf"),
    "freesans": (_T + "freefont/FreeSans.ttf", _T + "freefont/FreeSansBold.ttf"),
    "libmono": (_T + "liberation2/LiberationMono-Regular.ttf", _T + "liberation2/LiberationMono-Bold.ttf"),
    "dvserifcond": (_T + "dejavu/DejaVuSerifCondensed.ttf", _T + "dejavu/DejaVuSerifCondensed-Bold.ttf"),
    "notodisplay": (_T + "noto/NotoSerifDisplay-Regular.ttf", _T + "noto/NotoSerifDisplay-Bold.ttf"),
}

NAMES = ["Nguyễn Thị Hường", "Trần Văn Đức", "Lê Quốc Khánh", "Phạm Thu Thủy", "Hoàng Minh Tuấn"]
PLACES = ["Thừa Thiên Huế", "Bắc Ninh", "Quảng Ngãi", "Đắk Lắk", "Cần Thơ"]
CLAUSES = [
    "Phê duyệt kế hoạch sửa chữa trụ sở làm việc của Ủy ban nhân dân xã năm hai nghìn hai mươi sáu.",
    "Giao Văn phòng Hội đồng nhân dân và Ủy ban nhân dân xã chủ trì, phối hợp với các đơn vị liên quan.",
    "Quyết định này có hiệu lực thi hành kể từ ngày ký ban hành.",
    "Trưởng các phòng, ban chuyên môn và cá nhân có liên quan chịu trách nhiệm thi hành quyết định này.",
    "Kinh phí thực hiện được bố trí từ nguồn ngân sách địa phương theo quy định hiện hành.",
    "Công dân có nghĩa vụ cung cấp đầy đủ, chính xác thông tin về nơi cư trú của mình.",
]
BULLETS = [
    "Bản sao giấy khai sinh có chứng thực;",
    "Sổ hộ khẩu hoặc giấy xác nhận thông tin cư trú;",
    "Hai ảnh chân dung cỡ bốn nhân sáu;",
    "Đơn đề nghị theo mẫu đã được ban hành.",
]


class Page:
    def __init__(
        self, size_mm: tuple[int, int], dpi: int, paper: tuple[int, int, int], margin_mm: float
    ) -> None:
        self.dpi = dpi
        self.w, self.h = (round(s / 25.4 * dpi) for s in size_mm)
        self.img = Image.new("RGB", (self.w, self.h), paper)
        self.draw = ImageDraw.Draw(self.img)
        self.m = round(margin_mm / 25.4 * dpi)
        self.y = self.m
        self.lines: list[str] = []

    def pt(self, points: float) -> int:
        return max(8, round(points / 72 * self.dpi))

    def text(
        self, s: str, font: ImageFont.FreeTypeFont, x: int, colour: tuple[int, int, int] = (20, 20, 20)
    ) -> None:
        self.draw.text((x, self.y), s, font=font, fill=colour)

    def wrap(self, s: str, font: ImageFont.FreeTypeFont, x0: int, x1: int) -> list[str]:
        out, cur = [], ""
        for word in s.split():
            trial = f"{cur} {word}".strip()
            if self.draw.textlength(trial, font=font) > x1 - x0 and cur:
                out.append(cur)
                cur = word
            else:
                cur = trial
        return out + ([cur] if cur else [])

    def para(self, s: str, font: ImageFont.FreeTypeFont, x0: int, x1: int, colour=(20, 20, 20)) -> None:
        for line in self.wrap(s, font, x0, x1):
            self.text(line, font, x0, colour)
            self.lines.append(line)
            self.y += round(font.size * 1.45)

    def centred(self, s: str, font: ImageFont.FreeTypeFont, colour=(20, 20, 20)) -> None:
        w = self.draw.textlength(s, font=font)
        self.text(s, font, round((self.w - w) / 2), colour)
        self.lines.append(s)
        self.y += round(font.size * 1.5)

    def right(self, s: str, font: ImageFont.FreeTypeFont) -> None:
        w = self.draw.textlength(s, font=font)
        self.text(s, font, round(self.w - self.m - w))
        self.lines.append(s)
        self.y += round(font.size * 1.5)


def _heading_colour(rng: random.Random) -> tuple[int, int, int]:
    return rng.choice([(20, 20, 20), (10, 40, 120), (120, 20, 20), (20, 80, 40)])


def draw_page(layout: str, seed: int) -> tuple[np.ndarray, str, int, tuple[int, int, int, int] | None]:
    """(BGR page, truth text, dpi, the signer-name box or None)."""
    rng = random.Random(seed)
    font_key = list(FONTS)[seed % len(FONTS)]
    regular, bold = FONTS[font_key]
    a5 = layout in ("a5_200", "bullets")
    dpi = 200 if layout == "a5_200" or (layout == "twocol" and seed % 2) else 300
    paper = rng.choice([(255, 255, 255), (238, 238, 236), (250, 244, 225), (232, 240, 248)])
    page = Page((148, 210) if a5 else (210, 297), dpi, paper, rng.choice([15, 20, 30]))
    body = ImageFont.truetype(regular, page.pt(11 if not a5 else 10))
    head = ImageFont.truetype(bold, page.pt(13))
    small = ImageFont.truetype(bold, page.pt(10))
    name = rng.choice(NAMES)
    place = rng.choice(PLACES)
    number = f"Số: {rng.randint(10, 999)}/QĐ-UBND"
    date = f"{place}, ngày {rng.randint(1, 28)} tháng {rng.randint(1, 12)} năm 2026"
    page.centred("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", small)
    page.centred("Độc lập - Tự do - Hạnh phúc", small)
    page.y += page.pt(6)
    page.text(number, body, page.m)
    page.lines.append(number)
    page.y += round(body.size * 1.5)
    page.right(date, body)
    page.y += page.pt(10)
    page.centred("QUYẾT ĐỊNH", head, _heading_colour(rng))
    page.centred(f"Về việc cấp giấy xác nhận cho ông (bà) {name}", body)
    page.y += page.pt(8)
    x0, x1 = page.m, page.w - page.m
    clauses = rng.sample(CLAUSES, 4)
    if layout == "twocol":
        mid = page.w // 2
        top = page.y
        for i, c in enumerate(clauses[:2]):
            page.para(f"Điều {i + 1}. {c}", body, x0, mid - page.pt(12))
        page.y = top
        for i, c in enumerate(clauses[2:]):
            page.para(f"Điều {i + 3}. {c}", body, mid + page.pt(12), x1)
        page.y = max(page.y, top) + page.pt(40)
    elif layout == "table":
        page.para("Danh sách hồ sơ đã tiếp nhận:", body, x0, x1)
        cols = [x0, x0 + (x1 - x0) * 12 // 100, x0 + (x1 - x0) * 62 // 100, x1]
        rh = round(body.size * 1.9)
        t0 = page.y
        page.draw.rectangle((cols[0], t0, cols[3], t0 + rh), outline=(0, 0, 0), width=2)
        page.y = t0 + rh // 4
        page.centred("THÔNG TIN HỒ SƠ", small)  # merged header over all columns
        rows = [("STT", "Họ và tên", "Nơi cư trú")] + [
            (str(i + 1), rng.choice(NAMES), rng.choice(PLACES)) for i in range(4)
        ]
        for r, row in enumerate(rows):
            top = t0 + rh * (r + 1)
            for c in range(3):
                page.draw.rectangle((cols[c], top, cols[c + 1], top + rh), outline=(0, 0, 0), width=2)
                page.draw.text((cols[c] + page.pt(5), top + rh // 4), row[c], font=body, fill=(20, 20, 20))
            page.lines.append(" ".join(row))
        page.y = t0 + rh * (len(rows) + 1) + page.pt(12)
    else:
        for i, c in enumerate(clauses):
            indent = x0 + page.pt(18)
            label = f"Điều {i + 1}." if i % 2 == 0 else f"Khoản {i + 1}."
            page.para(f"{label} {c}", body, indent, x1)
        if layout == "bullets":
            for b in BULLETS:
                page.draw.ellipse(
                    (
                        x0 + page.pt(18),
                        page.y + body.size // 3,
                        x0 + page.pt(22),
                        page.y + body.size // 3 + page.pt(4),
                    ),
                    fill=(20, 20, 20),
                )
                page.para(b, body, x0 + page.pt(30), x1)
    # signature block, bottom right
    sx = page.w - page.m - round(page.w * 0.38)
    page.y = max(page.y + page.pt(20), page.h - page.m - page.pt(110))
    for s, f in (("TM. ỦY BAN NHÂN DÂN", small), ("CHỦ TỊCH", small)):
        w = page.draw.textlength(s, font=f)
        page.draw.text((sx + (page.w - page.m - sx - w) / 2, page.y), s, font=f, fill=(20, 20, 20))
        page.lines.append(s)
        page.y += round(f.size * 1.5)
    page.y += page.pt(40)
    w = page.draw.textlength(name, font=small)
    nx = round(sx + (page.w - page.m - sx - w) / 2)
    page.draw.text((nx, page.y), name, font=small, fill=(20, 20, 20))
    page.lines.append(name)
    name_box = (nx, page.y, nx + round(w), page.y + small.size)
    bgr = cv2.cvtColor(np.asarray(page.img), cv2.COLOR_RGB2BGR)
    return bgr, "\n".join(page.lines), dpi, name_box


def stamp_seal(bgr: np.ndarray, box: tuple[int, int, int, int], dpi: int, seed: int) -> np.ndarray:
    """A red round seal, 36 mm across, multiplied over the signer's name (ink under a seal stays dark)."""
    rng = random.Random(seed)
    r = round(18 / 25.4 * dpi)
    cx = (box[0] + box[2]) // 2 + rng.randint(-r // 4, r // 4)
    cy = box[1] - r // 3
    seal = Image.new("RGB", (bgr.shape[1], bgr.shape[0]), (255, 255, 255))
    d = ImageDraw.Draw(seal)
    red = (215, 40, 45)
    w = max(3, dpi // 60)
    d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=red, width=w)
    d.ellipse((cx - r * 0.72, cy - r * 0.72, cx + r * 0.72, cy + r * 0.72), outline=red, width=w // 2 + 1)
    d.regular_polygon((cx, cy, r // 4), 5, fill=red)
    f = ImageFont.truetype(FONTS["freesans"][1], max(10, r // 6))
    for i, ch in enumerate("ỦY BAN NHÂN DÂN XÃ"):
        a = np.pi * (1.1 + 0.8 * i / 17)
        d.text((cx + 0.86 * r * np.cos(a), cy + 0.86 * r * np.sin(a)), ch, font=f, fill=red, anchor="mm")
    s = np.asarray(seal, dtype=np.float32) / 255.0
    s = s[:, :, ::-1]
    return (bgr.astype(np.float32) * s).clip(0, 255).astype(np.uint8)


def degrade(bgr: np.ndarray, fault: str, dpi: int, box, seed: int) -> np.ndarray:
    rng = random.Random(seed)
    if fault in ("seal", "all"):
        bgr = stamp_seal(bgr, box, dpi, seed)
    if fault in ("rotate", "all"):
        angle = rng.choice([-1, 1]) * rng.uniform(1.0, 3.0)
        h, w = bgr.shape[:2]
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        bgr = cv2.warpAffine(bgr, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=(245, 245, 245))
    if fault in ("blur", "all"):
        img = Image.fromarray(bgr).filter(ImageFilter.GaussianBlur(0.9 * dpi / 300))
        bgr = np.asarray(img)
    if fault in ("jpeg60", "all"):
        _ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 60])
        bgr = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return bgr


LAYOUTS = ["clauses", "twocol", "table", "bullets", "a5_200"]
FAULTS = ["clean", "rotate", "jpeg60", "blur", "seal", "all"]


def raw_tesseract(path: Path) -> str:
    out = subprocess.run(
        ["tesseract", str(path), "stdout", "-l", "vie"], capture_output=True, timeout=120, check=False
    )
    return out.stdout.decode("utf-8", "replace")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=2, help="pages per layout x fault (default 2)")
    parser.add_argument("--seed", type=int, default=9100)
    parser.add_argument("--layouts", default=",".join(LAYOUTS))
    parser.add_argument("--faults", default=",".join(FAULTS))
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--keep", type=Path, help="keep the PNGs in this folder")
    args = parser.parse_args()
    engine = OcrEngine(OcrConfig())
    mean = lambda v: sum(v) / len(v) if v else float("nan")  # noqa: E731
    rows = []
    with tempfile.TemporaryDirectory(prefix="ocr-unseen-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for layout in [x for x in args.layouts.split(",") if x]:
            for fault in [x for x in args.faults.split(",") if x]:
                rc, rr, kc, kr, ks, refused = [], [], [], [], [], 0
                for i in range(args.pages):
                    seed = args.seed + 37 * i + LAYOUTS.index(layout)
                    page, truth, dpi, box = draw_page(layout, seed)
                    page = degrade(page, fault, dpi, box, seed)
                    path = folder / f"{layout}-{fault}-{i}.png"
                    cv2.imwrite(str(path), page)
                    raw = raw_tesseract(path)
                    t0 = time.monotonic()
                    result = engine.read_document([load_image(path)], dpi=dpi)
                    ks.append(time.monotonic() - t0)
                    q = result.pages[0].quality
                    refused += not q.ok
                    rc.append(min(100.0, cer(raw, truth)))
                    rr.append(word_recall(raw, truth))
                    kc.append(min(100.0, cer(result.text, truth)))
                    kr.append(word_recall(result.text, truth))
                    if args.verbose:
                        font = list(FONTS)[seed % len(FONTS)]
                        print(
                            f"  {layout}/{fault}/{font}/{dpi}dpi seed {seed}: raw {rc[-1]:.2f} % kiosk {kc[-1]:.2f} %"
                            f" {ks[-1]:.1f} s" + ("" if q.ok else f" REFUSED {q.reason}"),
                            flush=True,
                        )
                rows.append((f"{layout}/{fault}", rc, rr, kc, kr, ks, refused, args.pages))
    hdr = f"{'case':18s} {'raw CER%':>9s} {'kiosk CER%':>10s} {'raw recall':>10s} {'kiosk recall':>12s} {'s/page':>7s} {'refused':>8s}"
    print(hdr)
    print("-" * len(hdr))
    for name, rc, rr, kc, kr, ks, refused, n in rows:
        print(
            f"{name:18s} {mean(rc):9.2f} {mean(kc):10.2f} {mean(rr):10.1f} {mean(kr):12.1f} {mean(ks):7.2f} {refused:5d}/{n}"
        )
    allr = [v for r in rows for v in r[1]]
    allk = [v for r in rows for v in r[3]]
    print(
        f"all pages: raw CER {mean(allr):.2f} %, kiosk CER {mean(allk):.2f} %; refused {sum(r[6] for r in rows)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
