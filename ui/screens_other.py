"""The other services (check a copy, reprint by code) and the technician's PIN pad and maintenance mode."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QScroller,
    QVBoxLayout,
    QWidget,
)

from kiosk.flow import Screen, Service
from ui import messages, theme
from ui.screen_registry import screen
from ui.widgets import (
    ImageView,
    Keypad,
    ScreenBase,
    bgr_to_qimage,
    icon_pixmap,
    make_button,
    make_card_frame,
    make_label,
    pixmap_of_printed_page,
    toggle_text,
)

if TYPE_CHECKING:
    from kiosk.flow import VisitFlow

CODE_KEYS = [*"1234567890", *"QWERTYUIOP", *"ASDFGHJKL-", *"ZXCVBNM", Keypad.BACKSPACE]
PIN_KEYS = [*"123456789", Keypad.BACKSPACE, "0", "OK"]


@screen(Screen.check_copy, shots={"13-check-copy": {"service": Service.check}})
class CheckCopyScreen(ScreenBase):
    """Check a certified copy: lay a printed page on the glass, or hold it up to the camera."""

    def __init__(self, host: Any) -> None:
        super().__init__(host)
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.picture, 1)
        self.status = make_label(align=Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.status)
        self.cancel = make_button(on_click=host.confirm_cancel)
        self.camera = make_button(on_click=self._by_camera)
        self.go = make_button(primary=True, on_click=self.flow.check_placed)
        self.footer.addWidget(self.cancel)
        self.footer.addStretch(1)
        self.footer.addWidget(self.camera)
        self.footer.addWidget(self.go)

    def _by_camera(self) -> None:
        check = getattr(self.flow, "check_by_camera", None)
        if check is not None:
            check()

    def show_state(self, flow: VisitFlow) -> None:
        self.step.setText(self.tr("Check a certified copy"))
        self.title.setText(self.tr("Place the printed copy on the glass"))
        self.instruction.setText(
            self.tr(
                "Lay a page of the copy face down on the glass, with its QR code, then press Check. Or hold "
                "the page up to the camera, QR code towards it."
            )
        )
        side = max(120, min(self.width() // 2, self.height() // 3) or 240)
        if self.picture.pixmap().isNull() or self.picture.pixmap().height() != side:
            self.picture.setPixmap(pixmap_of_printed_page(side * 3 // 2, side))
        self.status.setText(self.tr("Checking the QR code…") if flow.busy else "")
        self.cancel.setText(self.tr("Cancel"))
        self.camera.setText(self.tr("Hold it to the camera"))
        self.camera.setVisible(hasattr(flow.services, "photo_copy"))
        self.go.setText(self.tr("Check"))
        self.go.setEnabled(not flow.busy)
        self.camera.setEnabled(not flow.busy)


VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")


def vietnam_time(moment: datetime) -> str:
    """A moment as the copy and the receipt print it: Vietnam time, with the zone said."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # the seal's times are UTC
    return moment.astimezone(VIETNAM_TIME).strftime("%d/%m/%Y %H:%M") + " (GMT+7)"


def day_month_year(text: str) -> str:
    """An ISO date (an older seal's document date) as the paper prints it, dd/mm/yyyy; else as it is."""
    try:
        return date.fromisoformat(text).strftime("%d/%m/%Y")
    except ValueError:
        return text


# Issue 25 walk (W4): why a copy could not be confirmed, in plain words, by the verdict's reason_key
# (signing.Verification.reason_key; the CLI's English sentence is its `reason`).
CHECK_REASONS = {
    "no_seal": QT_TRANSLATE_NOOP(
        "CheckResultScreen",
        "No QR code of a certified copy was found. Lay the page flat, QR code on the glass, and try again.",
    ),
    "not_seal": QT_TRANSLATE_NOOP("CheckResultScreen", "This QR code is not the seal of a certified copy."),
    "seal_edited": QT_TRANSLATE_NOOP("CheckResultScreen", "The QR code has been changed or is damaged."),
    "seal_untrusted": QT_TRANSLATE_NOOP(
        "CheckResultScreen", "The QR code was not made by a kiosk that this system knows and trusts."
    ),
    "untrusted": QT_TRANSLATE_NOOP(
        "CheckResultScreen", "The copy was not signed by an office that this system trusts."
    ),
    "cert_expired": QT_TRANSLATE_NOOP(
        "CheckResultScreen", "The kiosk's certificate was not valid when the copy was signed."
    ),
    "seal_revoked": QT_TRANSLATE_NOOP(
        "CheckResultScreen", "The kiosk's signing key has been withdrawn: its seals from then on are void."
    ),
    "seal_mismatch": QT_TRANSLATE_NOOP("CheckResultScreen", "The QR code belongs to another copy."),
    "qr_mismatch": QT_TRANSLATE_NOOP("CheckResultScreen", "The QR code on the page is not this copy's."),
    "page_mismatch": QT_TRANSLATE_NOOP(
        "CheckResultScreen",
        "The page does not match its QR code: the text on the paper differs from what was certified. If this "
        "is the copy you were given, lay it flat in good light and check it again.",
    ),
    "page_unreadable": QT_TRANSLATE_NOOP(
        "CheckResultScreen",
        "The text on the page could not be read to compare it with the QR code. Lay it flat and try again.",
    ),
    "revoked": QT_TRANSLATE_NOOP("CheckResultScreen", "This copy has been revoked."),
    "other": QT_TRANSLATE_NOOP("CheckResultScreen", "The copy could not be confirmed as genuine."),
}
# An older copy (a VNC1 seal, docs/SEAL_FORMATS.md): valid, but its QR holds fewer of the document's fields.
OLDER_SEAL = QT_TRANSLATE_NOOP(
    "CheckResultScreen",
    "Copy issued in the older form (VNC1 seal): its QR code holds only the code, the document type, the "
    "pages, the dates, the holder's name and the document's number. Compare the rest of the copy by eye.",
)


@screen(
    Screen.check_result,
    shots={
        "14-check-result": lambda s: {
            "verification": SimpleNamespace(
                valid=True,
                code="HN001-000042-U",
                pages=2,
                doc_type="birth_certificate",
                issued_at=datetime(2026, 11, 22, 9, 30, tzinfo=UTC),
                fields={"full_name": "NGUYỄN THỊ MINH ANH"},
                holder_name="NGUYỄN VĂN AN",
            ),
            "online_status": SimpleNamespace(checked=True, status="post_checked", revoked_reason=None),
        },
        "14b-check-result-older-seal": lambda s: {
            "verification": SimpleNamespace(
                valid=True,
                code="HN001-000007-K",
                pages=1,
                doc_type="birth_certificate",
                issued_at=datetime(2026, 3, 2, 8, 15, tzinfo=UTC),
                fields={},
                holder_name="TRẦN THỊ BÌNH",
                doc_number="123/2019",
                doc_date="2019-05-14",
                seal_format="VNC1",
                older_seal="older seal (VNC1): ...",
            ),
            "online_status": SimpleNamespace(checked=True, status="post_checked", revoked_reason=None),
        },
        "14c-check-result-refused": lambda s: {
            "verification": SimpleNamespace(valid=False, code=None, reason_key="seal_untrusted"),
        },
    },
)
class CheckResultScreen(ScreenBase):
    def __init__(self, host: Any) -> None:
        super().__init__(host)
        frame, box = make_card_frame()
        top = QHBoxLayout()
        self.icon = QLabel()
        top.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        self.verdict = make_label("title")
        top.addWidget(self.verdict, 1)
        box.addLayout(top)
        self.details = make_label()
        self.online = make_label()
        for label in (self.details, self.online):  # extra height (a fit made at another width) goes below
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        box.addWidget(self.details)
        box.addWidget(self.online)
        self.body.addWidget(frame)
        self.body.addStretch(1)
        self.countdown = make_label("muted")
        self.footer.addWidget(self.countdown, 1)
        self.go = make_button(primary=True, on_click=self.flow.finish)
        self.footer.addWidget(self.go)

    def tick(self, seconds_left: float) -> None:
        if self.flow.screen == Screen.check_result:
            self.countdown.setText(self.tr("This screen closes in %d s.") % max(0, int(seconds_left + 0.999)))

    def show_state(self, flow: VisitFlow) -> None:
        result: Any = flow.visit.verification
        valid = bool(getattr(result, "valid", False))
        online = getattr(flow.visit, "online_status", None)
        revoked = getattr(online, "status", None) == "revoked"
        self.step.setText(self.tr("Check a certified copy"))
        self.title.setText(self.tr("Result of the check"))
        self.instruction.setText(
            self.tr(
                "The QR code and the page are checked on this kiosk; the status is asked from the city's system."
            )
        )
        good = valid and not revoked
        self.verdict.setProperty("role", "ok" if good else "error")
        self.verdict.style().unpolish(self.verdict)
        self.verdict.style().polish(self.verdict)
        side = max(48, self.verdict.fontMetrics().height() * 2)
        self.icon.setPixmap(
            icon_pixmap("ok" if good else "problem", side, high_contrast=self.host.high_contrast)
        )
        if revoked:
            self.verdict.setText(self.tr("This copy has been revoked"))
        elif valid:
            self.verdict.setText(self.tr("This is a valid certified copy"))
        else:
            self.verdict.setText(self.tr("This copy could not be confirmed"))
        lines = []
        if getattr(result, "code", None):
            lines.append(self.tr("Code: %s") % result.code)
        issued = getattr(result, "issued_at", None)
        if isinstance(issued, datetime):
            lines.append(self.tr("Issued: %s") % vietnam_time(issued))
        if getattr(result, "pages", None):
            lines.append(self.tr("Pages: %d") % int(result.pages))
        if getattr(result, "doc_type", None):
            lines.append(messages.text(messages.DOC_TYPES, str(result.doc_type), "other"))
        # Issue 25: whose document it is (the seal carries the subject's fields), and who asked for it. An
        # older copy's seal (VNC1) names its holder, the document's subject, with the document's number and
        # date, and says what to compare by eye (docs/SEAL_FORMATS.md).
        older = str(getattr(result, "seal_format", "") or "") == "VNC1"
        fields = getattr(result, "fields", None) or {}
        requester = str(getattr(result, "holder_name", "") or "")
        subject = str(fields.get("full_name") or fields.get("name_1") or (requester if older else ""))
        if valid and subject:
            lines.append(self.tr("Name on the document: %s") % subject)
        if valid and requester and requester.casefold() != subject.casefold():
            lines.append(self.tr("Copy requested by: %s") % requester)
        if valid and older:
            for label, value in (
                (self.tr("Document number: %s"), getattr(result, "doc_number", None)),
                (self.tr("Document date: %s"), getattr(result, "doc_date", None)),
            ):
                if value:
                    lines.append(label % day_month_year(str(value)))
        if not valid:
            key = str(getattr(result, "reason_key", "") or "")
            lines.append(
                QCoreApplication.translate(
                    "CheckResultScreen", str(CHECK_REASONS.get(key, CHECK_REASONS["other"]))
                )
            )
            lines.append(self.tr("Ask staff to look at the original record."))
        self.details.setText("\n".join(lines))
        # what the older seal holds takes the instruction's place (room on a small screen in large text)
        if valid and older:
            self.instruction.setText(QCoreApplication.translate("CheckResultScreen", str(OLDER_SEAL)))
        self._fit_texts()
        QTimer.singleShot(0, self._fit_texts)  # again once the layout gave the new texts their width
        self.online.setText(self.online_text(online) if valid else "")
        self.online.setVisible(valid)
        self.go.setText(self.tr("Finish"))

    def _fit_texts(self) -> None:
        """A wrapped paragraph gets the height its width needs (the stack does not ask heightForWidth)."""
        for label in (self.details, self.online):
            width = label.contentsRect().width()
            label.setMinimumHeight(label.heightForWidth(width) if label.text() and width > 0 else 0)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._fit_texts()

    def online_text(self, online: Any) -> str:
        if online is None or not getattr(online, "checked", False):
            return messages.text(messages.ONLINE_STATUS, "unchecked")
        status = getattr(online, "status", None) or "unknown"
        text = messages.text(messages.ONLINE_STATUS, status, "unknown")
        reason = getattr(online, "revoked_reason", None)
        return f"{text}: {reason}" if status == "revoked" and reason else text


@screen(
    Screen.reprint,
    shots={
        "15-reprint": {"service": Service.reprint, "reprint_code": "HN001-0000"},
        "15b-reprint-qr-unread": {"service": Service.reprint, "reprint_qr_unread": "glass"},
    },
)
class ReprintScreen(ScreenBase):
    """The code from the receipt: its QR read on the glass or at the camera (issue 25), or the code typed on
    a keyboard placed low, near the hands; the card and the face of the holder come next (kiosk.flow:
    reprint_by_glass, reprint_by_camera, submit_reprint). The reading runs on the flow's worker."""

    def __init__(self, host: Any) -> None:
        super().__init__(host)
        # The code and its keys in the lower part, within reach; on a tall screen the free space goes above
        # them. The two QR buttons stand beside the keys on a wide screen (no height taken from them), above
        # the code on a tall one (set_portrait moves them).
        self.qr_box = QWidget()
        qr_column = QVBoxLayout(self.qr_box)
        qr_column.setContentsMargins(0, 0, 0, 0)
        self.by_glass = make_button(on_click=self._by_glass)
        self.by_camera = make_button(on_click=self._by_camera)
        qr_column.addWidget(self.by_glass)
        qr_column.addWidget(self.by_camera)
        qr_column.addStretch(1)
        self.body.addStretch(2)
        self.qr_above = QVBoxLayout()  # holds the QR buttons on a tall screen
        self.body.addLayout(self.qr_above)
        self.body.addStretch(1)
        # One line above the keys: the code as typed, or, while there is one, what the QR reading says
        # (reading, or could not read: then typing the code clears it and shows the code again).
        self.code = make_label("huge", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.code)
        self.status = make_label(align=Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.status)
        self.keys_row = QHBoxLayout()  # the QR buttons, then the keys, on a wide screen
        self.keys_row.addWidget(self.qr_box)
        self.keypad = Keypad(CODE_KEYS, columns=10)
        self.keypad.pressed.connect(self._key)
        self.keys_row.addWidget(self.keypad, 1)
        self.body.addLayout(self.keys_row)
        self.cancel = make_button(on_click=host.confirm_cancel)
        self.go = make_button(primary=True, on_click=self.flow.submit_reprint)
        self.footer.addWidget(self.cancel)
        self.footer.addStretch(1)
        self.footer.addWidget(self.go)
        self._reading = ""  # "glass" / "camera": the button the citizen pressed, while the flow reads
        self._spoken_status = ""

    def set_portrait(self, portrait: bool) -> None:
        # the keypad stays at the bottom, near the hands, in both orientations
        target, other = (self.qr_above, self.keys_row) if portrait else (self.keys_row, self.qr_above)
        if target.indexOf(self.qr_box) < 0:
            other.removeWidget(self.qr_box)
            target.insertWidget(0, self.qr_box)
        for button in (self.by_glass, self.by_camera):  # a tall screen has room for taller buttons
            if bool(button.property("big")) != portrait:
                button.setProperty("big", portrait)
                button.style().unpolish(button)
                button.style().polish(button)

    def _by_glass(self) -> None:
        self._reading = "glass"
        self.flow.reprint_by_glass()

    def _by_camera(self) -> None:
        self._reading = "camera"
        self.flow.reprint_by_camera()

    def _key(self, key: str) -> None:
        code = self.flow.visit.reprint_code
        self.flow.set_reprint_code(code[:-1] if key == Keypad.BACKSPACE else code + key)

    def _status_text(self, flow: VisitFlow) -> tuple[str, str]:
        """The status line and its role: reading, the QR that could not be read, or nothing."""
        unread = str(getattr(flow.visit, "reprint_qr_unread", "") or "")
        if flow.busy and self._reading == "glass":
            return self.tr("Reading the QR code on the glass…"), ""
        if flow.busy and self._reading == "camera":
            return self.tr("Reading the QR code at the camera…"), ""
        if flow.busy:
            return self.tr("Checking…"), ""
        if unread == "camera":
            return (
                self.tr(
                    "The QR code could not be read. Hold the receipt still, QR code towards the camera, "
                    "and press again. Or type the code below."
                ),
                "error",
            )
        if unread:
            return (
                self.tr(
                    "The QR code could not be read. Lay the receipt flat, QR code face down on the glass, "
                    "and press again. Or type the code below."
                ),
                "error",
            )
        return "", ""

    def show_state(self, flow: VisitFlow) -> None:
        services = flow.services
        reads = hasattr(services, "receipt_code")
        glass = reads and hasattr(services, "scan_receipt")
        camera = reads and hasattr(services, "photo_receipt")
        self.step.setText(self.tr("Reprint a copy"))
        self.by_glass.setText(self.tr("Read the QR on the glass"))
        self.by_camera.setText(self.tr("Read the QR at the camera"))
        holder = self.tr(
            "Only the holder can reprint: the kiosk then reads your ID card and checks your face."
        )
        if glass or camera:
            self.title.setText(self.tr("Read the QR code on your receipt, or type its code"))
            self.instruction.setText(
                self.tr("Lay the receipt on the glass, QR code face down, or hold it up to the camera.")
                + " "
                + holder
            )
        else:
            self.title.setText(self.tr("Type the code on your receipt"))
            self.instruction.setText(holder)
        self.by_glass.setVisible(glass)
        self.by_camera.setVisible(camera)
        self.qr_box.setVisible(glass or camera)
        for button in (self.by_glass, self.by_camera):
            button.setEnabled(not flow.busy)
        self.code.setText(flow.visit.reprint_code or "—")
        text, role = self._status_text(flow)
        self.status.setText(text)
        self.status.setVisible(bool(text))
        self.code.setVisible(not text)
        if (self.status.property("role") or "") != role:
            self.status.setProperty("role", role)
            self.status.style().unpolish(self.status)
            self.status.style().polish(self.status)
        if not flow.busy:
            self._reading = ""
        on_screen = flow.screen == Screen.reprint
        if on_screen and text and text != self._spoken_status:  # issue 25: what appears is said, once
            self.host.speak(text)
        self._spoken_status = text if on_screen else ""
        self.cancel.setText(self.tr("Cancel"))
        self.go.setText(self.tr("Continue"))
        self.go.setEnabled(bool(flow.visit.reprint_code) and not flow.busy)

    def left(self) -> None:
        self._reading = ""
        self._spoken_status = ""


@screen(Screen.maintenance_pin, shots={"16-maintenance-pin": {}})
class PinScreen(ScreenBase):
    def __init__(self, host: Any) -> None:
        super().__init__(host)
        self.entered_pin = ""
        self.dots = make_label("huge", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        self.message = make_label("error", align=Qt.AlignmentFlag.AlignCenter)
        self.keypad = Keypad(PIN_KEYS, columns=3)
        self.keypad.pressed.connect(self._key)
        self.body.addWidget(self.dots)
        self.body.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.keypad, 2)
        row.addStretch(1)
        self.body.addLayout(row)
        self.body.addStretch(1)
        self.cancel = make_button(on_click=self.flow.exit_maintenance)
        self.footer.addWidget(self.cancel)
        self.footer.addStretch(1)

    def _key(self, key: str) -> None:
        if key == "OK":
            pin, self.entered_pin = self.entered_pin, ""
            self.flow.enter_pin(pin)
            return
        self.entered_pin = self.entered_pin[:-1] if key == Keypad.BACKSPACE else (self.entered_pin + key)[:12]
        self.show_state(self.flow)

    def show_state(self, flow: VisitFlow) -> None:
        self.step.setText(self.tr("Maintenance"))
        self.title.setText(self.tr("Technician PIN"))
        self.instruction.setText(self.tr("Enter the maintenance PIN and press OK."))
        self.dots.setText("●" * len(self.entered_pin) or "—")
        auth = flow.auth
        if flow.pin_message == "locked" and auth is not None and auth.locked_for() <= 0:
            self.message.setText(self.tr("The pad is open again. Enter the PIN."))
            self._message_role("ok")  # good news, not an error (issue 25)
        elif flow.pin_message == "locked" and auth is not None:
            self.message.setText(
                self.tr("Too many wrong PINs. Try again in %d seconds.") % max(1, round(auth.locked_for()))
            )
        elif flow.pin_message == "wrong" and auth is not None:
            self.message.setText(
                self.tr("Wrong PIN. %d tries left before the pad locks.") % auth.tries_left()
            )
        elif flow.pin_message == "not_configured":
            self.message.setText(self.tr("No maintenance PIN is configured on this kiosk."))
        else:
            self.message.setText("")
        if not (flow.pin_message == "locked" and auth is not None and auth.locked_for() <= 0):
            self._message_role("error")
        self.cancel.setText(self.tr("Cancel"))

    def _message_role(self, role: str) -> None:
        if self.message.property("role") != role:
            self.message.setProperty("role", role)
            self.message.style().unpolish(self.message)
            self.message.style().polish(self.message)

    def left(self) -> None:
        self.entered_pin = ""


@screen(Screen.maintenance, shots={"17-maintenance": {}})
class MaintenanceScreen(ScreenBase):
    """The technician's sections; each shows its state in Vietnamese words and offers its actions. Issue 25:
    a staff call is cleared here, the paid copies that did not print are listed with a free reprint each,
    and on the simulated profile a training panel makes devices fail. Switching section clears the last
    section's output at once, and a late answer of another section is dropped."""

    SECTIONS = ("devices", "sync", "certificates", "disk", "logs", "staff_call", "uncollected", "training")
    MAX_ACTIONS = 10

    def __init__(self, host: Any) -> None:
        super().__init__(host)
        # Issue 25 walk W11: the sections, actions and output scroll (by wheel, bar or finger) inside the
        # screen, while "Leave maintenance" and "Close the program" stay in the footer, always on screen;
        # the text keeps the normal size in large-text mode (see apply_metrics).
        content = QWidget()
        row = QHBoxLayout(content)
        row.setContentsMargins(0, 0, 0, 0)
        menu = QVBoxLayout()
        self.section_buttons = {}
        for name in self.SECTIONS:
            button = make_button(on_click=functools.partial(self.show_section, name))
            button.setProperty("toggle", True)
            button.setCheckable(True)
            menu.addWidget(button)
            self.section_buttons[name] = button
        menu.addStretch(1)
        row.addLayout(menu, 1)
        right = QVBoxLayout()
        self.setProperty("compact", True)  # a technician's screen: more on it, smaller text
        self.actions_grid = QGridLayout()
        self.action_buttons = [make_button() for _ in range(self.MAX_ACTIONS)]
        for index, button in enumerate(self.action_buttons):
            button.clicked.connect(lambda _=False, i=index: self._action(i))
        self._action_columns = 0
        self._arrange_actions(2)
        right.addLayout(self.actions_grid)
        self.output = QPlainTextEdit()
        self.output.setReadOnly(True)
        self.output.setMinimumHeight(240)
        right.addWidget(self.output, 2)
        self.camera = ImageView()
        self.camera.setVisible(False)
        right.addWidget(self.camera, 2)
        row.addLayout(right, 3)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(content)
        QScroller.grabGesture(self.scroll_area.viewport(), QScroller.ScrollerGestureType.TouchGesture)
        self.body.addWidget(self.scroll_area, 1)
        self.close_app = make_button(on_click=host.quit_kiosk)
        self.close_app.setProperty("danger", True)
        self.exit = make_button(primary=True, on_click=self.flow.exit_maintenance)
        self.footer.addWidget(self.close_app)
        self.footer.addStretch(1)
        self.footer.addWidget(self.exit)
        self.section = "devices"
        self._actions: list[str] = []
        self._choices: tuple[tuple[str, str], ...] = ()  # offered by the last result (a reprint each)
        self._asked = 0  # the last request: an answer to an earlier one (another section) is dropped
        self._style_key: tuple[Any, ...] | None = None

    center_in_portrait = False  # the scrolling body takes the free height

    def _arrange_actions(self, columns: int) -> None:
        """The action buttons in `columns` columns (one on a narrow, tall screen)."""
        if columns == self._action_columns:
            return
        self._action_columns = columns
        for button in self.action_buttons:
            self.actions_grid.removeWidget(button)
        for index, button in enumerate(self.action_buttons):
            self.actions_grid.addWidget(button, index // columns, index % columns)

    def set_portrait(self, portrait: bool) -> None:
        super().set_portrait(portrait)
        self._arrange_actions(1 if portrait else 2)

    def apply_metrics(self, margin: int, spacing: int) -> None:
        """W11: a technician's screen keeps the normal text size when the citizen's large text is on (the
        window's own style sheet is replaced by one at the normal size, for this screen only)."""
        super().apply_metrics(margin, spacing)
        host = self.host
        large = bool(getattr(host, "large_text", False))
        width, height = (host.width(), host.height()) if host.width() > 200 else (1280, 800)
        high_contrast = bool(getattr(host, "high_contrast", False))
        key = (large, width, height, high_contrast)
        if key == self._style_key:
            return
        self._style_key = key
        if not large:
            self.setStyleSheet("")  # the window's style applies as it is
            return
        metrics = theme.metrics_for(width, height, large_text=False)
        self.setStyleSheet(theme.style_sheet(metrics, theme.HIGH_CONTRAST if high_contrast else theme.NORMAL))

    def _section_actions(self) -> list[tuple[str, str]]:
        if self.section == "devices":
            return [
                ("test_scan", self.tr("Test scan")),
                ("camera_preview", self.tr("Camera preview")),
                ("test_page", self.tr("Test page")),
                ("test_receipt", self.tr("Receipt test")),
            ]
        if self.section == "sync":
            return [("sync_now", self.tr("Sync now"))]
        if self.section == "staff_call":
            return [("clear_call", self.tr("Clear the staff call")), ("refresh", self.tr("Refresh"))]
        if self.section == "uncollected":
            return [("refresh", self.tr("Refresh")), *self._choices]
        if self.section == "training":
            return [
                ("fail:fail_a4_paper", self.tr("A4 printer: out of paper")),
                ("fail:fail_a4_jam", self.tr("A4 printer: paper jam")),
                ("fail:fail_a4_gone", self.tr("A4 printer: unplugged")),
                ("fail:fail_receipt_paper", self.tr("Receipt printer: out of paper")),
                ("fail:fail_camera_gone", self.tr("Camera: unplugged")),
                ("fail:fail_scanner_cover", self.tr("Scanner: cover open")),
                ("payer:payer_slow", self.tr("Payer: pays after 60 s")),
                ("payer:payer_refuses", self.tr("Payer: bank refuses")),
                ("payer:payer_never", self.tr("Payer: never pays")),
                ("normal", self.tr("All back to normal")),
            ]
        return [("refresh", self.tr("Refresh"))]

    def sections(self) -> tuple[str, ...]:
        """The training panel only where there is one (the simulated profile)."""
        maintenance = self.host.maintenance
        training = getattr(maintenance, "training", None) if maintenance is not None else None
        return tuple(name for name in self.SECTIONS if name != "training" or training is not None)

    def show_section(self, name: str) -> None:
        self.section = name
        self._choices = ()
        self.camera.setVisible(False)
        self.camera.clear()
        self.output.setPlainText(self.tr("Loading…"))  # the last section's output goes at once
        self.show_state(self.flow)
        self._ask("show")

    def _ask(self, action: str) -> None:
        self._asked += 1
        asked, section = self._asked, self.section
        maintenance = self.host.maintenance
        if maintenance is not None and hasattr(maintenance, "language"):
            maintenance.language = self.flow.visit.language  # W12: the results in the kiosk's language

        def answered(result: Any) -> None:
            if asked == self._asked and section == self.section:
                self._show_result(result)

        self.host.maintenance_action(section, action, answered)

    def _action(self, index: int) -> None:
        if index < len(self._actions):
            self.output.setPlainText(self.tr("Working…"))
            self._ask(self._actions[index])

    def _show_result(self, result: Any) -> None:
        text, image = result if isinstance(result, tuple) else (getattr(result, "text", result), None)
        image = getattr(result, "image", image)
        self.output.setPlainText(str(text))
        if isinstance(getattr(result, "choices", None), tuple):
            self._choices = result.choices
            self.show_state(self.flow)
        if image is not None:
            self.camera.set_image(bgr_to_qimage(image, 640))
            self.camera.setVisible(True)

    def show_state(self, flow: VisitFlow) -> None:
        self.step.setText(self.tr("Maintenance"))
        self.title.setText(self.tr("Kiosk maintenance"))
        self.instruction.setText(self.tr("Every action here is written to the audit log."))
        names = {
            "devices": self.tr("Devices"),
            "sync": self.tr("Sync"),
            "certificates": self.tr("Certificates"),
            "disk": self.tr("Disk space"),
            "logs": self.tr("Recent logs"),
            "staff_call": self.tr("Staff call"),
            "uncollected": self.tr("Paid, not printed"),
            "training": self.tr("Training"),
        }
        offered = self.sections()
        for name, button in self.section_buttons.items():
            button.setText(toggle_text(names[name], name == self.section))
            button.setChecked(name == self.section)
            button.setVisible(name in offered)
        actions = self._section_actions()[: self.MAX_ACTIONS]
        self._actions = [key for key, _ in actions]
        for index, button in enumerate(self.action_buttons):
            if index < len(actions):
                button.setText(actions[index][1])
                button.setVisible(True)
            else:
                button.setVisible(False)
        self.close_app.setText(self.tr("Close the program"))
        self.exit.setText(self.tr("Leave maintenance"))

    def entered(self) -> None:
        self.show_section("devices")

    def left(self) -> None:
        self.output.clear()
        self.camera.clear()
        self.camera.setVisible(False)
