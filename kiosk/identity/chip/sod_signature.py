"""The SOD signer's signature algorithm, as CMS allows it for RSA and ECDSA (RFC 5652, RFC 3370, RFC 4056,
RFC 5753, RFC 5754; ICAO 9303 part 12 section 4.2 and appendix B), read from the SignerInfo and checked.

* ``rsaEncryption`` (PKCS #1 v1.5) names no hash: the hash is the SignerInfo's ``digestAlgorithm``
  (RFC 3370 section 3.2). So does ``id-ecPublicKey`` where an issuer put it in place of ecdsa-with-SHA*.
* ``sha*WithRSAEncryption`` and ``ecdsa-with-SHA*`` name their hash.
* ``RSASSA-PSS`` carries its parameters: the hash, the mask generation function (MGF1 only) and its
  hash, the salt length and the trailer field (1 only); each absent one takes RFC 4055's default.

Anything else (DSA, MD5 or MD2 with RSA, an unknown OID, PSS with another MGF) is refused with
``sod_algorithm_unsupported`` (:class:`UnsupportedSignature`), never a crash; a key whose type is not the
algorithm's fails the signature check. The OIDs are compared dotted, so asn1crypto's name maps are not
involved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from asn1crypto import algos, core
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

# Digest algorithms by OID: the name (hashlib's and this module's) and cryptography's class.
DIGESTS: dict[str, tuple[str, type[hashes.HashAlgorithm]]] = {
    "1.3.14.3.2.26": ("sha1", hashes.SHA1),
    "2.16.840.1.101.3.4.2.4": ("sha224", hashes.SHA224),
    "2.16.840.1.101.3.4.2.1": ("sha256", hashes.SHA256),
    "2.16.840.1.101.3.4.2.2": ("sha384", hashes.SHA384),
    "2.16.840.1.101.3.4.2.3": ("sha512", hashes.SHA512),
}
HASHES: dict[str, type[hashes.HashAlgorithm]] = dict(DIGESTS.values())
DIGEST_OIDS = {name: oid for oid, (name, _) in DIGESTS.items()}

RSA_ENCRYPTION = "1.2.840.113549.1.1.1"
RSASSA_PSS = "1.2.840.113549.1.1.10"
MGF1 = "1.2.840.113549.1.1.8"
EC_PUBLIC_KEY = "1.2.840.10045.2.1"
RSA_PKCS1 = "rsa_pkcs1v15"
RSA_PSS = "rsa_pss"
ECDSA = "ecdsa"

# Signature algorithms that name their hash: OID -> (kind, hash).
_WITH_HASH: dict[str, tuple[str, str]] = {
    "1.2.840.113549.1.1.5": (RSA_PKCS1, "sha1"),
    "1.2.840.113549.1.1.14": (RSA_PKCS1, "sha224"),
    "1.2.840.113549.1.1.11": (RSA_PKCS1, "sha256"),
    "1.2.840.113549.1.1.12": (RSA_PKCS1, "sha384"),
    "1.2.840.113549.1.1.13": (RSA_PKCS1, "sha512"),
    "1.2.840.10045.4.1": (ECDSA, "sha1"),
    "1.2.840.10045.4.3.1": (ECDSA, "sha224"),
    "1.2.840.10045.4.3.2": (ECDSA, "sha256"),
    "1.2.840.10045.4.3.3": (ECDSA, "sha384"),
    "1.2.840.10045.4.3.4": (ECDSA, "sha512"),
}
# Signature algorithms whose hash is the SignerInfo's digestAlgorithm.
_HASH_FROM_DIGEST = {RSA_ENCRYPTION: RSA_PKCS1, EC_PUBLIC_KEY: ECDSA}
# Known, and refused: what to call them in the reason's detail.
_REFUSED = {
    "1.2.840.10040.4.1": "DSA",
    "1.2.840.10040.4.3": "DSA with SHA-1",
    "2.16.840.1.101.3.4.3.1": "DSA with SHA-224",
    "2.16.840.1.101.3.4.3.2": "DSA with SHA-256",
    "1.2.840.113549.1.1.2": "MD2 with RSA",
    "1.2.840.113549.1.1.4": "MD5 with RSA",
    "1.2.840.113549.1.1.7": "RSAES-OAEP (an encryption scheme)",
}
OID_BY_KIND_HASH = {value: oid for oid, value in _WITH_HASH.items()}
DSA_OIDS = {
    "sha1": "1.2.840.10040.4.3",
    "sha224": "2.16.840.1.101.3.4.3.1",
    "sha256": "2.16.840.1.101.3.4.3.2",
}


class UnsupportedSignature(ValueError):
    """The SOD names a signature algorithm (or parameters) the kiosk does not verify."""


@dataclass(frozen=True)
class SignatureScheme:
    """One way of signing: ``kind`` (rsa_pkcs1v15, rsa_pss, ecdsa), its hash, and for PSS the MGF1 hash
    and the salt length. ``oid`` is the algorithm identifier as the SignerInfo spells it."""

    kind: str
    hash_name: str
    oid: str
    mgf1_hash: str = ""
    salt_length: int = 0

    def describe(self) -> str:
        if self.kind == RSA_PSS:
            return f"RSASSA-PSS ({self.hash_name}, MGF1 {self.mgf1_hash}, salt {self.salt_length})"
        if self.oid in _HASH_FROM_DIGEST:
            return f"{'rsaEncryption' if self.kind == RSA_PKCS1 else 'id-ecPublicKey'} with {self.hash_name}"
        return f"{self.hash_name} with {'ECDSA' if self.kind == ECDSA else 'RSA'}"

    # -- the issuer's side (the simulated chip's SOD, and the tests' SODs) --------------------------
    def algorithm_identifier(self) -> algos.SignedDigestAlgorithm:
        if self.kind == RSA_PSS:
            params = algos.RSASSAPSSParams(
                {
                    "hash_algorithm": {"algorithm": DIGEST_OIDS[self.hash_name], "parameters": core.Null()},
                    "mask_gen_algorithm": {
                        "algorithm": MGF1,
                        "parameters": {"algorithm": DIGEST_OIDS[self.mgf1_hash], "parameters": core.Null()},
                    },
                    "salt_length": self.salt_length,
                }
            )
            return algos.SignedDigestAlgorithm({"algorithm": self.oid, "parameters": params})
        if self.kind == RSA_PKCS1:
            return algos.SignedDigestAlgorithm({"algorithm": self.oid, "parameters": core.Null()})
        return algos.SignedDigestAlgorithm({"algorithm": self.oid})

    def sign(self, key: object, data: bytes) -> bytes:
        chosen = HASHES[self.hash_name]()
        if self.kind == ECDSA and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(chosen))
        if self.kind == RSA_PKCS1 and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), chosen)
        if self.kind == RSA_PSS and isinstance(key, rsa.RSAPrivateKey):
            pss = padding.PSS(padding.MGF1(HASHES[self.mgf1_hash]()), self.salt_length)
            return key.sign(data, pss, chosen)
        raise TypeError(f"a {type(key).__name__} cannot sign {self.kind}")

    # -- the kiosk's side ----------------------------------------------------------------------------
    def verify(self, public_key: object, signature: bytes, data: bytes) -> None:
        """Raise InvalidSignature unless ``signature`` over ``data`` verifies with ``public_key``."""
        chosen = HASHES[self.hash_name]()
        if self.kind == ECDSA:
            if not isinstance(public_key, ec.EllipticCurvePublicKey):
                raise InvalidSignature(
                    f"the SOD says ECDSA, the Document Signer's key is {_key_kind(public_key)}"
                )
            public_key.verify(signature, data, ec.ECDSA(chosen))
            return
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise InvalidSignature(f"the SOD says RSA, the Document Signer's key is {_key_kind(public_key)}")
        if self.kind == RSA_PSS:
            pss = padding.PSS(padding.MGF1(HASHES[self.mgf1_hash]()), self.salt_length)
            public_key.verify(signature, data, pss, chosen)
        else:
            public_key.verify(signature, data, padding.PKCS1v15(), chosen)


def _key_kind(key: object) -> str:
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "EC"
    return type(key).__name__.removeprefix("_").replace("PublicKey", "")  # DSA, Ed25519...


def digest_name(oid: str) -> str:
    """The hash name of a digest algorithm OID; UnsupportedSignature for any other."""
    if oid not in DIGESTS:
        raise UnsupportedSignature(f"digest algorithm {oid} is not SHA-1 or SHA-2")
    return DIGESTS[oid][0]


class _AlgorithmIdentifier(core.Sequence):
    """AlgorithmIdentifier with its parameters left as bytes (asn1crypto would parse them by the OID,
    and fail on a forger's bytes before the kiosk could say which algorithm it refuses)."""

    _fields: ClassVar[list[Any]] = [
        ("algorithm", core.ObjectIdentifier),
        ("parameters", core.Any, {"optional": True}),
    ]


def _pss_scheme(parameters: bytes) -> SignatureScheme:
    """RSASSA-PSS-params (RFC 4055 section 3.1), each field with its default when absent."""
    if parameters in (b"", b"\x05\x00"):
        raise UnsupportedSignature("RSASSA-PSS without parameters")
    try:
        params = algos.RSASSAPSSParams.load(parameters)
        hash_oid = params["hash_algorithm"]["algorithm"].dotted
        mgf = params["mask_gen_algorithm"]
        mgf_oid = mgf["algorithm"].dotted
        mgf_hash = (
            algos.DigestAlgorithm.load(mgf["parameters"].dump())["algorithm"].dotted
            if mgf_oid == MGF1
            else ""
        )
        salt = int(params["salt_length"].native)
        trailer = params["trailer_field"].native
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as exc:
        raise UnsupportedSignature(
            f"RSASSA-PSS parameters that cannot be read ({type(exc).__name__})"
        ) from None
    if mgf_oid != MGF1:
        raise UnsupportedSignature(f"RSASSA-PSS with mask generation {mgf_oid}, not MGF1")
    if trailer not in ("trailer_field_bc", 1):
        raise UnsupportedSignature(f"RSASSA-PSS with trailer field {trailer}")
    if not 0 <= salt <= 1024:
        raise UnsupportedSignature(f"RSASSA-PSS with a salt of {salt} bytes")
    return SignatureScheme(RSA_PSS, digest_name(hash_oid), RSASSA_PSS, digest_name(mgf_hash), salt)


def scheme_of(algorithm: algos.SignedDigestAlgorithm, digest_algorithm: str) -> SignatureScheme:
    """The scheme of a SignerInfo's signatureAlgorithm; ``digest_algorithm`` is its digestAlgorithm's
    hash name (the hash of rsaEncryption). UnsupportedSignature for what is refused."""
    identifier = _AlgorithmIdentifier.load(algorithm.dump())
    oid = identifier["algorithm"].dotted
    if oid in _WITH_HASH:
        kind, hash_name = _WITH_HASH[oid]
        return SignatureScheme(kind, hash_name, oid)
    if oid in _HASH_FROM_DIGEST:
        return SignatureScheme(_HASH_FROM_DIGEST[oid], digest_algorithm, oid)
    if oid == RSASSA_PSS:
        parameters = identifier["parameters"]
        return _pss_scheme(b"" if isinstance(parameters, core.Void) else parameters.dump())
    if oid in _REFUSED:
        raise UnsupportedSignature(f"signature algorithm {_REFUSED[oid]} ({oid}) is not supported")
    raise UnsupportedSignature(f"unknown signature algorithm {oid}")


def scheme_for(kind: str, hash_name: str = "sha256", **pss: int | str) -> SignatureScheme:
    """A scheme by name, for building SODs: ``scheme_for("ecdsa", "sha384")``, ``scheme_for("rsa_pss",
    "sha256", mgf1_hash="sha256", salt_length=32)``, ``scheme_for("rsaEncryption", "sha256")``."""
    if kind == "rsaEncryption":
        return SignatureScheme(RSA_PKCS1, hash_name, RSA_ENCRYPTION)
    if kind == "id-ecPublicKey":
        return SignatureScheme(ECDSA, hash_name, EC_PUBLIC_KEY)
    if kind == RSA_PSS:
        mgf1 = str(pss.get("mgf1_hash", hash_name))
        salt = int(pss.get("salt_length", HASHES[hash_name]().digest_size))
        return SignatureScheme(RSA_PSS, hash_name, RSASSA_PSS, mgf1, salt)
    return SignatureScheme(kind, hash_name, OID_BY_KIND_HASH[(kind, hash_name)])
