"""Languages: English is the source text; every other language is one `ui/translations/kiosk_<code>.ts`,
compiled to `.qm` by `pyside6-lrelease` (see `compile_translations`). Adding a language is a new .ts file."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTranslator

log = logging.getLogger(__name__)

TRANSLATIONS_DIR = Path(__file__).with_name("translations")
SOURCE_LANGUAGE = "en"


def available_languages() -> list[str]:
    return [
        SOURCE_LANGUAGE,
        *sorted(p.stem.removeprefix("kiosk_") for p in TRANSLATIONS_DIR.glob("kiosk_*.ts")),
    ]


def lrelease_path() -> str | None:
    local = Path(sys.executable).with_name("pyside6-lrelease")
    return str(local) if local.exists() else shutil.which("pyside6-lrelease") or shutil.which("lrelease")


def compile_translations(out_dir: Path | None = None) -> list[Path]:
    """Compile every .ts to .qm (next to it, or into out_dir). Raises RuntimeError when lrelease fails."""
    tool = lrelease_path()
    if tool is None:
        raise RuntimeError("pyside6-lrelease not found (it ships with PySide6-Essentials)")
    made = []
    for ts in sorted(TRANSLATIONS_DIR.glob("kiosk_*.ts")):
        qm = (out_dir or ts.parent) / f"{ts.stem}.qm"
        result = subprocess.run(
            [tool, "-silent", str(ts), "-qm", str(qm)], capture_output=True, text=True, check=False
        )
        if result.returncode != 0 or not qm.is_file():
            raise RuntimeError(f"{ts.name}: lrelease failed: {result.stderr.strip()}")
        made.append(qm)
    return made


class Translations:
    """Installs the translator of the chosen language on the application; English removes it."""

    def __init__(self) -> None:
        self.language = SOURCE_LANGUAGE
        self._translator: QTranslator | None = None
        self._cache: dict[str, QTranslator] = {}

    def _load(self, language: str) -> QTranslator | None:
        if language in self._cache:
            return self._cache[language]
        qm = TRANSLATIONS_DIR / f"kiosk_{language}.qm"
        translator = QTranslator()
        if not qm.is_file() or not translator.load(str(qm)):
            log.error("no compiled translation for %r at %s; showing English", language, qm)
            return None
        self._cache[language] = translator
        return translator

    def install(self, language: str) -> None:
        app = QCoreApplication.instance()
        if app is None or language == self.language:
            return
        if self._translator is not None:
            app.removeTranslator(self._translator)
            self._translator = None
        if language != SOURCE_LANGUAGE:
            self._translator = self._load(language)
            if self._translator is not None:
                app.installTranslator(self._translator)
        self.language = language
