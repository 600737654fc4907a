"""VietQR: the NAPAS 247 merchant-presented QR (EMVCo MPM), encoded and decoded.

A VietQR payload is a string of TLV fields: a two-digit tag, a two-digit length (in characters), then the
value. The fields used here (NAPAS "VietQR" specification, on top of EMVCo QRCPS-MPM):

====  =============================================================================================
00    payload format indicator, "01"
01    point of initiation: "11" static (no amount), "12" dynamic (one payment, with an amount)
38    merchant account information of the NAPAS 247 network, itself TLV:
        00  GUID "A000000727" (NAPAS)
        01  beneficiary organisation, TLV: 00 acquirer/bank BIN (6 digits), 01 account or card number
        02  service code: "QRIBFTTA" (transfer to an account) or "QRIBFTTC" (to a card)
53    transaction currency, ISO 4217 numeric: "704" (VND)
54    transaction amount, digits (VND has no minor unit)
58    country code "VN"
59    merchant name (optional)      60  merchant city (optional)
62    additional data, TLV: 08 purpose of transaction (the bank app's transfer note), 05 reference label
63    CRC: CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) over every character before it, including
      "6304" itself, as four upper-case hex digits
====  =============================================================================================

Values are limited to printable ASCII: bank apps differ on how they count non-ASCII characters, so the
kiosk never puts one in a payload (the reference and the note are ASCII by construction).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
SERVICE_TO_CARD = "QRIBFTTC"
CURRENCY_VND = "704"
_PRINTABLE = re.compile(r"^[\x20-\x7e]*$")


class VietQRError(ValueError):
    """A payload that cannot be built or read: a bad field, a bad length, a wrong CRC."""


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR.
    Its check value (of b"123456789") is 0x29B1."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def tlv(tag: str, value: str) -> str:
    """One field: tag, two-digit length, value."""
    if not re.fullmatch(r"\d\d", tag):
        raise VietQRError(f"tag must be two digits, got {tag!r}")
    if not _PRINTABLE.match(value):
        raise VietQRError(f"field {tag}: only printable ASCII is allowed, got {value!r}")
    if not 0 < len(value) <= 99:
        raise VietQRError(f"field {tag}: value must be 1 to 99 characters, got {len(value)}")
    return f"{tag}{len(value):02d}{value}"


def parse_tlv(text: str) -> list[tuple[str, str]]:
    """A TLV string as (tag, value) pairs, in order; raises VietQRError when it does not parse exactly."""
    fields, i = [], 0
    while i < len(text):
        head = text[i : i + 4]
        if len(head) < 4 or not head.isdigit():
            raise VietQRError(f"malformed field header {head!r} at position {i}")
        length = int(head[2:])
        value = text[i + 4 : i + 4 + length]
        if len(value) != length:
            raise VietQRError(f"field {head[:2]} at position {i} is cut short")
        fields.append((head[:2], value))
        i += 4 + length
    return fields


@dataclass(frozen=True)
class VietQR:
    """What a VietQR payload says."""

    bank_bin: str
    account: str
    amount_vnd: int | None
    purpose: str = ""
    reference_label: str = ""
    service: str = SERVICE_TO_ACCOUNT
    merchant_name: str = ""
    merchant_city: str = ""
    currency: str = CURRENCY_VND
    country: str = "VN"

    def encode(self) -> str:
        """The payload string, CRC included."""
        if not re.fullmatch(r"\d{6}", self.bank_bin):
            raise VietQRError(f"bank BIN must be 6 digits, got {self.bank_bin!r}")
        if not re.fullmatch(r"[0-9A-Za-z]{1,19}", self.account):
            raise VietQRError(f"account must be 1 to 19 letters or digits, got {self.account!r}")
        if self.service not in (SERVICE_TO_ACCOUNT, SERVICE_TO_CARD):
            raise VietQRError(f"service code must be {SERVICE_TO_ACCOUNT} or {SERVICE_TO_CARD}")
        if self.amount_vnd is not None and not 0 < self.amount_vnd < 10**13:
            raise VietQRError(f"amount must be positive and at most 13 digits, got {self.amount_vnd}")
        beneficiary = tlv("00", self.bank_bin) + tlv("01", self.account)
        merchant = tlv("00", NAPAS_GUID) + tlv("01", beneficiary) + tlv("02", self.service)
        parts = [
            tlv("00", "01"),
            tlv("01", "11" if self.amount_vnd is None else "12"),
            tlv("38", merchant),
            tlv("53", self.currency),
        ]
        if self.amount_vnd is not None:
            parts.append(tlv("54", str(self.amount_vnd)))
        parts.append(tlv("58", self.country))
        if self.merchant_name:
            parts.append(tlv("59", self.merchant_name))
        if self.merchant_city:
            parts.append(tlv("60", self.merchant_city))
        extra = ""
        if self.reference_label:
            extra += tlv("05", self.reference_label)
        if self.purpose:
            extra += tlv("08", self.purpose)
        if extra:
            parts.append(tlv("62", extra))
        body = "".join(parts) + "6304"
        return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"

    @classmethod
    def decode(cls, payload: str) -> VietQR:
        """Read a payload; raises VietQRError for a wrong CRC, a missing field or another network's QR."""
        if len(payload) < 8 or payload[-8:-4] != "6304":
            raise VietQRError("the payload does not end with a CRC field (6304....)")
        expected = f"{crc16_ccitt_false(payload[:-4].encode('ascii', errors='replace')):04X}"
        if payload[-4:].upper() != expected:
            raise VietQRError(f"CRC mismatch: the payload says {payload[-4:]}, its content gives {expected}")
        fields = dict(parse_tlv(payload))
        if fields.get("00") != "01":
            raise VietQRError("payload format indicator (00) is not 01")
        merchant = dict(parse_tlv(fields.get("38", "")))
        if merchant.get("00") != NAPAS_GUID:
            raise VietQRError("no NAPAS 247 merchant account (38.00 = A000000727)")
        beneficiary = dict(parse_tlv(merchant.get("01", "")))
        if "00" not in beneficiary or "01" not in beneficiary:
            raise VietQRError("merchant account has no bank BIN or account (38.01.00 / 38.01.01)")
        extra = dict(parse_tlv(fields.get("62", "")))
        amount = fields.get("54")
        if amount is not None and not amount.isdigit():
            raise VietQRError(f"amount (54) is not a whole number of dong: {amount!r}")
        return cls(
            bank_bin=beneficiary["00"],
            account=beneficiary["01"],
            amount_vnd=int(amount) if amount is not None else None,
            purpose=extra.get("08", ""),
            reference_label=extra.get("05", ""),
            service=merchant.get("02", ""),
            merchant_name=fields.get("59", ""),
            merchant_city=fields.get("60", ""),
            currency=fields.get("53", ""),
            country=fields.get("58", ""),
        )
