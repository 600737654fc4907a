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
    """Installs the translator of the chosen language on the application; English removes it.

    The installed translator is application-wide, so its state is kept on the class: two windows in one
    process (tests, screenshots) never leave a stale translator behind.
    """

    _installed: QTranslator | None = None
    _language: str = SOURCE_LANGUAGE
    _cache: dict[str, QTranslator] = {}  # noqa: RUF012 (shared on purpose, see above)

    @property
    def language(self) -> str:
        return Translations._language

    @classmethod
    def _load(cls, language: str) -> QTranslator | None:
        if language in cls._cache:
            return cls._cache[language]
        qm = TRANSLATIONS_DIR / f"kiosk_{language}.qm"
        translator = QTranslator()
        if not qm.is_file() or not translator.load(str(qm)):
            log.error("no compiled translation for %r at %s; showing English", language, qm)
            return None
        cls._cache[language] = translator
        return translator

    def install(self, language: str) -> None:
        app = QCoreApplication.instance()
        if app is None or language == Translations._language:
            return
        if Translations._installed is not None:
            app.removeTranslator(Translations._installed)
            Translations._installed = None
        if language != SOURCE_LANGUAGE:
            translator = self._load(language)
            if translator is not None:
                app.installTranslator(translator)
                Translations._installed = translator
        Translations._language = language
