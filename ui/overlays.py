"""Dialogs drawn over the current screen: "are you sure?" before a step that throws work away, and the help
panel of "Trợ giúp / Gọi cán bộ" ("Cán bộ đang đến").

Both are children of the window, not separate windows: a kiosk has no window manager to raise them, and a
touch outside them must not reach the screen underneath.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.flow import Screen
from ui.voice import sentences
from ui.widgets import ImageView, icon_pixmap, make_button, make_label, mark_primary


def fit_height(box: QWidget) -> None:
    """Give a fixed-width box the height its wrapped texts need at that width (a box centred in a layout
    is otherwise sized from its one-line hint, and its last button is cut off)."""
    layout = box.layout()
    if layout is not None and box.width() > 0:
        layout.activate()
        box.setMinimumHeight(layout.totalHeightForWidth(box.width()))


class ModalOverlay(QWidget):
    """A dimmed backdrop with a box in the middle: an icon, a title, a text and up to three buttons."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("ModalOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        self.box = QFrame()
        self.box.setObjectName("ModalBox")
        inner = QVBoxLayout(self.box)
        self.inner = inner
        top = QHBoxLayout()
        self.icon = QLabel()
        top.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        texts = QVBoxLayout()
        self.title = make_label("title")
        self.text = make_label()
        texts.addWidget(self.title)
        texts.addWidget(self.text)
        top.addLayout(texts, 1)
        inner.addLayout(top)
        self.buttons_row = QHBoxLayout()
        self.buttons = [make_button() for _ in range(3)]
        self._handlers: list[Callable[[], None]] = []
        for index, button in enumerate(self.buttons):
            button.clicked.connect(lambda _=False, i=index: self._press(i))
            self.buttons_row.addWidget(button)
        inner.addLayout(self.buttons_row)
        # Called with what the dialog says (title, text, then its choices) when it opens: the window
        # reads it out when the citizen has voice on.
        self.on_shown: Callable[[str], None] = lambda text: None
        self._spoken = ""
        outer.addWidget(self.box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(1)
        self.hide()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self.box.setFixedWidth(max(320, int(self.width() * (0.9 if self.height() > self.width() else 0.7))))
        self._arrange_buttons()

    def _arrange_buttons(self) -> None:
        """Buttons side by side when their texts fit the box, else one above the other (none squeezed)."""
        shown = [b for b in self.buttons if not b.isHidden()]
        needed = sum(b.sizeHint().width() for b in shown) + self.buttons_row.spacing() * max(
            0, len(shown) - 1
        )
        margins = self.box.contentsMargins()
        room = self.box.width() - margins.left() - margins.right() - 8
        self.buttons_row.setDirection(
            QHBoxLayout.Direction.TopToBottom if needed > room else QHBoxLayout.Direction.LeftToRight
        )
        fit_height(self.box)

    def _press(self, index: int) -> None:
        if index < len(self._handlers):
            self._handlers[index]()

    def present(
        self, icon: str, title: str, text: str, buttons: list[tuple[str, Callable[[], None], bool]]
    ) -> None:
        """Show with `buttons` as (text, handler, primary); the last primary one is the main action."""
        side = max(48, self.title.fontMetrics().height() * 2)
        strong = bool(getattr(self.parentWidget(), "high_contrast", False))
        self.icon.setPixmap(
            icon_pixmap(icon if icon in ("problem", "ok") else "info", side, high_contrast=strong)
        )
        self.title.setText(title)
        self.text.setText(text)
        self._handlers = [handler for _, handler, _ in buttons]
        for index, button in enumerate(self.buttons):
            if index < len(buttons):
                label, _, primary = buttons[index]
                button.setText(label)
                mark_primary(button, primary)
                button.setVisible(True)
            else:
                button.setVisible(False)
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self._arrange_buttons()
        was_visible = self.isVisible()
        self.show()
        self.raise_()
        prompt = self.spoken_prompt()
        if not was_visible or prompt != self._spoken:  # a key typed in the dialog is not a new dialog
            self._spoken = prompt
            self.on_shown(prompt)

    def spoken_prompt(self) -> str:
        """The title, the text, then each choice, as sentences."""
        choices = [b.text() for b in self.buttons if not b.isHidden() and b.text()]
        return sentences((self.title.text(), self.text.text(), *choices))

    def mousePressEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        event.accept()  # a touch on the backdrop does nothing (and never reaches the screen below)


class ConfirmOverlay(ModalOverlay):
    """ "Hủy giao dịch?" / "Xóa trang 3?": nothing is thrown away on one tap."""

    def ask(
        self,
        title: str,
        text: str,
        yes: str,
        no: str,
        on_yes: Callable[[], None],
        *,
        destructive: bool = False,
    ) -> None:
        """`destructive`: "yes" throws the citizen's work away (end the visit, remove a page), so "no",
        the safe way forward, is the main (blue) button and "yes" is drawn as a danger (issue 25)."""

        def accept() -> None:
            self.hide()
            on_yes()

        # "No" sits first (left), "yes" on the right, as on every screen's footer.
        self.present("problem", title, text, [(no, self.hide, destructive), (yes, accept, not destructive)])
        self.buttons[1].setProperty("danger", destructive)
        self.buttons[1].style().unpolish(self.buttons[1])
        self.buttons[1].style().polish(self.buttons[1])


class HelpOverlay(ModalOverlay):
    """The staff call's panel: calling, "Cán bộ đang đến", or "go to the counter" when no call went out."""

    def __init__(self, parent: QWidget, host: Any) -> None:
        super().__init__(parent)
        self.host = host
        self.state = "hidden"  # calling | coming | failed | unavailable

    def show_state(self, state: str) -> None:
        self.state = state
        # Issue 25 walk W12: on the start screen there is no visit to keep or to end
        no_visit = getattr(getattr(self.host, "flow", None), "screen", None) == Screen.attract
        keep = (self.tr("Close") if no_visit else self.tr("Continue my visit"), self.host.close_help, True)
        cancel_call = (self.tr("Cancel the call"), self.host.cancel_staff_call, False)
        end_visit = [] if no_visit else [(self.tr("End the visit"), self.host.end_visit_from_help, False)]
        if state == "calling":
            self.present(
                "info",
                self.tr("Calling staff…"),
                self.tr("Please wait a moment.")
                if no_visit
                else self.tr("Please wait a moment. Your visit is kept."),
                [cancel_call, keep],
            )
        elif state == "coming":
            self.present(
                "ok",
                self.tr("Staff are on their way"),
                self.tr(
                    "The help light is on and the service centre has been told. Please wait at the kiosk."
                )
                if no_visit
                else self.tr(
                    "The help light is on and the service centre has been told. Stay at the kiosk: your "
                    "visit is kept until you end it."
                ),
                [cancel_call, *end_visit, keep],
            )
        else:
            self.present(
                "problem",
                self.tr("Staff could not be called"),
                self.tr("Please go to the reception counter.")
                if no_visit
                else self.tr("Please go to the reception counter. Your visit is kept for a few minutes."),
                [*end_visit, keep],
            )


class PageOverlay(QWidget):
    """A scanned page full size (issue 25: a 120 px thumbnail is too small to notice a page scanned twice),
    over the screen, with one big "Close" button. Touching the page closes it too."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("IdleOverlay")  # the opaque backdrop of the countdown
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QVBoxLayout(self)
        self.title = make_label("title", align=Qt.AlignmentFlag.AlignCenter)
        self.view = ImageView(background="#E3EAF4")
        self.view.clicked.connect(self.close_page)
        self.close_button = make_button(primary=True, on_click=self.close_page)
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.hide()

    def open_page(self, title: str, image: Any) -> None:
        self.title.setText(title)
        self.close_button.setText(self.tr("Close"))
        self.view.set_image(image)
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.show()
        self.raise_()

    def close_page(self) -> None:
        self.view.clear()
        self.hide()

    def mousePressEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        event.accept()
