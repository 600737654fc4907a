"""Older (VNC1) seals for the tests: the golden fixture made by the old code (tests/fixtures/vnc1, see its
README), and a test-only VNC1 encoder with throw-away keys, for the attacks a forger would try (the
product never makes a VNC1 seal: ``SealClaims.to_cbor_map`` refuses)."""

from __future__ import annotations

import datetime as dt
import json
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import base45
import cbor2
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from signing.keys import cert_kid, es256_raw, make_root_cert, make_seal_cert
from signing.seal import sig_structure
from signing.trust import TrustStore, load_certs

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "vnc1"
AUTHORITY = "Trung tâm Phục vụ Hành chính công Thành phố Hà Nội"
BEFORE_CUTOVER = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
AFTER_CUTOVER = dt.datetime(2026, 12, 6, 21, 0, tzinfo=dt.UTC)


def golden_seal() -> str:
    return (FIXTURE / "vnc1_seal.txt").read_text(encoding="ascii").strip()


def golden_pdf() -> bytes:
    return (FIXTURE / "vnc1_copy.pdf").read_bytes()


def golden_facts() -> dict[str, Any]:
    facts: dict[str, Any] = json.loads((FIXTURE / "facts.json").read_text(encoding="utf-8"))
    return facts


def golden_trust() -> TrustStore:
    """A verifier that trusts the fixture's throw-away root and knows its kiosk seal certificate."""
    store = TrustStore()
    for name in ("root.pem", "seal.pem"):
        for cert in load_certs(FIXTURE / "trust" / name):
            store.add(cert)
    return store


def crl(name: str) -> bytes:
    return (FIXTURE / "crl" / name).read_bytes()


def envelope(payload: bytes, kid: bytes, sign: Any, prefix: str = "VNC1:") -> str:
    """A seal text around ``payload`` (a CBOR claims map), signed by ``sign(message) -> raw r||s``."""
    protected = cbor2.dumps({1: -7, 4: kid})
    signature = sign(sig_structure(protected, payload))
    cose = cbor2.dumps(cbor2.CBORTag(18, [protected, {}, payload, signature]))
    return prefix + base45.b45encode(zlib.compress(cose, 9)).decode("ascii")


def v1_claims(**over: Any) -> dict[int, Any]:
    """A VNC1 claims map as the old code wrote it (commit 385dc7b), for the kiosk HN-001."""
    values: dict[str, Any] = {
        "code": "HN001-004242-O",
        "iat": BEFORE_CUTOVER,
        "kiosk": "HN-001",
        "doc_type": "birth_certificate",
        "holder": "001******567",
        "holder_name": "NGUYEN VAN AN",
        "number": "1234/2016",
        "date": "2016-03-15",
    }
    values.update(over)
    return {
        1: "HN",
        6: int(values["iat"].timestamp()),
        -65537: {
            1: values["code"],
            2: values["kiosk"],
            3: values["doc_type"],
            4: 1,
            5: b"\x01" * 16,
            6: values["holder"],
            7: values["holder_name"],
            8: values["number"],
            9: values["date"],
            10: [b"\x02" * 16],
        },
    }


@dataclass
class ThrowAwayKiosk:
    """A root and a kiosk seal key made in the test (valid across the cutover), and a verifier trusting them."""

    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    root: x509.Certificate
    root_key: ec.EllipticCurvePrivateKey

    @classmethod
    def make(cls, kiosk_id: str = "HN-001") -> ThrowAwayKiosk:
        root_key = ec.generate_private_key(ec.SECP256R1())
        start, end = dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2027, 12, 31, tzinfo=dt.UTC)
        root = make_root_cert(root_key, AUTHORITY, start, end)
        key = ec.generate_private_key(ec.SECP256R1())
        cert = make_seal_cert(
            key.public_key(),
            root_key,
            root,
            authority=AUTHORITY,
            kiosk_id=kiosk_id,
            not_before=start,
            not_after=end,
        )
        return cls(key, cert, root, root_key)

    @property
    def kid(self) -> bytes:
        return cert_kid(self.cert)

    def sign(self, message: bytes) -> bytes:
        return es256_raw(self.key.sign(message, ec.ECDSA(hashes.SHA256())))

    def trust(self) -> TrustStore:
        store = TrustStore()
        store.add(self.root)
        store.add(self.cert)
        return store

    def v1_seal(self, **over: Any) -> str:
        return envelope(cbor2.dumps(v1_claims(**over)), self.kid, self.sign)
