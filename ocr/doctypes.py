"""The document types the kiosk tells apart: one entry per type, in one place.

Each `DocType` holds what the OCR side needs to know about a kind of paper: its key (the `doc_type` of
the record, the seal and the CLI's JSON), its English title (the source text the screens translate), the
weighted key phrases the classifier looks for (regexes on folded text: no accents, lower case), an
optional veto phrase, and the extractor of its key fields (`ocr.fields`). Adding a type is one entry here,
its sample builder (`kiosk.samples.contents.BUILDERS`) and its title's translation (the .ts files);
tests/ocr/test_doctypes.py checks that none is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ocr import fields
from ocr.fields import Lines


@dataclass(frozen=True)
class DocType:
    key: str
    title: str  # English; ui/messages.py and the .ts files translate it
    # (regex on folded text, weight): title phrases weigh >= 6 and count double near the top of the page
    phrases: tuple[tuple[str, float], ...]
    fields: Callable[[Lines], dict[str, str]]
    veto: str = ""  # a phrase that rules this type out: it names a different paper sharing its words


REGISTRY: tuple[DocType, ...] = (
    DocType(
        "birth_certificate",
        "Birth certificate",
        (
            (r"giay khai sinh", 6),
            (r"trich luc khai sinh", 6),
            (r"ban sao giay khai sinh", 6),
            (r"birth certificate", 6),
            (r"dang ky khai sinh", 2),
            (r"nguoi me", 1),
            (r"nguoi cha", 1),
            (r"noi sinh", 1),
        ),
        fields.birth_fields,
    ),
    DocType(
        "marriage_certificate",
        "Marriage certificate",
        (
            (r"chung nhan ket hon", 7),
            (r"giay dang ky ket hon", 6),
            (r"marriage certificate", 6),
            (r"dang ky ket hon", 3),
            (r"ben chong|nguoi chong|thong tin.{0,6}chong", 2),
            (r"ben vo|nguoi vo|thong tin.{0,6}\bvo\b", 2),
        ),
        fields.marriage_fields,
        veto=r"tinh trang hon nhan",
    ),
    DocType(
        "diploma",
        "Diploma",
        (
            (r"bang tot nghiep", 7),
            (r"bang cu nhan|bang ky su|bang thac si|bang tien si", 7),
            (r"van bang", 2),
            (r"so hieu", 2),
            (r"xep loai", 2),
            (r"nam tot nghiep|hinh thuc dao tao|nganh", 1),
        ),
        fields.diploma_fields,
    ),
    DocType(
        "residence_confirmation",
        "Residence confirmation",
        (
            (r"thong tin ve cu tru", 7),
            (r"xac nhan cu tru", 7),
            (r"xac nhan thong tin cu tru", 7),
            (r"noi thuong tru", 2),
            (r"noi o hien tai|noi tam tru", 2),
            (r"quan he voi chu ho|chu ho", 2),
        ),
        fields.residence_fields,
    ),
    DocType(
        "land_use_certificate",
        "Land use right certificate",
        (
            (r"quyen su dung dat", 7),
            (r"gan lien voi dat", 4),
            (r"thua dat so", 3),
            (r"to ban do so", 3),
            (r"muc dich su dung|thoi han su dung|hinh thuc su dung", 1),
        ),
        fields.land_use_fields,
    ),
    DocType(
        "id_card",
        "Identity card",
        (
            (r"can cuoc cong dan", 7),
            (r"chung minh nhan dan", 7),
            (r"citizen identity|identity card", 6),
            (r"\bcan cuoc\b", 3),
            (r"date of birth|full name|date of expiry|place of origin|personal identification", 1.5),
            (r"co gia tri den", 1.5),
            (r"dac diem nhan dang", 2),
        ),
        fields.id_card_fields,
    ),
    DocType(
        "other",
        "Other document",
        (),  # what no other type claims
        fields.common_fields,
    ),
)
DOC_TYPES: tuple[str, ...] = tuple(kind.key for kind in REGISTRY)
_BY_KEY = {kind.key: kind for kind in REGISTRY}


def doc_type_of(key: str) -> DocType | None:
    return _BY_KEY.get(key)


def extract_fields(doc_type: str, text: str) -> dict[str, str]:
    """The key fields of a document of `doc_type` found in its OCR text (dates ISO, names in capitals).

    Keys (present only when found): every type but the ID card ``document_number``, ``issue_date``,
    ``issuing_authority``; then each type's own (see its extractor in `ocr.fields`). An unknown type gets
    the fields every paper carries.
    """
    kind = _BY_KEY.get(doc_type)
    extract = kind.fields if kind is not None else fields.common_fields
    return extract(fields.lines_of(text))
