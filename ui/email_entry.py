"""The optional e-mail address for the copy's details, typed on an on-screen keyboard.

The check and the wording are kiosk.services.delivery's (`check_delivery_email`, `WORDING`); this panel only types
the address, shows what the check says, and stores a good address on the visit (`set_delivery_email`).
Nothing is sent from here: the certify step queues the e-mail once the copy exists.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from kiosk.services.delivery import check_delivery_email, set_delivery_email, wording
from ui.overlays import ModalOverlay, fit_height
from ui.widgets import Keypad, make_label, mark_primary

EMAIL_KEYS: list[str | tuple[str, int]] = [
    *"1234567890",
    *"qwertyuiop",
    *"asdfghjkl@",
    *"zxcvbnm._-",
    ("@gmail.com", 4),
    (".com", 2),
    (".vn", 2),
    (Keypad.BACKSPACE, 2),
]
MAX_EMAIL = 120


class EmailOverlay(ModalOverlay):
    """Types an address; "Xác nhận" stores it when the check passes, "Bỏ qua" clears it."""

    def __init__(self, parent: QWidget, host: Any) -> None:
        super().__init__(parent)
        self.host = host
        self.typed = ""
        self.field = make_label("title", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.message = make_label(align=Qt.AlignmentFlag.AlignCenter)
        self.privacy = make_label("muted")
        self.keypad = Keypad(EMAIL_KEYS, columns=10)
        self.keypad.setProperty("compact", True)  # lower keys: the panel fits a 800 px tall screen
        self.keypad.pressed.connect(self._key)
        inner = self.inner
        # Above the buttons: the address, what the check says, the keys, the privacy note.
        widgets: list[QWidget] = [self.field, self.message, self.keypad, self.privacy]
        for position, widget in enumerate(widgets, start=1):
            inner.insertWidget(position, widget)

    @property
    def language(self) -> str:
        return str(self.host.flow.visit.language)

    def open(self) -> None:
        self.typed = str(getattr(self.host.flow.visit, "delivery_email", "") or "")
        self.message.setText("")
        self._render()

    def _key(self, key: str) -> None:
        self.host.flow.touch()
        if key == Keypad.BACKSPACE:
            self.typed = self.typed[:-1]
        else:
            self.typed = (self.typed + key)[:MAX_EMAIL]
        self.message.setText("")
        self._render()

    def _render(self) -> None:
        lang = self.language
        buttons = [
            (wording("delivery.skip", lang), self._skip, False),
            (wording("delivery.confirm", lang), self._confirm, True),
        ]
        self.present("info", wording("delivery.title", lang), wording("delivery.prompt", lang), buttons)
        self.field.setText(self.typed or "—")
        self.privacy.setText(wording("delivery.privacy", lang))
        mark_primary(self.buttons[1], bool(self.typed))
        fit_height(self.box)

    def _confirm(self) -> None:
        checked = check_delivery_email(self.typed)
        if not checked.ok:
            self.message.setProperty("role", "error")
            self.message.style().unpolish(self.message)
            self.message.style().polish(self.message)
            self.message.setText(wording(checked.key, self.language))
            fit_height(self.box)
            self.on_shown(self.message.text())  # the mistake is read out too
            return
        set_delivery_email(self.host.flow.visit, self.typed)
        self.hide()
        self.host.refresh()

    def _skip(self) -> None:
        set_delivery_email(self.host.flow.visit, None)
        self.typed = ""
        self.hide()
        self.host.refresh()
