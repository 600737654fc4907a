"""Colours, sizes and the style sheet: normal, large text and high contrast, scaled to the screen.

Sizes follow the shorter side of the window (800 px is the reference), so 1280x800, 1920x1080 and a
portrait 1080x1920 all keep touch targets well above 48 px and text readable at arm's length.
"""

from __future__ import annotations

from dataclasses import dataclass

FONT_FAMILY = "DejaVu Sans"  # installed with the system; covers Vietnamese diacritics
MIN_TOUCH_PX = 48


@dataclass(frozen=True)
class Palette:
    background: str
    surface: str
    text: str
    muted: str
    primary: str
    primary_text: str
    secondary: str
    secondary_text: str
    border: str
    danger: str
    success: str
    focus: str
    disabled_border: str = "#C9D1DC"  # inactive controls are exempt from 1.4.11; they must not look active


NORMAL = Palette(
    background="#F4F6FA",
    surface="#FFFFFF",
    text="#1B2430",
    muted="#4A5565",
    primary="#0B5CAD",
    primary_text="#FFFFFF",
    secondary="#E3EAF4",
    secondary_text="#0B3D75",
    border="#5A6B85",  # 5.0:1 on the background, 4.5:1 on a secondary button (WCAG 2.2 1.4.11 asks 3:1)
    danger="#B3261E",
    success="#1E7A34",
    focus="#F2A900",
)

HIGH_CONTRAST = Palette(
    background="#000000",
    surface="#000000",
    text="#FFFFFF",
    muted="#FFFFFF",
    primary="#FFE600",
    primary_text="#000000",
    secondary="#000000",
    secondary_text="#FFFFFF",
    border="#FFFFFF",
    danger="#FF6B6B",
    success="#7CFF7C",
    focus="#00E5FF",
    disabled_border="#5C5C5C",
)


@dataclass(frozen=True)
class Metrics:
    scale: float
    body_px: int
    title_px: int
    huge_px: int
    small_px: int
    button_h: int
    margin: int
    spacing: int


def metrics_for(width: int, height: int, *, large_text: bool = False) -> Metrics:
    # Landscape follows the height (800 px is the reference); portrait follows the width, which is what
    # limits a row of buttons there.
    base = min(width, height) / 800 if width >= height else width / 820
    scale = max(0.8, min(2.0, base))
    text = scale * (1.3 if large_text else 1.0)
    return Metrics(
        scale=scale,
        body_px=round(22 * text),
        title_px=round(34 * text),
        huge_px=round(52 * text),
        small_px=round(18 * text),
        button_h=max(MIN_TOUCH_PX, round(72 * scale)),
        margin=round(32 * scale),
        spacing=round(16 * scale),
    )


def style_sheet(m: Metrics, p: Palette) -> str:
    border_w = 3 if p is HIGH_CONTRAST else 2
    return f"""
QWidget#KioskRoot, QStackedWidget, QWidget[screen="true"] {{ background: {p.background}; }}
QWidget {{ font-family: "{FONT_FAMILY}"; font-size: {m.body_px}px; color: {p.text}; }}
QLabel {{ background: transparent; }}
QLabel[role="title"] {{ font-size: {m.title_px}px; font-weight: bold; color: {p.text}; }}
QLabel[role="huge"] {{ font-size: {m.huge_px}px; font-weight: bold; color: {p.primary if p is HIGH_CONTRAST else p.secondary_text}; }}
QLabel[role="muted"] {{ color: {p.muted}; font-size: {m.small_px}px; }}
QLabel[role="step"] {{ color: {p.muted}; font-size: {m.small_px}px; }}
QLabel[role="error"] {{ color: {p.danger}; font-weight: bold; }}
QLabel[role="ok"] {{ color: {p.success}; font-weight: bold; }}
QFrame[role="card"] {{ background: {p.surface}; border: {border_w}px solid {p.border}; border-radius: {round(12 * m.scale)}px; }}
QPushButton {{
  min-height: {m.button_h}px; padding: 0 {round(18 * m.scale)}px; border-radius: {round(12 * m.scale)}px;
  background: {p.secondary}; color: {p.secondary_text}; border: {border_w}px solid {p.border};
  font-size: {m.body_px}px;
}}
QPushButton[primary="true"] {{ background: {p.primary}; color: {p.primary_text}; border-color: {p.primary}; font-weight: bold; }}
QPushButton[danger="true"] {{ color: {p.danger}; }}
QPushButton[key="true"] {{ padding: 0; font-weight: bold; min-width: {round(MIN_TOUCH_PX * m.scale)}px; min-height: {max(MIN_TOUCH_PX, round(64 * m.scale))}px; }}
QPushButton[toggle="true"]:checked {{ background: {p.primary}; color: {p.primary_text}; }}
QPushButton:disabled {{ background: {p.background}; color: {p.muted}; border-color: {p.disabled_border}; }}
QPushButton[primary="true"]:disabled {{ background: {p.background}; color: {p.muted}; border-color: {p.disabled_border}; font-weight: normal; }}
QPushButton:focus:!disabled {{ border-color: {p.focus}; }}
QPushButton[big="true"] {{ min-height: {round(m.button_h * 1.5)}px; }}
QPushButton[help="true"] {{ min-height: {max(MIN_TOUCH_PX, round(56 * m.scale))}px; font-size: {m.small_px}px; font-weight: bold; }}
QLabel[role="badge"] {{ background: {p.focus}; color: #000000; font-size: {m.small_px}px; font-weight: bold; border-radius: {round(8 * m.scale)}px; padding: {round(4 * m.scale)}px; }}
QLabel[role="banner"] {{ background: {p.surface}; border: {border_w}px solid {p.success}; border-radius: {round(10 * m.scale)}px; padding: {round(8 * m.scale)}px; color: {p.success}; font-weight: bold; }}
QLabel[role="current"] {{ font-size: {m.title_px}px; font-weight: bold; color: {p.primary_text}; background: {p.primary}; border-radius: {round(10 * m.scale)}px; }}
QLabel[role="pending"] {{ font-size: {m.body_px}px; color: {p.muted}; }}
QLabel[role="passed"] {{ font-size: {m.body_px}px; color: {p.success}; }}
QLabel[role="amount"] {{ font-size: {m.huge_px}px; font-weight: bold; color: {p.text}; }}
QWidget#ModalOverlay {{ background: rgba(0, 0, 0, 170); }}
QFrame#ModalBox {{ background: {p.surface}; border: {border_w}px solid {p.border}; border-radius: {round(16 * m.scale)}px; }}
QScrollArea {{ background: transparent; border: none; }}
QScrollArea > QWidget > QWidget {{ background: transparent; }}
QScrollBar:vertical {{ width: {round(28 * m.scale)}px; background: {p.secondary}; }}
QScrollBar:horizontal {{ height: {round(28 * m.scale)}px; background: {p.secondary}; }}
QScrollBar::handle {{ background: {p.border}; border-radius: {round(8 * m.scale)}px; min-height: {MIN_TOUCH_PX}px; min-width: {MIN_TOUCH_PX}px; }}
QProgressBar {{ min-height: {round(36 * m.scale)}px; border: {border_w}px solid {p.border}; border-radius: {round(8 * m.scale)}px;
  background: {p.surface}; text-align: center; color: {p.text}; }}
QProgressBar::chunk {{ background: {p.primary}; border-radius: {round(6 * m.scale)}px; }}
QWidget#IdleOverlay {{ background: {p.background}; }}
QFrame#IdleBox {{ background: {p.surface}; border: {border_w}px solid {p.border}; border-radius: {round(16 * m.scale)}px; }}
QWidget[compact="true"] QPushButton {{ font-size: {m.small_px}px; padding: 0 {round(12 * m.scale)}px; min-height: {max(MIN_TOUCH_PX, round(56 * m.scale))}px; }}
QWidget[compact="true"] QPushButton[key="true"] {{ padding: 0; min-width: {MIN_TOUCH_PX}px; }}
QListWidget, QPlainTextEdit {{ background: {p.surface}; border: {border_w}px solid {p.border}; font-size: {m.small_px}px; }}
"""
