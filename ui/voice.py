"""Voice prompts through espeak-ng, started as a child process so the GUI thread never waits for speech.

What a screen says is all its visible text in reading order, each piece ending a sentence (`screen_text`),
so espeak pauses between a title and its instruction instead of running them together. Prompts have two
priorities (issue 25): a new screen, a dialog or the idle countdown cuts whatever is being said (`say`);
anything that appears on the same screen (a hint, a liveness step, a result, "page 2 scanned") waits for
the prompt being said and is spoken after it (`queue`), so an elderly citizen hears every instruction whole.
"""

from __future__ import annotations

import html
import logging
import re
import shutil
import unicodedata
from collections.abc import Iterable

import shiboken6
from PySide6.QtCore import QObject, QProcess, Qt
from PySide6.QtWidgets import QLabel, QLayout, QWidget

log = logging.getLogger(__name__)

VOICES = {"vi": "vi", "en": "en-gb"}
SPOKEN_KEPT = 400  # prompts kept in `Voice.spoken` (a kiosk runs for weeks)
# A pace an elderly citizen can follow (issue 25): espeak-ng's default is 175 words a minute with no pause
# between words; the kiosk speaks at 125 with a 60 ms gap, and a sentence's end gets espeak's full stop.
WORDS_PER_MINUTE = 125
WORD_GAP_10MS = 6
# Marks drawn for the eye (a passed step, the current step, a toggle's state, an hourglass) that espeak
# would read out: arrows, bullets and every "other symbol" (emoji, check marks, shapes).
VISUAL_MARKS = re.compile(r"[•→←]")
SENTENCE_END = re.compile(r"[.!?…:;]$")
SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])\s+")
CUT_PROPERTY = "cut_on_purpose"


def clean(text: str) -> str:
    """`text` as espeak should read it: no markup, no visual marks, one space between words."""
    plain = html.unescape(re.sub(r"<[^>]+>", " ", text))
    plain = "".join(" " if unicodedata.category(c) == "So" else c for c in VISUAL_MARKS.sub(" ", plain))
    return " ".join(plain.split())


def sentences(parts: Iterable[str]) -> str:
    """The pieces of text as one prompt, each ending a sentence (a title gets its full stop, and so does
    each line of a piece written on several lines)."""
    out = []
    for part in parts:
        for line in part.splitlines():
            text = clean(line)
            if text:
                out.append(text if SENTENCE_END.search(text) else f"{text}.")
    return " ".join(out)


def split_sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_SPLIT.split(clean(text)) if s]


def _labels_in_layout(layout: QLayout, seen: dict[int, QWidget]) -> None:
    for index in range(layout.count()):
        item = layout.itemAt(index)
        if item is None:
            continue
        if (child := item.widget()) is not None:
            _labels_in(child, seen)
        elif (inner := item.layout()) is not None:
            _labels_in_layout(inner, seen)


def _labels_in(widget: QWidget, seen: dict[int, QWidget]) -> None:
    if id(widget) in seen:
        return
    seen[id(widget)] = widget  # (a dict keeps the order the widgets were met in)
    if (layout := widget.layout()) is not None:
        _labels_in_layout(layout, seen)
    # then its children outside any layout (a scroll area's page, a badge over a picture)
    for child in widget.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
        _labels_in(child, seen)


def visible_texts(root: QWidget, skip: Iterable[QWidget | None] = ()) -> list[str]:
    """The texts of `root`'s visible labels in reading order (the order of its layouts: top to bottom,
    left to right), without the widgets in `skip` (a countdown that changes every second)."""
    order: dict[int, QWidget] = {}
    _labels_in(root, order)
    skipped = {id(w) for w in skip if w is not None}
    texts = []
    for widget in order.values():
        if not isinstance(widget, QLabel) or not widget.isVisibleTo(root) or id(widget) in skipped:
            continue
        if any(id(parent) in skipped for parent in _parents(widget, root)):
            continue
        text = re.sub(r"<br\s*/?>", "\n", widget.text())  # a line break in rich text ends a line too
        if clean(text):
            texts.append(text)
    return texts


def _parents(widget: QWidget, root: QWidget) -> Iterable[QWidget]:
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        yield parent
        parent = parent.parentWidget()


def screen_text(root: QWidget, skip: Iterable[QWidget | None] = ()) -> str:
    """What the voice says for `root`: all its visible text in reading order, as sentences."""
    return sentences(visible_texts(root, skip))


class Voice(QObject):
    """Speaks one prompt at a time: `say` cuts what is being said (a new screen), `queue` waits for it."""

    def __init__(self, command: str = "espeak-ng", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.command = shutil.which(command)
        self.enabled = False
        self.spoken: list[tuple[str, str]] = []  # (language, text) as asked, for tests and diagnostics
        self._process: QProcess | None = None
        self._current: tuple[str, str, str] | None = None  # (language, text, kind)
        self._waiting: list[tuple[str, str, str]] = []
        if self.command is None:
            log.warning("voice prompts unavailable: %s not found", command)

    @property
    def available(self) -> bool:
        return self.command is not None

    @property
    def speaking(self) -> bool:
        """Whether a prompt is being said or waits to be."""
        return self._current is not None or bool(self._waiting)

    def _asked(self, language: str, text: str) -> None:
        self.spoken.append((language, text))
        if len(self.spoken) > SPOKEN_KEPT:
            del self.spoken[: SPOKEN_KEPT // 2]

    def say(self, text: str, language: str) -> None:
        """Say `text` now, cutting what was being said and dropping what waited (a new screen)."""
        if not self.enabled or not text.strip():
            return
        self._asked(language, text)
        self.stop()
        self._start(language, text)

    def queue(self, text: str, language: str, *, replaces: str = "") -> None:
        """Say `text` once what is being said has been said (a hint, a step, a result on the same screen).
        A sentence already being said or waiting is not said twice; a prompt queued with `replaces` takes
        the place of the one of the same kind still waiting (what a screen shows now, not each keystroke)."""
        if not self.enabled or not text.strip():
            return
        if replaces:
            self._waiting = [item for item in self._waiting if item[2] != replaces]
        pending = [
            s
            for _lang, t, _kind in ([self._current] if self._current else []) + self._waiting
            for s in split_sentences(t)
        ]
        new = [s for s in split_sentences(text) if s not in pending]
        if not new:
            return
        text = " ".join(new)
        self._asked(language, text)
        if self._current is None:
            self._start(language, text)
        else:
            self._waiting.append((language, text, replaces))

    @staticmethod
    def arguments(text: str, language: str) -> list[str]:
        """espeak-ng's arguments: the language's voice, the unhurried pace, then the text."""
        voice = VOICES.get(language, language)
        return ["-v", voice, "-s", str(WORDS_PER_MINUTE), "-g", str(WORD_GAP_10MS), "--", text]

    def _start(self, language: str, text: str, kind: str = "") -> None:
        self._current = (language, text, kind)
        if self.command is None:
            self._current = None  # nothing to wait for: what waits is "said" at once
            self._next()
            return
        done = self._process
        if done is not None and shiboken6.isValid(done) and done.state() == QProcess.ProcessState.NotRunning:
            done.deleteLater()
        process = QProcess(self)
        process.setProgram(self.command)
        process.setArguments(self.arguments(text, language))
        process.finished.connect(lambda *_: self._finished(process))
        process.errorOccurred.connect(lambda error: self._failed(process, error))
        self._process = process
        process.start()

    def _failed(self, process: QProcess, error: QProcess.ProcessError) -> None:
        if shiboken6.isValid(process) and process.property(CUT_PROPERTY):
            return  # a prompt cut short on purpose (a new screen) is not a failure
        log.warning("espeak-ng failed: %s", error)
        if error == QProcess.ProcessError.FailedToStart and process is self._process:
            self._finished(process)  # no `finished` comes: go on with what waits

    def _finished(self, process: QProcess) -> None:
        if process is self._process:
            self._current = None  # the last process is kept (for diagnostics) until the next one starts
            self._next()
        elif shiboken6.isValid(process):
            process.deleteLater()

    def _next(self) -> None:
        if self._waiting and self.enabled:
            self._start(*self._waiting.pop(0))

    def stop(self) -> None:
        """Cut what is being said and drop what waits (never waits for the child process)."""
        self._waiting.clear()
        process, self._process, self._current = self._process, None, None
        if process is None or not shiboken6.isValid(process):
            return
        if process.state() != QProcess.ProcessState.NotRunning:
            process.setProperty(CUT_PROPERTY, True)
            process.kill()  # `finished` follows and deletes it
        else:
            process.deleteLater()
