"""Building blocks of the screens: the screen frame, buttons, page thumbnails, the camera preview, keypads."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import segno
from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpacerItem,
    QVBoxLayout,
    QWidget,
)

from ui.voice import screen_text

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


class TicketCard:
    """A queue ticket as the screens show it (the ticket screen, the out-of-service screen): an icon, then in
    a card the number, the counter and one line more (why, or where the ticket came out). Built into
    `body`; the screen fills it with `show`, in its own translated words."""

    def __init__(self, body: QVBoxLayout) -> None:
        self.icon = QLabel()
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        body.addWidget(self.icon)
        frame, texts = make_card_frame()
        self.number_label = make_label("muted", align=Qt.AlignmentFlag.AlignCenter)
        self.number = make_label("huge", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.counter = make_label("title", align=Qt.AlignmentFlag.AlignCenter)
        self.detail = make_label(align=Qt.AlignmentFlag.AlignCenter)
        for widget in (self.number_label, self.number, self.counter, self.detail):
            texts.addWidget(widget)
        body.addWidget(frame)

    def show(
        self, title: QLabel, *, high_contrast: bool, number_label: str, number: str, counter: str, detail: str
    ) -> None:
        """Fill the card; the icon is twice the height of the screen's `title` line."""
        side = max(48, title.fontMetrics().height() * 2)
        self.icon.setPixmap(icon_pixmap("info", side, high_contrast=high_contrast))
        self.number_label.setText(number_label)
        self.number.setText(number)
        self.counter.setText(counter)
        self.detail.setText(detail)


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
        self.step = make_label("step")
        self.title = make_label("title")
        self.instruction = make_label()
        header = QHBoxLayout()
        header.addWidget(self.step, 1)
        # "Trợ giúp / Gọi cán bộ" on every screen of the citizen: raises a staff call, keeps the visit.
        self.help = make_button(on_click=host.call_staff)
        self.help.setProperty("help", True)
        header.addWidget(self.help, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(header)
        outer.addWidget(self.title)
        outer.addWidget(self.instruction)
        self.body = QVBoxLayout()
        # Portrait: this spacer grows with the one most screens end their body with, so the content sits
        # in the middle of a tall screen instead of at its top (see set_portrait).
        self.top_space = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self.body.addItem(self.top_space)
        outer.addLayout(self.body, 1)
        self.footer = QHBoxLayout()
        outer.addLayout(self.footer)

    @property
    def flow(self) -> VisitFlow:
        return self.host.flow

    # Screens whose body has a part that takes the free height (a camera preview, the pages) say False.
    center_in_portrait = True

    def set_portrait(self, portrait: bool) -> None:
        portrait = portrait and self.center_in_portrait
        policy = QSizePolicy.Policy.Expanding if portrait else QSizePolicy.Policy.Fixed
        self.top_space.changeSize(0, 0, QSizePolicy.Policy.Minimum, policy)
        self.body.setStretch(0, 1 if portrait else 0)
        self.body.invalidate()

    def show_help(self, visible: bool) -> None:
        self.help.setText(QCoreApplication.translate("ScreenBase", "Help / Call staff"))
        self.help.setVisible(visible)

    def apply_metrics(self, margin: int, spacing: int) -> None:
        self.outer.setContentsMargins(margin, margin // 2, margin, margin // 2)
        self.outer.setSpacing(spacing)
        self.body.setSpacing(spacing)
        self.footer.setSpacing(spacing)

    def show_state(self, flow: VisitFlow) -> None:  # pragma: no cover - every screen overrides
        raise NotImplementedError

    def spoken_prompt(self) -> str:
        """What the voice says for this screen: all its visible text in reading order, as sentences (issue
        25: everything shown is spoken), but a countdown that changes every second."""
        return screen_text(self, skip=(getattr(self, "countdown", None),))

    def entered(self) -> None:
        """Called when the screen becomes the current one."""

    def left(self) -> None:
        """Called when another screen replaces this one."""


def arrange_buttons(grid: QGridLayout, left: list[QPushButton], right: list[QPushButton], rows: int) -> None:
    """A footer's buttons in `grid`: in one row, `left` then free space then `right` (the main action
    last, on the right); in two rows (a narrow, tall screen), `right` above, sharing the width, and `left`
    below. Hidden buttons take no place."""
    for button in (*left, *right):
        grid.removeWidget(button)
    # a button not yet in any layout has no parent, and Qt calls a parentless widget hidden: placed all the same
    shown_left = [b for b in left if b.parentWidget() is None or not b.isHidden()]
    shown_right = [b for b in right if b.parentWidget() is None or not b.isHidden()]
    for column in range(grid.columnCount()):
        grid.setColumnStretch(column, 0)
    if rows == 1:
        for column, button in enumerate(shown_left):
            grid.addWidget(button, 0, column)
        gap = len(shown_left)
        grid.setColumnStretch(gap, 1)
        for offset, button in enumerate(shown_right):
            grid.addWidget(button, 0, gap + 1 + offset)
        return
    for column, button in enumerate(shown_right):
        grid.addWidget(button, 0, column)
        grid.setColumnStretch(column, 1)
    for column, button in enumerate(shown_left):
        grid.addWidget(button, 1, column)


GUIDE_ASPECT = 0.75  # width / height of the face oval


def toggle_text(label: str, on: bool) -> str:
    """A toggle's text carries its state (not only its colour): "✓ Large text" / "○ Large text"."""
    return f"{'✓' if on else '○'} {label}"


def mark_primary(button: QPushButton, primary: bool) -> None:
    """Make a button the screen's main action (or not), and restyle it."""
    if bool(button.property("primary")) != primary:
        button.setProperty("primary", primary)
        button.style().unpolish(button)
        button.style().polish(button)


class ImageView(QWidget):
    """Paints an image scaled to fit, with an optional box (face) and an oval guide; `clicked` when
    touched (a page's thumbnail opens it full size)."""

    clicked = Signal()

    def __init__(self, *, guide: bool = False, background: str = "#20262E") -> None:
        super().__init__()
        self.background = QColor(background)
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

    def mousePressEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        self.clicked.emit()
        super().mousePressEvent(event)

    def paintEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.fillRect(self.rect(), self.background)
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
            painter.setPen(QPen(QColor(255, 255, 255, 200), 4, Qt.PenStyle.DashLine))
            painter.drawEllipse(self.guide_rect())
        painter.end()

    def image_rect(self) -> QRectF:
        """Where the image is drawn (the widget's middle at 4:3 when there is no image yet)."""
        iw, ih = (self.image.width(), self.image.height()) if self.image is not None else (4, 3)
        iw, ih = max(1, iw), max(1, ih)
        scale = min(self.width() / iw, self.height() / ih)
        w, h = iw * scale, ih * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def guide_rect(self) -> QRectF:
        """The face oval: a face's proportions (3 wide to 4 high), 70 % of the picture's height, so it
        looks the same in a wide landscape preview and a tall portrait one."""
        picture = self.image_rect()
        _, _, gw, gh = oval_in_picture(picture.width(), picture.height())
        return QRectF(picture.center().x() - gw / 2, picture.center().y() - gh / 2, gw, gh)


def oval_in_picture(width: float, height: float) -> tuple[float, float, float, float]:
    """The face oval within a picture of `width` x `height` (centre x, centre y, width, height): a face's
    proportions (3 wide to 4 high), 70 % of the picture's height, at most 80 % of its width."""
    gh = height * 0.7
    gw = gh * GUIDE_ASPECT
    if gw > width * 0.8:
        gw = width * 0.8
        gh = gw / GUIDE_ASPECT
    return width / 2, height / 2, gw, gh


# A face whose box is less than this share of the oval's height is too far from the camera to be compared:
# a quarter of the oval is ~84 px on a 480-line camera, above the face check's `min_face_px` (80), and is
# where a citizen stands at a normal distance (the simulated citizen's face box is ~0.32 of the oval).
# It must leave the liveness "move closer" step room to grow: a face the gate just accepts, grown by
# kiosk.identity.liveness.CLOSER_GROWTH (1.30), is still well inside the oval (0.25 x 1.3 = 0.33), so
# "Start" never asks a citizen to come as close as the challenge will ask them to come (issue 25, W1).
MIN_FACE_SHARE_OF_OVAL = 0.25


def face_position(box: tuple[int, int, int, int] | None, width: int, height: int) -> str:
    """Where the face is against the oval (issue 25: "Start" waits for a face in the oval): "none" (no
    face), "outside" (its centre is outside the oval), "too_far" (too small in it) or "ok"."""
    if box is None or width <= 0 or height <= 0:
        return "none"
    left, top, bw, bh = box
    cx, cy, ow, oh = oval_in_picture(width, height)
    fx, fy = left + bw / 2, top + bh / 2
    if ((fx - cx) / (ow / 2)) ** 2 + ((fy - cy) / (oh / 2)) ** 2 > 1.0:
        return "outside"
    if bh < oh * MIN_FACE_SHARE_OF_OVAL:
        return "too_far"
    return "ok"


class PageThumb(QFrame):
    """One scanned page: its picture, a badge when it repeats an earlier page, its number, and the rescan /
    remove buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.setProperty("role", "card")
        layout = QVBoxLayout(self)
        self.view = ImageView(background="#E3EAF4")
        self.view.setMinimumSize(100, 120)
        self.number = make_label(wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        # Issue 25: a page the citizen kept though it repeats an earlier one says so ("Trùng trang 1"), on
        # the top of its picture (out of the layout: the buttons keep their room)
        self.duplicate = make_label("badge", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.duplicate.setParent(self.view)
        self.duplicate.setVisible(False)
        self.rescan = make_button()
        self.remove = make_button()
        self.remove.setProperty("danger", True)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.number)
        layout.addWidget(self.rescan)
        layout.addWidget(self.remove)

    def set_duplicate(self, text: str) -> None:
        """Show `text` as the badge over the picture ("" hides it)."""
        if text != self.duplicate.text():
            self.duplicate.setText(text)
        self.duplicate.setVisible(bool(text))
        self._place_badge()

    def _place_badge(self) -> None:
        if not self.duplicate.text():
            return
        self.duplicate.ensurePolished()
        hint = self.duplicate.sizeHint()
        width = min(self.view.width(), hint.width())
        self.duplicate.setGeometry((self.view.width() - width) // 2, 0, width, hint.height())
        self.duplicate.raise_()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._place_badge()


class Keypad(QWidget):
    """A grid of keys; `pressed` carries the key's text ("⌫" for backspace). A key given as (text, span)
    takes `span` columns (the e-mail keyboard's "@gmail.com")."""

    pressed = Signal(str)
    BACKSPACE = "⌫"

    def __init__(self, keys: Sequence[str | tuple[str, int]], columns: int) -> None:
        super().__init__()
        grid = QGridLayout(self)
        grid.setSpacing(8)
        self.buttons: dict[str, QPushButton] = {}
        row = column = 0
        for entry in keys:
            key, span = (entry, 1) if isinstance(entry, str) else entry
            if column + span > columns:
                row, column = row + 1, 0
            button = make_button(key)
            button.setProperty("key", True)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _=False, k=key: self.pressed.emit(k))
            grid.addWidget(button, row, column, 1, span)
            self.buttons[key] = button
            column += span
            if column >= columns:
                row, column = row + 1, 0


def pixmap_of_card(width: int, height: int, color: str = "#0B5CAD") -> QPixmap:
    """Which side of the ID card goes down (issue 25), drawn by the app: on the left the card's front
    (the photo and the QR code) with an arrow turning it over; on the right the scanner's glass seen from
    above with the card on it, its plain back up and the photo side, dashed, underneath against the glass."""
    pixmap = QPixmap(width, height)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    unit = max(2.0, min(width, height) / 60)
    # the card's front, left
    cw = min(width * 0.36, height * 0.62 * 1.58)
    ch = cw / 1.58  # an ID-1 card's proportions
    front = QRectF(width * 0.03, (height - ch) / 2 + height * 0.08, cw, ch)
    _draw_card_front(painter, front, QColor(color), unit)
    # the turn-over arrow, from above the front to above the glass
    pen = QPen(QColor(color), unit * 1.6)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    arc = QRectF(front.center().x(), height * 0.04, width * 0.5, height * 0.5)
    painter.drawArc(arc, 160 * 16, -140 * 16)
    tip = QPointF(arc.center().x() + arc.width() / 2 * 0.94, arc.center().y() - arc.height() / 2 * 0.34)
    painter.drawLine(tip, QPointF(tip.x() - unit * 4, tip.y() - unit * 3))
    painter.drawLine(tip, QPointF(tip.x() + unit * 1.5, tip.y() - unit * 5))
    # the scanner from above, right: its frame, the glass, and the card's plain back on it
    scanner = QRectF(width * 0.52, height * 0.2, width * 0.46, height * 0.76)
    painter.setPen(QPen(QColor("#8A96A8"), unit))
    painter.setBrush(QColor("#DDE3EC"))
    painter.drawRoundedRect(scanner, unit * 4, unit * 4)
    glass = scanner.adjusted(unit * 4, unit * 4, -unit * 4, -unit * 4)
    painter.setBrush(QColor("#BFD9F2"))
    painter.drawRect(glass)
    back = QRectF(glass.left() + unit * 3, glass.top() + unit * 3, min(cw, glass.width() * 0.7), 0)
    back.setHeight(back.width() / 1.58)
    painter.setPen(QPen(QColor("#5A6B85"), unit))
    painter.setBrush(QColor("#F4F6FA"))
    painter.drawRoundedRect(back, unit * 2, unit * 2)
    # the photo and the QR, face down: seen through the card as dashed outlines, mirrored
    dashed = QPen(QColor(color), unit * 0.8, Qt.PenStyle.DashLine)
    painter.setPen(dashed)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(
        QRectF(
            back.right() - back.width() * 0.34,
            back.top() + back.height() * 0.22,
            back.width() * 0.26,
            back.height() * 0.56,
        )
    )
    painter.drawRect(
        QRectF(
            back.left() + back.width() * 0.06,
            back.top() + back.height() * 0.1,
            back.height() * 0.3,
            back.height() * 0.3,
        )
    )
    painter.end()
    return pixmap


def _draw_card_front(painter: QPainter, rect: QRectF, color: QColor, unit: float) -> None:
    """A CCCD's front: the photo on the left, the QR code top right, lines of text."""
    painter.setPen(QPen(color, unit))
    painter.setBrush(QColor("#FFFFFF"))
    painter.drawRoundedRect(rect, unit * 2.5, unit * 2.5)
    photo = QRectF(
        rect.left() + rect.width() * 0.07,
        rect.top() + rect.height() * 0.22,
        rect.width() * 0.26,
        rect.height() * 0.56,
    )
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#C9D6E8"))
    painter.drawRect(photo)
    painter.setBrush(color)
    head = photo.width() * 0.42
    painter.drawEllipse(
        QRectF(photo.center().x() - head / 2, photo.top() + photo.height() * 0.16, head, head)
    )
    painter.drawChord(
        QRectF(
            photo.left() + photo.width() * 0.1,
            photo.top() + photo.height() * 0.62,
            photo.width() * 0.8,
            photo.height() * 0.7,
        ),
        0,
        180 * 16,
    )
    side = rect.height() * 0.3
    draw_qr_like(
        painter,
        QRectF(rect.right() - side - rect.width() * 0.06, rect.top() + rect.height() * 0.1, side, side),
        QColor("#1B2430"),
    )
    painter.setPen(QPen(QColor("#9AA6B8"), unit * 1.2))
    for i in range(3):
        y = rect.top() + rect.height() * (0.55 + i * 0.13)
        painter.drawLine(
            QPointF(photo.right() + rect.width() * 0.08, y),
            QPointF(rect.right() - rect.width() * (0.1 + 0.08 * i), y),
        )


def pixmap_of_printed_page(width: int, height: int) -> QPixmap:
    """A printed A4 certified copy with its QR seal in the footer, face down over the glass: what the
    citizen lays on the scanner (not an ID card)."""
    pixmap = QPixmap(width, height)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor("#8A96A8"), 4))
    painter.setBrush(QColor("#DDE3EC"))
    painter.drawRoundedRect(QRectF(4, 4, width - 8, height - 8), 16, 16)
    ph = height * 0.86
    pw = min(width * 0.8, ph / 1.414)
    px, py = (width - pw) / 2, (height - ph) / 2
    painter.setPen(QPen(QColor("#5A6B85"), 3))
    painter.setBrush(QColor("#FFFFFF"))
    painter.drawRect(QRectF(px, py, pw, ph))
    painter.setPen(QPen(QColor("#9AA6B8"), max(2, round(ph / 120))))
    for i in range(9):  # lines of text
        y = py + ph * (0.1 + i * 0.06)
        painter.drawLine(int(px + pw * 0.1), int(y), int(px + pw * (0.9 - 0.1 * (i % 3))), int(y))
    side = pw * 0.26
    qx, qy = px + pw * 0.9 - side, py + ph * 0.92 - side
    draw_qr_like(painter, QRectF(qx, qy, side, side), QColor("#1B2430"))
    painter.setPen(QPen(QColor("#B3261E"), 3))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(QRectF(qx - 6, qy - 6, side + 12, side + 12))
    painter.end()
    return pixmap


def draw_qr_like(painter: QPainter, rect: QRectF, color: QColor) -> None:
    """A QR-looking pattern (three finder squares and a fixed scatter), for drawings of a printed page."""
    n = 21
    cell = rect.width() / n
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    for fx, fy in ((0, 0), (n - 7, 0), (0, n - 7)):
        painter.drawRect(QRectF(rect.x() + fx * cell, rect.y() + fy * cell, 7 * cell, 7 * cell))
        painter.setBrush(QColor("#FFFFFF"))
        painter.drawRect(QRectF(rect.x() + (fx + 1) * cell, rect.y() + (fy + 1) * cell, 5 * cell, 5 * cell))
        painter.setBrush(color)
        painter.drawRect(QRectF(rect.x() + (fx + 2) * cell, rect.y() + (fy + 2) * cell, 3 * cell, 3 * cell))
    for i in range(n * n):
        x, y = i % n, i // n
        in_finder = (x < 8 and y < 8) or (x > n - 9 and y < 8) or (x < 8 and y > n - 9)
        if not in_finder and (x * 7 + y * 13 + x * y) % 3 == 0:
            painter.drawRect(QRectF(rect.x() + x * cell, rect.y() + y * cell, cell, cell))


ICON_COLORS = {"problem": "#B3261E", "info": "#0B5CAD", "ok": "#1E7A34"}
# High contrast (issue 25): on black a dark red disc with a white mark is weak; a bright disc with a black
# mark and a white ring stands out (the palette's own danger, focus and success colours).
ICON_COLORS_HIGH_CONTRAST = {"problem": "#FF6B6B", "info": "#00E5FF", "ok": "#7CFF7C"}


def icon_pixmap(kind: str, side: int, *, high_contrast: bool = False) -> QPixmap:
    """The message icon of `kind` in the window's palette."""
    if high_contrast:
        color = ICON_COLORS_HIGH_CONTRAST.get(kind, ICON_COLORS_HIGH_CONTRAST["problem"])
        return pixmap_of_icon(kind, side, color, mark="#000000", ring="#FFFFFF")
    return pixmap_of_icon(kind, side, ICON_COLORS.get(kind, ICON_COLORS["problem"]))


def pixmap_of_icon(kind: str, side: int, color: str, *, mark: str = "#FFFFFF", ring: str = "") -> QPixmap:
    """A round icon for a message: "!" (a problem), "i" (information), "✓" (done), "?" (help)."""
    pixmap = QPixmap(side, side)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if ring:
        width = max(3, side // 16)
        painter.setPen(QPen(QColor(ring), width))
    else:
        painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(color))
    inset = 2 + (max(3, side // 16) // 2 if ring else 0)
    painter.drawEllipse(QRectF(inset, inset, side - 2 * inset, side - 2 * inset))
    pen = QPen(QColor(mark), max(3, side // 10))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    c = side / 2
    if kind == "ok":
        painter.drawPolyline(
            [QPointF(side * 0.28, c), QPointF(side * 0.44, side * 0.66), QPointF(side * 0.72, side * 0.34)]
        )
    elif kind == "info":
        painter.drawLine(QPointF(c, side * 0.45), QPointF(c, side * 0.74))
        painter.drawPoint(QPointF(c, side * 0.28))
    else:  # problem
        painter.drawLine(QPointF(c, side * 0.24), QPointF(c, side * 0.56))
        painter.drawPoint(QPointF(c, side * 0.74))
    painter.end()
    return pixmap


class QrView(QWidget):
    """Paints a QR code (a payload given as text) as big as fits, with a quiet zone: the VietQR of the fee."""

    def __init__(self) -> None:
        super().__init__()
        self.matrix: list[list[int]] = []
        self.payload = ""
        self.setMinimumSize(200, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_payload(self, payload: str) -> None:
        if payload == self.payload:
            return
        self.payload = payload
        self.matrix = []
        if payload:
            qr = segno.make_qr(payload, error="m")
            self.matrix = [list(row) for row in qr.matrix]
        self.update()

    def paintEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        side = min(self.width(), self.height())
        x0, y0 = (self.width() - side) / 2, (self.height() - side) / 2
        painter.fillRect(QRectF(x0, y0, side, side), QColor("#FFFFFF"))
        if self.matrix:
            n = len(self.matrix) + 8  # 4 modules of quiet zone each side
            cell = side / n
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#000000"))
            for y, row in enumerate(self.matrix):
                for x, dark in enumerate(row):
                    if dark:
                        painter.drawRect(
                            QRectF(x0 + (x + 4) * cell, y0 + (y + 4) * cell, cell + 0.5, cell + 0.5)
                        )
        painter.end()
