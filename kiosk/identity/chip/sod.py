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
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes, PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import Encoding

from kiosk.identity.chip.lds import TAG_SOD
from kiosk.identity.chip.sod_signature import (
    DIGEST_OIDS,
    DIGESTS,
    ECDSA,
    RSA_PKCS1,
    SignatureScheme,
    UnsupportedSignature,
    digest_name,
    scheme_for,
    scheme_of,
)
from kiosk.identity.chip.tlv import tlv, unwrap

log = logging.getLogger(__name__)

OID_LDS_SECURITY_OBJECT = "2.23.136.1.1.1"
VALID = "valid"
REASONS = {
    "sod_malformed": "the chip's security object (EF.SOD) cannot be read",
    "csca_not_configured": "no CSCA certificate is configured to check the chip against",
    "ds_not_trusted": "the chip's Document Signer certificate does not chain to a configured CSCA",
    "ds_expired": "the chip's Document Signer certificate is not valid today",
    "sod_algorithm_unsupported": "the chip's security object is signed with an algorithm the kiosk does not "
    "verify",
    "sod_signature_invalid": "the signature over the chip's security object is not valid",
    "dg_not_in_sod": "a data group read from the chip has no hash in its security object",
    "dg_hash_mismatch": "a data group on the chip does not match its hash: the chip was altered",
    "dg_withheld": "the chip's security object lists a data group the chip does not give: it may be a copy",
}


class SodError(ValueError):
    """EF.SOD is not a CMS SignedData over an LDS security object, or a part of it cannot be read."""


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


@dataclass(frozen=True)
class PassiveAuthentication:
    """``status`` is ``valid`` or a reason of :data:`REASONS`; ``detail`` says what and where."""

    status: str
    detail: str = ""
    signer: str = ""
    hash_algorithm: str = ""
    signature_algorithm: str = ""  # e.g. "sha256 with ECDSA", "RSASSA-PSS (sha256, MGF1 sha256, salt 32)"
    sod_groups: tuple[int, ...] = ()  # the data groups the SOD holds a hash for

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


# -- building a SOD (the simulated chip's issuer, and the tests' SODs) -------------------------------
def build_sod(
    data_groups: Mapping[int, bytes],
    signer_key: PrivateKeyTypes,
    signer_cert: x509.Certificate,
    *,
    hash_name: str = "sha256",
    signing_time: datetime | None = None,
    scheme: SignatureScheme | None = None,
) -> bytes:
    """EF.SOD over ``data_groups`` (number -> the whole DG file), signed by the Document Signer: ECDSA or
    PKCS #1 v1.5 with ``hash_name`` by the key's type, unless ``scheme`` says otherwise."""
    if scheme is None:
        scheme = scheme_for(RSA_PKCS1 if isinstance(signer_key, rsa.RSAPrivateKey) else ECDSA, hash_name)
    with _shared_asn1_maps():
        return _build_sod(data_groups, signer_key, signer_cert, hash_name, signing_time, scheme=scheme)


def _build_sod(
    data_groups: Mapping[int, bytes],
    signer_key: PrivateKeyTypes,
    signer_cert: x509.Certificate,
    hash_name: str,
    signing_time: datetime | None,
    *,
    scheme: SignatureScheme,
) -> bytes:
    digest = {"algorithm": DIGEST_OIDS[hash_name], "parameters": core.Null()}
    values = DataGroupHashValues(
        [
            {"data_group_number": n, "data_group_hash_value": hashlib.new(hash_name, raw).digest()}
            for n, raw in sorted(data_groups.items())
        ]
    )
    content = LdsSecurityObject(
        {"version": 0, "hash_algorithm": digest, "data_group_hash_values": values}
    ).dump()
    attributes = cms.CMSAttributes(
        [
            {"type": "content_type", "values": [OID_LDS_SECURITY_OBJECT]},
            {"type": "message_digest", "values": [hashlib.new(hash_name, content).digest()]},
            {"type": "signing_time", "values": [cms.Time({"utc_time": signing_time or datetime.now(UTC)})]},
        ]
    )
    signature = scheme.sign(signer_key, attributes.dump())
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
        "digest_algorithm": digest,
        "signed_attrs": attributes,
        "signature_algorithm": scheme.algorithm_identifier(),
        "signature": signature,
    }
    signed_data = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [digest],
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
    """Everything passive authentication needs, read eagerly: nothing here parses lazily any more."""

    hash_algorithm: str  # the LDS security object's, for the data groups (its OID when unknown)
    hashes: dict[int, bytes]
    content: bytes
    digest_algorithm: str  # the SignerInfo's, for the signed attributes' message digest
    signed_attributes: bytes  # DER of the SET OF attributes, as signed
    message_digests: list[bytes]
    content_types: list[str]
    signature_algorithm: algos.SignedDigestAlgorithm
    signature: bytes
    signer_cert: x509.Certificate
    signer: str  # the Document Signer's subject
    issuer: str
    not_before: datetime
    not_after: datetime
    signer_key: CertificatePublicKeyTypes

    def __repr__(self) -> str:
        return f"ParsedSod({self.hash_algorithm}, groups={sorted(self.hashes)})"


# What asn1crypto and cryptography raise on bytes they cannot read.
_PARSE_ERRORS = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    OverflowError,
    UnsupportedAlgorithm,
)


def parse_sod(raw: bytes) -> ParsedSod:
    """The parts of EF.SOD that passive authentication needs; SodError (a ValueError) when it is
    malformed. The algorithms are not judged here, only read."""
    with _shared_asn1_maps():
        try:
            return _parse_sod(raw)
        except SodError:
            raise
        except _PARSE_ERRORS as exc:
            raise SodError(f"malformed SOD: {type(exc).__name__}: {exc}"[:300]) from None


def _single_values(attributes: cms.CMSAttributes, kind: str) -> list[core.Asn1Value]:
    found = [a for a in attributes if a["type"].dotted == kind]
    return [v for a in found for v in a["values"]] if all(len(a["values"]) == 1 for a in found) else []


def _parse_sod(raw: bytes) -> ParsedSod:
    info = cms.ContentInfo.load(unwrap(raw, TAG_SOD))
    if info["content_type"].dotted != "1.2.840.113549.1.7.2":
        raise SodError("the SOD is not a SignedData")
    signed = info["content"]
    encap = signed["encap_content_info"]
    if encap["content_type"].dotted != OID_LDS_SECURITY_OBJECT:
        raise SodError("the SOD's content is not an LDS security object")
    wrapped = encap["content"]
    if wrapped is None or isinstance(wrapped, core.Void):
        raise SodError("the SOD has no content")
    content = bytes(wrapped.native)
    lso = LdsSecurityObject.load(content)
    hashes: dict[int, bytes] = {}
    for value in lso["data_group_hash_values"]:
        number = int(value["data_group_number"].native)
        if number in hashes or not 1 <= number <= 16:
            raise SodError(f"the SOD lists DG{number} twice or out of range")
        hashes[number] = bytes(value["data_group_hash_value"].native)
    hash_oid = lso["hash_algorithm"]["algorithm"].dotted
    hash_algorithm = DIGESTS[hash_oid][0] if hash_oid in DIGESTS else hash_oid  # judged by the caller
    infos = signed["signer_infos"]
    if len(infos) != 1:
        raise SodError(f"the SOD has {len(infos)} signers, not one")
    signer_info = infos[0]
    sid_choice = signer_info["sid"]
    sid = sid_choice.chosen
    chosen = None
    for choice in signed["certificates"] or []:
        cert = choice.chosen
        if choice.name != "certificate":
            continue
        if sid_choice.name == "issuer_and_serial_number":
            if cert.serial_number == sid["serial_number"].native and cert.issuer == sid["issuer"]:
                chosen = cert
        elif cert.key_identifier == sid.native:
            chosen = cert
    if chosen is None:
        raise SodError("the SOD holds no Document Signer certificate for its signer")
    attributes = signer_info["signed_attrs"]
    if not isinstance(attributes, cms.CMSAttributes) or not len(attributes):
        raise SodError("the SOD's signer has no signed attributes")
    ds = x509.load_der_x509_certificate(chosen.dump())
    algorithm = signer_info["signature_algorithm"]
    algorithm["algorithm"].dotted  # noqa: B018 (read now: a malformed OID fails here, not later)
    return ParsedSod(
        hash_algorithm=hash_algorithm,
        hashes=hashes,
        content=content,
        digest_algorithm=signer_info["digest_algorithm"]["algorithm"].dotted,
        signed_attributes=b"\x31" + attributes.dump()[1:],  # the SET OF, not the [0] implicit tag
        message_digests=[bytes(v.native) for v in _single_values(attributes, "1.2.840.113549.1.9.4")],
        content_types=[v.dotted for v in _single_values(attributes, "1.2.840.113549.1.9.3")],
        signature_algorithm=algos.SignedDigestAlgorithm.load(algorithm.dump()),
        signature=bytes(signer_info["signature"].native),
        signer_cert=ds,
        signer=ds.subject.rfc4514_string(),
        issuer=ds.issuer.rfc4514_string(),
        not_before=ds.not_valid_before_utc,
        not_after=ds.not_valid_after_utc,
        signer_key=ds.public_key(),
    )


def _issued_by(cert: x509.Certificate, cscas: Iterable[x509.Certificate]) -> x509.Certificate | None:
    for csca in cscas:
        try:
            if csca.subject != cert.issuer:
                continue
            cert.verify_directly_issued_by(csca)
            constraints = csca.extensions.get_extension_for_class(x509.BasicConstraints).value
        except (*_PARSE_ERRORS, InvalidSignature, x509.ExtensionNotFound):
            continue  # another CSCA, a signature that does not verify, a CA without its constraints
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
    """Check ``sod`` against the CSCA list and every data group read (number -> the whole DG file).
    Never raises: whatever goes wrong is a reason (an unforeseen error is ``sod_malformed``)."""
    with _shared_asn1_maps():
        try:
            return _passive_authentication(sod, data_groups, cscas, now)
        except Exception as exc:  # fail closed: nothing unforeseen may pass, or end the read
            log.warning("passive authentication failed unexpectedly: %s", type(exc).__name__)
            return _fail("sod_malformed", f"the SOD could not be checked: {type(exc).__name__}")


def _passive_authentication(
    sod: bytes, data_groups: Mapping[int, bytes], cscas: list[x509.Certificate], now: datetime | None
) -> PassiveAuthentication:
    try:
        parsed = parse_sod(sod)
    except SodError as exc:
        return _fail("sod_malformed", str(exc))
    signer = parsed.signer
    if not cscas:
        return _fail("csca_not_configured", "identity.chip.csca lists no certificate")
    csca = _issued_by(parsed.signer_cert, cscas)
    if csca is None:
        return _fail("ds_not_trusted", f"Document Signer {signer} issued by {parsed.issuer}")
    moment = now or datetime.now(UTC)
    if not parsed.not_before <= moment <= parsed.not_after:
        return _fail(
            "ds_expired",
            f"Document Signer {signer} valid {parsed.not_before:%Y-%m-%d} to {parsed.not_after:%Y-%m-%d}",
        )
    try:
        digest = digest_name(parsed.digest_algorithm)
        scheme = scheme_of(parsed.signature_algorithm, digest)
        digest_name(DIGEST_OIDS.get(parsed.hash_algorithm, parsed.hash_algorithm))
    except UnsupportedSignature as exc:
        return _fail("sod_algorithm_unsupported", str(exc))
    if parsed.content_types != [OID_LDS_SECURITY_OBJECT]:
        return _fail("sod_signature_invalid", "the signed attributes do not name the LDS security object")
    if parsed.message_digests != [hashlib.new(digest, parsed.content).digest()]:
        return _fail("sod_signature_invalid", "the signed message digest is not the content's hash")
    try:
        scheme.verify(parsed.signer_key, parsed.signature, parsed.signed_attributes)
    except (InvalidSignature, ValueError) as exc:
        detail = f"{scheme.describe()} signature by {signer} does not verify {exc}".strip()
        return _fail("sod_signature_invalid", detail)
    for number, raw in sorted(data_groups.items()):
        expected = parsed.hashes.get(number)
        if expected is None:
            return _fail("dg_not_in_sod", f"DG{number} has no hash in the SOD")
        if hashlib.new(parsed.hash_algorithm, raw).digest() != expected:
            return _fail("dg_hash_mismatch", f"DG{number} does not match its hash in the SOD")
    return PassiveAuthentication(
        VALID,
        f"signed by {signer} ({scheme.describe()})",
        signer,
        parsed.hash_algorithm,
        scheme.describe(),
        tuple(sorted(parsed.hashes)),
    )
