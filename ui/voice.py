"""Voice prompts through espeak-ng, started as a child process so the GUI thread never waits for speech."""

from __future__ import annotations

import logging
import shutil

import shiboken6
from PySide6.QtCore import QObject, QProcess

log = logging.getLogger(__name__)

VOICES = {"vi": "vi", "en": "en-gb"}
# A pace an elderly citizen can follow (issue 25): espeak-ng's default is 175 words a minute with no pause
# between words; the kiosk speaks at 125 with a 60 ms gap, and a sentence's end gets espeak's full stop.
WORDS_PER_MINUTE = 125
WORD_GAP_10MS = 6


class Voice(QObject):
    """Speaks one prompt at a time; a new prompt cuts the previous one short."""

    def __init__(self, command: str = "espeak-ng", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.command = shutil.which(command)
        self.enabled = False
        self.spoken: list[tuple[str, str]] = []  # (language, text), for tests and diagnostics
        self._process: QProcess | None = None
        if self.command is None:
            log.warning("voice prompts unavailable: %s not found", command)

    @property
    def available(self) -> bool:
        return self.command is not None

    def say(self, text: str, language: str) -> None:
        if not self.enabled or not text.strip():
            return
        self.spoken.append((language, text))
        if self.command is None:
            return
        self.stop()
        process = QProcess(self)
        process.setProgram(self.command)
        process.setArguments(self.arguments(text, language))
        process.finished.connect(lambda *_: self._finished(process))
        process.errorOccurred.connect(lambda err: log.warning("espeak-ng failed: %s", err))
        process.start()
        self._process = process

    @staticmethod
    def arguments(text: str, language: str) -> list[str]:
        """espeak-ng's arguments: the language's voice, the unhurried pace, then the text."""
        voice = VOICES.get(language, language)
        return ["-v", voice, "-s", str(WORDS_PER_MINUTE), "-g", str(WORD_GAP_10MS), "--", text]

    def _finished(self, process: QProcess) -> None:
        if process is not self._process and shiboken6.isValid(process):
            process.deleteLater()

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or not shiboken6.isValid(process):
            return
        if process.state() != QProcess.ProcessState.NotRunning:
            process.kill()
            process.waitForFinished(200)
        process.deleteLater()
