"""Building blocks of the screens: the screen frame, buttons, page thumbnails, the camera preview, keypads."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from kiosk.flow import VisitFlow


def bgr_to_qimage(image: Any, max_side: int = 0) -> QImage:
    """A QImage copy of a BGR (or grey) uint8 array, optionally subsampled so its longer side <= max_side."""
    array = np.asarray(image)
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    if max_side and max(array.shape[:2]) > max_side:
        step = int(np.ceil(max(array.shape[:2]) / max_side))
        array = array[::step, ::step]
    array = np.ascontiguousarray(array[:, :, :3], dtype=np.uint8)
    h, w = array.shape[:2]
    return QImage(array.data, w, h, 3 * w, QImage.Format.Format_BGR888).copy()


def make_button(
    text: str = "", *, primary: bool = False, on_click: Callable[[], None] | None = None
) -> QPushButton:
    button = QPushButton(text)
    button.setProperty("primary", primary)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    if on_click is not None:
        # Swallow `clicked`'s `checked` argument: an event like `scan_page(replace=None)` must not get it.
        button.clicked.connect(lambda _checked=False: on_click())
    return button


def make_label(role: str = "", *, wrap: bool = True, align: Qt.AlignmentFlag | None = None) -> QLabel:
    label = QLabel()
    if role:
        label.setProperty("role", role)
    label.setWordWrap(wrap)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if align is not None:
        label.setAlignment(align)
    return label


def make_card_frame() -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setProperty("role", "card")
    layout = QVBoxLayout(frame)
    return frame, layout


class ScreenBase(QWidget):
    """Step line, title, instruction, a body, and a footer with secondary actions left and the one primary
    action right. Subclasses fill the body and implement `show_state(flow)` and `spoken_prompt()`."""

    def __init__(self, host: Any) -> None:
        super().__init__()
        self.host = host
        self.setProperty("screen", True)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        outer = QVBoxLayout(self)
        self.outer = outer
        self.step = make_label("step", wrap=False)
        self.title = make_label("title")
        self.instruction = make_label()
        outer.addWidget(self.step)
        outer.addWidget(self.title)
        outer.addWidget(self.instruction)
        self.body = QVBoxLayout()
        outer.addLayout(self.body, 1)
        self.footer = QHBoxLayout()
        outer.addLayout(self.footer)

    @property
    def flow(self) -> VisitFlow:
        return self.host.flow

    def apply_metrics(self, margin: int, spacing: int) -> None:
        self.outer.setContentsMargins(margin, margin // 2, margin, margin // 2)
        self.outer.setSpacing(spacing)
        self.body.setSpacing(spacing)
        self.footer.setSpacing(spacing)

    def show_state(self, flow: VisitFlow) -> None:  # pragma: no cover - every screen overrides
        raise NotImplementedError

    def spoken_prompt(self) -> str:
        """What the voice says when this screen appears: the title and the instruction."""
        return " ".join(t for t in (self.title.text(), self.instruction.text()) if t)

    def entered(self) -> None:
        """Called when the screen becomes the current one."""

    def left(self) -> None:
        """Called when another screen replaces this one."""


class ImageView(QWidget):
    """Paints an image scaled to fit, with an optional box (face) and an oval guide."""

    def __init__(self, *, guide: bool = False) -> None:
        super().__init__()
        self.image: QImage | None = None
        self.box: tuple[int, int, int, int] | None = None  # left, top, width, height in image pixels
        self.guide = guide
        self.box_color = QColor("#1E9E40")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 120)

    def set_image(self, image: QImage | None, box: tuple[int, int, int, int] | None = None) -> None:
        self.image, self.box = image, box
        self.update()

    def clear(self) -> None:
        self.set_image(None)

    def paintEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.fillRect(self.rect(), QColor("#20262E"))
        if self.image is not None and not self.image.isNull():
            iw, ih = self.image.width(), self.image.height()
            scale = min(self.width() / iw, self.height() / ih)
            w, h = iw * scale, ih * scale
            x, y = (self.width() - w) / 2, (self.height() - h) / 2
            painter.drawImage(QRectF(x, y, w, h), self.image)
            if self.box is not None:
                left, top, bw, bh = self.box
                painter.setPen(QPen(self.box_color, max(3, round(4 * scale))))
                painter.drawRect(QRectF(x + left * scale, y + top * scale, bw * scale, bh * scale))
        if self.guide:
            painter.setPen(QPen(QColor(255, 255, 255, 160), 3, Qt.PenStyle.DashLine))
            gw, gh = self.width() * 0.36, self.height() * 0.7
            painter.drawEllipse(QRectF((self.width() - gw) / 2, (self.height() - gh) / 2, gw, gh))
        painter.end()


class PageThumb(QFrame):
    """One scanned page: its picture, its number, and the rescan / remove buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.setProperty("role", "card")
        layout = QVBoxLayout(self)
        self.view = ImageView()
        self.view.setMinimumSize(120, 150)
        self.number = make_label(wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.rescan = make_button()
        self.remove = make_button()
        self.remove.setProperty("danger", True)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.number)
        layout.addWidget(self.rescan)
        layout.addWidget(self.remove)


class Keypad(QWidget):
    """A grid of keys; `pressed` carries the key's text ("⌫" for backspace)."""

    pressed = Signal(str)
    BACKSPACE = "⌫"

    def __init__(self, keys: Sequence[str], columns: int) -> None:
        super().__init__()
        grid = QGridLayout(self)
        grid.setSpacing(8)
        self.buttons: dict[str, QPushButton] = {}
        for index, key in enumerate(keys):
            button = make_button(key)
            button.setProperty("key", True)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _=False, k=key: self.pressed.emit(k))
            grid.addWidget(button, index // columns, index % columns)
            self.buttons[key] = button


def pixmap_of_card(width: int, height: int, color: str = "#0B5CAD") -> QPixmap:
    """A simple drawing of a card on a scanner glass, for the "place your card" screens."""
    pixmap = QPixmap(width, height)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor("#8A96A8"), 4))
    painter.setBrush(QColor("#DDE3EC"))
    painter.drawRoundedRect(QRectF(4, height * 0.2, width - 8, height * 0.75), 16, 16)
    painter.setPen(QPen(QColor(color), 4))
    painter.setBrush(QColor("#FFFFFF"))
    cw, ch = width * 0.46, height * 0.42
    painter.drawRoundedRect(QRectF((width - cw) / 2, height * 0.36, cw, ch), 10, 10)
    painter.setBrush(QColor(color))
    painter.drawRect(QRectF((width - cw) / 2 + cw * 0.08, height * 0.36 + ch * 0.2, cw * 0.25, ch * 0.55))
    painter.end()
    return pixmap
