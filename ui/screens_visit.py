"""The screens of a certify visit: attract, card, pages, review, processing, printing, done, error.

The face step is in `screens_face`, the payment and the queue ticket in `screens_pay`, the other services in
`screens_other`.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QMargins, Qt, QTimer
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QScrollArea,
    QScroller,
    QWidget,
)

from kiosk.flow import Screen, Service
from kiosk.services.fee import format_vnd as vnd
from ui import messages
from ui.screen_registry import screen
from ui.voice import sentences
from ui.widgets import (
    PageThumb,
    ScreenBase,
    arrange_buttons,
    bgr_to_qimage,
    make_button,
    make_card_frame,
    make_label,
    mark_primary,
    pixmap_of_card,
    toggle_text,
)

if TYPE_CHECKING:
    from kiosk.flow import VisitFlow


def format_vnd(amount: int) -> str:
    """Vietnamese dong with dots between thousands: 12.000 đ (kiosk.services.fee.format_vnd)."""
    return vnd(int(amount))


@screen(Screen.attract, shots={"01-attract": {}})
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
        # Issue 25: after a visit ends (a cancel, a time-out), "take your ID card and documents" first. Its
        # room is kept while it is hidden (walk W4): the service buttons never move under a finger.
        self.reminder = make_label("banner", align=Qt.AlignmentFlag.AlignCenter)
        keep_room = self.reminder.sizePolicy()
        keep_room.setRetainSizeWhenHidden(True)
        self.reminder.setSizePolicy(keep_room)
        self.reminder.setVisible(False)
        self.body.insertWidget(1, self.reminder)
        # Issue 25 walk W12: while a training fault is on, a band at the top says so (no kiosk is left "out
        # of paper" by a trainer who forgot); the maintenance services word it (ui.services.training_banner).
        self.training = make_label("error", align=Qt.AlignmentFlag.AlignCenter)
        self.training.setVisible(False)
        self.outer.insertWidget(0, self.training)
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

    def set_portrait(self, portrait: bool) -> None:
        super().set_portrait(portrait)
        for button in (self.certify, self.check, self.reprint):  # a tall screen: taller service buttons
            if bool(button.property("big")) != portrait:
                button.setProperty("big", portrait)
                button.style().unpolish(button)
                button.style().polish(button)

    def flow_toggle_voice(self) -> None:
        self.flow.toggle_voice()
        self.host.speak_current()

    def show_state(self, flow: VisitFlow) -> None:
        self.step.setText(self.tr("Self-service kiosk"))
        self.title.setText(self.tr("Certified copies of your documents"))
        self.instruction.setText(self.tr("Choose your language, then the service you need."))
        vi, en = flow.visit.language == "vi", flow.visit.language == "en"
        self.vietnamese.setText(toggle_text("Tiếng Việt", vi))
        self.english.setText(toggle_text("English", en))
        self.vietnamese.setChecked(vi)
        self.english.setChecked(en)
        self.services_label.setText(self.tr("Services"))
        self.certify.setText(self.tr("Certify a copy of a document"))
        self.check.setText(self.tr("Check a certified copy"))
        self.reprint.setText(self.tr("Reprint a copy"))
        self.voice.setChecked(flow.visit.voice)
        self.voice.setText(toggle_text(self.tr("Voice"), flow.visit.voice))
        self.large.setChecked(self.host.large_text)
        self.large.setText(toggle_text(self.tr("Large text"), self.host.large_text))
        self.contrast.setChecked(self.host.high_contrast)
        self.contrast.setText(toggle_text(self.tr("High contrast"), self.host.high_contrast))
        remind = bool(getattr(self.host, "take_things_reminder", lambda: False)())
        # the text stays set while hidden: the room kept for it is the banner's own height
        self.reminder.setText(self.reminder_text(set(getattr(self.host, "reminder_laid", ())) or {"pages"}))
        self.reminder.setVisible(remind)
        training_banner = getattr(getattr(self.host, "maintenance", None), "training_banner", None)
        band = str(training_banner()) if callable(training_banner) else ""
        self.training.setText(band)
        self.training.setVisible(bool(band))

    def reminder_text(self, laid: set[str]) -> str:
        """What to take from the glass, by what the last visit laid there (walk W4: a copy checked is not an
        ID card): "card", "pages", "copy", "receipt" (kiosk.flow: VisitRecord.laid_on_glass)."""
        if "pages" in laid:
            return messages.take_things()  # the ID card and the documents
        if {"card", "receipt"} <= laid:
            return self.tr("Please take your ID card and your receipt from the glass.")
        if "card" in laid:
            return self.tr("Please take your ID card from the glass.")
        if "copy" in laid:
            return self.tr("Please take your copy from the glass.")
        return self.tr("Please take your receipt from the glass.")

    def spoken_prompt(self) -> str:
        reminder = self.reminder.text() if not self.reminder.isHidden() else ""
        return sentences((reminder, self.title.text(), self.instruction.text()))


@screen(
    Screen.card,
    shots={"02-card": {"service": Service.certify}, "23-reprint-card": {"service": Service.reprint}},
)
class CardScreen(ScreenBase):
    def __init__(self, host: Any) -> None:
        super().__init__(host)
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.picture, 1)
        self.side_note = make_label("title", align=Qt.AlignmentFlag.AlignCenter)  # which side goes down
        self.body.addWidget(self.side_note)
        self.status = make_label(align=Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.status)
        self.cancel = make_button(on_click=host.confirm_cancel)
        self.go = make_button(primary=True, on_click=self.flow.card_placed)
        self.footer.addWidget(self.cancel)
        self.footer.addStretch(1)
        self.footer.addWidget(self.go)

    def show_state(self, flow: VisitFlow) -> None:
        if flow.visit.service == Service.reprint:
            self.step.setText(self.tr("Reprint a copy: your ID card"))
            self.instruction.setText(
                self.tr(
                    "Only the holder of the copy may reprint it. Lay your citizen ID card (CCCD) face down on "
                    "the glass, then press Continue."
                )
            )
        else:
            self.step.setText(messages.step_line(Screen.card, self.tr("your ID card")))
            self.instruction.setText(
                self.tr("Lay your citizen ID card (CCCD) face down on the glass, then press Continue.")
            )
        self.title.setText(self.tr("Place your ID card on the glass"))
        side = max(120, min(self.width() // 2, self.height() // 3) or 240)
        width = min(side * 2, max(240, int(self.width() * 0.8)))
        if self.picture.pixmap().isNull() or self.picture.pixmap().width() != width:
            self.picture.setPixmap(pixmap_of_card(width, width * 2 // 5))
        self.side_note.setText(
            self.tr("Photo side down: the side with your photo and the QR code faces the glass.")
        )
        self.status.setText(self.tr("Reading your card…") if flow.busy else "")
        self.cancel.setText(self.tr("Cancel"))
        self.go.setText(self.tr("Continue"))
        self.go.setEnabled(not flow.busy)


def repeated_page(visit: Any, page: Any) -> int:
    """The number (from 1) of the earlier page that `page` repeats, when the citizen chose to keep it
    (kiosk.flow: keep_duplicate) and that page is still there; else 0."""
    pages = list(visit.pages)
    for kept, earlier in getattr(visit, "kept_duplicates", ()):
        if kept is page:
            for index, other in enumerate(pages):
                if other is earlier:
                    return index + 1
    return 0


class PagesArea(QScrollArea):
    """A scroll area that tells its screen when its viewport changes size (the thumbnails follow it)."""

    def __init__(self, on_resize: Any) -> None:
        super().__init__()
        self.on_resize = on_resize

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self.on_resize()


@screen(
    Screen.scan,
    shots={
        "04-scan": lambda s: {"pages": s.pages},
        "04b-scan-kept-duplicate": lambda s: {
            "pages": s.pages,
            "kept_duplicates": [(s.pages[1], s.pages[0])] if len(s.pages) > 1 else [],
        },
    },
)
class ScanScreen(ScreenBase):
    """Every scanned page, in a scrolling grid (one row in landscape, three columns in portrait), with the
    number of pages; rescan and remove on each page (remove asks first)."""

    center_in_portrait = False

    def __init__(self, host: Any) -> None:
        super().__init__(host)
        self.face_ok = make_label("banner", align=Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.face_ok)
        self.count = make_label("title", wrap=False)
        self.body.addWidget(self.count)
        self.empty = make_label(align=Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.empty)
        self.pages_area = PagesArea(lambda: self._sync_thumbs(len(self.thumbs)))
        self.pages_area.setWidgetResizable(True)
        self.pages_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.pages_area.setWidget(self.grid_host)
        QScroller.grabGesture(self.pages_area.viewport(), QScroller.ScrollerGestureType.TouchGesture)
        self.body.addWidget(self.pages_area, 1)
        self.status = make_label(align=Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.status)
        self.cancel = make_button(on_click=host.confirm_cancel)
        self.add = make_button(primary=True, on_click=self.flow.scan_page)
        self.go = make_button(on_click=self.flow.pages_done)
        # issue 25: "scan the next page" and "done, continue" side by side, equal; on a tall screen on a
        # row of their own above "cancel"
        self.buttons_grid = QGridLayout()
        self.footer.addLayout(self.buttons_grid, 1)
        arrange_buttons(self.buttons_grid, [self.cancel], [self.add, self.go], 1)  # parented from the start
        self._portrait = False
        self.thumbs: list[PageThumb] = []
        self._thumb_cache: dict[int, Any] = {}
        self._shown_count = 0

    def set_portrait(self, portrait: bool) -> None:
        super().set_portrait(portrait)
        self._portrait = portrait

    # -- the pages -------------------------------------------------------------------------------------
    def _columns(self) -> int:
        return 3 if self.height() > self.width() else 5

    def _thumb_size(self) -> tuple[int, int]:
        viewport = self.pages_area.viewport()
        cols = self._columns()
        gap = max(0, self.grid.horizontalSpacing())
        width = max(120, (viewport.width() - gap * (cols - 1)) // cols)
        height = int(width * 1.55)
        if cols == 5:  # landscape: one row fills the height; further rows scroll
            height = max(220, min(height, viewport.height() - 4))
            width = min(width, int(height / 1.3))
        if self.thumbs:  # walk W4: large text never squeezes the number onto the picture or clips a button
            need = self.thumbs[0].minimumSizeHint()
            inner = self.thumbs[0].layout()
            margins = self.thumbs[0].contentsMargins() + (inner.contentsMargins() if inner else QMargins())
            badges = [t.duplicate.sizeHint().width() for t in self.thumbs if t.duplicate.text()]
            badge = max(badges, default=0) + margins.left() + margins.right()  # "Same as page 1" whole
            width, height = max(width, need.width(), badge), max(height, need.height())
        return width, height

    def _sync_thumbs(self, count: int) -> None:
        while len(self.thumbs) < count:
            thumb = PageThumb()
            index = len(self.thumbs)
            thumb.rescan.clicked.connect(lambda _=False, i=index: self.flow.scan_page(replace=i))
            thumb.remove.clicked.connect(lambda _=False, i=index: self._ask_remove(i))
            thumb.view.clicked.connect(lambda i=index: self.host.open_page(i))  # full size (issue 25)
            self.thumbs.append(thumb)
        while len(self.thumbs) > count:  # deleted, not hidden: a long visit does not keep old widgets
            thumb = self.thumbs.pop()
            self.grid.removeWidget(thumb)
            thumb.view.clear()
            thumb.hide()
            thumb.deleteLater()  # Qt deletes it (still parented, so never twice from Python)
        cols = self._columns()
        width, height = self._thumb_size()
        for index, thumb in enumerate(self.thumbs):
            at = self.grid.indexOf(thumb)
            cell = (index // cols, index % cols)
            if at < 0 or tuple(self.grid.getItemPosition(at))[:2] != cell:  # type: ignore[arg-type]
                self.grid.addWidget(thumb, *cell)
            thumb.setFixedSize(width, height)
            thumb.show()  # not left to the layout's queued show: it may run after the screen changed

    def _show_newest(self) -> None:
        if self.thumbs:  # looked up when the timer fires: the page may have gone meanwhile
            self.pages_area.ensureWidgetVisible(self.thumbs[-1])

    def _ask_remove(self, index: int) -> None:
        if index >= len(self.flow.visit.pages):
            return
        self.host.confirm(
            self.tr("Remove page %d?") % (index + 1),
            self.tr("The scanned page will be thrown away. You can scan it again afterwards."),
            self.tr("Remove the page"),
            self.tr("Keep it"),
            lambda: self.flow.remove_page(index),
            destructive=True,
        )

    def show_state(self, flow: VisitFlow) -> None:
        pages = flow.visit.pages
        self.step.setText(messages.step_line(Screen.scan, self.tr("your document")))
        self.title.setText(self.tr("Place your document on the glass"))
        self.add.setText(self.tr("Scan the next page") if pages else self.tr("Scan the first page"))
        self.go.setText(self.tr("Done, continue"))
        # The text names the buttons as they read now (issue 25 walk W4: per state, not "for each page").
        if pages:
            self.instruction.setText(
                self.tr("Lay the next page face down and press “%1”. When every page is scanned, press “%2”.")
                .replace("%1", self.add.text())
                .replace("%2", self.go.text())
            )
        else:
            self.instruction.setText(
                self.tr(
                    "One page at a time. Lay the first page face down on the glass and press “%1”."
                ).replace("%1", self.add.text())
            )
        matched = bool(getattr(flow.visit.face, "match", False))
        self.face_ok.setText("✓ " + self.tr("Your face matches your ID card photo.") if matched else "")
        self.face_ok.setVisible(matched)
        self.count.setText(self.tr("Pages scanned: %d") % len(pages))
        self.empty.setText("" if pages else self.tr("No page yet. Place the first page on the glass."))
        self.empty.setVisible(not pages)
        self.pages_area.setVisible(bool(pages))
        live = {id(p) for p in pages}
        self._thumb_cache = {k: v for k, v in self._thumb_cache.items() if k in live}
        self._sync_thumbs(len(pages))
        for index, (page, thumb) in enumerate(zip(pages, self.thumbs, strict=True)):
            if id(page) not in self._thumb_cache:
                self._thumb_cache[id(page)] = bgr_to_qimage(page.image, 360)
            thumb.view.set_image(self._thumb_cache[id(page)])
            thumb.number.setText(self.tr("Page %d") % (index + 1))
            repeats = repeated_page(flow.visit, page)
            thumb.set_duplicate(self.tr("Same as page %d") % repeats if repeats else "")
            thumb.rescan.setText(self.tr("Scan again"))
            thumb.remove.setText(self.tr("Remove"))
            for button in (thumb.rescan, thumb.remove):
                button.setEnabled(not flow.busy)
        self._sync_thumbs(len(pages))  # sized again now that the texts are in (large text needs more room)
        if len(pages) > self._shown_count and self.thumbs:
            QTimer.singleShot(0, self._show_newest)
        self._shown_count = len(pages)
        self.status.setText(self.tr("Reading the page…") if flow.busy else "")
        self.cancel.setText(self.tr("Cancel"))
        # Issue 25: scan while there is no page; once there is one, "scan the next page" and "done,
        # continue" are two equal choices (one blue button would steer a two-page citizen past page 2).
        mark_primary(self.add, True)
        mark_primary(self.go, bool(pages))
        self.go.setVisible(bool(pages))
        two_rows = self._portrait and bool(pages)
        arrange_buttons(self.buttons_grid, [self.cancel], [self.add, self.go], 2 if two_rows else 1)
        self.add.setEnabled(not flow.busy)
        self.go.setEnabled(not flow.busy and bool(pages))

    def left(self) -> None:
        if self.flow.screen not in (Screen.scan, Screen.review, Screen.error):
            self._thumb_cache.clear()
            self._shown_count = 0
            self._sync_thumbs(0)


@screen(Screen.review, shots={"05-review": lambda s: {"pages": s.pages, "copies": 2}})
class ReviewScreen(ScreenBase):
    """What will be certified, how many copies, and the fee with its breakdown (Thông tư 226/2016/TT-BTC)
    before the citizen confirms."""

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
        # The optional e-mail for the copy's details (kiosk.services.delivery), typed on the on-screen keyboard.
        self.email_label = make_label(wrap=False)
        self.email_value = make_label("muted")
        self.email = make_button(on_click=host.open_email)
        grid.addWidget(self.email_label, 4, 0)
        grid.addWidget(self.email_value, 4, 1)
        grid.addWidget(self.email, 4, 2, Qt.AlignmentFlag.AlignLeft)
        grid.setColumnStretch(3, 1)  # the free width goes right of the controls, not into them
        grid.setHorizontalSpacing(24)
        self.breakdown = make_label("muted")
        box.addWidget(self.breakdown)
        self.body.addWidget(frame)
        self.body.addStretch(1)
        self.cancel = make_button(on_click=host.confirm_cancel)
        self.back = make_button(on_click=self.flow.back_to_pages)
        self.go = make_button(primary=True, on_click=self.flow.confirm)
        self.footer.addWidget(self.cancel)
        self.footer.addWidget(self.back)
        self.footer.addStretch(1)
        self.footer.addWidget(self.go)

    def fee_lines(self, flow: VisitFlow) -> list[str]:
        """The breakdown: each rate's pages, the amount a copy, the copies, and the circular."""
        fee = flow.fee
        lines, first = [], 1
        for line in fee.lines:
            last = first + line.pages - 1
            pages = str(first) if first == last else f"{first}–{last}"
            lines.append(
                self.tr("Pages %1: %2 × %3 = %4")
                .replace("%1", pages)
                .replace("%2", str(line.pages))
                .replace("%3", format_vnd(line.unit_vnd))
                .replace("%4", format_vnd(line.amount_vnd))
            )
            first = last + 1
        if fee.capped:
            lines.append(self.tr("At most %s a copy") % format_vnd(fee.per_copy_vnd))
        lines.append(
            self.tr("%1 a copy × %2 = %3")
            .replace("%1", format_vnd(fee.per_copy_vnd))
            .replace("%2", messages.copies_text(fee.copies))
            .replace("%3", format_vnd(fee.total_vnd))
        )
        lines.append(self.tr("Fee under Circular 226/2016/TT-BTC of the Ministry of Finance."))
        return lines

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
        self.breakdown.setText("\n".join(self.fee_lines(flow)) if visit.pages else "")
        address = str(getattr(visit, "delivery_email", "") or "")
        self.email_label.setText(self.tr("E-mail"))
        self.email_value.setText(address or self.tr("(optional)"))
        self.email.setText(self.tr("Change") if address else self.tr("Add e-mail"))
        for button in (self.minus, self.plus):
            button.setMinimumWidth(max(button.minimumHeight(), self.go.height(), 48))
        self.minus.setEnabled(visit.copies > 1)
        self.plus.setEnabled(visit.copies < 5)
        self.cancel.setText(self.tr("Cancel"))
        self.back.setText(self.tr("Back to pages"))
        paying = getattr(flow, "payments", None) is not None
        self.go.setText(self.tr("Confirm and pay") if paying else self.tr("Confirm and print"))


@screen(
    Screen.processing, printing=False, shots={"06-processing": {"progress_stage": "sign", "progress": 0.35}}
)
@screen(
    Screen.printing, printing=True, shots={"07-printing": {"progress_stage": "print_copy", "progress": 0.1}}
)
class ProgressScreen(ScreenBase):
    """Processing and printing: real progress from the worker, nothing to press."""

    def __init__(self, host: Any, *, printing: bool) -> None:
        super().__init__(host)
        self.printing = printing
        self.body.addStretch(1)
        # Issue 25 (walk W3): after a VietQR payment, the citizen sees and hears that the fee was received
        self.paid = make_label("title", align=Qt.AlignmentFlag.AlignCenter)
        self.paid.setVisible(False)
        self.body.addWidget(self.paid)
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.setTextVisible(True)
        self.body.addWidget(self.bar)
        self.stage = make_label(align=Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.stage)
        self.body.addStretch(2)

    def show_state(self, flow: VisitFlow) -> None:
        if self.printing and flow.visit.service == Service.reprint:
            self.step.setText(self.tr("Reprint a copy"))
            self.title.setText(self.tr("Printing your copy again"))
            self.instruction.setText(self.tr("Please wait. The copy comes out below."))
        elif self.printing:
            self.step.setText(messages.step_line(Screen.printing, self.tr("printing")))
            self.title.setText(self.tr("Printing your certified copy"))
            self.instruction.setText(self.tr("Please wait. Your copy and your receipt come out below."))
        else:
            self.step.setText(messages.step_line(Screen.processing, self.tr("certifying")))
            self.title.setText(self.tr("Making your certified copy"))
            self.instruction.setText(self.tr("Please wait, this takes a few seconds."))
        self.bar.setValue(round(100 * flow.visit.progress))
        self.stage.setText(messages.text(messages.STAGES, flow.visit.progress_stage, "start"))
        permit = flow.visit.print_permit
        paid = int(getattr(permit, "amount_vnd", 0) or 0) if permit is not None else 0
        self.paid.setText(self.tr("Fee received: %s") % format_vnd(paid) if paid else "")
        self.paid.setVisible(bool(paid))

    def spoken_prompt(self) -> str:
        """The fee received (after a payment), the title and the instruction; not the stage, which changes
        every second."""
        paid = self.paid.text() if not self.paid.isHidden() else ""
        return sentences((paid, self.title.text(), self.instruction.text()))


@screen(
    Screen.done,
    shots={
        "08-done": lambda s: {
            "copy": SimpleNamespace(code="HN001-000042-U", doc_type="birth_certificate", pages=2)
        }
    },
)
class DoneScreen(ScreenBase):
    """The code, what to take, and its own countdown back to the start; the code is cleared when the
    countdown ends. The retrieval secret is never shown (issue 25: the next person in the queue can read
    the screen): it is on the printed receipt only, and the screen says so."""

    def __init__(self, host: Any) -> None:
        super().__init__(host)
        frame, box = make_card_frame()
        self.code_label = make_label("muted", align=Qt.AlignmentFlag.AlignCenter)
        self.code = make_label("huge", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.secret_label = make_label("muted", align=Qt.AlignmentFlag.AlignCenter)
        for widget in (self.code_label, self.code, self.secret_label):
            box.addWidget(widget)
        self.body.addWidget(frame)
        self.take = make_label(align=Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.take)
        self.body.addStretch(1)
        self.countdown = make_label("muted")
        self.footer.addWidget(self.countdown, 1)
        self.go = make_button(primary=True, on_click=self.flow.finish)
        self.footer.addWidget(self.go)

    def tick(self, seconds_left: float) -> None:
        if self.flow.screen != Screen.done:
            return
        self.countdown.setText(self.tr("This screen closes in %d s.") % max(0, int(seconds_left + 0.999)))

    def show_state(self, flow: VisitFlow) -> None:
        reprint = flow.visit.service == Service.reprint
        copy = flow.visit.copy if flow.screen == Screen.done else None
        self.step.setText(self.tr("Finished"))
        self.title.setText(
            self.tr("Your copy has been printed again")
            if reprint
            else self.tr("Your certified copy is ready")
        )
        self.instruction.setText(
            self.tr("Anyone can check the copy with its QR code or its code.")
            if reprint
            else self.tr("Keep the receipt: it has the code that lets anyone check the copy.")
        )
        self.code_label.setText(self.tr("Code of the copy"))
        self.code.setText(str(getattr(copy, "code", "") or ""))
        # kiosk.services.delivery.Retrieval: the secret is on the receipt only, never on the screen
        has_secret = bool(getattr(getattr(copy, "retrieval", None), "display", ""))
        self.secret_label.setText(
            self.tr("The secret to download the copy again is printed on your receipt. Keep it private.")
            if has_secret
            else ""
        )
        self.secret_label.setVisible(has_secret)
        take = (
            self.tr("Please take your ID card and the reprinted copy.")
            if reprint
            else self.tr("Please take your ID card, your original, the copy and the receipt.")
        )
        # Issue 25 walk W9: where the receipt came out when the receipt printer failed, and a "collect at the
        # counter" slip made needless by a later print (kiosk.flow.print_step)
        visit = flow.visit
        if str(getattr(visit, "receipt_printed_on", "") or "") == "document_printer":
            take += " " + self.tr(
                "The receipt printer is not working: your receipt came out of the large printer, with the copy."
            )
        if getattr(visit, "void_slip", False):
            take += " " + self.tr(
                "Your copy has been printed: the slip “Fee received – copy to collect” is no longer needed."
            )
        self.take.setText(take)
        if flow.screen != Screen.done:
            self.countdown.setText("")
        elif not self.countdown.text():
            self.tick(getattr(flow, "done_timeout_s", 25.0))
        self.go.setText(self.tr("Finish"))
