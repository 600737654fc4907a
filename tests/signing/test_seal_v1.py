"""Older copies keep verifying, honestly (the VNC1 regression): a real VNC1 seal and PDF made by the old
code (tests/fixtures/vnc1) verify with the same key and trust checks as VNC2, the verdict says what the
older seal checks, and every way a forger would use the older format to escape VNC2's checks is refused:
a changed claim, another key, a revoked kiosk key, a VNC1 seal dated after the cutover, the two formats'
prefixes and bodies swapped, a VNC1 seal behind a web address, and damaged or oversized text."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zlib

import base45
import cbor2
import pytest

from signing.config import SigningConfig
from signing.errors import SealFormatError
from signing.paper import verify_paper_page
from signing.seal import SealClaims, decode_seal, make_seal
from signing.seal_envelope import MAX_COSE_BYTES
from signing.seal_v1 import FORMAT_V1, OLDER_SEAL_NOTE, OLDER_SEAL_NOTE_PDF, VNC1_LAST_ISSUE
from signing.trust import load_trust_store
from signing.verify import verify_pdf, verify_seal_text
from tests.signing.vnc1_seals import (
    AFTER_CUTOVER,
    ThrowAwayKiosk,
    crl,
    envelope,
    golden_facts,
    golden_pdf,
    golden_seal,
    golden_trust,
    v1_claims,
)


@pytest.fixture(scope="module")
def kiosk() -> ThrowAwayKiosk:
    return ThrowAwayKiosk.make()


# --- the genuine older copy ---------------------------------------------------------------------------


def test_the_old_codes_seal_verifies_and_says_what_it_checks():
    facts = golden_facts()
    result = verify_seal_text(golden_seal(), golden_trust())
    assert result.valid, result.reason
    assert result.reason_key == "valid" and result.seal_format == FORMAT_V1
    assert result.older_seal == OLDER_SEAL_NOTE
    assert "older seal (VNC1)" in result.reason
    for words in ("the holder's name and masked ID", "the document's number and date", "compare the rest"):
        assert words in result.older_seal
    assert (result.code, result.holder_name, result.doc_number, result.doc_date) == (
        facts["code"],
        facts["holder_name"],
        facts["doc_number"],
        facts["doc_date"],
    )
    assert result.holder == facts["holder_masked_id"] and result.fields == {}
    assert result.issued_at == dt.datetime.fromisoformat(facts["issued_at"])
    assert result.to_json()["seal_format"] == "VNC1" and result.to_json()["older_seal"] == OLDER_SEAL_NOTE


def test_the_old_codes_pdf_verifies_whole_with_the_older_seal_note():
    result = verify_pdf(golden_pdf(), golden_trust())
    assert result.valid, result.reason
    assert result.checks["content"] and result.checks["seal"] and result.checks["signature"]
    assert result.seal_format == FORMAT_V1 and result.older_seal == OLDER_SEAL_NOTE_PDF
    assert result.doc_number == golden_facts()["doc_number"]


def test_a_printed_older_page_is_matched_with_its_fingerprint_and_identity():
    words = " ".join(golden_facts()["page_words"]).split()
    result = verify_paper_page([golden_seal()], words, golden_trust())
    assert result.valid and result.page == 1 and result.checks["page_content"], result.reason
    assert result.older_seal == OLDER_SEAL_NOTE
    changed = [("BAO" if w == "AN" else w) for w in words]  # the holder's name changed on paper
    refused = verify_paper_page([golden_seal()], changed, golden_trust())
    assert (refused.valid, refused.reason_key) == (False, "page_mismatch")


def test_the_verifier_without_the_kiosks_certificate_does_not_trust_it(kiosk):
    result = verify_seal_text(golden_seal(), kiosk.trust())
    assert (result.valid, result.reason_key) == (False, "seal_untrusted")


# --- a leaked or revoked kiosk key is not revived through the older format -----------------------------


def test_a_revoked_kiosk_key_voids_its_older_seals_from_the_void_time_on():
    trust = golden_trust()
    trust.load_revocations(crl("void_before_issue.pem"))
    for result in (verify_seal_text(golden_seal(), trust), verify_pdf(golden_pdf(), trust)):
        assert (result.valid, result.reason_key) == (False, "seal_revoked"), result.reason
    honest = golden_trust()
    honest.load_revocations(crl("void_after_issue.pem"))  # sealed before the leak: still good
    assert verify_seal_text(golden_seal(), honest).valid
    assert verify_pdf(golden_pdf(), honest).valid


def test_an_older_seal_dated_after_the_cutover_is_refused(kiosk):
    """A forger with a kiosk key (leaked, not yet revoked) cannot present a VNC2-era copy under a VNC1
    seal to escape the body and name checks: kiosks stopped issuing VNC1 at the cutover."""
    trust = kiosk.trust()
    assert verify_seal_text(kiosk.v1_seal(), trust).valid  # the same key, dated before: genuine
    for moment in (AFTER_CUTOVER, VNC1_LAST_ISSUE):
        result = verify_seal_text(kiosk.v1_seal(iat=moment), trust)
        assert (result.valid, result.reason_key) == (False, "seal_untrusted"), result.reason
        assert "older format (VNC1)" in result.reason and "after kiosks stopped issuing" in result.reason


def test_the_cutover_comes_from_the_config(kiosk, tmp_path):
    earlier = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    trust = load_trust_store(SigningConfig(vnc1_seals_until=earlier), tmp_path)
    assert trust.vnc1_until == earlier
    assert load_trust_store(SigningConfig(), tmp_path).vnc1_until == VNC1_LAST_ISSUE
    fixture = golden_trust()
    fixture.vnc1_until = earlier  # the golden copy (2026-11-20) is then after the fleet's cutover
    for result in (verify_seal_text(golden_seal(), fixture), verify_pdf(golden_pdf(), fixture)):
        assert (result.valid, result.reason_key) == (False, "seal_untrusted"), result.reason


def test_another_key_cannot_seal_an_older_copy(kiosk):
    other = ThrowAwayKiosk.make()
    trust = kiosk.trust()
    trust.add(other.root)
    # signed by another trusted kiosk key that claims kiosk HN-001's kid: the signature does not verify
    forged = envelope(cbor2.dumps(v1_claims()), kiosk.kid, other.sign)
    assert verify_seal_text(forged, trust).reason_key == "seal_edited"
    # another kiosk's own key and kid, for HN-001's code
    other_kiosk = ThrowAwayKiosk.make("HN-002")
    trust.add(other_kiosk.root)
    trust.add(other_kiosk.cert)
    result = verify_seal_text(other_kiosk.v1_seal(), trust)
    assert (result.valid, result.reason_key) == (False, "seal_untrusted")


# --- tampering with a genuine older seal ---------------------------------------------------------------


def _resealed(text: str, change) -> str:
    """The golden seal with its claims changed and its (now wrong) signature kept."""
    cose = cbor2.loads(zlib.decompress(base45.b45decode(text[len("VNC1:") :])))
    protected, unprotected, payload, signature = cose.value
    claims = cbor2.loads(payload)
    change(claims)
    message = cbor2.CBORTag(18, [protected, unprotected, cbor2.dumps(claims), signature])
    return "VNC1:" + base45.b45encode(zlib.compress(cbor2.dumps(message), 9)).decode("ascii")


@pytest.mark.parametrize(
    ("claim", "value"),
    [(7, "TRAN VAN BAO"), (8, "9999/2016"), (9, "2016-03-16"), (6, "002******567"), (3, "diploma")],
)
def test_a_changed_claim_breaks_the_older_seals_signature(claim, value):
    forged = _resealed(golden_seal(), lambda c: c[-65537].__setitem__(claim, value))
    result = verify_seal_text(forged, golden_trust())
    assert (result.valid, result.reason_key) == (False, "seal_edited")


def test_a_backdated_older_seal_breaks_its_signature():
    forged = _resealed(golden_seal(), lambda c: c.__setitem__(6, c[6] - 86400))
    assert verify_seal_text(forged, golden_trust()).reason_key == "seal_edited"


# --- the two formats cannot pass for each other --------------------------------------------------------


def test_a_vnc2_prefix_on_a_vnc1_body_and_the_reverse_are_refused(kiosk):
    vnc1_body = kiosk.v1_seal()[len("VNC1:") :]
    assert verify_seal_text("VNC2:" + vnc1_body, kiosk.trust()).reason_key == "seal_edited"
    assert verify_seal_text("VNC2:" + golden_seal()[5:], golden_trust()).reason_key == "seal_edited"
    vnc2 = make_seal(
        SealClaims(
            code="HN001-004242-O",
            issued_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
            authority="HN",
            kiosk_id="HN-001",
            doc_type="birth_certificate",
            pages=1,
            content_digest=b"\x01" * 16,
            holder="001******567",
            holder_name="NGUYEN VAN AN",
            fields={"full_name": "NGUYEN VAN AN"},
            access_token_bytes=b"\x03" * 16,
            fingerprints=(b"\x02" * 16,),
        ),
        kiosk.kid,
        kiosk.sign,
    )
    assert verify_seal_text(vnc2, kiosk.trust()).valid  # genuine as VNC2
    downgraded = "VNC1:" + vnc2[len("VNC2:") :]
    result = verify_seal_text(downgraded, kiosk.trust())
    assert (result.valid, result.reason_key) == (False, "seal_edited")
    with pytest.raises(SealFormatError, match="VNC1"):
        decode_seal(downgraded)


def test_an_older_seal_behind_a_web_address_is_refused():
    text = "https://city.example/v/HN001-004242-O?t=" + "a" * 26 + "#" + golden_seal()
    result = verify_seal_text(text, golden_trust())
    assert (result.valid, result.reason_key) == (False, "seal_edited")
    assert "never follows a web address" in result.reason


def test_the_product_never_makes_an_older_seal(kiosk):
    claims = decode_seal(golden_seal()).claims
    assert claims.is_older_format
    with pytest.raises(ValueError, match="never made"):
        make_seal(claims, kiosk.kid, kiosk.sign)
    with pytest.raises(ValueError, match="never made"):
        make_seal(dataclasses.replace(claims, fields={"full_name": "X"}), kiosk.kid, kiosk.sign)


# --- damaged, truncated, garbage and oversized text ----------------------------------------------------


def _deflate(data: bytes) -> str:
    return "VNC1:" + base45.b45encode(zlib.compress(data, 9)).decode("ascii")


@pytest.mark.parametrize(
    "text",
    [
        "VNC1:",
        "VNC1:%%%%",
        "VNC1:abc",  # lower case is not base45
        "VNC1:" + "A" * 3999,
        "VNC1:" + "Z" * 6000,
        "VNC1:" + base45.b45encode(b"not zlib at all").decode(),
        _deflate(b"\xff\xfe not cbor"),
        _deflate(cbor2.dumps(cbor2.CBORTag(98, []))),
        _deflate(cbor2.dumps([b"", {}, b"", b""])),
        _deflate(cbor2.dumps([cbor2.dumps({1: -7}), {}, b"", b""])),
        _deflate(cbor2.dumps([cbor2.dumps({1: -7, 4: b"k"}), {}, cbor2.dumps({1: 2}), b""])),
        _deflate(b"\x81" * 50_000 + b"\x00"),  # 50 000 nested arrays
    ],
)
def test_damaged_older_seals_get_one_clear_refusal(text):
    result = verify_seal_text(text, golden_trust())
    assert not result.valid and result.reason_key in ("seal_edited", "not_seal"), result.reason
    with pytest.raises(SealFormatError):
        decode_seal(text)


@pytest.mark.parametrize("cut", [10, 50, 100, 200, -1])
def test_a_truncated_older_seal_is_refused(cut):
    text = golden_seal()[:cut]
    assert not verify_seal_text(text, golden_trust()).valid
    with pytest.raises(SealFormatError):
        decode_seal(text)


def test_malformed_claims_inside_a_validly_signed_older_seal_are_refused(kiosk):
    for change in (
        lambda c: c[-65537].__setitem__(4, 2),  # two pages, one fingerprint
        lambda c: c[-65537].__setitem__(8, ["document_number"]),
        lambda c: c[-65537].pop(9),
        lambda c: c[-65537].__setitem__(7, "X" * 5000),
        lambda c: c.__setitem__(6, 10**30),
        lambda c: c.__setitem__(6, True),
    ):
        claims = v1_claims()
        change(claims)
        text = envelope(cbor2.dumps(claims), kiosk.kid, kiosk.sign)
        result = verify_seal_text(text, kiosk.trust())
        assert (result.valid, result.reason_key) == (False, "seal_edited"), result.reason


def test_a_zlib_bomb_stops_at_the_bound():
    """64 KiB and more of zeros inflate no further than the bound: refused, never inflated in full."""
    for size in (MAX_COSE_BYTES + 1, 2_000_000):
        text = _deflate(b"\x00" * size)
        assert len(text) < 6000
        with pytest.raises(SealFormatError, match="bad compression"):
            decode_seal(text)
    huge = "VNC1:" + "0" * 10_000_000  # 10 MB of text: refused by its length before any decoding
    assert verify_seal_text(huge, golden_trust()).reason_key == "seal_edited"
