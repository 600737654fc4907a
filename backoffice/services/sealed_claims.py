"""What ingest holds to the seal (issue 24): a record's values that the seal also carries, as one flat
mapping of strings (it crosses into the seal-check processes), and the comparison of the record's fields
with the sealed ones.

The record's ``fields`` are the seal's fields, exactly: the kiosk computes both from the same values
(``kiosk.pipeline.copy_fields``), so a byte that differs is a record that says something the seal does not.
What OCR read travels apart, in ``ocr_fields`` and ``ocr_low_words``, and the console shows it as OCR.

A kiosk before issue 24 sent its OCR reading in ``fields`` (and no ``ocr_fields``); its records, still in
the outbox at the upgrade, are replayed byte for byte (their idempotency fingerprint must not change).
For such a record every sealed field it names must still be the sealed value; the fields the seal does not
carry (the OCR's other fields, the seal/signature marks) and the sealed fields that old reading missed
are its OCR, as in ``ocr_fields``: the console shows them as OCR, never as fact. Leaving ``ocr_fields``
out therefore buys nothing that sending it would not: ``ocr_fields`` is unsealed by nature.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from offline_sync.protocol import RecordUpload

FIELD_PREFIX = "fields."  # a record field as a claim: "fields.<key>" -> value
# How the record's fields were sent: SEALED (with ocr_fields: fields are the seal's), OCR (before issue 24).
FIELDS_FORMAT = "fields_format"
SEALED, OCR = "sealed", "ocr"
# A field key is named in a refusal (logged, audited, sent back) only when it looks like a field name: a
# key is the kiosk's text, and a crafted one could carry a name or an ID number, or break a log line.
_NAMEABLE = re.compile(r"[a-z][a-z0-9_]{0,39}")
UNNAMED = "(unnamed)"


def record_claims(rec: RecordUpload) -> dict[str, str]:
    """The record's values ingest compares with the seal, beyond code, kiosk, pages and type: the
    requester, the issue time and every field (with the format they were sent in)."""
    claims = {
        "holder_name": rec.holder_name,
        "holder_id": rec.holder_id,
        "created_at": rec.created_at.isoformat(),
        FIELDS_FORMAT: SEALED if rec.ocr_fields is not None else OCR,
    }
    claims.update({FIELD_PREFIX + key: value for key, value in rec.fields.items()})
    return claims


def field_label(key: str) -> str:
    """``fields.<key>`` for the refusal, or ``fields.(unnamed)`` for a key that is no field name."""
    return FIELD_PREFIX + (key if _NAMEABLE.fullmatch(key) else UNNAMED)


@dataclass(frozen=True)
class FieldMismatch:
    field: str  # fields.<key>, as the refusal names it
    why: str  # a sentence without any value


def mismatched_record_field(sealed: Mapping[str, str], claims: Mapping[str, str]) -> FieldMismatch | None:
    """The first record field that is not the seal's: a sealed field with another value or (unless the
    record predates issue 24) missing, then a field the seal does not carry. None when they agree, and
    when ``claims`` hold no fields (a caller that compares the requester alone)."""
    if FIELDS_FORMAT not in claims:
        return None
    strict = claims[FIELDS_FORMAT] != OCR
    record = {k[len(FIELD_PREFIX) :]: v for k, v in claims.items() if k.startswith(FIELD_PREFIX)}
    for key, value in sealed.items():
        if key not in record:
            if strict:
                return FieldMismatch(field_label(key), "the record lacks a field the seal carries")
        elif record[key] != value:
            return FieldMismatch(field_label(key), "the record's value is not the sealed one")
    if strict:
        for key in record:
            if key not in sealed:
                return FieldMismatch(field_label(key), "the seal does not carry this record field")
    return None
