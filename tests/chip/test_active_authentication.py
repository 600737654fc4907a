"""Active Authentication's verification (kiosk.identity.chip.aa), attacked the way a cloner would: RSA with
ISO/IEC 9796-2 scheme 1 (known answers from a real passport, every trailer, every malformed representative)
and ECDSA with the hash DG14 names. Every bad answer is a ``failed`` verdict with the check that said so;
nothing raises. The chip-level and pcscd tests are in test_active_authentication_read.py."""

from __future__ import annotations

import hashlib
import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.identity.chip import aa
from kiosk.identity.chip.ca import build_dg14
from kiosk.identity.chip.tlv import tlv

FUZZ = settings(
    max_examples=int(os.environ.get("CHIP_FUZZ_EXAMPLES", "300")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# Known answers. A real passport's DG15 (RSA-1024) with four challenges, each answered with a SHA-1
# ('BC') signature, and M1 as the passport recovered it; then ICAO Doc 9303 part 11's worked example of a
# message representative F (appendix F) with its RND.IFD. The values are from pymrtd's test suite
# (ZeroPass/pymrtd tests/pki/iso9796e2_test.py), which took them from a passport and from Doc 9303.
PASSPORT_DG15 = bytes.fromhex(
    "6F81A230819F300D06092A864886F70D010101050003818D0030818902818100BD8620D45693E1CD8678639F22E9553F09E3"
    "AFD87BD26000113CE2798B7A02A2E0AB6B7525D09072109D938D6708167E8FAFAF83F17BFBA36CECCE26058C7ED9AE295167"
    "55B19F78CE0E73DA02340B117B8AB2ECA007F1390E93E896016335EB5C1E330B961C03E253D17874F7ABEE8D4962C49FFE57"
    "8D46954FF23B26F5E5550203010001"
)
PASSPORT_ANSWERS = [
    (
        "47E4EE7F211F7326",
        "8AECE4E0AB1A6B9E06B31ACBA51AE316D0B7B48E2F5FE13E575060F6B9DC27A2F9D03DCF67A141F466EEC753879106BE0992"
        "F46F5EAAD075EB1886D2ACE90D60C2EDA69880780CE4FA36EF27AB01C47527BD23B178EC8F213307281572C219487FC11B2C"
        "3D9C144DC98D96D1A79A7478449D692D3D14E8C044F81B3ADF0047E0",
        "60735d54c4fc7759a2093c4b6f6f09dac2ddb103bd14b512e5683aed8ed7eb8fd3dd6bf122dadf8c2c43d359f8f6e6537dad"
        "ec03d21b385a9b3bf6111751558f860ce3701574d742962110ad81d08f13e5e9439d912ac2b3f61d60cc48700f5260a82ca0"
        "6362dd077e75",
    ),
    (
        "5DD17658F6E21C13",
        "97251259E9EB453A8DC2D9CD85D5A49D2E83F31D6465CB1FBD09C5E7800D4F0FB9FF7312343CD3955CA3BE6768AD7938F3D3"
        "6B0C9E2205923786949B5F48FBF1C94D01B5BC9DA88C8293E118F87E14E4CC409D52AA7ED266E20248AB3C04949838540DEB"
        "24588436607EA620B4825D002C5FAB4F07B618D72C0A9EC247653FE7",
        "51d3acac47e1f3b2f438218d4deb5386f6a53d74271c4c2498c86c721f485f0332ff4d1ab94b559fbf4c6c73917647eaa09f"
        "f5d179fb7a5e84327b6ded162a967ef0fd78d8f3f05cb360a4aa78651f4464c830a62575d4fbea6fe56f6021e50970925c74"
        "47b7d0274f68",
    ),
    (
        "0A2756299542EFCF",
        "0854CF7B69FB54286F97FC8B396722E21156DFEEC38CF5C63035B09A59C4EA7FCA79865D5EE166548AAE5AE1F629A57459B4"
        "6F5D1D1E4EFE9369C0075903D3CA282D6B2CF5843E62CE53BEA33E3D6AA7A48147CC38C9B534437FD0DCD0F0C787BE74061D"
        "FA844435253D651E7986BA47F49FA49D7041BD1FE72B5E5D09221FD1",
        "6ed132d3836b72e561edfb1948b8cfc6049de6d00a724a9747f13fb2ad26676455bf1bf2a7b29a5b27b34c893bdabee203e1"
        "c8a20ffb277971363fc74543ac6419916ae2179360252519e25e4f2e5534810071072a34c25b92773e61f6ab75c35da4238b"
        "d78eb6cbbdde",
    ),
]
ICAO_RND_IFD = bytes.fromhex("F173589974BF40C6")
ICAO_F = bytes.fromhex(
    "6A9D2784A67F8E7C659973EA1AEA25D95B6C8F91E5002F369F0FBDCE8A3CEC1991B543F1696546C5524CF23A5303CD6C9859"
    "9F40B79F377B5F3A1406B3B4D8F96784D23AA88DB7E1032A405E69325FA91A6E86F5C71AEA978264C4A207446DAD4E7292E2"
    "DCDA3024B47DA8C063AA1E6D22FBD976AB0FE73D94D2D9C6D88127BC"
)


def _passport_key() -> rsa.RSAPublicKey:
    key = serialization.load_der_public_key(PASSPORT_DG15[3:])
    assert isinstance(key, rsa.RSAPublicKey)
    return key


def _spki(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    """An RSA-1024 key whose modulus is 1 mod 16: then n - F never ends in nibble C when F ends in 'D',
    so a crafted bad trailer is found as a bad trailer (the opening function tries both F and n - F)."""
    while True:
        key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        if key.public_key().public_numbers().n % 16 == 1:
            return key


def _signed(key: rsa.RSAPrivateKey, block: bytes) -> bytes:
    """What a chip holding ``key`` answers when it signs the representative ``block`` (right or wrong)."""
    return aa.rsa_raw_sign(key, block)


# -- known answers ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("challenge", "signature", "m1"), PASSPORT_ANSWERS)
def test_a_real_passports_rsa_answers_verify(challenge: str, signature: str, m1: str) -> None:
    key_info = PASSPORT_DG15[3:]
    result = aa.verify(key_info, bytes.fromhex(challenge), bytes.fromhex(signature))
    assert result == aa.AaResult(aa.VALID, "", "rsa-iso9796-2/sha1")
    opened = aa.open_representative(_passport_key(), bytes.fromhex(signature))
    assert isinstance(opened, aa.Recovered) and opened.partial and opened.message == bytes.fromhex(m1)
    # The same answer to another challenge (a replay) does not verify.
    other = bytes.fromhex(PASSPORT_ANSWERS[0][0] if challenge != PASSPORT_ANSWERS[0][0] else "00" * 8)
    assert aa.verify(key_info, other, bytes.fromhex(signature)).detail == "digest_mismatch"


def test_the_icao_worked_example_is_what_the_chip_side_builds() -> None:
    """Doc 9303 part 11's F: '6A' || M1 (106 bytes) || SHA-1(M1 || RND.IFD) || 'BC' for a 1024-bit key;
    the simulated chip's representative for that M1 and RND.IFD is the same bytes."""
    m1, digest = ICAO_F[1:107], ICAO_F[107:127]
    assert hashlib.sha1(m1 + ICAO_RND_IFD).digest() == digest
    assert aa.representative(1024, ICAO_RND_IFD, "sha1", nonce=m1) == ICAO_F


# -- genuine answers, every trailer -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("hash_name", "bits", "trailer"),
    [
        ("sha1", 1024, b"\xbc"),
        ("sha224", 1024, b"\x38\xcc"),
        ("sha256", 1024, b"\x34\xcc"),
        ("sha384", 1536, b"\x36\xcc"),
        ("sha512", 2048, b"\x35\xcc"),
    ],
)
def test_genuine_rsa_answers_verify_with_each_trailer(hash_name: str, bits: int, trailer: bytes) -> None:
    chip = aa.ChipAaKey.generate("rsa", hash_name, bits=bits)
    challenge = os.urandom(8)
    signature = chip.sign(challenge)
    assert len(signature) == bits // 8
    result = aa.verify(chip.public_key_info(), challenge, signature)
    assert (result.verdict, result.algorithm) == (aa.VALID, f"rsa-iso9796-2/{hash_name}")
    assert isinstance(chip.key, rsa.RSAPrivateKey)
    opened = pow(int.from_bytes(signature, "big"), 65537, chip.key.public_key().public_numbers().n)
    assert opened.to_bytes(bits // 8, "big")[0] == 0x6A and opened.to_bytes(bits // 8, "big").endswith(
        trailer
    )
    # The opening function: n - SIG opens to n - F, which it maps back to F.
    n = chip.key.public_key().public_numbers().n
    negated = (n - int.from_bytes(signature, "big")).to_bytes(bits // 8, "big")
    assert aa.verify(chip.public_key_info(), challenge, negated).verdict == aa.VALID


def test_sha1_named_in_an_option_2_trailer_and_total_recovery_verify(rsa_key: rsa.RSAPrivateKey) -> None:
    """ISO/IEC 9796-2 also allows '33' 'CC' for SHA-1, and total recovery ('4B' 'BB'... 'BA' || M || H)
    when the recovered message ends with the challenge."""
    challenge, info = os.urandom(8), _spki(rsa_key)
    m1 = os.urandom(105)
    option2 = b"\x6a" + m1 + hashlib.sha1(m1 + challenge).digest() + b"\x33\xcc"
    assert aa.verify(info, challenge, _signed(rsa_key, option2)).algorithm == "rsa-iso9796-2/sha1"
    message = os.urandom(16) + challenge
    padding = b"\x4b" + b"\xbb" * (128 - 1 - 1 - len(message) - 20 - 1) + b"\xba"
    total = padding + message + hashlib.sha1(message).digest() + b"\xbc"
    assert len(total) == 128
    assert aa.verify(info, challenge, _signed(rsa_key, total)).verdict == aa.VALID


# -- what a cloner can answer -----------------------------------------------------------------------
def test_a_copy_without_the_key_fails(rsa_key: rsa.RSAPrivateKey) -> None:
    """DG15 copied, another key (the cloner's own) signs: the digest is right for that key, not DG15's."""
    genuine = _spki(rsa_key)
    cloner = aa.ChipAaKey.generate("rsa", "sha1", bits=1024)
    challenge = os.urandom(8)
    result = aa.verify(genuine, challenge, cloner.sign(challenge))
    assert result.verdict == aa.FAILED and result.detail in aa.DETAILS
    random_answer = aa.verify(genuine, challenge, os.urandom(128))
    assert random_answer.verdict == aa.FAILED and random_answer.detail in aa.DETAILS
    replayed = aa.verify(genuine, os.urandom(8), aa.ChipAaKey(rsa_key, "sha1").sign(challenge))
    assert (replayed.verdict, replayed.detail) == (aa.FAILED, "digest_mismatch")


def _block(m1: bytes, digest: bytes, trailer: bytes = b"\xbc", head: bytes = b"\x6a") -> bytes:
    return head + m1 + digest + trailer


@pytest.mark.parametrize(
    ("case", "detail"),
    [
        ("short", "signature_length"),
        ("long", "signature_length"),
        ("empty", "no_answer"),
        ("modulus", "signature_range"),
        ("above_modulus", "signature_range"),
        ("header_00", "header"),
        ("header_0a", "header"),
        ("partial_with_padding", "padding"),
        ("padding_not_ended", "padding"),
        ("trailer_bd", "trailer"),
        ("trailer_unknown_hash", "trailer_hash_unknown"),
        ("trailer_ripemd160", "trailer_hash_unknown"),
        ("digest_wrong", "digest_mismatch"),
        ("hash_of_m1_only", "digest_mismatch"),
        ("trailer_says_sha256_digest_sha1", "digest_mismatch"),
        ("total_recovery_without_challenge", "challenge_not_signed"),
        ("no_message", "message_empty"),
        ("zero", "trailer"),
        ("one", "trailer"),
    ],
)
def test_a_malformed_rsa_answer_fails_with_its_reason(
    rsa_key: rsa.RSAPrivateKey, case: str, detail: str
) -> None:
    challenge, info = os.urandom(8), _spki(rsa_key)
    n = rsa_key.public_key().public_numbers().n
    m1 = os.urandom(106)
    right = hashlib.sha1(m1 + challenge).digest()
    genuine = _signed(rsa_key, _block(m1, right))
    blocks = {
        "header_00": _block(m1, right, head=b"\x2a"),
        "header_0a": _block(m1, right, head=b"\x0a"),
        "partial_with_padding": _block(m1[1:], right, head=b"\x6b\xba"),
        "padding_not_ended": b"\x4b" + b"\xbb" * 106 + bytes(20) + b"\xbc",
        "trailer_bd": _block(m1, right, b"\xbd"),
        "trailer_unknown_hash": _block(m1[:-1], right, b"\x37\xcc"),
        "trailer_ripemd160": _block(m1[:-1], right, b"\x31\xcc"),
        "digest_wrong": _block(m1, bytes(a ^ 1 for a in right)),
        "hash_of_m1_only": _block(m1, hashlib.sha1(m1).digest()),
        "trailer_says_sha256_digest_sha1": b"\x6a"
        + m1[:93]
        + hashlib.sha1(m1[:93] + challenge).digest()
        + bytes(12)
        + b"\x34\xcc",
        "total_recovery_without_challenge": b"\x4a" + m1 + hashlib.sha1(m1).digest() + b"\xbc",
        "no_message": b"\x4b" + b"\xbb" * 105 + b"\xba" + right + b"\xbc",
    }
    answers = {
        "short": genuine[:-1],
        "long": genuine + b"\x00",
        "empty": b"",
        "modulus": n.to_bytes(128, "big"),
        "above_modulus": b"\xff" * 128,
        "zero": bytes(128),
        "one": (1).to_bytes(128, "big"),
    }
    for name, block in blocks.items():
        assert len(block) == 128, name
        answers[name] = _signed(rsa_key, block)
    result = aa.verify(info, challenge, answers[case])
    assert (result.verdict, result.detail) == (aa.FAILED, detail)
    assert result.message == aa.DETAILS[detail]


def test_keys_the_kiosk_cannot_verify_are_not_supported() -> None:
    """A 512-bit RSA key (factored in hours: a cloner could sign with it) is not supported, whatever the
    answer; so are a DG15 that holds no key and a key of a type AA does not use."""
    small = rsa.RSAPublicNumbers(65537, (1 << 511) + 0x1F3).public_key()  # the public half is all DG15 holds
    small_info = small.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    challenge = os.urandom(8)
    assert aa.verify(small_info, challenge, os.urandom(64)) == aa.AaResult(
        aa.NOT_SUPPORTED, "key_too_small", "rsa-iso9796-2"
    )
    assert aa.verify(b"\x30\x03\x02\x01\x00", challenge, os.urandom(64)).detail == "key_unreadable"
    other = ed25519.Ed25519PrivateKey.generate()
    assert aa.verify(_spki(other), challenge, b"\x01" * 64) == aa.AaResult(aa.NOT_SUPPORTED, "key_type")


# -- ECDSA: DG14 names the hash -----------------------------------------------------------------------
def test_ecdsa_answers_with_the_hash_dg14_names() -> None:
    chip = aa.ChipAaKey.generate("ecdsa", "sha384")
    assert isinstance(chip.key, ec.EllipticCurvePrivateKey)
    dg14 = build_dg14(ec.generate_private_key(ec.SECP256R1()).public_key(), aa.build_aa_info("sha384"))
    assert aa.ecdsa_hash_in_dg14(dg14) == "sha384"
    challenge = os.urandom(8)
    signature = chip.sign(challenge)
    named = aa.verify(chip.public_key_info(), challenge, signature, ecdsa_hash=aa.ecdsa_hash_in_dg14(dg14))
    assert (named.verdict, named.algorithm) == (aa.VALID, "ecdsa/sha384")
    # Checked with SHA-256 (no DG14), the same answer is no signature over the challenge.
    assert aa.verify(chip.public_key_info(), challenge, signature).detail == "ecdsa_invalid"
    assert aa.verify(chip.public_key_info(), challenge, signature[:-1], ecdsa_hash="sha384").detail == (
        "signature_length"
    )
    assert (
        aa.verify(chip.public_key_info(), challenge, bytes(64), ecdsa_hash="sha384").detail == "ecdsa_invalid"
    )
    unknown_oid = tlv(0x30, tlv(0x06, aa.OID_AA_PROTOCOL) + tlv(0x02, b"\x01") + tlv(0x06, b"\x2a\x03"))
    odd = tlv(0x6E, tlv(0x31, unknown_oid))
    assert aa.ecdsa_hash_in_dg14(odd) == ""
    assert aa.verify(chip.public_key_info(), challenge, signature, ecdsa_hash="") == aa.AaResult(
        aa.NOT_SUPPORTED, "hash_unknown", "ecdsa"
    )
    assert aa.ecdsa_hash_in_dg14(None) is None and aa.ecdsa_hash_in_dg14(b"\x6e\x02\x31") is None


# -- fuzzing: nothing the chip answers makes the parser raise, and nothing forged verifies ---------------
@FUZZ
@given(answer=st.binary(max_size=300))
def test_any_answer_to_a_real_passports_key_is_a_verdict(answer: bytes) -> None:
    result = aa.verify(PASSPORT_DG15[3:], bytes.fromhex(PASSPORT_ANSWERS[0][0]), answer)
    assert result.verdict == aa.FAILED and result.detail in aa.DETAILS


@FUZZ
@given(block=st.binary(min_size=128, max_size=128), challenge=st.binary(min_size=8, max_size=8))
def test_any_representative_the_chip_may_sign_opens_to_a_reason(
    rsa_key: rsa.RSAPrivateKey, block: bytes, challenge: bytes
) -> None:
    """A chip holding the key but signing arbitrary representatives (a broken or hostile chip): opening
    never raises; only a representative whose digest is right would verify, and a random one has not."""
    n = rsa_key.public_key().public_numbers().n
    value = int.from_bytes(block, "big") % n
    signature = aa.rsa_raw_sign(rsa_key, value.to_bytes(128, "big"))
    opened = aa.open_representative(rsa_key.public_key(), signature)
    assert isinstance(opened, aa.Recovered) or opened in aa.DETAILS
    result = aa.verify(_spki(rsa_key), challenge, signature)
    assert result.verdict == aa.FAILED and result.detail in aa.DETAILS


@FUZZ
@given(position=st.integers(min_value=0, max_value=127), bit=st.integers(min_value=0, max_value=7))
def test_any_bit_flipped_in_a_genuine_answer_fails(position: int, bit: int) -> None:
    challenge, signature, _ = PASSPORT_ANSWERS[1]
    flipped = bytearray(bytes.fromhex(signature))
    flipped[position] ^= 1 << bit
    result = aa.verify(PASSPORT_DG15[3:], bytes.fromhex(challenge), bytes(flipped))
    assert result.verdict == aa.FAILED and result.detail in aa.DETAILS


@FUZZ
@given(raw=st.binary(max_size=200))
def test_any_dg14_gives_a_hash_or_none(raw: bytes) -> None:
    for candidate in (raw, tlv(0x6E, raw), tlv(0x6E, tlv(0x31, raw))):
        assert aa.ecdsa_hash_in_dg14(candidate) in (None, "", *aa.HASH_ID_OF)
