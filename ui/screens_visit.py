"""The screens of a certify visit: attract, card, face, pages, review, processing, printing, done, error."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QProgressBar, QPushButton

from kiosk.flow import Action, Screen, Service
from ui import messages
from ui.widgets import (
    ImageView,
    PageThumb,
    ScreenBase,
    bgr_to_qimage,
    make_button,
    make_card_frame,
    make_label,
    pixmap_of_card,
)

if TYPE_CHECKING:
    from kiosk.flow import VisitFlow


def format_vnd(amount: int) -> str:
    """Vietnamese dong with dots between thousands: 12.000 ₫."""
    return f"{amount:,}".replace(",", ".") + " ₫"


class AttractScreen(ScreenBase):
    def __init__(self, host: Any) -> None:
        super().__init__(host)
        languages = QHBoxLayout()
        self.vietnamese = make_button(on_click=lambda: host.set_language("vi"))
        self.english = make_button(on_click=lambda: host.set_language("en"))
        for button in (self.vietnamese, self.english):
            button.setProperty("toggle", True)
            button.setCheckable(True)
            languages.addWidget(button)
        self.body.addLayout(languages)
        self.services_label = make_label("muted")
        self.body.addWidget(self.services_label)
        self.certify = make_button(primary=True, on_click=lambda: self.flow.choose_service(Service.certify))
        self.check = make_button(on_click=lambda: self.flow.choose_service(Service.check))
        self.reprint = make_button(on_click=lambda: self.flow.choose_service(Service.reprint))
        for button in (self.certify, self.check, self.reprint):
            self.body.addWidget(button)
        self.body.addStretch(1)
        self.voice = make_button(on_click=self.flow_toggle_voice)
        self.large = make_button(on_click=host.toggle_large_text)
        self.contrast = make_button(on_click=host.toggle_high_contrast)
        for button in (self.voice, self.large, self.contrast):
            button.setProperty("toggle", True)
            button.setCheckable(True)
            self.footer.addWidget(button)
        self.footer.addStretch(1)

    def flow_toggle_voice(self) -> None:
        self.flow.toggle_voice()
        self.host.speak_current()

    def show_state(self, flow: VisitFlow) -> None:
        self.step.setText(self.tr("Self-service kiosk"))
        self.title.setText(self.tr("Certified copies of your documents"))
        self.instruction.setText(self.tr("Choose your language, then the service you need."))
        self.vietnamese.setText("Tiếng Việt")
        self.english.setText("English")
        self.vietnamese.setChecked(flow.visit.language == "vi")
        self.english.setChecked(flow.visit.language == "en")
        self.services_label.setText(self.tr("Services"))
        self.certify.setText(self.tr("Certify a copy of a document"))
        self.check.setText(self.tr("Check a certified copy"))
        self.reprint.setText(self.tr("Reprint by code"))
        self.voice.setChecked(flow.visit.voice)
        self.voice.setText(self.tr("Voice: on") if flow.visit.voice else self.tr("Voice: off"))
        self.large.setChecked(self.host.large_text)
        self.large.setText(self.tr("Large text"))
        self.contrast.setChecked(self.host.high_contrast)
        self.contrast.setText(self.tr("High contrast"))


class CardScreen(ScreenBase):
    def __init__(self, host: Any) -> None:
        super().__init__(host)
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.picture, 1)
        self.status = make_label(align=Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.status)
        self.cancel = make_button(on_click=self.flow.cancel)
        self.go = make_button(primary=True, on_click=self.flow.card_placed)
        self.footer.addWidget(self.cancel)
        self.footer.addStretch(1)
        self.footer.addWidget(self.go)

    def show_state(self, flow: VisitFlow) -> None:
        self.step.setText(messages.step_line(Screen.card, self.tr("your ID card")))
        self.title.setText(self.tr("Place your ID card on the glass"))
        self.instruction.setText(
            self.tr("Lay your citizen ID card (CCCD) face down on the glass, then press Continue.")
        )
        side = max(120, min(self.width() // 2, self.height() // 3) or 240)
        if self.picture.pixmap().isNull() or self.picture.pixmap().width() != side:
            self.picture.setPixmap(pixmap_of_card(side, side * 2 // 3))
        self.status.setText(self.tr("Reading your card…") if flow.busy else "")
        self.cancel.setText(self.tr("Cancel"))
        self.go.setText(self.tr("Continue"))
        self.go.setEnabled(not flow.busy)


class FaceScreen(ScreenBase):
    def __init__(self, host: Any) -> None:
        super().__init__(host)
        self.view = ImageView(guide=True)
        self.body.addWidget(self.view, 1)
        self.challenge = make_label("title", align=Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.challenge)
        self.cancel = make_button(on_click=self.flow.cancel)
        self.go = make_button(primary=True, on_click=self.flow.start_face_check)
        self.footer.addWidget(self.cancel)
        self.footer.addStretch(1)
        self.footer.addWidget(self.go)

    def show_state(self, flow: VisitFlow) -> None:
        self.step.setText(messages.step_line(Screen.face, self.tr("your face")))
        self.title.setText(self.tr("Look at the camera"))
        self.instruction.setText(
            self.tr(
                "Keep your face inside the oval. When you are ready, press Start and follow the instruction."
            )
        )
        steps = messages.challenge_steps(flow.visit.challenge or "blink")
        numbered = "\n".join(f"{i}. {step}" for i, step in enumerate(steps, 1))
        self.challenge.setText(numbered if flow.busy else self.tr("When you press Start:") + "\n" + numbered)
        self.cancel.setText(self.tr("Cancel"))
        self.go.setText(self.tr("Checking…") if flow.busy else self.tr("Start"))
        self.go.setEnabled(not flow.busy)

    def spoken_prompt(self) -> str:
        return f"{self.title.text()}. {self.challenge.text()}"

    def entered(self) -> None:
        self.host.preview.start(self.view)

    def left(self) -> None:
        self.host.preview.stop()
        self.view.clear()


class ScanScreen(ScreenBase):
    MAX_THUMBS = 5

    def __init__(self, host: Any) -> None:
        super().__init__(host)
        row = QHBoxLayout()
        self.thumbs: list[PageThumb] = []
        for index in range(self.MAX_THUMBS):
            thumb = PageThumb()
            thumb.rescan.clicked.connect(lambda _=False, i=index: self._rescan(i))
            thumb.remove.clicked.connect(lambda _=False, i=index: self._remove(i))
            row.addWidget(thumb)
            self.thumbs.append(thumb)
        self.empty = make_label(align=Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.empty)
        self.body.addLayout(row, 1)
        self.status = make_label(align=Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.status)
        self.offset = 0
        self.cancel = make_button(on_click=self.flow.cancel)
        self.add = make_button(on_click=self.flow.scan_page)
        self.go = make_button(primary=True, on_click=self.flow.pages_done)
        self.footer.addWidget(self.cancel)
        self.footer.addStretch(1)
        self.footer.addWidget(self.add)
        self.footer.addWidget(self.go)
        self._thumb_cache: dict[int, Any] = {}

    def _rescan(self, slot: int) -> None:
        self.flow.scan_page(replace=self.offset + slot)

    def _remove(self, slot: int) -> None:
        self.flow.remove_page(self.offset + slot)

    def show_state(self, flow: VisitFlow) -> None:
        pages = flow.visit.pages
        self.step.setText(messages.step_line(Screen.scan, self.tr("your document")))
        self.title.setText(self.tr("Place your document on the glass"))
        self.instruction.setText(
            self.tr("One page at a time, face down. Press Add a page for each page, then Continue.")
        )
        self.empty.setText(
            "" if pages else self.tr("No page yet. Place the first page and press Scan the first page.")
        )
        self.empty.setVisible(not pages)
        self.offset = max(0, len(pages) - self.MAX_THUMBS)
        live = {id(p) for p in pages}
        self._thumb_cache = {k: v for k, v in self._thumb_cache.items() if k in live}
        for slot, thumb in enumerate(self.thumbs):
            index = self.offset + slot
            if index < len(pages):
                page = pages[index]
                if id(page) not in self._thumb_cache:
                    self._thumb_cache[id(page)] = bgr_to_qimage(page.image, 360)
                thumb.view.set_image(self._thumb_cache[id(page)])
                thumb.number.setText(self.tr("Page %d") % (index + 1))
                thumb.rescan.setText(self.tr("Scan again"))
                thumb.remove.setText(self.tr("Remove"))
                for button in (thumb.rescan, thumb.remove):
                    button.setEnabled(not flow.busy)
                thumb.setVisible(True)
            else:
                thumb.view.clear()
                thumb.setVisible(False)
        self.status.setText(self.tr("Reading the page…") if flow.busy else "")
        self.cancel.setText(self.tr("Cancel"))
        self.add.setText(self.tr("Add a page") if pages else self.tr("Scan the first page"))
        self.go.setText(self.tr("Continue"))
        self.add.setEnabled(not flow.busy)
        self.go.setEnabled(not flow.busy and bool(pages))

    def left(self) -> None:
        if self.flow.screen not in (Screen.scan, Screen.review, Screen.error):
            self._thumb_cache.clear()
            for thumb in self.thumbs:
                thumb.view.clear()


class ReviewScreen(ScreenBase):
    def __init__(self, host: Any) -> None:
        super().__init__(host)
        frame, box = make_card_frame()
        grid = QGridLayout()
        box.addLayout(grid)
        self.labels = [make_label(wrap=False) for _ in range(4)]
        self.values = [make_label("title") for _ in range(4)]
        for row, (label, value) in enumerate(zip(self.labels, self.values, strict=True)):
            grid.addWidget(label, row, 0)
            grid.addWidget(value, row, 1)
        copies = QHBoxLayout()
        self.minus = make_button("−", on_click=lambda: self.flow.set_copies(self.flow.visit.copies - 1))
        self.plus = make_button("+", on_click=lambda: self.flow.set_copies(self.flow.visit.copies + 1))
        for button in (self.minus, self.plus):
            button.setProperty("key", True)
        copies.addWidget(self.minus)
        copies.addWidget(self.plus)
        copies.addStretch(1)
        grid.addLayout(copies, 2, 2)
        self.body.addWidget(frame)
        self.body.addStretch(1)
        self.cancel = make_button(on_click=self.flow.cancel)
        self.back = make_button(on_click=self.flow.back_to_pages)
        self.go = make_button(primary=True, on_click=self.flow.confirm)
        self.footer.addWidget(self.cancel)
        self.footer.addWidget(self.back)
        self.footer.addStretch(1)
        self.footer.addWidget(self.go)

    def show_state(self, flow: VisitFlow) -> None:
        visit = flow.visit
        self.step.setText(messages.step_line(Screen.review, self.tr("check and pay")))
        self.title.setText(self.tr("Check your request"))
        self.instruction.setText(
            self.tr("Choose how many copies you need and check the fee before you confirm.")
        )
        doc_type = visit.doc_type
        texts = (
            (self.tr("Document"), messages.text(messages.DOC_TYPES, doc_type or "other", "other")),
            (self.tr("Pages"), str(len(visit.pages))),
            (self.tr("Copies"), str(visit.copies)),
            (self.tr("Fee"), format_vnd(flow.fee_vnd)),
        )
        for (name, value), label, value_label in zip(texts, self.labels, self.values, strict=True):
            label.setText(name)
            value_label.setText(value)
        for button in (self.minus, self.plus):
            button.setMinimumWidth(max(button.minimumHeight(), self.go.height(), 48))
        self.minus.setEnabled(visit.copies > 1)
        self.plus.setEnabled(visit.copies < 5)
        self.cancel.setText(self.tr("Cancel"))
        self.back.setText(self.tr("Back to pages"))
        self.go.setText(self.tr("Confirm and print"))


class ProgressScreen(ScreenBase):
    """Processing and printing: real progress from the worker, nothing to press."""

    def __init__(self, host: Any, *, printing: bool) -> None:
        super().__init__(host)
        self.printing = printing
        self.body.addStretch(1)
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.setTextVisible(True)
        self.body.addWidget(self.bar)
        self.stage = make_label(align=Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.stage)
        self.body.addStretch(2)

    def show_state(self, flow: VisitFlow) -> None:
        if self.printing:
            self.step.setText(messages.step_line(Screen.printing, self.tr("printing")))
            self.title.setText(self.tr("Printing your certified copy"))
            self.instruction.setText(self.tr("Please wait. Your copy and your receipt come out below."))
        else:
            self.step.setText(messages.step_line(Screen.processing, self.tr("certifying")))
            self.title.setText(self.tr("Making your certified copy"))
            self.instruction.setText(self.tr("Please wait, this takes a few seconds."))
        self.bar.setValue(round(100 * flow.visit.progress))
        self.stage.setText(messages.text(messages.STAGES, flow.visit.progress_stage, "start"))

    def spoken_prompt(self) -> str:
        return self.title.text()


class DoneScreen(ScreenBase):
    def __init__(self, host: Any) -> None:
        super().__init__(host)
        frame, box = make_card_frame()
        self.code_label = make_label("muted", align=Qt.AlignmentFlag.AlignCenter)
        self.code = make_label("huge", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        box.addWidget(self.code_label)
        box.addWidget(self.code)
        self.body.addWidget(frame)
        self.take = make_label(align=Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.take)
        self.body.addStretch(1)
        self.footer.addStretch(1)
        self.go = make_button(primary=True, on_click=self.flow.finish)
        self.footer.addWidget(self.go)

    def show_state(self, flow: VisitFlow) -> None:
        reprint = flow.visit.service == Service.reprint
        self.step.setText(self.tr("Finished"))
        self.title.setText(
            self.tr("Your copy has been printed again")
            if reprint
            else self.tr("Your certified copy is ready")
        )
        self.instruction.setText(self.tr("Keep the receipt: the code lets anyone check the copy."))
        self.code_label.setText(self.tr("Your code"))
        self.code.setText(str(getattr(flow.visit.copy, "code", "") or ""))
        self.take.setText(
            self.tr("Please take your documents")
            if reprint
            else self.tr("Please take your ID card, your original, the copy and the receipt.")
        )
        self.go.setText(self.tr("Finish"))


class ErrorScreen(ScreenBase):
    def __init__(self, host: Any) -> None:
        super().__init__(host)
        self.reason = make_label("error")
        self.body.addWidget(self.reason)
        self.body.addStretch(1)
        self.buttons: list[QPushButton] = []
        self.error_actions: list[Action] = []
        self.footer.addStretch(1)
        for index in range(3):
            button = make_button()
            button.clicked.connect(lambda _=False, i=index: self._act(i))
            self.buttons.append(button)
        for button in reversed(self.buttons):
            self.footer.addWidget(button)

    def _act(self, index: int) -> None:
        if index < len(self.error_actions):
            self.flow.error_action(self.error_actions[index])

    def show_state(self, flow: VisitFlow) -> None:
        error = flow.visit.error
        kind = error.kind if error else "internal"
        self.step.setText(self.tr("We need your help"))
        self.title.setText(messages.text(messages.ERROR_TITLES, kind, "internal"))
        self.instruction.setText(messages.text(messages.ERROR_HELP, kind, "internal"))
        reason = ""
        if error is not None and kind == "page_quality":
            reason = messages.text(messages.QUALITY_REASONS, error.reason)
        self.reason.setText(reason)
        self.reason.setVisible(bool(reason))
        self.error_actions = list(error.actions if error else (Action.start_over,))
        # The first action is the primary one and sits on the right.
        for index, button in enumerate(self.buttons):
            if index < len(self.error_actions):
                button.setText(messages.text(messages.ACTIONS, self.error_actions[index]))
                button.setProperty("primary", index == 0)
                button.style().unpolish(button)
                button.style().polish(button)
                button.setVisible(True)
            else:
                button.setVisible(False)
