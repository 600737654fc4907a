"""VietQR encoder and decoder: CRC reference values, published payloads byte for byte, a zbar round trip."""

from __future__ import annotations

import binascii

import numpy as np
import pytest
import segno
from pyzbar import pyzbar

from offline_sync.vietqr import VietQR, VietQRError, crc16_ccitt_false, parse_tlv

# Payloads published with working VietQR generators (bank demo data), each with its CRC.
PUBLISHED = [
    # Vietcombank BIN 970436, amount 1.943.000, note TT000069
    "00020101021238540010A00000072701240006970436011010234567890208QRIBFTTA5303704540719430005802VN"
    "62120808TT0000696304A8E5",
    # VietinBank BIN 970415, amount 120.000, note "ung ho lu lut"
    "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN"
    "62170813ung ho lu lut6304C15C",
    # a payOS virtual account at MB (BIN 970422), amount 7.000
    "00020101021238570010A000000727012700069704220113VQRQADAIJ55120208QRIBFTTA5303704540470005802VN"
    "62120808TL89 1006304E346",
]


def test_crc_check_value() -> None:
    # The catalogue check value of CRC-16/CCITT-FALSE.
    assert crc16_ccitt_false(b"123456789") == 0x29B1
    assert crc16_ccitt_false(b"") == 0xFFFF


@pytest.mark.parametrize("data", [b"A", b"6304", b"0002010102", bytes(range(256)), PUBLISHED[0].encode()])
def test_crc_matches_the_standard_library(data: bytes) -> None:
    # binascii.crc_hqx is the same polynomial, unreflected; with init 0xFFFF it is CCITT-FALSE.
    assert crc16_ccitt_false(data) == binascii.crc_hqx(data, 0xFFFF)


def test_crc_of_a_card_payload() -> None:
    # A payload to a card (QRIBFTTC) with a bill number in 62.01, and its published CRC.
    body = (
        "00020101021238600010A00000072701300006970403011697040311012345670208QRIBFTTC530370454061800005802VN"
        "62340107NPS68690819thanh toan don hang6304"
    )
    assert f"{crc16_ccitt_false(body.encode()):04X}" == "A203"


@pytest.mark.parametrize("payload", PUBLISHED)
def test_published_payloads_decode_and_reencode_byte_for_byte(payload: str) -> None:
    decoded = VietQR.decode(payload)
    assert decoded.encode() == payload


def test_fields_of_a_published_payload() -> None:
    qr = VietQR.decode(PUBLISHED[0])
    assert (qr.bank_bin, qr.account, qr.amount_vnd, qr.purpose) == (
        "970436",
        "1023456789",
        1943000,
        "TT000069",
    )
    assert (qr.service, qr.currency, qr.country) == ("QRIBFTTA", "704", "VN")


def test_kiosk_payload_literal() -> None:
    qr = VietQR(bank_bin="970415", account="113366668888", amount_vnd=14000, purpose="HN001P0000123")
    payload = qr.encode()
    body = (
        "000201010212"
        "3856"
        "0010A000000727"
        "0126"
        "0006970415"
        "0112113366668888"
        "0208QRIBFTTA"
        "5303704"
        "540514000"
        "5802VN"
        "6217"
        "0813HN001P0000123"
        "6304"
    )
    assert payload == body + f"{binascii.crc_hqx(body.encode(), 0xFFFF):04X}"
    assert VietQR.decode(payload) == qr


def test_static_payload_has_no_amount() -> None:
    payload = VietQR(bank_bin="970415", account="12345", amount_vnd=None).encode()
    assert payload.startswith("000201010211")
    assert "54" not in [tag for tag, _ in parse_tlv(payload)]
    assert VietQR.decode(payload).amount_vnd is None


def test_wrong_crc_refused() -> None:
    tampered = PUBLISHED[0].replace("54071943000", "54071000000")
    with pytest.raises(VietQRError, match="CRC mismatch"):
        VietQR.decode(tampered)


@pytest.mark.parametrize(
    "payload",
    ["", "6304ABCD", "000201" + "6304", "00020101021238" + "6304"],
)
def test_garbage_refused(payload: str) -> None:
    fixed = payload[:-4] + f"{crc16_ccitt_false(payload[:-4].encode()):04X}" if payload else payload
    with pytest.raises(VietQRError):
        VietQR.decode(fixed)


def test_another_network_refused() -> None:
    body = "000201010212" + "3814" + "0010A000000999" + "5303704" + "5802VN" + "6304"
    with pytest.raises(VietQRError, match="NAPAS"):
        VietQR.decode(body + f"{crc16_ccitt_false(body.encode()):04X}")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"bank_bin": "97041", "account": "1"},
        {"bank_bin": "970415", "account": "12-34"},
        {"bank_bin": "970415", "account": "1", "amount_vnd": 0},
        {"bank_bin": "970415", "account": "1", "purpose": "phí chứng thực"},
        {"bank_bin": "970415", "account": "1", "service": "QRPUSH"},
    ],
)
def test_bad_fields_refused(kwargs: dict[str, object]) -> None:
    base: dict[str, object] = {"amount_vnd": 2000}
    with pytest.raises(VietQRError):
        VietQR(**(base | kwargs)).encode()  # type: ignore[arg-type]


def test_zbar_reads_back_the_payload() -> None:
    payload = VietQR(
        bank_bin="970415", account="113366668888", amount_vnd=14000, purpose="HN001P0000123"
    ).encode()
    qr = segno.make(payload, error="m")
    dark = np.pad(np.array(qr.matrix, dtype=bool), 4)
    image = np.where(np.kron(dark, np.ones((6, 6), dtype=bool)), 0, 255).astype(np.uint8)
    found = pyzbar.decode(image)
    assert [item.data.decode("ascii") for item in found] == [payload]
    assert VietQR.decode(found[0].data.decode("ascii")).amount_vnd == 14000
