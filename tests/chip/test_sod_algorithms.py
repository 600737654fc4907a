"""Every SOD signature algorithm CMS allows for RSA and ECDSA verifies, and the others are refused with a
reason, never a crash: SODs built here with RSA (PKCS #1 v1.5 as rsaEncryption and sha*WithRSA, and
RSASSA-PSS with its parameters) and ECDSA (ecdsa-with-SHA1..512) Document Signers, then altered the way a
forger would (another hash, other PSS parameters, another algorithm named over the same signature)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import pytest
from asn1crypto import algos, cms, core
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from kiosk.cli import main as kiosk_main
from kiosk.identity.chip.issue import ChipImage, issue_chip
from kiosk.identity.chip.lds import DG_FIDS, FID_COM, FID_SOD, TAG_SOD, build_dg2
from kiosk.identity.chip.pki import document_signer_certificate, make_csca
from kiosk.identity.chip.sod import REASONS, build_sod, parse_sod, passive_authentication
from kiosk.identity.chip.sod_signature import DSA_OIDS, SignatureScheme, scheme_for
from kiosk.identity.chip.tlv import tlv, unwrap
from kiosk.identity.chip.vpicc import VirtualCard
from kiosk.samples.card import make_card_image
from tests.chip.conftest import wait_no_card

GROUPS = {1: b"\x61\x05\x5f\x1f\x02AB", 2: b"\x75\x03\x7f\x61\x00", 13: b"\x6d\x02\x30\x00"}
SHAS = ["sha1", "sha224", "sha256", "sha384", "sha512"]


@dataclass(frozen=True)
class Signer:
    csca: x509.Certificate
    key: Any
    cert: x509.Certificate


def _signer(csca_key: Any, csca: x509.Certificate, key: Any, **options: Any) -> Signer:
    return Signer(csca, key, document_signer_certificate(csca_key, csca, key.public_key(), **options))


@pytest.fixture(scope="module")
def ec_signer() -> Signer:
    csca_key, csca = make_csca("TEST CSCA EC")
    return _signer(csca_key, csca, ec.generate_private_key(ec.SECP256R1()))


@pytest.fixture(scope="module")
def rsa_signer() -> Signer:
    """An RSA CSCA and an RSA Document Signer (PKCS #1 v1.5 certificates), as many issuers have."""
    csca_key, csca = make_csca("TEST CSCA RSA", key=rsa.generate_private_key(65537, 2048))
    return _signer(csca_key, csca, rsa.generate_private_key(65537, 2048))


def _check(sod: bytes, signer: Signer) -> Any:
    return passive_authentication(sod, GROUPS, [signer.csca])


def _alter(sod: bytes, change: Callable[[cms.SignerInfo], None]) -> bytes:
    """The SOD with its SignerInfo changed and re-encoded (the signed attributes left as they were)."""
    info = cms.ContentInfo.load(unwrap(sod, TAG_SOD))
    change(info["content"]["signer_infos"][0])
    return tlv(TAG_SOD, info.dump(force=True))


def _name_algorithm(algorithm: algos.SignedDigestAlgorithm) -> Callable[[cms.SignerInfo], None]:
    def change(signer_info: cms.SignerInfo) -> None:
        signer_info["signature_algorithm"] = algorithm

    return change


# -- ECDSA ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("hash_name", SHAS)
def test_ecdsa_with_each_sha_verifies(ec_signer: Signer, hash_name: str) -> None:
    sod = build_sod(GROUPS, ec_signer.key, ec_signer.cert, hash_name=hash_name)
    result = _check(sod, ec_signer)
    assert (result.status, result.signature_algorithm) == ("valid", f"{hash_name} with ECDSA")
    assert result.hash_algorithm == hash_name and result.sod_groups == (1, 2, 13)
    forged = build_sod(GROUPS, ec.generate_private_key(ec.SECP256R1()), ec_signer.cert, hash_name=hash_name)
    assert _check(forged, ec_signer).status == "sod_signature_invalid"


def test_a_p384_document_signer_with_ecdsa_sha384(ec_signer: Signer) -> None:
    csca_key, csca = make_csca("TEST CSCA P-384", key=ec.generate_private_key(ec.SECP384R1()))
    signer = _signer(csca_key, csca, ec.generate_private_key(ec.SECP384R1()))
    sod = build_sod(GROUPS, signer.key, signer.cert, hash_name="sha384")
    assert _check(sod, signer).status == "valid"


def test_id_ec_public_key_takes_the_hash_of_the_digest_algorithm(ec_signer: Signer) -> None:
    """Some issuers name id-ecPublicKey instead of ecdsa-with-SHA*: the hash is the digestAlgorithm's."""
    named = scheme_for("id-ecPublicKey", "sha256")
    sod = build_sod(GROUPS, ec_signer.key, ec_signer.cert, scheme=named)
    assert _check(sod, ec_signer).signature_algorithm == "id-ecPublicKey with sha256"
    assert _check(sod, ec_signer).valid
    # Signed with SHA-384 while the digest algorithm says SHA-256: the signature does not verify.
    other = SignatureScheme("ecdsa", "sha384", named.oid)
    assert _check(build_sod(GROUPS, ec_signer.key, ec_signer.cert, scheme=other), ec_signer).status == (
        "sod_signature_invalid"
    )


# -- RSA -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("hash_name", SHAS)
def test_rsa_encryption_takes_the_hash_of_the_digest_algorithm(rsa_signer: Signer, hash_name: str) -> None:
    """The real-world SOD of issue 23: signatureAlgorithm rsaEncryption (1.2.840.113549.1.1.1), no hash
    named, crashed the reader with 'Hash algorithm not known for rsassa_pkcs1v15'."""
    scheme = scheme_for("rsaEncryption", hash_name)
    sod = build_sod(GROUPS, rsa_signer.key, rsa_signer.cert, hash_name=hash_name, scheme=scheme)
    assert parse_sod(sod).signature_algorithm["algorithm"].dotted == "1.2.840.113549.1.1.1"
    result = _check(sod, rsa_signer)
    assert (result.status, result.signature_algorithm) == ("valid", f"rsaEncryption with {hash_name}")


def test_rsa_encryption_signed_with_another_hash_than_the_digest_algorithm_fails(rsa_signer: Signer) -> None:
    lying = SignatureScheme("rsa_pkcs1v15", "sha384", "1.2.840.113549.1.1.1")  # digestAlgorithm: sha256
    sod = build_sod(GROUPS, rsa_signer.key, rsa_signer.cert, hash_name="sha256", scheme=lying)
    assert _check(sod, rsa_signer).status == "sod_signature_invalid"


@pytest.mark.parametrize("hash_name", SHAS)
def test_sha_with_rsa_encryption_verifies(rsa_signer: Signer, hash_name: str) -> None:
    sod = build_sod(GROUPS, rsa_signer.key, rsa_signer.cert, hash_name=hash_name)
    assert _check(sod, rsa_signer).signature_algorithm == f"{hash_name} with RSA"
    assert _check(sod, rsa_signer).valid
    # The same signature presented as sha*WithRSA of another hash does not verify.
    other = "sha256" if hash_name != "sha256" else "sha512"
    renamed = _alter(sod, _name_algorithm(scheme_for("rsa_pkcs1v15", other).algorithm_identifier()))
    assert _check(renamed, rsa_signer).status == "sod_signature_invalid"


@pytest.mark.parametrize(
    ("hash_name", "mgf1_hash", "salt"),
    [("sha256", "sha256", 32), ("sha384", "sha384", 48), ("sha512", "sha256", 0), ("sha224", "sha1", 20)],
)
def test_rsassa_pss_with_its_parameters_verifies(
    rsa_signer: Signer, hash_name: str, mgf1_hash: str, salt: int
) -> None:
    scheme = scheme_for("rsa_pss", hash_name, mgf1_hash=mgf1_hash, salt_length=salt)
    sod = build_sod(GROUPS, rsa_signer.key, rsa_signer.cert, hash_name=hash_name, scheme=scheme)
    result = _check(sod, rsa_signer)
    assert result.status == "valid"
    assert result.signature_algorithm == f"RSASSA-PSS ({hash_name}, MGF1 {mgf1_hash}, salt {salt})"


def test_rsassa_pss_with_default_parameters(rsa_signer: Signer) -> None:
    """RFC 4055's defaults (SHA-1, MGF1 with SHA-1, 20-byte salt) are encoded as an empty SEQUENCE."""
    scheme = scheme_for("rsa_pss", "sha1", mgf1_hash="sha1", salt_length=20)
    assert scheme.algorithm_identifier()["parameters"].dump() == b"\x30\x00"
    sod = build_sod(GROUPS, rsa_signer.key, rsa_signer.cert, hash_name="sha1", scheme=scheme)
    assert _check(sod, rsa_signer).status == "valid"


@pytest.mark.parametrize(
    "lie",
    [
        {"salt_length": 20},  # signed with a 32-byte salt
        {"mgf1_hash": "sha1"},  # signed with MGF1-SHA256
        {"hash_name": "sha384"},  # signed with SHA-256
    ],
)
def test_rsassa_pss_parameters_that_lie_fail(rsa_signer: Signer, lie: dict[str, Any]) -> None:
    signed = scheme_for("rsa_pss", "sha256", mgf1_hash="sha256", salt_length=32)
    sod = build_sod(GROUPS, rsa_signer.key, rsa_signer.cert, scheme=signed)
    named = SignatureScheme(
        "rsa_pss",
        lie.get("hash_name", "sha256"),
        signed.oid,
        lie.get("mgf1_hash", "sha256"),
        lie.get("salt_length", 32),
    )
    assert _check(_alter(sod, _name_algorithm(named.algorithm_identifier())), rsa_signer).status == (
        "sod_signature_invalid"
    )


def test_a_pss_certified_document_signer_under_an_rsa_csca() -> None:
    csca_key, csca = make_csca(
        "TEST CSCA RSA-PSS",
        key=rsa.generate_private_key(65537, 2048),
        rsa_padding=padding.PSS(padding.MGF1(hashes.SHA256()), 32),
    )
    signer = _signer(
        csca_key,
        csca,
        rsa.generate_private_key(65537, 2048),
        rsa_padding=padding.PSS(padding.MGF1(hashes.SHA256()), 32),
    )
    sod = build_sod(GROUPS, signer.key, signer.cert, scheme=scheme_for("rsa_pss", "sha256"))
    assert _check(sod, signer).status == "valid"


def test_the_algorithm_must_fit_the_document_signers_key(ec_signer: Signer, rsa_signer: Signer) -> None:
    rsa_sod = build_sod(GROUPS, rsa_signer.key, rsa_signer.cert)
    as_ecdsa = _alter(rsa_sod, _name_algorithm(scheme_for("ecdsa", "sha256").algorithm_identifier()))
    refused = _check(as_ecdsa, rsa_signer)
    assert refused.status == "sod_signature_invalid" and "key is RSA" in refused.detail
    ec_sod = build_sod(GROUPS, ec_signer.key, ec_signer.cert)
    as_rsa = _alter(ec_sod, _name_algorithm(scheme_for("rsaEncryption", "sha256").algorithm_identifier()))
    assert "key is EC" in _check(as_rsa, ec_signer).detail


# -- refused, with a reason ----------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::cryptography.utils.CryptographyDeprecationWarning")
def test_a_dsa_document_signer_is_refused(ec_signer: Signer) -> None:
    from cryptography.hazmat.primitives.asymmetric import dsa

    class DsaScheme(SignatureScheme):
        def sign(self, key: object, data: bytes) -> bytes:
            assert isinstance(key, dsa.DSAPrivateKey)
            return key.sign(data, hashes.SHA256())

        def algorithm_identifier(self) -> algos.SignedDigestAlgorithm:
            return algos.SignedDigestAlgorithm({"algorithm": self.oid})

    csca_key, csca = make_csca("TEST CSCA for DSA")
    signer = _signer(csca_key, csca, dsa.generate_private_key(2048))
    sod = build_sod(GROUPS, signer.key, signer.cert, scheme=DsaScheme("dsa", "sha256", DSA_OIDS["sha256"]))
    result = _check(sod, signer)
    assert result.status == "sod_algorithm_unsupported" and "DSA with SHA-256" in result.detail
    assert "sod_algorithm_unsupported" in REASONS


@pytest.mark.parametrize(
    ("algorithm", "words"),
    [
        ({"algorithm": "1.2.3.4.5"}, "unknown signature algorithm 1.2.3.4.5"),
        ({"algorithm": "1.2.840.113549.1.1.4", "parameters": core.Null()}, "MD5 with RSA"),
        ({"algorithm": "1.2.840.113549.1.1.10"}, "RSASSA-PSS without parameters"),
        (
            {
                "algorithm": "1.2.840.113549.1.1.10",
                "parameters": {"mask_gen_algorithm": {"algorithm": "1.2.3.4", "parameters": core.Null()}},
            },
            "not MGF1",
        ),
        ({"algorithm": "1.2.840.113549.1.1.10", "parameters": {"trailer_field": 2}}, "trailer field"),
    ],
)
def test_unsupported_signature_algorithms_are_refused_with_a_reason(
    rsa_signer: Signer, algorithm: dict[str, Any], words: str
) -> None:
    sod = build_sod(GROUPS, rsa_signer.key, rsa_signer.cert)
    result = _check(_alter(sod, _name_algorithm(algos.SignedDigestAlgorithm(algorithm))), rsa_signer)
    assert result.status == "sod_algorithm_unsupported" and words in result.detail


@pytest.mark.parametrize("parameters", ["0500", "0400", "0200", "a100"])
def test_pss_parameters_that_are_not_pss_parameters_are_refused(rsa_signer: Signer, parameters: str) -> None:
    """Bytes no library writes: the SignerInfo's sha256WithRSA turned into RSASSA-PSS whose parameters
    are a NULL, an empty OCTET STRING, an empty INTEGER or a stray context tag (same length: no
    enclosing length changes)."""
    sod = build_sod(GROUPS, rsa_signer.key, rsa_signer.cert)
    genuine = bytes.fromhex("300d06092a864886f70d01010b0500")
    at = sod.rfind(genuine)  # the SignerInfo's, after the certificate's own
    forged = bytes.fromhex("300d06092a864886f70d01010a") + bytes.fromhex(parameters)
    result = _check(sod[:at] + forged + sod[at + len(genuine) :], rsa_signer)
    assert result.status == "sod_algorithm_unsupported" and "RSASSA-PSS" in result.detail


def test_an_unknown_digest_algorithm_is_refused_with_a_reason(rsa_signer: Signer) -> None:
    sod = build_sod(GROUPS, rsa_signer.key, rsa_signer.cert, scheme=scheme_for("rsaEncryption", "sha256"))

    def md5(signer_info: cms.SignerInfo) -> None:
        signer_info["digest_algorithm"] = algos.DigestAlgorithm({"algorithm": "1.2.840.113549.2.5"})

    result = _check(_alter(sod, md5), rsa_signer)
    assert result.status == "sod_algorithm_unsupported" and "1.2.840.113549.2.5" in result.detail


# -- kiosk id chip over pcscd: the SOD of issue 23, and a reason key instead of a traceback --------------
def _resign(image: ChipImage, signer: Signer, scheme: SignatureScheme, **replace: bytes) -> ChipImage:
    """The chip re-issued by another Document Signer (and data groups replaced: ``dg2=...``)."""
    groups = {n: image.files[fid] for n, fid in DG_FIDS.items() if fid in image.files}
    groups.update({int(name[2:]): raw for name, raw in replace.items()})
    files = {DG_FIDS[n]: raw for n, raw in groups.items()}
    files[FID_COM], files[FID_SOD] = (
        image.files[FID_COM],
        build_sod(groups, signer.key, signer.cert, scheme=scheme),
    )
    return dataclasses.replace(image, files=files)


def _pcsc_config(tmp_path: Path, csca: x509.Certificate) -> Path:
    (tmp_path / "csca.pem").write_bytes(csca.public_bytes(serialization.Encoding.PEM))
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n'
        '[devices.chip_reader]\ntype = "pcsc"\nreader = "Virtual PCD 00 00"\n'
        f'[identity]\nchip_csca = ["{tmp_path / "csca.pem"}"]\nchip_wait_s = 5\n',
        encoding="utf-8",
    )
    return path


def test_kiosk_id_chip_reads_an_rsa_encryption_sod_and_says_why_it_refuses(
    live_pcscd, tmp_path: Path, citizen, portrait, pki, rsa_signer: Signer, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    config = _pcsc_config(tmp_path, rsa_signer.csca)
    card = tmp_path / "card.png"
    cv2.imwrite(str(card), make_card_image(citizen, portrait=portrait))
    args = ["id", "chip", "--json", "--config", str(config), "--card", str(card)]
    genuine = issue_chip(citizen, portrait, pki)
    with VirtualCard(
        _resign(genuine, rsa_signer, scheme_for("rsaEncryption", "sha256")).chip(), port=live_pcscd.port
    ):
        assert kiosk_main(args) == 0
    read = json.loads(capsys.readouterr().out)
    assert (read["passive_authentication"], read["signature_algorithm"]) == (
        "valid",
        "rsaEncryption with sha256",
    )
    assert read["ok"] is True and read["dg13"] == "present"
    wait_no_card(live_pcscd)
    pss = _resign(genuine, rsa_signer, scheme_for("rsa_pss", "sha256"))
    truncated = dataclasses.replace(pss, files={**pss.files, FID_SOD: pss.files[FID_SOD][:-300]})
    with VirtualCard(truncated.chip(), port=live_pcscd.port):
        assert kiosk_main(args) == 2  # the file ends before its length: the read fails, named
    out, err = capsys.readouterr()
    assert json.loads(out)["reason"] == "sod_malformed" and "Traceback" not in err
    wait_no_card(live_pcscd)
    sod = pss.files[FID_SOD]
    garbled = sod[:8] + bytes(64) + sod[72:]  # same length, the CMS inside broken
    with VirtualCard(
        dataclasses.replace(pss, files={**pss.files, FID_SOD: garbled}).chip(),
        port=live_pcscd.port,
    ):
        assert kiosk_main(args) == 1  # read, and refused by passive authentication
    out, err = capsys.readouterr()
    refused = json.loads(out)
    assert (refused["ok"], refused["reason"], refused["passive_authentication"]) == (
        False,
        "sod_malformed",
        "sod_malformed",
    )
    assert "Traceback" not in err
    wait_no_card(live_pcscd)
    undecodable = _resign(
        genuine,
        rsa_signer,
        scheme_for("rsa_pkcs1v15", "sha384"),
        dg2=build_dg2(b"\xff\xd8 not a JPEG", 360, 480),
    )
    with VirtualCard(undecodable.chip(), port=live_pcscd.port):
        assert (
            kiosk_main(args) == 0
        )  # the command reads and reports; the visit needs a portrait it can decode
    assert json.loads(capsys.readouterr().out)["portrait"] == "image/jpeg"


def test_kiosk_id_chip_prints_a_reason_key_when_the_read_fails(
    live_pcscd, tmp_path: Path, citizen, portrait, pki, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    config = _pcsc_config(tmp_path, pki.csca)
    args = ["id", "chip", "--json", "--config", str(config), "--number", "190012345", "--birth", "1990-03-15"]
    with VirtualCard(issue_chip(citizen, portrait, pki).chip(), port=live_pcscd.port):
        assert kiosk_main([*args, "--expiry", "2031-03-15"]) == 2  # a wrong expiry: a wrong access key
    out, err = capsys.readouterr()
    assert json.loads(out) == {
        "ok": False,
        "reason": "bac_failed",
        "message": json.loads(out)["message"],
        "detail": json.loads(out)["detail"],
    }
    assert err.strip().endswith("(reason: bac_failed)") and len(err.strip().splitlines()) == 1


def test_the_visit_refuses_a_portrait_it_cannot_decode(citizen, portrait, pki, ec_signer: Signer) -> None:  # type: ignore[no-untyped-def]
    from drivers.chip_reader import SimulatedChipReader
    from kiosk.config import parse_config
    from kiosk.identity.chip.errors import ChipError
    from kiosk.identity.chip.kiosk_chip import check_chip

    image = _resign(
        issue_chip(citizen, portrait, pki),
        ec_signer,
        scheme_for("ecdsa", "sha256"),
        dg2=build_dg2(b"\xff\xd8 not a JPEG", 360, 480),
    )
    reader = SimulatedChipReader(card=image.chip())
    with pytest.raises(ChipError) as failed:
        check_chip(reader, citizen, lambda: [ec_signer.csca], parse_config({}).identity)
    assert failed.value.reason == "dg2_malformed"
