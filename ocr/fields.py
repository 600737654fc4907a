"""Field extraction per document type: names, ISO dates, 12-digit ID numbers, document number, authority.

Labels are matched on folded text (no diacritics, lower case) whose characters line up one to one with
the OCR text, so a label read with a wrong accent still matches while the value keeps its accents.
Keys (present only when found):

* every type: ``document_number``, ``issue_date``, ``issuing_authority``
* birth_certificate: ``full_name``, ``date_of_birth``, ``sex``, ``id_number``, ``mother_name``, ``father_name``
* marriage_certificate: ``husband_name``, ``husband_date_of_birth``, ``husband_id_number``, and ``wife_...``
* diploma: ``full_name``, ``date_of_birth``
* residence_confirmation: ``full_name``, ``date_of_birth``, ``sex``, ``id_number``
* land_use_certificate: ``full_name``, ``id_number``, ``parcel_number``, ``map_sheet``
* id_card: ``id_number``, ``full_name``, ``date_of_birth``, ``sex``, ``date_of_expiry``
"""

from __future__ import annotations

import re
from datetime import date

from ocr.text import fold, nfc

_DIGIT_FIX = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1", "S": "5",
                            "B": "8", "Z": "2", "§": "8"})  # fmt: skip
_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?!\d)")
_DATE_WORDS = re.compile(r"ngay\s*(\S{1,2})\s*thang\s*(\S{1,2})\s*nam\s*(\S{4})")
# Letters OCR puts for digits (folded: lower case, no marks); applied only where digits must stand.
_FOLDED_DIGIT_FIX = str.maketrans({"o": "0", "d": "0", "q": "0", "i": "1", "l": "1", "|": "1", "t": "1", "!": "1",
                                   "z": "2", "s": "5", "b": "8", "g": "9", "§": "8"})  # fmt: skip
_NAME_STOP = re.compile(r"\s{2,}|,|;|\bsinh\b|\bngay\b|\bnam sinh\b|\bgioi tinh\b", re.IGNORECASE)
_MOTTO = (r"cong hoa xa hoi chu nghia viet nam", r"doc lap\s*-?\s*tu do\s*-?\s*hanh phuc")
_AUTHORITY_HEADS = (
    "uy ban nhan dan", "cong an", "so ", "truong ", "bo ", "cuc ", "van phong", "chi nhanh", "dai hoc",
    "toa an", "phong ",
)  # fmt: skip
_TITLE_STARTS = (
    "giay", "trich luc", "bang ", "xac nhan", "quyet dinh", "thong bao", "bien ban", "can cuoc", "hop dong",
    "don ", "to khai", "chung nhan",
)  # fmt: skip


def iso_date(day: str | int, month: str | int, year: str | int) -> str | None:
    if isinstance(day, str):
        day, month, year = (str(part).translate(_FOLDED_DIGIT_FIX) for part in (day, month, year))
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def find_dates(text: str) -> list[str]:
    """Every dd/mm/yyyy (or 'ngày d tháng m năm yyyy') date in the text, as ISO, in order."""
    folded = fold(text)
    found: list[tuple[int, str]] = []
    for m in _DATE.finditer(folded):
        if value := iso_date(*m.groups()):
            found.append((m.start(), value))
    for m in _DATE_WORDS.finditer(folded):
        if value := iso_date(*m.groups()):
            found.append((m.start(), value))
    return [v for _, v in sorted(found)]


def lines_of(text: str) -> list[tuple[str, str]]:
    """(original, folded) pairs of the non-empty lines."""
    out = []
    for raw in nfc(text).splitlines():
        line = raw.strip()
        if line:
            out.append((line, fold(line)))
    return out


def _after(lines: list[tuple[str, str]], label: str, start: int = 0, stop: int | None = None) -> str | None:
    """The text after `label` (a regex on folded text, up to its colon) on the first line that has it.

    A space in `label` matches any run of spaces or none: OCR drops the space between two words of a
    label on a low-resolution photo ("Giớitính:Nữ")."""
    pattern = re.compile(r"(?:" + label.replace(" ", r"\s*") + r")\s*[:;.]?\s*")
    for original, folded in lines[start:stop]:
        m = pattern.search(folded)
        if m:
            value = original[m.end() :].strip()
            if value:
                return value
    return None


def _clean_name(value: str | None) -> str | None:
    if not value:
        return None
    value = _NAME_STOP.split(value, maxsplit=1)[0]
    words = [re.sub(r"[^\w]", "", w) for w in value.split()]
    words = [w for w in words if w and not any(ch.isdigit() or ch == "_" for ch in w)]
    if len(words) < 2:
        return None
    return " ".join(words[:6]).upper()


def _date_in(value: str | None) -> str | None:
    """The first date in a labelled value; digits misread as letters or split by a space are mended."""
    if not value:
        return None
    dates = find_dates(value)
    if not dates:
        head = fold(value)[:16]
        mended = re.sub(r"(?<=[\dil|o])\s+(?=[\dil|o/])", "", head).translate(_FOLDED_DIGIT_FIX)
        dates = find_dates(mended)
    return dates[0] if dates else None


def _id_in(value: str | None) -> str | None:
    if not value:
        return None
    fixed = value.translate(_DIGIT_FIX)
    m = re.search(r"(?<!\d)((?:\d[ .]?){11}\d)(?!\d)", fixed)
    return re.sub(r"\D", "", m.group(1)) if m else None


def _sex(value: str | None) -> str | None:
    if not value:
        return None
    folded = fold(value)
    if re.match(r"\s*nu(?![a-z])", folded):
        return "Nữ"
    if re.match(r"\s*nam(?![a-z])", folded):
        return "Nam"
    return None


def _token(value: str | None) -> str | None:
    if not value:
        return None
    return value.split()[0].strip(".,;") or None


# "337/KS" read as "337IKS" on a low-resolution photo: a slash between the digits and the register's letters
# read as I, l or |. Only digits before it and capitals after, so no real number is bent into this shape.
_SLASH_READ_AS_LETTER = re.compile(r"^(\d{1,6})[Il|]([A-ZĐ]{1,6}(?:-[A-ZĐ]{1,6})*)$")


def _number(value: str | None) -> str | None:
    """A document number like "101/ĐKKH": the part before the slash must be digits, so fix misreads."""
    token = _token(value)
    if not token:
        return None
    if "/" not in token and (m := _SLASH_READ_AS_LETTER.match(token)):
        token = f"{m.group(1)}/{m.group(2)}"
    head, slash, tail = token.partition("/")
    if slash and any(ch.isdigit() for ch in head) and all(ch.isdigit() or ch in "OoIl|SZB" for ch in head):
        head = head.translate(_DIGIT_FIX)
    return head + slash + tail


def _document_number(lines: list[tuple[str, str]]) -> str | None:
    for label in (r"(?:^|\s)so hieu", r"so vao so cap gcn", r"(?:^|\s)so(?=\s*:)"):
        value = _number(_after(lines, label))
        if value:
            return value
    return None


def _issue_date(lines: list[tuple[str, str]]) -> str | None:
    for _, folded in lines:
        for m in _DATE_WORDS.finditer(folded):
            # "Hà Nội, ngày 8 tháng 10 năm 2017" (labels such as "Ngày, tháng, năm sinh" hold no date)
            if value := iso_date(*m.groups()):
                return value
    for original, folded in lines:
        if re.search(r"date, month, year|ngay cap|ngay, thang, nam\s*/", folded):
            return _date_in(original)
    return None


def _issuing_authority(lines: list[tuple[str, str]]) -> str | None:
    header: list[str] = []
    for original, folded in lines[:8]:
        text, ftext = original, folded
        for motto in _MOTTO:
            m = re.search(motto, ftext)
            if m:
                text, ftext = text[: m.start()] + text[m.end() :], ftext[: m.start()] + ftext[m.end() :]
        text, ftext = text.strip(" -_"), ftext.strip(" -_")
        if not ftext:
            continue
        if ftext.startswith(_TITLE_STARTS) or re.match(r"so\s*[:;]", ftext):
            break
        letters = [ch for ch in text if ch.isalpha()]
        if not letters or sum(ch.isupper() for ch in letters) < 0.8 * len(letters):
            break
        header.append(text)
    start = None
    for i, line in enumerate(header):
        if fold(line).startswith(_AUTHORITY_HEADS):
            start = i
    if start is None:
        return None
    return _best_spelling(" ".join(" ".join(header[start:]).split()), lines)


def _marks(text: str) -> int:
    return sum(1 for ch in text if ord(ch) > 127)


def _best_spelling(value: str, lines: list[tuple[str, str]]) -> str:
    """`value` (capitals) spelled as elsewhere in the document when OCR kept more diacritics there.

    Capitals lose their marks most often; the authority's name usually recurs in the body in lower
    case ("Ủy ban nhân dân Phường Bến Nghé"), where the marks survive.
    """
    words = value.split()
    for size in range(len(words), 1, -1):
        for begin in range(len(words) - size + 1):
            target = fold(" ".join(words[begin : begin + size]))
            pattern = re.compile(r"(?<!\w)" + re.escape(target) + r"(?!\w)")
            best = " ".join(words[begin : begin + size])
            for original, folded in lines:
                joined_o, joined_f = " ".join(original.split()), " ".join(folded.split())
                for m in pattern.finditer(joined_f):
                    candidate = joined_o[m.start() : m.end()]
                    if _marks(candidate) > _marks(best):
                        best = candidate
            current = " ".join(words[begin : begin + size])
            if fold(best) == target and best.upper() != current and _marks(best) > _marks(current):
                words[begin : begin + size] = best.upper().split()
                return " ".join(words)
    return value


# The person's own name: "Họ và tên", "Họ, chữ đệm và tên", "Họ tên", also with "Họ" misread ("Hlo và tên",
# "Flo và tên": any short word before "và tên"), never a parent's ("Họ và tên người mẹ"), which a misread
# label of the person's own line would otherwise fall to.
_HOLDER_NAME = (
    r"(?:h\S?o[,.]? (?:chu dem[,.]? )?(?:va )?ten|(?<!\S)\S{1,3}[,.]? (?:chu dem[,.]? )?va ten)"
    r"(?! (?:cua )?(?:nguoi )?(?:me|cha)\b)"
)


def _person(lines: list[tuple[str, str]], start: int, stop: int | None) -> dict[str, str]:
    out: dict[str, str] = {}
    if name := _clean_name(_after(lines, _HOLDER_NAME, start, stop)):
        out["name"] = name
    if dob := _date_in(_after(lines, r"ngay[,.]? thang[,.]? nam sinh|ngay sinh", start, stop)):
        out["date_of_birth"] = dob
    if idn := _id_in(
        _after(lines, r"so dinh danh ca nhan|so cccd|cccd so|can cuoc cong dan so", start, stop)
    ):
        out["id_number"] = idn
    return out


Lines = list[tuple[str, str]]


def _put(fields: dict[str, str], key: str, value: str | None) -> None:
    if value:
        fields[key] = value


def common_fields(lines: Lines) -> dict[str, str]:
    """What every paper but the ID card carries: its number, its date, who issued it."""
    fields: dict[str, str] = {}
    _put(fields, "document_number", _document_number(lines))
    _put(fields, "issue_date", _issue_date(lines))
    _put(fields, "issuing_authority", _issuing_authority(lines))
    return fields


def _holder(lines: Lines) -> dict[str, str]:
    person = _person(lines, 0, None)
    ids = set(re.findall(r"(?<!\d)\d{12}(?!\d)", " ".join(o for o, _ in lines)))
    if "id_number" not in person and len(ids) == 1:  # the label was misread, the number was not
        person["id_number"] = ids.pop()
    return person


def id_card_fields(lines: Lines) -> dict[str, str]:
    fields: dict[str, str] = {}
    _put(fields, "id_number", _id_in(_after(lines, r"so\s*/\s*no\.?|so cccd|\bno\.")))
    name_value = _after(lines, r"ho (?:va )?ten\s*/\s*full name")
    if not name_value:
        for i, (_, folded) in enumerate(lines):
            if "full name" in folded and i + 1 < len(lines):
                name_value = lines[i + 1][0]
                break
    _put(fields, "full_name", _clean_name(name_value))
    _put(fields, "date_of_birth", _date_in(_after(lines, r"date of birth|ngay sinh")))
    _put(fields, "sex", _sex(_after(lines, r"gioi tinh\s*/?\s*sex|\bsex|gioi tinh")))
    _put(fields, "date_of_expiry", _date_in(_after(lines, r"co gia tri den|date of expiry")))
    _put(fields, "issue_date", _issue_date(lines))
    return fields


def marriage_fields(lines: Lines) -> dict[str, str]:
    fields = common_fields(lines)
    split = None
    for i, (_, folded) in enumerate(lines):
        if re.search(r"^(?:thong tin (?:nguoi )?|ben |nguoi )?vo\s*:?\s*$", folded):
            split = i
            break
    husband = _person(lines, 0, split)
    wife = _person(lines, split, None) if split is not None else {}
    for key, value in husband.items():
        fields[f"husband_{key}"] = value
    for key, value in wife.items():
        fields[f"wife_{key}"] = value
    return fields


def birth_fields(lines: Lines) -> dict[str, str]:
    fields = residence_fields(lines)
    _put(fields, "mother_name", _clean_name(_after(lines, r"ten (?:cua )?(?:nguoi )?me|ho ten me")))
    _put(fields, "father_name", _clean_name(_after(lines, r"ten (?:cua )?(?:nguoi )?cha|ho ten cha")))
    return fields


def diploma_fields(lines: Lines) -> dict[str, str]:
    fields = common_fields(lines)
    person = _holder(lines)
    _put(fields, "full_name", person.get("name"))
    _put(fields, "date_of_birth", person.get("date_of_birth"))
    return fields


def residence_fields(lines: Lines) -> dict[str, str]:
    fields = diploma_fields(lines)
    _put(fields, "sex", _sex(_after(lines, r"gioi tinh")))
    _put(fields, "id_number", _holder(lines).get("id_number"))
    return fields


def land_use_fields(lines: Lines) -> dict[str, str]:
    fields = common_fields(lines)
    person = _holder(lines)
    _put(fields, "full_name", _clean_name(_after(lines, r"^(?:ong|ba|ho ong|ho ba)\b")))
    _put(
        fields,
        "id_number",
        _id_in(_after(lines, r"cccd so|so cccd|so dinh danh|can cuoc")) or person.get("id_number"),
    )
    _put(fields, "parcel_number", _token(_after(lines, r"thua dat so")))
    _put(fields, "map_sheet", _token(_after(lines, r"to ban do so")))
    return fields
