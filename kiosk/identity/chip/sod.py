"""The document security object (EF.SOD) and passive authentication (ICAO 9303 part 10 section 4.6.2,
part 11 section 5.1, part 12).

EF.SOD is a CMS SignedData whose content is the LDSSecurityObject: one hash per data group. Passive
authentication checks, in order:

1. the SOD parses and names the LDS security object as its content;
2. the Document Signer certificate in it was issued by one of the configured CSCA certificates (its
   signature checks out with the CSCA's key) and is within its validity;
3. the signed attributes' message digest is the hash of the content, and the signer's signature over the
   signed attributes checks out with the Document Signer's key;
4. each data group read from the chip hashes to the value the SOD holds for it.

The first failure is the result, as a machine reason (:data:`REASONS`). asn1crypto parses the CMS and
cryptography checks the signatures; nothing here is hand-rolled ASN.1 or crypto.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from asn1crypto import algos, cms, core
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from kiosk.identity.chip.lds import TAG_SOD
from kiosk.identity.chip.tlv import TlvError, tlv, unwrap

log = logging.getLogger(__name__)

OID_LDS_SECURITY_OBJECT = "2.23.136.1.1.1"
VALID = "valid"
REASONS = {
    "sod_malformed": "the chip's security object (EF.SOD) cannot be read",
    "csca_not_configured": "no CSCA certificate is configured to check the chip against",
    "ds_not_trusted": "the chip's Document Signer certificate does not chain to a configured CSCA",
    "ds_expired": "the chip's Document Signer certificate is not valid today",
    "sod_signature_invalid": "the signature over the chip's security object is not valid",
    "dg_not_in_sod": "a data group read from the chip has no hash in its security object",
    "dg_hash_mismatch": "a data group on the chip does not match its hash: the chip was altered",
}


class DataGroupHash(core.Sequence):
    _fields: ClassVar[list[Any]] = [
        ("data_group_number", core.Integer),
        ("data_group_hash_value", core.OctetString),
    ]


class DataGroupHashValues(core.SequenceOf):
    _child_spec = DataGroupHash


class LdsVersionInfo(core.Sequence):
    _fields: ClassVar[list[Any]] = [
        ("lds_version", core.PrintableString),
        ("unicode_version", core.PrintableString),
    ]


class LdsSecurityObject(core.Sequence):
    _fields: ClassVar[list[Any]] = [
        ("version", core.Integer),
        ("hash_algorithm", algos.DigestAlgorithm),
        ("data_group_hash_values", DataGroupHashValues),
        ("lds_version_info", LdsVersionInfo, {"optional": True}),
    ]


_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


@dataclass(frozen=True)
class PassiveAuthentication:
    """``status`` is ``valid`` or a reason of :data:`REASONS`; ``detail`` says what and where."""

    status: str
    detail: str = ""
    signer: str = ""
    hash_algorithm: str = ""

    @property
    def valid(self) -> bool:
        return self.status == VALID

    def message(self) -> str:
        return "passive authentication passed" if self.valid else REASONS.get(self.status, self.status)


def _fail(reason: str, detail: str) -> PassiveAuthentication:
    return PassiveAuthentication(reason, detail)


def _oid_classes(base: type = core.ObjectIdentifier) -> list[type]:
    found: list[type] = []
    sub: type
    for sub in base.__subclasses__():
        found.append(sub)
        found.extend(_oid_classes(sub))
    return found


@contextmanager
def _shared_asn1_maps() -> Iterator[None]:
    """asn1crypto builds each OID class's name->OID map once, on first use, from the names registered
    so far; names added later (asn1crypto.tsp, pyHanko's CAdES attributes) are then unknown to it, and
    signing a PDF fails. So a map this module caused to be built is dropped again afterwards."""
    setup: dict[type, bool] = core._SETUP_CLASSES  # asn1crypto's record of the classes it set up
    unbuilt = [cls for cls in _oid_classes() if cls not in setup]
    try:
        yield
    finally:
        for cls in unbuilt:
            if cls in setup:
                del setup[cls]
                cls._reverse_map = None  # type: ignore[attr-defined]


# -- building a SOD (the simulated chip's issuer) ----------------------------------------------------
def build_sod(
    data_groups: Mapping[int, bytes],
    signer_key: ec.EllipticCurvePrivateKey,
    signer_cert: x509.Certificate,
    *,
    hash_name: str = "sha256",
    signing_time: datetime | None = None,
) -> bytes:
    """EF.SOD over ``data_groups`` (number -> the whole DG file), signed ECDSA by the Document Signer."""
    with _shared_asn1_maps():
        return _build_sod(data_groups, signer_key, signer_cert, hash_name, signing_time)


def _build_sod(
    data_groups: Mapping[int, bytes],
    signer_key: ec.EllipticCurvePrivateKey,
    signer_cert: x509.Certificate,
    hash_name: str,
    signing_time: datetime | None,
) -> bytes:
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.serialization import Encoding

    values = DataGroupHashValues(
        [
            {"data_group_number": n, "data_group_hash_value": hashlib.new(hash_name, raw).digest()}
            for n, raw in sorted(data_groups.items())
        ]
    )
    content = LdsSecurityObject(
        {"version": 0, "hash_algorithm": {"algorithm": hash_name}, "data_group_hash_values": values}
    ).dump()
    attributes = cms.CMSAttributes(
        [
            {"type": "content_type", "values": [OID_LDS_SECURITY_OBJECT]},
            {"type": "message_digest", "values": [hashlib.new(hash_name, content).digest()]},
            {"type": "signing_time", "values": [cms.Time({"utc_time": signing_time or datetime.now(UTC)})]},
        ]
    )
    signature = signer_key.sign(attributes.dump(), ec.ECDSA(_HASHES[hash_name]()))
    certificate = asn1_x509.Certificate.load(signer_cert.public_bytes(Encoding.DER))
    signer_info = {
        "version": "v1",
        "sid": cms.SignerIdentifier(
            {
                "issuer_and_serial_number": {
                    "issuer": certificate.issuer,
                    "serial_number": certificate.serial_number,
                }
            }
        ),
        "digest_algorithm": {"algorithm": hash_name},
        "signed_attrs": attributes,
        "signature_algorithm": {"algorithm": f"{hash_name}_ecdsa"},
        "signature": signature,
    }
    signed_data = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [{"algorithm": hash_name}],
            "encap_content_info": {"content_type": OID_LDS_SECURITY_OBJECT, "content": content},
            "certificates": [certificate],
            "signer_infos": [signer_info],
        }
    )
    return tlv(TAG_SOD, cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump())


# -- passive authentication --------------------------------------------------------------------------
def load_csca(paths: Iterable[str | Path]) -> list[x509.Certificate]:
    """CSCA certificates from PEM (one or many per file) or DER files."""
    out: list[x509.Certificate] = []
    for path in paths:
        data = Path(path).expanduser().read_bytes()
        if b"-----BEGIN" in data:
            out.extend(x509.load_pem_x509_certificates(data))
        else:
            out.append(x509.load_der_x509_certificate(data))
    return out


@dataclass(frozen=True)
class ParsedSod:
    hash_algorithm: str
    hashes: dict[int, bytes]
    content: bytes
    signer_info: cms.SignerInfo
    signer_cert: x509.Certificate


def parse_sod(raw: bytes) -> ParsedSod:
    """The parts of EF.SOD that passive authentication needs; ValueError when it is malformed."""
    try:
        info = cms.ContentInfo.load(unwrap(raw, TAG_SOD))
        if info["content_type"].native != "signed_data":
            raise ValueError("the SOD is not a SignedData")
        signed = info["content"]
        encap = signed["encap_content_info"]
        if encap["content_type"].dotted != OID_LDS_SECURITY_OBJECT:
            raise ValueError("the SOD's content is not an LDS security object")
        content = bytes(encap["content"].native)
        lso = LdsSecurityObject.load(content)
        algorithm = lso["hash_algorithm"]["algorithm"].native
        values = {
            int(v["data_group_number"].native): bytes(v["data_group_hash_value"].native)
            for v in lso["data_group_hash_values"]
        }
        signer_info = signed["signer_infos"][0]
        sid_choice = signer_info["sid"]
        sid = sid_choice.chosen
        certificates = [c.chosen for c in signed["certificates"] or []]
        chosen = None
        for cert in certificates:
            if sid_choice.name == "issuer_and_serial_number":
                if cert.serial_number == sid["serial_number"].native and cert.issuer == sid["issuer"]:
                    chosen = cert
            elif cert.key_identifier == sid.native:
                chosen = cert
        if chosen is None:
            raise ValueError("the SOD holds no Document Signer certificate for its signer")
        if algorithm not in _HASHES:
            raise ValueError(f"unsupported hash algorithm {algorithm}")
        return ParsedSod(
            algorithm, values, content, signer_info, x509.load_der_x509_certificate(chosen.dump())
        )
    except (TlvError, ValueError, TypeError, KeyError, IndexError) as exc:
        raise ValueError(f"malformed SOD: {exc}") from None


def _verify_signature(cert: x509.Certificate, signer_info: cms.SignerInfo, signed: bytes) -> None:
    key = cert.public_key()
    algorithm = signer_info["signature_algorithm"]
    signature = bytes(signer_info["signature"].native)
    hash_name = algorithm.hash_algo
    if hash_name not in _HASHES:
        raise InvalidSignature(f"unsupported signature hash {hash_name}")
    chosen = _HASHES[hash_name]()
    if isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(signature, signed, ec.ECDSA(chosen))
    elif isinstance(key, rsa.RSAPublicKey):
        if algorithm.signature_algo == "rsassa_pss":
            params = algorithm["parameters"]
            pss = padding.PSS(padding.MGF1(chosen), params["salt_length"].native)
            key.verify(signature, signed, pss, chosen)
        else:
            key.verify(signature, signed, padding.PKCS1v15(), chosen)
    else:
        raise InvalidSignature(f"unsupported Document Signer key {type(key).__name__}")


def _issued_by(cert: x509.Certificate, cscas: Iterable[x509.Certificate]) -> x509.Certificate | None:
    for csca in cscas:
        if csca.subject != cert.issuer:
            continue
        try:
            cert.verify_directly_issued_by(csca)
        except (ValueError, TypeError, InvalidSignature):
            continue
        try:
            constraints = csca.extensions.get_extension_for_class(x509.BasicConstraints).value
        except x509.ExtensionNotFound:
            continue
        if constraints.ca:
            return csca
    return None


def passive_authentication(
    sod: bytes,
    data_groups: Mapping[int, bytes],
    cscas: list[x509.Certificate],
    *,
    now: datetime | None = None,
) -> PassiveAuthentication:
    """Check ``sod`` against the CSCA list and every data group read (number -> the whole DG file)."""
    with _shared_asn1_maps():
        return _passive_authentication(sod, data_groups, cscas, now)


def _passive_authentication(
    sod: bytes, data_groups: Mapping[int, bytes], cscas: list[x509.Certificate], now: datetime | None
) -> PassiveAuthentication:
    try:
        parsed = parse_sod(sod)
    except ValueError as exc:
        return _fail("sod_malformed", str(exc))
    ds = parsed.signer_cert
    signer = ds.subject.rfc4514_string()
    if not cscas:
        return _fail("csca_not_configured", "identity.chip.csca lists no certificate")
    csca = _issued_by(ds, cscas)
    if csca is None:
        return _fail("ds_not_trusted", f"Document Signer {signer} issued by {ds.issuer.rfc4514_string()}")
    moment = now or datetime.now(UTC)
    if not ds.not_valid_before_utc <= moment <= ds.not_valid_after_utc:
        return _fail(
            "ds_expired",
            f"Document Signer {signer} valid {ds.not_valid_before_utc:%Y-%m-%d} to "
            f"{ds.not_valid_after_utc:%Y-%m-%d}",
        )
    info = parsed.signer_info
    attributes = info["signed_attrs"]
    if not attributes:
        return _fail("sod_signature_invalid", "the SOD's signer has no signed attributes")
    digest_name = info["digest_algorithm"]["algorithm"].native
    digests = [a["values"][0].native for a in attributes if a["type"].native == "message_digest"]
    types = [a["values"][0].dotted for a in attributes if a["type"].native == "content_type"]
    if digest_name not in _HASHES or types != [OID_LDS_SECURITY_OBJECT]:
        return _fail("sod_signature_invalid", "the signed attributes do not name the LDS security object")
    if digests != [hashlib.new(digest_name, parsed.content).digest()]:
        return _fail("sod_signature_invalid", "the signed message digest is not the content's hash")
    signed_bytes = b"\x31" + attributes.dump()[1:]  # the SET OF, not the [0] implicit tag
    try:
        _verify_signature(ds, info, signed_bytes)
    except InvalidSignature as exc:
        return _fail("sod_signature_invalid", f"signature by {signer} does not verify {exc}".strip())
    for number, raw in sorted(data_groups.items()):
        expected = parsed.hashes.get(number)
        if expected is None:
            return _fail("dg_not_in_sod", f"DG{number} has no hash in the SOD")
        if hashlib.new(parsed.hash_algorithm, raw).digest() != expected:
            return _fail("dg_hash_mismatch", f"DG{number} does not match its hash in the SOD")
    return PassiveAuthentication(VALID, f"signed by {signer}", signer, parsed.hash_algorithm)
