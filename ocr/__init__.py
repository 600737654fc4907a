"""OCR for scanned Vietnamese documents: preprocessing, quality gate, Tesseract, classification, fields.

Public API (see the contracts): ImageError, load_image, Word, PageQuality, PageResult, DocumentResult,
OcrEngine, DOC_TYPES, classify, extract_fields, document_marks (``seal`` and ``signature``, "present" or
"absent", from the pages' colour), flatten_photo (ocr.perspective: a phone photo of a page made into a flat
scan, RGB in, RGB out).
"""

from ocr.classify import DOC_TYPES, classify
from ocr.doctypes import extract_fields
from ocr.engine import DocumentResult, OcrEngine, PageResult, Word, document_marks
from ocr.errors import ImageError, OcrUnavailable
from ocr.images import load_image
from ocr.perspective import flatten_photo
from ocr.quality import PageQuality

__all__ = [
    "DOC_TYPES",
    "DocumentResult",
    "ImageError",
    "OcrEngine",
    "OcrUnavailable",
    "PageQuality",
    "PageResult",
    "Word",
    "classify",
    "document_marks",
    "extract_fields",
    "flatten_photo",
    "load_image",
]
