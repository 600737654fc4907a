"""The logical data structure of the chip (ICAO 9303 part 10): file identifiers, EF.COM, DG1 (the MRZ),
DG2 (the face), DG13 (Vietnam's own data) and DG15 (the Active Authentication public key).

Each data group is one BER-TLV object; this module builds them (for the simulated chip) and reads them.

DG13 follows the layout the Vietnamese readers describe: tag 0x6D around a SEQUENCE of SEQUENCEs, each
``{INTEGER field number, value}``, the value a UTF8String (field 13, the parents, holds two). The field
numbers are in :data:`DG13_FIELDS`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import date, datetime

from kiosk.identity.chip.tlv import TlvError, children, iter_tlv, tlv, unwrap

# Short file identifiers inside the eMRTD application.
AID_MRTD = bytes.fromhex("A0000002471001")
FID_COM = 0x011E
FID_SOD = 0x011D
DG_FIDS = {1: 0x0101, 2: 0x0102, 13: 0x010D, 14: 0x010E, 15: 0x010F}
DG_TAGS = {1: 0x61, 2: 0x75, 13: 0x6D, 14: 0x6E, 15: 0x6F}
TAG_COM, TAG_SOD = 0x60, 0x77
LDS_VERSION, UNICODE_VERSION = b"0107", b"040000"


class LdsError(ValueError):
    """A data group that does not have the structure ICAO 9303 part 10 gives it."""


def build_com(data_groups: list[int]) -> bytes:
    tags = bytes(DG_TAGS[n] for n in sorted(data_groups))
    return tlv(TAG_COM, tlv(0x5F01, LDS_VERSION) + tlv(0x5F36, UNICODE_VERSION) + tlv(0x5C, tags))


def parse_com(raw: bytes) -> list[int]:
    """The data-group numbers EF.COM lists."""
    try:
        tags = children(unwrap(raw, TAG_COM)).get(0x5C, b"")
    except TlvError as exc:
        raise LdsError(f"EF.COM: {exc}") from None
    by_tag = {tag: number for number, tag in DG_TAGS.items()}
    return sorted(by_tag[t] for t in tags if t in by_tag)


# -- DG1 ---------------------------------------------------------------------------------------------
def build_dg1(mrz: str) -> bytes:
    return tlv(DG_TAGS[1], tlv(0x5F1F, mrz.encode("ascii")))


def parse_dg1(raw: bytes) -> str:
    try:
        mrz = children(unwrap(raw, DG_TAGS[1]))[0x5F1F]
    except (TlvError, KeyError) as exc:
        raise LdsError(f"DG1 has no MRZ: {exc}") from None
    return mrz.decode("ascii", "replace")


# -- DG2 (ISO/IEC 19794-5 face record inside a CBEFF biometric information template) -----------------
IMAGE_JPEG, IMAGE_JPEG2000 = 0, 1


@dataclass(frozen=True)
class FaceImage:
    image: bytes
    mime: str  # "image/jpeg" or "image/jp2"
    width: int
    height: int

    def __repr__(self) -> str:  # never dump a face into a log
        return f"FaceImage({self.mime}, {self.width}x{self.height}, {len(self.image)} bytes)"


def _face_record(jpeg: bytes, width: int, height: int) -> bytes:
    # Facial information: 0 feature points, gender/eye/hair unspecified, no property mask, neutral
    # expression, frontal pose; image information: full frontal, JPEG, sRGB, static photo.
    facial = struct.pack(">HBBB3sH3s3s", 0, 0, 0, 0, bytes(3), 1, bytes(3), bytes(3))
    image_info = struct.pack(">BBHHBBHH", 1, IMAGE_JPEG, width, height, 1, 2, 0, 0)
    block = facial + image_info + jpeg
    face = struct.pack(">I", 4 + len(block)) + block
    header = b"FAC\x00" + b"010\x00" + struct.pack(">IH", 14 + len(face), 1)
    return header + face


def build_dg2(jpeg: bytes, width: int, height: int) -> bytes:
    header = tlv(0x80, b"\x01\x01") + tlv(0x81, b"\x02") + tlv(0x87, b"\x01\x01") + tlv(0x88, b"\x00\x08")
    template = tlv(0x7F60, tlv(0xA1, header) + tlv(0x5F2E, _face_record(jpeg, width, height)))
    return tlv(DG_TAGS[2], tlv(0x7F61, tlv(0x02, b"\x01") + template))


def parse_dg2(raw: bytes) -> FaceImage:
    """The first face image of DG2."""
    try:
        group = children(unwrap(raw, DG_TAGS[2]))[0x7F61]
        template = children(group)[0x7F60]
        inner = children(template)
        record = inner.get(0x5F2E) or inner[0x7F2E]
    except (TlvError, KeyError) as exc:
        raise LdsError(f"DG2 has no biometric data block: {exc}") from None
    if record[:4] != b"FAC\x00" or len(record) < 14 + 4 + 16 + 12:
        raise LdsError("DG2's biometric data block is not an ISO/IEC 19794-5 face record")
    offset = 14  # format, version, record length, number of faces
    try:
        block_length = struct.unpack_from(">I", record, offset)[0]
        feature_points = struct.unpack_from(">H", record, offset + 4)[0]
        image_info = offset + 4 + 16 + 8 * feature_points
        _, data_type, width, height = struct.unpack_from(">BBHH", record, image_info)
    except struct.error:
        raise LdsError("DG2's face record is truncated") from None
    start, end = image_info + 12, offset + block_length
    image = record[start:end]
    if not image or end > len(record):
        raise LdsError("DG2's face record is truncated")
    mime = "image/jp2" if data_type == IMAGE_JPEG2000 else "image/jpeg"
    return FaceImage(image, mime, width, height)


# -- DG13 (Vietnam) ----------------------------------------------------------------------------------
DG13_FIELDS = {
    1: "id_number",
    2: "full_name",
    3: "date_of_birth",
    4: "sex",
    5: "nationality",
    6: "ethnicity",
    7: "religion",
    8: "home_town",
    9: "address",
    10: "identifying_features",
    11: "issue_date",
    12: "expiry_date",
    13: "parents",
    14: "spouse",
    15: "old_id",
}
_DG13_NUMBERS = {name: number for number, name in DG13_FIELDS.items()}
_DATE_FIELDS = {"date_of_birth", "issue_date", "expiry_date"}


@dataclass(frozen=True)
class Dg13:
    """Vietnam's DG13. Dates are ISO; ``parents`` is (father, mother). ``repr`` hides the data."""

    values: dict[str, str] = field(default_factory=dict)
    parents: tuple[str, str] = ("", "")

    def date(self, name: str) -> date | None:
        text = self.values.get(name, "")
        return date.fromisoformat(text) if text else None

    def __repr__(self) -> str:
        return f"Dg13({sorted(self.values)})"


def _der_int(value: int) -> bytes:
    return tlv(0x02, bytes([value]))


def build_dg13(values: dict[str, str], parents: tuple[str, str] = ("", "")) -> bytes:
    items = []
    for name, value in values.items():
        text = date.fromisoformat(value).strftime("%d/%m/%Y") if name in _DATE_FIELDS and value else value
        items.append(tlv(0x30, _der_int(_DG13_NUMBERS[name]) + tlv(0x0C, text.encode("utf-8"))))
    father, mother = parents
    items.append(
        tlv(0x30, _der_int(13) + tlv(0x0C, father.encode("utf-8")) + tlv(0x0C, mother.encode("utf-8")))
    )
    return tlv(DG_TAGS[13], tlv(0x30, b"".join(items)))


def _dg13_date(text: str) -> str:
    for pattern in ("%d/%m/%Y", "%d%m%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), pattern).date().isoformat()
        except ValueError:
            continue
    return ""  # "Không thời hạn" (no expiry) and the like


def parse_dg13(raw: bytes) -> Dg13:
    try:
        body = unwrap(raw, DG_TAGS[13])
        if body[:1] == b"\x30":
            body = unwrap(body, 0x30)
        values: dict[str, str] = {}
        parents = ("", "")
        for tag, item in iter_tlv(body):
            if tag != 0x30:
                continue
            parts = list(iter_tlv(item))
            if not parts or parts[0][0] != 0x02:
                continue
            name = DG13_FIELDS.get(int.from_bytes(parts[0][1], "big"))
            strings = [v.decode("utf-8", "replace") for t, v in parts[1:] if t in (0x0C, 0x13, 0x16)]
            if name is None or not strings:
                continue
            if name == "parents":
                parents = (strings[0], strings[1] if len(strings) > 1 else "")
            elif name in _DATE_FIELDS:
                values[name] = _dg13_date(strings[0])
            else:
                values[name] = strings[0]
    except TlvError as exc:
        raise LdsError(f"DG13: {exc}") from None
    return Dg13(values, parents)


# -- DG15 --------------------------------------------------------------------------------------------
def build_dg15(subject_public_key_info: bytes) -> bytes:
    return tlv(DG_TAGS[15], subject_public_key_info)


def parse_dg15(raw: bytes) -> bytes:
    """The DER SubjectPublicKeyInfo of the Active Authentication key."""
    try:
        return unwrap(raw, DG_TAGS[15])
    except TlvError as exc:
        raise LdsError(f"DG15: {exc}") from None
