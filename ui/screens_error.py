"""The error screen: what happened, why, what to do, and the ways on (the first one is the main action).

Issue 25's walk: a page error after page 1 offers to go on with the pages kept, or back to them (W2); the
duplicate page's help names its buttons, and "Scan again" scans again (W4). Split from `screens_visit`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.flow import Action, ErrorInfo, Screen
from kiosk.flow.errors import RESCAN_ACTIONS
from kiosk.flow.page_steps import DUPLICATE_ACTIONS
from ui import messages
from ui.screen_registry import screen
from ui.voice import sentences
from ui.widgets import (
    ImageView,
    ScreenBase,
    arrange_buttons,
    bgr_to_qimage,
    icon_pixmap,
    make_button,
    make_label,
    mark_primary,
    pixmap_of_card,
)

if TYPE_CHECKING:
    from kiosk.flow import VisitFlow


ERROR_ICONS = {"page_quality": "problem", "no_pages": "info", "code_not_found": "problem"}


def _error_shot(kind: str, reason: str, actions: tuple[Action, ...], back: Screen) -> dict[str, Any]:
    return {"error": ErrorInfo(kind, reason, actions), "error_return": back}


@screen(
    Screen.error,
    shots={
        "09-error-no-match": _error_shot("no_match", "", (Action.try_again, Action.call_staff), Screen.face),
        "10-error-rescan": _error_shot("page_quality", "blurred", RESCAN_ACTIONS, Screen.scan),
        "11-error-paper-out": _error_shot(
            "paper_out", "", (Action.try_again, Action.call_staff), Screen.printing
        ),
        "12-error-card": _error_shot("card_unreadable", "", RESCAN_ACTIONS, Screen.card),
        "27-error-duplicate-page": lambda s: {
            **_error_shot("duplicate_page", "1", DUPLICATE_ACTIONS, Screen.scan),
            "pages": s.pages[:1],
            "pending_duplicate": (s.pages[0], "", 0) if s.pages else None,
        },
        "28-error-face-twice": _error_shot(
            "liveness_failed",
            "liveness.face_too_small",
            (Action.try_again, Action.call_staff, Action.ticket, Action.start_over),
            Screen.face,
        ),
        # issue 25 walk W2: a blank page after two good ones goes on with them, or back to them
        "30-error-blank-after-pages": lambda s: {
            **_error_shot(
                "page_quality",
                "blank",
                (Action.rescan, Action.finish_pages, Action.back_to_pages, Action.call_staff),
                Screen.scan,
            ),
            "pages": s.pages[:2],
        },
        "29-error-card-back": _error_shot("card_unreadable", "error.card.no_qr", RESCAN_ACTIONS, Screen.card),
    },
)
class ErrorScreen(ScreenBase):
    """An icon, what happened, what to do, and the ways forward (the first one is the main action)."""

    def __init__(self, host: Any) -> None:
        super().__init__(host)
        row = QHBoxLayout()
        self.icon = QLabel()
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row.addStretch(1)
        row.addWidget(self.icon)
        row.addStretch(1)
        self.body.addLayout(row)
        self.picture = QLabel()  # the card error: which side goes down (issue 25)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setVisible(False)
        self.body.addWidget(self.picture)
        # A page scanned twice (issue 25): the earlier page and the new scan side by side, large enough to
        # see that they are the same; touching one opens it full size.
        self.compare = QWidget()
        pair = QHBoxLayout(self.compare)
        pair.setContentsMargins(0, 0, 0, 0)
        self.compare_views: list[ImageView] = []
        self.compare_labels: list[QLabel] = []
        for _ in range(2):
            column = QVBoxLayout()
            view = ImageView(background="#E3EAF4")
            view.setMinimumSize(160, 200)
            label = make_label(wrap=False, align=Qt.AlignmentFlag.AlignCenter)
            column.addWidget(view, 1)
            column.addWidget(label)
            pair.addLayout(column)
            self.compare_views.append(view)
            self.compare_labels.append(label)
        self.compare_views[0].clicked.connect(self._open_earlier)
        self.compare.setVisible(False)
        self.body.addWidget(self.compare, 2)
        texts = QVBoxLayout()
        self.reason = make_label("error", align=Qt.AlignmentFlag.AlignCenter)
        texts.addWidget(self.reason)
        self.body.addLayout(texts)
        self.body.addStretch(1)
        self.buttons: list[QPushButton] = []
        self.error_actions: list[Action] = []
        for index in range(4):
            button = make_button()
            button.clicked.connect(lambda _=False, i=index: self._act(i))
            self.buttons.append(button)
        self.buttons_grid = QGridLayout()  # one row; two on a tall screen with four ways on (issue 25)
        self.footer.addLayout(self.buttons_grid, 1)
        arrange_buttons(self.buttons_grid, [], self.buttons[::-1], 1)  # parented from the start
        self._portrait = False
        self._icon_key: tuple[str, int, bool] | None = None

    def _act(self, index: int) -> None:
        if index >= len(self.error_actions):
            return
        action = self.error_actions[index]
        if action == Action.call_staff:
            self.host.call_staff(from_error=True)  # the staff call; the visit stays on this screen
        elif action in (Action.start_over, Action.cancel):
            self.host.confirm_cancel()
        else:
            self.flow.error_action(action)

    def action_text(self, action: Action, flow: VisitFlow) -> str:
        """A way on's button text; the pages' own ones (issue 25 walk W2/W4) name what they keep."""
        if action == Action.finish_pages:
            return self.tr("Done, continue with %1").replace("%1", messages.pages_text(len(flow.visit.pages)))
        if action == Action.back_to_pages:
            return self.tr("Back")
        if action == Action.cancel:
            return self.tr("Cancel")
        return messages.text(messages.ACTIONS, action)

    def help_text(self, kind: str, help_text: str, flow: VisitFlow, actions: list[Action]) -> str:
        """What to do; with pages kept, also how to go on with them (W2: no citizen is trapped)."""
        if kind == "duplicate_page":  # W4: the help names the buttons as they are
            return (
                self.tr(
                    "It may have been scanned twice. Lay the next page on the glass and press “%1”, or press “%2”."
                )
                .replace("%1", self.action_text(Action.rescan, flow))
                .replace("%2", self.action_text(Action.keep_page, flow))
            )
        if Action.finish_pages in actions:
            more = self.tr("If there is no other page, press “%1”.").replace(
                "%1", self.action_text(Action.finish_pages, flow)
            )
            return f"{help_text} {more}"
        return help_text

    def show_state(self, flow: VisitFlow) -> None:
        error = flow.visit.error
        kind = error.kind if error else "internal"
        back = str(flow.visit.error_return or "")
        title, reason, help_text = messages.error_texts(kind, error.reason if error else "", back)
        help_text = self.help_text(kind, help_text, flow, list(error.actions if error else ()))
        self.step.setText(self.tr("There is a problem to resolve"))
        self.title.setText(title)
        if kind == "duplicate_page" and error is not None:  # issue 25: which earlier page it repeats
            self.title.setText(self.title.text().replace("%1", error.reason))
        self.instruction.setText(help_text)
        side = max(64, min(self.width(), self.height()) // 6)
        icon = ERROR_ICONS.get(kind, "problem")
        strong = bool(getattr(self.host, "high_contrast", False))
        if self._icon_key != (icon, side, strong):
            self._icon_key = (icon, side, strong)
            self.icon.setPixmap(icon_pixmap(icon, side, high_contrast=strong))
        self.reason.setText(reason)
        self.reason.setVisible(bool(reason))
        card = back == Screen.card.value and kind in ("card_unreadable", "no_document")
        if card:
            width = min(max(240, self.width() // 3), max(240, int(self.width() * 0.8)))
            if self.picture.pixmap().isNull() or self.picture.pixmap().width() != width:
                self.picture.setPixmap(pixmap_of_card(width, width * 2 // 5))
        self.picture.setVisible(card)
        self._show_duplicate(flow if kind == "duplicate_page" else None)
        self.error_actions = list(error.actions if error else (Action.start_over,))
        # The first action is the primary one and sits on the right.
        for index, button in enumerate(self.buttons):
            if index < len(self.error_actions):
                button.setText(self.action_text(self.error_actions[index], flow))
                mark_primary(button, index == 0)
                button.setVisible(True)
            else:
                button.setVisible(False)
        shown = len(self.error_actions)
        if self._portrait and shown > 3:  # the first action (the main one) stays right, on the top row
            arrange_buttons(self.buttons_grid, self.buttons[3:1:-1], self.buttons[1::-1], 2)
        else:
            arrange_buttons(self.buttons_grid, [], self.buttons[::-1], 1)

    def _show_duplicate(self, flow: VisitFlow | None) -> None:
        pending = flow.visit.pending_duplicate if flow is not None else None
        error = flow.visit.error if flow is not None else None
        earlier = int(error.reason) - 1 if error is not None and error.reason.isdigit() else -1
        pages = flow.visit.pages if flow is not None else []
        shown = pending is not None and 0 <= earlier < len(pages)
        self.compare.setVisible(shown)
        self.icon.setVisible(not shown)  # the two pages need the height
        if pending is None or not shown:
            for view in self.compare_views:
                view.clear()
            return
        self._earlier = earlier
        images = (getattr(pages[earlier], "image", None), getattr(pending[0], "image", None))
        texts = (self.tr("Page %d") % (earlier + 1), self.tr("The page just scanned"))
        for view, label, image, text in zip(
            self.compare_views, self.compare_labels, images, texts, strict=True
        ):
            view.set_image(bgr_to_qimage(image, 900) if image is not None else None)
            label.setText(text)

    def _open_earlier(self) -> None:
        self.host.open_page(getattr(self, "_earlier", -1))

    def left(self) -> None:
        for view in self.compare_views:  # no page of the visit lingers in a hidden widget
            view.clear()

    def set_portrait(self, portrait: bool) -> None:
        super().set_portrait(portrait)
        self._portrait = portrait

    def spoken_prompt(self) -> str:
        """The problem, why, what to do, then the choices (an elderly citizen hears every way on)."""
        choices = [b.text() for b in self.buttons if not b.isHidden()]
        return sentences((self.title.text(), self.reason.text(), self.instruction.text(), *choices))
