"""reportlab's modules, loaded on first use.

Importing reportlab's canvas (with its PDF document, font metrics and colours) costs about 40 ms; ``kiosk
run`` imports ``signing.certify`` before its attract screen, and only a copy being rendered needs them.
Each provider imports its module or class when first called (the first certified copy rendered); the
types come from ``TYPE_CHECKING`` imports (reportlab has no type hints, so they are ``Any`` to mypy).
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reportlab.pdfbase.ttfonts import TTFont

# reportlab.lib.units.mm, a plain number: the layout's constants are in millimetres at import time.
mm = 72 / 25.4


def reportlab_canvas() -> ModuleType:
    """reportlab's PDF canvas (``reportlab.pdfgen.canvas``: Canvas)."""
    from reportlab.pdfgen import (
        canvas,  # heavy: ~40 ms with all of reportlab's PDF layer; first copy rendered
    )

    return canvas


def pdfdoc() -> ModuleType:
    """reportlab's PDF document objects (``reportlab.pdfbase.pdfdoc``: PDFImageXObject, xObjectName)."""
    from reportlab.pdfbase import pdfdoc  # heavy: reportlab's PDF layer; loaded on the first copy rendered

    return pdfdoc


def pdfmetrics() -> ModuleType:
    """reportlab's font registry and text widths (``reportlab.pdfbase.pdfmetrics``)."""
    from reportlab.pdfbase import (
        pdfmetrics,  # heavy: reportlab's font layer; loaded on the first copy rendered
    )

    return pdfmetrics


def ttfont_class() -> type[TTFont]:
    """reportlab's TrueType font (the embedded DejaVu Sans subsets)."""
    from reportlab.pdfbase.ttfonts import TTFont  # heavy: reportlab's font layer; first copy rendered

    return TTFont


def colors() -> ModuleType:
    """reportlab's colours (``reportlab.lib.colors``: Color, black, white)."""
    from reportlab.lib import colors  # heavy: part of reportlab; loaded on the first copy rendered

    return colors
