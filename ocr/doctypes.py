"""The document types the kiosk tells apart: one entry per type, in one place.

Each `DocType` holds what the OCR side needs to know about a kind of paper: its key (the `doc_type` of
the record, the seal and the CLI's JSON), its English title (the source text the screens translate), the
weighted key phrases the classifier looks for (regexes on folded text: no accents, lower case), an
optional veto phrase, and the extractor of its key fields (`ocr.fields`). Adding a type is one entry here,
the key fields its certified copy's seal carries (``key_fields``: what a forger changes and a checker
compares; ``read_key_fields``), its sample builder (`kiosk.samples.contents.BUILDERS`) and its title's translation (the .ts files);
tests/ocr/test_doctypes.py checks that none is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ocr import fields
from ocr.fields import Lines
from ocr.key_fields import extra_key_fields


@dataclass(frozen=True)
class DocType:
    key: str
    title: str  # English; ui/messages.py and the .ts files translate it
    # (regex on folded text, weight): title phrases weigh >= 6 and count double near the top of the page
    phrases: tuple[tuple[str, float], ...]
    fields: Callable[[Lines], dict[str, str]]
    veto: str = ""  # a phrase that rules this type out: it names a different paper sharing its words
    # The fields the seal of a certified copy carries, in the order a checker reads them (names in
    # signing.seal_fields; the subject's, never the requester's).
    key_fields: tuple[str, ...] = ("document_number", "issue_date")


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
        key_fields=(
            "full_name",
            "date_of_birth",
            "sex",
            "ethnicity",
            "place_of_birth",
            "id_number",
            "mother_name",
            "father_name",
            "document_number",
            "issue_date",
        ),
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
        key_fields=(
            "husband_name",
            "husband_date_of_birth",
            "husband_id_number",
            "wife_name",
            "wife_date_of_birth",
            "wife_id_number",
            "document_number",
            "issue_date",
        ),
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
        key_fields=(
            "full_name",
            "date_of_birth",
            "classification",
            "graduation_year",
            "document_number",
            "issue_date",
        ),
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
        key_fields=(
            "full_name",
            "date_of_birth",
            "sex",
            "id_number",
            "permanent_address",
            "document_number",
            "issue_date",
        ),
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
        key_fields=(
            "full_name",
            "id_number",
            "parcel_number",
            "map_sheet",
            "area",
            "address",
            "document_number",
            "issue_date",
        ),
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
        key_fields=("id_number", "full_name", "date_of_birth", "sex", "date_of_expiry"),
    ),
    DocType(
        "other",
        "Other document",
        (),  # what no other type claims
        fields.common_fields,
        key_fields=("document_number", "issue_date", "name_1", "name_2", "name_3"),
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


def read_key_fields(doc_type: str, text: str) -> dict[str, str]:
    """The key fields of a ``doc_type`` paper found in its OCR text, in the type's ``key_fields`` order
    (present only when found): what the seal of its certified copy carries, and what a checker's re-read of
    the printed page is compared with."""
    kind = _BY_KEY.get(doc_type) or _BY_KEY["other"]
    lines = fields.lines_of(text)
    found = kind.fields(lines)
    found.update(extra_key_fields(kind.key, lines))
    return {key: found[key] for key in kind.key_fields if found.get(key)}
